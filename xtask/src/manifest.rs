//! The manifest the tests read (`tests/manifest/<provider>.json`, and `tests/manifest/providers.json`, the
//! provider list): what the xtask knows about each SDK, so that no test parses generated Rust.
//!
//! Per operation: its method and path template, public or not, its pagination (`x-pagination`, raw), its
//! documented responses, and its arguments: the builder method that sets each, where it goes (path, query,
//! header, body), required or not, secret or not, and the Rust type the setter takes (crate-qualified, e.g.
//! `sdk_mailchannels::types::NewSubAccount`). Plus the security schemes and the public surface listing the
//! snapshot tests compare. Written by `cargo xtask generate`, compared by `generate --check`.
//!
//! The spec facts come from the model (`model.rs`); the Rust facts (setter names and types) from the
//! generated code the xtask has just printed. Every argument of the model must be found in its builder, and
//! every builder in the model: a mismatch fails generation, naming the operation.

use quote::ToTokens;
use serde_json::{Value, json};

use crate::model::{Api, Location, Security};
use crate::providers;
use crate::surface;
use crate::syntax::{self, generic_args, simple};

/// `tests/manifest/<provider>.json`, relative to the workspace root.
pub fn file(provider: &str) -> String {
    format!("tests/manifest/{provider}.json")
}

/// `tests/manifest/providers.json`: the provider list (`providers::ALL`), for the tests.
pub const PROVIDERS_FILE: &str = "tests/manifest/providers.json";

/// The provider list as the tests read it.
pub fn providers_json() -> String {
    let list: Vec<Value> = providers::ALL
        .iter()
        .map(|p| json!({ "name": p, "crate": format!("sdk_{p}") }))
        .collect();
    pretty(&json!({
        "@generated": "by `cargo xtask generate` from xtask/src/providers.rs (ALL); do not edit by hand",
        "providers": list,
    }))
}

/// The test crate's manifest, whose dependencies on the SDKs are generated from the provider list.
pub const TESTS_CARGO_TOML: &str = "tests/Cargo.toml";
const BEGIN: &str =
    "# @generated begin: one per provider (xtask/src/providers.rs), by `cargo xtask generate`";
const END: &str = "# @generated end";

/// `tests/Cargo.toml` with the block between its markers replaced: a dev-dependency on each SDK (feature
/// `mock`: the tests use the typed mock helpers as a downstream crate would).
pub fn tests_cargo_toml(current: &str) -> Result<String, String> {
    let start = current
        .find(BEGIN)
        .ok_or_else(|| format!("{TESTS_CARGO_TOML}: no line `{BEGIN}`"))?;
    let end = current[start..]
        .find(END)
        .map(|at| start + at)
        .ok_or_else(|| format!("{TESTS_CARGO_TOML}: no line `{END}` after `{BEGIN}`"))?;
    let mut block = format!("{BEGIN}\n");
    for provider in providers::ALL {
        block.push_str(&format!(
            "sdk-{provider} = {{ path = \"../sdk-{provider}\", features = [\"mock\"] }}\n"
        ));
    }
    Ok(format!("{}{block}{}", &current[..start], &current[end..]))
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON prints");
    text.push('\n');
    text
}

/// The manifest of one provider: `api` (the model of its spec) and `code` (its printed `generated.rs`).
pub fn write(provider: &str, api: &Api, code: &str) -> Result<String, String> {
    let krate = format!("sdk_{provider}");
    let file = syn::parse_file(code).map_err(|e| format!("generated code does not parse: {e}"))?;
    let builders = builders(&file)?;
    let mut operations = Vec::new();
    for op in &api.operations {
        let builder = builders
            .iter()
            .find(|b| b.operation_id == op.id)
            .ok_or_else(|| {
                format!(
                    "manifest: operation `{}` has no request builder in the generated code",
                    op.id
                )
            })?;
        let mut arguments = Vec::new();
        for param in &op.parameters {
            if param.location == Location::Header && param.name.eq_ignore_ascii_case("api-version")
            {
                continue;
            }
            let setter = builder.setter(&param.name).ok_or_else(|| {
                format!(
                    "manifest: operation `{}`: no builder method sets parameter `{}` ({}); methods: {:?}",
                    op.id,
                    param.name,
                    param.location.as_str(),
                    builder.setters.iter().map(|s| &s.0).collect::<Vec<_>>()
                )
            })?;
            arguments.push(json!({
                "name": setter.0,
                "wire_name": param.name,
                "in": param.location.as_str(),
                "required": param.required,
                "secret": param.secret,
                "rust_type": qualify(&krate, &setter.1),
                "example": param.example,
            }));
        }
        if let Some(body) = &op.body {
            let setter = builder.setter("body").ok_or_else(|| {
                format!("manifest: operation `{}`: no `body` builder method", op.id)
            })?;
            arguments.push(json!({
                "name": setter.0,
                "wire_name": Value::Null,
                "in": "body",
                "required": body.required,
                "secret": false,
                "rust_type": qualify(&krate, &setter.1),
                "media_type": body.media_type,
                "schema": body.schema,
                "example": body.example,
            }));
        }
        if arguments.len() != builder.setters.len() {
            return Err(format!(
                "manifest: operation `{}`: the spec declares {} argument(s), its builder has {} setter(s) {:?}",
                op.id,
                arguments.len(),
                builder.setters.len(),
                builder.setters.iter().map(|s| &s.0).collect::<Vec<_>>()
            ));
        }
        let responses: Vec<Value> = op
            .responses
            .iter()
            .map(|r| {
                json!({ "status": r.status, "error": r.is_error(), "json_body": r.json_body, "schema": r.schema })
            })
            .collect();
        operations.push(json!({
            "id": op.id,
            "builder": builder.name,
            "method": op.method,
            "path": op.path,
            "public": op.public,
            "pagination": op.pagination,
            "arguments": arguments,
            "responses": responses,
            "result": qualify(&krate, &builder.result),
            "error": qualify(&krate, &builder.error),
        }));
    }
    if let Some(extra) = builders
        .iter()
        .find(|b| !api.operations.iter().any(|op| op.id == b.operation_id))
    {
        return Err(format!(
            "manifest: the generated code has a builder for `{}`, which the spec does not declare",
            extra.operation_id
        ));
    }
    let security: Vec<Value> = api
        .security
        .iter()
        .map(|s| match s {
            Security::ApiKey { location, name } => {
                json!({ "type": "apiKey", "in": location, "name": name })
            }
            Security::Http { scheme } => json!({ "type": "http", "scheme": scheme }),
            Security::OAuth2 => json!({ "type": "oauth2" }),
            Security::Other => json!({ "type": "other" }),
        })
        .collect();
    Ok(pretty(&json!({
        "@generated": format!(
            "by `cargo xtask generate {provider}` from {} and the code it generates; do not edit by hand",
            providers::spec_file(provider)
        ),
        "provider": provider,
        "crate": krate,
        "security": security,
        "operations": operations,
        "surface": surface::surface(&file),
    })))
}

/// One request builder of the generated `builder` module.
struct Builder {
    name: String,
    operation_id: String,
    /// (method, the type its value converts into), for every argument setter.
    setters: Vec<(String, String)>,
    result: String,
    error: String,
}

impl Builder {
    /// The setter of a parameter, matched as progenitor names them (`auth-userid` -> `auth_userid`,
    /// `PageNumber` -> `page_number`).
    fn setter(&self, wire_name: &str) -> Option<&(String, String)> {
        self.setters
            .iter()
            .find(|(name, _)| simple(name) == simple(wire_name))
    }
}

fn builders(file: &syn::File) -> Result<Vec<Builder>, String> {
    let items = syntax::module(file, "builder")
        .ok_or("manifest: no `builder` module in the generated code")?;
    let mut out = Vec::new();
    for item in items {
        let syn::Item::Impl(imp) = item else { continue };
        let syn::Type::Path(self_ty) = &*imp.self_ty else {
            continue;
        };
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        let mut setters = Vec::new();
        let mut send = None;
        for member in &imp.items {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            if f.sig.ident == "send" {
                send = Some(f);
                continue;
            }
            // An argument setter: `fn name<V>(mut self, value: V) -> Self where V: TryInto<T>`.
            if f.sig.generics.params.len() == 1
                && let Some(target) = syntax::try_into_target(&f.sig)
            {
                setters.push((
                    f.sig.ident.to_string(),
                    target.to_token_stream().to_string(),
                ));
            }
        }
        let Some(send) = send else { continue };
        let body = send.block.to_token_stream().to_string();
        let Some(operation_id) = body
            .split("operation_id : \"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
        else {
            continue;
        };
        let (result, error) = result_types(&send.sig.output).ok_or_else(|| {
            format!("manifest: `{name}::send` does not return `Result<ResponseValue<T>, Error<E>>`")
        })?;
        out.push(Builder {
            name: name.clone(),
            operation_id: operation_id.to_string(),
            setters,
            result,
            error,
        });
    }
    Ok(out)
}

/// `Result<ResponseValue<T>, Error<E>>` -> (`T`, `E`).
fn result_types(output: &syn::ReturnType) -> Option<(String, String)> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let args = generic_args(ty)?;
    let [ok, err] = &args[..] else { return None };
    let ok = generic_args(ok)?.first()?.to_token_stream().to_string();
    let err = generic_args(err)?.first()?.to_token_stream().to_string();
    Some((ok, err))
}

/// A type as written inside the generated `builder` module, as a path usable from another crate
/// (`types::X` -> `sdk_x::types::X`, `super::X` -> `sdk_x::X`), printed compactly.
fn qualify(krate: &str, ty: &str) -> String {
    let text = format!(" {ty}")
        .replace(" super :: ", &format!(" {krate} :: "))
        .replace("< super :: ", &format!("< {krate} :: "))
        .replace(" types :: ", &format!(" {krate} :: types :: "))
        .replace("< types :: ", &format!("< {krate} :: types :: "))
        .replace(" crate :: ", &format!(" {krate} :: "))
        .replace("< crate :: ", &format!("< {krate} :: "));
    text.trim()
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" < ", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("& ", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Operation, Param};

    const CODE: &str = r#"
        pub mod builder {
            pub struct GetThing<'a> { client: &'a super::Client, verbose: Result<Option<bool>, String> }
            impl<'a> GetThing<'a> {
                pub fn verbose<V>(mut self, value: V) -> Self where V: std::convert::TryInto<bool> { self }
                pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::Oops>> {
                    let info = OperationInfo { operation_id: "get_thing" };
                    todo!()
                }
            }
        }
    "#;

    fn api(params: &[&str]) -> Api {
        Api {
            operations: vec![Operation {
                id: "get_thing".into(),
                method: "GET".into(),
                path: "/things".into(),
                public: false,
                parameters: params
                    .iter()
                    .map(|name| Param {
                        name: name.to_string(),
                        location: Location::Query,
                        required: false,
                        secret: false,
                        example: None,
                    })
                    .collect(),
                body: None,
                responses: Vec::new(),
                pagination: None,
            }],
            security: Vec::new(),
        }
    }

    #[test]
    fn arguments_are_read_from_the_builders() {
        let manifest: Value =
            serde_json::from_str(&write("x", &api(&["verbose"]), CODE).unwrap()).unwrap();
        let op = &manifest["operations"][0];
        assert_eq!(op["arguments"][0]["name"], "verbose");
        assert_eq!(op["arguments"][0]["rust_type"], "bool");
        assert_eq!(op["result"], "sdk_x::types::Thing");
        assert_eq!(op["error"], "sdk_x::types::Oops");
    }

    #[test]
    fn a_parameter_no_setter_takes_fails_by_operation_and_name() {
        let error = write("x", &api(&["verbose", "colour"]), CODE).unwrap_err();
        assert!(
            error.contains("`get_thing`") && error.contains("parameter `colour`"),
            "{error}"
        );
        let error = write("x", &api(&[]), CODE).unwrap_err();
        assert!(error.contains("1 setter(s)"), "{error}");
        let mut other = api(&["verbose"]);
        other.operations[0].id = "get_other".into();
        let error = write("x", &other, CODE).unwrap_err();
        assert!(
            error.contains("`get_other` has no request builder"),
            "{error}"
        );
    }

    #[test]
    fn types_are_qualified_with_the_crate() {
        assert_eq!(
            qualify("sdk_x", ":: std :: option :: Option < types :: Thing >"),
            "::std::option::Option<sdk_x::types::Thing>"
        );
        assert_eq!(qualify("sdk_x", "types :: Thing"), "sdk_x::types::Thing");
        assert_eq!(
            qualify("sdk_x", ":: crate :: open_enums :: Kind"),
            "::sdk_x::open_enums::Kind"
        );
        assert_eq!(qualify("sdk_x", "super :: Client"), "sdk_x::Client");
        assert_eq!(
            qualify("sdk_x", ":: sdk_core :: PathSegment"),
            "::sdk_core::PathSegment"
        );
    }
}
