//! Per-call settings: `client.with_options(RequestOptions::new()...)` (generated on every SDK's `Client`).

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use crate::RetryPolicy;

/// Settings for the calls made through one handle of a client, without building another client: the
/// handle that `Client::with_options` returns shares the client's connection pool, concurrency limit and
/// credentials (and token refreshes), and works for every operation and for raw requests.
///
/// ```
/// use std::time::Duration;
/// use sdk_core::{RequestOptions, RetryPolicy};
///
/// let options = RequestOptions::new()
///     .deadline(Duration::from_secs(5))        // the whole call, retries included
///     .attempt_timeout(Duration::from_secs(2)) // each attempt
///     .retry(RetryPolicy::default().max_attempts(4))
///     .retry_unsafe_methods(true)              // this POST is safe to send again
///     .header("x-tenant", "acme")
///     .expect("a valid header");
/// # let _ = options;
/// ```
///
/// Unset settings keep the client's. Extra headers cannot replace the credentials: `Authorization`,
/// `Proxy-Authorization` and the client's own credential header are refused when the call is made
/// (`Error::InvalidRequest`, nothing sent), because a credential set per call would escape the client's
/// redaction of the secrets it holds and its token refresh. Their values are marked sensitive (never shown by
/// a `Debug` of a request).
#[derive(Clone, Default)]
#[must_use]
pub struct RequestOptions {
    pub(crate) deadline: Option<Duration>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) retry_unsafe_methods: Option<bool>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may be secrets of the caller's: names only.
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("RequestOptions")
            .field("deadline", &self.deadline)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("retry", &self.retry)
            .field("retry_unsafe_methods", &self.retry_unsafe_methods)
            .field("headers", &names)
            .finish()
    }
}

/// A header [`RequestOptions::header`] cannot send: the name or the value is not valid HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidHeader(String);

impl fmt::Display for InvalidHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidHeader {}

impl RequestOptions {
    /// No change: every setting is the client's.
    pub fn new() -> Self {
        Self::default()
    }

    /// The limit on the whole call (the client's `operation_timeout` for these calls): queueing,
    /// credentials, every attempt, every wait between attempts and the answer's body.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The limit on each attempt (the client's `timeout` for these calls), bounded by the deadline.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The retry policy of these calls ([`RetryPolicy::none`]: sent once).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Whether `POST` and `PATCH` requests are retried too (default: no, they may create something twice).
    /// Say yes for a call you know is safe to repeat (it is idempotent on the provider's side, or carries
    /// its own idempotency key).
    pub fn retry_unsafe_methods(mut self, retry: bool) -> Self {
        self.retry_unsafe_methods = Some(retry);
        self
    }

    /// A header sent with every request of these calls (replacing one of the same name the SDK would
    /// send, e.g. `api-version`, but never the credentials: see [`RequestOptions`]).
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, InvalidHeader> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| InvalidHeader(format!("`{name}` is not a valid header name")))?;
        let mut value = HeaderValue::from_str(value).map_err(|_| {
            InvalidHeader(format!(
                "the value of `{name}` has characters a header cannot carry"
            ))
        })?;
        value.set_sensitive(true);
        self.headers.push((name, value));
        Ok(self)
    }
}
