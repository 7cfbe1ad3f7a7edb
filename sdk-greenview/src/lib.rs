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
//! use sdk_greenview::{Client, Error};
//!
//! // HTTP Basic: the reseller's API token is the user name, the API key the password.
//! let client = Client::from_api_key("api-token", "api-key")?;
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
//! let public = Client::public()?;
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
//! a number of tries; the 422 bodies are typed ([`types::CreateClientError`] with
//! [`types::CreateClientError::captcha`], [`types::ResellerErrorResponse`]) for a hand-written loop.
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
//! operation that needs credentials called on [`Client::public`], and `CommunicationError` for transport
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
/// let customer: sdk_greenview::types::Client =
///     serde_json::from_value(serde_json::json!({"id": 49632, "domains": [], "name": "Acme"})).unwrap();
/// let mock = server.get_client(|when, then| {
///     when.id(49632);
///     then.ok(&customer);
/// });
///
/// // The code under test, with a client pointed at the mock server.
/// let client = sdk_greenview::Client::builder(sdk_greenview::Credentials::basic("api-token", "api-key"))
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
pub use generated::*;
pub use sdk_core::{Authenticator, BuildError, Credentials, PathSegment, RetryPolicy, Secret};

/// Builds a [`Client`]; see [`Client::builder`].
pub type ClientBuilder = sdk_core::ClientBuilder<Client>;

impl Client {
    /// A client for the production API, authenticating as the reseller: HTTP Basic with the API token as
    /// the user name and the API key as the password.
    pub fn from_api_key(
        api_token: impl Into<String>,
        api_key: impl Into<Secret>,
    ) -> Result<Self, BuildError> {
        Self::builder(Credentials::basic(api_token, api_key)).build()
    }

    /// A client without credentials, for the public operations: the captcha flows (`new_client`,
    /// `create_client` without a key, `new_reseller`, `create_reseller`). Any other operation fails with
    /// `Error::Custom` before a request is sent.
    pub fn public() -> Result<Self, BuildError> {
        Self::public_builder().build()
    }

    /// A builder, to set another base URL, timeouts or a `reqwest::Client` of your own. `credentials` is
    /// `Credentials::basic(api_token, api_key)`, or `Credentials::None` (nothing is sent, and the server
    /// answers what needs a key).
    pub fn builder(credentials: Credentials) -> ClientBuilder {
        sdk_core::ClientBuilder::new(&PROFILE, credentials)
    }

    /// A builder for [`Client::public`].
    pub fn public_builder() -> ClientBuilder {
        Self::builder(Credentials::Custom(Arc::new(PublicOnly)))
    }
}

/// The credentials of [`Client::public`]: nothing for the client creation (open to the public with a
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
                    "{} {} needs the reseller's API token and key: build the client with Client::from_api_key \
                     (Client::public() reaches only the public operations)",
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
