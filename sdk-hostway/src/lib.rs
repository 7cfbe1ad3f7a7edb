//! Rust client for the Hostway Email API: mailboxes, aliases, forwards, black/white lists, CleanMailPlus,
//! Exchange, webmail, contacts and InfoStore of the email domains of a Hostway account.
//!
//! The client is generated from `specs/hostway.yaml` (all 63 operations of the provider's document); this
//! crate adds construction and a walker for the paginated lists ([`pages`]). Requests go to
//! `https://api.hostway.com` unless [`ClientBuilder::base_url`](sdk_core::ClientBuilder::base_url) says
//! otherwise.
//!
//! # Credentials
//!
//! HTTP Basic, with the credentials of either
//! - the **account owner** ([`Credentials::account_owner`]): every operation; or
//! - the **mailbox owner** ([`Credentials::mailbox_owner`], user name = the mailbox's full address): the
//!   operations about that mailbox, among them the `/email/{domain}/usernames/{mailboxName}/webmail` family
//!   (`*_shortcut`), which accepts only the mailbox owner.
//!
//! The forgot-password flow takes no credentials, and the client sends none on it whatever it was built
//! with: [`Client::get_secret_questions`], [`Client::get_secret_question_settings`], reading a mailbox's
//! secret question keys ([`Client::get_mailbox_secrets`] and its shortcut) and the reset-password actions
//! ([`Client::apply_mailbox_action`], [`Client::apply_exchange_mailbox_action`] and their shortcuts). A client
//! for that flow alone can be built with [`Credentials::none`].
//!
//! [`Credentials::from_env`] reads `HOSTWAY_USERNAME` and `HOSTWAY_PASSWORD`.
//!
//! # Quick start
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use sdk_hostway::types::MailboxUpdate;
//! use sdk_hostway::{Client, Credentials};
//!
//! // HOSTWAY_USERNAME and HOSTWAY_PASSWORD (or `Credentials::account_owner(name, password)`).
//! let client = Client::builder(Credentials::from_env()?).build()?;
//!
//! // Every operation is a builder: set the arguments, then `send()`.
//! let domain = client.get_email_domain().account("12345").domain("example.com").send().await?;
//! println!("{domain:?}");
//!
//! // Lists are paged by the service: `pages()` walks them (page + pageSize on every request).
//! let mailboxes = client.list_usernames().account("12345").domain("example.com").pages().collect_entries().await?;
//! for mailbox in &mailboxes {
//!     println!("{:?} {:?}", mailbox.username, mailbox.type_);
//! }
//!
//! // Documented errors come back typed, with their HTTP status. Passwords are `Secret`s: never shown by `Debug`.
//! let body = MailboxUpdate { password: Some("s3cret-Passw0rd!".into()), ..Default::default() };
//! let result = client.create_or_update_mailbox().account("12345").domain("example.com").mailbox_name("john").body(body).send().await;
//! match result {
//!     Ok(created) => println!("{}", created.status()), // 201 created, 204 updated
//!     Err(sdk_hostway::Error::ErrorResponse(e)) => println!("{}: {:?}", e.status(), e.as_ref()),
//!     Err(other) => return Err(other.into()),
//! }
//!
//! // A mailbox owner, against another base URL.
//! let owner = Client::builder(Credentials::mailbox_owner("john@example.com", "password"))
//!     .base_url("https://api.hostway.example")
//!     .timeout(std::time::Duration::from_secs(10))
//!     .build()?;
//! let webmail = owner.get_mailbox_webmail_shortcut().domain("example.com").mailbox_name("john").send().await?;
//! println!("{:?}", webmail.type_);
//! # Ok(()) }
//! ```
//!
//! # Errors
//!
//! Each call returns [`Error`]: `ErrorResponse` for a documented error status (with the status, and the
//! typed [`types::ErrorResponse`] body where the operation documents one; `None` when that body is empty),
//! `UnexpectedResponse` for any other status or a body that is not the documented JSON (status, headers and
//! body kept), `InvalidRequest` for an argument refused before sending (a missing required argument, or a
//! path segment `""`, `"."` or `".."`), and `CommunicationError` for transport failures. No error, and no
//! `Debug` of the client, a builder or a request body, shows a password or a secret answer.
//!
//! # Request bodies
//!
//! A body the service refuses for its shape is refused before anything is sent: a member it requires
//! missing from a typed builder (an autoresponder's `body`, a contact's `name`, `email` and `displayName`,
//! an InfoStore `quota`) ends `send()` in `Error::InvalidRequest`, and the request body types reject members
//! they do not have when deserialised (`{"badBody": ..}` is an error, not an empty body). Answer types stay
//! open: a member the service adds to an answer is ignored. What only the service knows stays its `400`:
//! whether a mailbox PUT creates the mailbox (then a `password` is required), and the franchise's minimum
//! number of secret answers, which [`Client::set_mailbox_secrets_checked`] reads from
//! [`Client::get_secret_question_settings`] and checks (with the answers' length) before sending.
//!
//! # Lists larger than 100 entries
//!
//! Asked for a list without `page`/`pageSize`, the service answers `303 See Other` when the list has more
//! than 100 entries, pointing at the first page of 100. The client does not follow redirects: such a
//! `send()` ends in `Error::UnexpectedResponse` with status 303 and the `Location`, never in the first 100
//! entries passed off as the whole list. Use `pages()` (see [`pages::Pages`]), or pass `page` and
//! `page_size` yourself (at most [`pages::MAX_PAGE_SIZE`]).

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
/// sdk-hostway = { version = "0.1", features = ["mock"] }
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
/// use sdk_hostway::mock::MockServerExt;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let server = MockServer::start_async().await;
/// let domain = sdk_hostway::types::EmailDomain { quota: Some(2048), ..Default::default() };
/// let mock = server.get_email_domain(|when, then| {
///     when.account(&"12345".try_into().unwrap()).domain(&"example.com".try_into().unwrap());
///     then.ok(&domain);
/// });
///
/// // The code under test, with a client pointed at the mock server.
/// let client = sdk_hostway::Client::builder(sdk_hostway::Credentials::account_owner("owner", "password"))
///     .base_url(server.base_url())
///     .build()
///     .unwrap();
/// let found = client.get_email_domain().account("12345").domain("example.com").send().await.unwrap();
///
/// assert_eq!(found.quota, Some(2048));
/// mock.assert_async().await; // called exactly once, as described
/// # }
/// ```
#[cfg(feature = "mock")]
#[rustfmt::skip]
pub mod mock;
pub mod pages;
mod secrets;

mod errors;
pub use generated::*;
// Per-call control, raw requests and errors that explain (no downstream crate needs `sdk-core` itself).
pub use pages::{PageError, Pages};
pub use sdk_core::{BuildError, EnvError, PathSegment, RetryPolicy, Secret};
pub use sdk_core::{
    ByteStream, ErrorBody, HeaderMap, InvalidHeader, Jitter, Method, RawRequest, RawResponse,
    RequestOptions, ResponseValue, StatusCode, UndecodableBody, UndecodableKind,
};
pub use secrets::{MIN_SECRET_ANSWER_CHARS, SecretAnswersError};

/// Builds a [`Client`]; see [`Client::builder`].
pub type ClientBuilder = sdk_core::ClientBuilder<Client>;

/// What a Hostway client authenticates with: HTTP Basic as the account owner or as the owner of one
/// mailbox, or nothing (the forgot-password flow alone). `Debug` shows neither the user name nor the
/// password.
#[derive(Clone, Debug)]
pub struct Credentials(sdk_core::Credentials);

impl Credentials {
    /// The environment variable [`Credentials::from_env`] reads the user name from.
    pub const USERNAME_VAR: &'static str = "HOSTWAY_USERNAME";
    /// The environment variable [`Credentials::from_env`] reads the password from.
    pub const PASSWORD_VAR: &'static str = "HOSTWAY_PASSWORD";

    /// The account owner's user name and password: every operation.
    pub fn account_owner(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self(sdk_core::Credentials::basic(username, password))
    }

    /// The owner of one mailbox: `address` is the mailbox's full address (e.g. `john@example.com`); the
    /// operations about that mailbox, among them the `*_shortcut` webmail family.
    pub fn mailbox_owner(address: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self(sdk_core::Credentials::basic(address, password))
    }

    /// No credentials: the forgot-password flow (secret questions, reset password), which carries none
    /// whatever the client holds.
    pub fn none() -> Self {
        Self(sdk_core::Credentials::None)
    }

    /// HTTP Basic from the environment variables `HOSTWAY_USERNAME` (the account owner's user name or a
    /// mailbox's full address) and `HOSTWAY_PASSWORD`. The error names the variable that is not set, empty
    /// or not Unicode; it never shows a value.
    pub fn from_env() -> Result<Self, EnvError> {
        Self::from_lookup(&sdk_core::env::process)
    }

    fn from_lookup(lookup: sdk_core::env::Lookup<'_>) -> Result<Self, EnvError> {
        let username = sdk_core::env::required(lookup, Self::USERNAME_VAR)?;
        let password = sdk_core::env::secret(lookup, Self::PASSWORD_VAR)?;
        Ok(Self::account_owner(username, password))
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
    /// `build()`. A user name containing `:` is refused by `build()`.
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
    fn from_env_reads_both_variables_and_names_the_missing_one() {
        let both = |name: &str| match name {
            "HOSTWAY_USERNAME" => Some(OsString::from("owner")),
            "HOSTWAY_PASSWORD" => Some(OsString::from("S3NT1NEL")),
            _ => None,
        };
        let credentials = Credentials::from_lookup(&both).unwrap();
        assert!(matches!(
            &credentials.0,
            sdk_core::Credentials::Basic { username, password }
                if username == "owner" && password.expose() == "S3NT1NEL"
        ));
        assert!(!format!("{credentials:?}").contains("S3NT1NEL"));
        let no_password =
            |name: &str| (name == "HOSTWAY_USERNAME").then(|| OsString::from("owner"));
        assert_eq!(
            Credentials::from_lookup(&no_password)
                .unwrap_err()
                .to_string(),
            "the environment variable HOSTWAY_PASSWORD is not set"
        );
        assert_eq!(
            Credentials::from_lookup(&|_| None).unwrap_err().variable(),
            "HOSTWAY_USERNAME"
        );
    }
}
