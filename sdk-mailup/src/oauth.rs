//! OAuth 2.0 for MailUp: an [`OAuth`] authenticator that obtains its access token with the password grant,
//! refreshes it before it expires (the refresh token is replaced by the one each refresh returns), and
//! refreshes at once when the API answers `401` (the runtime then resends the call once).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{StatusCode, Url};
use sdk_core::{Authenticator, Credentials, Secret};
use serde::Deserialize;

/// MailUp's token endpoint.
pub const DEFAULT_TOKEN_URL: &str = "https://services.mailup.com/Authorization/OAuth/Token";

/// How long before its expiry a token is refreshed, unless [`OAuthBuilder::refresh_margin`] says otherwise.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// The default limit on one token request.
const DEFAULT_TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

/// The lifetime assumed when the token endpoint does not say (`expires_in` missing): MailUp's 3600 s.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// Why an [`OAuth`] authenticator or a [`Client`](crate::Client) could not be built. Never shows a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl From<sdk_core::BuildError> for ConfigError {
    fn from(error: sdk_core::BuildError) -> Self {
        Self(error.to_string())
    }
}

/// MailUp OAuth 2.0 credentials: the application's client id and secret and the MailUp user's name and
/// password. Tokens are obtained and refreshed on demand; turn it into [`Credentials`] with `.into()` (or
/// pass it to [`Client::builder`](crate::Client::builder)).
///
/// Its `Debug` shows the client id, the user name and the token URL, never the secret, the password or a
/// token.
pub struct OAuth {
    client_id: String,
    client_secret: Secret,
    username: String,
    password: Secret,
    token_url: Url,
    refresh_margin: Duration,
    http: reqwest::Client,
    tokens: tokio::sync::Mutex<Option<Tokens>>,
    /// Set by [`Authenticator::is_stale`]: the next authorisation must get a new token.
    stale: AtomicBool,
}

struct Tokens {
    access: Secret,
    refresh: Option<Secret>,
    expires_at: Instant,
}

/// Builds an [`OAuth`]; see [`OAuth::builder`].
#[must_use]
pub struct OAuthBuilder {
    client_id: String,
    client_secret: Secret,
    username: String,
    password: Secret,
    token_url: String,
    refresh_margin: Duration,
    timeout: Duration,
    http: Option<reqwest::Client>,
}

impl fmt::Debug for OAuthBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthBuilder")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("username", &self.username)
            .field("password", &self.password)
            .field("token_url", &redacted_url(&self.token_url))
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

impl OAuth {
    /// Credentials for the password grant: the application's `client_id` and `client_secret` and the
    /// MailUp user's `username` and `password`.
    pub fn builder(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> OAuthBuilder {
        OAuthBuilder {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            username: username.into(),
            password: password.into(),
            token_url: DEFAULT_TOKEN_URL.to_string(),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            timeout: DEFAULT_TOKEN_TIMEOUT,
            http: None,
        }
    }

    /// The current access token, obtaining or refreshing it first when there is none, it expires within
    /// the refresh margin, or the API refused it.
    async fn access_token(&self) -> Result<Secret, String> {
        let mut tokens = self.tokens.lock().await;
        if self.stale.swap(false, Ordering::SeqCst) {
            // Refused by the API: never send it again, even if getting a new one fails now.
            if let Some(current) = tokens.as_mut() {
                current.expires_at = Instant::now();
            }
        }
        if let Some(current) = tokens.as_ref()
            && Instant::now() + self.refresh_margin < current.expires_at
        {
            return Ok(current.access.clone());
        }
        let held = tokens.as_ref();
        let fresh = match held.and_then(|t| t.refresh.as_ref()) {
            // A refresh token that no longer works (expired, revoked) is replaced by a new login.
            Some(refresh) => match self.request_tokens(Grant::Refresh(refresh), held).await {
                Ok(fresh) => fresh,
                Err(refresh_error) => self
                    .request_tokens(Grant::Password, held)
                    .await
                    .map_err(|login_error| format!("{refresh_error}; then {login_error}"))?,
            },
            None => self.request_tokens(Grant::Password, held).await?,
        };
        let access = fresh.access.clone();
        // A refresh answer without a refresh token keeps the one we hold.
        let refresh = fresh
            .refresh
            .or_else(|| tokens.take().and_then(|t| t.refresh));
        *tokens = Some(Tokens { refresh, ..fresh });
        Ok(access)
    }

    async fn request_tokens(
        &self,
        grant: Grant<'_>,
        held: Option<&Tokens>,
    ) -> Result<Tokens, String> {
        let mut form: Vec<(&str, &str)> = Vec::with_capacity(5);
        match grant {
            Grant::Password => form.extend([
                ("grant_type", "password"),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.expose()),
                ("username", self.username.as_str()),
                ("password", self.password.expose()),
            ]),
            Grant::Refresh(token) => form.extend([
                ("grant_type", "refresh_token"),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.expose()),
                ("refresh_token", token.expose()),
            ]),
        }
        let what = grant.name();
        let scrub = |message: String| self.scrub(message, held);
        let body = serde_urlencoded::to_string(&form)
            .map_err(|_| format!("cannot encode the MailUp {what} request"))?;
        let sent_at = Instant::now();
        let response = self
            .http
            .post(self.token_url.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| scrub(format!("MailUp {what} request failed: {e}")))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| {
            scrub(format!(
                "MailUp {what} request failed reading the answer: {e}"
            ))
        })?;
        if !status.is_success() {
            return Err(scrub(format!(
                "MailUp {what} request refused: {}",
                describe_refusal(status, &bytes)
            )));
        }
        // serde's message could quote the body (a token): only its position is kept.
        let answer: TokenAnswer = serde_json::from_slice(&bytes).map_err(|e| {
            format!(
                "MailUp {what} answer is not a token (HTTP {status}, line {} column {})",
                e.line(),
                e.column()
            )
        })?;
        if answer.access_token.is_empty() {
            return Err(format!(
                "MailUp {what} answer has an empty access_token (HTTP {status})"
            ));
        }
        let lifetime = answer
            .expires_in
            .map(|s| Duration::from_secs(s.get().max(0).unsigned_abs()))
            .unwrap_or(DEFAULT_LIFETIME);
        Ok(Tokens {
            access: Secret::new(answer.access_token),
            refresh: answer
                .refresh_token
                .filter(|t| !t.is_empty())
                .map(Secret::new),
            expires_at: sent_at + lifetime,
        })
    }

    /// Replaces every secret this authenticator knows by `REDACTED` (a token endpoint may echo one), as is
    /// and form-encoded.
    fn scrub(&self, mut message: String, held: Option<&Tokens>) -> String {
        let mut secrets = vec![&self.client_secret, &self.password];
        if let Some(tokens) = held {
            secrets.push(&tokens.access);
            secrets.extend(tokens.refresh.as_ref());
        }
        for secret in secrets
            .into_iter()
            .map(Secret::expose)
            .filter(|s| !s.is_empty())
        {
            message = message.replace(secret, sdk_core::redact::REDACTED);
            let encoded = serde_urlencoded::to_string([("", secret)]).unwrap_or_default();
            if let Some(encoded) = encoded
                .strip_prefix('=')
                .filter(|e| *e != secret && !e.is_empty())
            {
                message = message.replace(encoded, sdk_core::redact::REDACTED);
            }
        }
        message
    }
}

#[derive(Clone, Copy)]
enum Grant<'a> {
    Password,
    Refresh(&'a Secret),
}

impl Grant<'_> {
    fn name(self) -> &'static str {
        match self {
            Self::Password => "token (password grant)",
            Self::Refresh(_) => "token refresh (refresh_token grant)",
        }
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<sdk_core::loose::LooseInteger>,
}

/// `HTTP 400 Bad Request (invalid_grant: ...)`: the OAuth error fields only, never the raw body.
fn describe_refusal(status: StatusCode, body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct OAuthRefusal {
        error: Option<String>,
        error_description: Option<String>,
        #[serde(rename = "ErrorDescription")]
        mailup_description: Option<String>,
    }
    match serde_json::from_slice::<OAuthRefusal>(body) {
        Ok(refusal) => {
            let parts: Vec<String> = [
                refusal.error,
                refusal.error_description.or(refusal.mailup_description),
            ]
            .into_iter()
            .flatten()
            .collect();
            if parts.is_empty() {
                format!("HTTP {status}")
            } else {
                format!("HTTP {status} ({})", parts.join(": "))
            }
        }
        Err(_) => format!("HTTP {status}"),
    }
}

impl OAuthBuilder {
    /// Another token endpoint (a test server); `http` or `https`.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }

    /// How long before its expiry a token is refreshed (default [`DEFAULT_REFRESH_MARGIN`]).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// The limit on one token request (default 30 s). Ignored with [`OAuthBuilder::http_client`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Send token requests with this `reqwest::Client`.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Checks the token URL and the values that go into the form; no request is sent yet.
    pub fn build(self) -> Result<OAuth, ConfigError> {
        let token_url = Url::parse(&self.token_url).map_err(|e| {
            ConfigError(format!(
                "invalid token URL `{}`: {e}",
                redacted_url(&self.token_url)
            ))
        })?;
        if !matches!(token_url.scheme(), "http" | "https") || token_url.cannot_be_a_base() {
            return Err(ConfigError(format!(
                "invalid token URL `{}`: expected http:// or https://",
                redacted_url(&self.token_url)
            )));
        }
        if self.client_id.is_empty() || self.username.is_empty() {
            return Err(ConfigError(
                "the client id and the user name cannot be empty".into(),
            ));
        }
        if self.client_secret.expose().is_empty() || self.password.expose().is_empty() {
            return Err(ConfigError(
                "the client secret and the password cannot be empty".into(),
            ));
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .user_agent(concat!(
                    env!("CARGO_PKG_NAME"),
                    "/",
                    env!("CARGO_PKG_VERSION")
                ))
                .timeout(self.timeout)
                .build()
                .map_err(|e| {
                    ConfigError(format!(
                        "cannot build the HTTP client for token requests: {e}"
                    ))
                })?,
        };
        Ok(OAuth {
            client_id: self.client_id,
            client_secret: self.client_secret,
            username: self.username,
            password: self.password,
            token_url,
            refresh_margin: self.refresh_margin,
            http,
            tokens: tokio::sync::Mutex::new(None),
            stale: AtomicBool::new(false),
        })
    }
}

fn redacted_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) => {
            sdk_core::redact::redact_url(&mut parsed, &[]);
            parsed.to_string()
        }
        Err(_) => "<not a URL>".to_string(),
    }
}

impl fmt::Debug for OAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let token = match self.tokens.try_lock() {
            Ok(tokens) => match tokens.as_ref() {
                Some(t) => format!(
                    "held, expires in {}s",
                    t.expires_at
                        .saturating_duration_since(Instant::now())
                        .as_secs()
                ),
                None => "none yet".to_string(),
            },
            Err(_) => "being refreshed".to_string(),
        };
        f.debug_struct("OAuth")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("username", &self.username)
            .field("password", &self.password)
            .field("token_url", &redacted_url(self.token_url.as_str()))
            .field("refresh_margin", &self.refresh_margin)
            .field("access_token", &token)
            .finish()
    }
}

impl Authenticator for OAuth {
    fn authorize<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move {
            let token = self.access_token().await?;
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                    "the access token MailUp issued cannot be sent in an HTTP header".to_string()
                })?;
            value.set_sensitive(true);
            request.headers_mut().insert(AUTHORIZATION, value);
            Ok(())
        })
    }

    /// A `401` means the token was refused (expired, revoked): the next authorisation gets a new one, and
    /// the runtime resends the call once.
    fn is_stale(&self, response: &reqwest::Response) -> bool {
        if response.status() == StatusCode::UNAUTHORIZED {
            self.stale.store(true, Ordering::SeqCst);
            true
        } else {
            false
        }
    }
}

impl From<OAuth> for Credentials {
    fn from(oauth: OAuth) -> Self {
        Credentials::Custom(Arc::new(oauth))
    }
}
