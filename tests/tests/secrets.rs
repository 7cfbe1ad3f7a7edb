//! Secrets sweep: every SDK of the provider list, with sentinel credentials of the kind its spec's security
//! schemes describe (MailUp: its own OAuth authenticator), and every operation (the table `tests/build.rs`
//! writes from the manifest) called with sentinel passwords in every argument whose name says it is a secret, through every kind of failure: transport error (refused), timeout, documented error,
//! unexpected response, undecodable body, too-large body; plus build errors and the `Debug` of clients,
//! client builders and request builders. No sentinel may appear in any `Display`, `Debug`, error source, or in
//! any `log`/`tracing` record emitted meanwhile (a logger captures everything at trace level). The server
//! must have received the sentinels, so their absence from what the caller sees means something.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sdk_core::{Credentials, RetryPolicy};
use sdk_tests::faulty::{Answer, FaultyServer, refused_url};
use sdk_tests::hostile::{capture_logs, take_logs};
use sdk_tests::server::{Recorded, Reply};
use serde_json::json;
use support::{Args, Bound, Observed, Sdk, Settings, resolve};

/// Every secret of this test starts with this; nothing the caller sees may contain it.
const SENTINEL: &str = "S3NT1NEL";
const KEY: &str = "S3NT1NEL-key";
const PASSWORD: &str = "S3NT1NEL-password";
const TOKEN: &str = "S3NT1NEL-token";

// ---------------------------------------------------------------------------------------------------------

/// What one SDK's sweep saw.
#[derive(Default)]
struct Sweep {
    /// Text the caller can see, with where it came from.
    shown: Vec<(String, String)>,
    calls: usize,
    /// Calls answered by a server echoing the request.
    echoed: usize,
    kinds: std::collections::BTreeMap<&'static str, usize>,
    /// Every operation called, with its method and path template (from the spec).
    routes: Vec<(&'static str, String, String)>,
}

impl Sweep {
    fn saw(&mut self, origin: String, observed: &Observed) {
        self.calls += 1;
        *self.kinds.entry(observed.kind).or_default() += 1;
        self.shown.push((origin, observed.shown.clone()));
    }
}

/// The first documented status of an operation that is not a success, and one that is.
fn documented(args: &Args, id: &str) -> (Option<u16>, Option<u16>) {
    let (_, _, op) = args.operation(id);
    let statuses: Vec<u16> = op["responses"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, _)| k.parse().ok())
        .collect();
    let error = statuses.iter().copied().find(|s| *s >= 400);
    let success = statuses
        .iter()
        .copied()
        .find(|s| (200..300).contains(s) && *s != 204);
    (error, success)
}

/// An answer built from the operation's documented error body (its first example, else a plain object).
fn documented_error(args: &Args, id: &str, status: u16) -> Reply {
    let (_, _, op) = args.operation(id);
    let response = resolve(&args.spec, &op["responses"][status.to_string()]);
    let example = response
        .get("content")
        .and_then(|c| c.as_object())
        .and_then(|c| c.values().next())
        .and_then(|media| support::examples(&args.spec, media).into_iter().next());
    match example {
        Some(body) => Reply::json(status, body),
        None if response.get("content").is_some() => Reply::json(status, json!({"message": "no"})),
        None => Reply::empty(status),
    }
}

/// The status of an echoing answer, and the documented error body whose strings it fills.
type Echo = (u16, Option<serde_json::Value>);

/// An answer that copies the request back: its target (path and query) into `Location` (relative) and
/// `Content-Location` (absolute, with user info), its headers and body into `X-Echo-*` headers, and all of it
/// into the body: every string of `template` (a documented error body), else a text body.
fn echo(request: &Recorded, status: u16, template: Option<serde_json::Value>) -> Reply {
    let headers: String = request
        .headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}; "))
        .collect();
    // A captcha `answer` is not a secret of any spec (no `format: password`), so the runtime does not scrub it;
    // the sweep's argument sentinels put one there (builders' `Debug` hides it): it is not echoed.
    let body = match serde_json::from_slice::<serde_json::Value>(&request.body) {
        Ok(mut json) => {
            if let Some(answer) = json.pointer_mut("/captcha/answer") {
                *answer = json!("not-echoed");
            }
            json.to_string()
        }
        Err(_) => String::from_utf8_lossy(&request.body).into_owned(),
    };
    let everything = format!("{} {} {headers} {body}", request.method, request.target);
    // Header values: visible ASCII and spaces only.
    let header_safe = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    ' '
                }
            })
            .collect()
    };
    let reply = match template {
        Some(mut template) => {
            fn fill(value: &mut serde_json::Value, text: &str) {
                match value {
                    serde_json::Value::String(s) => *s = text.to_string(),
                    serde_json::Value::Array(items) => items.iter_mut().for_each(|v| fill(v, text)),
                    serde_json::Value::Object(map) => map.values_mut().for_each(|v| fill(v, text)),
                    _ => {}
                }
            }
            fill(&mut template, &everything);
            Reply::json(status, template)
        }
        None => Reply::raw(status, "text/plain", everything.clone()),
    };
    reply
        .with_header("location", &header_safe(&request.target))
        .with_header(
            "content-location",
            &header_safe(&format!(
                "http://echo:{PASSWORD}@127.0.0.1{}",
                request.target
            )),
        )
        .with_header("x-echo-headers", &header_safe(&headers))
        .with_header("x-echo-body", &header_safe(&body))
        .with_header(
            "x-echo-json",
            &header_safe(&serde_json::to_string(&body).unwrap_or_default()),
        )
}

/// Runs every operation of one SDK through every failure. `make(url, token_server, timeout)` builds the SDK's client with
/// sentinel credentials through the SDK's own constructor.
async fn sweep(
    sdk: &Sdk,
    credentials: impl Fn(&str) -> Credentials,
    token_path: Option<&'static str>,
) -> (Sweep, Vec<Recorded>) {
    let make = |url: &str, tokens: &str, timeout: Duration| {
        let settings = Settings {
            timeout: Some(timeout),
            retry: Some(RetryPolicy::none()),
            ..Settings::new(url)
        };
        (sdk.bind)(&settings, credentials(tokens))
    };
    let sdk = sdk.name;
    let args = Arc::new(Args::new(sdk).with_sentinel(&format!("{SENTINEL}-arg-")));
    let mut sweep = Sweep::default();
    let scenario: Arc<Mutex<Answer>> = Arc::new(Mutex::new(Answer::Silence));
    // When set, the answer echoes the request (see `echo`) with this status and body template.
    let echoing: Arc<Mutex<Option<Echo>>> = Arc::new(Mutex::new(None));
    let (shared, echoes) = (scenario.clone(), echoing.clone());
    let server = FaultyServer::start(move |request, _| {
        if token_path.is_some_and(|p| request.path().starts_with(p)) {
            return Answer::Reply(Reply::json(
                200,
                json!({"access_token": TOKEN, "refresh_token": format!("{TOKEN}-refresh"), "expires_in": 3600}),
            ));
        }
        if let Some((status, template)) = echoes.lock().unwrap().clone() {
            return Answer::Reply(echo(request, status, template));
        }
        shared.lock().unwrap().clone()
    })
    .await;
    // `make(api, tokens, timeout)`: MailUp's OAuth always gets its tokens from the main server.
    let tokens = server.url("");
    let client = make(&server.url(""), &tokens, Duration::from_secs(5));
    // Timeouts from a server that never answers, all operations at once (one at a time would take long).
    let silent = FaultyServer::always(Answer::Silence).await;
    let quick = make(&silent.url(""), &tokens, Duration::from_millis(200));
    let refused = make(&refused_url("").await, &tokens, Duration::from_secs(5));
    sweep
        .shown
        .push(("client Debug".into(), client.shown.clone()));
    for (i, (id, _, describe)) in client.operations.iter().enumerate() {
        let id = *id;
        let (method, template, _) = args.operation(id);
        sweep
            .routes
            .push((id, method.to_uppercase(), template.to_string()));
        sweep
            .shown
            .push((format!("{id}: builder Debug"), describe(args.as_ref())));
        let (error_status, success_status) = documented(&args, id);
        let mut scenarios: Vec<(&str, Answer, &Bound)> = vec![
            ("refused", Answer::Silence, &refused),
            (
                "unexpected",
                Answer::Reply(Reply::raw(418, "text/plain", "I'm a teapot")),
                &client,
            ),
            (
                "reset",
                Answer::RawThenReset(b"HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n{".to_vec()),
                &client,
            ),
        ];
        if let Some(status) = error_status {
            scenarios.push((
                "documented",
                Answer::Reply(documented_error(&args, id, status)),
                &client,
            ));
        }
        if let Some(status) = success_status {
            scenarios.push((
                "undecodable",
                Answer::Reply(Reply::raw(status, "application/json", "{not json")),
                &client,
            ));
        }
        for (name, answer, client) in scenarios {
            *scenario.lock().unwrap() = answer;
            let observed = (client.operations[i].1)(args.clone()).await;
            sweep.saw(format!("{id}: {name}"), &observed);
        }
        // A server that copies the request (query, headers, body) into `Location`, other headers and the
        // body: of a redirect, of the documented error (its body's strings), of a success.
        let mut echoes = vec![("echo: redirect", 302, None)];
        if let Some(status) = error_status {
            let template = documented_error(&args, id, status);
            let template = serde_json::from_slice(&template.body).ok();
            echoes.push(("echo: documented error", status, template));
        }
        if let Some(status) = success_status {
            echoes.push(("echo: success", status, None));
        }
        for (name, status, template) in echoes {
            *echoing.lock().unwrap() = Some((status, template));
            let observed = (client.operations[i].1)(args.clone()).await;
            sweep.saw(format!("{id}: {name}"), &observed);
            sweep.echoed += 1;
        }
        *echoing.lock().unwrap() = None;
    }
    let timeouts = futures_util::future::join_all(quick.operations.iter().map(|(id, call, _)| {
        let args = args.clone();
        async move { (*id, call(args).await) }
    }))
    .await;
    for (id, observed) in timeouts {
        sweep.saw(format!("{id}: timeout"), &observed);
    }
    sdk_tests::report(format!(
        "secrets: {sdk}: {} calls over {} operations ({:?}), {} answers echoing the request, {} sentinel password(s) placed in arguments",
        sweep.calls,
        client.operations.len(),
        sweep.kinds,
        sweep.echoed,
        args.sentinels_placed()
    ));
    let requests = server.requests();
    (sweep, requests)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_any_debug_display_error_or_log_of_any_sdk() {
    capture_logs();
    let mut shown: Vec<(String, String)> = Vec::new();
    let mut wire = 0;
    let mut routes = Vec::new();

    let mut runs = Vec::new();
    for sdk in support::every_sdk() {
        // MailUp authenticates with OAuth 2.0 (its own authenticator, tokens from the sweep's server);
        // every other SDK with the credentials its spec's security schemes describe.
        let run = match sdk.name {
            "mailup" => {
                sweep(
                    &sdk,
                    |tokens| {
                        sdk_mailup::OAuth::builder("app-1", KEY, "user@example.com", PASSWORD)
                            .token_url(format!("{tokens}/Authorization/OAuth/Token"))
                            .build()
                            .expect("oauth builds")
                            .into()
                    },
                    Some("/Authorization/OAuth/Token"),
                )
                .await
            }
            name => {
                let credentials =
                    support::spec_credentials(name, TOKEN, KEY).unwrap_or_else(|| {
                        panic!("{name}: no sentinel credentials for its security scheme")
                    });
                sweep(&sdk, |_| credentials.clone(), None).await
            }
        };
        runs.push((sdk.name, run));
    }
    for (sdk, (sweep, requests)) in runs {
        // The sentinels did go out (headers, queries, bodies), so not seeing them below means something.
        let sent = requests
            .iter()
            .filter(|r| {
                let raw = format!(
                    "{} {:?} {}",
                    r.target,
                    r.headers,
                    String::from_utf8_lossy(&r.body)
                );
                raw.contains(SENTINEL)
                    || r.header("authorization")
                        .is_some_and(|a| a.starts_with("Basic "))
            })
            .count();
        assert!(sent > 0, "{sdk}: no request carried a sentinel");
        wire += sent;
        routes.extend(sweep.routes.iter().map(|r| (sdk, r.clone())));
        shown.extend(
            sweep
                .shown
                .into_iter()
                .map(|(origin, text)| (format!("{sdk}: {origin}"), text)),
        );
    }

    // Build errors, and the Debug of client builders, holding sentinels.
    let builders: Vec<(String, String)> = vec![
        (
            "mailchannels builder".into(),
            format!(
                "{:?}",
                sdk_mailchannels::Client::builder(sdk_mailchannels::Credentials::api_key(KEY))
            ),
        ),
        (
            "hostway builder".into(),
            format!(
                "{:?}",
                sdk_hostway::Client::builder(sdk_hostway::Credentials::account_owner(
                    "owner", PASSWORD
                ))
            ),
        ),
        (
            "resellerclub builder".into(),
            format!(
                "{:?}",
                sdk_resellerclub::Client::builder(sdk_resellerclub::Credentials::new(42, KEY))
            ),
        ),
        (
            "mailup oauth builder".into(),
            format!(
                "{:?}",
                sdk_mailup::OAuth::builder("app", KEY, "user", PASSWORD)
            ),
        ),
        (
            "build error: password in the base URL".into(),
            show_build_error(
                sdk_hostway::Client::builder(sdk_hostway::Credentials::account_owner(
                    "owner", PASSWORD,
                ))
                .base_url(format!("ftp://owner:{PASSWORD}@example.com/"))
                .build(),
            ),
        ),
        (
            "build error: unparsable base URL with a password".into(),
            show_build_error(
                sdk_mailchannels::Client::builder(sdk_mailchannels::Credentials::api_key(KEY))
                    .base_url(format!("http://owner:{PASSWORD}@[::1/"))
                    .build(),
            ),
        ),
        (
            "build error: a header-invalid key".into(),
            show_build_error(
                sdk_mailchannels::Client::builder(sdk_mailchannels::Credentials::api_key(format!(
                    "{KEY}\n"
                )))
                .build(),
            ),
        ),
        (
            "build error: a Basic user with a colon".into(),
            show_build_error(
                sdk_greenview::Client::builder(sdk_greenview::Credentials::api_key(
                    format!("{TOKEN}:x"),
                    KEY,
                ))
                .build(),
            ),
        ),
    ];
    shown.extend(builders);
    let logs = take_logs();
    let log_lines = logs.lines().count();
    // Every call of every operation had its span, naming the operation, its method and its route template
    // (never the URL, whose query may hold a secret), so the sentinel check below covers span fields too.
    let spans: Vec<&str> = logs
        .lines()
        .filter(|l| l.starts_with("span sdk.call:"))
        .collect();
    let unspanned: Vec<String> = routes
        .iter()
        .filter(|(_, (id, method, template))| {
            !spans.iter().any(|span| {
                span.contains(&format!(" operation=\"{id}\""))
                    && span.contains(&format!(" method=\"{method}\""))
                    && span.contains(&format!(" route=\"{template}\""))
            })
        })
        .map(|(sdk, (id, method, template))| format!("{sdk}: {id} ({method} {template})"))
        .collect();
    assert!(
        unspanned.is_empty(),
        "{} of {} operations had no `sdk.call` span with their operation, method and route: {}",
        unspanned.len(),
        routes.len(),
        unspanned.join(", ")
    );
    shown.push(("log records".into(), logs));

    // The Debug of clients built on a base URL with a password.
    shown.push((
        "client Debug: password in the base URL".into(),
        format!(
            "{:?}",
            sdk_hostway::Client::builder(sdk_hostway::Credentials::account_owner("owner", "pw"))
                .base_url(format!("http://owner:{PASSWORD}@example.com/api"))
                .build()
                .expect("client builds")
        ),
    ));
    let found: Vec<String> = shown
        .iter()
        .filter(|(_, text)| text.contains(SENTINEL))
        .map(|(origin, text)| {
            let at = text.find(SENTINEL).unwrap();
            let start = text[..at]
                .char_indices()
                .rev()
                .nth(80)
                .map_or(0, |(i, _)| i);
            format!(
                "{origin}: ...{}...",
                &text[start..(at + 40).min(text.len())]
            )
        })
        .collect();
    sdk_tests::report(format!(
        "secrets: {} texts checked, {log_lines} log records captured, {wire} requests carried sentinels; secrets found: {}",
        shown.len(),
        found.len()
    ));
    assert!(
        log_lines > 0,
        "the logger captured records (else the log check proves nothing)"
    );
    assert!(found.is_empty(), "secrets found:\n{}", found.join("\n"));
}

fn show_build_error<C>(result: Result<C, sdk_core::BuildError>) -> String {
    match result {
        Ok(_) => panic!("expected a build error"),
        Err(e) => format!("{e} {e:?}"),
    }
}
