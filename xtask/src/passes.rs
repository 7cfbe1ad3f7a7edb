//! Every change the xtask makes to progenitor's output, as a `syn` pass over the parsed tokens, run before
//! printing (nothing is edited as text afterwards).
//!
//! A pass is loud: it says what it must find, and `cargo xtask generate` fails naming the pass when it finds
//! none of it (progenitor stopped emitting the shape it rewrites), instead of silently doing nothing. Where a
//! shape exists only for some specs (path segments, open enumerations), the pass first asks the file whether
//! it must be there (e.g. a builder setter taking a `PathSegment` must have progenitor's conversion message).
//!
//! What a pass may change is stated in ARCHITECTURE.md ("Invariants"): it may route progenitor's calls to
//! `sdk-core` (the names ARCHITECTURE.md lists; a test holds the list to what `generated.rs` uses), redact `Debug`, rewrite messages and doc comments; it may not
//! change a public signature, a type, a status match or what goes on the wire.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::quote;
use syn::visit_mut::{self, VisitMut};

/// One rewrite of progenitor's output.
pub struct Pass {
    pub name: &'static str,
    /// Changes the file and reports what it found.
    pub apply: fn(&mut syn::File, &Context) -> Vec<Found>,
}

/// What a pass may read besides the file: the provider and its (normalised) spec.
pub struct Context<'a> {
    pub provider: &'a str,
    pub spec: &'a serde_json::Value,
}

/// One shape a pass looks for, how many it changed, and whether finding none is an error.
pub struct Found {
    /// What was looked for, e.g. "`ResponseValue::from_response(..)` call".
    pub what: String,
    pub count: usize,
    /// The file must hold this shape (false: nothing to do for this spec is fine).
    pub required: bool,
}

impl Found {
    fn required(what: &str, count: usize) -> Self {
        Self {
            what: what.to_string(),
            count,
            required: true,
        }
    }
}

impl Pass {
    /// Runs the pass; an error names the pass and the shape it did not find.
    pub fn run(&self, file: &mut syn::File, context: &Context) -> Result<(), String> {
        for found in (self.apply)(file, context) {
            if found.required && found.count == 0 {
                return Err(format!(
                    "pass `{}`: found no {}; progenitor's output changed",
                    self.name, found.what
                ));
            }
        }
        Ok(())
    }
}

/// Runs `passes` in order.
pub fn run_all(passes: &[Pass], file: &mut syn::File, context: &Context) -> Result<(), String> {
    passes.iter().try_for_each(|pass| pass.run(file, context))
}

/// The passes over the client (`src/generated.rs`), in order: error answers are routed before the remaining
/// `from_response` calls (the success bodies) go to the JSON decoder.
pub const CLIENT: &[Pass] = &[
    Pass {
        name: "redact_builder_debug",
        apply: redact_builder_debug,
    },
    Pass {
        name: "redact_client_debug",
        apply: redact_client_debug,
    },
    Pass {
        name: "route_error_answers",
        apply: route_error_answers,
    },
    Pass {
        name: "decode_json_answers",
        apply: decode_json_answers,
    },
    Pass {
        name: "hold_streamed_answers",
        apply: hold_streamed_answers,
    },
    Pass {
        name: "encode_path_segments",
        apply: encode_path_segments,
    },
    Pass {
        name: "explain_path_segment_errors",
        apply: explain_path_segment_errors,
    },
    Pass {
        name: "local_open_enum_paths",
        apply: local_open_enum_paths,
    },
    Pass {
        name: "compiled_examples",
        apply: crate::examples::compiled_examples,
    },
];

/// The passes over the httpmock helpers (`src/mock.rs`).
pub const MOCK: &[Pass] = &[
    Pass {
        name: "local_open_enum_paths",
        apply: local_open_enum_paths,
    },
    Pass {
        name: "mock_compile_fixes",
        apply: mock_compile_fixes,
    },
];

/// Generated builders derive `Debug`, which would print every argument, passwords included: they get a
/// `Debug` that names the builder only.
fn redact_builder_debug(file: &mut syn::File, _: &Context) -> Vec<Found> {
    let mut count = 0;
    for item in &mut file.items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        if module.ident != "builder" {
            continue;
        }
        let Some((_, items)) = module.content.as_mut() else {
            continue;
        };
        let mut impls = Vec::new();
        for item in items.iter_mut() {
            let syn::Item::Struct(builder) = item else {
                continue;
            };
            let mut derived = false;
            for attr in &mut builder.attrs {
                if attr.path().is_ident("derive") {
                    *attr = syn::parse_quote!(#[derive(Clone)]);
                    derived = true;
                }
            }
            if !derived {
                continue;
            }
            count += 1;
            let name = &builder.ident;
            let label = name.to_string();
            impls.push(syn::parse_quote! {
                impl std::fmt::Debug for #name<'_> {
                    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        // Arguments may be secrets (passwords); none is shown.
                        f.debug_struct(#label).finish_non_exhaustive()
                    }
                }
            });
        }
        items.extend(impls);
    }
    vec![Found::required(
        "`#[derive(..)]` struct in `mod builder`",
        count,
    )]
}

/// progenitor derives `Debug` on `Client`, which would print a password given in the base URL
/// (`http://user:pw@host/`): it gets a `Debug` that shows the base URL redacted and the runtime (whose own
/// `Debug` shows no secret).
fn redact_client_debug(file: &mut syn::File, _: &Context) -> Vec<Found> {
    let mut count = 0;
    for item in &mut file.items {
        let syn::Item::Struct(client) = item else {
            continue;
        };
        if client.ident != "Client" {
            continue;
        }
        for attr in &mut client.attrs {
            if attr.path().is_ident("derive") {
                *attr = syn::parse_quote!(#[derive(Clone)]);
                count += 1;
            }
        }
    }
    if count > 0 {
        file.items.push(syn::parse_quote! {
            impl std::fmt::Debug for Client {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    // A password in the base URL is never shown.
                    f.debug_struct("Client")
                        .field("baseurl", &sdk_core::redact::redact_base_url(&self.baseurl))
                        .field("inner", &self.inner)
                        .finish_non_exhaustive()
                }
            }
        });
    }
    vec![Found::required("`#[derive(..)] struct Client`", count)]
}

/// Error answers go through the runtime's decoder: a documented one
/// (`Error::ErrorResponse(ResponseValue::from_response(response).await?)`) becomes
/// `sdk_core::decode::error_response(response).await` (its body scrubbed of secrets before decoding), an
/// undocumented one (`Error::UnexpectedResponse(response)`) `sdk_core::decode::unexpected_response(response)
/// .await` (its body read now, bounded and scrubbed, so the error holds no connection nor concurrency turn).
fn route_error_answers(file: &mut syn::File, _: &Context) -> Vec<Found> {
    #[derive(Default)]
    struct Route {
        documented: usize,
        unexpected: usize,
    }
    impl VisitMut for Route {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            visit_mut::visit_expr_mut(self, expr);
            let syn::Expr::Call(call) = expr else {
                return;
            };
            let syn::Expr::Path(func) = &*call.func else {
                return;
            };
            let name = func.path.segments.last().map(|s| s.ident.to_string());
            let arg = call.args.first().map(|a| quote!(#a).to_string());
            match (name.as_deref(), arg.as_deref(), call.args.len()) {
                (Some("UnexpectedResponse"), Some("response"), 1) => {
                    *expr =
                        syn::parse_quote!(sdk_core::decode::unexpected_response(response).await);
                    self.unexpected += 1;
                }
                (Some("ErrorResponse"), Some(arg), 1)
                    if arg.replace(' ', "") == "ResponseValue::from_response(response).await?" =>
                {
                    *expr = syn::parse_quote!(sdk_core::decode::error_response(response).await);
                    self.documented += 1;
                }
                _ => {}
            }
        }
    }
    let mut route = Route::default();
    route.visit_file_mut(file);
    vec![
        Found::required(
            "`Error::UnexpectedResponse(response)` call",
            route.unexpected,
        ),
        Found::required(
            "`Error::ErrorResponse(ResponseValue::from_response(response).await?)` call",
            route.documented,
        ),
    ]
}

/// JSON bodies are decoded by the runtime: a body that is not the documented JSON keeps its HTTP status
/// (progenitor's own decoder drops it), and an empty body reads as `null`. Runs after
/// `route_error_answers`, so what is left of `ResponseValue::from_response(..)` decodes success bodies.
fn decode_json_answers(file: &mut syn::File, _: &Context) -> Vec<Found> {
    #[derive(Default)]
    struct Decode(usize);
    impl VisitMut for Decode {
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            visit_mut::visit_expr_call_mut(self, call);
            if let syn::Expr::Path(func) = &mut *call.func
                && path_is(&func.path, &["ResponseValue", "from_response"])
            {
                func.path = syn::parse_quote!(sdk_core::decode::json_response);
                self.0 += 1;
            }
        }
    }
    let mut decode = Decode::default();
    decode.visit_file_mut(file);
    vec![Found::required(
        "`ResponseValue::from_response(..)` call",
        decode.0,
    )]
}

/// Points a call of the function `from` (a path ending in those segments) at `to`; whether it did.
fn redirect_call(call: &mut syn::ExprCall, from: &[&str], to: fn() -> syn::Path) -> bool {
    match &mut *call.func {
        syn::Expr::Path(func) if path_is(&func.path, from) => {
            func.path = to();
            true
        }
        _ => false,
    }
}

/// An answer handed over as a byte stream holds its call's concurrency turn until the stream ends or is
/// dropped (the runtime gives the turn back when the decoder has read a body, and progenitor's
/// `ResponseValue::stream` reads none): its calls go to `sdk_core::decode::stream_response`. Required
/// wherever an operation returns `ResponseValue<ByteStream>`.
fn hold_streamed_answers(file: &mut syn::File, _: &Context) -> Vec<Found> {
    #[derive(Default)]
    struct Streams {
        calls: usize,
        returned: usize,
    }
    impl VisitMut for Streams {
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            visit_mut::visit_expr_call_mut(self, call);
            if redirect_call(call, &["ResponseValue", "stream"], || {
                syn::parse_quote!(sdk_core::decode::stream_response)
            }) {
                self.calls += 1;
            }
        }
        fn visit_type_path_mut(&mut self, ty: &mut syn::TypePath) {
            visit_mut::visit_type_path_mut(self, ty);
            if let Some(last) = ty.path.segments.last()
                && last.ident == "ResponseValue"
                && let syn::PathArguments::AngleBracketed(args) = &last.arguments
                && matches!(
                    args.args.first(),
                    Some(syn::GenericArgument::Type(syn::Type::Path(inner)))
                        if inner.path.is_ident("ByteStream")
                )
            {
                self.returned += 1;
            }
        }
    }
    let mut streams = Streams::default();
    streams.visit_file_mut(file);
    vec![Found {
        what: format!(
            "`ResponseValue::stream(..)` call ({} operation(s) return `ResponseValue<ByteStream>`)",
            streams.returned
        ),
        count: if streams.calls >= streams.returned {
            streams.calls
        } else {
            0
        },
        required: streams.returned > 0,
    }]
}

/// Path segments are encoded by the runtime, which also encodes `@` and `:` (progenitor's `encode_path`
/// keeps them). progenitor calls `encode_path(..)` inside `format!`, whose arguments are tokens: the pass
/// rewrites those tokens (and any call outside a macro).
fn encode_path_segments(file: &mut syn::File, _: &Context) -> Vec<Found> {
    #[derive(Default)]
    struct Encode {
        calls: usize,
        urls: usize,
    }
    impl VisitMut for Encode {
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            visit_mut::visit_expr_call_mut(self, call);
            if redirect_call(call, &["encode_path"], || {
                syn::parse_quote!(sdk_core::encode_path_segment)
            }) {
                self.calls += 1;
            }
        }
        fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
            if formats_path_arguments(mac) {
                self.urls += 1;
            }
            let (tokens, count) = rename_calls(mac.tokens.clone());
            mac.tokens = tokens;
            self.calls += count;
        }
    }
    /// `encode_path (..)` -> `sdk_core :: encode_path_segment (..)`, at any depth of `tokens`.
    fn rename_calls(tokens: TokenStream) -> (TokenStream, usize) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut out = Vec::with_capacity(trees.len());
        let mut count = 0;
        for (i, tree) in trees.iter().enumerate() {
            match tree {
                TokenTree::Ident(ident)
                    if ident == "encode_path"
                        && matches!(trees.get(i + 1), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
                        && !matches!(i.checked_sub(1).and_then(|p| trees.get(p)), Some(TokenTree::Punct(p)) if p.as_char() == ':') =>
                {
                    out.extend(quote!(sdk_core::encode_path_segment));
                    count += 1;
                }
                TokenTree::Group(group) => {
                    let (inner, n) = rename_calls(group.stream());
                    let mut renamed = Group::new(group.delimiter(), inner);
                    renamed.set_span(group.span());
                    out.push(TokenTree::Group(renamed));
                    count += n;
                }
                other => out.push(other.clone()),
            }
        }
        (out.into_iter().collect(), count)
    }
    let mut encode = Encode::default();
    encode.visit_file_mut(file);
    vec![Found {
        what: "`encode_path(..)` call".to_string(),
        count: encode.calls,
        // Every `send` of an operation with path parameters builds its URL with `encode_path`.
        required: encode.urls > 0,
    }]
}

/// Whether `mac` builds a URL with path arguments: `format!("{}/accounts/{}", client.baseurl, ..)`.
fn formats_path_arguments(mac: &syn::Macro) -> bool {
    if !mac.path.is_ident("format") {
        return false;
    }
    match mac.tokens.clone().into_iter().next() {
        Some(TokenTree::Literal(lit)) => {
            let text = lit.to_string();
            text.starts_with("\"{}/") && text.matches("{}").count() > 1
        }
        _ => false,
    }
}

/// progenitor's message for a refused path segment names the type, not the rule: say what was wrong.
fn explain_path_segment_errors(file: &mut syn::File, _: &Context) -> Vec<Found> {
    #[derive(Default)]
    struct Explain {
        messages: usize,
        setters: usize,
    }
    impl VisitMut for Explain {
        fn visit_impl_item_fn_mut(&mut self, method: &mut syn::ImplItemFn) {
            let bounds = method.sig.generics.where_clause.as_ref();
            if quote!(#bounds)
                .to_string()
                .contains("TryInto < :: sdk_core :: PathSegment >")
            {
                self.setters += 1;
            }
            visit_mut::visit_impl_item_fn_mut(self, method);
        }
        fn visit_lit_str_mut(&mut self, lit: &mut syn::LitStr) {
            const PREFIX: &str = "conversion to `:: sdk_core :: PathSegment` for ";
            let value = lit.value();
            if let Some(param) = value
                .strip_prefix(PREFIX)
                .and_then(|v| v.strip_suffix(" failed"))
            {
                *lit = syn::LitStr::new(
                    &format!(
                        "`{param}` is not a valid path segment: \"\", \".\" and \"..\" are refused"
                    ),
                    lit.span(),
                );
                self.messages += 1;
            }
        }
    }
    let mut explain = Explain::default();
    explain.visit_file_mut(file);
    vec![Found {
        what: "\"conversion to `:: sdk_core :: PathSegment` for .. failed\" message".to_string(),
        count: explain.messages,
        required: explain.setters > 0,
    }]
}

/// typify writes every external type as a global path (`::crate::open_enums::X`); this crate's own open
/// enumerations are not external: `crate::open_enums::X`.
fn local_open_enum_paths(file: &mut syn::File, _: &Context) -> Vec<Found> {
    #[derive(Default)]
    struct Local {
        paths: usize,
        enums: usize,
    }
    impl VisitMut for Local {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            if path.leading_colon.is_some()
                && path.segments.first().is_some_and(|s| s.ident == "crate")
            {
                path.leading_colon = None;
                self.paths += 1;
            }
            visit_mut::visit_path_mut(self, path);
        }
        fn visit_item_mod_mut(&mut self, module: &mut syn::ItemMod) {
            if module.ident == "open_enums"
                && let Some((_, items)) = &module.content
            {
                self.enums += items
                    .iter()
                    .filter(|i| matches!(i, syn::Item::Macro(_)))
                    .count();
            }
            visit_mut::visit_item_mod_mut(self, module);
        }
    }
    let mut local = Local::default();
    local.visit_file_mut(file);
    // The mock helpers hold no `open_enums` module: there, any `::crate::` path is rewritten, none required.
    vec![Found {
        what: "`::crate::open_enums::..` path".to_string(),
        count: local.paths,
        required: local.enums > 0,
    }]
}

/// `crate::mock::fix`: progenitor's httpmock helpers made to compile here (see there). Each of its rewrites
/// must have changed every place that needed it.
fn mock_compile_fixes(file: &mut syn::File, _: &Context) -> Vec<Found> {
    let fixed = crate::mock::fix(file);
    // A rewrite needed at `needed` places that changed fewer is reported as finding none.
    let all = |what: &str, needed: usize, changed: usize| Found {
        what: what.to_string(),
        count: if changed < needed { 0 } else { changed },
        required: needed > 0,
    };
    vec![
        Found::required("`mod operations` of httpmock helpers", fixed.modules),
        Found::required(
            "`regex::Regex::new(..).unwrap()` path matcher",
            fixed.regexes,
        ),
        all(
            "`query_param(name, value.to_string())` in a setter of an array argument",
            fixed.array_setters,
            fixed.element_wise,
        ),
        all(
            "`value.to_string()` in a setter of a `Secret` argument",
            fixed.secret_setters,
            fixed.exposed,
        ),
        all(
            "`json_body_obj(value)` in a setter of an optional body",
            fixed.optional_bodies,
            fixed.borrowed,
        ),
        all(
            "`value.to_string()` in a path pattern `format!(\"^/..\")`",
            fixed.path_formats,
            fixed.path_patterns,
        ),
    ]
}

/// Whether `path` is exactly `segments` (no leading `::`, no generic arguments).
fn path_is(path: &syn::Path, segments: &[&str]) -> bool {
    path.leading_colon.is_none()
        && path.segments.len() == segments.len()
        && path
            .segments
            .iter()
            .zip(segments)
            .all(|(s, want)| s.ident == want && s.arguments.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTEXT: Context = Context {
        provider: "test",
        spec: &serde_json::Value::Null,
    };

    fn file(tokens: TokenStream) -> syn::File {
        syn::parse2(tokens).expect("test tokens parse")
    }

    fn pass(name: &str) -> &'static Pass {
        CLIENT
            .iter()
            .chain(MOCK)
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no pass `{name}`"))
    }

    /// Tokens of a shape progenitor might emit after an upgrade, one per pass: each pass must fail on them,
    /// by name.
    fn wrong_shapes() -> Vec<(&'static str, TokenStream)> {
        vec![
            // The builders lost their derive.
            (
                "redact_builder_debug",
                quote! { pub mod builder { pub struct GetThing<'a> { client: &'a u8 } } },
            ),
            (
                "redact_client_debug",
                quote! { pub struct Client { baseurl: String } },
            ),
            // Documented errors decoded by another function, undocumented ones wrapped differently.
            (
                "route_error_answers",
                quote! { async fn send() { match status {
                    400u16 => Err(Error::ErrorResponse(ResponseValue::decode(response).await?)),
                    _ => Err(Error::UnexpectedResponse(response, None)),
                } } },
            ),
            (
                "decode_json_answers",
                quote! { async fn send() { ResponseValue::from_json(response).await } },
            ),
            (
                "hold_streamed_answers",
                quote! { async fn send() -> Result<ResponseValue<ByteStream>, Error<()>> {
                    Ok(ResponseValue::streamed(response))
                } },
            ),
            (
                "encode_path_segments",
                quote! { fn send() { let url = format!("{}/a/{}", client.baseurl, percent_encode(&a.to_string())); } },
            ),
            (
                "explain_path_segment_errors",
                quote! { impl<'a> GetThing<'a> {
                    pub fn domain<V>(mut self, value: V) -> Self where V: std::convert::TryInto<::sdk_core::PathSegment> {
                        self.domain = value.try_into().map_err(|_| "cannot convert domain".to_string());
                        self
                    }
                } },
            ),
            (
                "local_open_enum_paths",
                quote! {
                    pub struct Thing { state: crate::open_enums::State }
                    pub mod open_enums { sdk_core::open_enum! { pub enum State { On => "on" } } }
                },
            ),
            ("mock_compile_fixes", quote! { pub mod helpers {} }),
            // The operation's doc example is no longer an ```ignore block.
            (
                "compiled_examples",
                quote! {
                    impl Client {
                        #[doc = "Gets a thing\n```rust,ignore\nclient.get_thing().send().await;\n```"]
                        pub fn get_thing(&self) -> builder::GetThing<'_> { builder::GetThing::new(self) }
                    }
                },
            ),
        ]
    }

    /// The `sdk_core::` paths of `text`, each as long as it goes (`sdk_core::decode::json_response`).
    fn sdk_core_paths(text: &str) -> std::collections::BTreeSet<String> {
        let mut found = std::collections::BTreeSet::new();
        for (start, _) in text.match_indices("sdk_core::") {
            let path: String = text[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            found.insert(path.trim_end_matches(':').to_string());
        }
        found
    }

    /// ARCHITECTURE.md's contract (the `sdk-core` names generated code uses) is exactly what the generated
    /// files of every provider use: a name added by a pass or the glue must be listed there, and a listed name
    /// no generated file uses any more must go.
    #[test]
    fn the_sdk_core_contract_lists_what_generated_code_uses() {
        let root = crate::providers::workspace_root();
        let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
        let section = doc
            .split("### The `sdk-core` names generated code uses")
            .nth(1)
            .expect("ARCHITECTURE.md has the contract section")
            .split("\n#")
            .next()
            .unwrap();
        let listed: std::collections::BTreeSet<String> = section
            .lines()
            .filter_map(|line| line.strip_prefix("- `"))
            .filter_map(|rest| rest.split('`').next())
            .map(|name| name.trim_end_matches('!').to_string())
            .collect();
        let mut used = std::collections::BTreeSet::new();
        for provider in crate::providers::select(&[]).unwrap() {
            for file in [
                crate::providers::generated_file(provider),
                crate::providers::mock_file(provider),
            ] {
                let text = std::fs::read_to_string(root.join(&file)).unwrap();
                used.extend(sdk_core_paths(&text));
            }
        }
        assert!(used.len() > 10, "found only {used:?}");
        let unlisted: Vec<_> = used.difference(&listed).collect();
        let unused: Vec<_> = listed.difference(&used).collect();
        assert!(
            unlisted.is_empty() && unused.is_empty(),
            "ARCHITECTURE.md's contract is out of date: used but not listed {unlisted:?}, listed but not used {unused:?}"
        );
    }

    #[test]
    fn each_pass_fails_by_name_on_a_shape_it_does_not_know() {
        let shapes = wrong_shapes();
        for pass in CLIENT.iter().chain(MOCK) {
            assert!(
                shapes.iter().any(|(name, _)| *name == pass.name),
                "pass `{}` has no wrong-shape case",
                pass.name
            );
        }
        for (name, tokens) in shapes {
            let error = pass(name)
                .run(&mut file(tokens), &CONTEXT)
                .expect_err(&format!(
                    "pass `{name}` accepted a shape it does not rewrite"
                ));
            assert!(
                error.starts_with(&format!("pass `{name}`: found no "))
                    && error.ends_with("progenitor's output changed"),
                "{error}"
            );
        }
    }

    #[test]
    fn a_mock_rewrite_that_misses_one_place_fails_by_name() {
        // The path matcher is progenitor's, but a `Secret` setter no longer formats with `value.to_string()`.
        let tokens = quote! {
            pub mod operations {
                impl GetThingWhen {
                    pub fn new(inner: ::httpmock::When) -> Self {
                        Self(inner.path_matches(regex::Regex::new("^/things$").unwrap()))
                    }
                    pub fn key(self, value: &::sdk_core::Secret) -> Self {
                        Self(self.0.query_param("key", format!("{value}")))
                    }
                }
            }
        };
        let error = pass("mock_compile_fixes")
            .run(&mut file(tokens), &CONTEXT)
            .unwrap_err();
        assert_eq!(
            error,
            "pass `mock_compile_fixes`: found no `value.to_string()` in a setter of a `Secret` argument; \
             progenitor's output changed"
        );
    }

    #[test]
    fn a_pass_with_nothing_to_do_for_this_spec_passes() {
        // No path arguments, no open enumerations: nothing is required of these passes.
        let tokens = quote! { fn send() { let url = format!("{}/list", client.baseurl); } pub mod open_enums {} };
        for name in [
            "encode_path_segments",
            "explain_path_segment_errors",
            "local_open_enum_paths",
        ] {
            pass(name).run(&mut file(tokens.clone()), &CONTEXT).unwrap();
        }
    }

    #[test]
    fn passes_rewrite_progenitors_shapes() {
        let mut f = file(quote! {
            fn send() {
                let domain = value.try_into().map_err(|_| "conversion to `:: sdk_core :: PathSegment` for domain failed".to_string());
                let url = format!("{}/d/{}", client.baseurl, encode_path(&domain.to_string()));
                match response.status().as_u16() {
                    200u16 => ResponseValue::from_response(response).await,
                    400u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                    _ => Err(Error::UnexpectedResponse(response)),
                }
            }
            pub struct Thing { state: ::crate::open_enums::State }
        });
        for name in [
            "route_error_answers",
            "decode_json_answers",
            "encode_path_segments",
            "explain_path_segment_errors",
            "local_open_enum_paths",
        ] {
            pass(name).run(&mut f, &CONTEXT).unwrap();
        }
        let text = quote!(#f).to_string().replace(' ', "");
        for expected in [
            "sdk_core::encode_path_segment(&domain.to_string())",
            "200u16=>sdk_core::decode::json_response(response).await",
            "400u16=>Err(sdk_core::decode::error_response(response).await)",
            "_=>Err(sdk_core::decode::unexpected_response(response).await)",
            "state:crate::open_enums::State",
            r#""`domain`isnotavalidpathsegment:\"\",\".\"and\"..\"arerefused""#,
        ] {
            assert!(text.contains(expected), "{expected} not in {text}");
        }
        assert!(
            !text.contains("from_response") && !text.contains("conversionto"),
            "{text}"
        );
    }
}
