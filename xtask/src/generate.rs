//! `cargo xtask generate [--check] [PROVIDER...]`.

use std::fs;
use std::panic::{self, AssertUnwindSafe};

use proc_macro2::TokenStream;
use progenitor_impl::{
    CrateVers, GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle,
};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::mock;
use crate::normalize::{self, Facts, OpenEnum};
use crate::providers;

pub fn run(args: &[String]) -> Result<(), String> {
    let check = args.iter().any(|a| a == "--check");
    if let Some(flag) = args.iter().find(|a| a.starts_with('-') && *a != "--check") {
        return Err(format!(
            "unknown option `{flag}` (expected `--check` and provider names)"
        ));
    }
    let names: Vec<String> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .cloned()
        .collect();
    let selected = providers::select(&names)?;
    if selected.is_empty() {
        return Err("no spec found under specs/".to_string());
    }
    let root = providers::workspace_root();
    // The providers are independent: generated side by side, one thread each (prettyplease and syn dominate).
    // The generator's panics are caught (and blamed on an operation); the hook is silenced once, around all
    // threads, because it is process-wide.
    let previous_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let generated: Vec<Result<Generated, String>> = std::thread::scope(|scope| {
        let threads: Vec<_> = selected
            .iter()
            .map(|provider| scope.spawn(move || generate_provider(provider)))
            .collect();
        threads
            .into_iter()
            .map(|thread| {
                thread
                    .join()
                    .unwrap_or_else(|_| Err("the generator thread panicked".to_string()))
            })
            .collect()
    });
    panic::set_hook(previous_hook);
    let mut stale = Vec::new();
    for (provider, generated) in selected.into_iter().zip(generated) {
        let Generated {
            rewrites,
            client,
            mock,
        } = generated?;
        for rewrite in &rewrites {
            println!("{provider}: rewrite: {rewrite}");
        }
        for (relative, code) in [
            (providers::generated_file(provider), client),
            (providers::mock_file(provider), mock),
        ] {
            let path = root.join(&relative);
            let current = fs::read_to_string(&path).unwrap_or_default();
            if current == code {
                println!("{provider}: {relative} is up to date");
                continue;
            }
            if check {
                eprintln!(
                    "{provider}: {relative} differs from what {} generates:",
                    providers::spec_file(provider)
                );
                eprintln!("{}", short_diff(&current, &code, &relative));
                stale.push(relative);
            } else {
                fs::write(&path, &code)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                println!("{provider}: wrote {relative}");
            }
        }
    }
    if stale.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} generated file(s) differ from their specs: {} (run `cargo xtask generate`; never edit them by hand)",
            stale.len(),
            stale.join(", ")
        ))
    }
}

/// At most 40 lines of unified diff, so a stale file is named and shown, not dumped.
fn short_diff(old: &str, new: &str, name: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{name} (committed)"),
            &format!("{name} (generated)"),
        )
        .to_string();
    let mut lines: Vec<&str> = text.lines().collect();
    let total = lines.len();
    lines.truncate(40);
    let mut out = lines.join("\n");
    if total > 40 {
        out.push_str(&format!("\n... ({} more diff lines)", total - 40));
    }
    out
}

/// What one provider's spec generates.
pub struct Generated {
    /// What the in-memory normalisation changed, one line each.
    pub rewrites: Vec<String>,
    /// `src/generated.rs`.
    pub client: String,
    /// `src/mock.rs`: the httpmock helpers.
    pub mock: String,
}

/// Reads, normalises and generates one provider's spec. Call it with the panic hook silenced (see `run`):
/// the generator's assertion failures are caught and reported as errors.
pub fn generate_provider(provider: &str) -> Result<Generated, String> {
    let spec_file = providers::spec_file(provider);
    let mut spec = providers::read_spec(provider)?;
    let facts = normalize::normalize(&mut spec).map_err(|e| format!("{spec_file}: {e}"))?;
    let api: openapiv3::OpenAPI = serde_json::from_value(spec.clone())
        .map_err(|e| format!("{spec_file}: not an OpenAPI 3.0 document: {e}"))?;

    let client = match generate_quietly(&api) {
        Ok(tokens) => tokens,
        Err(reason) => return Err(blame_operation(&spec_file, &spec, reason)),
    };
    let extras = runtime_glue(provider, &facts);
    let mut file: syn::File = syn::parse2(quote! { #client #extras })
        .map_err(|e| format!("{spec_file}: generated code does not parse: {e}"))?;
    redact_builder_debug(&mut file);
    let code = prettyplease::unparse(&file);
    let code = explain_path_segment_errors(&code);
    // typify writes every external type as a global path; this crate's own open enums are not external.
    let code = code.replace("::crate::open_enums::", "crate::open_enums::");
    // Path segments are encoded by the runtime, which also encodes `@` and `:` (progenitor keeps them).
    let code = code.replace("encode_path(&", "sdk_core::encode_path_segment(&");
    // Decode JSON bodies with the runtime: a body that is not the documented JSON keeps its HTTP status
    // (progenitor's own decoder drops it), and an empty body reads as `null`.
    let code = code.replace(
        "ResponseValue::from_response(",
        "sdk_core::decode::json_response(",
    );
    let code = api_version_header_inline(&code);
    let mock = generate_mock(&api).map_err(|e| format!("{spec_file}: mock helpers: {e}"))?;
    Ok(Generated {
        rewrites: facts.rewrites.clone(),
        client: header(provider, &spec_file, &code),
        mock: header(provider, &spec_file, &mock),
    })
}

fn header(provider: &str, spec_file: &str, code: &str) -> String {
    format!(
        "// @generated by `cargo xtask generate {provider}` from `{spec_file}`. Do not edit by hand:\n\
         // change the spec (or xtask/) and regenerate; `cargo xtask generate --check` guards it.\n\n{code}"
    )
}

/// progenitor's typed httpmock helpers (`MockServerExt`, one `When`/`Then` pair per operation), made to
/// compile against this workspace's crates and to pass clippy.
fn generate_mock(api: &openapiv3::OpenAPI) -> Result<String, String> {
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        Generator::new(&settings()).httpmock(api, "crate")
    }));
    let tokens = match outcome {
        Ok(Ok(tokens)) => tokens,
        Ok(Err(e)) => return Err(e.to_string()),
        Err(_) => return Err("the httpmock generator panicked".to_string()),
    };
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated code does not parse: {e}"))?;
    mock::fix(&mut file);
    let code = prettyplease::unparse(&file);
    let code = code.replace("::crate::open_enums::", "crate::open_enums::");
    Ok(format!("{MOCK_PREAMBLE}{code}"))
}

/// Lints of `src/mock.rs` (included by each crate's `lib.rs` as `#[cfg(feature = "mock")] pub mod mock;`,
/// which documents it with an example).
const MOCK_PREAMBLE: &str = "\
// Generated code: clippy's style lints are not applied to it; `path_pattern` is unused where no operation
// has a path argument.
#![allow(clippy::all, dead_code, unused_imports, missing_docs)]

";

/// progenitor builds a one-entry `HeaderMap` per request for its `api-version` header and merges it into the
/// request (an allocation and a header-by-header replace on every call); where that map holds nothing else
/// (every operation of these specs: none has header parameters), the header is set directly. Same request
/// on the wire; measured by `cargo xtask bench` (per-call overhead).
fn api_version_header_inline(code: &str) -> String {
    const MAP: &str =
        "            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map
                .append(
                    ::reqwest::header::HeaderName::from_static(\"api-version\"),
                    ::reqwest::header::HeaderValue::from_static(
                        super::Client::api_version(),
                    ),
                );
";
    const MERGE: &str = ".headers(header_map)";
    const DIRECT: &str = ".header(
                    ::reqwest::header::HeaderName::from_static(\"api-version\"),
                    ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                )";
    // Only when every merged map is such a map: an operation with header parameters keeps progenitor's code.
    if code.matches(MAP).count() != code.matches(MERGE).count() {
        return code.to_string();
    }
    code.replace(MAP, "").replace(MERGE, DIRECT)
}

/// Generated builders derive `Debug`, which would print every argument, passwords included: they get a
/// `Debug` that names the builder only.
fn redact_builder_debug(file: &mut syn::File) {
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
            for attr in &mut builder.attrs {
                if attr.path().is_ident("derive") {
                    *attr = syn::parse_quote!(#[derive(Clone)]);
                }
            }
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
}

/// progenitor's message for a refused path segment names the type, not the rule: say what was wrong.
fn explain_path_segment_errors(code: &str) -> String {
    const PREFIX: &str = "\"conversion to `:: sdk_core :: PathSegment` for ";
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(start) = rest.find(PREFIX) {
        out.push_str(&rest[..start]);
        let after = &rest[start + PREFIX.len()..];
        let Some(end) = after.find(" failed\"") else {
            break;
        };
        let param = &after[..end];
        out.push_str(&format!(
            "\"`{param}` is not a valid path segment: \\\"\\\", \\\".\\\" and \\\"..\\\" are refused\""
        ));
        rest = &after[end + " failed\"".len()..];
    }
    out.push_str(rest);
    out
}

fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote! { sdk_core::Runtime })
        .with_crate("sdk-core", CrateVers::Any, None)
        // Open enumerations are generated into this crate's own `open_enums` module.
        .with_crate("crate", CrateVers::Any, None);
    settings
}

/// Runs the generator, turning its panics (it asserts on shapes it cannot handle) into errors.
fn generate_quietly(api: &openapiv3::OpenAPI) -> Result<TokenStream, String> {
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        Generator::new(&settings()).generate_tokens(api)
    }));
    match outcome {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(e.to_string()),
        Err(payload) => Err(payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "the generator panicked".to_string())),
    }
}

/// The generator does not say which operation it failed on: try each operation alone to find it.
fn blame_operation(spec_file: &str, spec: &Value, reason: String) -> String {
    let Some(paths) = spec["paths"].as_object() else {
        return format!("{spec_file}: cannot generate: {reason}");
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item
            .iter()
            .filter(|(_, op)| op.get("operationId").is_some())
        {
            let mut alone = spec.clone();
            let mut single = serde_json::Map::new();
            if let Some(common) = item.get("parameters") {
                single.insert("parameters".into(), common.clone());
            }
            single.insert(method.clone(), op.clone());
            alone["paths"] = serde_json::json!({ path.clone(): single });
            let Ok(api) = serde_json::from_value::<openapiv3::OpenAPI>(alone) else {
                continue;
            };
            if let Err(why) = generate_quietly(&api) {
                let op_id = op["operationId"].as_str().unwrap_or("?");
                return format!(
                    "{spec_file}: cannot generate operation `{op_id}` ({} {path}): {why}",
                    method.to_uppercase()
                );
            }
        }
    }
    format!("{spec_file}: cannot generate: {reason}")
}

/// Code the runtime needs from the spec: the hooks that route every request through `sdk_core::Runtime`,
/// the API's profile, and the open enumerations.
fn runtime_glue(provider: &str, facts: &Facts) -> TokenStream {
    let base_url = &facts.default_base_url;
    let public = &facts.public_operations;
    let secrets = &facts.secret_query_parameters;
    let open_enums = facts.open_enums.iter().map(open_enum);
    let profile_doc =
        format!("What the runtime needs to know about the {provider} API, read from its spec.");
    quote! {
        #[doc = #profile_doc]
        pub const PROFILE: sdk_core::ApiProfile = sdk_core::ApiProfile {
            sdk_name: env!("CARGO_PKG_NAME"),
            sdk_version: env!("CARGO_PKG_VERSION"),
            default_base_url: #base_url,
            public_operations: &[#(#public),*],
            secret_query_parameters: &[#(#secrets),*],
        };

        impl ClientHooks<sdk_core::Runtime> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &OperationInfo,
            ) -> std::result::Result<(), Error<E>> {
                self.inner.prepare(request, info.operation_id).await
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                _info: &OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                self.inner.execute(&self.client, request).await
            }
        }

        impl sdk_core::FromParts for Client {
            fn from_parts(base_url: &str, http: reqwest::Client, runtime: sdk_core::Runtime) -> Self {
                Self::new_with_client(base_url, http, runtime)
            }
        }

        /// Enumerations the provider may extend: a value this SDK does not know is kept as `Other`.
        pub mod open_enums {
            #(#open_enums)*
        }
    }
}

fn open_enum(e: &OpenEnum) -> TokenStream {
    let name = format_ident!("{}", e.name);
    let doc = e
        .description
        .clone()
        .unwrap_or_else(|| format!("Known values of `{}`.", e.name));
    let mut seen = Vec::new();
    let variants = e.values.iter().map(|value| {
        let mut ident = normalize::pascal(value);
        while seen.contains(&ident) {
            ident.push('_');
        }
        seen.push(ident.clone());
        let ident = format_ident!("{}", ident);
        let doc = format!("`{value}`");
        quote! { #[doc = #doc] #ident => #value }
    });
    quote! {
        sdk_core::open_enum! {
            #[doc = #doc]
            pub enum #name { #(#variants),* }
        }
    }
}
