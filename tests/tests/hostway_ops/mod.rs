//! Shared by the Hostway tests (`hostway.rs`, `hostway_examples.rs`): the spec as JSON, and one entry per
//! operation naming the Rust types of its request body, success and error bodies, the request it must send
//! for the arguments used here, and how to call it through the SDK.
//!
//! The types are checked by the compiler against the generated client: each entry's call is written
//! `let result: Result<ResponseValue<Ok>, Error<Err>> = builder.send().await`, so an entry naming the wrong
//! type does not build.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::LazyLock;

use sdk_hostway::open_enums::BlackWhiteListType;
use sdk_hostway::types;
use sdk_hostway::{Client, Error, ResponseValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// `specs/hostway.yaml`, read at test time.
pub static SPEC: LazyLock<Value> = LazyLock::new(|| sdk_tests::spec("hostway"));

pub const ACCOUNT_USER: &str = "owner-7";
pub const ACCOUNT_PASSWORD: &str = "PW-SENTINEL-hw1";
/// `Basic base64("owner-7:PW-SENTINEL-hw1")`, computed independently of the SDK.
pub const ACCOUNT_AUTH: &str = "Basic b3duZXItNzpQVy1TRU5USU5FTC1odzE=";
pub const MAILBOX_USER: &str = "john.smith@test.com";
pub const MAILBOX_PASSWORD: &str = "MB-SENTINEL-hw2";
/// `Basic base64("john.smith@test.com:MB-SENTINEL-hw2")`.
pub const MAILBOX_AUTH: &str = "Basic am9obi5zbWl0aEB0ZXN0LmNvbTpNQi1TRU5USU5FTC1odzI=";

/// The arguments every entry uses, by path parameter name.
pub const ARGUMENTS: &[(&str, &str)] = &[
    ("account", "test-account123"),
    ("domain", "test.com"),
    ("mailboxName", "john.smith"),
    ("address", "mb1-white@somedomain.com"),
    ("contact", "test-contact"),
    ("fwd-mailbox", "target@external.com"),
];

/// Which credentials an operation is called with, and which `Authorization` header must arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// The root security (account or mailbox owner): called as the account owner.
    Account,
    /// `security: [mailboxOwner]`: called as the mailbox owner.
    Mailbox,
    /// `security: []`: called by a client holding the account owner's credentials; none may be sent.
    None,
}

impl Auth {
    pub fn expected_header(self) -> Option<&'static str> {
        match self {
            Auth::Account => Some(ACCOUNT_AUTH),
            Auth::Mailbox => Some(MAILBOX_AUTH),
            Auth::None => None,
        }
    }
}

/// What a call came back with, bodies re-serialised from their Rust types.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Ok {
        status: u16,
        body: Value,
    },
    /// `Error::ErrorResponse`: a documented error status with its typed body.
    Documented {
        status: u16,
        body: Value,
    },
    /// Anything else, shown.
    Other(String),
}

pub fn outcome<T: Serialize, E: Serialize + std::fmt::Debug + sdk_hostway::ErrorBody>(
    result: Result<ResponseValue<T>, Error<E>>,
) -> Outcome {
    match result {
        Ok(value) => {
            let status = value.status().as_u16();
            Outcome::Ok {
                status,
                body: serde_json::to_value(value.into_inner()).expect("a typed body serialises"),
            }
        }
        Err(Error::ErrorResponse(value)) => {
            let status = value.status().as_u16();
            Outcome::Documented {
                status,
                body: serde_json::to_value(value.into_inner()).expect("a typed body serialises"),
            }
        }
        Err(other) => Outcome::Other(format!("status {:?}: {other} ({other:?})", other.status())),
    }
}

pub type Call<'c> = Pin<Box<dyn Future<Output = Outcome> + 'c>>;
pub type RoundTrip = fn(&Value) -> Result<Value, String>;

/// Decodes `value` into `T` and serialises it again: what the SDK keeps of a documented body.
pub fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> Result<Value, String> {
    let typed: T =
        serde_json::from_value(value.clone()).map_err(|e| format!("does not decode: {e}"))?;
    serde_json::to_value(&typed).map_err(|e| format!("does not serialise again: {e}"))
}

/// Drops what carries no data on either side of a comparison: `null` members, empty arrays and empty
/// objects (a Rust `Option::None`, empty `Vec` or empty map is not serialised).
pub fn normalized(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| match v {
                    Value::Null => false,
                    Value::Array(items) => !items.is_empty(),
                    Value::Object(members) => !members.is_empty(),
                    _ => true,
                })
                .map(|(k, v)| (k.clone(), normalized(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        other => other.clone(),
    }
}

/// Whether the Rust type kept every piece of data of the example, and added none.
pub fn same_data(actual: &Value, example: &Value) -> bool {
    normalized(actual) == normalized(example)
}

pub struct Op {
    pub id: &'static str,
    pub method: &'static str,
    /// The raw request target (path and query) the call below must send.
    pub target: &'static str,
    pub auth: Auth,
    pub body: Option<RoundTrip>,
    pub ok: RoundTrip,
    pub err: RoundTrip,
    pub call: for<'c> fn(&'c Client, Option<Value>) -> Call<'c>,
    /// The same call, reduced for the Prism judge (`prism.rs`), which also reads the response headers.
    pub judged: for<'c> fn(&'c Client, Option<Value>) -> sdk_tests::prism::Call<'c>,
}

macro_rules! op {
    ($id:ident, $method:literal $target:literal, $auth:ident, ok: $ok:ty, err: $err:ty, |$c:ident| $build:expr) => {
        Op {
            id: stringify!($id),
            method: $method,
            target: $target,
            auth: Auth::$auth,
            body: None,
            ok: round_trip::<$ok>,
            err: round_trip::<$err>,
            call: {
                fn call<'c>($c: &'c Client, body: Option<Value>) -> Call<'c> {
                    assert!(body.is_none(), "{} takes no body", stringify!($id));
                    Box::pin(async move {
                        let result: Result<ResponseValue<$ok>, Error<$err>> = $build.send().await;
                        outcome(result)
                    })
                }
                call
            },
            judged: {
                fn judged<'c>($c: &'c Client, _body: Option<Value>) -> sdk_tests::prism::Call<'c> {
                    Box::pin(async move {
                        let result: Result<ResponseValue<$ok>, Error<$err>> = $build.send().await;
                        sdk_tests::prism::outcome(result).await
                    })
                }
                judged
            },
        }
    };
    ($id:ident, $method:literal $target:literal, $auth:ident, body: $body:ty, ok: $ok:ty, err: $err:ty, |$c:ident| $build:expr) => {
        Op {
            id: stringify!($id),
            method: $method,
            target: $target,
            auth: Auth::$auth,
            body: Some(round_trip::<$body>),
            ok: round_trip::<$ok>,
            err: round_trip::<$err>,
            call: {
                fn call<'c>($c: &'c Client, body: Option<Value>) -> Call<'c> {
                    let body: $body = serde_json::from_value(body.expect("a request body"))
                        .unwrap_or_else(|e| {
                            panic!("{}: the body does not decode: {e}", stringify!($id))
                        });
                    Box::pin(async move {
                        let result: Result<ResponseValue<$ok>, Error<$err>> =
                            $build.body(body).send().await;
                        outcome(result)
                    })
                }
                call
            },
            judged: {
                fn judged<'c>($c: &'c Client, body: Option<Value>) -> sdk_tests::prism::Call<'c> {
                    let body: $body = serde_json::from_value(body.expect("a request body"))
                        .unwrap_or_else(|e| {
                            panic!("{}: the body does not decode: {e}", stringify!($id))
                        });
                    Box::pin(async move {
                        let result: Result<ResponseValue<$ok>, Error<$err>> =
                            $build.body(body).send().await;
                        sdk_tests::prism::outcome(result).await
                    })
                }
                judged
            },
        }
    };
}

const A: &str = "test-account123";
const D: &str = "test.com";
const M: &str = "john.smith";
const ADDRESS: &str = "mb1-white@somedomain.com";
type ErrBody = Option<types::ErrorResponse>;

/// One entry per operation of the spec (the tests check that the two lists agree).
pub fn operations() -> Vec<Op> {
    vec![
        // Domain
        op!(get_email_domain, "GET" "/accounts/test-account123/email/test.com", Account,
            ok: types::EmailDomain, err: (), |c| c.get_email_domain().account(A).domain(D)),
        // Aliases
        op!(get_domain_aliases, "GET" "/accounts/test-account123/email/test.com/aliases?page=1&pageSize=2", Account,
            ok: types::AliasList, err: (), |c| c.get_domain_aliases().account(A).domain(D).page(1u64).page_size(2u64)),
        // Black/White List, domain level
        op!(get_domain_blackwhitelist, "GET" "/accounts/test-account123/email/test.com/blackwhitelist?filterAddress=*somedomain.com*&filterType=W&page=1&pageSize=2&sortField=address&sortOrder=desc", Account,
            ok: types::BlackWhiteList, err: (),
            |c| c.get_domain_blackwhitelist().account(A).domain(D).filter_address("*somedomain.com*").filter_type(BlackWhiteListType::W)
                .page(1u64).page_size(2u64).sort_field("address").sort_order(types::GetDomainBlackwhitelistSortOrder::Desc)),
        op!(update_domain_blackwhitelist, "PUT" "/accounts/test-account123/email/test.com/blackwhitelist", Account,
            body: types::BlackWhiteListUpdate, ok: (), err: ErrBody, |c| c.update_domain_blackwhitelist().account(A).domain(D)),
        op!(get_domain_blackwhitelist_address, "GET" "/accounts/test-account123/email/test.com/blackwhitelist/mb1-white%40somedomain.com", Account,
            ok: types::BlackWhiteListAddress, err: (), |c| c.get_domain_blackwhitelist_address().account(A).domain(D).address(ADDRESS)),
        op!(delete_domain_blackwhitelist_address, "DELETE" "/accounts/test-account123/email/test.com/blackwhitelist/mb1-white%40somedomain.com", Account,
            ok: (), err: (), |c| c.delete_domain_blackwhitelist_address().account(A).domain(D).address(ADDRESS)),
        // CleanMailPlus, domain level
        op!(get_domain_cleanmailplus, "GET" "/accounts/test-account123/email/test.com/cleanmailplus", Account,
            ok: Vec<types::CleanMailPlusEntry>, err: (), |c| c.get_domain_cleanmailplus().account(A).domain(D)),
        op!(update_domain_cleanmailplus, "PUT" "/accounts/test-account123/email/test.com/cleanmailplus", Account,
            body: types::CleanMailPlusUpdate, ok: (), err: ErrBody, |c| c.update_domain_cleanmailplus().account(A).domain(D)),
        // Contacts
        op!(list_domain_contacts, "GET" "/accounts/test-account123/email/test.com/contacts?filterEmail=new%40test.com&filterName=search-contact&page=1&pageSize=50&searchCity=Chicago", Account,
            ok: types::ContactList, err: (),
            |c| c.list_domain_contacts().account(A).domain(D).filter_name("search-contact").filter_email("new@test.com")
                .search_city("Chicago").page(1u64).page_size(50u64)),
        op!(create_domain_contact, "POST" "/accounts/test-account123/email/test.com/contacts", Account,
            body: types::ContactCreate, ok: (), err: ErrBody, |c| c.create_domain_contact().account(A).domain(D)),
        op!(get_domain_contact, "GET" "/accounts/test-account123/email/test.com/contacts/test-contact", Account,
            ok: types::Contact, err: (), |c| c.get_domain_contact().account(A).domain(D).contact("test-contact")),
        op!(update_domain_contact, "PUT" "/accounts/test-account123/email/test.com/contacts/test-contact", Account,
            body: types::ContactUpdate, ok: (), err: ErrBody, |c| c.update_domain_contact().account(A).domain(D).contact("test-contact")),
        op!(delete_domain_contact, "DELETE" "/accounts/test-account123/email/test.com/contacts/test-contact", Account,
            ok: (), err: (), |c| c.delete_domain_contact().account(A).domain(D).contact("test-contact")),
        // InfoStore
        op!(get_domain_infostore, "GET" "/accounts/test-account123/email/test.com/infostore", Account,
            ok: types::InfoStore, err: (), |c| c.get_domain_infostore().account(A).domain(D)),
        op!(update_domain_infostore, "PUT" "/accounts/test-account123/email/test.com/infostore", Account,
            body: types::InfoStoreQuotaUpdate, ok: (), err: ErrBody, |c| c.update_domain_infostore().account(A).domain(D)),
        // Statistics
        op!(get_domain_mailbox_type_count, "GET" "/accounts/test-account123/email/test.com/statistics/mailboxTypeCount", Account,
            ok: types::MailboxTypeCount, err: (), |c| c.get_domain_mailbox_type_count().account(A).domain(D)),
        op!(get_mailbox_message_stats, "GET" "/accounts/test-account123/email/test.com/usernames/john.smith/mailbox/messagestats", Account,
            ok: types::MessageStats, err: (), |c| c.get_mailbox_message_stats().account(A).domain(D).mailbox_name(M)),
        op!(get_exchange_mailbox_message_stats, "GET" "/accounts/test-account123/email/test.com/usernames/john.smith/exchange/messagestats", Account,
            ok: types::MessageStats, err: (), |c| c.get_exchange_mailbox_message_stats().account(A).domain(D).mailbox_name(M)),
        // Mailbox (usernames)
        op!(list_usernames, "GET" "/accounts/test-account123/email/test.com/usernames?details=1&filterUsername=john*&page=2&pageSize=2&sortField=username&sortOrder=desc", Account,
            ok: types::UsernameList, err: (),
            |c| c.list_usernames().account(A).domain(D).details(1i64).filter_username("john*").page(2u64).page_size(2u64)
                .sort_field(types::ListUsernamesSortField::Username).sort_order(types::ListUsernamesSortOrder::Desc)),
        op!(get_username, "GET" "/accounts/test-account123/email/test.com/usernames/john.smith", Account,
            ok: types::UsernameDetails, err: (), |c| c.get_username().account(A).domain(D).mailbox_name(M)),
        op!(get_mailbox_details, "GET" "/accounts/test-account123/email/test.com/usernames/john.smith/mailbox", Account,
            ok: types::MailboxDetails, err: (), |c| c.get_mailbox_details().account(A).domain(D).mailbox_name(M)),
        op!(create_or_update_mailbox, "PUT" "/accounts/test-account123/email/test.com/usernames/john.smith/mailbox", Account,
            body: types::MailboxUpdate, ok: (), err: ErrBody, |c| c.create_or_update_mailbox().account(A).domain(D).mailbox_name(M)),
        op!(delete_mailbox, "DELETE" "/accounts/test-account123/email/test.com/usernames/john.smith/mailbox", Account,
            ok: (), err: (), |c| c.delete_mailbox().account(A).domain(D).mailbox_name(M)),
        op!(apply_mailbox_action, "POST" "/accounts/test-account123/email/test.com/usernames/john.smith/mailbox/action", None,
            body: types::MailboxAction, ok: (), err: ErrBody, |c| c.apply_mailbox_action().account(A).domain(D).mailbox_name(M)),
        op!(apply_mailbox_action_shortcut, "POST" "/email/test.com/usernames/john.smith/mailbox/action", None,
            body: types::MailboxAction, ok: (), err: ErrBody, |c| c.apply_mailbox_action_shortcut().domain(D).mailbox_name(M)),
        // Autoresponder
        op!(get_mailbox_autoresponder, "GET" "/accounts/test-account123/email/test.com/usernames/john.smith/autoresponder", Account,
            ok: types::AutoresponderInfo, err: (), |c| c.get_mailbox_autoresponder().account(A).domain(D).mailbox_name(M)),
        op!(update_mailbox_autoresponder, "PUT" "/accounts/test-account123/email/test.com/usernames/john.smith/autoresponder", Account,
            body: types::AutoresponderUpdate, ok: (), err: ErrBody, |c| c.update_mailbox_autoresponder().account(A).domain(D).mailbox_name(M)),
        // Black/White List, mailbox level
        op!(get_mailbox_blackwhitelist, "GET" "/accounts/test-account123/email/test.com/usernames/john.smith/blackwhitelist?filterType=B&page=2&pageSize=2&sortField=address&sortOrder=asc", Account,
            ok: types::BlackWhiteList, err: (),
            |c| c.get_mailbox_blackwhitelist().account(A).domain(D).mailbox_name(M).filter_type(BlackWhiteListType::B)
                .page(2u64).page_size(2u64).sort_field("address").sort_order(types::GetMailboxBlackwhitelistSortOrder::Asc)),
        op!(update_mailbox_blackwhitelist, "PUT" "/accounts/test-account123/email/test.com/usernames/john.smith/blackwhitelist", Account,
            body: types::BlackWhiteListUpdate, ok: (), err: ErrBody, |c| c.update_mailbox_blackwhitelist().account(A).domain(D).mailbox_name(M)),
        op!(get_mailbox_blackwhitelist_address, "GET" "/accounts/test-account123/email/test.com/usernames/john.smith/blackwhitelist/mb1-white%40somedomain.com", Account,
            ok: types::BlackWhiteListAddress, err: (),
            |c| c.get_mailbox_blackwhitelist_address().account(A).domain(D).mailbox_name(M).address(ADDRESS)),
        op!(delete_mailbox_blackwhitelist_address, "DELETE" "/accounts/test-account123/email/test.com/usernames/john.smith/blackwhitelist/mb1-white%40somedomain.com", Account,
            ok: (), err: (), |c| c.delete_mailbox_blackwhitelist_address().account(A).domain(D).mailbox_name(M).address(ADDRESS)),
        // CleanMailPlus, mailbox level
        op!(get_mailbox_cleanmailplus, "GET" "/accounts/test-account123/email/test.com/usernames/john.smith/cleanmailplus", Account,
            ok: Vec<types::CleanMailPlusEntry>, err: (), |c| c.get_mailbox_cleanmailplus().account(A).domain(D).mailbox_name(M)),
        op!(update_mailbox_cleanmailplus, "PUT" "/accounts/test-account123/email/test.com/usernames/john.smith/cleanmailplus", Account,
            body: types::CleanMailPlusUpdate, ok: (), err: ErrBody, |c| c.update_mailbox_cleanmailplus().account(A).domain(D).mailbox_name(M)),
        // Exchange
        op!(get_exchange_mailbox, "GET" "/accounts/test-account123/email/test.com/usernames/john.smith/exchange", Account,
            ok: types::ExchangeMailbox, err: (), |c| c.get_exchange_mailbox().account(A).domain(D).mailbox_name(M)),
        op!(create_or_update_exchange_mailbox, "PUT" "/accounts/test-account123/email/test.com/usernames/john.smith/exchange", Account,
            body: types::ExchangeMailboxUpdate, ok: (), err: ErrBody, |c| c.create_or_update_exchange_mailbox().account(A).domain(D).mailbox_name(M)),
        op!(delete_exchange_mailbox, "DELETE" "/accounts/test-account123/email/test.com/usernames/john.smith/exchange", Account,
            ok: (), err: (), |c| c.delete_exchange_mailbox().account(A).domain(D).mailbox_name(M)),
        op!(apply_exchange_mailbox_action, "POST" "/accounts/test-account123/email/test.com/usernames/john.smith/exchange/action", None,
            body: types::MailboxAction, ok: (), err: ErrBody, |c| c.apply_exchange_mailbox_action().account(A).domain(D).mailbox_name(M)),
        op!(apply_exchange_mailbox_action_shortcut, "POST" "/email/test.com/usernames/john.smith/exchange/action", None,
            body: types::MailboxAction, ok: (), err: ErrBody, |c| c.apply_exchange_mailbox_action_shortcut().domain(D).mailbox_name(M)),
        // Forwards
        op!(get_mailbox_forwards, "GET" "/accounts/test-account123/email/test.com/usernames/john.smith/forwards", Account,
            ok: types::MailboxForwards, err: (), |c| c.get_mailbox_forwards().account(A).domain(D).mailbox_name(M)),
        op!(set_mailbox_forwards, "POST" "/accounts/test-account123/email/test.com/usernames/john.smith/forwards", Account,
            body: types::ForwardsUpdate, ok: (), err: ErrBody, |c| c.set_mailbox_forwards().account(A).domain(D).mailbox_name(M)),
        op!(delete_mailbox_forward, "DELETE" "/accounts/test-account123/email/test.com/usernames/john.smith/forwards/target%40external.com", Account,
            ok: (), err: (), |c| c.delete_mailbox_forward().account(A).domain(D).mailbox_name(M).fwd_mailbox("target@external.com")),
        // Migration
        op!(create_mailbox_migration_ticket, "POST" "/accounts/test-account123/email/test.com/usernames/john.smith/migration", Account,
            body: types::MigrationTicket, ok: (), err: (), |c| c.create_mailbox_migration_ticket().account(A).domain(D).mailbox_name(M)),
        // Secrets
        op!(get_secret_questions, "GET" "/email/secretQuestions", None, ok: types::SecretQuestions, err: (), |c| c.get_secret_questions()),
        op!(get_secret_question_settings, "GET" "/email/secretQuestionSettings", None,
            ok: types::SecretQuestionSettings, err: (), |c| c.get_secret_question_settings()),
        op!(get_mailbox_secrets, "GET" "/accounts/test-account123/email/test.com/usernames/john.smith/secrets", None,
            ok: types::MailboxSecretKeys, err: (), |c| c.get_mailbox_secrets().account(A).domain(D).mailbox_name(M)),
        op!(get_mailbox_secrets_shortcut, "GET" "/email/test.com/usernames/john.smith/secrets", None,
            ok: types::MailboxSecretKeys, err: (), |c| c.get_mailbox_secrets_shortcut().domain(D).mailbox_name(M)),
        op!(update_mailbox_secrets, "PUT" "/accounts/test-account123/email/test.com/usernames/john.smith/secrets", Account,
            body: types::SecretAnswers, ok: (), err: ErrBody, |c| c.update_mailbox_secrets().account(A).domain(D).mailbox_name(M)),
        op!(update_mailbox_secrets_shortcut, "PUT" "/email/test.com/usernames/john.smith/secrets", Account,
            body: types::SecretAnswers, ok: (), err: ErrBody, |c| c.update_mailbox_secrets_shortcut().domain(D).mailbox_name(M)),
        // Webmail, mailbox level
        op!(get_mailbox_webmail, "GET" "/accounts/test-account123/email/test.com/usernames/john.smith/webmail", Account,
            ok: types::MailboxWebmail, err: (), |c| c.get_mailbox_webmail().account(A).domain(D).mailbox_name(M)),
        op!(create_mailbox_webmail, "POST" "/accounts/test-account123/email/test.com/usernames/john.smith/webmail", Account,
            body: types::MailboxWebmailCreate, ok: (), err: ErrBody, |c| c.create_mailbox_webmail().account(A).domain(D).mailbox_name(M)),
        op!(update_mailbox_webmail, "PUT" "/accounts/test-account123/email/test.com/usernames/john.smith/webmail", Account,
            body: types::MailboxWebmailUpdate, ok: (), err: ErrBody, |c| c.update_mailbox_webmail().account(A).domain(D).mailbox_name(M)),
        op!(get_mailbox_webmail_shortcut, "GET" "/email/test.com/usernames/john.smith/webmail", Mailbox,
            ok: types::MailboxWebmail, err: (), |c| c.get_mailbox_webmail_shortcut().domain(D).mailbox_name(M)),
        op!(create_mailbox_webmail_shortcut, "POST" "/email/test.com/usernames/john.smith/webmail", Mailbox,
            body: types::MailboxWebmailCreate, ok: (), err: ErrBody, |c| c.create_mailbox_webmail_shortcut().domain(D).mailbox_name(M)),
        op!(update_mailbox_webmail_shortcut, "PUT" "/email/test.com/usernames/john.smith/webmail", Mailbox,
            body: types::MailboxWebmailUpdate, ok: (), err: ErrBody, |c| c.update_mailbox_webmail_shortcut().domain(D).mailbox_name(M)),
        // Webmail, domain level
        op!(get_domain_webmail, "GET" "/accounts/test-account123/email/test.com/webmail", Account,
            ok: types::DomainWebmail, err: (), |c| c.get_domain_webmail().account(A).domain(D)),
        op!(update_domain_webmail, "PUT" "/accounts/test-account123/email/test.com/webmail", Account,
            body: types::DomainWebmailUpdate, ok: (), err: ErrBody, |c| c.update_domain_webmail().account(A).domain(D)),
        op!(get_domain_webmail_limits, "GET" "/accounts/test-account123/email/test.com/webmailLimits", Account,
            ok: types::WebmailLimits, err: (), |c| c.get_domain_webmail_limits().account(A).domain(D)),
        op!(get_domain_webmail_limits_shortcut, "GET" "/email/test.com/webmailLimits", Account,
            ok: types::WebmailLimits, err: (), |c| c.get_domain_webmail_limits_shortcut().domain(D)),
        op!(get_domain_webmail_names, "GET" "/accounts/test-account123/email/test.com/webmailNames", Account,
            ok: types::WebmailNames, err: (), |c| c.get_domain_webmail_names().account(A).domain(D)),
        op!(get_domain_webmail_names_shortcut, "GET" "/email/test.com/webmailNames", Account,
            ok: types::WebmailNames, err: (), |c| c.get_domain_webmail_names_shortcut().domain(D)),
        op!(get_domain_webmail_upgrade, "GET" "/accounts/test-account123/email/test.com/webmailUpgrade", Account,
            ok: types::WebmailUpgrade, err: (), |c| c.get_domain_webmail_upgrade().account(A).domain(D)),
        op!(get_domain_webmail_upgrade_shortcut, "GET" "/email/test.com/webmailUpgrade", Account,
            ok: types::WebmailUpgrade, err: (), |c| c.get_domain_webmail_upgrade_shortcut().domain(D)),
        // Antivirus Antispam
        op!(get_antispam_sso_link, "GET" "/accounts/test-account123/avas/test.com/SSOLink", Account,
            ok: Value, err: (), |c| c.get_antispam_sso_link().account(A).domain(D)),
    ]
}

/// The spec's operation `id`: (path template, method, operation object, path-level parameters).
pub fn spec_operation(id: &str) -> (String, String, Value) {
    for (path, item) in SPEC["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if operation.get("operationId").and_then(Value::as_str) == Some(id) {
                return (path.clone(), method.to_uppercase(), operation.clone());
            }
        }
    }
    panic!("no operation {id} in the spec")
}

/// Every operationId of the spec.
pub fn spec_operation_ids() -> Vec<String> {
    let mut ids = Vec::new();
    for item in SPEC["paths"].as_object().expect("paths").values() {
        for operation in item.as_object().expect("path item").values() {
            if let Some(id) = operation.get("operationId").and_then(Value::as_str) {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

/// The named JSON examples of a media-type map (`content`): (name, value).
pub fn examples_of(content: &Value) -> Vec<(String, Value)> {
    named_values(
        content
            .get("application/json")
            .and_then(|media| media.get("examples")),
    )
}

/// The request bodies the document shows the service refusing for their shape (`x-refused-examples` of the
/// JSON media type): the SDK must refuse each before sending.
pub fn refused_request_examples(operation: &Value) -> Vec<(String, Value)> {
    named_values(operation.pointer("/requestBody/content/application~1json/x-refused-examples"))
}

/// (name, value) of each entry of an OpenAPI examples map.
fn named_values(examples: Option<&Value>) -> Vec<(String, Value)> {
    examples
        .and_then(Value::as_object)
        .map(|examples| {
            examples
                .iter()
                .map(|(name, example)| (name.clone(), example["value"].clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The request body examples of an operation.
pub fn request_examples(operation: &Value) -> Vec<(String, Value)> {
    operation
        .pointer("/requestBody/content")
        .map(examples_of)
        .unwrap_or_default()
}

/// Named examples: (name, value).
pub type Examples = Vec<(String, Value)>;

/// The documented responses of an operation: (status, has a JSON body, examples).
pub fn responses(operation: &Value) -> Vec<(u16, bool, Examples)> {
    operation["responses"]
        .as_object()
        .expect("responses")
        .iter()
        .map(|(status, response)| {
            let status: u16 = status
                .parse()
                .unwrap_or_else(|_| panic!("status {status} is a number"));
            let content = response.get("content").cloned().unwrap_or(Value::Null);
            (
                status,
                content.get("application/json").is_some(),
                examples_of(&content),
            )
        })
        .collect()
}

/// RFC 3986 percent-encoding of everything but unreserved characters, written here independently of the SDK.
pub fn encode_segment(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The spec's path template with [`ARGUMENTS`] filled in.
pub fn expand(template: &str) -> String {
    let mut path = template.to_string();
    for (name, value) in ARGUMENTS {
        path = path.replace(&format!("{{{name}}}"), &encode_segment(value));
    }
    assert!(
        !path.contains('{'),
        "{template}: a parameter has no argument"
    );
    path
}
