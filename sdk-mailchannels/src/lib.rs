//! Rust client for the [MailChannels](https://www.mailchannels.com) Reseller API 1.0: sub-accounts, their
//! SMTP passwords and usage statistics, and the customised cPanel / Plesk / WHMCS plugin downloads.
//!
//! The client is generated from `specs/mailchannels.yaml` (every operation of the provider's document);
//! this file only adds construction. Requests authenticate with an `X-Api-Key` header (the spec records
//! why), and go to `https://api.mailchannels.net/reseller/v1` unless [`ClientBuilder::base_url`] says
//! otherwise.
//!
//! # Quick start
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = sdk_mailchannels::Client::from_api_key("my-api-key")?;
//!
//! // Every operation is a builder: set the arguments, then `send()`.
//! let accounts = client.list_sub_accounts().limit(50).show_all(true).send().await?;
//! for account in accounts.iter() {
//!     println!("{:?} enabled={:?}", account.account_id, account.enabled);
//! }
//!
//! // Documented errors come back typed, with their HTTP status.
//! match client.get_sub_account().account_id("no-such-account").send().await {
//!     Ok(account) => println!("{:?}", account.company),
//!     Err(sdk_mailchannels::Error::ErrorResponse(e)) => println!("{}: {:?}", e.status(), e.message),
//!     Err(other) => return Err(other.into()),
//! }
//! # Ok(()) }
//! ```
//!
//! # Errors
//!
//! Each call returns [`Error`]: `ErrorResponse` for a documented error status (typed
//! [`types::ErrorResponse`] body and the status), `UnexpectedResponse` for any other status or a body that
//! is not the documented JSON (status, headers and body kept), `InvalidRequest` for an argument refused
//! before sending (a missing required argument, or a path segment `""`, `"."` or `".."`), and
//! `CommunicationError` for transport failures. No error, and no `Debug` of the client or of a builder,
//! shows the API key or an SMTP password.

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
/// sdk-mailchannels = { version = "0.1", features = ["mock"] }
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
/// use sdk_mailchannels::mock::MockServerExt;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let server = MockServer::start_async().await;
/// let account = sdk_mailchannels::types::Account { company: Some("Acme".into()), ..Default::default() };
/// let mock = server.get_sub_account(|when, then| {
///     when.account_id(&"acme-1".try_into().unwrap());
///     then.ok(&account);
/// });
///
/// // The code under test, with a client pointed at the mock server.
/// let client = sdk_mailchannels::Client::builder("test-key").base_url(server.base_url()).build().unwrap();
/// let found = client.get_sub_account().account_id("acme-1").send().await.unwrap();
///
/// assert_eq!(found.company.as_deref(), Some("Acme"));
/// mock.assert_async().await; // called exactly once, as described
/// # }
/// ```
#[cfg(feature = "mock")]
#[rustfmt::skip]
pub mod mock;

pub use generated::*;
pub use sdk_core::{BuildError, Credentials, PathSegment, RetryPolicy, Secret};

/// Builds a [`Client`]; see [`Client::builder`].
pub type ClientBuilder = sdk_core::ClientBuilder<Client>;

impl Client {
    /// A client for the production API, authenticating with `api_key`.
    pub fn from_api_key(api_key: impl Into<Secret>) -> Result<Self, BuildError> {
        Self::builder(api_key).build()
    }

    /// A builder, to set another base URL, timeouts or a `reqwest::Client` of your own.
    pub fn builder(api_key: impl Into<Secret>) -> ClientBuilder {
        let credentials = Credentials::ApiKeyHeader {
            header: reqwest::header::HeaderName::from_static("x-api-key"),
            key: api_key.into(),
        };
        sdk_core::ClientBuilder::new(&PROFILE, credentials)
    }
}
