use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use reqwest::Url;

use crate::redact::redact_url;
use crate::{ApiProfile, Credentials, Runtime};

/// Implemented by each generated `Client`: how the builder hands it its parts.
pub trait FromParts {
    fn from_parts(base_url: &str, http: reqwest::Client, runtime: Runtime) -> Self;
}

/// Builds a generated client: credentials, base URL (the spec's first server unless overridden), timeouts
/// and the `User-Agent` `<sdk crate>/<version>`.
#[must_use]
pub struct ClientBuilder<C> {
    profile: &'static ApiProfile,
    credentials: Credentials,
    base_url: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
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
            http: None,
            client: PhantomData,
        }
    }

    /// Another base URL (a test server, a proxy, another region); `http` or `https`, path kept.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// The limit on a whole request, from sending to the last byte of the answer.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Use this `reqwest::Client` (its own timeouts, proxy, TLS and `User-Agent` then apply).
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
                .build()
                .map_err(|e| BuildError(format!("cannot build the HTTP client: {e}")))?,
        };
        let runtime = Runtime {
            profile: self.profile,
            auth_header: self.credentials.header(),
            credentials: self.credentials,
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
        Err(_) => url.to_string(),
    }
}
