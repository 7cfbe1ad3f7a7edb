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
//! - the **account owner** ([`Client::account_owner`]): every operation; or
//! - the **mailbox owner** ([`Client::mailbox_owner`], user name = the mailbox's full address): the
//!   operations about that mailbox, among them the `/email/{domain}/usernames/{mailboxName}/webmail` family
//!   (`*_shortcut`), which accepts only the mailbox owner.
//!
//! The forgot-password flow takes no credentials, and the client sends none on it whatever it was built
//! with: [`Client::get_secret_questions`], [`Client::get_secret_question_settings`], reading a mailbox's
//! secret question keys ([`Client::get_mailbox_secrets`] and its shortcut) and the reset-password actions
//! ([`Client::apply_mailbox_action`], [`Client::apply_exchange_mailbox_action`] and their shortcuts). A client
//! for that flow alone can be built with [`Credentials::None`].
//!
//! # Quick start
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use sdk_hostway::types::MailboxUpdate;
//!
//! let client = sdk_hostway::Client::account_owner("account-owner", "password")?;
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
//! let owner = sdk_hostway::Client::builder(sdk_hostway::Credentials::basic("john@example.com", "password"))
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
/// let client = sdk_hostway::Client::builder(sdk_hostway::Credentials::basic("owner", "password"))
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

pub use generated::*;
pub use pages::{PageError, Pages};
pub use sdk_core::{BuildError, Credentials, PathSegment, RetryPolicy, Secret};

/// Builds a [`Client`]; see [`Client::builder`].
pub type ClientBuilder = sdk_core::ClientBuilder<Client>;

impl Client {
    /// A client for the production API that authenticates as the account owner (HTTP Basic).
    pub fn account_owner(
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Result<Self, BuildError> {
        Self::builder(Credentials::basic(username, password)).build()
    }

    /// A client for the production API that authenticates as the owner of one mailbox (HTTP Basic):
    /// `address` is the mailbox's full address, e.g. `john@example.com`.
    pub fn mailbox_owner(
        address: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Result<Self, BuildError> {
        Self::builder(Credentials::basic(address, password)).build()
    }

    /// A builder, to set another base URL, timeouts or a `reqwest::Client` of your own. `credentials` is
    /// [`Credentials::basic`] (account or mailbox owner), or [`Credentials::None`] for the operations that
    /// take none. A user name containing `:` is refused by `build()`.
    pub fn builder(credentials: Credentials) -> ClientBuilder {
        sdk_core::ClientBuilder::new(&PROFILE, credentials)
    }
}

/// The README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
