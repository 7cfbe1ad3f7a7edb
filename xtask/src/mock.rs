//! Post-processing of progenitor's httpmock helpers.

/// Rewrites progenitor 0.15's helpers into code that compiles here.
///
/// - progenitor matches every query argument with `query_param(name, value.to_string())`, which does not
///   compile for an array (`Vec<T>` has no `Display`). The SDK sends an array as repeated keys
///   (`k=1&k=2`); the matcher of such an argument expects each element under that key instead.
/// - A `sdk_core::Secret` argument has no `Display` (on purpose): its matcher uses `expose()`.
/// - A response whose body may be absent takes `Option<&T>`, which `json_body_obj` (it wants `&T`) does
///   not take: it gets `&value` (`None` answers `null`, which the SDK reads as no body).
/// - A path argument was matched as given, but the SDK sends it percent-encoded (`a@b` as `a%40b`), and
///   its `.` was a regex wildcard: it is matched as sent (`path_pattern`, added to the module).
/// - Paths are matched with `regex::Regex::new(..).unwrap()`, a crate the SDK does not depend on:
///   httpmock's `path_matches` takes the pattern text itself.
pub fn fix(file: &mut syn::File) {
    use syn::visit_mut::VisitMut;
    Fix.visit_file_mut(file);
    for item in &mut file.items {
        if let syn::Item::Mod(module) = item
            && module.ident == "operations"
            && let Some((_, items)) = module.content.as_mut()
        {
            items.push(syn::parse_quote! {
                /// A path argument as the SDK sends it (percent-encoded by `sdk_core::encode_path_segment`),
                /// as a regex that matches it literally.
                fn path_pattern(value: &str) -> String {
                    sdk_core::encode_path_segment(value).replace('.', "\\.")
                }
            });
        }
    }
}

struct Fix;

impl syn::visit_mut::VisitMut for Fix {
    fn visit_impl_item_fn_mut(&mut self, method: &mut syn::ImplItemFn) {
        if takes_array(&method.sig) {
            syn::visit_mut::VisitMut::visit_block_mut(&mut ElementWise, &mut method.block);
        }
        if takes(&method.sig, "sdk_core :: Secret") {
            syn::visit_mut::VisitMut::visit_block_mut(&mut ExposeSecret, &mut method.block);
        }
        if value_type(&method.sig).is_some_and(|t| t.starts_with("Option <")) {
            syn::visit_mut::VisitMut::visit_block_mut(&mut BorrowBody, &mut method.block);
        }
        syn::visit_mut::visit_impl_item_fn_mut(self, method);
    }

    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        // `regex::Regex::new(PATTERN).unwrap()` -> `PATTERN` (owned when it was borrowed)
        if let syn::Expr::MethodCall(unwrap) = expr
            && unwrap.method == "unwrap"
            && let syn::Expr::Call(new) = &*unwrap.receiver
            && quote::ToTokens::to_token_stream(&new.func).to_string() == "regex :: Regex :: new"
            && let Some(pattern) = new.args.first()
        {
            *expr = match pattern {
                syn::Expr::Reference(borrowed) => (*borrowed.expr).clone(),
                other => other.clone(),
            };
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        // `format!(PATH_REGEX, value.to_string())` -> `format!(PATH_REGEX, path_pattern(&value.to_string()))`
        if mac.path.is_ident("format") {
            let tokens = mac.tokens.to_string();
            if tokens.contains("value . to_string ()") {
                let fixed = tokens.replace(
                    "value . to_string ()",
                    "path_pattern (& value . to_string ())",
                );
                mac.tokens = fixed.parse().expect("the rewritten tokens parse");
            }
        }
    }
}

fn takes(sig: &syn::Signature, type_name: &str) -> bool {
    let everything = quote::ToTokens::to_token_stream(sig).to_string();
    everything.contains(type_name)
}

/// `value.to_string()` -> `value.expose().to_string()`.
struct ExposeSecret;

impl syn::visit_mut::VisitMut for ExposeSecret {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::MethodCall(call) = expr
            && call.method == "to_string"
            && quote::ToTokens::to_token_stream(&call.receiver).to_string() == "value"
        {
            *expr = syn::parse_quote!(value.expose().to_string());
            return;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

/// `json_body_obj(value)` -> `json_body_obj(&value)`.
struct BorrowBody;

impl syn::visit_mut::VisitMut for BorrowBody {
    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        if call.method == "json_body_obj" && call.args.len() == 1 {
            let value = &call.args[0];
            call.args[0] = syn::parse_quote!(&#value);
        }
        syn::visit_mut::visit_expr_method_call_mut(self, call);
    }
}

/// The type of the argument `value`, as token text.
fn value_type(sig: &syn::Signature) -> Option<String> {
    sig.inputs.iter().find_map(|input| match input {
        syn::FnArg::Typed(arg)
            if quote::ToTokens::to_token_stream(&arg.pat).to_string() == "value" =>
        {
            Some(quote::ToTokens::to_token_stream(&arg.ty).to_string())
        }
        _ => None,
    })
}

/// Whether the argument `value` is (or converts into an `Option` of) a `Vec`.
fn takes_array(sig: &syn::Signature) -> bool {
    let value_type = value_type(sig);
    let bounds = sig
        .generics
        .where_clause
        .as_ref()
        .map(|w| quote::ToTokens::to_token_stream(w).to_string())
        .unwrap_or_default();
    let is_vec = |text: &str| text.contains("Vec <");
    value_type.is_some_and(|t| is_vec(&t) || (t == "T" && is_vec(&bounds)))
}

/// `Self(self.0.query_param(name, value.to_string()))` -> one `query_param` per element.
struct ElementWise;

impl syn::visit_mut::VisitMut for ElementWise {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::Call(call) = expr
            && let Some(syn::Expr::MethodCall(inner)) = call.args.first()
            && inner.method == "query_param"
            && inner.args.len() == 2
        {
            let name = &inner.args[0];
            *expr = syn::parse_quote! {
                Self(value.iter().fold(self.0, |when, element| {
                    when.query_param(#name, element.to_string())
                }))
            };
            return;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}
