//! `cargo xtask generate [--check] [PROVIDER...]`.

use std::fs;
use std::panic::{self, AssertUnwindSafe};

use proc_macro2::TokenStream;
use progenitor_impl::{
    CrateVers, GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle,
};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::manifest;
use crate::model;
use crate::no_api_version;
use crate::normalize::{self, Facts, OpenEnum};
use crate::passes;
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
    let mut files = Vec::new();
    for (provider, generated) in selected.into_iter().zip(generated) {
        let Generated {
            rewrites,
            client,
            mock,
            manifest,
        } = generated?;
        for rewrite in &rewrites {
            println!("{provider}: rewrite: {rewrite}");
        }
        let from = providers::spec_file(provider);
        files.push((
            provider,
            from.clone(),
            providers::generated_file(provider),
            client,
        ));
        files.push((provider, from.clone(), providers::mock_file(provider), mock));
        files.push((provider, from, manifest::file(provider), manifest));
    }
    // What every provider shares: the one provider list, as the tests read it and depend on the crates.
    let from = "xtask/src/providers.rs".to_string();
    files.push((
        "providers",
        from.clone(),
        manifest::PROVIDERS_FILE.to_string(),
        manifest::providers_json(),
    ));
    let tests_toml = root.join(manifest::TESTS_CARGO_TOML);
    let tests_toml = fs::read_to_string(&tests_toml)
        .map_err(|e| format!("cannot read {}: {e}", tests_toml.display()))?;
    files.push((
        "providers",
        from,
        manifest::TESTS_CARGO_TOML.to_string(),
        manifest::tests_cargo_toml(&tests_toml)?,
    ));
    for (label, from, relative, code) in files {
        let path = root.join(&relative);
        let current = fs::read_to_string(&path).unwrap_or_default();
        if current == code {
            println!("{label}: {relative} is up to date");
            continue;
        }
        if check {
            eprintln!("{label}: {relative} differs from what {from} generates:");
            eprintln!("{}", short_diff(&current, &code, &relative));
            stale.push(relative);
        } else {
            if let Some(folder) = path.parent() {
                fs::create_dir_all(folder)
                    .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
            }
            fs::write(&path, &code).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            println!("{label}: wrote {relative}");
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
    /// `tests/manifest/<provider>.json`: what the tests read about this SDK.
    pub manifest: String,
}

/// Reads, normalises and generates one provider's spec. Call it with the panic hook silenced (see `run`):
/// the generator's assertion failures are caught and reported as errors.
pub fn generate_provider(provider: &str) -> Result<Generated, String> {
    generate_spec(
        provider,
        &providers::spec_file(provider),
        providers::read_spec(provider)?,
    )
}

/// Generates from `spec` (read from `spec_file`, named in messages) the crate `sdk-<provider>`'s files.
pub fn generate_spec(
    provider: &str,
    spec_file: &str,
    mut spec: Value,
) -> Result<Generated, String> {
    let model = model::read(&spec).map_err(|e| format!("{spec_file}: {e}"))?;
    let facts = normalize::normalize(&mut spec).map_err(|e| format!("{spec_file}: {e}"))?;
    let api: openapiv3::OpenAPI = serde_json::from_value(spec.clone())
        .map_err(|e| format!("{spec_file}: not an OpenAPI 3.0 document: {e}"))?;

    let client = match generate_quietly(&api) {
        Ok(tokens) => tokens,
        Err(reason) => return Err(blame_operation(spec_file, &spec, reason)),
    };
    let mut extras = runtime_glue(provider, &facts);
    extras.extend(per_call_glue());
    let mut file: syn::File = syn::parse2(quote! { #client #extras })
        .map_err(|e| format!("{spec_file}: generated code does not parse: {e}"))?;
    let context = passes::Context {
        provider,
        spec: &spec,
    };
    no_api_version::remove_api_version_header(&mut file)
        .map_err(|e| format!("{spec_file}: {e}"))?;
    passes::run_all(passes::CLIENT, &mut file, &context)
        .map_err(|e| format!("{spec_file}: {e}"))?;
    use_runtime_error(&mut file).map_err(|e| format!("{spec_file}: {e}"))?;
    // Code added from the spec's own extensions, after the passes over progenitor's output (it holds none of
    // the shapes they change).
    crate::paginate::add(&mut file, &spec).map_err(|e| format!("{spec_file}: {e}"))?;
    let tagged =
        crate::tagged::decode_by_tag(&mut file, &spec).map_err(|e| format!("{spec_file}: {e}"))?;
    let code = prettyplease::unparse(&file);
    let mock =
        generate_mock(&api, &context).map_err(|e| format!("{spec_file}: mock helpers: {e}"))?;
    let manifest =
        manifest::write(provider, &model, &code).map_err(|e| format!("{spec_file}: {e}"))?;
    Ok(Generated {
        rewrites: facts.rewrites.iter().cloned().chain(tagged).collect(),
        client: header(provider, spec_file, &code),
        mock: header(provider, spec_file, &mock),
        manifest,
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
fn generate_mock(api: &openapiv3::OpenAPI, context: &passes::Context) -> Result<String, String> {
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
    passes::run_all(passes::MOCK, &mut file, context)?;
    let code = prettyplease::unparse(&file);
    Ok(format!("{MOCK_PREAMBLE}{code}"))
}

/// Lints of `src/mock.rs` (included by each crate's `lib.rs` as `#[cfg(feature = "mock")] pub mod mock;`,
/// which documents it with an example).
const MOCK_PREAMBLE: &str = "\
// Generated code: clippy's style lints are not applied to it; `path_pattern` is unused where no operation
// has a path argument.
#![allow(clippy::all, dead_code, unused_imports, missing_docs)]

";

/// Every operation returns `sdk_core::Error` instead of progenitor-client's `Error`: the same variants (the
/// generated code builds them unchanged; `?` converts progenitor's through `From`), with a `Display` that
/// says what happened and helpers (status, not found, rate limited, timeout, `Retry-After`, request id).
/// The `pub use progenitor_client::{.., Error, ..}` loses `Error`, and `pub use sdk_core::Error;` follows it.
fn use_runtime_error(file: &mut syn::File) -> Result<(), String> {
    const MISSING: &str = "pass `use_runtime_error`: found no `pub use progenitor_client::{.., Error, ..}`; progenitor's output changed";
    fn drop_error(tree: &mut syn::UseTree) -> bool {
        match tree {
            syn::UseTree::Path(path) => drop_error(&mut path.tree),
            syn::UseTree::Group(group) => {
                let before = group.items.len();
                group.items = std::mem::take(&mut group.items)
                    .into_iter()
                    .filter(|item| !matches!(item, syn::UseTree::Name(n) if n.ident == "Error"))
                    .collect();
                group.items.len() != before
            }
            _ => false,
        }
    }
    let Some(at) = file.items.iter_mut().position(|item| {
        matches!(item, syn::Item::Use(u) if matches!(u.vis, syn::Visibility::Public(_))
            && matches!(&u.tree, syn::UseTree::Path(p) if p.ident == "progenitor_client"))
    }) else {
        return Err(MISSING.to_string());
    };
    let syn::Item::Use(item) = &mut file.items[at] else {
        return Err(MISSING.to_string());
    };
    if !drop_error(&mut item.tree) {
        return Err(MISSING.to_string());
    }
    {
        file.items.insert(
            at + 1,
            syn::parse_quote! {
                #[allow(unused_imports)]
                pub use sdk_core::Error;
            },
        );
    }
    Ok(())
}

/// Per-call control on every client: `with_options` (a handle sharing the client's pool, limit and
/// credentials, with other timeouts, retries or extra headers) and `raw` (a request by method and path
/// template through the same runtime).
fn per_call_glue() -> TokenStream {
    quote! {
        impl Client {
            /// A handle of this client for calls with other settings (deadline, attempt timeout, retry
            /// policy, retrying POSTs, extra headers): it shares this client's connection pool, concurrency
            /// limit and credentials, and works for every operation and for [`Client::raw`]. See
            /// [`sdk_core::RequestOptions`].
            pub fn with_options(&self, options: sdk_core::RequestOptions) -> Self {
                Self {
                    baseurl: self.baseurl.clone(),
                    client: self.client.clone(),
                    inner: self.inner.with_options(&options),
                }
            }

            /// A request the spec does not describe yet, by method and path template (`{name}` filled by
            /// `.path(name, value)`), sent like every operation: credentials, retries, limits, the deadline
            /// and redaction. A success status gives the status, headers and body (bounded).
            pub fn raw(&self, method: sdk_core::Method, template: &str) -> sdk_core::RawRequest<'_> {
                sdk_core::RawRequest::new(&self.client, &self.baseurl, &self.inner, method, template)
            }
        }
    }
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
    let members = &facts.secret_body_members;
    let routes = facts.routes.iter().map(|(id, method, template)| {
        quote! { sdk_core::Route { operation_id: #id, method: #method, template: #template } }
    });
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
            secret_body_members: &[#(#members),*],
            routes: &[#(#routes),*],
        };

        impl ClientHooks<sdk_core::Runtime> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &OperationInfo,
            ) -> std::result::Result<(), progenitor_client::Error<E>> {
                self.inner.prepare(request, info.operation_id).await
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                info: &OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                self.inner.execute(&self.client, request, info.operation_id).await
            }

            async fn post<E>(
                &self,
                result: &reqwest::Result<reqwest::Response>,
                _info: &OperationInfo,
            ) -> std::result::Result<(), progenitor_client::Error<E>> {
                self.inner.check(result).await
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
