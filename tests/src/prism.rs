//! A judge we did not write: the Prism mock server (`@stoplight/prism-cli`, pinned in `package.json`,
//! installed by `npm ci`). Prism validates each request against a provider's spec (parameters, body,
//! content type, presence of credentials) and answers with the spec's own examples; with `--errors`, a
//! request it rejects gets an error status and an `sl-violations` header, and an example that breaks its own
//! schema gets a 500.
//!
//! [`Prism::start`] runs one server per provider on a free loopback port, behind a small forwarding recorder
//! (Prism accepts query parameters the spec does not declare, so the judge checks the recorded requests
//! itself); dropping the [`Prism`] kills it, also when a test panics. [`Judge`] calls every operation of the
//! spec through the SDK and collects every failure before reporting them all.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::fs::File;
use std::future::Future;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sdk_core::{Error, ResponseValue};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::server::{Recorded, read_request};
use crate::workspace_root;

/// How long Prism may take to start listening (about 2 s on an idle 2-core machine, over 10 s when several
/// start at once on busy cores).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `prism mock --errors` server; killed when dropped.
pub struct Prism {
    child: Child,
    /// Where the SDK's base URL must point (the recorder in front of Prism): Prism mounts the routes at `/`,
    /// whatever the path of the spec's `servers[0].url` (`/api` for ResellerClub, `/reseller/v1` for
    /// MailChannels).
    pub base_url: String,
    recorded: Arc<Mutex<Vec<Recorded>>>,
    recorder: Option<tokio::task::JoinHandle<()>>,
    log: PathBuf,
    /// How long Prism took to listen.
    pub startup: Duration,
}

impl Prism {
    /// Starts Prism on `specs/<provider>.yaml`, and waits until it listens. Panics (failing the test, never
    /// skipping it) when Prism is not installed or does not start. Call it inside a Tokio runtime (the
    /// recorder runs there).
    pub fn start(provider: &str) -> Prism {
        let root = workspace_root();
        let prism = root.join("node_modules/.bin/prism");
        assert!(
            prism.exists(),
            "{} is missing: run `npm ci --no-audit --no-fund` in the workspace root (package.json pins \
             @stoplight/prism-cli); the Prism contract suite cannot run without it",
            prism.display()
        );
        let spec = root.join("specs").join(format!("{provider}.yaml"));
        let port = free_port();
        let log = std::env::temp_dir().join(format!(
            "prism-{provider}-{}-{port}.log",
            std::process::id()
        ));
        let out = File::create(&log).expect("a log file for Prism");
        let err = out.try_clone().expect("a log file for Prism");
        let child = Command::new(&prism)
            .args([
                "mock",
                "--errors",
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .arg(&spec)
            .current_dir(&root)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", prism.display()));
        let mut server = Prism {
            child,
            base_url: String::new(),
            recorded: Arc::default(),
            recorder: None,
            log,
            startup: Duration::ZERO,
        };
        let started = Instant::now();
        server.wait_until_listening(port);
        server.startup = started.elapsed();
        server.start_recorder(SocketAddr::from(([127, 0, 0, 1], port)));
        server
    }

    /// A loopback listener that records each request and forwards it to Prism, one request per connection.
    fn start_recorder(&mut self, prism: SocketAddr) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port for the recorder");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        self.base_url = format!("http://{}", listener.local_addr().expect("an address"));
        let listener =
            tokio::net::TcpListener::from_std(listener).expect("Prism::start runs inside Tokio");
        let recorded = Arc::clone(&self.recorded);
        self.recorder = Some(tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(forward(socket, prism, Arc::clone(&recorded)));
            }
        }));
    }

    /// The requests that reached Prism since the last call, in order.
    pub fn take_requests(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.recorded.lock().expect("the recorder's list"))
    }

    fn wait_until_listening(&mut self, port: u16) {
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "Prism exited ({status}) before listening on {address}:\n{}",
                    self.log()
                );
            }
            let listening = self.log().contains("Prism is listening on")
                && TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok();
            if listening {
                return;
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "Prism did not listen on {address} within {START_TIMEOUT:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// What Prism printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        // Prism is one `node` process (it forks nothing without `--multiprocess`).
        if let Some(recorder) = self.recorder.take() {
            recorder.abort();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Records one request and relays it to Prism as sent (asking Prism to close the connection after it).
async fn forward(
    mut client: tokio::net::TcpStream,
    prism: SocketAddr,
    recorded: Arc<Mutex<Vec<Recorded>>>,
) {
    let Some(request) = read_request(&mut client, &mut Vec::new(), Duration::from_secs(10)).await
    else {
        return;
    };
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, request.target);
    for (name, value) in request.headers.iter().filter(|(n, _)| n != "connection") {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("connection: close\r\n\r\n");
    let body = request.body.clone();
    recorded.lock().expect("the recorder's list").push(request);
    let Ok(mut upstream) = tokio::net::TcpStream::connect(prism).await else {
        return;
    };
    let mut answer = Vec::new();
    if upstream.write_all(head.as_bytes()).await.is_ok()
        && upstream.write_all(&body).await.is_ok()
        && upstream.read_to_end(&mut answer).await.is_ok()
    {
        let _ = client.write_all(&answer).await;
    }
    let _ = client.shutdown().await;
}

/// A port nobody listens on now (the OS picks it; Prism binds it a moment later).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The SDK client the judge calls through, from a provider's `ClientBuilder` with its credentials: pointed
/// at Prism and, when `prefer` is a status, asking Prism for that documented response (`Prefer: code=...`).
/// Retries are off: the judge matches each call to exactly one request, and a 429/5xx asked for would
/// otherwise be sent again (the retry policy has its own tests, `tests/tests/faults.rs`).
pub fn client_for<C: sdk_core::FromParts>(
    builder: sdk_core::ClientBuilder<C>,
    prism: &Prism,
    prefer: Option<u16>,
) -> C {
    let builder = builder
        .base_url(&prism.base_url)
        .retry_policy(sdk_core::RetryPolicy::none());
    let builder = match prefer {
        Some(status) => {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(
                "prefer",
                reqwest::header::HeaderValue::from_str(&format!("code={status}"))
                    .expect("a header value"),
            );
            let http = reqwest::Client::builder()
                .default_headers(headers)
                .build()
                .expect("an HTTP client");
            builder.http_client(http)
        }
        None => builder,
    };
    builder.build().expect("client builds")
}

/// One operation of a spec, and the error responses it documents.
#[derive(Clone, Debug)]
pub struct SpecOperation {
    pub id: String,
    pub method: String,
    pub path: String,
    /// Documented 4xx/5xx statuses (exact codes), and whether each has a JSON body.
    pub errors: Vec<(u16, bool)>,
    /// Documented error ranges (`4XX`, `5XX`; `default` means both), and whether each has a JSON body.
    pub error_ranges: Vec<(String, bool)>,
    /// The query parameters the operation declares, and those of the API's credentials (`apiKey` in query).
    pub query: Vec<String>,
}

impl SpecOperation {
    /// The error statuses to ask Prism for: every documented code, and for each range one code of it that
    /// the operation does not list on its own (Prism answers a range's response for any code in it).
    pub fn error_statuses(&self) -> Vec<u16> {
        let mut statuses: Vec<u16> = self.errors.iter().map(|(code, _)| *code).collect();
        for (range, _) in &self.error_ranges {
            let candidates: &[u16] = match range.as_str() {
                "4XX" | "4xx" => &[400, 404, 422, 409],
                "5XX" | "5xx" => &[500, 503, 502],
                _ => &[400, 500],
            };
            for code in candidates {
                if !statuses.contains(code) {
                    statuses.push(*code);
                    if range != "default" {
                        break;
                    }
                }
            }
        }
        statuses
    }

    /// Whether the spec documents a JSON body for the response of `status`.
    pub fn documents_body(&self, status: u16) -> bool {
        if let Some((_, body)) = self.errors.iter().find(|(code, _)| *code == status) {
            return *body;
        }
        let class = format!("{}XX", status / 100);
        self.error_ranges
            .iter()
            .find(|(range, _)| range.eq_ignore_ascii_case(&class) || range == "default")
            .is_some_and(|(_, body)| *body)
    }

    /// Whether `path` (as sent, without the query) is an instance of the operation's path template.
    fn matches_path(&self, path: &str) -> bool {
        let template: Vec<&str> = self.path.split('/').collect();
        let sent: Vec<&str> = path.split('/').collect();
        template.len() == sent.len()
            && template
                .iter()
                .zip(&sent)
                .all(|(t, s)| (t.starts_with('{') && t.ends_with('}') && !s.is_empty()) || t == s)
    }
}

/// Every operation of `specs/<provider>.yaml`, in the spec's order, as the manifest
/// (`tests/manifest/<provider>.json`, written by `cargo xtask generate` from the spec) lists them.
pub fn spec_operations(provider: &str) -> Vec<SpecOperation> {
    let manifest = crate::manifest(provider);
    let credential_query: Vec<String> = manifest["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["type"] == "apiKey" && s["in"] == "query")
        .filter_map(|s| s["name"].as_str().map(str::to_string))
        .collect();
    let mut operations = Vec::new();
    for operation in manifest["operations"].as_array().expect("operations") {
        let text = |value: &Value| value.as_str().expect("a string").to_string();
        let mut query = credential_query.clone();
        for argument in operation["arguments"].as_array().expect("arguments") {
            if argument["in"] == "query" {
                query.push(text(&argument["wire_name"]));
            }
        }
        let mut errors = Vec::new();
        let mut error_ranges = Vec::new();
        for response in operation["responses"].as_array().expect("responses") {
            if response["error"] != true {
                continue;
            }
            let status = text(&response["status"]);
            let has_body = response["json_body"] == true;
            match status.parse::<u16>() {
                Ok(code) => errors.push((code, has_body)),
                Err(_) => error_ranges.push((status, has_body)),
            }
        }
        operations.push(SpecOperation {
            id: text(&operation["id"]),
            method: text(&operation["method"]),
            path: text(&operation["path"]),
            errors,
            error_ranges,
            query,
        });
    }
    operations
}

/// What one call through an SDK came back with, reduced to what the judge needs.
#[derive(Debug)]
pub enum Outcome {
    /// A success, decoded into the operation's typed result.
    Ok {
        status: u16,
        violations: Option<String>,
    },
    /// `Error::ErrorResponse`: a documented error status, its body decoded into the typed error.
    Documented {
        status: u16,
        violations: Option<String>,
        body: String,
    },
    /// Anything else: an undocumented status, a body the SDK could not decode, a transport error.
    Other {
        status: Option<u16>,
        violations: Option<String>,
        description: String,
    },
}

fn violations(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get("sl-violations")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// Reduces the result of `send()` to an [`Outcome`]. An undecodable body or undocumented status keeps its
/// text, so that a failure shows what Prism answered.
pub async fn outcome<T, E: Debug + sdk_core::ErrorBody>(
    result: Result<ResponseValue<T>, Error<E>>,
) -> Outcome {
    match result {
        Ok(value) => Outcome::Ok {
            status: value.status().as_u16(),
            violations: violations(value.headers()),
        },
        Err(Error::ErrorResponse(value)) => Outcome::Documented {
            status: value.status().as_u16(),
            violations: violations(value.headers()),
            body: format!("{:?}", value.into_inner()),
        },
        Err(Error::UnexpectedResponse(response)) => {
            let status = response.status().as_u16();
            let violations = violations(response.headers());
            let reason = response
                .extensions()
                .get::<sdk_core::decode::UndecodableBody>()
                .map(|u| format!("the SDK could not decode the body ({}); ", u.reason))
                .unwrap_or_default();
            let body = response.text().await.unwrap_or_default();
            Outcome::Other {
                status: Some(status),
                violations,
                description: format!("{reason}unexpected response: {body}"),
            }
        }
        Err(other) => Outcome::Other {
            status: other.status().map(|s| s.as_u16()),
            violations: None,
            description: other.to_string(),
        },
    }
}

/// A boxed call of one operation through an SDK client.
pub type Call<'c> = Pin<Box<dyn Future<Output = Outcome> + 'c>>;

/// One operation's call, named by its operationId (the SDK method it calls).
pub struct Operation<C> {
    pub id: &'static str,
    pub call: for<'c> fn(&'c C) -> Call<'c>,
}

/// Builds an [`Operation`]: `operation!(Client, list_sub_accounts, |c| c.list_sub_accounts().limit(5))` calls
/// `send()` on the builder and reduces the result; an optional `then: path` maps the result of `send()`
/// first (e.g. ResellerClub's `IntoResult::into_result`). The operationId is the method's own name, so an
/// entry cannot claim an operation it does not call.
#[macro_export]
macro_rules! operation {
    ($client:ty, $id:ident $(. $method:ident ( $($arg:expr),* ))* $(, then: $then:path)?) => {
        $crate::prism::Operation::<$client> {
            id: stringify!($id),
            call: {
                fn call(c: &$client) -> $crate::prism::Call<'_> {
                    Box::pin(async move {
                        let result = c.$id() $(.$method($($arg),*))* .send().await;
                        $(let result = $then(result);)?
                        $crate::prism::outcome(result).await
                    })
                }
                call
            },
        }
    };
}

/// Calls every operation of a provider's spec against Prism and collects every failure.
pub struct Judge<'p> {
    prism: &'p Prism,
    provider: String,
    spec: Vec<SpecOperation>,
    failures: Vec<String>,
    called: Vec<String>,
    errors_driven: usize,
    errors_documented: usize,
    started: Instant,
}

impl<'p> Judge<'p> {
    pub fn new(provider: &str, prism: &'p Prism) -> Judge<'p> {
        let spec = spec_operations(provider);
        let errors_documented = spec.iter().map(|op| op.error_statuses().len()).sum();
        Judge {
            prism,
            provider: provider.to_string(),
            spec,
            failures: Vec::new(),
            called: Vec::new(),
            errors_driven: 0,
            errors_documented,
            started: Instant::now(),
        }
    }

    pub fn operation(&self, id: &str) -> Option<&SpecOperation> {
        self.spec.iter().find(|op| op.id == id)
    }

    /// The call must have sent exactly one request, of the operation's method and path, with no query
    /// parameter the operation does not declare (Prism itself lets those through).
    fn check_requests(&mut self, label: &str, op: &SpecOperation) {
        let requests = self.prism.take_requests();
        let [request] = requests.as_slice() else {
            let sent: Vec<String> = requests
                .iter()
                .map(|r| format!("{} {}", r.method, r.target))
                .collect();
            self.failures.push(format!(
                "{label}: sent {} requests, expected one: {sent:?}",
                requests.len()
            ));
            return;
        };
        if request.method != op.method || !op.matches_path(request.path()) {
            self.failures.push(format!(
                "{label}: sent {} {}, expected {} {}",
                request.method,
                request.path(),
                op.method,
                op.path
            ));
        }
        let undeclared: Vec<String> = request
            .query()
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| pair.split_once('=').map_or(pair, |(name, _)| name))
            .filter(|name| !op.query.iter().any(|declared| declared == name))
            .map(str::to_string)
            .collect();
        if !undeclared.is_empty() {
            self.failures.push(format!(
                "{label}: sent query parameter(s) {undeclared:?} that the spec does not declare (declared: {:?})",
                op.query
            ));
        }
    }

    /// Checks a call made with valid arguments: a 2xx that the SDK decoded, no violation reported.
    pub fn expect_success(&mut self, id: &str, outcome: Outcome) {
        let Some(op) = self.operation(id).cloned() else {
            self.failures
                .push(format!("{id}: called, but the spec has no such operation"));
            return;
        };
        let label = format!("{id} ({} {})", op.method, op.path);
        self.called.push(id.to_string());
        self.check_requests(&label, &op);
        match outcome {
            Outcome::Ok {
                status,
                violations: None,
            } if (200..300).contains(&status) => {}
            Outcome::Ok { status, violations } => self.failures.push(format!(
                "{label}: answered {status}, sl-violations {}",
                violations.as_deref().unwrap_or("(none)")
            )),
            Outcome::Documented {
                status,
                violations,
                body,
            } => self.failures.push(format!(
                "{label}: Prism refused the request or the answer: {status}, sl-violations {}, body {body}",
                violations.as_deref().unwrap_or("(none)")
            )),
            Outcome::Other {
                status,
                violations,
                description,
            } => self.failures.push(format!(
                "{label}: status {status:?}, sl-violations {}: {description}",
                violations.as_deref().unwrap_or("(none)")
            )),
        }
    }

    /// Checks a call made with `Prefer: code=<status>`: the SDK's typed error with that status (its body
    /// decoded where the spec documents one), no violation reported.
    pub fn expect_error(&mut self, id: &str, expected: u16, outcome: Outcome) {
        let label = format!("{id} with Prefer: code={expected}");
        self.errors_driven += 1;
        let documents_body = match self.operation(id).cloned() {
            Some(op) => {
                self.check_requests(&label, &op);
                op.documents_body(expected)
            }
            None => false,
        };
        match outcome {
            Outcome::Documented {
                status,
                violations: None,
                body,
            } if status == expected => {
                // A documented body must have arrived and been decoded (`None` is an absent body).
                if documents_body && (body == "None" || body == "()") {
                    self.failures.push(format!(
                        "{label}: the spec documents a body, the typed error has none ({body})"
                    ));
                }
            }
            Outcome::Documented {
                status,
                violations,
                body,
            } => self.failures.push(format!(
                "{label}: Error::ErrorResponse {status}, sl-violations {}, body {body}",
                violations.as_deref().unwrap_or("(none)")
            )),
            Outcome::Ok { status, violations } => self.failures.push(format!(
                "{label}: a success ({status}), sl-violations {}",
                violations.as_deref().unwrap_or("(none)")
            )),
            Outcome::Other {
                status,
                violations,
                description,
            } => self.failures.push(format!(
                "{label}: not the typed error: status {status:?}, sl-violations {}: {description}",
                violations.as_deref().unwrap_or("(none)")
            )),
        }
    }

    /// Runs every entry: first with valid arguments (`client`), then once per documented error status of
    /// its operation (`client_preferring(status)`).
    pub async fn run<C>(
        &mut self,
        client: &C,
        client_preferring: impl Fn(u16) -> C,
        operations: &[Operation<C>],
    ) {
        // One client per status, built once (building an HTTP client is not free).
        let mut preferring_clients: BTreeMap<u16, C> = BTreeMap::new();
        for entry in operations {
            let outcome = (entry.call)(client).await;
            self.expect_success(entry.id, outcome);
            let errors = self
                .operation(entry.id)
                .map(SpecOperation::error_statuses)
                .unwrap_or_default();
            for status in errors {
                let preferring = preferring_clients
                    .entry(status)
                    .or_insert_with(|| client_preferring(status));
                let outcome = (entry.call)(preferring).await;
                self.expect_error(entry.id, status, outcome);
            }
        }
    }

    /// Prints the figures and fails with every failure collected, including operations never called.
    pub fn finish(mut self) {
        let mut seen = BTreeMap::new();
        for id in &self.called {
            *seen.entry(id.as_str()).or_insert(0) += 1;
        }
        let in_spec = self.spec.len();
        let called = self
            .spec
            .iter()
            .filter(|op| seen.contains_key(op.id.as_str()))
            .count();
        let missing: Vec<String> = self
            .spec
            .iter()
            .filter(|op| !seen.contains_key(op.id.as_str()))
            .map(|op| format!("{} ({} {})", op.id, op.method, op.path))
            .collect();
        let report = format!(
            "\nprism {provider}: {called}/{in_spec} operations called\n\
             prism {provider}: {}/{} documented error responses driven (Prefer: code=...; one code per 4XX/5XX range)\n\
             prism {provider}: Prism listened after {:.1} s; the calls took {:.1} s\n",
            self.errors_driven,
            self.errors_documented,
            self.prism.startup.as_secs_f64(),
            self.started.elapsed().as_secs_f64(),
            provider = self.provider,
        );
        // Past the test harness (which keeps a passing test's output to itself): the figures show in every run.
        crate::report(report);
        if !missing.is_empty() {
            self.failures.push(format!(
                "operations of the spec never called: {}",
                missing.join(", ")
            ));
        }
        for (id, count) in seen {
            if count > 1 {
                self.failures
                    .push(format!("{id}: called by {count} entries (expected one)"));
            }
        }
        if !self.failures.is_empty() {
            let log = self.prism.log();
            let tail: Vec<&str> = log
                .lines()
                .filter(|l| l.contains("error") || l.contains("warning"))
                .take(40)
                .collect();
            panic!(
                "prism {}: {} failure(s):\n- {}\n\nPrism's errors and warnings (first 40):\n{}",
                self.provider,
                self.failures.len(),
                self.failures.join("\n- "),
                tail.join("\n")
            );
        }
    }
}
