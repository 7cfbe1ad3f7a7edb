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
//! use sdk_mailup::{Client, Error, PollPolicy, codes::CreateAccountCode};
//!
//! // The application's client id and secret, and the MailUp user's name and password: the client gets
//! // its tokens from MailUp and refreshes them itself.
//! let client = Client::from_password("client-id", "client-secret", "m12345", "password")?;
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
//! - [`Client::from_password`] / [`OAuth`]: the password grant against
//!   `https://services.mailup.com/Authorization/OAuth/Token` (overridable with [`OAuthBuilder::token_url`]).
//!   The token is obtained on the first call and refreshed (refresh-token grant, with a new login if the
//!   refresh token no longer works) when it comes within [`OAuthBuilder::refresh_margin`] of its expiry;
//!   each refresh's new refresh token replaces the old one. A call answered `401` gets a new token and is
//!   sent once more.
//! - [`Client::from_token`]: an access token you already hold, sent as is (no refresh).
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

pub use generated::*;
pub use oauth::{ConfigError, DEFAULT_REFRESH_MARGIN, DEFAULT_TOKEN_URL, OAuth, OAuthBuilder};
pub use sdk_core::{Authenticator, BuildError, Credentials, PathSegment, RetryPolicy, Secret};
pub use wait::{ActivationError, CreatedAccount, PollPolicy, ProfileChangeError};

/// Builds a [`Client`]; see [`Client::builder`].
pub type ClientBuilder = sdk_core::ClientBuilder<Client>;

impl Client {
    /// A client for the production API that obtains and refreshes its own tokens (password grant).
    pub fn from_password(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Result<Self, ConfigError> {
        let oauth = OAuth::builder(client_id, client_secret, username, password).build()?;
        Ok(Self::builder(oauth).build()?)
    }

    /// A client for the production API that sends `access_token` as is: once it expires, calls answer 401.
    pub fn from_token(access_token: impl Into<Secret>) -> Result<Self, BuildError> {
        Self::builder(Credentials::bearer(access_token)).build()
    }

    /// A builder, to set another base URL, timeouts or a `reqwest::Client` of your own. `credentials` is an
    /// [`OAuth`] or a ready token (`Credentials::bearer`).
    pub fn builder(credentials: impl Into<Credentials>) -> ClientBuilder {
        sdk_core::ClientBuilder::new(&PROFILE, credentials.into())
    }
}

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
