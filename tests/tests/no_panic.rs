//! No panic on any answer: every operation of every SDK (the table `tests/build.rs` writes from the
//! manifest) is called against a keep-alive loopback server answering with documented and undocumented
//! statuses and with bodies that are the spec's own examples mutated (so decoders are exercised deep, not only
//! refused at the first byte), random JSON built from the spec's member names, random bytes, truncated
//! examples or nothing. Every call must end without a panic, in a success or a typed error that keeps the
//! status it was answered with. Seeded: a failure names its seed, SDK, operation and answer.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use fastrand::Rng;
use sdk_core::Credentials;
use sdk_tests::faulty::{Answer, FaultyServer};
use sdk_tests::server::Reply;
use serde_json::{Map, Value, json};
use support::{Args, Sdk, Settings, examples, resolve};

/// Answers per operation; with 106 operations this is ~6,000 calls.
const CASES_PER_OPERATION: usize = 60;
const SEED: u64 = 0x5d4_e11e;

const UNDOCUMENTED: &[u16] = &[
    200, 201, 202, 204, 205, 206, 300, 301, 302, 303, 304, 307, 308, 400, 401, 402, 403, 404, 405,
    406, 409, 410, 411, 412, 413, 415, 418, 422, 429, 500, 501, 502, 503, 504, 505, 599,
];

/// What the spec says about one operation's answers.
struct Answers {
    /// Documented statuses (a `4XX`/`5XX`/`default` range picks a random status in it).
    statuses: Vec<String>,
    /// JSON examples by status key, and all of them together.
    by_status: Vec<(String, Vec<Value>)>,
    all: Vec<Value>,
}

fn answers(args: &Args, id: &str) -> Answers {
    let (_, _, op) = args.operation(id);
    let mut statuses = Vec::new();
    let mut by_status = Vec::new();
    let mut all = Vec::new();
    for (status, response) in op["responses"].as_object().into_iter().flatten() {
        statuses.push(status.clone());
        let response = resolve(&args.spec, response);
        let mut found = Vec::new();
        for media in response
            .get("content")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(_, m)| m)
        {
            found.extend(examples(&args.spec, media));
            if let Some(schema) = media.get("schema") {
                found.push(support::synthesize(&args.spec, schema, 0));
            }
        }
        all.extend(found.iter().cloned());
        by_status.push((status.clone(), found));
    }
    Answers {
        statuses,
        by_status,
        all,
    }
}

/// Every member name the spec's schemas declare: random objects are built from them, so they reach fields.
fn vocabulary(spec: &Value) -> Vec<String> {
    fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    out.extend(props.keys().cloned());
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(spec, &mut out);
    out.sort();
    out.dedup();
    out
}

fn random_string(rng: &mut Rng) -> String {
    match rng.u8(0..10) {
        0 => String::new(),
        1 => rng.i64(..).to_string(),
        2 => ["true", "false", "null", "1.5e400", "-0", "NaN"][rng.usize(0..6)].to_string(),
        3 => "2024-02-30T25:61:00Z".to_string(),
        4 => (0..rng.usize(1..40)).map(|_| rng.char(..)).collect(),
        5 => "x".repeat(rng.usize(1000..5000)),
        _ => (0..rng.usize(1..16)).map(|_| rng.alphanumeric()).collect(),
    }
}

fn random_number(rng: &mut Rng) -> Value {
    match rng.u8(0..8) {
        0 => json!(0),
        1 => json!(-1),
        2 => json!(i64::MAX),
        3 => json!(u64::MAX),
        4 => json!(i64::MIN),
        5 => json!(rng.f64() * 1e12 - 5e11),
        6 => json!(1e300),
        _ => json!(rng.i32(..)),
    }
}

fn random_json(rng: &mut Rng, words: &[String], depth: usize) -> Value {
    let pick = if depth >= 4 {
        rng.u8(0..4)
    } else {
        rng.u8(0..7)
    };
    match pick {
        0 => Value::Null,
        1 => json!(rng.bool()),
        2 => random_number(rng),
        3 => Value::String(random_string(rng)),
        4 | 5 => {
            let mut map = Map::new();
            for _ in 0..rng.usize(0..8) {
                let key = if !words.is_empty() && rng.u8(0..4) > 0 {
                    words[rng.usize(0..words.len())].clone()
                } else {
                    random_string(rng)
                };
                map.insert(key, random_json(rng, words, depth + 1));
            }
            Value::Object(map)
        }
        _ => Value::Array(
            (0..rng.usize(0..5))
                .map(|_| random_json(rng, words, depth + 1))
                .collect(),
        ),
    }
}

/// Changes one node of `value`, chosen at random along a random path.
fn mutate(rng: &mut Rng, value: &mut Value, words: &[String], depth: usize) {
    let descend = rng.u8(0..3) > 0 && depth < 8;
    match value {
        Value::Object(map) if descend && !map.is_empty() => {
            let key = map.keys().nth(rng.usize(0..map.len())).unwrap().clone();
            mutate(rng, map.get_mut(&key).unwrap(), words, depth + 1);
        }
        Value::Array(items) if descend && !items.is_empty() => {
            let i = rng.usize(0..items.len());
            mutate(rng, &mut items[i], words, depth + 1);
        }
        Value::Object(map) if !map.is_empty() && rng.bool() => {
            // Drop a member, or add one the schema may not know.
            if rng.bool() {
                let key = map.keys().nth(rng.usize(0..map.len())).unwrap().clone();
                map.remove(&key);
            } else {
                map.insert(random_string(rng), random_json(rng, words, depth + 1));
            }
        }
        Value::Array(items) if rng.bool() => {
            if !items.is_empty() && rng.bool() {
                items.push(items[0].clone());
            } else {
                items.clear();
            }
        }
        Value::String(s) if rng.bool() => {
            // Another string: an unknown enumeration value, an edge-case scalar, a very long value.
            *s = random_string(rng);
        }
        _ => *value = random_json(rng, words, depth + 1),
    }
}

fn status_in(rng: &mut Rng, key: &str) -> u16 {
    match key {
        "4XX" => rng.u16(400..500),
        "5XX" => rng.u16(500..600),
        "default" => rng.u16(200..600),
        other => other.parse().unwrap_or(200),
    }
}

/// Whether a response key of the spec (`404`, `4XX`, `default`) covers `status`.
fn covers(key: &str, status: u16) -> bool {
    match key {
        "4XX" => (400..500).contains(&status),
        "5XX" => (500..600).contains(&status),
        "default" => true,
        other => other.parse() == Ok(status),
    }
}

/// One answer to an operation: status, content type and body.
fn answer(rng: &mut Rng, spec: &Answers, words: &[String]) -> Reply {
    let status = if !spec.statuses.is_empty() && rng.u8(0..10) < 6 {
        let key = &spec.statuses[rng.usize(0..spec.statuses.len())];
        status_in(rng, key)
    } else if rng.bool() {
        UNDOCUMENTED[rng.usize(0..UNDOCUMENTED.len())]
    } else {
        rng.u16(200..600)
    };
    let own: Vec<Value> = spec
        .by_status
        .iter()
        .filter(|(key, _)| covers(key, status))
        .flat_map(|(_, e)| e.iter().cloned())
        .collect();
    let pool = if own.is_empty() { &spec.all } else { &own };
    let example = (!pool.is_empty()).then(|| pool[rng.usize(0..pool.len())].clone());
    let body: Vec<u8> = match (rng.u8(0..20), example) {
        (0..=6, Some(mut example)) => {
            for _ in 0..rng.usize(1..4) {
                mutate(rng, &mut example, words, 0);
            }
            example.to_string().into_bytes()
        }
        (7..=9, Some(example)) => example.to_string().into_bytes(),
        (10..=11, Some(example)) => {
            let text = example.to_string().into_bytes();
            text[..rng.usize(0..=text.len())].to_vec()
        }
        (12..=15, _) => random_json(rng, words, 0).to_string().into_bytes(),
        (16..=17, _) => (0..rng.usize(0..300)).map(|_| rng.u8(..)).collect(),
        (18, _) => Vec::new(),
        _ => random_json(rng, words, 1).to_string().into_bytes(),
    };
    // HTTP: these statuses have no body (a body would be read as the next answer on the connection).
    let body = if matches!(status, 204 | 205 | 304) {
        Vec::new()
    } else {
        body
    };
    let content_type = match rng.u8(0..10) {
        0 => Some("text/html"),
        1 => Some("application/octet-stream"),
        2 => None,
        3 => Some("application/json; charset=utf-8"),
        _ => Some("application/json"),
    };
    Reply {
        status,
        content_type: content_type.map(str::to_string),
        body,
        headers: vec![],
    }
}

/// Runs every operation of one SDK against fuzzed answers; returns (SDK, cases, failures, outcomes).
async fn fuzz(
    sdk: Sdk,
    seed: u64,
) -> (
    &'static str,
    usize,
    Vec<String>,
    std::collections::BTreeMap<&'static str, usize>,
) {
    let slot = Arc::new(Mutex::new(Reply::empty(200)));
    let shared = slot.clone();
    let server =
        FaultyServer::start(move |_, _| Answer::Reply(shared.lock().unwrap().clone())).await;
    let bound = (sdk.bind)(&settings(&server.url("")), Credentials::None);
    let args = Arc::new(Args::new(sdk.name));
    let words = vocabulary(&args.spec);
    let mut rng = Rng::with_seed(seed);
    let (mut cases, mut failures) = (0, Vec::new());
    let mut outcomes = std::collections::BTreeMap::new();
    let name = sdk.name;
    for (id, call, _) in &bound.operations {
        let spec = answers(&args, id);
        for _ in 0..CASES_PER_OPERATION {
            let reply = answer(&mut rng, &spec, &words);
            *slot.lock().unwrap() = reply.clone();
            cases += 1;
            let call = tokio::spawn(call(args.clone()));
            let shown_body =
                || String::from_utf8_lossy(&reply.body[..reply.body.len().min(300)]).to_string();
            match call.await {
                Err(panic) => failures.push(format!(
                    "{name}.{id}: PANIC {panic:?} on {} {:?} {}",
                    reply.status,
                    reply.content_type,
                    shown_body()
                )),
                Ok(observed)
                    if observed.status != Some(reply.status)
                        || matches!(
                            observed.kind,
                            "other" | "invalid_request" | "communication"
                        ) =>
                {
                    failures.push(format!(
                        "{name}.{id}: answered {} {:?} {}, got {} with status {:?}: {}",
                        reply.status,
                        reply.content_type,
                        shown_body(),
                        observed.kind,
                        observed.status,
                        observed.shown.lines().next().unwrap_or_default()
                    ))
                }
                Ok(observed) => *outcomes.entry(observed.kind).or_insert(0) += 1,
            }
        }
    }
    (name, cases, failures, outcomes)
}

/// Clients of the fuzz: no retries (it measures response handling), 10 s per attempt, no credentials.
fn settings(url: &str) -> Settings {
    Settings {
        retry: Some(sdk_core::RetryPolicy::none()),
        timeout: Some(std::time::Duration::from_secs(10)),
        ..Settings::new(url)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_answer_makes_any_operation_of_any_sdk_panic_or_lose_its_status() {
    let started = Instant::now();
    // One seed per SDK, in the list's order.
    let runs: Vec<_> = support::every_sdk()
        .into_iter()
        .zip(SEED..)
        .map(|(sdk, seed)| tokio::spawn(fuzz(sdk, seed)))
        .collect();
    let mut failures = Vec::new();
    let mut total = 0;
    for run in runs {
        let (sdk, cases, mut failed, outcomes) =
            run.await.expect("the fuzz task itself does not panic");
        let operations = Args::new(sdk).operation_ids().len();
        sdk_tests::report(format!(
            "fuzz: {sdk}: {cases} cases over {operations} operations, {} failure(s); outcomes {outcomes:?}",
            failed.len()
        ));
        total += cases;
        failures.append(&mut failed);
    }
    sdk_tests::report(format!(
        "fuzz: {total} cases in all in {:?} (seed {SEED:#x})",
        started.elapsed()
    ));
    assert!(
        failures.is_empty(),
        "{} failing case(s), first 20:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_operation_table_covers_every_operation_of_every_spec() {
    let mut names = Vec::new();
    for sdk in support::every_sdk() {
        let bound = (sdk.bind)(&settings("http://127.0.0.1:9"), Credentials::None);
        let mut ids: Vec<&str> = bound.operations.iter().map(|(id, _, _)| *id).collect();
        ids.sort_unstable();
        let spec_ids = Args::new(sdk.name).operation_ids();
        assert_eq!(
            ids, spec_ids,
            "{}: every operation of the spec, once",
            sdk.name
        );
        names.push(sdk.name.to_string());
    }
    // Every spec of specs/ is a provider of the list (a spec without an entry would be tested by nothing).
    let mut specs: Vec<String> = std::fs::read_dir(sdk_tests::workspace_root().join("specs"))
        .expect("specs/")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            Some(name.strip_suffix(".yaml")?.to_string())
        })
        .collect();
    specs.sort();
    names.sort();
    assert_eq!(names, specs, "the provider list and the specs of specs/");
}

/// Every request of every operation of one SDK, as the server received them (answered `204`).
async fn requests_of(sdk: Sdk) -> Vec<(String, sdk_tests::server::Recorded)> {
    let server = FaultyServer::always(Answer::Reply(Reply::empty(204))).await;
    let bound = (sdk.bind)(&settings(&server.url("")), Credentials::None);
    let args = Arc::new(Args::new(sdk.name));
    let mut ids = Vec::new();
    for (id, call, _) in &bound.operations {
        let _ = call(args.clone()).await;
        ids.push(format!("{}.{id}", sdk.name));
    }
    let requests = server.requests();
    assert_eq!(
        requests.len(),
        ids.len(),
        "{}: one request per operation",
        sdk.name
    );
    ids.into_iter().zip(requests).collect()
}

/// progenitor adds `api-version: <info.version>` to every request; no provider's document defines that
/// header (ARCHITECTURE.md: requests carry what the spec declares), so no request may carry it.
#[tokio::test]
async fn no_request_of_any_operation_of_any_sdk_carries_an_api_version_header() {
    let mut requests = Vec::new();
    for sdk in support::every_sdk() {
        requests.extend(requests_of(sdk).await);
    }
    let carrying: Vec<String> = requests
        .iter()
        .filter_map(|(op, request)| {
            request
                .header("api-version")
                .map(|value| format!("{op}: api-version: {value}"))
        })
        .collect();
    sdk_tests::report(format!(
        "headers: {} requests of {} operations checked, {} carry `api-version`",
        requests.len(),
        requests.len(),
        carrying.len()
    ));
    assert!(
        carrying.is_empty(),
        "{} of {} requests carry an `api-version` header, e.g.:\n{}",
        carrying.len(),
        requests.len(),
        carrying[..carrying.len().min(5)].join("\n")
    );
}
