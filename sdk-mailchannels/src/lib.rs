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
//! use sdk_mailchannels::{Client, Credentials};
//!
//! // The API key from MAILCHANNELS_API_KEY (or `Credentials::api_key(key)`).
//! let client = Client::builder(Credentials::from_env()?).build()?;
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
/// let credentials = sdk_mailchannels::Credentials::api_key("test-key");
/// let client = sdk_mailchannels::Client::builder(credentials).base_url(server.base_url()).build().unwrap();
/// let found = client.get_sub_account().account_id("acme-1").send().await.unwrap();
///
/// assert_eq!(found.company.as_deref(), Some("Acme"));
/// mock.assert_async().await; // called exactly once, as described
/// # }
/// ```
#[cfg(feature = "mock")]
#[rustfmt::skip]
pub mod mock;

mod errors;
pub use generated::*;
pub use sdk_core::{BuildError, EnvError, PathSegment, RetryPolicy, Secret};
pub use sdk_core::{
    ByteStream, ErrorBody, HeaderMap, InvalidHeader, Jitter, Method, RawRequest, RawResponse,
    RequestOptions, ResponseValue, StatusCode, UndecodableBody, UndecodableKind,
};

/// Builds a [`Client`]; see [`Client::builder`].
pub type ClientBuilder = sdk_core::ClientBuilder<Client>;

/// What a MailChannels client authenticates with: the reseller's API key, sent as the `X-Api-Key` header.
/// `Debug` never shows it.
#[derive(Clone, Debug)]
pub struct Credentials {
    api_key: Secret,
}

impl Credentials {
    /// The environment variable [`Credentials::from_env`] reads the API key from.
    pub const API_KEY_VAR: &'static str = "MAILCHANNELS_API_KEY";

    /// The reseller's API key.
    pub fn api_key(api_key: impl Into<Secret>) -> Self {
        Self {
            api_key: api_key.into(),
        }
    }

    /// The API key from the environment variable `MAILCHANNELS_API_KEY`. The error names the variable
    /// when it is not set, empty or not Unicode; it never shows a value.
    pub fn from_env() -> Result<Self, EnvError> {
        Self::from_lookup(&sdk_core::env::process)
    }

    fn from_lookup(lookup: sdk_core::env::Lookup<'_>) -> Result<Self, EnvError> {
        Ok(Self::api_key(sdk_core::env::secret(
            lookup,
            Self::API_KEY_VAR,
        )?))
    }
}

impl From<Credentials> for sdk_core::Credentials {
    fn from(credentials: Credentials) -> Self {
        sdk_core::Credentials::ApiKeyHeader {
            header: reqwest::header::HeaderName::from_static("x-api-key"),
            key: credentials.api_key,
        }
    }
}

impl Client {
    /// The one way to start: a builder for a client that authenticates with `credentials`; set anything
    /// else on it (another base URL, timeouts, limits, retries, a `reqwest::Client` of your own), then
    /// `build()`. It talks to the production API unless [`ClientBuilder::base_url`] says otherwise.
    pub fn builder(credentials: impl Into<Credentials>) -> ClientBuilder {
        sdk_core::ClientBuilder::new(&PROFILE, credentials.into().into())
    }
}

/// The README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::*;

    #[test]
    fn from_env_reads_mailchannels_api_key_and_names_it_when_missing() {
        let set = |name: &str| (name == "MAILCHANNELS_API_KEY").then(|| OsString::from("S3NT1NEL"));
        let credentials = Credentials::from_lookup(&set).unwrap();
        assert_eq!(credentials.api_key.expose(), "S3NT1NEL");
        assert!(!format!("{credentials:?}").contains("S3NT1NEL"));
        let error = Credentials::from_lookup(&|_| None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the environment variable MAILCHANNELS_API_KEY is not set"
        );
    }
}
