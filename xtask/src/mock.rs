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
///
/// Returns what it found: the `operations` modules (progenitor writes one) and each rewrite's count, with the
/// number of places that needed it (a rewrite that found fewer than needed means progenitor's shape changed).
pub fn fix(file: &mut syn::File) -> Fixed {
    use syn::visit_mut::VisitMut;
    let mut fix = Fix::default();
    fix.visit_file_mut(file);
    let mut found = 0;
    for item in &mut file.items {
        if let syn::Item::Mod(module) = item
            && module.ident == "operations"
            && let Some((_, items)) = module.content.as_mut()
        {
            found += 1;
            items.push(syn::parse_quote! {
                /// A path argument as the SDK sends it (percent-encoded by `sdk_core::encode_path_segment`),
                /// as a regex that matches it literally.
                fn path_pattern(value: &str) -> String {
                    sdk_core::encode_path_segment(value).replace('.', "\\.")
                }
            });
        }
    }
    fix.fixed.modules = found;
    fix.fixed
}

/// What `fix` changed, and where a change was needed.
#[derive(Default, Debug)]
pub struct Fixed {
    pub modules: usize,
    /// `regex::Regex::new(..).unwrap()` path matchers rewritten (progenitor writes one per operation).
    pub regexes: usize,
    /// Setters of array arguments, and those whose `query_param` was made element-wise.
    pub array_setters: usize,
    pub element_wise: usize,
    /// Setters of `Secret` arguments, and those whose `value.to_string()` became `value.expose()..`.
    pub secret_setters: usize,
    pub exposed: usize,
    /// Setters of optional bodies, and those whose `json_body_obj` now borrows.
    pub optional_bodies: usize,
    pub borrowed: usize,
    /// Path-argument patterns (`format!("^/..{}..", value.to_string())`), and those now `path_pattern(..)`.
    pub path_formats: usize,
    pub path_patterns: usize,
}

#[derive(Default)]
struct Fix {
    fixed: Fixed,
}

impl syn::visit_mut::VisitMut for Fix {
    fn visit_impl_item_fn_mut(&mut self, method: &mut syn::ImplItemFn) {
        if takes_array(&method.sig) {
            let mut rewrite = ElementWise(0);
            syn::visit_mut::VisitMut::visit_block_mut(&mut rewrite, &mut method.block);
            // An array body (`json_body_obj`) needs no rewrite; an array query argument does.
            let block = &method.block;
            if quote::quote!(#block).to_string().contains("query_param") || rewrite.0 > 0 {
                self.fixed.array_setters += 1;
            }
            self.fixed.element_wise += usize::from(rewrite.0 > 0);
        }
        if takes(&method.sig, "sdk_core :: Secret") {
            let mut rewrite = ExposeSecret(0);
            syn::visit_mut::VisitMut::visit_block_mut(&mut rewrite, &mut method.block);
            self.fixed.secret_setters += 1;
            self.fixed.exposed += usize::from(rewrite.0 > 0);
        }
        if value_type(&method.sig).is_some_and(|t| t.starts_with("Option <")) {
            let mut rewrite = BorrowBody(0);
            syn::visit_mut::VisitMut::visit_block_mut(&mut rewrite, &mut method.block);
            self.fixed.optional_bodies += 1;
            self.fixed.borrowed += usize::from(rewrite.0 > 0);
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
            self.fixed.regexes += 1;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        // `format!(PATH_REGEX, value.to_string())` -> `format!(PATH_REGEX, path_pattern(&value.to_string()))`
        use syn::parse::Parser;
        if !mac.path.is_ident("format") {
            return;
        }
        let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        let Ok(mut args) = parser.parse2(mac.tokens.clone()) else {
            return;
        };
        if let Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(pattern),
            ..
        })) = args.first()
            && pattern.value().starts_with("^/")
            && pattern.value().contains("{}")
        {
            self.fixed.path_formats += 1;
        }
        let mut changed = false;
        for arg in args.iter_mut().skip(1) {
            if quote::ToTokens::to_token_stream(arg).to_string() == "value . to_string ()" {
                *arg = syn::parse_quote!(path_pattern(&value.to_string()));
                changed = true;
            }
        }
        if changed {
            self.fixed.path_patterns += 1;
            mac.tokens = quote::ToTokens::to_token_stream(&args);
        }
    }
}

fn takes(sig: &syn::Signature, type_name: &str) -> bool {
    let everything = quote::ToTokens::to_token_stream(sig).to_string();
    everything.contains(type_name)
}

/// `value.to_string()` -> `value.expose().to_string()`.
struct ExposeSecret(usize);

impl syn::visit_mut::VisitMut for ExposeSecret {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::MethodCall(call) = expr
            && call.method == "to_string"
            && quote::ToTokens::to_token_stream(&call.receiver).to_string() == "value"
        {
            *expr = syn::parse_quote!(value.expose().to_string());
            self.0 += 1;
            return;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

/// `json_body_obj(value)` -> `json_body_obj(&value)`.
struct BorrowBody(usize);

impl syn::visit_mut::VisitMut for BorrowBody {
    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        if call.method == "json_body_obj" && call.args.len() == 1 {
            let value = &call.args[0];
            call.args[0] = syn::parse_quote!(&#value);
            self.0 += 1;
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
struct ElementWise(usize);

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
            self.0 += 1;
            return;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}
