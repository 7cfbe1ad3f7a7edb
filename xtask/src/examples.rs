//! The `compiled_examples` pass: each operation's doc example, which progenitor writes as an ```` ```ignore ````
//! block nothing compiles, becomes a ```` ```no_run ```` doctest (it would need a server to run) written from
//! the spec: the required arguments with the spec's example values (parameter `example`/`examples`, the
//! request body's examples; else a value built from the schema), and how to read the answer.
//!
//! The argument and answer types are read from the generated builders themselves (each setter's
//! `V: TryInto<T>` bound, `send`'s `ResponseValue<T>`), so a value is written in a form that compiles for that
//! type: a literal where the type takes one (strings, path segments, secrets, numbers, string enums), else
//! the JSON example decoded into the type.

use std::collections::{BTreeMap, BTreeSet};

use quote::ToTokens;
use serde_json::{Value, json};

use crate::passes::{Context, Found};
use crate::syntax::{generic_args, module, simple, snake, try_into_target};

/// How a doc example builds its client: the one way every SDK starts, with credentials from the variables its
/// README documents (the example is `no_run`: it is compiled, not run).
fn client_line(provider: &str) -> String {
    let krate = format!("sdk_{provider}");
    format!("let client = {krate}::Client::builder({krate}::Credentials::from_env()?).build()?;")
}

/// What the pass reads from one generated builder.
#[derive(Default)]
struct Builder {
    /// Setter name -> the type it converts into (`V: TryInto<T>`).
    setters: BTreeMap<String, syn::Type>,
    /// Fields that start as `Err("... was not initialized")`: the required arguments, in order.
    required: Vec<String>,
    /// `send`'s `ResponseValue<T>`.
    answer: Option<syn::Type>,
}

/// What the pass reads from the `types` module.
#[derive(Default)]
struct Types {
    /// Struct name -> its named fields, in order.
    fields: BTreeMap<String, Vec<String>>,
    /// Types that implement `TryFrom<&str>` (string enums, constrained strings).
    from_str: BTreeSet<String>,
}

pub fn compiled_examples(file: &mut syn::File, context: &Context) -> Vec<Found> {
    let builders = read_builders(file);
    let types = read_types(file);
    let mut replaced = 0;
    let mut missing = Vec::new();
    for item in &mut file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() || block.self_ty.to_token_stream().to_string() != "Client" {
            continue;
        }
        for item in &mut block.items {
            let syn::ImplItem::Fn(method) = item else {
                continue;
            };
            let syn::ReturnType::Type(_, output) = &method.sig.output else {
                continue;
            };
            let output = output.to_token_stream().to_string().replace(' ', "");
            let Some(name) = output
                .strip_prefix("builder::")
                .and_then(|rest| rest.strip_suffix("<'_>"))
            else {
                continue;
            };
            let operation = method.sig.ident.to_string();
            let Some(builder) = builders.get(name) else {
                missing.push(operation);
                continue;
            };
            let before = replaced;
            let example = example(context, &operation, builder, &types);
            for attr in &mut method.attrs {
                let syn::Meta::NameValue(doc) = &mut attr.meta else {
                    continue;
                };
                if !doc.path.is_ident("doc") {
                    continue;
                }
                let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) = &mut doc.value
                else {
                    continue;
                };
                let value = text.value();
                let Some(start) = value.find("```ignore\n") else {
                    continue;
                };
                let after = start + "```ignore\n".len();
                let Some(length) = value[after..].find("```") else {
                    continue;
                };
                let end = after + length + "```".len();
                let new = format!("{}{example}{}", &value[..start], &value[end..]);
                *text = syn::LitStr::new(&new, text.span());
                replaced += 1;
            }
            if replaced == before {
                missing.push(operation);
            }
        }
    }
    // Every operation gets its example: one without progenitor's block (or its builder) fails the pass.
    vec![
        Found {
            what: "```ignore example in the doc of a `Client` method".to_string(),
            count: replaced,
            required: true,
        },
        Found {
            what: format!(
                "```ignore example (or builder) for operation(s) {}",
                missing.join(", ")
            ),
            count: 0,
            required: !missing.is_empty(),
        },
    ]
}

fn read_builders(file: &syn::File) -> BTreeMap<String, Builder> {
    let mut builders: BTreeMap<String, Builder> = BTreeMap::new();
    let Some(items) = module(file, "builder") else {
        return builders;
    };
    for item in items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() {
            continue;
        }
        let syn::Type::Path(self_ty) = &*block.self_ty else {
            continue;
        };
        let Some(name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        let builder = builders.entry(name).or_default();
        for item in &block.items {
            let syn::ImplItem::Fn(method) = item else {
                continue;
            };
            match method.sig.ident.to_string().as_str() {
                "new" => builder.required = initially_missing(method),
                "send" => builder.answer = answer_type(&method.sig),
                setter => {
                    if let Some(target) = try_into_target(&method.sig) {
                        builder.setters.insert(setter.to_string(), target);
                    }
                }
            }
        }
    }
    builders
}

/// The fields `new` sets to `Err(..)` (progenitor: "`x` was not initialized").
fn initially_missing(new: &syn::ImplItemFn) -> Vec<String> {
    let mut out = Vec::new();
    for statement in &new.block.stmts {
        let syn::Stmt::Expr(syn::Expr::Struct(init), _) = statement else {
            continue;
        };
        for field in &init.fields {
            let syn::Member::Named(name) = &field.member else {
                continue;
            };
            if let syn::Expr::Call(call) = &field.expr
                && call.func.to_token_stream().to_string() == "Err"
            {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// `T` of `send`'s `Result<ResponseValue<T>, Error<E>>`.
fn answer_type(sig: &syn::Signature) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, output) = &sig.output else {
        return None;
    };
    // `Result<ResponseValue<T>, Error<E>>` -> `T`.
    let value = generic_args(output)?.into_iter().next()?;
    generic_args(&value)?.into_iter().next()
}

fn read_types(file: &syn::File) -> Types {
    let mut types = Types::default();
    let Some(items) = module(file, "types") else {
        return types;
    };
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                if let syn::Fields::Named(fields) = &s.fields {
                    let names = fields
                        .named
                        .iter()
                        .filter(|f| matches!(f.vis, syn::Visibility::Public(_)))
                        .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
                        .collect();
                    types.fields.insert(s.ident.to_string(), names);
                }
            }
            syn::Item::Impl(block) => {
                if let Some((path, _)) = &block.trait_ {
                    let text = path.to_token_stream().to_string().replace(' ', "");
                    if text.ends_with("TryFrom<&str>") {
                        types
                            .from_str
                            .insert(block.self_ty.to_token_stream().to_string());
                    }
                }
            }
            _ => {}
        }
    }
    types
}

/// The doctest for one operation.
fn example(context: &Context, operation: &str, builder: &Builder, types: &Types) -> String {
    let krate = format!("sdk_{}", context.provider);
    let spec = context.spec;
    let op = find_operation(spec, operation);
    let parameters = op
        .map(|(item, op)| parameters(spec, item, op))
        .unwrap_or_default();
    let mut lines = vec![
        "```no_run".to_string(),
        "# async fn example() -> Result<(), Box<dyn std::error::Error>> {".to_string(),
        format!("# {}", client_line(context.provider)),
    ];
    let mut calls = Vec::new();
    for argument in &builder.required {
        let Some(ty) = builder.setters.get(argument) else {
            continue;
        };
        let value = parameters
            .iter()
            .find(|(name, _)| simple(name) == simple(argument))
            .map(|(_, parameter)| parameter_value(spec, parameter))
            .unwrap_or(json!("value"));
        calls.push(format!(
            ".{argument}({})",
            literal(&krate, ty, &value, types)
        ));
    }
    if let (Some(ty), Some((_, op))) = (builder.setters.get("body"), op)
        && let Some(body) = request_body(spec, op)
    {
        let pretty = serde_json::to_string_pretty(&body).unwrap_or_default();
        lines.push(format!(
            "let body: {} = serde_json::from_value(serde_json::json!({pretty}))?;",
            type_text(&krate, ty)
        ));
        calls.push(".body(body)".to_string());
    }
    lines.push(format!("let response = client.{operation}()"));
    for call in calls {
        lines.push(format!("    {call}"));
    }
    lines.push("    .send()".to_string());
    lines.push("    .await?;".to_string());
    lines.extend(read_answer(builder.answer.as_ref(), types));
    lines.push("# Ok(())".to_string());
    lines.push("# }".to_string());
    lines.push("```".to_string());
    lines.join("\n")
}

/// How the example reads the answer: its status for an empty one, a field or two of a struct, else the whole.
fn read_answer(answer: Option<&syn::Type>, types: &Types) -> Vec<String> {
    let text = answer
        .map(|t| t.to_token_stream().to_string().replace(' ', ""))
        .unwrap_or_default();
    if text == "()" || text.is_empty() {
        return vec!["println!(\"{}\", response.status());".to_string()];
    }
    if text == "ByteStream" {
        return vec![
            "let bytes = response.into_inner(); // the body, as a stream of bytes".to_string(),
        ];
    }
    // A list: its entries, a field or two of each.
    if let Some(name) = text
        .strip_prefix("::std::vec::Vec<types::")
        .and_then(|rest| rest.strip_suffix('>'))
        && let Some(fields) = types.fields.get(name)
        && !fields.is_empty()
    {
        let mut lines = vec!["for entry in response.into_inner() {".to_string()];
        let shown: Vec<String> = fields
            .iter()
            .take(2)
            .map(|f| format!("entry.{f}"))
            .collect();
        let placeholders = vec!["{:?}"; shown.len()].join(" ");
        lines.push(format!(
            "    println!(\"{placeholders}\", {});",
            shown.join(", ")
        ));
        lines.push("}".to_string());
        return lines;
    }
    if let Some(name) = text.strip_prefix("types::")
        && let Some(fields) = types.fields.get(name)
        && !fields.is_empty()
    {
        let variable = snake(name);
        let variable = if syn::parse_str::<syn::Ident>(&variable).is_ok() {
            variable
        } else {
            "answer".to_string()
        };
        let mut lines = vec![format!("let {variable} = response.into_inner();")];
        for field in fields.iter().take(2) {
            lines.push(format!("println!(\"{{:?}}\", {variable}.{field});"));
        }
        return lines;
    }
    vec![
        "let answer = response.into_inner();".to_string(),
        "println!(\"{answer:?}\");".to_string(),
    ]
}

/// A Rust expression of type `V: TryInto<ty>` for the JSON `value`.
fn literal(krate: &str, ty: &syn::Type, value: &Value, types: &Types) -> String {
    let text = ty.to_token_stream().to_string().replace(' ', "");
    let string_like = matches!(
        text.as_str(),
        "::sdk_core::PathSegment" | "::std::string::String" | "String" | "::sdk_core::Secret"
    ) || text
        .strip_prefix("types::")
        .is_some_and(|name| types.from_str.contains(name));
    match value {
        Value::String(s) if string_like => return format!("{s:?}"),
        Value::Number(n) if string_like => return format!("{:?}", n.to_string()),
        Value::Bool(b) if text == "bool" => return b.to_string(),
        Value::Number(n) => {
            let integer = [
                "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "isize", "usize",
            ]
            .contains(&text.as_str());
            if integer && let Some(i) = n.as_i64() {
                let unsigned = text.starts_with('u');
                if !(unsigned && i < 0) {
                    return if i32::try_from(i).is_ok() {
                        i.to_string()
                    } else {
                        format!("{i}{text}")
                    };
                }
            }
            if text == "f64"
                && let Some(f) = n.as_f64()
            {
                return format!("{f:?}");
            }
        }
        _ => {}
    }
    format!(
        "serde_json::from_value::<{}>(serde_json::json!({value}))?",
        type_text(krate, ty)
    )
}

/// A generated type as the crate's users write it (`types::X` -> `sdk_x::types::X`).
fn type_text(krate: &str, ty: &syn::Type) -> String {
    let text = ty
        .to_token_stream()
        .to_string()
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" < ", "<")
        .replace(" >", ">")
        .replace(" ,", ",");
    let mut out = String::new();
    let mut rest = text.as_str();
    // `types::` and `crate::` at the start of a path (not inside `::std::...`).
    while let Some(i) = rest.find(|c: char| c.is_ascii_alphabetic() || c == ':') {
        let (before, tail) = rest.split_at(i);
        out.push_str(before);
        let word_end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(tail.len());
        let word = &tail[..word_end];
        if let Some(path) = word.strip_prefix("types::") {
            out.push_str(&format!("{krate}::types::{path}"));
        } else if let Some(path) = word.strip_prefix("crate::") {
            out.push_str(&format!("{krate}::{path}"));
        } else if let Some(path) = word.strip_prefix("::sdk_core::") {
            out.push_str(&format!("sdk_core::{path}"));
        } else {
            out.push_str(word);
        }
        rest = &tail[word_end..];
    }
    out.push_str(rest);
    out
}

fn find_operation<'a>(spec: &'a Value, operation: &str) -> Option<(&'a Value, &'a Value)> {
    let paths = spec.get("paths")?.as_object()?;
    paths.values().find_map(|item| {
        item.as_object()?.values().find_map(|op| {
            let id = op.get("operationId")?.as_str()?;
            (id == operation || simple(id) == simple(operation)).then_some((item, op))
        })
    })
}

/// (name, resolved parameter) of an operation, its path item's first.
fn parameters<'a>(spec: &'a Value, item: &'a Value, op: &'a Value) -> Vec<(String, &'a Value)> {
    [item, op]
        .iter()
        .filter_map(|holder| holder.get("parameters")?.as_array())
        .flatten()
        .map(|p| resolve(spec, p))
        .filter_map(|p| Some((p.get("name")?.as_str()?.to_string(), p)))
        .collect()
}

fn parameter_value(spec: &Value, parameter: &Value) -> Value {
    examples(spec, parameter)
        .into_iter()
        .next()
        .unwrap_or_else(|| {
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
            synthesize(spec, parameter.get("schema").unwrap_or(&json!({})), name, 0)
        })
}

/// The request body's example (JSON or form), else one built from its schema.
fn request_body(spec: &Value, op: &Value) -> Option<Value> {
    let body = resolve(spec, op.get("requestBody")?);
    let content = body.get("content")?.as_object()?;
    let media = content.values().next()?;
    Some(
        examples(spec, media)
            .into_iter()
            .next()
            .unwrap_or_else(|| synthesize(spec, media.get("schema").unwrap_or(&json!({})), "", 0)),
    )
}

/// Follows local `$ref`s.
fn resolve<'a>(spec: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..32 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return value;
        };
        match spec.pointer(reference.trim_start_matches('#')) {
            Some(target) => value = target,
            None => return value,
        }
    }
    value
}

/// The `example` and every `examples.*.value` of a media type, parameter or schema.
fn examples(spec: &Value, holder: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = holder.get("example").cloned().into_iter().collect();
    if let Some(map) = holder.get("examples").and_then(Value::as_object) {
        for example in map.values() {
            if let Some(value) = resolve(spec, example).get("value") {
                out.push(value.clone());
            }
        }
    }
    out
}

/// A small value that satisfies `schema` (its example, else required members only, first enum value,
/// `minimum`, formats).
fn synthesize(spec: &Value, schema: &Value, name: &str, depth: usize) -> Value {
    let schema = resolve(spec, schema);
    if depth > 12 {
        return Value::Null;
    }
    if let Some(example) = examples(spec, schema).into_iter().next() {
        return example;
    }
    for key in ["enum", "x-extensible-enum"] {
        if let Some(first) = schema.get(key).and_then(|e| e.get(0)) {
            return first.clone();
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = serde_json::Map::new();
        for part in parts {
            if let Value::Object(map) = synthesize(spec, part, name, depth + 1) {
                merged.extend(map);
            }
        }
        return Value::Object(merged);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema.get(key).and_then(|e| e.get(0)) {
            return synthesize(spec, first, name, depth + 1);
        }
    }
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or(
        if schema.get("properties").is_some() {
            "object"
        } else {
            "string"
        },
    );
    match kind {
        "object" => {
            let required = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect::<Vec<_>>())
                .unwrap_or_default();
            let mut map = serde_json::Map::new();
            for member in required {
                let property = schema["properties"]
                    .get(member)
                    .cloned()
                    .unwrap_or(json!({}));
                map.insert(
                    member.to_string(),
                    synthesize(spec, &property, member, depth + 1),
                );
            }
            Value::Object(map)
        }
        "array" => {
            let items = schema.get("items").cloned().unwrap_or(json!({}));
            json!([synthesize(spec, &items, name, depth + 1)])
        }
        "integer" => schema.get("minimum").cloned().unwrap_or(json!(1)),
        "number" => schema.get("minimum").cloned().unwrap_or(json!(1.5)),
        "boolean" => json!(true),
        _ => match schema.get("format").and_then(Value::as_str) {
            Some("date") => json!("2024-01-01"),
            Some("date-time") => json!("2024-01-01T00:00:00Z"),
            Some("email") => json!("user@example.com"),
            Some("uuid") => json!("00000000-0000-0000-0000-000000000001"),
            Some("ipv4") => json!("192.0.2.1"),
            _ => json!(string_for(name)),
        },
    }
}

/// A plausible string for an argument or member without an example, from its name.
fn string_for(name: &str) -> &'static str {
    let name = simple(name);
    let has = |word: &str| name.contains(word);
    if has("email") {
        "john@example.com"
    } else if has("username") || has("mailboxname") {
        "john"
    } else if name == "address" {
        "1 Main Street"
    } else if has("domain") {
        "example.com"
    } else if has("url") || has("website") {
        "https://www.example.com"
    } else if has("phone") {
        "+15555550100"
    } else if has("password") || has("passwd") {
        "s3cret-Passw0rd!"
    } else if has("account") || name.ends_with("id") {
        "12345"
    } else if has("firstname") {
        "John"
    } else if has("lastname") {
        "Doe"
    } else if has("country") {
        "US"
    } else if has("lang") {
        "en"
    } else {
        "example"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// progenitor's shape for one operation with a required path argument, an optional query argument and
    /// a body, answering a struct.
    fn progenitor_file(doc: &str) -> syn::File {
        syn::parse2(quote! {
            impl Client {
                #[doc = #doc]
                pub fn update_thing(&self) -> builder::UpdateThing<'_> { builder::UpdateThing::new(self) }
            }
            pub mod types {
                pub struct Thing { pub name: String, pub size: i64, hidden: u8 }
                pub struct ThingUpdate { pub name: String }
                impl ::std::convert::TryFrom<&str> for Colour { type Error = (); }
            }
            pub mod builder {
                impl<'a> UpdateThing<'a> {
                    pub fn new(client: &'a super::Client) -> Self {
                        Self {
                            client: client,
                            domain: Err("domain was not initialized".to_string()),
                            colour: Err("colour was not initialized".to_string()),
                            limit: Ok(None),
                            body: Ok(::std::default::Default::default()),
                        }
                    }
                    pub fn domain<V>(mut self, value: V) -> Self where V: std::convert::TryInto<::sdk_core::PathSegment> { self }
                    pub fn colour<V>(mut self, value: V) -> Self where V: std::convert::TryInto<types::Colour> { self }
                    pub fn limit<V>(mut self, value: V) -> Self where V: std::convert::TryInto<u32> { self }
                    pub fn body<V>(mut self, value: V) -> Self where V: std::convert::TryInto<types::ThingUpdate> { self }
                    pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<()>> { todo!() }
                }
            }
        })
        .unwrap()
    }

    fn spec() -> Value {
        json!({ "paths": { "/things/{domain}": {
            "parameters": [{ "name": "domain", "in": "path", "required": true, "example": "example.org" }],
            "put": {
                "operationId": "update_thing",
                "parameters": [
                    { "$ref": "#/components/parameters/Colour" },
                    { "name": "limit", "in": "query", "schema": { "type": "integer" } }
                ],
                "requestBody": { "content": { "application/json": {
                    "examples": { "rename": { "value": { "name": "Big thing" } } }
                } } }
            }
        } }, "components": { "parameters": { "Colour": {
            "name": "colour", "in": "query", "required": true, "schema": { "type": "string", "enum": ["red", "blue"] }
        } } } })
    }

    const IGNORE: &str = "Updates a thing\n```ignore\nlet response = client.update_thing()\n    .send()\n    .await;\n```";

    #[test]
    fn the_example_shows_the_required_arguments_from_the_spec_and_reads_the_answer() {
        let spec = spec();
        let context = Context {
            provider: "acme",
            spec: &spec,
        };
        let mut file = progenitor_file(IGNORE);
        for found in compiled_examples(&mut file, &context) {
            assert!(!found.required || found.count > 0, "{}", found.what);
        }
        let syn::Item::Impl(block) = &file.items[0] else {
            unreachable!()
        };
        let syn::ImplItem::Fn(method) = &block.items[0] else {
            unreachable!()
        };
        let syn::Meta::NameValue(doc) = &method.attrs[0].meta else {
            unreachable!()
        };
        let doc = doc.value.to_token_stream().to_string();
        let doc: String = syn::parse_str::<syn::LitStr>(&doc).unwrap().value();
        let expected = r#"Updates a thing
```no_run
# async fn example() -> Result<(), Box<dyn std::error::Error>> {
# let client = sdk_acme::Client::builder(sdk_acme::Credentials::from_env()?).build()?;
let body: sdk_acme::types::ThingUpdate = serde_json::from_value(serde_json::json!({
  "name": "Big thing"
}))?;
let response = client.update_thing()
    .domain("example.org")
    .colour("red")
    .body(body)
    .send()
    .await?;
let thing = response.into_inner();
println!("{:?}", thing.name);
println!("{:?}", thing.size);
# Ok(())
# }
```"#;
        assert_eq!(doc, expected);
    }

    #[test]
    fn an_operation_left_without_an_example_fails_the_pass_by_name() {
        let spec = spec();
        let context = Context {
            provider: "acme",
            spec: &spec,
        };
        let mut file = progenitor_file("Updates a thing, no example");
        let missing: Vec<String> = compiled_examples(&mut file, &context)
            .into_iter()
            .filter(|found| found.required && found.count == 0)
            .map(|found| found.what)
            .collect();
        assert!(
            missing.iter().any(|what| what.contains("update_thing")),
            "{missing:?}"
        );
    }

    /// The committed clients: one compiled (`no_run`) example per route of the spec, no `ignore` block.
    #[test]
    fn every_operation_of_every_sdk_has_a_compiled_example() {
        let root = crate::providers::workspace_root();
        let mut total = 0;
        for provider in crate::providers::select(&[]).unwrap() {
            let file = crate::providers::generated_file(provider);
            let text = std::fs::read_to_string(root.join(&file)).unwrap();
            let routes = text.matches("sdk_core::Route {").count();
            let examples = text.matches("```no_run\n# async fn example()").count();
            assert!(
                !text.contains("```ignore"),
                "{file} still has an ```ignore example"
            );
            assert_eq!(
                examples, routes,
                "{file}: {examples} compiled examples for {routes} operations"
            );
            total += examples;
        }
        assert!(total >= 106, "{total} examples");
    }

    #[test]
    fn values_are_written_in_a_form_the_setter_takes() {
        let types = Types::default();
        let ty = |text: &str| syn::parse_str::<syn::Type>(text).unwrap();
        assert_eq!(
            literal("k", &ty("u64"), &json!(3_000_000_000u64), &types),
            "3000000000u64"
        );
        assert_eq!(literal("k", &ty("u32"), &json!(7), &types), "7");
        assert_eq!(
            literal("k", &ty("::sdk_core::Secret"), &json!("pw"), &types),
            "\"pw\""
        );
        assert_eq!(
            literal("k", &ty("::std::string::String"), &json!(12), &types),
            "\"12\""
        );
        assert_eq!(
            literal(
                "k",
                &ty("::std::vec::Vec<types::Kind>"),
                &json!(["a"]),
                &types
            ),
            "serde_json::from_value::<::std::vec::Vec<k::types::Kind>>(serde_json::json!([\"a\"]))?"
        );
        assert_eq!(
            literal("k", &ty("::std::num::NonZeroU64"), &json!(1), &types),
            "serde_json::from_value::<::std::num::NonZeroU64>(serde_json::json!(1))?"
        );
    }
}
