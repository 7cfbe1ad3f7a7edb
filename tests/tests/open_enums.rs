//! Open enumerations: every enumeration a response of any spec can carry is found by walking the response
//! schemas (through `$ref`, properties, items, maps, `allOf`/`oneOf`/`anyOf`); each open one
//! (`x-extensible-enum`) is answered with a value the SDK does not know, inside a body that is otherwise
//! valid, through the operation that returns it; the response must decode (the value kept as `Other`). A
//! closed `enum:` a response can carry must be one of the few whose closedness is recorded below, with why.

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use sdk_core::Credentials;
use sdk_tests::faulty::{Answer, FaultyServer};
use sdk_tests::server::Reply;
use serde_json::{Value, json};
use support::{Args, Observed, Sdk, Settings, resolve, synthesize};

const UNKNOWN: &str = "zz-value-no-sdk-knows";

/// Closed enumerations a response may carry, and why each stays closed.
const CLOSED: &[(&str, &str)] = &[
    (
        "resellerclub #/components/schemas/ApiError/properties/status",
        "the document promises `ERROR`; being closed is what tells an error body from a success body",
    ),
    (
        "resellerclub #/components/schemas/LooseBoolean/oneOf/1",
        "the strings \"true\"/\"false\" of a lenient boolean, not an enumeration (the runtime's LooseBoolean)",
    ),
    (
        "hostway #/components/schemas/ZeroOrOneFlag/oneOf/1",
        "the integers 0/1 of a flag the document types as 0 or 1, not an enumeration",
    ),
];

/// One enumeration reachable from a response: where it is declared, and a body carrying an unknown value of
/// it for one operation and status.
struct Reachable {
    pointer: String,
    open: bool,
    op: String,
    status: u16,
    body: Value,
}

/// Bodies of `schema` that each carry an unknown value of one enumeration inside it, with the enumeration's
/// JSON pointer and whether it is open.
fn with_unknown(
    spec: &Value,
    schema: &Value,
    pointer: &str,
    depth: usize,
    path: &mut Vec<String>,
) -> Vec<(String, bool, Value)> {
    let (pointer, schema) = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let target = reference.trim_start_matches('#').to_string();
            if path.contains(&target) || depth > 10 {
                return Vec::new();
            }
            path.push(target.clone());
            let found = with_unknown(
                spec,
                resolve(spec, schema),
                &format!("#{target}"),
                depth + 1,
                path,
            );
            path.pop();
            return found;
        }
        None => (pointer.to_string(), schema),
    };
    let mut out = Vec::new();
    for (key, open) in [("x-extensible-enum", true), ("enum", false)] {
        if let Some(values) = schema.get(key).and_then(Value::as_array) {
            let unknown = if values.iter().all(Value::is_number) {
                json!(987_654)
            } else {
                json!(UNKNOWN)
            };
            out.push((pointer.clone(), open, unknown));
            return out;
        }
    }
    for key in ["oneOf", "anyOf"] {
        for (i, branch) in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            out.extend(with_unknown(
                spec,
                branch,
                &format!("{pointer}/{key}/{i}"),
                depth + 1,
                path,
            ));
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let whole = synthesize(spec, schema, 0);
        for (i, part) in parts.iter().enumerate() {
            for (p, open, value) in
                with_unknown(spec, part, &format!("{pointer}/allOf/{i}"), depth + 1, path)
            {
                let mut merged = whole.clone();
                if let (Value::Object(into), Value::Object(from)) = (&mut merged, value) {
                    into.extend(from);
                }
                out.push((p, open, merged));
            }
        }
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        let base = synthesize(spec, schema, 0);
        for (name, property) in properties {
            for (p, open, value) in with_unknown(
                spec,
                property,
                &format!("{pointer}/properties/{name}"),
                depth + 1,
                path,
            ) {
                let mut object = if base.is_object() {
                    base.clone()
                } else {
                    json!({})
                };
                object[name] = value;
                out.push((p, open, object));
            }
        }
    }
    if let Some(extra) = schema.get("additionalProperties").filter(|a| a.is_object()) {
        let base = synthesize(spec, schema, 0);
        for (p, open, value) in with_unknown(
            spec,
            extra,
            &format!("{pointer}/additionalProperties"),
            depth + 1,
            path,
        ) {
            let mut object = if base.is_object() {
                base.clone()
            } else {
                json!({})
            };
            object["zz-key"] = value;
            out.push((p, open, object));
        }
    }
    if let Some(items) = schema.get("items") {
        for (p, open, value) in
            with_unknown(spec, items, &format!("{pointer}/items"), depth + 1, path)
        {
            out.push((p, open, json!([value])));
        }
    }
    out
}

/// Every enumeration reachable from a JSON response of the spec, once (the first operation that returns it).
fn reachable(args: &Args) -> Vec<Reachable> {
    let mut found: BTreeMap<String, Reachable> = BTreeMap::new();
    for id in args.operation_ids() {
        let (_, _, op) = args.operation(&id);
        for (key, response) in op["responses"].as_object().into_iter().flatten() {
            let status = match key.as_str() {
                "4XX" => 400,
                "5XX" | "default" => 500,
                other => other.parse().unwrap_or(200),
            };
            let response = resolve(&args.spec, response);
            for (media_type, media) in response
                .get("content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let Some(schema) = media.get("schema").filter(|_| media_type.contains("json"))
                else {
                    continue;
                };
                let at = format!("{id} {key}");
                for (pointer, open, body) in
                    with_unknown(&args.spec, schema, &at, 0, &mut Vec::new())
                {
                    found.entry(pointer.clone()).or_insert(Reachable {
                        pointer,
                        open,
                        op: id.clone(),
                        status,
                        body,
                    });
                }
            }
        }
    }
    found.into_values().collect()
}

async fn check(sdk: Sdk) -> (usize, Vec<String>, Vec<String>) {
    let args = Arc::new(Args::new(sdk.name));
    let slot = Arc::new(Mutex::new(Reply::empty(200)));
    let shared = slot.clone();
    let server =
        FaultyServer::start(move |_, _| Answer::Reply(shared.lock().unwrap().clone())).await;
    let settings = Settings {
        retry: Some(sdk_core::RetryPolicy::none()),
        timeout: Some(std::time::Duration::from_secs(10)),
        ..Settings::new(&server.url(""))
    };
    let bound = (sdk.bind)(&settings, Credentials::None);
    let sdk = sdk.name;
    let (mut open, mut failures, mut closed) = (0, Vec::new(), Vec::new());
    for enumeration in reachable(&args) {
        let name = format!("{sdk} {}", enumeration.pointer);
        if !enumeration.open {
            closed.push(name.clone());
            if !CLOSED.iter().any(|(closed, _)| *closed == name) {
                failures.push(format!(
                    "{name}: a closed enum a response can carry ({} {}); make it `x-extensible-enum` or record why it is closed",
                    enumeration.op, enumeration.status
                ));
            }
            continue;
        }
        open += 1;
        *slot.lock().unwrap() = Reply::json(enumeration.status, enumeration.body.clone());
        let observed: Observed = bound.call(&enumeration.op, args.clone()).await;
        let expected = if enumeration.status < 300 {
            "ok"
        } else {
            "documented"
        };
        if observed.kind != expected {
            failures.push(format!(
                "{name}: {} answered {} {} came back {} ({:?}): {}",
                enumeration.op,
                enumeration.status,
                enumeration.body,
                observed.kind,
                observed.status,
                observed.shown.lines().next().unwrap_or_default()
            ));
        }
    }
    sdk_tests::report(format!(
        "open enums: {sdk}: {open} open enumeration(s) reachable from responses each decoded an unknown value"
    ));
    (open, failures, closed)
}

#[tokio::test]
async fn every_open_enumeration_a_response_carries_accepts_an_unknown_value() {
    let mut failures = Vec::new();
    let mut total = 0;
    let mut closed_seen = Vec::new();
    for sdk in support::every_sdk() {
        let (open, mut failed, mut closed) = check(sdk).await;
        total += open;
        failures.append(&mut failed);
        closed_seen.append(&mut closed);
    }
    sdk_tests::report(format!(
        "open enums: {total} in all; closed ones kept, with why: {CLOSED:#?}"
    ));
    assert!(total > 0);
    for (name, _) in CLOSED {
        assert!(
            closed_seen.iter().any(|seen| seen == name),
            "{name} is no longer reachable: drop it from CLOSED"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
