//! The in-memory pass between a reviewed spec and the generator.
//!
//! The spec files say what the API does; progenitor 0.15 needs some shapes said differently (see
//! `../shared/DESIGN.md`). Each rewrite here changes only the parsed copy, is printed on one line naming the
//! operation, and leaves the meaning intact. The pass also collects what the hand-written runtime needs to
//! know about the spec (public operations, secret query parameters, open enumerations).

use serde_json::{Map, Value, json};

/// Shared component schemas that the runtime crate implements by hand (they need custom deserialisers).
const RUNTIME_SCHEMAS: &[(&str, &str)] = &[
    ("LooseInteger", "sdk_core::loose::LooseInteger"),
    ("LooseNumber", "sdk_core::loose::LooseNumber"),
    ("LooseBoolean", "sdk_core::loose::LooseBoolean"),
];

/// An `x-extensible-enum`: generated as a Rust enum with an `Other(String)` fallback.
pub struct OpenEnum {
    pub name: String,
    pub description: Option<String>,
    pub values: Vec<String>,
}

/// What the generator and the runtime need besides the normalised spec.
#[derive(Default)]
pub struct Facts {
    pub rewrites: Vec<String>,
    pub open_enums: Vec<OpenEnum>,
    /// operationIds whose `security` is `[]`: the runtime adds no credentials to them.
    pub public_operations: Vec<String>,
    /// Query parameters whose values are secrets (`format: password`, or an `apiKey` scheme `in: query`).
    pub secret_query_parameters: Vec<String>,
    /// Names of `format: password` object members (their values, as a request sends them, are scrubbed
    /// from error bodies).
    pub secret_body_members: Vec<String>,
    /// `servers[0].url`, the default base URL of the client.
    pub default_base_url: String,
    /// Every operation as (operationId, METHOD, path template), in the spec's order.
    pub routes: Vec<(String, String, String)>,
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

pub fn normalize(spec: &mut Value) -> Result<Facts, String> {
    let mut facts = Facts {
        default_base_url: spec
            .pointer("/servers/0/url")
            .and_then(Value::as_str)
            .ok_or(
                "the spec has no `servers[0].url`, which the client needs as its default base URL",
            )?
            .to_string(),
        ..Facts::default()
    };

    // Secret query parameters declared as security schemes.
    if let Some(schemes) = spec
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    {
        for scheme in schemes.values() {
            if scheme["type"] == "apiKey"
                && scheme["in"] == "query"
                && let Some(name) = scheme["name"].as_str()
            {
                push_unique(&mut facts.secret_query_parameters, name);
            }
        }
    }

    // Runtime-implemented schemas.
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, path) in RUNTIME_SCHEMAS {
            if let Some(schema) = schemas.get_mut(*name) {
                *schema = rust_type("sdk-core", path, schema.get("description"));
                facts
                    .rewrites
                    .push(format!("schema {name}: the runtime's `{path}`"));
            }
        }
    }

    // Component parameters (referenced by operations).
    if let Some(params) = spec
        .pointer_mut("/components/parameters")
        .and_then(Value::as_object_mut)
    {
        for (key, param) in params.iter_mut() {
            normalize_parameter(param, &format!("parameter {key}"), &mut facts);
        }
    }

    let component_responses =
        json!({ "responses": spec.pointer("/components/responses").cloned().unwrap_or(json!({})) });
    let root_security_is_empty = spec
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty);
    let paths: Vec<String> = spec["paths"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for path in paths {
        let item = &mut spec["paths"][&path];
        if let Some(params) = item.get_mut("parameters").and_then(Value::as_array_mut) {
            for param in params {
                normalize_parameter(param, &format!("path {path}"), &mut facts);
            }
        }
        for method in METHODS {
            let Some(op) = item.get_mut(*method) else {
                continue;
            };
            let op_id = op["operationId"]
                .as_str()
                .ok_or_else(|| {
                    format!("operation {} {path}: no operationId", method.to_uppercase())
                })?
                .to_string();
            let public = match op.get("security").and_then(Value::as_array) {
                Some(requirements) => requirements.is_empty(),
                None => root_security_is_empty,
            };
            if public {
                facts.public_operations.push(op_id.clone());
            }
            facts
                .routes
                .push((op_id.clone(), method.to_uppercase(), path.clone()));
            if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
                for param in params {
                    normalize_parameter(param, &op_id, &mut facts);
                }
            }
            if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                // Shared responses are copied in, so that each operation's can be unified on its own.
                for response in responses.values_mut() {
                    if let Some(target) = response.get("$ref").and_then(Value::as_str) {
                        let pointer = target.trim_start_matches('#').to_string();
                        *response = component_responses
                            .pointer(pointer.trim_start_matches("/components"))
                            .cloned()
                            .ok_or_else(|| {
                                format!("operation {op_id}: unresolved reference {target}")
                            })?;
                    }
                }
                normalize_responses(responses, &op_id, &mut facts);
            }
        }
    }

    collect_open_enums(spec, &mut facts)?;
    secrets_as_secret_type(spec, "", &mut facts);
    Ok(facts)
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

fn rust_type(crate_name: &str, path: &str, description: Option<&Value>) -> Value {
    let mut schema =
        json!({ "x-rust-type": { "crate": crate_name, "version": "*", "path": path } });
    if let Some(description) = description {
        schema["description"] = description.clone();
    }
    schema
}

fn normalize_parameter(param: &mut Value, owner: &str, facts: &mut Facts) {
    if param.get("$ref").is_some() {
        return; // handled where the component is defined
    }
    let name = param["name"].as_str().unwrap_or_default().to_string();
    if param["in"] == "query" && param.pointer("/schema/format") == Some(&json!("password")) {
        push_unique(&mut facts.secret_query_parameters, &name);
    }
    if param["in"] == "path" && param.pointer("/schema/type") == Some(&json!("string")) {
        let description = param["schema"].get("description").cloned();
        param["schema"] = rust_type("sdk-core", "sdk_core::PathSegment", description.as_ref());
        facts
            .rewrites
            .push(format!("{owner}: path parameter `{name}` is an `sdk_core::PathSegment` (refuses \"\", \".\", \"..\")"));
    }
}

/// A response body's kind, as the generator tells them apart.
fn body_kind(response: &Value) -> Value {
    let content = response.get("content").and_then(Value::as_object);
    match content {
        None => Value::Null,
        Some(content) if content.is_empty() => Value::Null,
        Some(content) => match content.iter().find(|(media, _)| {
            *media == "application/json" || media.starts_with("application/json;")
        }) {
            Some((_, media)) => media.get("schema").cloned().unwrap_or(json!({})),
            None => json!("raw"),
        },
    }
}

fn normalize_responses(responses: &mut Map<String, Value>, op_id: &str, facts: &mut Facts) {
    // `default` counts as both success and error for the generator: say which errors it means.
    if let Some(default) = responses.remove("default") {
        for range in ["4XX", "5XX"] {
            responses
                .entry(range.to_string())
                .or_insert_with(|| default.clone());
        }
        facts
            .rewrites
            .push(format!("{op_id}: response `default` -> `4XX` + `5XX`"));
    }
    let success: Vec<String> = responses
        .keys()
        .filter(|c| c.starts_with('2'))
        .cloned()
        .collect();
    let errors: Vec<String> = responses
        .keys()
        .filter(|c| c.starts_with('4') || c.starts_with('5'))
        .cloned()
        .collect();
    unify_bodies(responses, &success, op_id, "success", facts);
    unify_bodies(responses, &errors, op_id, "error", facts);
}

/// The generator takes one body type per side (success or error). Where a side has several, every response
/// of that side gets one schema: a `oneOf` of the distinct schemas, `nullable` when some response has no
/// body (the runtime reads an empty body as `null`, so the caller gets `None`).
fn unify_bodies(
    responses: &mut Map<String, Value>,
    codes: &[String],
    op_id: &str,
    side: &str,
    facts: &mut Facts,
) {
    let mut kinds: Vec<Value> = Vec::new();
    for code in codes {
        let kind = body_kind(&responses[code]);
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.len() <= 1 {
        return;
    }
    if kinds.contains(&json!("raw")) {
        // A streamed body cannot share a type with anything; leave it for the generator to report.
        return;
    }
    let has_empty = kinds.contains(&Value::Null);
    let schemas: Vec<Value> = kinds.into_iter().filter(|k| !k.is_null()).collect();
    let mut unified = if schemas.len() == 1 {
        schemas[0].clone()
    } else {
        json!({ "oneOf": schemas })
    };
    if has_empty {
        unified = if unified.get("$ref").is_some() || unified.get("oneOf").is_some() {
            json!({ "allOf": [unified], "nullable": true })
        } else {
            let mut s = unified;
            s["nullable"] = json!(true);
            s
        };
    }
    for code in codes {
        let response = &mut responses[code];
        response["content"] = json!({ "application/json": { "schema": unified.clone() } });
    }
    facts.rewrites.push(format!(
        "{op_id}: {side} responses {} share one body type{}",
        codes.join("/"),
        if has_empty {
            " (optional: an empty body is `None`)"
        } else {
            ""
        }
    ));
}

/// Finds every `x-extensible-enum` schema, names it, and points it at a generated open enum.
fn collect_open_enums(spec: &mut Value, facts: &mut Facts) -> Result<(), String> {
    fn walk(node: &mut Value, hint: &str, facts: &mut Facts) {
        match node {
            Value::Object(map) => {
                if let Some(values) = map.get("x-extensible-enum").and_then(Value::as_array) {
                    let values: Vec<String> = values
                        .iter()
                        .map(|v| {
                            v.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| v.to_string())
                        })
                        .collect();
                    let mut name = pascal(hint);
                    while facts.open_enums.iter().any(|e| e.name == name) {
                        name.push('_');
                    }
                    let description = map
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    facts.rewrites.push(format!(
                        "{hint}: open enumeration `{name}` ({} known values, others kept)",
                        values.len()
                    ));
                    facts.open_enums.push(OpenEnum {
                        name: name.clone(),
                        description: description.clone(),
                        values,
                    });
                    *node = rust_type(
                        "crate",
                        &format!("crate::open_enums::{name}"),
                        description.map(Value::String).as_ref(),
                    );
                    return;
                }
                let keys: Vec<String> = map.keys().cloned().collect();
                for key in keys {
                    let child_hint = match key.as_str() {
                        "properties" | "schemas" | "paths" | "content" | "responses"
                        | "parameters" | "components" | "schema" | "requestBody"
                        | "application/json" | "oneOf" | "allOf" => hint.to_string(),
                        "items" | "additionalProperties" => format!("{hint} item"),
                        _ if METHODS.contains(&key.as_str()) => hint.to_string(),
                        // status codes, media types and paths add nothing to a name
                        _ if key.contains('/') || key.starts_with(|c: char| c.is_ascii_digit()) => {
                            hint.to_string()
                        }
                        _ => format!("{hint} {key}"),
                    };
                    let child = map.get_mut(&key).expect("key listed above");
                    // An operation names its parameters' enums after itself.
                    let child_hint = match child.get("operationId").and_then(Value::as_str) {
                        Some(op_id) => op_id.to_string(),
                        None => match child
                            .get("name")
                            .and_then(Value::as_str)
                            .filter(|_| child.get("in").is_some())
                        {
                            Some(param) => format!("{hint} {param}"),
                            None => child_hint,
                        },
                    };
                    walk(child, child_hint.trim(), facts);
                }
            }
            Value::Array(items) => {
                for item in items {
                    // A parameter names its enum after itself.
                    let item_hint = match (item.get("name").and_then(Value::as_str), item.get("in"))
                    {
                        (Some(name), Some(_)) => format!("{hint} {name}"),
                        _ => hint.to_string(),
                    };
                    walk(item, item_hint.trim(), facts);
                }
            }
            _ => {}
        }
    }
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            walk(schema, name, facts);
        }
    }
    for section in ["parameters", "responses", "requestBodies"] {
        if let Some(v) = spec.pointer_mut(&format!("/components/{section}")) {
            walk(v, "", facts);
        }
    }
    if let Some(paths) = spec.get_mut("paths") {
        walk(paths, "", facts);
    }
    Ok(())
}

/// `web mail_type-name` -> `WebMailTypeName`.
pub fn pascal(text: &str) -> String {
    let mut out = String::new();
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// Every `format: password` string becomes `sdk_core::Secret`, whose `Debug` never shows the value: in a
/// builder argument, a request body or a response.
fn secrets_as_secret_type(node: &mut Value, at: &str, facts: &mut Facts) {
    match node {
        Value::Object(map) => {
            if map.get("type") == Some(&json!("string"))
                && map.get("format") == Some(&json!("password"))
            {
                if let Some((parent, name)) = at.rsplit_once('/')
                    && parent.ends_with("/properties")
                {
                    push_unique(&mut facts.secret_body_members, name);
                }
                *node = rust_type("sdk-core", "sdk_core::Secret", map.get("description"));
                facts
                    .rewrites
                    .push(format!("{at}: a password: `sdk_core::Secret`"));
                return;
            }
            for (key, child) in map.iter_mut() {
                secrets_as_secret_type(child, &format!("{at}/{key}"), facts);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                secrets_as_secret_type(child, &format!("{at}/{i}"), facts);
            }
        }
        _ => {}
    }
}
