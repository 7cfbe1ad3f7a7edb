//! Every operation of every SDK, callable with valid arguments (the table is written by `tests/build.rs` from
//! the manifest `cargo xtask generate` keeps under `tests/manifest/`; the values come from the spec's
//! examples, else from its schemas), and the specs themselves as JSON. Shared by the fuzz, secrets,
//! open-enumeration and adversarial tests. `every_sdk()` lists every SDK of the one provider list: a test
//! that loops over it covers a new provider without an edit.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use sdk_mailchannels::{Error, ResponseValue};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// What a call came back with: enough to check it kept its status and showed no secret.
#[derive(Debug, Clone)]
pub struct Observed {
    pub status: Option<u16>,
    /// `ok`, `documented`, `unexpected`, `communication`, `invalid_request` or `other`.
    pub kind: &'static str,
    /// `Display`, `Debug` and the source chain of an error (empty for a success).
    pub shown: String,
    /// The response of an `UnexpectedResponse`, for a test to read the body it kept (taken out once).
    pub unexpected: Option<Arc<std::sync::Mutex<Option<reqwest::Response>>>>,
}

impl Observed {
    pub fn of<T, E: Debug + sdk_core::ErrorBody>(
        result: Result<ResponseValue<T>, Error<E>>,
    ) -> Self {
        match result {
            Ok(value) => Self {
                status: Some(value.status().as_u16()),
                kind: "ok",
                shown: String::new(),
                unexpected: None,
            },
            Err(error) => {
                let kind = match &error {
                    Error::ErrorResponse(_) => "documented",
                    Error::UnexpectedResponse(_) => "unexpected",
                    Error::CommunicationError(_) => "communication",
                    Error::InvalidRequest(_) => "invalid_request",
                    _ => "other",
                };
                let mut shown = format!("{error}\n{error:?}\n{error:#?}");
                let mut source = std::error::Error::source(&error);
                while let Some(cause) = source {
                    shown.push_str(&format!("\n{cause}\n{cause:?}"));
                    source = cause.source();
                }
                if let Error::UnexpectedResponse(response) = &error {
                    shown.push_str(&format!(
                        "\n{:?}",
                        response
                            .extensions()
                            .get::<sdk_core::decode::UndecodableBody>()
                    ));
                }
                let status = error.status().map(|s| s.as_u16());
                let unexpected = match error {
                    Error::UnexpectedResponse(response) => {
                        Some(Arc::new(std::sync::Mutex::new(Some(response))))
                    }
                    _ => None,
                };
                Self {
                    status,
                    kind,
                    shown,
                    unexpected,
                }
            }
        }
    }
}

pub type Call = Pin<Box<dyn Future<Output = Observed> + Send>>;

/// One operation: its id and how to call it (with a client and the arguments to use).
pub struct Operation<C> {
    pub id: &'static str,
    pub call: fn(C, Arc<Args>) -> Call,
    /// The `Debug` of the request builder with every required argument set.
    pub describe: fn(&C, &Args) -> String,
}

include!(concat!(env!("OUT_DIR"), "/operations.rs"));

/// How a test wants its clients built: the base URL, and what it changes from the defaults.
#[derive(Clone, Default)]
pub struct Settings {
    pub base_url: String,
    pub timeout: Option<std::time::Duration>,
    pub operation_timeout: Option<std::time::Duration>,
    pub retry: Option<sdk_core::RetryPolicy>,
    pub max_concurrent: Option<usize>,
    pub body_limit: Option<usize>,
    /// Per-call options: every operation is called through `client.with_options(..)`.
    pub options: Option<sdk_core::RequestOptions>,
}

impl Settings {
    pub fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.to_string(),
            ..Self::default()
        }
    }

    /// Builds the client `builder` makes, with these settings.
    pub fn build<C: sdk_core::FromParts>(&self, builder: sdk_core::ClientBuilder<C>) -> C {
        let mut builder = builder.base_url(&self.base_url);
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        if let Some(timeout) = self.operation_timeout {
            builder = builder.operation_timeout(timeout);
        }
        if let Some(retry) = self.retry {
            builder = builder.retry_policy(retry);
        }
        if let Some(limit) = self.max_concurrent {
            builder = builder.max_concurrent_requests(limit);
        }
        if let Some(limit) = self.body_limit {
            builder = builder.max_response_body(limit);
        }
        builder.build().expect("client builds")
    }
}

/// An operation bound to a client: call it with the arguments to use.
pub type ErasedCall = Box<dyn Fn(Arc<Args>) -> Call + Send + Sync>;

/// One SDK's client and every operation of it bound to that client.
pub struct Bound {
    pub sdk: &'static str,
    /// `Debug` of the client (normal and alternate).
    pub shown: String,
    /// (operation id, the call, the `Debug` of its request builder with every argument set).
    pub operations: Vec<(&'static str, ErasedCall, DescribeCall)>,
}

/// The `Debug` of an operation's request builder, every argument set.
pub type DescribeCall = Box<dyn Fn(&Args) -> String + Send + Sync>;

impl Bound {
    pub fn call(&self, id: &str, args: Arc<Args>) -> Call {
        let (_, call, _) = self
            .operations
            .iter()
            .find(|(op, _, _)| *op == id)
            .unwrap_or_else(|| panic!("{}: no operation {id}", self.sdk));
        call(args)
    }
}

pub fn bind<C: Clone + Send + Sync + Debug + 'static>(
    sdk: &'static str,
    operations: Vec<Operation<C>>,
    client: C,
) -> Bound {
    let shown = format!("{client:?} {client:#?}");
    let operations = operations
        .into_iter()
        .map(|op| {
            let (call, describe) = (op.call, op.describe);
            let for_call = client.clone();
            let erased: ErasedCall = Box::new(move |args| call(for_call.clone(), args));
            let for_debug = client.clone();
            let shown: DescribeCall = Box::new(move |args: &Args| describe(&for_debug, args));
            (op.id, erased, shown)
        })
        .collect();
    Bound {
        sdk,
        shown,
        operations,
    }
}

/// The name of every SDK, in the list's order.
pub fn sdk_names() -> Vec<&'static str> {
    every_sdk().iter().map(|sdk| sdk.name).collect()
}

/// One SDK of the provider list (`every_sdk()`).
pub struct Sdk {
    pub name: &'static str,
    pub profile: &'static sdk_core::ApiProfile,
    /// A client of this SDK built with `settings` and `credentials`, every operation bound to it.
    pub bind: fn(&Settings, sdk_core::Credentials) -> Bound,
}

/// Credentials of `sdk` as its spec's security schemes (the manifest) say they are sent, holding `user` and
/// `secret`: HTTP Basic (`user`, `secret`: the runtime keeps both out of its output, some providers put a
/// token in the user name), a bearer token, an API key in a header, or a pair of query parameters (the
/// spec's first is an account id, `42`, not a secret; its second the key). `None` for a scheme the runtime
/// has no built-in credentials for (OAuth 2.0: the SDK's own authenticator; the test builds it).
pub fn spec_credentials(sdk: &str, user: &str, secret: &str) -> Option<sdk_core::Credentials> {
    let manifest = sdk_tests::manifest(sdk);
    let schemes = manifest["security"].as_array().cloned().unwrap_or_default();
    let query: Vec<&str> = schemes
        .iter()
        .filter(|s| s["type"] == "apiKey" && s["in"] == "query")
        .filter_map(|s| s["name"].as_str())
        .collect();
    if let [user_parameter, key_parameter] = query[..] {
        return Some(sdk_core::Credentials::query_pair(
            user_parameter,
            "42",
            key_parameter,
            secret,
        ));
    }
    let scheme = schemes.first()?;
    match (
        scheme["type"].as_str()?,
        scheme["scheme"].as_str(),
        scheme["in"].as_str(),
    ) {
        ("http", Some("basic"), _) => Some(sdk_core::Credentials::basic(user, secret)),
        ("http", Some("bearer"), _) => Some(sdk_core::Credentials::bearer(secret)),
        ("apiKey", _, Some("header")) => {
            sdk_core::Credentials::api_key_header(scheme["name"].as_str()?, secret).ok()
        }
        _ => None,
    }
}

/// Every operation of a spec: id -> (method, path, operation object, parameters shared by its path).
pub fn spec_operations(spec: &Value) -> BTreeMap<String, (String, String, Value)> {
    let mut ops = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        let shared = item.get("parameters").cloned().unwrap_or(json!([]));
        for (method, op) in item.as_object().unwrap() {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let mut op = op.clone();
            // The path's parameters apply to the operation unless it redefines them.
            let own = op.get("parameters").cloned().unwrap_or(json!([]));
            let mut all: Vec<Value> = own.as_array().cloned().unwrap_or_default();
            for p in shared.as_array().cloned().unwrap_or_default() {
                if !all
                    .iter()
                    .any(|o| o.get("name") == p.get("name") && p.get("name").is_some())
                {
                    all.push(p);
                }
            }
            op["parameters"] = Value::Array(all);
            ops.insert(id.to_string(), (method.to_uppercase(), path.clone(), op));
        }
    }
    ops
}

/// Follows `$ref`s (local ones) until a non-reference.
pub fn resolve<'a>(spec: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..32 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return value;
        };
        let pointer = reference.trim_start_matches('#');
        value = spec
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling $ref {reference}"));
    }
    value
}

/// The arguments operations are called with, read from one spec.
pub struct Args {
    pub spec: Value,
    ops: BTreeMap<String, (String, String, Value)>,
    /// When set, every string argument whose name says it is a secret (password, key, token, answer) is
    /// replaced by this value followed by a counter.
    pub sentinel: Option<String>,
    placed: std::sync::atomic::AtomicUsize,
}

fn simple(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn secret_name(name: &str) -> bool {
    let name = simple(name);
    ["pass", "secret", "apikey", "token", "answer"]
        .iter()
        .any(|s| name.contains(s))
}

impl Args {
    pub fn new(sdk: &str) -> Self {
        let spec = sdk_tests::spec(sdk);
        let ops = spec_operations(&spec);
        Self {
            spec,
            ops,
            sentinel: None,
            placed: Default::default(),
        }
    }

    pub fn with_sentinel(mut self, sentinel: &str) -> Self {
        self.sentinel = Some(sentinel.to_string());
        self
    }

    /// How many sentinel values were placed in arguments so far.
    pub fn sentinels_placed(&self) -> usize {
        self.placed.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn operation(&self, id: &str) -> &(String, String, Value) {
        self.ops
            .get(id)
            .unwrap_or_else(|| panic!("operation {id} is not in the spec"))
    }

    pub fn operation_ids(&self) -> Vec<String> {
        self.ops.keys().cloned().collect()
    }

    /// Candidate JSON values for an argument, best first.
    fn candidates(&self, op_id: &str, field: &str) -> Vec<Value> {
        let (_, _, op) = self.operation(op_id);
        let mut out = Vec::new();
        if field == "body" {
            let body = resolve(&self.spec, &op["requestBody"]);
            if let Some(content) = body.get("content").and_then(Value::as_object) {
                for media in content.values() {
                    out.extend(examples(&self.spec, media));
                    if let Some(schema) = media.get("schema") {
                        out.push(synthesize(&self.spec, schema, 0));
                    }
                }
            }
        } else {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let p = resolve(&self.spec, p);
                if simple(p["name"].as_str().unwrap_or_default()) != simple(field) {
                    continue;
                }
                out.extend(examples(&self.spec, p));
                if let Some(schema) = p.get("schema") {
                    let schema = resolve(&self.spec, schema);
                    out.extend(examples(&self.spec, schema));
                    out.extend(schema.get("default").cloned());
                    out.push(synthesize(&self.spec, schema, 0));
                }
            }
        }
        out.extend([
            json!("x1"),
            json!(1),
            json!(true),
            json!("2024-01-01"),
            json!("2024-01-01T00:00:00Z"),
            json!({}),
            json!([]),
        ]);
        out
    }

    fn with_sentinels(&self, field: &str, value: Value) -> Value {
        let Some(sentinel) = &self.sentinel else {
            return value;
        };
        let mut counter = 0;
        let value = place_sentinels(value, secret_name(field), sentinel, &mut counter);
        self.placed
            .fetch_add(counter, std::sync::atomic::Ordering::SeqCst);
        value
    }

    /// The value of a required argument (or body) of an operation, as the setter's type.
    pub fn value<T: DeserializeOwned>(&self, op_id: &str, field: &str) -> T {
        let candidates = self.candidates(op_id, field);
        for candidate in &candidates {
            let marked = self.with_sentinels(field, candidate.clone());
            if let Ok(value) = serde_json::from_value(marked) {
                return value;
            }
            if let Ok(value) = serde_json::from_value(candidate.clone()) {
                return value;
            }
        }
        panic!(
            "{op_id}.{field}: no candidate decodes as {}: {candidates:?}",
            std::any::type_name::<T>()
        )
    }

    /// A path segment argument.
    pub fn segment(&self, op_id: &str, field: &str) -> sdk_core::PathSegment {
        self.candidates(op_id, field)
            .into_iter()
            .filter_map(|c| match self.with_sentinels(field, c) {
                Value::String(s) => Some(s),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .find_map(|s| sdk_core::PathSegment::new(s).ok())
            .expect("some candidate is a valid segment")
    }
}

fn place_sentinels(value: Value, secret: bool, sentinel: &str, counter: &mut usize) -> Value {
    match value {
        Value::String(_) if secret => {
            *counter += 1;
            Value::String(format!("{sentinel}{counter}"))
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let secret = secret_name(&k);
                    (k, place_sentinels(v, secret, sentinel, counter))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| place_sentinels(v, secret, sentinel, counter))
                .collect(),
        ),
        other => other,
    }
}

/// The `example` and every `examples.*.value` of an object (a media type, parameter or schema).
pub fn examples(spec: &Value, holder: &Value) -> Vec<Value> {
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

/// A small value that satisfies `schema` (required members only, first enum value, `minimum`, formats).
pub fn synthesize(spec: &Value, schema: &Value, depth: usize) -> Value {
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
            if let Value::Object(map) = synthesize(spec, part, depth + 1) {
                merged.extend(map);
            }
        }
        return Value::Object(merged);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema.get(key).and_then(|e| e.get(0)) {
            return synthesize(spec, first, depth + 1);
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
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut map = serde_json::Map::new();
            for name in required {
                let property = schema["properties"].get(name).cloned().unwrap_or(json!({}));
                map.insert(name.to_string(), synthesize(spec, &property, depth + 1));
            }
            Value::Object(map)
        }
        "array" => {
            let items = schema.get("items").cloned().unwrap_or(json!({}));
            if schema.get("minItems").and_then(Value::as_u64).unwrap_or(0) > 0 {
                json!([synthesize(spec, &items, depth + 1)])
            } else {
                json!([])
            }
        }
        "integer" => schema.get("minimum").cloned().unwrap_or(json!(1)),
        "number" => schema.get("minimum").cloned().unwrap_or(json!(1.5)),
        "boolean" => json!(true),
        _ => match schema.get("format").and_then(Value::as_str) {
            Some("date") => json!("2024-01-01"),
            Some("date-time") => json!("2024-01-01T00:00:00Z"),
            Some("email") => json!("a@example.com"),
            Some("uuid") => json!("00000000-0000-0000-0000-000000000001"),
            Some("ipv4") => json!("192.0.2.1"),
            _ => {
                let length = schema
                    .get("minLength")
                    .and_then(Value::as_u64)
                    .unwrap_or(2)
                    .max(2);
                Value::String("x".repeat(length as usize))
            }
        },
    }
}

/// A client of SDK `C` on `base_url` with `credentials`, no retries (the fuzz measures response handling).
pub fn client<C: sdk_core::FromParts>(
    profile: &'static sdk_core::ApiProfile,
    credentials: sdk_core::Credentials,
    base_url: &str,
) -> C {
    sdk_core::ClientBuilder::<C>::new(profile, credentials)
        .base_url(base_url)
        .retry_policy(sdk_core::RetryPolicy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("client builds")
}
