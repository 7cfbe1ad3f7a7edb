//! Hostway through the SDK against a real HTTP server on loopback.
//!
//! Contract: every operation of the spec (the table in `hostway_ops`), called through its builder, once per
//! request example of the spec (answered with the response example of the same name, or the first success)
//! and once per response example and per documented status: the request as it arrives (method, raw path and
//! query, `Authorization`, JSON body) and the typed result (success or `Error::ErrorResponse`, with status
//! and body) are asserted. Then: credentials, the operations that carry none, the page walker, open
//! enumerations, undocumented statuses, path safety and secrets.

mod hostway_ops;

use futures_util::{StreamExt, TryStreamExt};
use hostway_ops::*;
use sdk_hostway::open_enums::{ExchangeResourceType, MailboxType, WebmailType};
use sdk_hostway::pages::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use sdk_hostway::{Client, ClientInfo, Credentials, Error, PageError, types};
use sdk_tests::faulty::{Answer, FaultyServer};
use sdk_tests::server::{Recorded, RecordingServer, Reply};
use serde_json::{Value, json};

struct Harness {
    server: RecordingServer,
    /// Holds the account owner's credentials.
    account: Client,
    /// Holds the mailbox owner's credentials.
    mailbox: Client,
}

/// Clients without retries: each scripted answer is the answer to one request (retries: `faults.rs`).
async fn harness() -> Harness {
    let server = RecordingServer::start().await;
    let account = Client::builder(Credentials::account_owner(ACCOUNT_USER, ACCOUNT_PASSWORD))
        .base_url(server.url(""))
        .retry_policy(sdk_core::RetryPolicy::none())
        .build()
        .unwrap();
    let mailbox = Client::builder(Credentials::mailbox_owner(MAILBOX_USER, MAILBOX_PASSWORD))
        .base_url(server.url(""))
        .retry_policy(sdk_core::RetryPolicy::none())
        .build()
        .unwrap();
    Harness {
        server,
        account,
        mailbox,
    }
}

/// What the spec says an operation's credentials are.
fn spec_auth(operation: &Value) -> Auth {
    match operation.get("security") {
        None => Auth::Account,
        Some(Value::Array(schemes)) if schemes.is_empty() => Auth::None,
        Some(security) if *security == json!([{"mailboxOwner": []}]) => Auth::Mailbox,
        Some(other) => panic!("unexpected security {other}"),
    }
}

fn assert_request(op: &Op, recorded: &Recorded, body: Option<&Value>, case: &str) {
    let at = format!("{} ({case})", op.id);
    assert_eq!(recorded.method, op.method, "{at}: method");
    assert_eq!(recorded.target, op.target, "{at}: raw path and query");
    assert_eq!(
        recorded.header("authorization"),
        op.auth.expected_header(),
        "{at}: Authorization"
    );
    match body {
        Some(example) => {
            assert_eq!(
                recorded.header("content-type"),
                Some("application/json"),
                "{at}: content type"
            );
            assert_eq!(
                &recorded.json(),
                example,
                "{at}: the body is the example as documented"
            );
        }
        None => assert!(recorded.body.is_empty(), "{at}: no body"),
    }
}

fn assert_outcome(op: &Op, outcome: Outcome, status: u16, example: &Value, case: &str) {
    let at = format!("{} ({case}, {status})", op.id);
    let body = match outcome {
        Outcome::Ok { status: got, body } if (200..300).contains(&status) => {
            assert_eq!(got, status, "{at}");
            body
        }
        Outcome::Documented { status: got, body } if !(200..300).contains(&status) => {
            assert_eq!(got, status, "{at}");
            body
        }
        other => panic!("{at}: unexpected outcome {other:?}"),
    };
    assert!(
        same_data(&body, example),
        "{at}: decoded as\n{body}\ninstead of\n{example}"
    );
}

/// Examples for a documented JSON response that has none of its own: a shortcut's are those of the resource
/// it is a shortcut of; the SSO link (typed as any JSON) gets an arbitrary value.
fn borrowed_examples(id: &str, status: u16) -> Vec<(String, Value)> {
    if let Some(twin) = id.strip_suffix("_shortcut") {
        let (_, _, operation) = spec_operation(twin);
        let borrowed = responses(&operation)
            .into_iter()
            .find(|r| r.0 == status)
            .map(|r| r.2)
            .unwrap_or_default();
        assert!(
            !borrowed.is_empty(),
            "{id}: {twin} has examples for {status}"
        );
        return borrowed;
    }
    assert_eq!(
        id, "get_antispam_sso_link",
        "{id}: a JSON response without examples"
    );
    vec![(
        "any JSON".into(),
        json!({"url": "https://avas.example/sso?ticket=t-1", "expires": 300}),
    )]
}

/// Runs one operation against every example and documented status; returns the number of spec examples used.
async fn check_operation(h: &Harness, op: &Op) -> usize {
    let (template, method, operation) = spec_operation(op.id);
    assert_eq!(op.method, method, "{}: method in the table", op.id);
    assert_eq!(
        op.target.split('?').next().unwrap(),
        expand(&template),
        "{}: path in the table",
        op.id
    );
    assert_eq!(
        op.auth,
        spec_auth(&operation),
        "{}: credentials in the table",
        op.id
    );
    let client = if op.auth == Auth::Mailbox {
        &h.mailbox
    } else {
        &h.account
    };

    let requests = request_examples(&operation);
    let documented = responses(&operation);
    let success = documented
        .iter()
        .filter(|r| (200..300).contains(&r.0))
        .min_by_key(|r| r.0)
        .expect("a success status");
    let default_reply = (success.0, success.2.first().map(|(_, v)| v.clone()));
    // The body sent while the response examples are answered: a documented one the SDK can send as is.
    let first_body = requests.first().map(|(_, body)| body.clone());
    let mut used = 0;
    let mut paired = Vec::new();

    // Each request example, answered with the response example of the same name, else the first success.
    for (name, body) in &requests {
        let (status, reply) = documented
            .iter()
            .find_map(|(status, _, examples)| {
                examples
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| (*status, Some(v.clone())))
            })
            .inspect(|_| paired.push(name.clone()))
            .unwrap_or_else(|| default_reply.clone());
        h.server.reply(match &reply {
            Some(value) => Reply::json(status, value.clone()),
            None => Reply::empty(status),
        });
        let outcome = (op.call)(client, Some(body.clone())).await;
        assert_request(
            op,
            &h.server.take_one(),
            Some(body),
            &format!("request example {name}"),
        );
        assert_outcome(
            op,
            outcome,
            status,
            &reply.unwrap_or(Value::Null),
            &format!("request example {name}"),
        );
        used += 1;
    }
    // Each response example not answered above.
    for (status, _, examples) in &documented {
        for (name, value) in examples.iter().filter(|(n, _)| !paired.contains(n)) {
            h.server.reply(Reply::json(*status, value.clone()));
            let outcome = (op.call)(client, first_body.clone()).await;
            assert_request(
                op,
                &h.server.take_one(),
                first_body.as_ref(),
                &format!("response example {name}"),
            );
            assert_outcome(
                op,
                outcome,
                *status,
                value,
                &format!("response example {name}"),
            );
            used += 1;
        }
    }
    // Each documented status without examples: an empty body, or borrowed examples for a JSON one. (303 is
    // handed back as it is: see `an_unpaginated_list_answered_303_comes_back_with_its_location`.)
    for (status, json_body, _) in documented.iter().filter(|r| r.2.is_empty() && r.0 != 303) {
        let replies = if *json_body {
            borrowed_examples(op.id, *status)
        } else {
            vec![("empty body".into(), Value::Null)]
        };
        for (name, value) in replies {
            h.server.reply(if value.is_null() {
                Reply::empty(*status)
            } else {
                Reply::json(*status, value.clone())
            });
            let outcome = (op.call)(client, first_body.clone()).await;
            assert_request(op, &h.server.take_one(), first_body.as_ref(), &name);
            assert_outcome(op, outcome, *status, &value, &name);
        }
    }
    used
}

async fn contract(tag: &str) {
    let h = harness().await;
    let ops: Vec<Op> = operations()
        .into_iter()
        .filter(|op| spec_operation(op.id).2["tags"][0] == tag)
        .collect();
    assert!(!ops.is_empty(), "no operation tagged {tag}");
    let mut examples = 0;
    for op in &ops {
        examples += check_operation(&h, op).await;
    }
    println!(
        "{tag}: {} operations, {examples} spec examples sent or answered",
        ops.len()
    );
}

/// The spec's tags, each with its contract test below.
const TAGS: &[&str] = &[
    "Aliases",
    "Black/White List",
    "CleanMailPlus",
    "Contacts",
    "InfoStore",
    "Statistics",
    "Autoresponder",
    "Exchange",
    "Forwards",
    "Mailbox",
    "Migration",
    "Secrets",
    "Webmail",
    "Domain",
    "Antivirus Antispam",
];

macro_rules! contract_tests {
    ($($name:ident => $tag:literal),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            contract($tag).await;
        }
    )*};
}

contract_tests! {
    contract_aliases => "Aliases",
    contract_black_white_list => "Black/White List",
    contract_cleanmailplus => "CleanMailPlus",
    contract_contacts => "Contacts",
    contract_infostore => "InfoStore",
    contract_statistics => "Statistics",
    contract_autoresponder => "Autoresponder",
    contract_exchange => "Exchange",
    contract_forwards => "Forwards",
    contract_mailbox => "Mailbox",
    contract_migration => "Migration",
    contract_secrets => "Secrets",
    contract_webmail => "Webmail",
    contract_domain => "Domain",
    contract_antivirus_antispam => "Antivirus Antispam",
}

#[test]
fn every_operation_has_a_contract_case_under_a_tested_tag() {
    let ops = operations();
    let mut ids: Vec<&str> = ops.iter().map(|op| op.id).collect();
    ids.sort_unstable();
    let mut spec_ids = spec_operation_ids();
    spec_ids.sort_unstable();
    assert_eq!(ids, spec_ids);
    assert_eq!(ids.len(), 63);
    for op in &ops {
        let tag = spec_operation(op.id).2["tags"][0]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            TAGS.contains(&tag.as_str()),
            "{}: tag {tag} has no contract test",
            op.id
        );
    }
    let spec_tags: Vec<&str> = SPEC["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(spec_tags.len(), TAGS.len());
}

// ---------------------------------------------------------------------------------------------------------
// Credentials

#[tokio::test]
async fn account_and_mailbox_owner_constructors_send_http_basic() {
    let server = RecordingServer::start().await;
    // Without a base URL a client goes to production.
    assert_eq!(
        Client::builder(Credentials::account_owner("u", "p"))
            .build()
            .unwrap()
            .baseurl(),
        "https://api.hostway.com"
    );

    for (credentials, expected) in [
        (
            Credentials::account_owner(ACCOUNT_USER, ACCOUNT_PASSWORD),
            ACCOUNT_AUTH,
        ),
        (
            Credentials::mailbox_owner(MAILBOX_USER, MAILBOX_PASSWORD),
            MAILBOX_AUTH,
        ),
    ] {
        let client = Client::builder(credentials)
            .base_url(server.url("/v1/"))
            .build()
            .unwrap();
        server.reply(Reply::json(
            200,
            json!({"webmailUpgrade": {"allowed": true}}),
        ));
        let _ = client
            .get_domain_webmail_upgrade_shortcut()
            .domain("test.com")
            .send()
            .await;
        let request = server.take_one();
        assert_eq!(
            request.target, "/v1/email/test.com/webmailUpgrade",
            "the base path is kept"
        );
        assert_eq!(request.header("authorization"), Some(expected));
        assert!(
            request
                .header("user-agent")
                .unwrap()
                .starts_with("sdk-hostway/")
        );
    }
}

#[tokio::test]
async fn public_operations_never_carry_credentials_and_a_client_without_any_can_call_them() {
    let reset = || -> types::MailboxAction {
        serde_json::from_value(json!({"action": "resetPassword", "actionData": {"secretQuestionsAnswers": {"tk1": "blue"}, "password": "N3w-Passw0rd!"}})).unwrap()
    };
    for credentials in [
        Credentials::account_owner(ACCOUNT_USER, ACCOUNT_PASSWORD),
        Credentials::none(),
    ] {
        let server = RecordingServer::start().await;
        let client = Client::builder(credentials)
            .base_url(server.url(""))
            .build()
            .unwrap();
        server.reply(Reply::json(
            200,
            json!({"questions": {"tk1": "Favourite colour?"}}),
        ));
        client.get_secret_questions().send().await.unwrap();
        server.reply(Reply::json(
            200,
            json!({"secretQuestionSettings": {"minAnswers": 2}}),
        ));
        let _ = client.get_secret_question_settings().send().await;
        server.reply(Reply::json(200, json!({"list": ["tk1"]})));
        client
            .get_mailbox_secrets_shortcut()
            .domain("test.com")
            .mailbox_name("john")
            .send()
            .await
            .unwrap();
        server.reply(Reply::json(200, json!({"list": ["tk1"]})));
        client
            .get_mailbox_secrets()
            .account("a")
            .domain("test.com")
            .mailbox_name("john")
            .send()
            .await
            .unwrap();
        for _ in 0..4 {
            server.reply(Reply::empty(204));
        }
        client
            .apply_mailbox_action_shortcut()
            .domain("test.com")
            .mailbox_name("john")
            .body(reset())
            .send()
            .await
            .unwrap();
        client
            .apply_exchange_mailbox_action_shortcut()
            .domain("test.com")
            .mailbox_name("john")
            .body(reset())
            .send()
            .await
            .unwrap();
        client
            .apply_mailbox_action()
            .account("a")
            .domain("test.com")
            .mailbox_name("john")
            .body(reset())
            .send()
            .await
            .unwrap();
        client
            .apply_exchange_mailbox_action()
            .account("a")
            .domain("test.com")
            .mailbox_name("john")
            .body(reset())
            .send()
            .await
            .unwrap();
        let requests = server.requests();
        assert_eq!(requests.len(), 8);
        for request in &requests {
            assert_eq!(
                request.header("authorization"),
                None,
                "{} {}",
                request.method,
                request.target
            );
        }
        // The reset-password body carries the new password and the answers as documented.
        assert_eq!(
            requests[7].json()["actionData"]["password"],
            "N3w-Passw0rd!"
        );
        assert_eq!(
            requests[7].json()["actionData"]["secretQuestionsAnswers"]["tk1"],
            "blue"
        );
    }
    // A client without credentials sends none on the other operations either (the service answers 401).
    let server = RecordingServer::start().await;
    let anonymous = Client::builder(Credentials::none())
        .base_url(server.url(""))
        .build()
        .unwrap();
    server.reply(Reply::empty(401));
    let err = anonymous
        .get_email_domain()
        .account("a")
        .domain("test.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(server.take_one().header("authorization"), None);
}

#[tokio::test]
async fn a_user_name_with_a_colon_is_refused_when_building() {
    let err = Client::builder(Credentials::account_owner("owner:7", "pw"))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains(':'), "{err}");
}

// ---------------------------------------------------------------------------------------------------------
// The page walker

fn bwl_page(addresses: &[&str], links: &[(&str, &str)], total: Option<i64>) -> Value {
    let mut page = json!({
        "list": addresses.iter().map(|a| json!({"type": "W", "address": a})).collect::<Vec<_>>(),
        "links": links.iter().map(|(rel, href)| json!({"rel": rel, "href": href})).collect::<Vec<_>>(),
    });
    if let Some(total) = total {
        page["totalCount"] = json!(total);
    }
    page
}

fn addresses(entries: &[types::BlackWhiteListEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.address.as_str()).collect()
}

#[tokio::test]
async fn pages_walks_until_a_short_page_sending_page_and_page_size_with_the_other_arguments() {
    let h = harness().await;
    h.server.reply(Reply::json(
        200,
        bwl_page(&["a@x.com", "b@x.com"], &[("next", "p2")], None),
    ));
    h.server.reply(Reply::json(
        200,
        bwl_page(&["c@x.com", "d@x.com"], &[("next", "p3")], None),
    ));
    h.server.reply(Reply::json(
        200,
        bwl_page(&["e@x.com"], &[("self", "p3")], None),
    ));
    let entries: Vec<types::BlackWhiteListEntry> = h
        .account
        .get_domain_blackwhitelist()
        .account("acc")
        .domain("test.com")
        .filter_type(sdk_hostway::open_enums::BlackWhiteListType::W)
        .page(7u64) // replaced by the walker
        .pages()
        .page_size(2)
        .entries()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        addresses(&entries),
        ["a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com"]
    );
    let targets: Vec<String> = h.server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/accounts/acc/email/test.com/blackwhitelist?filterType=W&page=1&pageSize=2",
            "/accounts/acc/email/test.com/blackwhitelist?filterType=W&page=2&pageSize=2",
            "/accounts/acc/email/test.com/blackwhitelist?filterType=W&page=3&pageSize=2",
        ]
    );
    assert!(
        h.server
            .requests()
            .iter()
            .all(|r| r.header("authorization") == Some(ACCOUNT_AUTH))
    );
}

#[tokio::test]
async fn pages_asks_for_100_entries_by_default_and_stops_on_an_empty_page() {
    let h = harness().await;
    let full: Vec<String> = (0..DEFAULT_PAGE_SIZE)
        .map(|i| format!("alias{i}.com"))
        .collect();
    h.server.reply(Reply::json(200, json!({"list": full})));
    h.server.reply(Reply::json(200, json!({"list": []})));
    let pages: Vec<sdk_hostway::ResponseValue<types::AliasList>> = h
        .account
        .get_domain_aliases()
        .account("acc")
        .domain("test.com")
        .pages()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(
        pages[0].status(),
        200,
        "each page keeps its status and headers"
    );
    assert_eq!(pages[0].list.len(), 100);
    assert!(pages[1].list.is_empty());
    let queries: Vec<String> = h
        .server
        .requests()
        .iter()
        .map(|r| r.query().to_string())
        .collect();
    assert_eq!(queries, ["page=1&pageSize=100", "page=2&pageSize=100"]);
}

#[tokio::test]
async fn pages_stops_on_a_full_page_without_a_next_link() {
    let h = harness().await;
    h.server.reply(Reply::json(
        200,
        bwl_page(
            &["a@x.com", "b@x.com"],
            &[("self", "p1"), ("next", "p2")],
            None,
        ),
    ));
    h.server.reply(Reply::json(
        200,
        bwl_page(
            &["c@x.com", "d@x.com"],
            &[("self", "p2"), ("first", "p1")],
            None,
        ),
    ));
    let all = h
        .account
        .get_mailbox_blackwhitelist()
        .account("acc")
        .domain("test.com")
        .mailbox_name("john")
        .pages()
        .page_size(2)
        .collect_entries()
        .await
        .unwrap();
    assert_eq!(
        addresses(&all),
        ["a@x.com", "b@x.com", "c@x.com", "d@x.com"]
    );
    assert_eq!(h.server.requests().len(), 2, "no third request");
}

#[tokio::test]
async fn pages_stops_when_the_total_count_is_reached() {
    let h = harness().await;
    // Black/white list: totalCount, no links.
    h.server.reply(Reply::json(
        200,
        bwl_page(&["a@x.com", "b@x.com"], &[], Some(4)),
    ));
    h.server.reply(Reply::json(
        200,
        bwl_page(&["c@x.com", "d@x.com"], &[], Some(4)),
    ));
    let all = h
        .account
        .get_domain_blackwhitelist()
        .account("acc")
        .domain("test.com")
        .pages()
        .page_size(2)
        .collect_entries()
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(h.server.requests().len(), 2);

    // Usernames: totalCount as a string of digits.
    h.server.reply(Reply::json(
        200,
        json!({"totalCount": "3", "list": [{"username": "a"}, {"username": "b"}]}),
    ));
    h.server.reply(Reply::json(
        200,
        json!({"totalCount": "3", "list": [{"username": "c"}, {"username": "d"}]}),
    ));
    let users = h
        .account
        .list_usernames()
        .account("acc")
        .domain("test.com")
        .details(1i64)
        .pages()
        .page_size(2)
        .collect_entries()
        .await
        .unwrap();
    let names: Vec<&str> = users.iter().filter_map(|u| u.username.as_deref()).collect();
    assert_eq!(
        names,
        ["a", "b", "c", "d"],
        "the second page is delivered whole"
    );
    let requests = h.server.requests();
    assert_eq!(requests.len(), 4);
    assert_eq!(requests[3].query(), "details=1&page=2&pageSize=2");

    // Contacts: `count` of the matching contacts.
    h.server.reply(Reply::json(
        200,
        json!({"count": 2, "list": [{"name": "c1"}, {"name": "c2"}]}),
    ));
    let contacts = h
        .account
        .list_domain_contacts()
        .account("acc")
        .domain("test.com")
        .search_name("c")
        .pages()
        .page_size(2)
        .collect_entries()
        .await
        .unwrap();
    assert_eq!(contacts.len(), 2);
    let requests = h.server.requests();
    assert_eq!(requests.len(), 5);
    assert_eq!(requests[4].query(), "page=1&pageSize=2&searchName=c");
}

#[tokio::test]
async fn pages_stops_with_an_error_when_the_service_repeats_a_page() {
    let h = harness().await;
    // A service that ignores `page`: the same full page again.
    let page = bwl_page(&["a@x.com", "b@x.com"], &[("next", "p")], None);
    h.server.reply(Reply::json(200, page.clone()));
    h.server.reply(Reply::json(200, page.clone()));
    h.server.reply(Reply::json(200, page.clone()));
    let mut stream = std::pin::pin!(
        h.account
            .get_domain_blackwhitelist()
            .account("acc")
            .domain("test.com")
            .pages()
            .page_size(2)
            .stream()
    );
    assert_eq!(stream.next().await.unwrap().unwrap().list.len(), 2);
    let err = stream.next().await.unwrap().unwrap_err();
    assert!(
        matches!(
            err,
            PageError::RepeatedPage {
                page: 2,
                same_as: 1
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("same entries as page 1"), "{err}");
    assert!(
        stream.next().await.is_none(),
        "the stream ends after the error"
    );
    assert_eq!(h.server.requests().len(), 2);

    // A cycle of two pages is caught too.
    let h = harness().await;
    let (a, b) = (
        bwl_page(&["a@x.com", "b@x.com"], &[("next", "p")], None),
        bwl_page(&["c@x.com", "d@x.com"], &[("next", "p")], None),
    );
    for page in [&a, &b, &a, &b] {
        h.server.reply(Reply::json(200, page.clone()));
    }
    let err = h
        .account
        .get_domain_blackwhitelist()
        .account("acc")
        .domain("test.com")
        .pages()
        .page_size(2)
        .collect_entries()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.error,
            PageError::RepeatedPage {
                page: 3,
                same_as: 1
            }
        ),
        "{err:?}"
    );
    assert_eq!(h.server.requests().len(), 3);
}

#[tokio::test]
async fn pages_refuses_a_page_size_out_of_range_before_sending() {
    let h = harness().await;
    for size in [0, MAX_PAGE_SIZE + 1, 10_000] {
        let mut stream = std::pin::pin!(
            h.account
                .list_usernames()
                .account("acc")
                .domain("test.com")
                .pages()
                .page_size(size)
                .stream()
        );
        let err = stream.next().await.unwrap().unwrap_err();
        assert!(
            matches!(err, PageError::PageSize { requested, max: 400 } if requested == i128::from(size)),
            "{err:?}"
        );
        assert!(err.to_string().contains("1 to 400"), "{err}");
        assert!(stream.next().await.is_none());
    }
    assert!(h.server.requests().is_empty(), "nothing was sent");
    // 400 itself is accepted.
    h.server.reply(Reply::json(200, json!({"list": []})));
    let pages: Vec<_> = h
        .account
        .list_usernames()
        .account("acc")
        .domain("test.com")
        .pages()
        .page_size(MAX_PAGE_SIZE)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(h.server.take_one().query(), "page=1&pageSize=400");
}

#[tokio::test]
async fn pages_reports_a_failed_page_with_its_number_and_status() {
    let h = harness().await;
    h.server.reply(Reply::json(
        200,
        json!({"list": ["a.com", "b.com"], "links": [{"rel": "next", "href": "p2"}]}),
    ));
    h.server.reply(Reply::empty(401));
    let mut stream = std::pin::pin!(
        h.account
            .get_domain_aliases()
            .account("acc")
            .domain("test.com")
            .pages()
            .page_size(2)
            .entries()
    );
    assert_eq!(stream.try_next().await.unwrap().as_deref(), Some("a.com"));
    assert_eq!(stream.try_next().await.unwrap().as_deref(), Some("b.com"));
    let err = stream.try_next().await.unwrap_err();
    let PageError::Request { page: 2, source } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(source.status().map(|s| s.as_u16()), Some(401));
    assert!(std::error::Error::source(&err).is_some());
    assert!(stream.next().await.is_none());
    // Path arguments are checked before sending, as for `send()`.
    let err = h
        .account
        .get_domain_aliases()
        .account("..")
        .domain("test.com")
        .pages()
        .collect_entries()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.error,
            PageError::Request {
                page: 1,
                source: Error::InvalidRequest(_)
            }
        ),
        "{err:?}"
    );
    assert_eq!(h.server.requests().len(), 2);
}

#[tokio::test]
async fn an_unpaginated_list_answered_303_comes_back_with_its_location() {
    // The service's answer to an unpaginated list of more than 100 entries. The client does not follow
    // redirects: following it would return the first page as if it were the whole list. `pages()` always
    // sends page+pageSize and never meets it.
    let h = harness().await;
    let first_page = "/accounts/acc/email/test.com/usernames?page=1&pageSize=100";
    h.server
        .reply(Reply::empty(303).with_header("location", first_page));
    let err = h
        .account
        .list_usernames()
        .account("acc")
        .domain("test.com")
        .send()
        .await
        .unwrap_err();
    match err {
        Error::UnexpectedResponse(response) => {
            assert_eq!(response.status(), 303);
            assert_eq!(response.headers()["location"], first_page);
        }
        other => panic!("expected the 303 itself, got {other:?}"),
    }
    let targets: Vec<String> = h.server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(targets, ["/accounts/acc/email/test.com/usernames"]);
}

// ---------------------------------------------------------------------------------------------------------
// The page walker against hostile servers: every walk ends, within its caps, with the list or a named error.

/// A query argument of a request, as a number.
fn query_number(request: &Recorded, name: &str) -> Option<u64> {
    request.query().split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| value.parse().ok())?
    })
}

/// Black/white list entry number `i` (every entry of a server's list is distinct).
fn bwl_entry(i: u64) -> Value {
    json!({"type": "W", "address": format!("e{i}@x.com")})
}

/// The number of an entry made by [`bwl_entry`].
fn entry_number(entry: &types::BlackWhiteListEntry) -> u64 {
    entry.address[1..entry.address.len() - 6].parse().unwrap()
}

/// A client of a hostile server, without retries (each answer is the answer to one request).
fn hostile_client(server: &FaultyServer) -> Client {
    Client::builder(Credentials::account_owner(ACCOUNT_USER, ACCOUNT_PASSWORD))
        .base_url(server.url(""))
        .retry_policy(sdk_core::RetryPolicy::none())
        .build()
        .unwrap()
}

/// A walk must end: 20 s is far beyond any walk of these tests on loopback.
async fn ends<T>(server: &FaultyServer, walk: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(std::time::Duration::from_secs(20), walk)
        .await
        .unwrap_or_else(|_| {
            panic!(
                "the walk did not end within 20 s: {} requests so far",
                server.requests().len()
            )
        })
}

#[tokio::test]
async fn a_walk_ends_when_the_total_count_keeps_growing() {
    // Honest pages, but a totalCount that grows by a page per request: the list is never complete.
    let server = FaultyServer::start(|request, index| {
        let page = query_number(request, "page").unwrap_or(1);
        let size = query_number(request, "pageSize").unwrap_or(100);
        let list: Vec<Value> = ((page - 1) * size..page * size).map(bwl_entry).collect();
        let total = (index as u64 + 2) * size;
        Answer::Reply(Reply::json(200, json!({"list": list, "totalCount": total})))
    })
    .await;
    let client = hostile_client(&server);
    let walk = client
        .get_domain_blackwhitelist()
        .account("acc")
        .domain("test.com")
        .pages()
        .page_size(100)
        .collect_entries();
    let err = ends(&server, walk).await.unwrap_err();
    assert!(
        matches!(
            err.error,
            PageError::TotalChanged {
                page: 2,
                first: 200,
                now: 300
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("total count changed"), "{err}");
    assert_eq!(err.received.len(), 100, "page 1 is kept");
    assert_eq!(server.requests().len(), 2, "ended on the first change");
}

#[tokio::test]
async fn a_walk_ends_when_the_server_ignores_page_and_shifts_its_window() {
    // No totalCount, no links, `page` ignored: each answer is a full window one entry further on.
    let server = FaultyServer::start(|request, index| {
        let size = query_number(request, "pageSize").unwrap_or(100);
        let start = index as u64;
        let list: Vec<Value> = (start..start + size).map(bwl_entry).collect();
        Answer::Reply(Reply::json(200, json!({"list": list})))
    })
    .await;
    let client = hostile_client(&server);
    let walk = client
        .get_domain_blackwhitelist()
        .account("acc")
        .domain("test.com")
        .pages()
        .collect_entries();
    let err = ends(&server, walk).await.unwrap_err();
    assert!(
        matches!(
            err.error,
            PageError::ShiftedWindow {
                page: 2,
                entries: 100,
                seen: 99
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("window shifted"), "{err}");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_walk_of_endless_new_pages_ends_at_a_cap() {
    // No totalCount, no links, and every page full of entries never seen: only a cap can end it.
    let endless = || {
        FaultyServer::start(|request, _| {
            let page = query_number(request, "page").unwrap_or(1);
            let size = query_number(request, "pageSize").unwrap_or(100);
            let list: Vec<Value> = ((page - 1) * size..page * size).map(bwl_entry).collect();
            Answer::Reply(Reply::json(200, json!({"list": list})))
        })
    };
    // The defaults: 1,000 pages.
    let server = endless().await;
    let client = hostile_client(&server);
    let walk = client
        .get_domain_blackwhitelist()
        .account("acc")
        .domain("test.com")
        .pages()
        .page_size(50)
        .collect_entries();
    let started = std::time::Instant::now();
    let err = ends(&server, walk).await.unwrap_err();
    assert!(
        matches!(
            err.error,
            PageError::CapReached {
                cap: sdk_hostway::pages::Cap::Pages,
                limit: 1000,
                pages: 1000,
                entries: 50_000
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1000);
    assert_eq!(err.received.len(), 50_000);
    sdk_tests::report(format_args!(
        "pages: an endless list ended at the default cap: 1000 requests in {:?}",
        started.elapsed()
    ));
    // Set caps: pages, then entries (checked before each request: 3 pages of 400 reach 1,000).
    let server = endless().await;
    let client = hostile_client(&server);
    let err = client
        .get_domain_blackwhitelist()
        .account("acc")
        .domain("test.com")
        .pages()
        .max_pages(7)
        .collect_entries();
    let err = ends(&server, err).await.unwrap_err();
    assert!(
        matches!(
            err.error,
            PageError::CapReached {
                limit: 7,
                pages: 7,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("max_pages"), "{err}");
    let server = endless().await;
    let client = hostile_client(&server);
    let walk = client
        .get_domain_blackwhitelist()
        .account("acc")
        .domain("test.com")
        .pages()
        .page_size(MAX_PAGE_SIZE)
        .max_entries(1000)
        .collect_entries();
    let err = ends(&server, walk).await.unwrap_err();
    assert!(
        matches!(
            err.error,
            PageError::CapReached {
                cap: sdk_hostway::pages::Cap::Entries,
                limit: 1000,
                pages: 3,
                entries: 1200
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_failed_page_keeps_the_entries_received_before_it() {
    // Pages 1 and 2 (100 entries each), then a 500 on page 3.
    let server = FaultyServer::start(|request, _| {
        let page = query_number(request, "page").unwrap_or(1);
        if page == 3 {
            return Answer::Reply(Reply::json(500, json!({"message": "page 3 is gone"})));
        }
        let list: Vec<Value> = ((page - 1) * 100..page * 100).map(bwl_entry).collect();
        Answer::Reply(Reply::json(200, json!({"list": list, "totalCount": 1000})))
    })
    .await;
    let client = hostile_client(&server);
    let walk = client
        .get_domain_blackwhitelist()
        .account("acc")
        .domain("test.com")
        .pages()
        .collect_entries();
    let err = ends(&server, walk).await.unwrap_err();
    let numbers: Vec<u64> = err.received.iter().map(entry_number).collect();
    assert_eq!(numbers, (0..200).collect::<Vec<_>>(), "pages 1-2, in order");
    assert_eq!(err.pages, 2);
    let PageError::Request { page: 3, source } = &err.error else {
        panic!("{err:?}")
    };
    let Error::UnexpectedResponse(response) = source else {
        panic!("{source:?}")
    };
    assert_eq!(response.status(), 500);
    assert!(
        err.to_string()
            .contains("200 entries of 2 pages received before it"),
        "{err}"
    );
    let (kept, error) = err.into_parts();
    assert_eq!((kept.len(), error.page()), (200, Some(3)));
}

/// How a generated hostile server behaves.
#[derive(Clone, Copy, Debug)]
enum Window {
    /// Honours `page` and `pageSize`.
    Honest,
    /// Always the first page.
    IgnoresPage,
    /// Each answer starts `by` entries per request further on (or back) than it should: entries are removed
    /// (or added) before the window while the walk goes on.
    Drifts { by: i64 },
    /// A random window of the list.
    Random,
}

#[derive(Clone, Copy, Debug)]
enum Total {
    Missing,
    Exact,
    /// Grows with every request, as the list does.
    Grows,
    /// Off by a fixed amount.
    Wrong(i64),
}

#[derive(Clone, Copy, Debug)]
struct Behaviour {
    seed: u64,
    len: u64,
    /// The server's own page size, whatever was asked.
    own_size: Option<u64>,
    window: Window,
    total: Total,
    links: bool,
    /// Answers this page with this status.
    fails: Option<(u64, u16)>,
    /// Answers this page with the previous one.
    repeats: Option<u64>,
}

impl Behaviour {
    fn generate(seed: u64) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed);
        let honest = rng.u8(0..3) == 0;
        Self {
            seed,
            len: rng.u64(0..=1500),
            own_size: (!honest && rng.u8(0..5) == 0).then(|| rng.u64(1..=500)),
            window: match rng.u8(0..6) {
                _ if honest => Window::Honest,
                0 | 1 => Window::Honest,
                2 => Window::IgnoresPage,
                3 | 4 => Window::Drifts {
                    by: [-1, 1][rng.usize(0..2)] * rng.i64(1..=30),
                },
                _ => Window::Random,
            },
            total: match rng.u8(0..5) {
                0 => Total::Missing,
                1 | 2 => Total::Exact,
                _ if honest => Total::Exact,
                3 => Total::Grows,
                _ => Total::Wrong(rng.i64(-50..=50)),
            },
            links: rng.bool(),
            fails: (!honest && rng.u8(0..3) == 0)
                .then(|| (rng.u64(1..=6), [401, 403, 404, 500, 502][rng.usize(0..5)])),
            repeats: (!honest && rng.u8(0..4) == 0).then(|| rng.u64(2..=6)),
        }
    }

    fn honest(&self) -> bool {
        matches!(self.window, Window::Honest)
            && matches!(self.total, Total::Missing | Total::Exact)
            && self.own_size.is_none()
            && self.fails.is_none()
            && self.repeats.is_none()
    }

    fn answer(&self, request: &Recorded, index: usize) -> Answer {
        let index = index as u64;
        let page = query_number(request, "page").unwrap_or(1);
        let size = self
            .own_size
            .unwrap_or_else(|| query_number(request, "pageSize").unwrap_or(100));
        if let Some((at, status)) = self.fails
            && at == page
        {
            return Answer::Reply(Reply::json(status, json!({"message": "hostile"})));
        }
        let len = match self.total {
            Total::Grows => self.len + 3 * index,
            _ => self.len,
        };
        let shown = match self.repeats {
            Some(at) if at == page => page - 1,
            _ => page,
        };
        let start = match self.window {
            Window::Honest => (shown - 1) * size,
            Window::IgnoresPage => 0,
            Window::Drifts { by } => ((shown - 1) * size).saturating_add_signed(by * index as i64),
            Window::Random => fastrand::Rng::with_seed(self.seed ^ index).u64(0..=len),
        };
        let end = start.saturating_add(size).min(len);
        let list: Vec<Value> = (start.min(end)..end).map(bwl_entry).collect();
        let mut body = json!({ "list": list });
        let total = match self.total {
            Total::Missing => None,
            Total::Exact | Total::Grows => Some(len as i64),
            Total::Wrong(off) => Some((len as i64 + off).max(0)),
        };
        if let Some(total) = total {
            body["totalCount"] = json!(total);
        }
        if self.links {
            let mut links = vec![json!({"rel": "self", "href": format!("?page={page}")})];
            if end < len {
                links.push(json!({"rel": "next", "href": format!("?page={}", page + 1)}));
            }
            body["links"] = json!(links);
        }
        Answer::Reply(Reply::json(200, body))
    }
}

#[tokio::test]
async fn generated_hostile_servers_never_make_a_walk_endless_or_lose_what_was_received() {
    const SEED: u64 = 0x5eed_0f9a_9e5a;
    const CASES: u64 = 160;
    let mut outcomes: std::collections::BTreeMap<String, usize> = Default::default();
    let mut requests_sent = 0;
    for case in 0..CASES {
        let behaviour = Behaviour::generate(SEED ^ case);
        let mut rng = fastrand::Rng::with_seed(behaviour.seed.rotate_left(17));
        let page_size = rng.u64(1..=MAX_PAGE_SIZE);
        let max_pages = if rng.bool() { rng.u64(1..=40) } else { 1000 };
        let max_entries = if rng.bool() {
            rng.u64(1..=2000)
        } else {
            100_000
        };
        let server =
            FaultyServer::start(move |request, index| behaviour.answer(request, index)).await;
        let client = hostile_client(&server);
        let mut stream = std::pin::pin!(
            client
                .get_domain_blackwhitelist()
                .account("acc")
                .domain("test.com")
                .pages()
                .page_size(page_size)
                .max_pages(max_pages)
                .max_entries(max_entries)
                .stream()
        );
        // Every page delivered is kept here, and must be in the error's entries.
        let mut delivered = Vec::new();
        let walk = async {
            let mut end = None;
            while let Some(page) = stream.next().await {
                match page {
                    Ok(page) => {
                        assert_eq!(page.status(), 200);
                        delivered.extend(page.into_inner().list.iter().map(entry_number));
                    }
                    Err(error) => {
                        end = Some(error);
                        break;
                    }
                }
            }
            end
        };
        let end = ends(&server, walk).await;
        let sent = server.requests().len() as u64;
        requests_sent += sent;
        let at = format!(
            "case {case} {behaviour:?}, page size {page_size}, caps {max_pages}/{max_entries}: {end:?}"
        );
        assert!(sent <= max_pages, "{sent} requests: {at}");
        assert!(
            (delivered.len() as u64) < max_entries + page_size.max(behaviour.own_size.unwrap_or(0)),
            "{} entries: {at}",
            delivered.len()
        );
        let unique: std::collections::HashSet<_> = delivered.iter().collect();
        assert_eq!(
            unique.len(),
            delivered.len(),
            "an entry delivered twice: {at}"
        );
        let pages_needed = behaviour.len / page_size + 1;
        if behaviour.honest() && pages_needed <= max_pages && behaviour.len <= max_entries {
            assert!(end.is_none(), "{at}");
            assert_eq!(delivered, (0..behaviour.len).collect::<Vec<_>>(), "{at}");
        }
        if let Some(error) = &end {
            if let PageError::Request { page, source } = error {
                let (failing, status) = behaviour.fails.expect("only injected failures");
                assert_eq!(*page, failing, "{at}");
                assert_eq!(source.status().map(|s| s.as_u16()), Some(status), "{at}");
            }
            assert!(error.page().is_some(), "{at}");
        }
        // The same walk through `collect_entries`: the error keeps every entry delivered.
        if behaviour.fails.is_some() && !matches!(behaviour.window, Window::Random) {
            let server =
                FaultyServer::start(move |request, index| behaviour.answer(request, index)).await;
            let client = hostile_client(&server);
            let walk = client
                .get_domain_blackwhitelist()
                .account("acc")
                .domain("test.com")
                .pages()
                .page_size(page_size)
                .max_pages(max_pages)
                .max_entries(max_entries)
                .collect_entries();
            let received: Vec<u64> = match ends(&server, walk).await {
                Ok(all) => all.iter().map(entry_number).collect(),
                Err(incomplete) => incomplete.received.iter().map(entry_number).collect(),
            };
            assert_eq!(received, delivered, "collect_entries keeps what came: {at}");
        }
        let name = match &end {
            None => "complete".to_string(),
            Some(error) => format!("{error:?}")
                .split([' ', '{', '('])
                .next()
                .unwrap()
                .to_string(),
        };
        *outcomes.entry(name).or_default() += 1;
    }
    sdk_tests::report(format_args!(
        "pages: {CASES} generated hostile servers, {requests_sent} requests, every walk ended: {outcomes:?}"
    ));
}

// ---------------------------------------------------------------------------------------------------------
// Open enumerations, undocumented statuses, path safety, secrets

#[tokio::test]
async fn unknown_enumeration_values_are_kept_as_other() {
    let h = harness().await;
    h.server.reply(Reply::json(
        200,
        json!({"type": "ultimate", "allowUpgrade": false}),
    ));
    let webmail = h
        .account
        .get_mailbox_webmail()
        .account("a")
        .domain("test.com")
        .mailbox_name("john")
        .send()
        .await
        .unwrap();
    assert_eq!(webmail.type_, Some(WebmailType::Other("ultimate".into())));

    h.server.reply(Reply::json(200, json!({"list": [
        {"username": "a", "type": "exchange", "webmailAccess": "premium", "trialType": "enterprise"},
        {"username": "b", "type": "imap", "webmailAccess": "gold"}
    ]})));
    let users = h
        .account
        .list_usernames()
        .account("a")
        .domain("test.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        users.list[0].type_,
        Some(MailboxType::Other("exchange".into()))
    );
    assert_eq!(users.list[0].webmail_access, Some(WebmailType::Premium));
    assert_eq!(
        users.list[0].trial_type.as_ref().map(|t| t.as_str()),
        Some("enterprise")
    );
    assert_eq!(users.list[1].type_, Some(MailboxType::Imap));
    assert_eq!(
        users.list[1].webmail_access,
        Some(WebmailType::Other("gold".into()))
    );

    h.server.reply(Reply::json(200, json!({"resourceType": "shared-desk", "recipientType": "TeamMailbox", "type": "enterprise"})));
    let exchange = h
        .account
        .get_exchange_mailbox()
        .account("a")
        .domain("test.com")
        .mailbox_name("desk")
        .send()
        .await
        .unwrap();
    assert_eq!(
        exchange.resource_type,
        Some(ExchangeResourceType::Other("shared-desk".into()))
    );
    assert_eq!(
        exchange.recipient_type.as_ref().map(|t| t.as_str()),
        Some("TeamMailbox")
    );
    assert_eq!(
        exchange.type_.as_ref().map(|t| t.as_str()),
        Some("enterprise")
    );

    // An unknown value is sent back as it came.
    let update: types::MailboxWebmailUpdate =
        serde_json::from_value(json!({"type": "ultimate"})).unwrap();
    assert_eq!(update.type_, Some(WebmailType::Other("ultimate".into())));
    h.server.reply(Reply::empty(204));
    h.account
        .update_mailbox_webmail()
        .account("a")
        .domain("test.com")
        .mailbox_name("john")
        .body(update)
        .send()
        .await
        .unwrap();
    assert_eq!(h.server.requests()[3].json(), json!({"type": "ultimate"}));
}

#[tokio::test]
async fn undocumented_statuses_come_back_with_their_status() {
    let h = harness().await;
    for status in [304, 405, 406, 418, 500] {
        h.server
            .reply(Reply::raw(status, "text/html", "<html>no</html>"));
        let err = h
            .account
            .get_email_domain()
            .account("a")
            .domain("test.com")
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert!(
            matches!(err, Error::UnexpectedResponse(_)),
            "{status}: {err:?}"
        );
    }
    // A documented status whose body is not JSON keeps its status and body.
    h.server
        .reply(Reply::raw(200, "application/json", "{\"list\": [1"));
    let err = h
        .account
        .get_domain_aliases()
        .account("a")
        .domain("test.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    let Error::UnexpectedResponse(response) = err else {
        panic!("expected UnexpectedResponse")
    };
    assert_eq!(response.text().await.unwrap(), "{\"list\": [1");
}

#[tokio::test]
async fn path_segments_that_would_change_the_resource_are_refused_before_sending() {
    let h = harness().await;
    for bad in ["", ".", ".."] {
        let err = h
            .account
            .delete_mailbox()
            .account("a")
            .domain("test.com")
            .mailbox_name(bad)
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{bad:?}: {err:?}");
        let err = h
            .account
            .delete_domain_blackwhitelist_address()
            .account("a")
            .domain(bad)
            .address("x@y.z")
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{bad:?}: {err:?}");
    }
    assert!(h.server.requests().is_empty());
    // Reserved characters stay inside their segment.
    h.server.reply(Reply::empty(204));
    h.account
        .delete_mailbox_forward()
        .account("a/b")
        .domain("test.com")
        .mailbox_name("j?x")
        .fwd_mailbox("f#1@x.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        h.server.take_one().target,
        "/accounts/a%2Fb/email/test.com/usernames/j%3Fx/forwards/f%231%40x.com"
    );
}

#[tokio::test]
async fn no_output_shows_a_password_or_a_secret_answer() {
    let h = harness().await;
    const NEW_PASSWORD: &str = "NEW-PW-SENTINEL-9";
    const ANSWER: &str = "ANSWER-SENTINEL-3";
    let mailbox: types::MailboxUpdate =
        serde_json::from_value(json!({"password": NEW_PASSWORD, "quota": 85})).unwrap();
    let exchange: types::ExchangeMailboxUpdate =
        serde_json::from_value(json!({"password": NEW_PASSWORD, "displayName": "J"})).unwrap();
    let action: types::MailboxAction = serde_json::from_value(json!({"action": "resetPassword", "actionData": {
        "password": NEW_PASSWORD, "secretQuestionsAnswers": {"tk1": ANSWER}, "secretQuestionsAnswersList": {"tk2": ANSWER}}})).unwrap();
    let answers: types::SecretAnswers = serde_json::from_value(json!({"tk1": ANSWER})).unwrap();
    let mut shown = vec![
        format!("{:?} {:?}", h.account, h.mailbox),
        format!(
            "{:?}",
            Client::builder(Credentials::account_owner(ACCOUNT_USER, ACCOUNT_PASSWORD))
        ),
        format!("{mailbox:?} {exchange:?} {action:?} {answers:?}"),
        format!(
            "{:?}",
            h.account
                .create_or_update_mailbox()
                .account("a")
                .domain("d")
                .mailbox_name("m")
                .body(mailbox.clone())
        ),
        format!(
            "{:?}",
            h.account
                .get_domain_aliases()
                .account("a")
                .domain("d")
                .pages()
        ),
    ];
    // Errors: documented, undocumented, undecodable, transport.
    for reply in [
        Reply::json(400, json!({"password": "Required"})),
        Reply::json(418, json!({})),
        Reply::raw(400, "application/json", "{bad"),
    ] {
        h.server.reply(reply);
        let err = h
            .account
            .create_or_update_mailbox()
            .account("a")
            .domain("d")
            .mailbox_name("m")
            .body(mailbox.clone())
            .send()
            .await
            .unwrap_err();
        shown.push(format!("{err} {err:?}"));
    }
    let dead = Client::builder(Credentials::account_owner(ACCOUNT_USER, ACCOUNT_PASSWORD))
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let err = dead
        .apply_mailbox_action_shortcut()
        .domain("d")
        .mailbox_name("m")
        .body(action.clone())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::CommunicationError(_)));
    shown.push(format!("{err} {err:?}"));
    let err = dead
        .get_domain_aliases()
        .account("a")
        .domain("d")
        .pages()
        .collect_entries()
        .await
        .unwrap_err();
    shown.push(format!("{err} {err:?}"));
    for text in &shown {
        for secret in [ACCOUNT_PASSWORD, MAILBOX_PASSWORD, NEW_PASSWORD, ANSWER] {
            assert!(!text.contains(secret), "{secret} shown in: {text}");
        }
    }
    // They are sent, though, where they belong.
    h.server.reply(Reply::empty(204));
    h.account
        .apply_mailbox_action()
        .account("a")
        .domain("d")
        .mailbox_name("m")
        .body(action)
        .send()
        .await
        .unwrap();
    let sent = h.server.requests().pop().unwrap().json();
    assert_eq!(sent["actionData"]["password"], NEW_PASSWORD);
    assert_eq!(sent["actionData"]["secretQuestionsAnswers"]["tk1"], ANSWER);
    assert_eq!(
        sent["actionData"]["secretQuestionsAnswersList"]["tk2"],
        ANSWER
    );
}

// ---------------------------------------------------------------------------------------------------
// Request bodies the service refuses for their shape are refused before sending.

#[tokio::test]
async fn bodies_the_document_says_the_service_refuses_never_reach_the_server() {
    let h = harness().await;
    // Typed builders missing what the service requires: a contact without name and displayName, an
    // InfoStore quota without quota. `send()` must fail saying what is missing, sending nothing.
    let contact = types::builder::ContactCreate::default();
    let err = h
        .account
        .create_domain_contact()
        .account("acc")
        .domain("test.com")
        .body(contact)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("name")),
        "{err:?}"
    );
    let err = h
        .account
        .update_domain_infostore()
        .account("acc")
        .domain("test.com")
        .body(types::builder::InfoStoreQuotaUpdate::default())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest(m) if m.contains("quota")),
        "{err:?}"
    );
    // Bodies built from JSON: an unknown member is an error, not silently dropped (it went out as `{}`).
    for body in [
        json!({"badBody": "badBodyValue"}),
        json!({"attributes": [{"attributeName": "SPAM_LEVEL", "attributeValue": "1"}], "extra": true}),
    ] {
        let parsed = serde_json::from_value::<types::CleanMailPlusUpdate>(body.clone());
        match parsed {
            Err(e) => assert!(
                e.to_string().contains("unknown field") || e.to_string().contains("missing field"),
                "{body}: {e}"
            ),
            Ok(update) => {
                // What a caller would then send: it must not reach the server.
                let _ = h
                    .account
                    .update_domain_cleanmailplus()
                    .account("acc")
                    .domain("test.com")
                    .body(update)
                    .send()
                    .await;
            }
        }
    }
    assert_eq!(
        h.server.requests().len(),
        0,
        "requests reached the server: {:?}",
        h.server.requests()
    );
}

#[tokio::test]
async fn secret_answers_below_the_franchise_minimum_are_never_sent() {
    let answers = |pairs: &[(&str, &str)]| -> types::SecretAnswers {
        serde_json::from_value(json!(
            pairs
                .iter()
                .copied()
                .collect::<std::collections::HashMap<_, _>>()
        ))
        .unwrap()
    };
    let settings = || Reply::json(200, json!({"minimum": 3, "links": []}));

    // Two pairs where the franchise asks three (the document's example): only the settings are read.
    let h = harness().await;
    h.server.reply(settings());
    let err = h
        .account
        .set_mailbox_secrets_checked(
            "acc",
            "test.com",
            "john",
            answers(&[("tk1", "answer1"), ("tk2", "answer2")]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            sdk_hostway::SecretAnswersError::TooFew {
                given: 2,
                minimum: 3
            }
        ),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("answer1"));
    let sent = h.server.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].target, "/email/secretQuestionSettings");

    // An answer under two characters: nothing at all is sent.
    let h = harness().await;
    let err = h
        .account
        .set_mailbox_secrets_checked(
            "acc",
            "test.com",
            "john",
            answers(&[("tk1", "a"), ("tk2", "bb"), ("tk3", "cc")]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, sdk_hostway::SecretAnswersError::TooShort { key } if key == "tk1"),
        "{err:?}"
    );
    assert_eq!(h.server.requests().len(), 0);

    // Enough pairs: the update goes out, with every answer.
    let h = harness().await;
    h.server.reply(settings());
    h.server.reply(Reply::empty(204));
    let three = answers(&[("tk1", "answer1"), ("tk2", "answer2"), ("tk3", "answer3")]);
    let done = h
        .account
        .set_mailbox_secrets_checked("acc", "test.com", "john", three)
        .await
        .unwrap();
    assert_eq!(done.status().as_u16(), 204);
    let sent = h.server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].method, "PUT");
    assert_eq!(
        sent[1].target,
        "/accounts/acc/email/test.com/usernames/john/secrets"
    );
    assert_eq!(
        sent[1].json(),
        json!({"tk1": "answer1", "tk2": "answer2", "tk3": "answer3"})
    );
}
