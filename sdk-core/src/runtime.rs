use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use progenitor_client::Error;
use reqwest::header::{CONTENT_LENGTH, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tracing::Instrument;

use crate::decode::BodyLimit;
use crate::redact::{Patterns, redact_url};
use crate::{Credentials, RequestOptions, RetryPolicy};

/// What the runtime needs to know about one provider's API. Each SDK's generated code defines its
/// `PROFILE` from the spec.
#[derive(Debug)]
pub struct ApiProfile {
    /// The SDK crate's name and version, sent as the `User-Agent`.
    pub sdk_name: &'static str,
    pub sdk_version: &'static str,
    /// `servers[0].url` of the spec.
    pub default_base_url: &'static str,
    /// Operations the spec marks `security: []`: they are sent without credentials.
    pub public_operations: &'static [&'static str],
    /// Query parameters whose values are secrets: redacted from every URL the client hands back.
    pub secret_query_parameters: &'static [&'static str],
    /// Names of `format: password` members of request bodies: their values, as sent, are scrubbed from
    /// what a server sends back in an error.
    pub secret_body_members: &'static [&'static str],
    /// Every operation of the spec: its id, method and path template (for tracing and errors, which name
    /// the route, never the URL with its query).
    pub routes: &'static [Route],
}

/// One operation of a spec, as the generator read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template, e.g. `/domains/{domain}/mailboxes`.
    pub template: &'static str,
}

impl ApiProfile {
    /// The route of an operation, by its `operationId`.
    pub fn route(&self, operation_id: &str) -> Option<&'static Route> {
        self.routes.iter().find(|r| r.operation_id == operation_id)
    }
}

/// The inner value of every generated client: credentials and the API's profile.
///
/// Its `Debug` shows no secret.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) profile: &'static ApiProfile,
    pub(crate) credentials: Credentials,
    pub(crate) retry: RetryPolicy,
    pub(crate) body_limit: BodyLimit,
    /// Requests of this client (and its clones) in flight at once; the others wait their turn.
    pub(crate) in_flight: Turns,
    /// The header of header credentials, built once (marked sensitive) rather than on every request.
    pub(crate) auth_header: Option<(HeaderName, HeaderValue)>,
    /// The limit on one attempt (also on one wait for the authenticator).
    pub(crate) attempt_timeout: Duration,
    /// The timeout the `reqwest::Client` was built with (`None`: the caller's own client): an attempt that
    /// may take exactly that long needs no timeout of its own (setting one allocates on every request).
    pub(crate) client_timeout: Option<Duration>,
    /// The limit on a whole call (queueing, credentials, attempts, waits, the body).
    pub(crate) operation_timeout: Duration,
    /// The secrets the client holds (credentials, a password in the base URL), in every form a server
    /// may echo them: scrubbed from headers and error bodies handed back.
    pub(crate) held: Patterns,
    /// Whether POST and PATCH are retried too (per call: [`RequestOptions::retry_unsafe_methods`]).
    pub(crate) retry_unsafe_methods: bool,
    /// Headers added to every request (per call: [`RequestOptions::header`]).
    pub(crate) extra_headers: Arc<[(HeaderName, HeaderValue)]>,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("sdk", &self.profile.sdk_name)
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("body_limit", &self.body_limit)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("retry_unsafe_methods", &self.retry_unsafe_methods)
            .field(
                "extra_headers",
                &self
                    .extra_headers
                    .iter()
                    .map(|(name, _)| name.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// Why the runtime ended a call without an answer or a transport error (the authenticator failed or timed
/// out): carried by a placeholder response that the generated `ClientHooks::post` turns into
/// `Error::Custom` (see [`Runtime::check`]).
#[derive(Clone, Debug)]
struct CallFailure(String);

/// What the runtime attaches to each answer, as one extension: the client's body limit and the call's
/// secrets (the client's and the call's own arguments) for the decoder, which reads at most the limit and
/// scrubs the secrets from error bodies; and the call's concurrency turn, held until the decoder has read
/// the body ([`Exchange::give_back_turn`]) or the answer is dropped, or moved into the body of an answer
/// handed over as a stream ([`hold_turn_in_body`]).
#[derive(Clone)]
pub(crate) struct Exchange {
    pub(crate) body_limit: BodyLimit,
    pub(crate) secrets: Patterns,
    turn: Arc<TurnSlot>,
}

impl Exchange {
    /// The exchange is over (its body read): the turn goes to the next call now.
    pub(crate) fn give_back_turn(&self) {
        if let Some(turn) = self.turn.take() {
            turn.give_back();
        }
    }
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exchange")
            .field("body_limit", &self.body_limit)
            .field("secrets", &self.secrets)
            .finish_non_exhaustive()
    }
}

/// A call's turn while its answer is out; given back when taken or when the last holder drops it.
struct TurnSlot(std::sync::Mutex<Option<Turn>>);

impl TurnSlot {
    fn take(&self) -> Option<Turn> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }
}

impl Drop for TurnSlot {
    fn drop(&mut self) {
        if let Some(turn) = self.take() {
            turn.give_back();
        }
    }
}

impl Runtime {
    pub fn profile(&self) -> &'static ApiProfile {
        self.profile
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The same runtime (sharing its connection pool's client, concurrency limit, credentials and token
    /// state) with `options` applied over its settings: what `Client::with_options` hands its clone.
    pub fn with_options(&self, options: &RequestOptions) -> Self {
        let mut runtime = self.clone();
        if let Some(deadline) = options.deadline {
            runtime.operation_timeout = deadline;
        }
        if let Some(timeout) = options.attempt_timeout {
            runtime.attempt_timeout = timeout;
        }
        if let Some(policy) = options.retry {
            runtime.retry = policy;
        }
        if let Some(retry) = options.retry_unsafe_methods {
            runtime.retry_unsafe_methods = retry;
        }
        if !options.headers.is_empty() {
            let mut headers = self.extra_headers.to_vec();
            headers.extend(options.headers.iter().cloned());
            runtime.extra_headers = headers.into();
        }
        runtime
    }

    /// Whether a per-call header would replace the credentials (see [`RequestOptions`]).
    fn is_credential_header(&self, name: &HeaderName) -> bool {
        *name == reqwest::header::AUTHORIZATION
            || *name == reqwest::header::PROXY_AUTHORIZATION
            || self
                .auth_header
                .as_ref()
                .is_some_and(|(own, _)| own == name)
    }

    /// Runs before each request is sent (the generated `ClientHooks::pre`). A custom [`Authenticator`]
    /// is asked later, by [`Runtime::execute`], once the request has its turn.
    ///
    /// [`Authenticator`]: crate::Authenticator
    pub async fn prepare<E>(
        &self,
        request: &mut reqwest::Request,
        operation_id: &str,
    ) -> Result<(), Error<E>> {
        if !self.profile.public_operations.contains(&operation_id) {
            match &self.auth_header {
                Some((name, value)) => {
                    request.headers_mut().insert(name.clone(), value.clone());
                }
                None if matches!(self.credentials, Credentials::Custom(_)) => {}
                None => self
                    .credentials
                    .apply(request)
                    .await
                    .map_err(Error::Custom)?,
            }
        }
        for (name, value) in self.extra_headers.iter() {
            if self.is_credential_header(name) {
                return Err(Error::InvalidRequest(format!(
                    "the header `{name}` carries the client's credentials and cannot be set per call \
                     (set the credentials on the client)"
                )));
            }
            request.headers_mut().insert(name.clone(), value.clone());
        }
        // Some front ends answer 411 to a body-less POST/PUT without a length; reqwest sends none.
        let writes = matches!(
            *request.method(),
            Method::POST | Method::PUT | Method::PATCH
        );
        if writes && request.body().is_none() && !request.headers().contains_key(CONTENT_LENGTH) {
            request
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        }
        Ok(())
    }

    /// Runs right after [`Runtime::execute`] (the generated `ClientHooks::post`): a call the runtime ended
    /// itself (the authenticator failed or timed out) becomes `Error::Custom` with the reason.
    pub async fn check<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
    ) -> Result<(), Error<E>> {
        match result {
            Ok(response) => match response.extensions().get::<CallFailure>() {
                Some(failure) => Err(Error::Custom(failure.0.clone())),
                None => Ok(()),
            },
            Err(_) => Ok(()),
        }
    }

    /// Sends a request (the generated `ClientHooks::exec`), following the client's [`RetryPolicy`]: an
    /// idempotent request whose body can be copied is sent again after a transport error or a
    /// 429/502/503/504 answer. With a custom authenticator, each attempt is authorised once it has its turn,
    /// and an answer saying the credentials went stale gets the request re-authorised and resent once (not
    /// counted as an attempt). Errors and responses come back with the secrets of their URL and headers
    /// redacted, so that no `Display` or `Debug` of them can show one; a response carries the client's
    /// [`BodyLimit`] and the call's secrets for the decoder.
    ///
    /// At most the client's `max_concurrent_requests` are in flight at once: a request holds its turn until
    /// its answer's body has been read to its end or dropped. The whole call is bounded by the client's
    /// `operation_timeout`: each attempt gets at most the time left, a retry wait that would end past it is
    /// not started (the last answer goes back), and a call still queued when it ends gets a transport
    /// timeout error (`Error::CommunicationError(e)` with `e.is_timeout()`).
    pub async fn execute(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
        operation_id: &str,
    ) -> reqwest::Result<reqwest::Response> {
        self.execute_route(http, request, operation_id, None).await
    }

    /// [`Runtime::execute`] under the `sdk.call` span, naming the route `template` (else the spec's route
    /// of `operation_id`).
    pub(crate) async fn execute_route(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
        operation_id: &str,
        template: Option<&str>,
    ) -> reqwest::Result<reqwest::Response> {
        // With no subscriber interested, the span is disabled and its fields are not even evaluated: the
        // route lookup, the clock and every `record` below cost nothing then (BENCHMARKS.md: per call).
        let span = tracing::info_span!(
            "sdk.call",
            sdk = self.profile.sdk_name,
            operation = operation_id,
            method = request.method().as_str(),
            route = template
                .or_else(|| self.profile.route(operation_id).map(|r| r.template))
                .unwrap_or("?"),
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            error = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        if span.is_disabled() {
            let mut attempts = 0;
            return self
                .send_with_policy(http, request, operation_id, &mut attempts)
                .await;
        }
        let started = Instant::now();
        let mut attempts = 0;
        let outcome = self
            .send_with_policy(http, request, operation_id, &mut attempts)
            .instrument(span.clone())
            .await;
        span.record("attempts", attempts);
        match &outcome {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                if let Some(failure) = response.extensions().get::<CallFailure>() {
                    span.record("error", failure.0.as_str());
                }
                if let Some(id) = crate::error::header_request_id(response.headers()) {
                    span.record("request_id", id);
                }
            }
            Err(error) => {
                span.record("error", crate::error::transport_reason(error).as_str());
            }
        }
        span.record(
            "duration_ms",
            u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        );
        outcome
    }

    /// Sends a request under the client's policy (see [`Runtime::execute`]), counting the requests sent in
    /// `sent` (re-authorised resends included).
    async fn send_with_policy(
        &self,
        http: &reqwest::Client,
        mut request: reqwest::Request,
        operation_id: &str,
        sent_count: &mut u32,
    ) -> reqwest::Result<reqwest::Response> {
        let deadline = Instant::now() + self.operation_timeout;
        let retries = self.retry.retries_method(request.method())
            || (self.retry_unsafe_methods && self.retry.attempts() > 1);
        let custom = match &self.credentials {
            Credentials::Custom(authenticator)
                if !self.profile.public_operations.contains(&operation_id) =>
            {
                Some(authenticator)
            }
            _ => None,
        };
        // The call's own secrets (secret query arguments, password members of the body), as sent.
        let mut secrets = self.call_secrets(&request);
        let mut reauthorised = false;
        // A turn kept for the next attempt, already authorised (the resend after stale credentials).
        let mut carried: Option<Turn> = None;
        let mut authorised = false;
        let mut attempt = 1;
        let mut previous_wait = Duration::ZERO;
        let (outcome, turn) = loop {
            // A copy to send again, made only when it may be needed (a streaming body cannot be copied).
            let mut spare = if retries || (custom.is_some() && !reauthorised) {
                spare_copy(&request)
            } else {
                None
            };
            // Held until the answer's body is read or dropped: bounds the connections one client opens (an
            // HTTP/1.1 connection carries one request at a time) and the bodies it buffers. The semaphore is
            // never closed.
            let turn = match carried.take() {
                Some(turn) => turn,
                None => match self.in_flight.take(deadline).await {
                    Some(turn) => turn,
                    None => {
                        return timed_out(http, request)
                            .await
                            .map_err(|e| self.redact_error(e));
                    }
                },
            };
            // Authorised after getting the turn: a call queued while a token was replaced goes out with
            // the new one. Bounded like an attempt.
            if let Some(authenticator) = custom
                && !std::mem::take(&mut authorised)
            {
                let limit = self
                    .attempt_timeout
                    .min(deadline.saturating_duration_since(Instant::now()));
                if let Err(reason) =
                    authorize(authenticator.as_ref(), &mut request, limit, &mut secrets).await
                {
                    return Ok(failure(reason));
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return timed_out(http, request)
                    .await
                    .map_err(|e| self.redact_error(e));
            }
            // reqwest's own timeout then bounds the head and the body of this attempt.
            let limit = self.attempt_timeout.min(left);
            if self.client_timeout != Some(limit) {
                *request.timeout_mut() = Some(limit);
            }
            // What the request carried, for the authenticator to tell stale credentials from replaced ones.
            let sent = match (custom, reauthorised) {
                (Some(_), false) => Some(request.headers().clone()),
                _ => None,
            };
            *sent_count += 1;
            let outcome = http.execute(request).await;
            if let (Some(authenticator), Some(sent), Ok(response)) = (custom, &sent, &outcome)
                && authenticator.is_stale(sent, response)
                && let Some(mut again) = spare.take()
            {
                reauthorised = true;
                tracing::debug!(
                    status = response.status().as_u16(),
                    "the answer says the credentials went stale: re-authorising and sending once more"
                );
                // Re-authorised while keeping the turn; if that fails, the refused answer goes back.
                let limit = self
                    .attempt_timeout
                    .min(deadline.saturating_duration_since(Instant::now()));
                if authorize(authenticator.as_ref(), &mut again, limit, &mut secrets)
                    .await
                    .is_ok()
                {
                    drop(outcome);
                    carried = Some(turn);
                    authorised = true;
                    request = again;
                    continue;
                }
                tracing::debug!("re-authorising failed: the refused answer goes back");
            }
            let wait = match (&outcome, &spare) {
                (_, None) => None,
                _ if !retries => None,
                (Ok(response), _) => self.retry.after_response(
                    attempt,
                    previous_wait,
                    response.status(),
                    response.headers(),
                ),
                (Err(error), _) => self.retry.after_error(attempt, previous_wait, error),
            };
            // A wait that would end past the deadline is not started: the answer goes back now.
            let wait = wait.filter(|wait| Instant::now() + *wait < deadline);
            match (wait, spare) {
                (Some(wait), Some(spare)) => {
                    tracing::debug!(
                        attempt,
                        reason = retry_reason(&outcome).as_str(),
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "retrying"
                    );
                    // Dropped before the wait: neither its connection nor its turn is held while sleeping.
                    drop(outcome);
                    turn.give_back();
                    tokio::time::sleep(wait).await;
                    previous_wait = wait;
                    attempt += 1;
                    request = spare;
                }
                _ => break (outcome, turn),
            }
        };
        match outcome {
            Ok(response) => Ok(self.finish_response(response, turn, secrets)),
            Err(error) => Err(self.redact_error(error)),
        }
    }

    fn redact_error(&self, mut error: reqwest::Error) -> reqwest::Error {
        if let Some(url) = error.url_mut() {
            redact_url(url, self.profile.secret_query_parameters);
        }
        error
    }

    /// The secrets of this call: the client's, plus the values of secret query parameters and password
    /// body members it sends (shared, not copied, when it has none of its own).
    fn call_secrets(&self, request: &reqwest::Request) -> Patterns {
        let mut own = Vec::new();
        if let Credentials::Custom(authenticator) = &self.credentials {
            own.extend(
                authenticator
                    .secrets()
                    .iter()
                    .map(|s| s.expose().to_string()),
            );
        }
        let params = self.profile.secret_query_parameters;
        if !params.is_empty() && request.url().query().is_some() {
            own.extend(
                request
                    .url()
                    .query_pairs()
                    .filter(|(name, _)| params.iter().any(|p| p.eq_ignore_ascii_case(name)))
                    .map(|(_, value)| value.into_owned()),
            );
        }
        let members = self.profile.secret_body_members;
        if !members.is_empty()
            && let Some(body) = request.body().and_then(reqwest::Body::as_bytes)
        {
            crate::redact::body_members(body, members, &mut own);
        }
        if own.is_empty() {
            self.held.clone()
        } else {
            self.held.with(own.iter().map(String::as_str))
        }
    }

    /// The response under its redacted URL and headers, holding the call's turn in its body, and carrying
    /// the body limit and the call's secrets for [`crate::decode`].
    /// The answer as the caller gets it: its URL and headers redacted, the [`Exchange`] attached. Converted
    /// (reqwest keeps no way to set a response's URL) only when the URL or a header holds something to
    /// redact; otherwise changed in place, which is most of what a call costs over a hand-written one.
    fn finish_response(
        &self,
        mut response: reqwest::Response,
        turn: Turn,
        secrets: Patterns,
    ) -> reqwest::Response {
        let exchange = Exchange {
            body_limit: self.body_limit,
            secrets,
            turn: Arc::new(TurnSlot(std::sync::Mutex::new(Some(turn)))),
        };
        let parameters = self.profile.secret_query_parameters;
        let in_place = !crate::redact::has_secret(response.url(), parameters)
            && !crate::redact::headers_need_redaction(
                response.headers(),
                response.url(),
                parameters,
                &exchange.secrets,
            );
        if in_place {
            response.extensions_mut().insert(exchange);
            return response;
        }
        let mut url: Url = response.url().clone();
        redact_url(&mut url, parameters);
        let response: http::Response<reqwest::Body> = response.into();
        let (mut parts, body) = response.into_parts();
        crate::redact::redact_headers(&mut parts.headers, &url, parameters, &exchange.secrets);
        // One conversion back, under the redacted URL (set before it, so reqwest has no placeholder to parse).
        set_url(&mut parts.extensions, url);
        parts.extensions.insert(exchange);
        reqwest::Response::from(http::Response::from_parts(parts, body))
    }
}

/// A copy of `request` to send again (`None`: its body is a stream, which cannot be copied). A request
/// without a body is copied field by field: reqwest's `try_clone` also copies its extensions, allocating a
/// map for a timeout not set yet on every call. The runtime sets no extension before this copy.
fn spare_copy(request: &reqwest::Request) -> Option<reqwest::Request> {
    if request.body().is_some() {
        return request.try_clone();
    }
    let mut copy = reqwest::Request::new(request.method().clone(), request.url().clone());
    *copy.headers_mut() = request.headers().clone();
    *copy.version_mut() = request.version();
    Some(copy)
}

/// Why an attempt is retried, for the retry event: the status, or what failed in transport (no URL).
fn retry_reason(outcome: &reqwest::Result<reqwest::Response>) -> String {
    match outcome {
        Ok(response) => format!("HTTP {}", response.status().as_u16()),
        Err(error) => crate::error::transport_reason(error),
    }
}

/// Asks the authenticator for credentials, within `limit`; the credentials it sent become secrets of the
/// call. The error says why, and "timed out" when it did.
async fn authorize(
    authenticator: &dyn crate::Authenticator,
    request: &mut reqwest::Request,
    limit: Duration,
    secrets: &mut Patterns,
) -> Result<(), String> {
    match tokio::time::timeout(limit, authenticator.authorize(request)).await {
        Ok(Ok(())) => {
            // Whatever the authenticator lists, the credentials as sent are this call's secrets.
            if let Some(sent) = sent_credentials(request)
                && !secrets.found_in(sent.as_bytes())
            {
                *secrets = secrets.with([sent]);
            }
            Ok(())
        }
        Ok(Err(reason)) => Err(format!("cannot get credentials: {reason}")),
        Err(_) => Err(format!("cannot get credentials: timed out after {limit:?}")),
    }
}

/// The credential part of the `Authorization` header a request carries (after its scheme).
fn sent_credentials(request: &reqwest::Request) -> Option<&str> {
    let value = request
        .headers()
        .get(reqwest::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    Some(
        value
            .split_once(' ')
            .map_or(value, |(_, credentials)| credentials.trim()),
    )
}

/// A placeholder answer carrying why the runtime ended the call (see [`Runtime::check`]).
fn failure(reason: String) -> reqwest::Response {
    let mut response = http::Response::new(reqwest::Body::from(Vec::new()));
    *response.status_mut() = reqwest::StatusCode::INTERNAL_SERVER_ERROR;
    response.extensions_mut().insert(CallFailure(reason));
    reqwest::Response::from(response)
}

/// reqwest's own timeout error for `request`, which is not sent: a zero per-request timeout expires before
/// reqwest starts connecting (its timer is checked first). So a call that ran out of time while queued ends
/// in the same typed error as one that ran out of time in flight: `is_timeout()`.
async fn timed_out(
    http: &reqwest::Client,
    mut request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    *request.timeout_mut() = Some(Duration::ZERO);
    match http.execute(request).await {
        Err(error) => Err(error),
        // Not reached (the timer fires first); total rather than panicking, and the answer is not used.
        Ok(_) => Ok(failure("the operation timed out".to_string())),
    }
}

/// The turns of a client and its clones: at most `max_concurrent_requests` calls hold one at once. It
/// counts the calls waiting for a turn, so that a turn handed over to one of them waits until the
/// connection it freed is back in hyper's pool (see [`Turn::give_back`]).
#[derive(Clone, Debug)]
pub(crate) struct Turns {
    /// Never closed.
    semaphore: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
}

impl Turns {
    pub(crate) fn new(limit: usize) -> Self {
        Turns {
            semaphore: Arc::new(Semaphore::new(limit)),
            waiting: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// A turn, or `None` when `deadline` passes first.
    async fn take(&self, deadline: Instant) -> Option<Turn> {
        let permit = match self.semaphore.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                // Counted while waiting, also when the wait is cancelled (the guard's drop).
                let _waiting = Waiting::start(&self.waiting);
                tokio::time::timeout_at(deadline, self.semaphore.clone().acquire_owned())
                    .await
                    .ok()?
                    .ok()?
            }
        };
        Some(Turn {
            _permit: permit,
            waiting: self.waiting.clone(),
        })
    }
}

/// One call counted among those waiting for a turn, until dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn start(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Waiting(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A call's turn.
pub(crate) struct Turn {
    /// Held for its drop: the turn is given back when the permit is.
    _permit: OwnedSemaphorePermit,
    waiting: Arc<AtomicUsize>,
}

impl Turn {
    /// Gives the turn back. hyper returns a connection to its pool from another task, just after the body's
    /// end is seen; a waiting call given the turn before that would open a new connection (measured: 33 open
    /// at once under a limit of 32). So when a call is waiting, the turn goes back a moment later, off the
    /// caller's path; when none is, at once: a call arriving later finds a free turn either way, and the
    /// timer and task a deferred hand-back costs (the per-call bench's tail: p99 21x) are not paid.
    fn give_back(self) {
        if self.waiting.load(Ordering::SeqCst) == 0 {
            return; // dropped here
        }
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                tokio::time::sleep(Duration::from_millis(1)).await;
                drop(self);
            });
        }
    }
}

/// A response body that holds its call's turn until it has been read to its end or dropped, so a client
/// never has more than its limit of answers streaming in at once.
struct Held {
    body: reqwest::Body,
    turn: Option<Turn>,
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(turn) = self.turn.take() {
            turn.give_back();
        }
    }
}

impl http_body::Body for Held {
    type Data = bytes::Bytes;
    type Error = reqwest::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.body).poll_frame(cx);
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) {
            // The exchange is over: the turn goes to the next call now, not when the caller drops it.
            if let Some(turn) = this.turn.take() {
                turn.give_back();
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// Sets the URL a `reqwest::Response` converted from these extensions will have. reqwest keeps a response's
/// URL in a private extension that only its builder can set: build an empty response carrying the URL and
/// move its extensions over (same type: replaced). Without it, the conversion parses a placeholder URL
/// (measured: a third of the runtime's own cost per call).
/// The answer with its call's turn moved into its body, for an answer handed over as a stream (the decoder
/// reads no body there): the turn is held until the stream has been read to its end or dropped, so a
/// client never has more than its limit of answers streaming in at once.
pub(crate) fn hold_turn_in_body(response: reqwest::Response) -> reqwest::Response {
    let Some(turn) = response
        .extensions()
        .get::<Exchange>()
        .and_then(|exchange| exchange.turn.take())
    else {
        return response;
    };
    let url = response.url().clone();
    let response: http::Response<reqwest::Body> = response.into();
    let (mut parts, body) = response.into_parts();
    set_url(&mut parts.extensions, url);
    let body = reqwest::Body::wrap(Held {
        body,
        turn: Some(turn),
    });
    reqwest::Response::from(http::Response::from_parts(parts, body))
}

pub(crate) fn set_url(extensions: &mut http::Extensions, url: Url) {
    use reqwest::ResponseBuilderExt;
    // An empty builder with only an extension cannot fail.
    if let Ok(carrier) = http::Response::builder().url(url).body(()) {
        extensions.extend(carrier.into_parts().0.extensions);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(10)
    }

    /// A caller making one call after another never waits for its own last turn: the per-call bench's
    /// tail came from turns handed back 1-2 ms late with nobody waiting.
    #[tokio::test]
    async fn a_turn_nobody_waits_for_is_free_at_once() {
        let turns = Turns::new(1);
        for _ in 0..1000 {
            let turn = turns.take(far()).await.expect("a free turn");
            turn.give_back();
            assert_eq!(turns.semaphore.available_permits(), 1, "given back at once");
        }
    }

    /// A call waiting for a turn gets it only after the connection the turn used had time to go back to
    /// the pool, so it does not open a new one.
    #[tokio::test]
    async fn a_turn_a_call_waits_for_goes_back_a_moment_later() {
        let turns = Turns::new(1);
        let turn = turns.take(far()).await.expect("a free turn");
        let waiter = tokio::spawn({
            let turns = turns.clone();
            async move {
                let asked = Instant::now();
                let turn = turns.take(far()).await.expect("the turn, handed over");
                drop(turn);
                asked.elapsed()
            }
        });
        while turns.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        turn.give_back();
        assert_eq!(
            turns.semaphore.available_permits(),
            0,
            "not yet handed over"
        );
        let waited = waiter.await.expect("the waiter ends");
        assert!(
            waited >= Duration::from_millis(1),
            "handed over after {waited:?}"
        );
        assert_eq!(turns.waiting.load(Ordering::SeqCst), 0);
    }

    /// A call that stops waiting (its deadline passed, or it was dropped) is no longer counted.
    #[tokio::test]
    async fn a_call_that_gives_up_waiting_is_not_counted() {
        let turns = Turns::new(1);
        let _held = turns.take(far()).await.expect("a free turn");
        let soon = Instant::now() + Duration::from_millis(5);
        assert!(
            turns.take(soon).await.is_none(),
            "no turn before the deadline"
        );
        assert_eq!(turns.waiting.load(Ordering::SeqCst), 0);
        let cancelled = tokio::time::timeout(Duration::from_millis(5), turns.take(far())).await;
        assert!(cancelled.is_err());
        assert_eq!(turns.waiting.load(Ordering::SeqCst), 0);
    }
}
