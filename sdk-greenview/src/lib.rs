//! Rust client for the [Greenview Data](https://www.greenviewdata.com) hosted services reseller API v1
//! (SpamStopsHere, RestorEmail, Email Encryption, Email Hosting): clients and their domains, login tokens
//! for a client's admin user, packages, and the public client creation and reseller sign-up with their
//! captchas.
//!
//! The client is generated from `specs/greenview.yaml`; this file adds construction and the captcha flows
//! ([`Client::create_client_with_captcha`], [`Client::create_reseller_with_captcha`]). Requests go to
//! `https://api.greenviewdata.com` unless [`ClientBuilder::base_url`] says otherwise.
//!
//! # Quick start
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use sdk_greenview::{Client, Credentials, Error};
//!
//! // HTTP Basic: the reseller's API token is the user name, the API key the password; here from
//! // GREENVIEW_API_TOKEN and GREENVIEW_API_KEY (or `Credentials::api_key(token, key)`).
//! let client = Client::builder(Credentials::from_env()?).build()?;
//! for customer in client.list_clients().send().await?.iter() {
//!     for domain in &customer.domains {
//!         println!("{} {}: MX {:?}", customer.id, domain.name, domain.mx_records);
//!     }
//! }
//!
//! // Documented errors come back typed: a 422 carries the messages by attribute.
//! let update = sdk_greenview::types::ClientUpdate::builder().user_count(5);
//! match client.update_client().id(49632).body(update).send().await {
//!     Ok(updated) => println!("{:?}", updated.package_uid),
//!     Err(Error::ErrorResponse(e)) => println!("{}: {}", e.status(), e.errors),
//!     Err(other) => return Err(other.into()),
//! }
//!
//! // The public operations need no credentials.
//! let public = Client::builder(Credentials::public()).build()?;
//! let packages = public.list_packages_by_tag().tag_name("cpanel").send().await;
//! println!("{packages:?}"); // Error::Custom: packages need the reseller's key
//! let new_client = public.new_client().send().await?;
//! println!("captcha: {}", new_client.captcha.question);
//! # Ok(()) }
//! ```
//!
//! # Captchas
//!
//! Creating a client without a reseller API key, and signing up a reseller, take two steps: get a captcha
//! question, then post with its id and the answer. A wrong answer is a 422 whose body carries a *new*
//! captcha, which the next try must use. [`Client::create_client_with_captcha`] and
//! [`Client::create_reseller_with_captcha`] run that loop with a closure that answers each question, up to
//! `max_tries` posts (0: nothing is sent, the result is [`CaptchaFlowError::NoTries`]); the 422 bodies are
//! typed ([`types::CreateClientError`] with [`types::CreateClientError::captcha`],
//! [`types::ResellerErrorResponse`]) for a hand-written loop.
//!
//! # Cancelling a client loses email
//!
//! [`Client::delete_client`] and [`Client::delete_client_by_domain`] cancel a client. **While the client's
//! domains still have MX records pointing at the service (the `mx_records` of each [`types::Domain`]), their
//! mail is lost after the cancellation**: make sure the customer has moved their MX records elsewhere
//! before cancelling.
//!
//! # Errors and secrets
//!
//! Each call returns [`Error`]: `ErrorResponse` for a documented error status (the 422s, typed, with the
//! status), `UnexpectedResponse` for any other status (the document names no 401, 403 or 404) or a body that
//! is not the documented JSON (status, headers and body kept), `InvalidRequest` for an argument refused
//! before sending (a missing required field, a path segment `""`, `"."` or `".."`), `Custom` for an
//! operation that needs credentials called by a client built with [`Credentials::public`], and `CommunicationError` for transport
//! failures. No error, and no `Debug` of the client or of a builder, shows the API key; the login token of
//! [`types::AuthToken`] is a [`Secret`]. The API token is the Basic *user name* and is shown like one.

mod captcha;
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
/// sdk-greenview = { version = "0.1", features = ["mock"] }
/// httpmock = { version = "0.8", default-features = false }
/// tokio = { version = "1", features = ["macros", "rt"] }
/// serde_json = "1"
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
/// use sdk_greenview::mock::MockServerExt;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let server = MockServer::start_async().await;
/// let customer: sdk_greenview::types::Customer =
///     serde_json::from_value(serde_json::json!({"id": 49632, "domains": [], "name": "Acme"})).unwrap();
/// let mock = server.get_client(|when, then| {
///     when.id(49632);
///     then.ok(&customer);
/// });
///
/// // The code under test, with a client pointed at the mock server.
/// let client = sdk_greenview::Client::builder(sdk_greenview::Credentials::api_key("api-token", "api-key"))
///     .base_url(server.base_url())
///     .build()
///     .unwrap();
/// let found = client.get_client().id(49632).send().await.unwrap();
///
/// assert_eq!(found.name.as_deref(), Some("Acme"));
/// mock.assert_async().await; // called exactly once, as described
/// # }
/// ```
#[cfg(feature = "mock")]
#[rustfmt::skip]
pub mod mock;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use captcha::CaptchaFlowError;
mod errors;
pub use generated::*;
pub use sdk_core::{Authenticator, BuildError, EnvError, PathSegment, RetryPolicy, Secret};
pub use sdk_core::{
    ByteStream, ErrorBody, HeaderMap, InvalidHeader, Jitter, Method, RawRequest, RawResponse,
    RequestOptions, ResponseValue, StatusCode, UndecodableBody, UndecodableKind,
};

/// Builds a [`Client`]; see [`Client::builder`].
pub type ClientBuilder = sdk_core::ClientBuilder<Client>;

/// What a Greenview client authenticates with: the reseller's API token and API key (HTTP Basic, the token
/// as the user name and the key as the password), or [`Credentials::public`] for the public operations.
/// `Debug` shows neither the token nor the key.
#[derive(Clone, Debug)]
pub struct Credentials(sdk_core::Credentials);

impl Credentials {
    /// The environment variable [`Credentials::from_env`] reads the API token from.
    pub const API_TOKEN_VAR: &'static str = "GREENVIEW_API_TOKEN";
    /// The environment variable [`Credentials::from_env`] reads the API key from.
    pub const API_KEY_VAR: &'static str = "GREENVIEW_API_KEY";

    /// The reseller's API token (the Basic user name) and API key (the password).
    pub fn api_key(api_token: impl Into<Secret>, api_key: impl Into<Secret>) -> Self {
        let api_token: Secret = api_token.into();
        Self(sdk_core::Credentials::basic(api_token.expose(), api_key))
    }

    /// No credentials, for the public operations: the captcha flows (`new_client`, `create_client`
    /// without a key, `new_reseller`, `create_reseller`). Any other operation fails with `Error::Custom`
    /// before a request is sent.
    pub fn public() -> Self {
        Self(sdk_core::Credentials::Custom(Arc::new(PublicOnly)))
    }

    /// The API token and key from the environment variables `GREENVIEW_API_TOKEN` and `GREENVIEW_API_KEY`.
    /// The error names the variable that is not set, empty or not Unicode; it never shows a value.
    pub fn from_env() -> Result<Self, EnvError> {
        Self::from_lookup(&sdk_core::env::process)
    }

    fn from_lookup(lookup: sdk_core::env::Lookup<'_>) -> Result<Self, EnvError> {
        let api_token = sdk_core::env::secret(lookup, Self::API_TOKEN_VAR)?;
        let api_key = sdk_core::env::secret(lookup, Self::API_KEY_VAR)?;
        Ok(Self::api_key(api_token, api_key))
    }
}

impl From<Credentials> for sdk_core::Credentials {
    fn from(credentials: Credentials) -> Self {
        credentials.0
    }
}

impl Client {
    /// The one way to start: a builder for a client that authenticates with `credentials`; set anything
    /// else on it (another base URL, timeouts, limits, retries, a `reqwest::Client` of your own), then
    /// `build()`.
    pub fn builder(credentials: impl Into<Credentials>) -> ClientBuilder {
        sdk_core::ClientBuilder::new(&PROFILE, credentials.into().into())
    }
}

/// The credentials of [`Credentials::public`]: nothing for the client creation (open to the public with a
/// captcha), a clear error for operations that need the reseller's key. (The other public operations are
/// marked so in the spec and never reach an authenticator.)
#[derive(Debug)]
struct PublicOnly;

impl Authenticator for PublicOnly {
    fn authorize<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>> {
        let public = request.method() == reqwest::Method::POST
            && request.url().path().ends_with("/v1/clients");
        Box::pin(async move {
            if public {
                Ok(())
            } else {
                Err(format!(
                    "{} {} needs the reseller's API token and key: build the client with Credentials::api_key \
                     (Credentials::public() reaches only the public operations)",
                    request.method(),
                    request.url().path()
                ))
            }
        })
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

    #[test]
    fn from_env_reads_token_and_key_and_names_the_missing_one() {
        let both = |name: &str| match name {
            "GREENVIEW_API_TOKEN" => Some(OsString::from("T0KEN-S3NT1NEL")),
            "GREENVIEW_API_KEY" => Some(OsString::from("KEY-S3NT1NEL")),
            _ => None,
        };
        let credentials = Credentials::from_lookup(&both).unwrap();
        assert!(matches!(
            &credentials.0,
            sdk_core::Credentials::Basic { username, password }
                if username == "T0KEN-S3NT1NEL" && password.expose() == "KEY-S3NT1NEL"
        ));
        assert!(!format!("{credentials:?}").contains("S3NT1NEL"));
        let no_key = |name: &str| (name == "GREENVIEW_API_TOKEN").then(|| OsString::from("t"));
        assert_eq!(
            Credentials::from_lookup(&no_key).unwrap_err().to_string(),
            "the environment variable GREENVIEW_API_KEY is not set"
        );
    }
}
