//! The five SDKs used as a downstream crate uses them (dependencies: the SDKs, no `sdk-core`), against a
//! small scripted loopback server: a per-call deadline, an opted-in POST retry, a raw request, and what
//! `Display` says of a refused connection, an
//! undecodable answer and each SDK's documented error (printed: run with `--nocapture` to read them).

use std::time::{Duration, Instant};

use sdk_mailchannels::{Client, Method, RequestOptions, RetryPolicy};

const KEY: &str = "DOWNSTREAM-SECRET-key";
const SECRET: &str = "DOWNSTREAM-SECRET";

#[path = "support/server.rs"]
mod server;

use server::{Reply, Server, json};

fn mailchannels(url: &str) -> Client {
    Client::builder(sdk_mailchannels::Credentials::api_key(KEY))
        .base_url(url)
        .build()
        .unwrap()
}

fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(20))
}

// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_per_call_deadline_ends_a_call_the_client_would_wait_for() {
    let server = Server::start(|_, _| Reply::Stall).await;
    // The client's own limits: 30 s per attempt, 120 s per call.
    let client = mailchannels(&server.url);
    let started = Instant::now();
    let error = client
        .with_options(RequestOptions::new().deadline(Duration::from_millis(300)))
        .get_sub_account()
        .account_id("acme-1")
        .send()
        .await
        .unwrap_err();
    let took = started.elapsed();
    println!("per-call deadline of 300 ms: ended after {took:?}: {error}");
    assert!(error.is_timeout(), "{error}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[tokio::test]
async fn a_post_is_retried_only_when_the_call_opts_in() {
    // The first two requests get a 503, the next a 200.
    let server = Server::start(|_, n| {
        if n < 2 {
            Reply::Http(503, vec![], String::new())
        } else {
            json(
                200,
                serde_json::json!({"account_id": "acme-1", "smtp_password": "pw"}),
            )
        }
    })
    .await;
    let client = Client::builder(sdk_mailchannels::Credentials::api_key(KEY))
        .base_url(&server.url)
        .retry_policy(quick())
        .build()
        .unwrap();
    let error = client
        .rotate_smtp_password()
        .account_id("acme-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.seen().len(), 1, "a POST is not retried by default");
    println!("POST without opting in: {error}");

    let rotated = client
        .with_options(RequestOptions::new().retry_unsafe_methods(true))
        .rotate_smtp_password()
        .account_id("acme-1")
        .send()
        .await
        .expect("retried after the 503");
    assert_eq!(rotated.account_id, "acme-1");
    let seen = server.seen();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen.iter().all(|s| s.method == "POST"));
}

#[tokio::test]
async fn a_raw_request_carries_the_credentials_retries_and_returns_the_answer() {
    let server = Server::start(|_, n| match n {
        0 => Reply::Http(503, vec![], String::new()),
        _ => json(200, serde_json::json!({"beta": true})),
    })
    .await;
    let client = Client::builder(sdk_mailchannels::Credentials::api_key(KEY))
        .base_url(&server.url)
        .retry_policy(quick())
        .build()
        .unwrap();
    let answer = client
        .with_options(RequestOptions::new().header("x-tenant", "acme").unwrap())
        .raw(Method::GET, "/sub_accounts/{account_id}/beta-feature")
        .path("account_id", "acme 1")
        .query("verbose", true)
        .send()
        .await
        .expect("raw answer");
    assert_eq!(answer.status.as_u16(), 200);
    let body: serde_json::Value = answer.json().unwrap();
    assert_eq!(body, serde_json::json!({"beta": true}));
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "retried once: {seen:?}");
    let last = &seen[1];
    assert_eq!(
        last.target,
        "/sub_accounts/acme%201/beta-feature?verbose=true"
    );
    assert_eq!(last.headers.get("x-api-key").map(String::as_str), Some(KEY));
    assert_eq!(
        last.headers.get("x-tenant").map(String::as_str),
        Some("acme")
    );

    // A segment that would change the path is refused before sending; so is a credential header.
    let refused = client
        .raw(Method::DELETE, "/sub_accounts/{account_id}")
        .path("account_id", "..")
        .send()
        .await
        .unwrap_err();
    println!("raw request with `..`: {refused}");
    let credential = client
        .with_options(RequestOptions::new().header("x-api-key", "other").unwrap())
        .raw(Method::GET, "/sub_accounts")
        .send()
        .await
        .unwrap_err();
    println!("per-call credential header: {credential}");
    assert!(
        credential.to_string().contains("credentials"),
        "{credential}"
    );
    assert_eq!(server.seen().len(), 2, "nothing more was sent");
}

// ---------------------------------------------------------------------------------------------------------

#[tokio::test]
async fn errors_say_what_happened() {
    // A refused connection: a port that was just free.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let refused = Client::builder(sdk_mailchannels::Credentials::api_key(KEY))
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
        .get_sub_account()
        .account_id("acme-1")
        .send()
        .await
        .unwrap_err();
    println!("refused connection: {refused}");
    assert!(
        refused
            .to_string()
            .to_lowercase()
            .contains("connection refused"),
        "{refused}"
    );

    // An answer that is not the documented JSON.
    let server = Server::start(|_, _| {
        Reply::Http(
            200,
            vec![("content-type", "application/json".into())],
            "{not json".into(),
        )
    })
    .await;
    let undecodable = mailchannels(&server.url)
        .get_sub_account()
        .account_id("acme-1")
        .send()
        .await
        .unwrap_err();
    println!("undecodable answer: {undecodable}");
    let shown = undecodable.to_string();
    assert!(
        shown.contains("HTTP 200") && shown.contains("line 1 column 2"),
        "{shown}"
    );
    assert!(undecodable.status().is_some_and(|s| s.as_u16() == 200));

    // Each SDK's documented error, with the provider's code and message.
    let server = Server::start(|request, _| {
        let path = request.target.as_str();
        if path.starts_with("/token") {
            return json(200, serde_json::json!({"access_token": "DOWNSTREAM-SECRET-token", "refresh_token": "DOWNSTREAM-SECRET-refresh", "expires_in": 3600}));
        }
        if path.starts_with("/mailchannels") {
            return json(404, serde_json::json!({
                "message": "sub account not found",
                "field_errors": [{"field": "account_id", "message": "no such sub account"}],
                "trace_id": "trace-7"
            }));
        }
        if path.starts_with("/mailup") {
            return json(401, serde_json::json!({
                "ErrorCode": "401", "ErrorDescription": "Authorization error: Access token is expired",
                "ErrorName": "Unauthorized", "ErrorStack": null
            }));
        }
        if path.starts_with("/hostway") {
            return json(404, serde_json::json!({
                "itemNotFound": {"code": 404, "message": "Domain not found", "details": {"domain": "example.org is not in this account"}}
            }));
        }
        if path.starts_with("/greenview") {
            return json(422, serde_json::json!({
                "errors": {"base": ["Could not cancel account"], "package_uid": ["is not a package of this reseller"]}
            }));
        }
        json(200, serde_json::json!({"status": "ERROR", "message": "Invalid order id: 5555"}))
    })
    .await;
    let url = |prefix: &str| format!("{}/{prefix}", server.url);
    let mut shown = Vec::new();

    let e = mailchannels(&url("mailchannels"))
        .get_sub_account()
        .account_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.request_id().as_deref(), Some("trace-7"));
    assert!(e.is_not_found());
    shown.push(("mailchannels", e.to_string()));

    let oauth = sdk_mailup::OAuth::builder(
        "client-id",
        "DOWNSTREAM-SECRET-client",
        "m12345",
        "DOWNSTREAM-SECRET-password",
    )
    .token_url(url("token"))
    .build()
    .unwrap();
    let mailup = sdk_mailup::Client::builder(oauth)
        .base_url(url("mailup"))
        .build()
        .unwrap();
    let e = mailup
        .get_activation_status()
        .id_activation(7)
        .send()
        .await
        .unwrap_err();
    shown.push(("mailup", e.to_string()));

    let hostway = sdk_hostway::Client::builder(sdk_hostway::Credentials::account_owner(
        "owner",
        "DOWNSTREAM-SECRET-pw",
    ))
    .base_url(url("hostway"))
    .build()
    .unwrap();
    let e = hostway
        .update_domain_cleanmailplus()
        .account("owner")
        .domain("example.org")
        .body(sdk_hostway::types::CleanMailPlusUpdate {
            attributes: Vec::new(),
        })
        .send()
        .await
        .unwrap_err();
    shown.push(("hostway", e.to_string()));

    let greenview = sdk_greenview::Client::builder(sdk_greenview::Credentials::api_key(
        "DOWNSTREAM-SECRET-token",
        KEY,
    ))
    .base_url(url("greenview"))
    .build()
    .unwrap();
    let e = greenview
        .delete_client()
        .id(49632)
        .send()
        .await
        .unwrap_err();
    shown.push(("greenview", e.to_string()));

    use sdk_resellerclub::IntoResult;
    let resellerclub =
        sdk_resellerclub::Client::builder(sdk_resellerclub::Credentials::new(42, KEY))
            .base_url(url("resellerclub"))
            .build()
            .unwrap();
    let e = resellerclub
        .add_forward_only_account()
        .order_id(5555)
        .email("alias@example.com")
        .forwards("a@example.net")
        .send()
        .await
        .into_result()
        .unwrap_err();
    shown.push(("resellerclub", e.to_string()));

    for (sdk, text) in &shown {
        println!("documented error, {sdk}: {text}");
        assert!(!text.contains(SECRET), "{sdk}: {text}");
    }
    let expect = [
        (
            "mailchannels",
            "sub account not found; account_id: no such sub account",
        ),
        (
            "mailup",
            "401: Authorization error: Access token is expired",
        ),
        (
            "hostway",
            "404: Domain not found (domain: example.org is not in this account)",
        ),
        (
            "greenview",
            "Could not cancel account; package_uid: is not a package of this reseller",
        ),
        ("resellerclub", "Invalid order id: 5555"),
    ];
    for ((sdk, text), (name, part)) in shown.iter().zip(expect) {
        assert_eq!(*sdk, name);
        assert!(
            text.contains(part),
            "{sdk}: {text:?} should contain {part:?}"
        );
    }
}

/// ResellerClub's mail-user calls answer, on the real service, with the user nested under `response`: read as
/// the README shows, every field is there (it used to decode as an empty success).
#[tokio::test]
async fn a_nested_mail_user_answer_is_read_with_its_fields() {
    use sdk_resellerclub::IntoResult;
    let server = Server::start(|_, _| {
        json(
            200,
            serde_json::json!({"response": {"status": "SUCCESS", "user": {
                "emailAddress": "alias@example.com", "domainName": "example.com", "firstName": "Ada",
                "lastName": "Lovelace", "quotaLimit": "250", "status": "ACTIVE", "accountType": "FORWARD_ONLY"
            }}}),
        )
    })
    .await;
    let client = sdk_resellerclub::Client::builder(sdk_resellerclub::Credentials::new(42, KEY))
        .base_url(&server.url)
        .build()
        .unwrap();
    let answer = client
        .add_forward_only_account()
        .order_id(5555)
        .email("alias@example.com")
        .forwards("a@example.net")
        .send()
        .await
        .into_result()
        .unwrap()
        .into_inner();
    println!("nested mail-user answer: {answer:?}");
    assert!(answer.is_success(), "{answer:?}");
    assert_eq!(answer.outcome(), "SUCCESS");
    let user = answer.user().expect("the nested answer's user");
    assert_eq!(user.email_address.as_deref(), Some("alias@example.com"));
    assert_eq!(user.domain_name.as_deref(), Some("example.com"));
    assert_eq!(user.first_name.as_deref(), Some("Ada"));
    assert_eq!(user.last_name.as_deref(), Some("Lovelace"));
    assert_eq!(user.account_type.as_deref(), Some("FORWARD_ONLY"));
    assert!(
        user.quota_limit.is_some() && user.status.is_some(),
        "{user:?}"
    );
}
