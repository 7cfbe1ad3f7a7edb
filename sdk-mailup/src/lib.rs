//! Rust client for MailUp's RetailerService 1.1 ("Self provisioning – retailers only"): the retailer's
//! profiles, packs and languages, and its customers' accounts (create and activate, status, enable and
//! disable, change profile, add packs, unprovide).
//!
//! The client is generated from `specs/mailup.yaml`; this file adds construction, OAuth 2.0
//! ([`OAuth`]), typed result codes ([`codes`]) and waiting for the asynchronous operations
//! ([`Client::create_account_and_wait`], [`Client::change_account_profile_and_wait`]). Requests go to
//! `https://services.mailup.com/API/v1.1/Rest/RetailerService.svc` unless [`ClientBuilder::base_url`] says
//! otherwise.
//!
//! # Quick start
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use sdk_mailup::{Client, Credentials, Error, PollPolicy, codes::CreateAccountCode};
//!
//! // The application's client id and secret, and the MailUp user's name and password (here from
//! // MAILUP_CLIENT_ID, MAILUP_CLIENT_SECRET, MAILUP_USERNAME and MAILUP_PASSWORD): the client gets its
//! // tokens from MailUp and refreshes them itself.
//! let client = Client::builder(Credentials::from_env()?).build()?;
//!
//! let profiles = client.list_profiles().page_size(50).send().await?;
//! for profile in &profiles.items {
//!     println!("{:?} {:?}", profile.id, profile.name);
//! }
//!
//! // Account creation is asynchronous: create, then poll the activation until it is done or failed.
//! let request = sdk_mailup::types::AccountActivationRequest::builder()
//!     .ip_address("192.168.0.1")
//!     .email("service@retailer.it")
//!     .custom_domain("power-email-marketing.it")
//!     .custom_subdomain("customer123")
//!     .service_name("Power email marketing")
//!     .service_url("www.power-email-marketing.it/info")
//!     .service_logout_url("www.power-email-marketing.it")
//!     .try_into()?;
//! let created = client.create_account_and_wait(1046, "en", request, &PollPolicy::default()).await?;
//! println!("account {}", created.id_account);
//!
//! // Business errors (403 `{Code, Description}`) are typed per operation.
//! let request = sdk_mailup::types::AccountActivationRequest::builder()
//!     .ip_address("192.168.0.1")
//!     .email("service@retailer.it")
//!     .custom_domain("taken.example")
//!     .custom_subdomain("customer124")
//!     .service_name("Power email marketing")
//!     .service_url("www.power-email-marketing.it/info")
//!     .service_logout_url("www.power-email-marketing.it");
//! match client.create_account().id_profile(1046).lang("en").body(request).send().await {
//!     Ok(activation) => println!("started {:?}", activation.id_activation),
//!     Err(Error::ErrorResponse(e)) if e.result_code() == Some(CreateAccountCode::CustomDomainNotAvailable) => {
//!         println!("pick another domain")
//!     }
//!     Err(other) => return Err(other.into()),
//! }
//! # Ok(()) }
//! ```
//!
//! # Authentication
//!
//! - [`Credentials::password`] / [`Credentials::from_env`] / [`OAuth`]: the password grant against
//!   `https://services.mailup.com/Authorization/OAuth/Token` (overridable with [`OAuthBuilder::token_url`]).
//!   The token is obtained on the first call and refreshed (refresh-token grant, with a new login if the
//!   refresh token no longer works) when it comes within [`OAuthBuilder::refresh_margin`] of its expiry;
//!   each refresh's new refresh token replaces the old one. A call answered `401` gets a new token and is
//!   sent once more.
//! - One token request at a time: calls that need a token while one is being obtained wait for it and
//!   share its outcome, a token or an error (one expiry under 200 concurrent calls is one refresh; a failing
//!   or hanging token endpoint gets one request per burst of calls, and they all end together, a time-out
//!   saying "timed out"). A late `401` for a token already replaced does not replace the new one. The
//!   request runs on a task of its own: a caller cancelled by its deadline does not cancel it for the others.
//! - A token request never follows a redirect: a `3xx` is an error naming its status, the form with the
//!   client secret and the password is never sent to another address, and a token from another address is
//!   never used, also with a `reqwest::Client` of your own ([`OAuthBuilder::http_client`]).
//! - [`Credentials::bearer`]: an access token you already hold, sent as is (no refresh).
//!
//! [`Credentials::from_env`] (and [`OAuth::from_env`], a builder) read `MAILUP_CLIENT_ID`,
//! `MAILUP_CLIENT_SECRET`, `MAILUP_USERNAME` and `MAILUP_PASSWORD`.
//!
//! # Waiting for the asynchronous operations
//!
//! [`Client::create_account_and_wait`], [`Client::wait_for_activation`] and
//! [`Client::change_account_profile_and_wait`] poll within a [`PollPolicy`]: at most `max_attempts` calls and
//! `max_elapsed` in all, a bound rather than a hint (each call gets the time left at most; no delay ends past
//! it). A wait that reaches a bound ends with a `TimedOut` error naming it ([`PollBound`]) and keeping the
//! last answer seen ([`LastAnswer`]).
//!
//! # Errors
//!
//! Each call returns [`Error`]: `ErrorResponse` for a documented error status (typed body and status:
//! MailUp's `{ErrorCode, ...}` envelope for 400, 401 and 429; for a 403 either a business
//! `{Code, Description}` — see [`codes`] and the `result_code()` of the error bodies — or an authorization
//! error in the envelope), `UnexpectedResponse` for any other status or a body that is not the documented
//! JSON, `InvalidRequest` for an argument refused before sending, `Custom` when no token could be obtained,
//! and `CommunicationError` for transport failures. Throttling is `429`
//! ([`types::OAuthError::is_throttling`]), never a 403. No error, and no `Debug` of the client, of
//! [`OAuth`] or of a builder, shows the client secret, the password or a token.

pub mod codes;
// Generated code is formatted by `cargo xtask generate` (prettyplease), not by rustfmt.
#[rustfmt::skip]
mod generated;
/// Typed [httpmock](https://docs.rs/httpmock) helpers, to test code that uses this SDK without a network
/// (feature `mock`, generated from the spec with the client).
///
/// In the downstream crate's `Cargo.toml`:
///
/// ```toml
/// [dev-dependencies]
/// sdk-mailup = { version = "0.1", features = ["mock"] }
/// httpmock = { version = "0.8", default-features = false }
/// tokio = { version = "1", features = ["macros", "rt"] }
/// ```
///
/// [`mock::MockServerExt`] adds one method per operation to `httpmock::MockServer`. Its `When` side matches
/// the operation's method and path and, for each argument you name, the value the SDK sends (path arguments
/// percent-encoded as sent, array query arguments element by element, `None` for "not sent"); its `Then`
/// side has one method per documented status, taking the typed body. Point the client at
/// `server.base_url()`: the mocks match the paths of the spec without the path of its server URL.
///
/// ```
/// use httpmock::MockServer;
/// use sdk_mailup::mock::MockServerExt;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let server = MockServer::start_async().await;
/// let status = sdk_mailup::types::AccountStatus { credits: Some(1200), ..Default::default() };
/// let mock = server.get_account_status(|when, then| {
///     when.id_account(31);
///     then.ok(&status);
/// });
///
/// // The code under test, with a client pointed at the mock server (a ready token: no OAuth round trip).
/// let client = sdk_mailup::Client::builder(sdk_mailup::Credentials::bearer("test-token"))
///     .base_url(server.base_url())
///     .build()
///     .unwrap();
/// let found = client.get_account_status().id_account(31).send().await.unwrap();
///
/// assert_eq!(found.credits, Some(1200));
/// mock.assert_async().await; // called exactly once, as described
/// # }
/// ```
#[cfg(feature = "mock")]
#[rustfmt::skip]
pub mod mock;
mod oauth;
mod wait;

mod errors;
pub use generated::*;
// Per-call control, raw requests and errors that explain (no downstream crate needs `sdk-core` itself).
pub use oauth::{ConfigError, DEFAULT_REFRESH_MARGIN, DEFAULT_TOKEN_URL, OAuth, OAuthBuilder};
pub use sdk_core::{Authenticator, BuildError, EnvError, PathSegment, RetryPolicy, Secret};
pub use sdk_core::{
    ByteStream, ErrorBody, HeaderMap, InvalidHeader, Jitter, Method, RawRequest, RawResponse,
    RequestOptions, ResponseValue, StatusCode, UndecodableBody, UndecodableKind,
};
pub use wait::{
    ActivationError, CreatedAccount, LastAnswer, PollBound, PollPolicy, ProfileChangeError,
};

/// Builds a [`Client`]; see [`Client::builder`].
pub type ClientBuilder = sdk_core::ClientBuilder<Client>;

/// What a MailUp client authenticates with: [`OAuth`] (tokens obtained and refreshed by the client) or an
/// access token you already hold ([`Credentials::bearer`]). `Debug` shows no secret and no token.
#[derive(Clone, Debug)]
pub struct Credentials(sdk_core::Credentials);

impl Credentials {
    /// The environment variable [`Credentials::from_env`] reads the application's client id from.
    pub const CLIENT_ID_VAR: &'static str = "MAILUP_CLIENT_ID";
    /// The environment variable [`Credentials::from_env`] reads the application's client secret from.
    pub const CLIENT_SECRET_VAR: &'static str = "MAILUP_CLIENT_SECRET";
    /// The environment variable [`Credentials::from_env`] reads the MailUp user name from.
    pub const USERNAME_VAR: &'static str = "MAILUP_USERNAME";
    /// The environment variable [`Credentials::from_env`] reads the MailUp user's password from.
    pub const PASSWORD_VAR: &'static str = "MAILUP_PASSWORD";

    /// OAuth 2.0, password grant: the application's client id and secret and the MailUp user's name and
    /// password, with the defaults of [`OAuth::builder`] (use that for another token URL or margin).
    pub fn password(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Result<Self, ConfigError> {
        Ok(OAuth::builder(client_id, client_secret, username, password)
            .build()?
            .into())
    }

    /// An access token you already hold, sent as is (no refresh): once it expires, calls answer 401.
    pub fn bearer(access_token: impl Into<Secret>) -> Self {
        Self(sdk_core::Credentials::bearer(access_token))
    }

    /// [`Credentials::password`] from the environment variables `MAILUP_CLIENT_ID`, `MAILUP_CLIENT_SECRET`,
    /// `MAILUP_USERNAME` and `MAILUP_PASSWORD`. The error names the variable that is not set, empty or not
    /// Unicode; it never shows a value.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(OAuth::from_env()?.build()?.into())
    }
}

impl From<OAuth> for Credentials {
    fn from(oauth: OAuth) -> Self {
        Self(oauth.into())
    }
}

impl From<Credentials> for sdk_core::Credentials {
    fn from(credentials: Credentials) -> Self {
        credentials.0
    }
}

impl Client {
    /// The one way to start: a builder for a client that authenticates with `credentials` (a
    /// [`Credentials`] or an [`OAuth`]); set anything else on it (another base URL, timeouts, limits,
    /// retries, a `reqwest::Client` of your own), then `build()`.
    pub fn builder(credentials: impl Into<Credentials>) -> ClientBuilder {
        sdk_core::ClientBuilder::new(&PROFILE, credentials.into().into())
    }
}

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::*;

    fn all(name: &str) -> Option<OsString> {
        let value = match name {
            "MAILUP_CLIENT_ID" => "app",
            "MAILUP_CLIENT_SECRET" => "SECRET-S3NT1NEL",
            "MAILUP_USERNAME" => "m12345",
            "MAILUP_PASSWORD" => "PASSWORD-S3NT1NEL",
            _ => return None,
        };
        Some(value.into())
    }

    #[test]
    fn from_env_reads_the_four_variables_and_names_the_missing_one() {
        let oauth = OAuth::from_lookup(&all).unwrap().build().unwrap();
        let secrets = oauth.secrets();
        let shown = format!("{oauth:?}");
        let shown = format!("{shown} {:?}", Credentials::from(oauth));
        assert!(!shown.contains("S3NT1NEL"), "{shown}");
        assert!(shown.contains(r#"client_id: "app""#) && shown.contains(r#"username: "m12345""#));
        assert_eq!(secrets[0].expose(), "SECRET-S3NT1NEL");
        assert_eq!(secrets[1].expose(), "PASSWORD-S3NT1NEL");
        let no_password = |name: &str| (name != "MAILUP_PASSWORD").then(|| all(name)).flatten();
        let error = OAuth::from_lookup(&no_password).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the environment variable MAILUP_PASSWORD is not set"
        );
        assert_eq!(
            ConfigError::from(error).to_string(),
            "the environment variable MAILUP_PASSWORD is not set"
        );
    }
}
