//! Secrets sweep: every SDK, built through its own constructors with sentinel credentials, and every operation
//! (the table derived from the generated code) called with sentinel passwords in every argument whose name says
//! it is a secret, through every kind of failure: transport error (refused), timeout, documented error,
//! unexpected response, undecodable body, too-large body; plus build errors and the `Debug` of clients,
//! client builders and request builders. No sentinel may appear in any `Display`, `Debug`, error source, or in
//! any `log`/`tracing` record emitted meanwhile (a logger captures everything at trace level). The server
//! must have received the sentinels, so their absence from what the caller sees means something.

mod support;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use sdk_core::{Credentials, RetryPolicy};
use sdk_tests::faulty::{Answer, FaultyServer, refused_url};
use sdk_tests::server::{Recorded, Reply};
use serde_json::json;
use support::{Args, Observed, Operation, resolve};

/// Every secret of this test starts with this; nothing the caller sees may contain it.
const SENTINEL: &str = "S3NT1NEL";
const KEY: &str = "S3NT1NEL-key";
const PASSWORD: &str = "S3NT1NEL-password";
const TOKEN: &str = "S3NT1NEL-token";

// ---------------------------------------------------------------------------------------------------------
// A logger that keeps every record: `log` (reqwest) and `tracing` (hyper-util), at trace level.

static LOGS: Mutex<String> = Mutex::new(String::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        let _ = writeln!(
            LOGS.lock().unwrap(),
            "{} {}: {}",
            record.level(),
            record.target(),
            record.args()
        );
    }
    fn flush(&self) {}
}

struct Fields(String);

impl tracing_core::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing_core::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

struct TraceCapture;

impl tracing_core::Subscriber for TraceCapture {
    fn enabled(&self, _: &tracing_core::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing_core::span::Attributes<'_>) -> tracing_core::span::Id {
        let mut fields = Fields(format!("span {}:", span.metadata().name()));
        span.record(&mut fields);
        LOGS.lock().unwrap().push_str(&(fields.0 + "\n"));
        tracing_core::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing_core::span::Id, values: &tracing_core::span::Record<'_>) {
        let mut fields = Fields("span record:".into());
        values.record(&mut fields);
        LOGS.lock().unwrap().push_str(&(fields.0 + "\n"));
    }
    fn record_follows_from(&self, _: &tracing_core::span::Id, _: &tracing_core::span::Id) {}
    fn event(&self, event: &tracing_core::Event<'_>) {
        let mut fields = Fields(format!(
            "{} {}:",
            event.metadata().level(),
            event.metadata().target()
        ));
        event.record(&mut fields);
        LOGS.lock().unwrap().push_str(&(fields.0 + "\n"));
    }
    fn enter(&self, _: &tracing_core::span::Id) {}
    fn exit(&self, _: &tracing_core::span::Id) {}
    fn max_level_hint(&self) -> Option<tracing_core::LevelFilter> {
        Some(tracing_core::LevelFilter::TRACE)
    }
}

fn capture_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        log::set_logger(&Capture).expect("no other logger");
        log::set_max_level(log::LevelFilter::Trace);
        tracing_core::dispatcher::set_global_default(tracing_core::Dispatch::new(TraceCapture))
            .expect("no other subscriber");
    });
}

// ---------------------------------------------------------------------------------------------------------

/// What one SDK's sweep saw.
#[derive(Default)]
struct Sweep {
    /// Text the caller can see, with where it came from.
    shown: Vec<(String, String)>,
    calls: usize,
    kinds: std::collections::BTreeMap<&'static str, usize>,
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

/// Runs every operation of one SDK through every failure. `make(url, token_server, timeout)` builds the SDK's client with
/// sentinel credentials through the SDK's own constructor.
async fn sweep<C: Clone + Send + Sync + std::fmt::Debug + 'static>(
    sdk: &'static str,
    operations: Vec<Operation<C>>,
    make: impl Fn(&str, &str, Duration) -> C,
    token_path: Option<&'static str>,
) -> (Sweep, Vec<Recorded>) {
    let args = Arc::new(Args::new(sdk).with_sentinel(&format!("{SENTINEL}-arg-")));
    let mut sweep = Sweep::default();
    let scenario: Arc<Mutex<Answer>> = Arc::new(Mutex::new(Answer::Silence));
    let shared = scenario.clone();
    let server = FaultyServer::start(move |request, _| {
        if token_path.is_some_and(|p| request.path().starts_with(p)) {
            return Answer::Reply(Reply::json(
                200,
                json!({"access_token": TOKEN, "refresh_token": format!("{TOKEN}-refresh"), "expires_in": 3600}),
            ));
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
        .push(("client Debug".into(), format!("{client:?} {client:#?}")));
    for op in &operations {
        sweep.shown.push((
            format!("{}: builder Debug", op.id),
            (op.describe)(&client, &args),
        ));
        let (error_status, success_status) = documented(&args, op.id);
        let mut scenarios: Vec<(&str, Answer, &C)> = vec![
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
                Answer::Reply(documented_error(&args, op.id, status)),
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
            let observed = (op.call)(client.clone(), args.clone()).await;
            sweep.saw(format!("{}: {name}", op.id), &observed);
        }
    }
    let timeouts = futures_util::future::join_all(
        operations
            .iter()
            .map(|op| (op.call)(quick.clone(), args.clone())),
    )
    .await;
    for (op, observed) in operations.iter().zip(timeouts) {
        sweep.saw(format!("{}: timeout", op.id), &observed);
    }
    sdk_tests::report(format!(
        "secrets: {sdk}: {} calls over {} operations ({:?}), {} sentinel password(s) placed in arguments",
        sweep.calls,
        operations.len(),
        sweep.kinds,
        args.sentinels_placed()
    ));
    let requests = server.requests();
    (sweep, requests)
}

fn with_timeout<C: sdk_core::FromParts>(
    builder: sdk_core::ClientBuilder<C>,
    url: &str,
    timeout: Duration,
) -> C {
    builder
        .base_url(url)
        .timeout(timeout)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client builds")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_any_debug_display_error_or_log_of_any_sdk() {
    capture_logs();
    let mut shown: Vec<(String, String)> = Vec::new();
    let mut wire = 0;

    let runs = vec![
        sweep(
            "mailchannels",
            support::mailchannels_operations(),
            |url, _, t| with_timeout(sdk_mailchannels::Client::builder(KEY), url, t),
            None,
        )
        .await,
        sweep(
            "mailup",
            support::mailup_operations(),
            |url, tokens, t| {
                let oauth = sdk_mailup::OAuth::builder("app-1", KEY, "user@example.com", PASSWORD)
                    .token_url(format!("{tokens}/Authorization/OAuth/Token"))
                    .build()
                    .expect("oauth builds");
                with_timeout(sdk_mailup::Client::builder(oauth), url, t)
            },
            Some("/Authorization/OAuth/Token"),
        )
        .await,
        sweep(
            "hostway",
            support::hostway_operations(),
            |url, _, t| {
                with_timeout(
                    sdk_hostway::Client::builder(Credentials::basic("owner-7", PASSWORD)),
                    url,
                    t,
                )
            },
            None,
        )
        .await,
        sweep(
            "greenview",
            support::greenview_operations(),
            |url, _, t| {
                with_timeout(
                    sdk_greenview::Client::builder(Credentials::basic(TOKEN, KEY)),
                    url,
                    t,
                )
            },
            None,
        )
        .await,
        sweep(
            "resellerclub",
            support::resellerclub_operations(),
            |url, _, t| {
                with_timeout(
                    sdk_resellerclub::Client::builder(sdk_resellerclub::Environment::Test, 42, KEY),
                    url,
                    t,
                )
            },
            None,
        )
        .await,
    ];
    for (sdk, (sweep, requests)) in support::SDKS.iter().zip(runs) {
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
            format!("{:?}", sdk_mailchannels::Client::builder(KEY)),
        ),
        (
            "hostway builder".into(),
            format!(
                "{:?}",
                sdk_hostway::Client::builder(Credentials::basic("owner", PASSWORD))
            ),
        ),
        (
            "resellerclub builder".into(),
            format!(
                "{:?}",
                sdk_resellerclub::Client::builder(sdk_resellerclub::Environment::Live, 42, KEY)
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
                sdk_hostway::Client::builder(Credentials::basic("owner", PASSWORD))
                    .base_url(format!("ftp://owner:{PASSWORD}@example.com/"))
                    .build(),
            ),
        ),
        (
            "build error: unparsable base URL with a password".into(),
            show_build_error(
                sdk_mailchannels::Client::builder(KEY)
                    .base_url(format!("http://owner:{PASSWORD}@[::1/"))
                    .build(),
            ),
        ),
        (
            "build error: a header-invalid key".into(),
            show_build_error(sdk_mailchannels::Client::builder(format!("{KEY}\n")).build()),
        ),
        (
            "build error: a Basic user with a colon".into(),
            show_build_error(
                sdk_greenview::Client::builder(Credentials::basic(format!("{TOKEN}:x"), KEY))
                    .build(),
            ),
        ),
    ];
    shown.extend(builders);
    let logs = std::mem::take(&mut *LOGS.lock().unwrap());
    let log_lines = logs.lines().count();
    shown.push(("log records".into(), logs));

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
