use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use tokio::sync::Semaphore;

use crate::decode::BodyLimit;
use crate::redact::{Patterns, redact_base_url as redacted};
use crate::{ApiProfile, Credentials, RetryPolicy, Runtime};

/// Implemented by each generated `Client`: how the builder hands it its parts.
pub trait FromParts {
    fn from_parts(base_url: &str, http: reqwest::Client, runtime: Runtime) -> Self;
}

/// Builds a generated client: credentials, base URL (the spec's first server unless overridden), timeouts,
/// retries ([`RetryPolicy`]), the largest answer read ([`BodyLimit`]) and the `User-Agent`
/// `<sdk crate>/<version>`. Redirects are not followed: a 3xx answer comes back to the caller.
#[must_use]
pub struct ClientBuilder<C> {
    profile: &'static ApiProfile,
    credentials: Credentials,
    base_url: Option<String>,
    timeout: Duration,
    operation_timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    body_limit: BodyLimit,
    max_concurrent_requests: usize,
    http: Option<reqwest::Client>,
    client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("sdk", &self.profile.sdk_name)
            .field("credentials", &self.credentials)
            .field("base_url", &self.base_url.as_deref().map(redacted))
            .field("timeout", &self.timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("retry", &self.retry)
            .field("body_limit", &self.body_limit)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .finish()
    }
}

/// Why a client could not be built. Never shows a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError(String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

/// The default limit on a whole request, response body included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The default number of requests one client (with its clones) has in flight at once.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 32;
/// The default limit on a whole call: queueing behind the concurrency limit, getting credentials, every
/// attempt, every wait between attempts, and reading the answer. Two minutes: room for the default three
/// attempts of [`DEFAULT_TIMEOUT`] each and their waits, while no call hangs for ever.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(120);
/// The default limit on establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl<C: FromParts> ClientBuilder<C> {
    pub fn new(profile: &'static ApiProfile, credentials: Credentials) -> Self {
        Self {
            profile,
            credentials,
            base_url: None,
            timeout: DEFAULT_TIMEOUT,
            operation_timeout: DEFAULT_OPERATION_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            retry: RetryPolicy::default(),
            body_limit: BodyLimit::DEFAULT,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            http: None,
            client: PhantomData,
        }
    }

    /// Another base URL (a test server, a proxy, another region); `http` or `https`, path kept.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// The limit on one attempt, from sending to the last byte of the answer (see
    /// [`ClientBuilder::retry_policy`]); also on one wait for a custom authenticator's credentials.
    /// Default: [`DEFAULT_TIMEOUT`]. It applies also with [`ClientBuilder::http_client`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The limit on a whole call: waiting for a turn behind [`ClientBuilder::max_concurrent_requests`],
    /// getting credentials, every attempt, every wait between attempts (a `Retry-After` that would end past
    /// it is not waited for: the answer goes back at once) and reading the answer's body. A call that runs
    /// out of time ends in `Error::CommunicationError(e)` with `e.is_timeout()` (queued, sending or reading)
    /// or, while a custom authenticator was getting credentials, `Error::Custom` saying "timed out".
    /// Default: [`DEFAULT_OPERATION_TIMEOUT`].
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Which requests are sent again after a transport error or a 429/502/503/504 answer, and when: see
    /// [`RetryPolicy`] (default [`RetryPolicy::default`]; [`RetryPolicy::none`] switches retries off).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The most bytes of a JSON answer the client reads (default [`BodyLimit::DEFAULT`], 16 MiB): a larger
    /// one ends in `Error::UnexpectedResponse` with its status and an
    /// [`UndecodableBody`](crate::decode::UndecodableBody) of kind `TooLarge`.
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.body_limit = BodyLimit(bytes);
        self
    }

    /// How many requests this client (and its clones) sends at once (default
    /// [`DEFAULT_MAX_CONCURRENT_REQUESTS`], at least 1); further calls wait for a turn. An HTTP/1.1
    /// connection carries one request at a time, so this also bounds the connections the client opens to
    /// the provider: 1,000 concurrent calls do not open 1,000 connections.
    pub fn max_concurrent_requests(mut self, requests: usize) -> Self {
        self.max_concurrent_requests = requests.clamp(1, Semaphore::MAX_PERMITS);
        self
    }

    /// Use this `reqwest::Client` (its own timeouts, redirect policy, proxy, TLS and `User-Agent` then
    /// apply; the retry policy and body limit still do).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    pub fn build(self) -> Result<C, BuildError> {
        let base_url = self
            .base_url
            .as_deref()
            .unwrap_or(self.profile.default_base_url);
        let parsed = Url::parse(base_url)
            .map_err(|e| BuildError(format!("invalid base URL `{}`: {e}", redacted(base_url))))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.cannot_be_a_base() {
            return Err(BuildError(format!(
                "invalid base URL `{}`: expected http:// or https://",
                redacted(base_url)
            )));
        }
        self.credentials.validate().map_err(BuildError)?;
        // Feature `rustls-ring`: reqwest has no crypto provider of its own (it would panic building the
        // client); ring becomes the process default unless the application installed one first.
        #[cfg(feature = "rustls-ring")]
        let _ = rustls::crypto::ring::default_provider().install_default();
        // The timeout of a client built here; a caller's own client keeps its own.
        let client_timeout = self.http.is_none().then_some(self.timeout);
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .user_agent(format!(
                    "{}/{}",
                    self.profile.sdk_name, self.profile.sdk_version
                ))
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                // A redirect is an answer for the caller (Hostway's 303 to the first page of a long list
                // would otherwise return that page as if it were the whole list).
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| BuildError(format!("cannot build the HTTP client: {e}")))?,
        };
        // Everything the client holds that must never come back in its output, whatever a server echoes.
        let mut held: Vec<String> = self.credentials.secrets();
        if let Some(password) = parsed.password() {
            held.push(password.to_string());
            if let Ok(decoded) = std::str::from_utf8(&percent_decode(password)) {
                held.push(decoded.to_string());
            }
        }
        let runtime = Runtime {
            attempt_timeout: self.timeout,
            client_timeout,
            operation_timeout: self.operation_timeout,
            held: Patterns::new(held.iter().map(String::as_str)),
            profile: self.profile,
            auth_header: self.credentials.header(),
            credentials: self.credentials,
            retry: self.retry,
            body_limit: self.body_limit,
            in_flight: crate::runtime::Turns::new(self.max_concurrent_requests),
            retry_unsafe_methods: false,
            extra_headers: Arc::new([]),
        };
        Ok(C::from_parts(base_url.trim_end_matches('/'), http, runtime))
    }
}

/// Percent-decoding (a password in a URL's user info is kept encoded by the URL parser).
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

#[cfg(all(test, feature = "rustls-ring"))]
mod ring_tests {
    use super::*;

    struct Plain;
    impl FromParts for Plain {
        fn from_parts(_: &str, _: reqwest::Client, _: Runtime) -> Self {
            Plain
        }
    }

    static PROFILE: ApiProfile = ApiProfile {
        sdk_name: "sdk-test",
        sdk_version: "0.0.0",
        default_base_url: "https://example.invalid/api",
        public_operations: &[],
        secret_query_parameters: &[],
        secret_body_members: &[],
        routes: &[],
    };

    /// `cargo test -p sdk-core --features rustls-ring`: reqwest without a provider of its own panics while
    /// building a client unless one is installed.
    #[test]
    fn a_client_builds_with_ring_as_the_only_provider() {
        ClientBuilder::<Plain>::new(&PROFILE, Credentials::bearer("token"))
            .build()
            .expect("client");
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }
}
