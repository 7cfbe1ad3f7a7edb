//! OAuth 2.0 for MailUp: an [`OAuth`] authenticator that obtains its access token with the password grant,
//! refreshes it before it expires (the refresh token is replaced by the one each refresh returns), and
//! refreshes at once when the API refuses it with `401` (the runtime then resends the call once).
//!
//! One token request at a time: every call that needs a token while one is being obtained waits for that
//! request and shares its outcome, success or failure. The request runs on its own task, so a caller that
//! gives up (its deadline) neither cancels it nor makes the next caller start another. A token request never
//! follows a redirect.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION};
use reqwest::{StatusCode, Url};
use sdk_core::{Authenticator, Credentials, Secret};
use serde::Deserialize;
use tokio::sync::watch;

/// MailUp's token endpoint.
pub const DEFAULT_TOKEN_URL: &str = "https://services.mailup.com/Authorization/OAuth/Token";

/// How long before its expiry a token is refreshed, unless [`OAuthBuilder::refresh_margin`] says otherwise.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// The default limit on one token request.
const DEFAULT_TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

/// The lifetime assumed when the token endpoint does not say (`expires_in` missing): MailUp's 3600 s.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// The longest lifetime believed (a year): a larger `expires_in` is read as this.
const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// The most bytes of a token endpoint's answer read (a token answer is a few hundred bytes).
const MAX_TOKEN_ANSWER: usize = 64 * 1024;

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
/// password. Tokens are obtained and refreshed on demand; turn it into [`Credentials`](crate::Credentials) with `.into()` (or
/// pass it to [`Client::builder`](crate::Client::builder)).
///
/// - **One token request at a time.** Calls that need a token while one is being obtained wait for that
///   request and share its outcome: a token, or its error (a failing or hanging token endpoint gets one
///   request per burst of calls, and they all end together). The request runs on a task of its own: a
///   caller that gives up (a deadline) neither cancels it for the others nor makes the next caller start
///   another. Its limit is [`OAuthBuilder::timeout`]; an error says "timed out" when it was.
/// - **A `401` replaces the token it refused, once.** A token is replaced when the API refuses it, not when
///   a late `401` arrives for a token already replaced: one expiry under many concurrent calls is one
///   refresh.
/// - **No redirect, ever.** A `3xx` from the token endpoint is an error naming its status (the `Location`
///   is shown without its query); the form with the client secret and the password is never sent to
///   another address, and a token from another address is never used (see [`OAuthBuilder::http_client`]).
///
/// Its `Debug` shows the client id, the user name and the token URL, never the secret, the password or a
/// token.
pub struct OAuth {
    inner: Arc<Inner>,
}

struct Inner {
    client_id: String,
    client_secret: Secret,
    username: String,
    password: Secret,
    token_url: Url,
    refresh_margin: Duration,
    timeout: Duration,
    http: reqwest::Client,
    state: Mutex<State>,
}

/// What one token request ends with, shared by every caller waiting for it (`None` while under way).
type Outcome = Option<Result<Secret, String>>;

#[derive(Default)]
struct State {
    tokens: Option<Tokens>,
    /// The token request under way, if any: every caller that needs a token waits for its outcome.
    flight: Option<watch::Receiver<Outcome>>,
}

struct Tokens {
    access: Secret,
    refresh: Option<Secret>,
    expires_at: Instant,
    /// The API refused it (`401`): never sent again, even if getting a new one fails.
    refused: bool,
}

impl Tokens {
    /// Neither refused nor expiring within `margin`.
    fn usable(&self, margin: Duration) -> bool {
        !self.refused
            && Instant::now()
                .checked_add(margin)
                .is_some_and(|limit| limit < self.expires_at)
    }
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
            .field("timeout", &self.timeout)
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

    /// [`OAuth::builder`] with the client id, client secret, user name and password read from the
    /// environment variables `MAILUP_CLIENT_ID`, `MAILUP_CLIENT_SECRET`, `MAILUP_USERNAME` and
    /// `MAILUP_PASSWORD` (see [`crate::Credentials::from_env`]). The error names the variable that is not
    /// set, empty or not Unicode; it never shows a value.
    pub fn from_env() -> Result<OAuthBuilder, sdk_core::EnvError> {
        Self::from_lookup(&sdk_core::env::process)
    }

    pub(crate) fn from_lookup(
        lookup: sdk_core::env::Lookup<'_>,
    ) -> Result<OAuthBuilder, sdk_core::EnvError> {
        use crate::Credentials as C;
        use sdk_core::env::{required, secret};
        Ok(Self::builder(
            required(lookup, C::CLIENT_ID_VAR)?,
            secret(lookup, C::CLIENT_SECRET_VAR)?,
            required(lookup, C::USERNAME_VAR)?,
            secret(lookup, C::PASSWORD_VAR)?,
        ))
    }

    /// The current access token; when there is none, it expires within the refresh margin, or the API
    /// refused it, the outcome of the token request under way (started here if there is none).
    async fn access_token(&self) -> Result<Secret, String> {
        let (mut flight, start) = {
            let mut state = self.inner.state();
            if let Some(tokens) = &state.tokens
                && tokens.usable(self.inner.refresh_margin)
            {
                return Ok(tokens.access.clone());
            }
            // A flight whose task is gone (its runtime shut down) is forgotten.
            match state.flight.as_ref().filter(|f| f.has_changed().is_ok()) {
                Some(flight) => (flight.clone(), None),
                None => {
                    let (sender, flight) = watch::channel(None);
                    state.flight = Some(flight.clone());
                    (flight, Some(self.inner.clone().obtain(sender)))
                }
            }
        };
        if let Some(task) = start {
            match tokio::runtime::Handle::try_current() {
                // On its own task: the caller may be cancelled, the request goes on for the others.
                Ok(runtime) => drop(runtime.spawn(task)),
                // Outside a Tokio runtime nothing can be spawned: the caller runs it.
                Err(_) => task.await,
            }
        }
        let outcome = flight
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|outcome| outcome.clone());
        outcome.unwrap_or_else(|| {
            Err(
                "the MailUp token request was abandoned before it ended (its runtime shut down)"
                    .into(),
            )
        })
    }
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding it; a poisoned state is still consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Gets new tokens, keeps them, and hands the outcome to every caller waiting for it.
    async fn obtain(self: Arc<Self>, sender: watch::Sender<Outcome>) {
        let outcome = self.renew().await;
        let shared = {
            let mut state = self.state();
            // Cleared with the tokens stored: a caller that comes after sees the new token, or (after a
            // failure) starts a new request.
            state.flight = None;
            match outcome {
                Ok(tokens) => {
                    let access = tokens.access.clone();
                    state.tokens = Some(tokens);
                    Ok(access)
                }
                Err(error) => Err(error),
            }
        };
        sender.send_replace(Some(shared));
    }

    /// A refresh with the refresh token held, else (none, or refused) a new login with the password.
    async fn renew(&self) -> Result<Tokens, String> {
        let (held_access, held_refresh) = match &self.state().tokens {
            Some(tokens) => (Some(tokens.access.clone()), tokens.refresh.clone()),
            None => (None, None),
        };
        let held: Vec<&Secret> = held_access.iter().chain(&held_refresh).collect();
        let fresh = match &held_refresh {
            // A refresh token that no longer works (expired, revoked) is replaced by a new login.
            Some(refresh) => match self.request_tokens(Grant::Refresh(refresh), &held).await {
                Ok(fresh) => fresh,
                Err(refresh_error) => self
                    .request_tokens(Grant::Password, &held)
                    .await
                    .map_err(|login_error| format!("{refresh_error}; then {login_error}"))?,
            },
            None => self.request_tokens(Grant::Password, &held).await?,
        };
        // A refresh answer without a refresh token keeps the one we hold.
        Ok(Tokens {
            refresh: fresh.refresh.or(held_refresh),
            ..fresh
        })
    }

    async fn request_tokens(&self, grant: Grant<'_>, held: &[&Secret]) -> Result<Tokens, String> {
        let scrub = |message: String| self.scrub(message, held);
        self.token_exchange(grant).await.map_err(scrub)
    }

    async fn token_exchange(&self, grant: Grant<'_>) -> Result<Tokens, String> {
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
        let body = serde_urlencoded::to_string(&form)
            .map_err(|_| format!("cannot encode the MailUp {what} request"))?;
        let transport = |error: reqwest::Error, doing: &str| {
            if error.is_timeout() {
                format!(
                    "MailUp {what} request timed out {doing}after {:.1} s (OAuthBuilder::timeout)",
                    self.timeout.as_secs_f64()
                )
            } else {
                format!("MailUp {what} request failed {doing}: {error}")
            }
        };
        let sent_at = Instant::now();
        let mut response = self
            .http
            .post(self.token_url.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .timeout(self.timeout)
            // Not replayable (its length is known, so it still goes with a Content-Length): no reqwest
            // client re-posts it on a 307 or 308, whatever its redirect policy.
            .body(reqwest::Body::wrap(body))
            .send()
            .await
            .map_err(|e| transport(e, ""))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(format!(
                "MailUp {what} request answered HTTP {status}{}: a redirect, not followed (a token request goes to the token URL only)",
                describe_location(&self.token_url, response.headers())
            ));
        }
        if response.url() != &self.token_url {
            return Err(format!(
                "MailUp {what} request was redirected to {}: the HTTP client given to OAuthBuilder::http_client follows redirects, and a token from another address than the token URL is refused",
                without_query(response.url())
            ));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport(e, "reading the answer "))?
        {
            if bytes.len() + chunk.len() > MAX_TOKEN_ANSWER {
                return Err(format!(
                    "MailUp {what} answer is larger than {} KiB (HTTP {status})",
                    MAX_TOKEN_ANSWER / 1024
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            return Err(format!(
                "MailUp {what} request refused: {}",
                describe_refusal(status, &bytes)
            ));
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
            .unwrap_or(DEFAULT_LIFETIME)
            .min(MAX_LIFETIME);
        Ok(Tokens {
            access: Secret::new(answer.access_token),
            refresh: answer
                .refresh_token
                .filter(|t| !t.is_empty())
                .map(Secret::new),
            expires_at: sent_at + lifetime,
            refused: false,
        })
    }

    /// Replaces every secret this authenticator knows by `REDACTED` (a token endpoint may echo one), as is
    /// and form-encoded.
    fn scrub(&self, mut message: String, held: &[&Secret]) -> String {
        let secrets = [&self.client_secret, &self.password]
            .into_iter()
            .chain(held.iter().copied());
        for secret in secrets.map(Secret::expose).filter(|s| !s.is_empty()) {
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

/// `, to https://host/path` for a redirect's `Location` (relative to the token URL), without its query,
/// fragment or user info (they may carry a code or a credential).
fn describe_location(token_url: &Url, headers: &HeaderMap) -> String {
    headers
        .get(LOCATION)
        .and_then(|location| location.to_str().ok())
        .and_then(|location| token_url.join(location).ok())
        .map(|target| format!(", to {}", without_query(&target)))
        .unwrap_or_default()
}

fn without_query(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    // Only fails for URLs that cannot have them, which then have none to remove.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
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

    /// The limit on one token request, from connecting to the last byte of the answer (default 30 s), also
    /// with a client given to [`OAuthBuilder::http_client`]. Every call waiting for that request ends with
    /// it: a time-out is an error that says "timed out". A client's own limits
    /// ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout) and its operation deadline) may end a
    /// waiting call sooner; the request goes on for the other calls.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Send token requests with this `reqwest::Client` (a proxy, TLS settings). Its redirect policy cannot
    /// be changed from here, and none is needed: the form is sent as a body that cannot be replayed, so a
    /// `307`/`308` is not followed (it is an error naming its status), and an answer that comes from
    /// another address than the token URL (a `301`/`302`/`303` the client followed, as a `GET` without the
    /// form) is refused. Build it with `redirect(reqwest::redirect::Policy::none())` so that nothing at
    /// all is sent to the redirect's target.
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
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| {
                    ConfigError(format!(
                        "cannot build the HTTP client for token requests: {e}"
                    ))
                })?,
        };
        Ok(OAuth {
            inner: Arc::new(Inner {
                client_id: self.client_id,
                client_secret: self.client_secret,
                username: self.username,
                password: self.password,
                token_url,
                refresh_margin: self.refresh_margin,
                timeout: self.timeout,
                http,
                state: Mutex::new(State::default()),
            }),
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
        let inner = &self.inner;
        let token = match inner.state.try_lock() {
            Ok(state) => match (&state.flight, &state.tokens) {
                (Some(_), _) => "being obtained".to_string(),
                (None, Some(t)) if t.refused => "refused by the API".to_string(),
                (None, Some(t)) => format!(
                    "held, expires in {}s",
                    t.expires_at
                        .saturating_duration_since(Instant::now())
                        .as_secs()
                ),
                (None, None) => "none yet".to_string(),
            },
            Err(_) => "busy".to_string(),
        };
        f.debug_struct("OAuth")
            .field("client_id", &inner.client_id)
            .field("client_secret", &inner.client_secret)
            .field("username", &inner.username)
            .field("password", &inner.password)
            .field("token_url", &redacted_url(inner.token_url.as_str()))
            .field("refresh_margin", &inner.refresh_margin)
            .field("timeout", &inner.timeout)
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

    /// A `401` to a request that carried a token of ours means "send it again with the current token";
    /// only when the refused token is still the current one (not a late refusal of a token already
    /// replaced) is the current one replaced by the next authorisation.
    fn is_stale(&self, sent: &HeaderMap, response: &reqwest::Response) -> bool {
        if response.status() != StatusCode::UNAUTHORIZED {
            return false;
        }
        let Some(sent) = sent
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
        else {
            return false;
        };
        if let Some(tokens) = self.inner.state().tokens.as_mut()
            && tokens.access.expose() == sent
        {
            tokens.refused = true;
        }
        true
    }

    /// The client secret, the password, and the access and refresh tokens held now.
    fn secrets(&self) -> Vec<Secret> {
        let inner = &self.inner;
        let mut secrets = vec![inner.client_secret.clone(), inner.password.clone()];
        if let Some(tokens) = &inner.state().tokens {
            secrets.push(tokens.access.clone());
            secrets.extend(tokens.refresh.clone());
        }
        secrets
    }
}

impl From<OAuth> for Credentials {
    fn from(oauth: OAuth) -> Self {
        Credentials::Custom(Arc::new(oauth))
    }
}

impl From<sdk_core::EnvError> for ConfigError {
    fn from(error: sdk_core::EnvError) -> Self {
        Self(error.to_string())
    }
}
