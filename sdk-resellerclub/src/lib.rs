//! Rust client for the [ResellerClub](https://www.resellerclub.com) HTTP API (the excerpts of
//! `specs/resellerclub.yaml`): users and forward-only accounts of an order's mail service, the reseller's
//! band pricing (mock response), customer details, and the search of customers' transactions and archived
//! transactions.
//!
//! The client is generated from `specs/resellerclub.yaml`; this crate adds construction for the live and
//! the test system ([`Environment`]), [`IntoResult`] (an `ERROR` body is an error whatever the HTTP
//! status), [`SearchPage`] (a search result as an ordered list of typed records with its totals) and
//! pricing helpers ([`Limit`]: `-1` is [`Limit::Unlimited`]).
//!
//! # Quick start
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use sdk_resellerclub::{Client, Credentials, Environment, Error, IntoResult};
//!
//! // The reseller id (`auth-userid`) and API key (`api-key`), given once: every request carries them
//! // (here from RESELLERCLUB_AUTH_USERID and RESELLERCLUB_API_KEY; or `Credentials::new(id, key)`).
//! let client = Client::builder(Credentials::from_env()?).base_url(Environment::Test).build()?;
//!
//! // Every operation is a builder: set the arguments, `send()`, then `into_result()`.
//! let customer = client.get_customer_details_by_id().customer_id(30930235).send().await.into_result()?;
//! // Scalars arrive as strings or numbers; the SDK hands out numbers.
//! let receipts: Option<f64> = customer.totalreceipts.map(|n| n.get());
//! println!("{:?} {:?} receipts={receipts:?}", customer.customerid, customer.name);
//!
//! // Array parameters go out as repeated keys: customer-id=1&customer-id=2.
//! let page = client
//!     .search_customer_transactions()
//!     .no_of_records(30)
//!     .page_no(1)
//!     .customer_id(vec![1, 2])
//!     .send()
//!     .await
//!     .into_result()?
//!     .into_inner()
//!     .into_page();
//! println!("{} of {:?} transactions", page.records.len(), page.records_in_db);
//! for transaction in &page.records {
//!     println!("{:?} {:?}", transaction.customer_transaction_transid, transaction.customer_transaction_sellingamount);
//! }
//!
//! // Every page of a search (page-no from 1, 30 records a request unless set), within caps; an `ERROR`
//! // answer ends the walk as `Error::ErrorResponse`, and the records received before it are kept.
//! match client.search_customer_transactions().customer_id(vec![1, 2]).pages().page_size(100).collect_entries().await {
//!     Ok(all) => println!("{} transactions", all.len()),
//!     Err(incomplete) => println!("{} transactions, then: {}", incomplete.received.len(), incomplete.error),
//! }
//!
//! // `{"status":"ERROR","message":...}` is an error, with HTTP 200 as with 4xx/5xx.
//! match client.add_forward_only_account().order_id(1).email("a@example.com").forwards("b@example.com,c@example.com").send().await.into_result() {
//!     Ok(result) => println!("{} {:?}", result.outcome(), result.user().map(|u| &u.email_address)),
//!     Err(Error::ErrorResponse(e)) if e.is_ip_not_whitelisted() => println!("whitelist this machine's IP: {}", *e),
//!     Err(Error::ErrorResponse(e)) => println!("{}: {}", e.status(), *e),
//!     Err(other) => return Err(other.into()),
//! }
//! # Ok(()) }
//! ```
//!
//! # Servers
//!
//! A client talks to the live system `https://httpapi.com/api` ([`Environment::Live`]) unless its builder
//! is given `.base_url(Environment::Test)` (the test, or demo, system `https://test.httpapi.com/api`) or
//! another base URL. ResellerClub accepts calls only from source IP addresses
//! whitelisted in the reseller's control panel (Settings → API); the refusal arrives as an `ERROR` answer,
//! see [`types::ApiError::is_ip_not_whitelisted`].
//!
//! # Requests
//!
//! Every parameter travels in the query string, also on POST (sent with an empty body and
//! `content-length: 0`), form-encoded (`@` is `%40`, a space `+`); array parameters are repeated keys. The
//! credentials are appended to every request as `auth-userid=..&api-key=..`; they are never per-call
//! arguments.
//!
//! # Errors
//!
//! ResellerClub answers an error with `{"status":"ERROR","message":...}`, possibly with HTTP 200. The spec
//! therefore types each 200 answer as `ApiError` *or* the success shape (the `types::*OrError` enums: the
//! answer is an `ApiError` when its `status` is `ERROR`, told in the same single pass that decodes the
//! success shape), and [`IntoResult::into_result`] turns the result of `send()` into the plain
//! success type, moving an `ERROR` answer into `Error::ErrorResponse` with its HTTP status — exactly what a
//! 4xx/5xx `ERROR` answer gives. So after `into_result()`:
//!
//! - `Error::ErrorResponse(e)`: an `ERROR` answer, whatever the HTTP status; `e.status()` is the status,
//!   `e.message` the message (`*e` displays it), [`types::ApiError::is_ip_not_whitelisted`] recognises
//!   the refusal of a source IP;
//! - `Error::UnexpectedResponse`: any other status, or a body that is neither the documented shape nor an
//!   `ERROR` answer (status, headers and body kept);
//! - `Error::InvalidRequest`: a required argument was not set (nothing is sent);
//! - `Error::CommunicationError`: transport failures (connection refused, timeout).
//!
//! Answers are read leniently: numbers and booleans may come as JSON strings (`"30930235"`, `"0.0"`,
//! `"false"`) or natively (the `sdk_core::loose` types take both; `.get()` gives the value), and fields the
//! spec does not list are ignored, never an error.
//!
//! # Secrets
//!
//! The API key and a mail user's password (`passwd`) travel in URLs. Every URL the client hands back (in an
//! error or a response) has `api-key`, `auth-userid` and `passwd` replaced by `REDACTED`; the `Debug` output
//! of the client, of [`ClientBuilder`] and of the operation builders shows neither the key nor a password.
//! The SDK writes no logs.

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
/// sdk-resellerclub = { version = "0.1", features = ["mock"] }
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
/// use sdk_resellerclub::mock::MockServerExt;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use sdk_resellerclub::types::{CustomerDetails, CustomerDetailsOrError};
/// use sdk_resellerclub::IntoResult;
///
/// let server = MockServer::start_async().await;
/// let customer = CustomerDetails { name: Some("Jane Doe".into()), ..Default::default() };
/// let mock = server.get_customer_details_by_id(|when, then| {
///     when.customer_id(30930235);
///     then.ok(&CustomerDetailsOrError::CustomerDetails(customer));
/// });
///
/// // The code under test, with a client pointed at the mock server.
/// let client = sdk_resellerclub::Client::builder(sdk_resellerclub::Credentials::new(123456, "test-key"))
///     .base_url(server.base_url())
///     .build()
///     .unwrap();
/// let found = client.get_customer_details_by_id().customer_id(30930235).send().await.into_result().unwrap();
///
/// assert_eq!(found.name.as_deref(), Some("Jane Doe"));
/// mock.assert_async().await; // called exactly once, as described
/// # }
/// ```
#[cfg(feature = "mock")]
#[rustfmt::skip]
pub mod mock;
mod answer;
mod pricing;
mod search;

pub use answer::{Answer, IntoResult};
mod errors;
pub use generated::*;
// Per-call control, raw requests and errors that explain (no downstream crate needs `sdk-core` itself).
pub use pricing::Limit;
pub use sdk_core::loose::{LooseBoolean, LooseInteger, LooseNumber};
pub use sdk_core::{BuildError, EnvError, RetryPolicy, Secret};
pub use sdk_core::{
    ByteStream, ErrorBody, HeaderMap, InvalidHeader, Jitter, Method, RawRequest, RawResponse,
    RequestOptions, ResponseValue, StatusCode, UndecodableBody, UndecodableKind,
};
pub use search::SearchPage;

/// The README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctest;

/// Builds a [`Client`]; see [`Client::builder`].
pub type ClientBuilder = sdk_core::ClientBuilder<Client>;

/// Which ResellerClub system a client talks to (the spec's two servers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Environment {
    /// The live (production) system, `https://httpapi.com/api`.
    #[default]
    Live,
    /// The test (demo) system, `https://test.httpapi.com/api`. Use a demo account's credentials there.
    Test,
}

impl Environment {
    /// The system's base URL.
    pub const fn base_url(self) -> &'static str {
        match self {
            Self::Live => "https://httpapi.com/api",
            Self::Test => "https://test.httpapi.com/api",
        }
    }
}

/// `.base_url(Environment::Test)` on the builder.
impl From<Environment> for String {
    fn from(environment: Environment) -> Self {
        environment.base_url().to_string()
    }
}

/// What a ResellerClub client authenticates with: the reseller id (`auth-userid`) and API key (`api-key`),
/// appended to every request's query. `Debug` never shows the key.
#[derive(Clone, Debug)]
pub struct Credentials {
    user_id: u64,
    api_key: Secret,
}

impl Credentials {
    /// The environment variable [`Credentials::from_env`] reads the reseller id from.
    pub const USER_ID_VAR: &'static str = "RESELLERCLUB_AUTH_USERID";
    /// The environment variable [`Credentials::from_env`] reads the API key from.
    pub const API_KEY_VAR: &'static str = "RESELLERCLUB_API_KEY";

    /// Reseller `user_id` with `api_key`.
    pub fn new(user_id: u64, api_key: impl Into<Secret>) -> Self {
        Self {
            user_id,
            api_key: api_key.into(),
        }
    }

    /// The reseller id and API key from the environment variables `RESELLERCLUB_AUTH_USERID` (a number) and
    /// `RESELLERCLUB_API_KEY`. The error names the variable that is not set, empty, not Unicode or not a
    /// number; it never shows a value.
    pub fn from_env() -> Result<Self, EnvError> {
        Self::from_lookup(&sdk_core::env::process)
    }

    fn from_lookup(lookup: sdk_core::env::Lookup<'_>) -> Result<Self, EnvError> {
        let user_id = sdk_core::env::required(lookup, Self::USER_ID_VAR)?
            .trim()
            .parse()
            .map_err(|_| EnvError::invalid(Self::USER_ID_VAR, "a reseller id (a number)"))?;
        let api_key = sdk_core::env::secret(lookup, Self::API_KEY_VAR)?;
        Ok(Self::new(user_id, api_key))
    }
}

impl From<Credentials> for sdk_core::Credentials {
    fn from(credentials: Credentials) -> Self {
        sdk_core::Credentials::query_pair(
            "auth-userid",
            credentials.user_id.to_string(),
            "api-key",
            credentials.api_key,
        )
    }
}

impl Client {
    /// The one way to start: a builder for a client that authenticates with `credentials`; set anything
    /// else on it (the test system with `.base_url(Environment::Test)`, timeouts, limits, retries, a
    /// `reqwest::Client` of your own), then `build()`. It talks to the live system unless told otherwise.
    pub fn builder(credentials: impl Into<Credentials>) -> ClientBuilder {
        sdk_core::ClientBuilder::new(&PROFILE, credentials.into().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_env_reads_the_id_and_key_and_names_the_variable_at_fault() {
        use std::ffi::OsString;
        let env = |id: &'static str| {
            move |name: &str| match name {
                "RESELLERCLUB_AUTH_USERID" => Some(OsString::from(id)),
                "RESELLERCLUB_API_KEY" => Some(OsString::from("KEY-S3NT1NEL")),
                _ => None,
            }
        };
        let credentials = Credentials::from_lookup(&env("123456")).unwrap();
        assert_eq!(credentials.user_id, 123456);
        assert_eq!(credentials.api_key.expose(), "KEY-S3NT1NEL");
        assert!(!format!("{credentials:?}").contains("S3NT1NEL"));
        let error = Credentials::from_lookup(&env("12x-S3NT1NEL")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the environment variable RESELLERCLUB_AUTH_USERID is not a reseller id (a number)"
        );
        assert_eq!(
            Credentials::from_lookup(&|_| None).unwrap_err().variable(),
            "RESELLERCLUB_AUTH_USERID"
        );
    }

    #[test]
    fn live_is_the_specs_first_server() {
        assert_eq!(Environment::Live.base_url(), PROFILE.default_base_url);
        assert_eq!(Environment::default(), Environment::Live);
    }

    #[test]
    fn both_environments_are_servers_of_the_spec() {
        let spec = include_str!("../../specs/resellerclub.yaml");
        for environment in [Environment::Live, Environment::Test] {
            let line = format!("  - url: {}\n", environment.base_url());
            assert!(
                spec.contains(&line),
                "{environment:?} is not a server of the spec"
            );
        }
    }
}
