use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use tokio::sync::Semaphore;

use crate::decode::BodyLimit;
use crate::redact::redact_url;
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
/// The default limit on establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl<C: FromParts> ClientBuilder<C> {
    pub fn new(profile: &'static ApiProfile, credentials: Credentials) -> Self {
        Self {
            profile,
            credentials,
            base_url: None,
            timeout: DEFAULT_TIMEOUT,
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

    /// The limit on a whole request, from sending to the last byte of the answer (per attempt, see
    /// [`ClientBuilder::retry_policy`]). Default: [`DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
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
        let runtime = Runtime {
            profile: self.profile,
            auth_header: self.credentials.header(),
            credentials: self.credentials,
            retry: self.retry,
            body_limit: self.body_limit,
            in_flight: Arc::new(Semaphore::new(self.max_concurrent_requests)),
        };
        Ok(C::from_parts(base_url.trim_end_matches('/'), http, runtime))
    }
}

fn redacted(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) => {
            redact_url(&mut parsed, &[]);
            parsed.to_string()
        }
        // Unparsable: whatever precedes an `@` may be a user name and password.
        Err(_) => match url.rsplit_once('@') {
            Some((_, host)) => format!("<user info redacted>@{host}"),
            None => url.to_string(),
        },
    }
}
