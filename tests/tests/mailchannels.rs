//! MailChannels through the SDK against a real HTTP server on loopback: every operation's request as it
//! arrives (method, raw path, query, auth header, body), every typed answer, every documented error
//! status, undocumented answers, redaction and path safety.

use sdk_mailchannels::types::{NewSubAccount, SubAccountCommand};
use sdk_mailchannels::{Client, Error};
use sdk_tests::server::{RecordingServer, Reply};
use serde_json::json;

const KEY: &str = "KEY-SENTINEL-7f3a";
const BASE: &str = "/reseller/v1";

async fn setup() -> (RecordingServer, Client) {
    let server = RecordingServer::start().await;
    let client = Client::builder(sdk_mailchannels::Credentials::api_key(KEY))
        .base_url(server.url(BASE))
        .build()
        .expect("client builds");
    (server, client)
}

fn account_json() -> serde_json::Value {
    json!({
        "account_id": "acme-1", "smtp_passwords": ["pw-1"], "company": "Acme", "website": "acme.example",
        "address": "1 Road", "city": "Vancouver", "province": "BC", "post_code": "V5K", "country": "CA",
        "phone": "+1 555", "enabled": true
    })
}

fn error_json() -> serde_json::Value {
    json!({"trace_id": "t-1", "message": "bad", "errors": ["e1"],
           "field_errors": [{"message": "required", "field": "company", "rejected_value": ""}]})
}

fn new_account() -> NewSubAccount {
    NewSubAccount {
        first_name: "Ada".into(),
        last_name: "L".into(),
        email_address: "ada@acme.example".into(),
        company: "Acme".into(),
        website: "acme.example".into(),
        address: "1 Road".into(),
        city: "Vancouver".into(),
        province: "BC".into(),
        post_code: "V5K".into(),
        country: "CA".into(),
        phone: "+1 555".into(),
    }
}

#[tokio::test]
async fn list_sub_accounts_sends_query_and_key() {
    let (server, client) = setup().await;
    server.reply(Reply::json(200, json!([account_json()])));
    let accounts = client
        .list_sub_accounts()
        .offset(40u64)
        .limit(std::num::NonZeroU64::new(20).unwrap())
        .show_all(true)
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_eq!(request.method, "GET");
    assert_eq!(request.path(), "/reseller/v1/sub_accounts");
    assert_eq!(request.query(), "limit=20&offset=40&show_all=true");
    assert_eq!(request.header("x-api-key"), Some(KEY));
    assert!(
        request
            .header("user-agent")
            .unwrap()
            .starts_with("sdk-mailchannels/")
    );
    assert_eq!(accounts.status(), 200);
    assert_eq!(accounts[0].account_id.as_deref(), Some("acme-1"));
    assert_eq!(accounts[0].smtp_passwords[0].expose(), "pw-1");
    assert_eq!(accounts[0].enabled, Some(true));
}

#[tokio::test]
async fn create_sub_account_posts_the_new_account() {
    let (server, client) = setup().await;
    server.reply(Reply::json(200, account_json()));
    let created = client
        .create_sub_account()
        .body(new_account())
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/reseller/v1/sub_accounts")
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.json()["email_address"], "ada@acme.example");
    assert_eq!(request.json()["first_name"], "Ada");
    assert_eq!(created.company.as_deref(), Some("Acme"));
    for status in [400, 403, 409] {
        server.reply(Reply::json(status, error_json()));
        let err = client
            .create_sub_account()
            .body(new_account())
            .send()
            .await
            .unwrap_err();
        assert_documented_error(err, status);
    }
}

#[tokio::test]
async fn stats_for_all_and_one_account() {
    let (server, client) = setup().await;
    let usage = json!({"account_id": "acme-1", "usage": [{"date": "2024-05-01", "sent": 10, "queued": 1, "delivered": 9, "bounced": 0}]});
    server.reply(Reply::json(200, json!([usage])));
    let date: chrono::NaiveDate = "2024-05-01".parse().unwrap();
    let all = client
        .get_sub_accounts_stats()
        .start_date(date)
        .end_date(date)
        .limit(std::num::NonZeroU64::new(5).unwrap())
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("GET", "/reseller/v1/sub_accounts/stats")
    );
    assert_eq!(
        request.query(),
        "end_date=2024-05-01&limit=5&start_date=2024-05-01"
    );
    assert_eq!(all[0].usage[0].delivered, Some(9));

    server.reply(Reply::json(200, usage));
    let one = client
        .get_sub_account_stats()
        .account_id("acme-1")
        .start_date(date)
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_eq!(
        (request.method.as_str(), request.target.as_str()),
        (
            "GET",
            "/reseller/v1/sub_accounts/acme-1/stats?start_date=2024-05-01"
        )
    );
    assert_eq!(one.usage[0].sent, Some(10));
    for status in [400, 404, 500] {
        server.reply(Reply::json(status, error_json()));
        assert_documented_error(
            client
                .get_sub_account_stats()
                .account_id("acme-1")
                .send()
                .await
                .unwrap_err(),
            status,
        );
        server.reply(Reply::json(status, error_json()));
        assert_documented_error(
            client.get_sub_accounts_stats().send().await.unwrap_err(),
            status,
        );
    }
}

#[tokio::test]
async fn get_update_cancel_one_account() {
    let (server, client) = setup().await;
    server.reply(Reply::json(200, account_json()));
    let account = client
        .get_sub_account()
        .account_id("acme-1")
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_eq!(
        (request.method.as_str(), request.target.as_str()),
        ("GET", "/reseller/v1/sub_accounts/acme-1")
    );
    assert_eq!(account.city.as_deref(), Some("Vancouver"));

    // "200 Success, No Content": an empty 200 is success.
    server.reply(Reply::empty(200));
    let body: sdk_mailchannels::types::Account =
        serde_json::from_value(json!({"company": "Acme 2", "enabled": false})).unwrap();
    let updated = client
        .update_sub_account()
        .account_id("acme-1")
        .body(body)
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("PUT", "/reseller/v1/sub_accounts/acme-1")
    );
    assert_eq!(
        request.json(),
        json!({"company": "Acme 2", "enabled": false})
    );
    assert_eq!(updated.status(), 200);

    server.reply(Reply::empty(200));
    client
        .cancel_sub_account()
        .account_id("acme-1")
        .body(SubAccountCommand { cancel: Some(true) })
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/reseller/v1/sub_accounts/acme-1")
    );
    assert_eq!(request.json(), json!({"cancel": true}));

    server.reply(Reply::json(404, error_json()));
    assert_documented_error(
        client
            .get_sub_account()
            .account_id("x")
            .send()
            .await
            .unwrap_err(),
        404,
    );
    for status in [400, 404, 409] {
        server.reply(Reply::json(status, error_json()));
        let body: sdk_mailchannels::types::Account = serde_json::from_value(json!({})).unwrap();
        assert_documented_error(
            client
                .update_sub_account()
                .account_id("x")
                .body(body)
                .send()
                .await
                .unwrap_err(),
            status,
        );
    }
    for status in [400, 404] {
        server.reply(Reply::json(status, error_json()));
        let err = client
            .cancel_sub_account()
            .account_id("x")
            .body(SubAccountCommand { cancel: Some(true) })
            .send()
            .await
            .unwrap_err();
        assert_documented_error(err, status);
    }
}

#[tokio::test]
async fn rotate_smtp_password_is_a_bodyless_post_with_length_zero() {
    let (server, client) = setup().await;
    server.reply(Reply::json(
        200,
        json!({"account_id": "acme-1", "smtp_password": "NEW-PW-SENTINEL"}),
    ));
    let rotated = client
        .rotate_smtp_password()
        .account_id("acme-1")
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_eq!(
        (request.method.as_str(), request.path()),
        ("POST", "/reseller/v1/sub_accounts/acme-1/smtp_password")
    );
    assert_eq!(request.header("content-length"), Some("0"));
    assert!(request.body.is_empty());
    assert_eq!(rotated.smtp_password.expose(), "NEW-PW-SENTINEL");
    assert!(
        !format!("{rotated:?}").contains("NEW-PW-SENTINEL"),
        "a password in a response is not shown by Debug"
    );
    for status in [400, 404] {
        server.reply(Reply::json(status, error_json()));
        assert_documented_error(
            client
                .rotate_smtp_password()
                .account_id("acme-1")
                .send()
                .await
                .unwrap_err(),
            status,
        );
    }
}

#[tokio::test]
async fn download_plugin_streams_the_zip_and_types_json_errors() {
    use futures_util::TryStreamExt;
    let (server, client) = setup().await;
    let zip: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    server.reply(Reply::raw(200, "application/zip", zip.clone()));
    let response = client
        .download_plugin()
        .filename("mailchannels-cpanel")
        .account_id("acme-1")
        .smtp_password("SMTP-SENTINEL")
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.path(),
        "/reseller/v1/downloads/plugins/mailchannels-cpanel"
    );
    assert_eq!(
        request.query(),
        "account_id=acme-1&smtp_password=SMTP-SENTINEL"
    );
    let chunks: Vec<bytes::Bytes> = response
        .into_inner()
        .into_inner()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(chunks.concat(), zip, "the zip arrives intact");

    for status in [400, 404] {
        server.reply(Reply::json(status, error_json()));
        let err = client
            .download_plugin()
            .filename("mailchannels-whmcs")
            .smtp_password("SMTP-SENTINEL")
            .send()
            .await
            .err()
            .expect("an error");
        let shown = format!("{err} {err:?}");
        assert!(
            !shown.contains("SMTP-SENTINEL") && !shown.contains(KEY),
            "{shown}"
        );
        assert_documented_error(err, status);
    }
}

fn assert_documented_error(err: Error<sdk_mailchannels::types::ErrorResponse>, status: u16) {
    assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{err:?}");
    match err {
        Error::ErrorResponse(body) => {
            assert_eq!(body.message.as_deref(), Some("bad"));
            assert_eq!(body.field_errors[0].field.as_deref(), Some("company"));
        }
        other => panic!("expected a typed ErrorResponse for {status}, got {other:?}"),
    }
}

#[tokio::test]
async fn undocumented_status_malformed_json_and_html_pages_keep_the_status() {
    let (server, client) = setup().await;
    // An undocumented status.
    server.reply(Reply::json(418, json!({"message": "teapot"})));
    let err = client
        .get_sub_account()
        .account_id("a")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(418));
    assert!(matches!(err, Error::UnexpectedResponse(_)));
    // A documented status whose body is not JSON.
    server.reply(Reply::raw(404, "application/json", "{not json"));
    let err = client
        .get_sub_account()
        .account_id("a")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    let Error::UnexpectedResponse(response) = err else {
        panic!("expected UnexpectedResponse")
    };
    assert!(
        response
            .extensions()
            .get::<sdk_core::decode::UndecodableBody>()
            .is_some()
    );
    assert_eq!(response.text().await.unwrap(), "{not json");
    // A success whose body is not the documented JSON.
    server.reply(Reply::raw(200, "application/json", "[1, 2"));
    let err = client.list_sub_accounts().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    // An HTML error page from a proxy (a GET answered 502 is retried: three attempts by default).
    for _ in 0..3 {
        server.reply(Reply::raw(
            502,
            "text/html",
            "<html><body>Bad gateway</body></html>",
        ));
    }
    let err = client.list_sub_accounts().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    let Error::UnexpectedResponse(response) = err else {
        panic!("expected UnexpectedResponse")
    };
    assert!(response.text().await.unwrap().contains("Bad gateway"));
}

#[tokio::test]
async fn no_output_shows_the_key_or_a_password() {
    let (server, client) = setup().await;
    let mut shown = vec![
        format!("{client:?}"),
        format!(
            "{:?}",
            Client::builder(sdk_mailchannels::Credentials::api_key(KEY))
        ),
    ];
    shown.push(format!(
        "{:?}",
        client
            .download_plugin()
            .filename("p")
            .smtp_password("SMTP-SENTINEL")
    ));
    for reply in [
        Reply::json(400, error_json()),
        Reply::json(418, json!({})),
        Reply::raw(404, "application/json", "{not json"),
        Reply::raw(502, "text/html", "<html/>"),
    ] {
        server.reply(reply);
        let err = client
            .download_plugin()
            .filename("p")
            .smtp_password("SMTP-SENTINEL")
            .send()
            .await
            .err()
            .expect("an error");
        shown.push(format!("{err}"));
        shown.push(format!("{err:?}"));
    }
    // A transport error (nothing listens): its Display includes the URL.
    let dead = Client::builder(sdk_mailchannels::Credentials::api_key(KEY))
        .base_url("http://127.0.0.1:9/reseller/v1")
        .build()
        .unwrap();
    let err = dead
        .download_plugin()
        .filename("p")
        .smtp_password("SMTP-SENTINEL")
        .send()
        .await
        .err()
        .expect("an error");
    assert!(matches!(err, Error::CommunicationError(_)));
    shown.push(format!("{err}"));
    shown.push(format!("{err:?}"));
    for text in &shown {
        assert!(!text.contains(KEY), "API key shown in: {text}");
        assert!(!text.contains("SMTP-SENTINEL"), "password shown in: {text}");
    }
    assert!(
        shown.iter().any(|t| t.contains("REDACTED")),
        "redacted URLs are still shown: {shown:#?}"
    );
}

#[tokio::test]
async fn path_segments_are_checked_and_encoded() {
    let (server, client) = setup().await;
    for bad in ["", ".", ".."] {
        let err = client
            .get_sub_account()
            .account_id(bad)
            .send()
            .await
            .unwrap_err();
        match err {
            Error::InvalidRequest(message) => assert!(
                message.contains("account_id") && message.contains("path segment"),
                "{message}"
            ),
            other => panic!("{bad:?} should be refused before sending, got {other:?}"),
        }
    }
    assert!(
        server.requests().is_empty(),
        "nothing was sent for refused segments"
    );

    for (value, raw) in [
        ("a/b", "a%2Fb"),
        ("a?b", "a%3Fb"),
        ("a#b", "a%23b"),
        ("100%", "100%25"),
        ("x@y", "x%40y"),
        ("a b", "a%20b"),
        ("üñí", "%C3%BC%C3%B1%C3%AD"),
        ("...", "..."),
    ] {
        server.reply(Reply::json(200, account_json()));
        client
            .get_sub_account()
            .account_id(value)
            .send()
            .await
            .unwrap();
        let request = server.take_one();
        assert_eq!(
            request.path(),
            format!("/reseller/v1/sub_accounts/{raw}"),
            "for {value:?}"
        );
        let segments: Vec<&str> = request.path().trim_start_matches('/').split('/').collect();
        assert_eq!(
            segments.len(),
            4,
            "exactly the expected segments for {value:?}: {segments:?}"
        );
    }
}
