//! MailUp RetailerService through the SDK against real HTTP servers on loopback: every operation's request
//! as it arrives (method, raw path, query, bearer token, body) and its typed answer, the documented error
//! statuses with their per-operation codes, the OAuth 2.0 token flow (a second loopback server plays the
//! token endpoint; single flight under load, no redirect), the asynchronous account creation and profile
//! change (bounded by max_elapsed), and redaction.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sdk_mailup::codes::{AccountStatusCode, ActivationCode, AddPackCode, CreateAccountCode};
use sdk_mailup::types::{AccountActivationRequest, AddPackRequest, AddPackRequestWorkMode};
use sdk_mailup::{
    ActivationError, Authenticator, Client, Credentials, Error, LastAnswer, OAuth, PollBound,
    PollPolicy, ProfileChangeError, RetryPolicy,
};
use sdk_tests::server::{Recorded, RecordingServer, Reply};
use serde_json::json;

const BASE: &str = "/API/v1.1/Rest/RetailerService.svc";
const TOKEN_PATH: &str = "/Authorization/OAuth/Token";
const TOKEN: &str = "AT-S3NT1NEL-ready";
const CLIENT_SECRET: &str = "CS-S3NT1NEL-secret";
const PASSWORD: &str = "PW-S3NT1NEL-pass";

async fn setup() -> (RecordingServer, Client) {
    let server = RecordingServer::start().await;
    let client = Client::builder(Credentials::bearer(TOKEN))
        .base_url(server.url(BASE))
        .build()
        .expect("client builds");
    (server, client)
}

/// Asserts what every call sends: the method, the raw path under the base, the raw query, the bearer
/// token and `Accept: application/json`.
fn assert_request(request: &Recorded, method: &str, path: &str, query: &str) {
    assert_eq!(request.method, method);
    assert_eq!(request.path(), format!("{BASE}{path}"));
    assert_eq!(request.query(), query);
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("accept"), Some("application/json"));
}

fn expired_token() -> serde_json::Value {
    json!({"ErrorCode": "401", "ErrorDescription": "Authorization error: Access token is expired",
           "ErrorName": "Unauthorized", "ErrorStack": null})
}

fn throttled() -> serde_json::Value {
    json!({"ErrorCode": "429",
           "ErrorDescription": "Authorization error (too_many_requests): Too many requests. Max:5 calls per second , actual:10.",
           "ErrorName": null, "ErrorStack": null})
}

fn activation_request() -> AccountActivationRequest {
    AccountActivationRequest::builder()
        .ip_address("192.168.0.1")
        .email("service@retailer.it")
        .custom_domain("power-email-marketing.it")
        .custom_subdomain("customer123")
        .service_name("Power email marketing")
        .service_url("www.power-email-marketing.it/info")
        .service_logout_url("www.power-email-marketing.it")
        .referer(Some("".to_string()))
        .user_agent(Some("".to_string()))
        .try_into()
        .expect("complete request")
}

fn activation_started() -> serde_json::Value {
    json!({"Code": 0, "Description": "Ok", "IdActivation": 9054, "Hash": "767eed52-be08-4eb4-8658-5db4eaa215e1",
           "ControlPanelDomain": "customer123.mailadmin.io",
           "ImageTrackingDomain": "img.customer123.t.power-email-marketing.it",
           "LinkTrackingDomain": "customer123.t.power-email-marketing.it"})
}

// ---------------------------------------------------------------------------------------------------
// Contract: every operation.

#[tokio::test]
async fn list_profiles_pages_and_decodes_the_example() {
    let (server, client) = setup().await;
    server.reply(Reply::json(
        200,
        json!({"IsPaginated": false, "Items": [
            {"ClientCode": 1, "Description": "Trial", "Id": 1046, "Name": "Trial"},
            {"ClientCode": 2, "Description": "Economy", "Id": 1047, "Name": "Economy"},
            {"ClientCode": 3, "Description": "Premium", "Id": 1048, "Name": "Premium"}],
            "PageNumber": 0, "PageSize": 20, "Skipped": 0, "TotalElementsCount": 3}),
    ));
    let profiles = client
        .list_profiles()
        .page_size(2)
        .page_number(1)
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_request(
        &request,
        "GET",
        "/Management/Profile",
        "PageNumber=1&PageSize=2",
    );
    assert!(request.body.is_empty());
    assert!(
        request
            .header("user-agent")
            .unwrap()
            .starts_with("sdk-mailup/")
    );
    assert_eq!(profiles.status(), 200);
    assert_eq!(profiles.items.len(), 3);
    assert_eq!(profiles.items[2].id, Some(1048));
    assert_eq!(profiles.items[2].name.as_deref(), Some("Premium"));
    assert_eq!(profiles.total_elements_count, Some(3));
    assert_eq!(profiles.is_paginated, Some(false));

    // Without paging arguments, no query at all.
    server.reply(Reply::json(200, json!({"Items": []})));
    client.list_profiles().send().await.unwrap();
    assert_eq!(
        server.take_one().target,
        format!("{BASE}/Management/Profile")
    );
}

#[tokio::test]
async fn list_profile_packs_and_its_authorization_403() {
    let (server, client) = setup().await;
    server.reply(Reply::json(
        200,
        json!({"IsPaginated": false, "Items": [{"ClientCode": 1,
            "Description": "Pacchetto che consente di aumentare la velocità di invio di 300 mail/ora",
            "Id": 534, "Max": 5, "Min": 1}]}),
    ));
    let packs = client
        .list_profile_packs()
        .id_profile(1046)
        .page_size(2)
        .send()
        .await
        .unwrap();
    assert_request(
        &server.take_one(),
        "GET",
        "/Management/Profile/1046/Pack",
        "PageSize=2",
    );
    assert_eq!(packs.items[0].id, Some(534));
    assert_eq!((packs.items[0].min, packs.items[0].max), (Some(1), Some(5)));
    assert!(
        packs.items[0]
            .description
            .as_deref()
            .unwrap()
            .contains("velocità")
    );

    server.reply(Reply::json(
        403,
        json!({"ErrorCode": "403",
               "ErrorDescription": "Authorization error: Contract not signed, please login in console and accept terms of service.",
               "ErrorName": "Forbidden", "ErrorStack": null}),
    ));
    let Err(Error::ErrorResponse(e)) = client.list_profile_packs().id_profile(1).send().await
    else {
        panic!("a documented 403 is an ErrorResponse")
    };
    assert_eq!(e.status(), 403);
    assert_eq!(
        e.retailer_result().map(|r| r.code),
        None,
        "an authorization 403 is not a business code"
    );
    assert!(e.description().unwrap().contains("Contract not signed"));
    assert_eq!(
        e.oauth_error().unwrap().error_name.as_deref(),
        Some("Forbidden")
    );

    // The code-less business 403 ("You cannot access the provided profile") in the {Code, ...} shape.
    server.reply(Reply::json(
        403,
        json!({"Code": 1, "Description": "You cannot access the provided profile."}),
    ));
    let Err(Error::ErrorResponse(e)) = client.list_profile_packs().id_profile(2).send().await
    else {
        panic!()
    };
    assert_eq!(e.result_code(), Some(1));
}

#[tokio::test]
async fn list_profile_languages_keeps_items_as_json() {
    let (server, client) = setup().await;
    server.reply(Reply::json(
        200,
        json!({"IsPaginated": false, "Items": [{"Code": "it"}, "en"], "PageNumber": 0, "PageSize": 20,
               "Skipped": 0, "TotalElementsCount": 2}),
    ));
    let languages = client
        .list_profile_languages()
        .id_profile(1046)
        .send()
        .await
        .unwrap();
    assert_request(
        &server.take_one(),
        "GET",
        "/Management/Profile/1046/Language",
        "",
    );
    assert_eq!(languages.items, vec![json!({"Code": "it"}), json!("en")]);
    assert_eq!(languages.total_elements_count, Some(2));
}

#[tokio::test]
async fn create_account_posts_the_request_and_types_its_codes() {
    let (server, client) = setup().await;
    server.reply(Reply::json(200, activation_started()));
    let started = client
        .create_account()
        .id_profile(1046)
        .lang("en")
        .body(activation_request())
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_request(
        &request,
        "POST",
        "/Account/Activation/Profile/1046/Language/en",
        "",
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json(),
        json!({"IpAddress": "192.168.0.1", "Email": "service@retailer.it", "CustomDomain": "power-email-marketing.it",
               "CustomSubdomain": "customer123", "ServiceName": "Power email marketing",
               "ServiceUrl": "www.power-email-marketing.it/info", "ServiceLogoutUrl": "www.power-email-marketing.it",
               "Referer": "", "UserAgent": ""})
    );
    assert_eq!(started.result_code(), CreateAccountCode::Ok);
    assert_eq!(started.id_activation, Some(9054));
    assert_eq!(
        started.control_panel_domain.as_deref(),
        Some("customer123.mailadmin.io")
    );
    assert_eq!(
        started.hash.as_deref(),
        Some("767eed52-be08-4eb4-8658-5db4eaa215e1")
    );

    // Documented business 403s, typed with this operation's list; an unlisted code is kept.
    for (code, expected) in [
        (3, CreateAccountCode::LanguageNotAvailable),
        (7, CreateAccountCode::CustomDomainNotAvailable),
        (-1, CreateAccountCode::UnknownActivationStatus),
        (12, CreateAccountCode::InvalidServiceLogoutUrl),
        (13, CreateAccountCode::Other(13)),
    ] {
        server.reply(Reply::json(
            403,
            json!({"Code": code, "Description": format!("text {code}")}),
        ));
        let err = client
            .create_account()
            .id_profile(1046)
            .lang("de")
            .body(activation_request())
            .send()
            .await
            .unwrap_err();
        server.take_one();
        let Error::ErrorResponse(e) = err else {
            panic!("403 is documented")
        };
        assert_eq!(e.status(), 403);
        assert_eq!(e.result_code(), Some(expected));
        assert_eq!(e.description(), Some(format!("text {code}").as_str()));
    }

    // 400 in MailUp's envelope.
    server.reply(Reply::json(
        400,
        json!({"ErrorCode": "400", "ErrorDescription": "Invalid language.", "ErrorName": "BadRequest", "ErrorStack": null}),
    ));
    let Err(Error::ErrorResponse(e)) = client
        .create_account()
        .id_profile(1046)
        .lang("zz")
        .body(activation_request())
        .send()
        .await
    else {
        panic!()
    };
    assert_eq!(e.status(), 400);
    assert_eq!(e.result_code(), None);
    assert_eq!(e.description(), Some("Invalid language."));
    server.take_one();

    // Refused before sending: a path segment the URL would collapse, a request missing required fields.
    let err = client
        .create_account()
        .id_profile(1046)
        .lang("..")
        .body(activation_request())
        .send()
        .await;
    assert!(matches!(err, Err(Error::InvalidRequest(_))));
    let incomplete = AccountActivationRequest::builder().email("a@b.example");
    let err = client
        .create_account()
        .id_profile(1046)
        .lang("en")
        .body(incomplete)
        .send()
        .await;
    let Err(Error::InvalidRequest(message)) = err else {
        panic!("refused before sending")
    };
    assert!(message.contains("body"), "{message}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn get_activation_status_reads_done_in_progress_and_failed() {
    let (server, client) = setup().await;
    server.reply(Reply::json(
        200,
        json!({"Code": 0, "Description": "Ok", "IdAccount": 23052}),
    ));
    let done = client
        .get_activation_status()
        .id_activation(9054)
        .send()
        .await
        .unwrap();
    assert_request(
        &server.take_one(),
        "GET",
        "/Account/Activation/9054/Status",
        "",
    );
    assert_eq!(done.status(), 200);
    assert_eq!(done.result_code(), ActivationCode::Ok);
    assert_eq!(done.id_account, Some(23052));

    for status in [201, 202] {
        server.reply(Reply::json(
            status,
            json!({"Code": 1, "Description": "Processing", "IdAccount": 0}),
        ));
        let pending = client
            .get_activation_status()
            .id_activation(9054)
            .send()
            .await
            .unwrap();
        server.take_one();
        assert_eq!(pending.status(), status);
        assert_eq!(pending.result_code(), ActivationCode::Processing);
    }

    server.reply(Reply::json(
        403,
        json!({"Code": 3, "Description": "An error occurred finalizing account creation"}),
    ));
    let Err(Error::ErrorResponse(e)) = client
        .get_activation_status()
        .id_activation(9054)
        .send()
        .await
    else {
        panic!()
    };
    assert_eq!(e.status(), 403);
    assert_eq!(e.result_code(), Some(ActivationCode::FinalizationFailed));
}

#[tokio::test]
async fn change_account_profile_is_a_bodyless_put_answered_by_status() {
    let (server, client) = setup().await;
    server.reply(Reply::empty(202));
    let pending = client
        .change_account_profile()
        .id_account(23052)
        .id_profile(1047)
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_request(&request, "PUT", "/Account/23052/Profile/1047", "");
    assert_eq!(request.header("content-length"), Some("0"));
    assert!(request.body.is_empty());
    assert_eq!(pending.status(), 202);

    server.reply(Reply::empty(200));
    let done = client
        .change_account_profile()
        .id_account(23052)
        .id_profile(1047)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    server.take_one();

    server.reply(Reply::empty(500));
    let Err(Error::ErrorResponse(e)) = client
        .change_account_profile()
        .id_account(23052)
        .id_profile(1047)
        .send()
        .await
    else {
        panic!("500 is documented")
    };
    assert_eq!(e.status(), 500);
    assert!(e.is_none(), "a 500 has no body");
}

#[tokio::test]
async fn get_account_status_decodes_the_example() {
    let (server, client) = setup().await;
    server.reply(Reply::json(
        200,
        json!({"Code": 0, "Description": "Enabled",
               "ActivePacks": [{"CurrentQuantity": 0, "Id": 534, "Quantity": 0}, {"CurrentQuantity": 0, "Id": 535, "Quantity": 0}],
               "Credits": 300, "IdAccount": 23053, "IdProfile": 1401,
               "ValidFrom": "2015-10-14 22:00:00Z", "ValidTo": "2016-10-14 22:00:00Z"}),
    ));
    let status = client
        .get_account_status()
        .id_account(23053)
        .send()
        .await
        .unwrap();
    assert_request(&server.take_one(), "GET", "/Account/23053/Status", "");
    assert_eq!(status.status_code(), Some(AccountStatusCode::Active));
    assert_eq!(status.active_packs[1].id, Some(535));
    assert_eq!(status.credits, Some(300));
    assert_eq!(status.id_profile, Some(1401));
    assert_eq!(status.valid_to.as_deref(), Some("2016-10-14 22:00:00Z"));
}

#[tokio::test]
async fn set_account_enabled_sends_enable_and_reads_the_status() {
    let (server, client) = setup().await;
    server.reply(Reply::json(
        200,
        json!({"Code": 1, "Description": "Deactivated", "ValidFrom": "2015-10-14 22:00:00Z", "ValidTo": "2016-10-14 22:00:00Z"}),
    ));
    let status = client
        .set_account_enabled()
        .id_account(23053)
        .enable(false)
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_request(&request, "PUT", "/Account/23053", "Enable=false");
    assert_eq!(request.header("content-length"), Some("0"));
    assert_eq!(status.status_code(), Some(AccountStatusCode::Deactivated));
    assert_eq!(status.description.as_deref(), Some("Deactivated"));

    server.reply(Reply::json(
        200,
        json!({"Code": 0, "Description": "Active"}),
    ));
    let status = client
        .set_account_enabled()
        .id_account(23053)
        .enable(true)
        .send()
        .await
        .unwrap();
    assert_request(&server.take_one(), "PUT", "/Account/23053", "Enable=true");
    assert_eq!(status.status_code(), Some(AccountStatusCode::Active));

    server.reply(Reply::json(200, json!({"Code": 5})));
    let status = client
        .set_account_enabled()
        .id_account(1)
        .enable(true)
        .send()
        .await
        .unwrap();
    server.take_one();
    assert_eq!(status.status_code(), Some(AccountStatusCode::Other(5)));
}

#[tokio::test]
async fn delete_account_sends_delete_and_reads_an_empty_200() {
    let (server, client) = setup().await;
    server.reply(Reply::empty(200));
    let deleted = client
        .delete_account()
        .id_account(23053)
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_request(&request, "DELETE", "/Account/23053", "");
    assert!(request.body.is_empty());
    assert_eq!(deleted.status(), 200);

    server.reply(Reply::json(
        400,
        json!({"ErrorCode": "400", "ErrorDescription": "Invalid ExternalUserId.", "ErrorName": "BadRequest", "ErrorStack": null}),
    ));
    let Err(Error::ErrorResponse(e)) = client.delete_account().id_account(23053).send().await
    else {
        panic!()
    };
    assert_eq!(e.status(), 400);
    assert_eq!(
        e.error_description.as_deref(),
        Some("Invalid ExternalUserId.")
    );
}

#[tokio::test]
async fn add_account_pack_posts_quantity_and_work_mode() {
    let (server, client) = setup().await;
    server.reply(Reply::json(200, json!({"Code": 0, "Description": "Ok"})));
    let body = AddPackRequest {
        quantity: -3,
        work_mode: AddPackRequestWorkMode::Incremental,
    };
    let result = client
        .add_account_pack()
        .id_account(23053)
        .id_pack(534)
        .body(body)
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_request(&request, "POST", "/Account/23053/Pack/534", "");
    assert_eq!(
        request.json(),
        json!({"Quantity": -3, "WorkMode": "incremental"})
    );
    assert_eq!(result.code_as::<AddPackCode>(), AddPackCode::Ok);

    for (code, expected) in [
        (1, AddPackCode::QuantityLimitsExceeded),
        (2, AddPackCode::ProfileRulesError),
        (3, AddPackCode::InvalidQuantity),
        (4, AddPackCode::InvalidWorkMode),
    ] {
        server.reply(Reply::json(403, json!({"Code": code, "Description": "x"})));
        let body = AddPackRequest {
            quantity: 3,
            work_mode: AddPackRequestWorkMode::Absolute,
        };
        let Err(Error::ErrorResponse(e)) = client
            .add_account_pack()
            .id_account(23053)
            .id_pack(534)
            .body(body)
            .send()
            .await
        else {
            panic!()
        };
        assert_eq!(
            server.take_one().json(),
            json!({"Quantity": 3, "WorkMode": "absolute"})
        );
        assert_eq!(e.status(), 403);
        assert_eq!(e.result_code(), Some(expected));
    }
}

#[tokio::test]
async fn throttling_is_429_with_the_envelope_not_a_business_403() {
    let (server, client) = setup().await;
    // A GET answered 429 is retried: three attempts by default.
    for _ in 0..3 {
        server.reply(Reply::json(429, throttled()));
    }
    let Err(Error::ErrorResponse(e)) = client.list_profiles().send().await else {
        panic!()
    };
    assert_eq!(e.status(), 429);
    assert!(e.is_throttling());
    assert!(!e.is_expired_token());

    server.reply(Reply::json(429, throttled()));
    let Err(Error::ErrorResponse(e)) = client
        .add_account_pack()
        .id_account(1)
        .id_pack(2)
        .body(AddPackRequest {
            quantity: 1,
            work_mode: AddPackRequestWorkMode::Incremental,
        })
        .send()
        .await
    else {
        panic!()
    };
    assert_eq!(e.status(), 429);
    assert_eq!(e.result_code(), None);
    assert!(e.oauth_error().unwrap().is_throttling());
}

#[tokio::test]
async fn undocumented_status_and_bad_json_keep_the_status() {
    let (server, client) = setup().await;
    // A GET answered 502 is retried: three attempts by default.
    for _ in 0..3 {
        server.reply(Reply::raw(502, "text/html", "<html>bad gateway</html>"));
    }
    let err = client
        .get_account_status()
        .id_account(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert!(matches!(err, Error::UnexpectedResponse(_)));

    server.reply(Reply::raw(200, "application/json", "{not json"));
    let err = client
        .get_account_status()
        .id_account(1)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
}

// ---------------------------------------------------------------------------------------------------
// OAuth 2.0: the token flow against a loopback token endpoint.

struct OAuthSetup {
    api: RecordingServer,
    tokens: RecordingServer,
    client: Client,
}

async fn oauth_setup(password: &str, margin: Duration) -> OAuthSetup {
    let api = RecordingServer::start().await;
    let tokens = RecordingServer::start().await;
    let oauth = OAuth::builder("app-id", CLIENT_SECRET, "m12345", password)
        .token_url(tokens.url(TOKEN_PATH))
        .refresh_margin(margin)
        .build()
        .expect("oauth builds");
    let client = Client::builder(oauth)
        .base_url(api.url(BASE))
        .build()
        .expect("client builds");
    OAuthSetup {
        api,
        tokens,
        client,
    }
}

fn token(access: &str, refresh: &str, expires_in: u64) -> Reply {
    Reply::json(
        200,
        json!({"access_token": access, "refresh_token": refresh, "expires_in": expires_in, "token_type": "bearer"}),
    )
}

fn password_form(password_encoded: &str) -> String {
    format!(
        "grant_type=password&client_id=app-id&client_secret={CLIENT_SECRET}&username=m12345&password={password_encoded}"
    )
}

fn refresh_form(refresh: &str) -> String {
    format!(
        "grant_type=refresh_token&client_id=app-id&client_secret={CLIENT_SECRET}&refresh_token={refresh}"
    )
}

fn bearers(requests: &[Recorded]) -> Vec<String> {
    requests
        .iter()
        .map(|r| r.header("authorization").unwrap_or("<none>").to_string())
        .collect()
}

fn token_bodies(requests: &[Recorded]) -> Vec<String> {
    for request in requests {
        assert_eq!(request.method, "POST");
        assert_eq!(request.target, TOKEN_PATH);
        assert_eq!(
            request.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(
            request.header("authorization"),
            None,
            "the token request carries no bearer token"
        );
    }
    requests
        .iter()
        .map(|r| String::from_utf8(r.body.clone()).unwrap())
        .collect()
}

fn ok_profiles() -> Reply {
    Reply::json(200, json!({"Items": []}))
}

#[tokio::test]
async fn oauth_obtains_a_token_with_the_password_grant_and_reuses_it() {
    let s = oauth_setup("p&ss w0rd", Duration::from_secs(60)).await;
    s.tokens.reply(token("AT-1", "RT-1", 3600));
    s.api.reply(ok_profiles());
    s.api.reply(ok_profiles());
    s.client.list_profiles().send().await.unwrap();
    s.client.list_profiles().send().await.unwrap();
    assert_eq!(
        token_bodies(&s.tokens.requests()),
        [password_form("p%26ss+w0rd")]
    );
    assert_eq!(bearers(&s.api.requests()), ["Bearer AT-1", "Bearer AT-1"]);
}

#[tokio::test]
async fn oauth_refreshes_before_expiry_and_uses_each_new_refresh_token() {
    // Tokens living 30 s are inside the 60 s margin: each later call refreshes first.
    let s = oauth_setup(PASSWORD, Duration::from_secs(60)).await;
    s.tokens.reply(token("AT-1", "RT-1", 30));
    s.tokens.reply(token("AT-2", "RT-2", 30));
    s.tokens.reply(token("AT-3", "RT-3", 3600));
    for _ in 0..4 {
        s.api.reply(ok_profiles());
        s.client.list_profiles().send().await.unwrap();
    }
    assert_eq!(
        token_bodies(&s.tokens.requests()),
        [
            password_form(PASSWORD),
            refresh_form("RT-1"),
            refresh_form("RT-2")
        ]
    );
    assert_eq!(
        bearers(&s.api.requests()),
        ["Bearer AT-1", "Bearer AT-2", "Bearer AT-3", "Bearer AT-3"]
    );
}

#[tokio::test]
async fn oauth_retries_once_after_an_expired_token_401() {
    let s = oauth_setup(PASSWORD, Duration::from_secs(60)).await;
    s.tokens.reply(token("AT-1", "RT-1", 3600));
    s.tokens.reply(token("AT-2", "RT-2", 3600));
    s.api.reply(Reply::json(401, expired_token()));
    s.api.reply(Reply::json(
        200,
        json!({"Code": 0, "Description": "Active"}),
    ));
    let status = s
        .client
        .get_account_status()
        .id_account(7)
        .send()
        .await
        .unwrap();
    assert_eq!(status.status_code(), Some(AccountStatusCode::Active));
    let api = s.api.requests();
    assert_eq!(bearers(&api), ["Bearer AT-1", "Bearer AT-2"]);
    assert!(
        api.iter()
            .all(|r| r.target == format!("{BASE}/Account/7/Status"))
    );
    assert_eq!(
        token_bodies(&s.tokens.requests()),
        [password_form(PASSWORD), refresh_form("RT-1")]
    );

    // Only once: a second 401 reaches the caller (and the refresh token was rotated again).
    s.tokens.reply(token("AT-3", "RT-3", 3600));
    s.api.reply(Reply::json(401, expired_token()));
    s.api.reply(Reply::json(401, expired_token()));
    let Err(Error::ErrorResponse(e)) = s.client.get_account_status().id_account(7).send().await
    else {
        panic!("the second 401 is returned")
    };
    assert_eq!(e.status(), 401);
    assert!(e.is_expired_token());
    assert_eq!(
        bearers(&s.api.requests()[2..]),
        ["Bearer AT-2", "Bearer AT-3"]
    );
    assert_eq!(token_bodies(&s.tokens.requests())[2], refresh_form("RT-2"));

    // A body is resent intact on the retry.
    s.tokens.reply(token("AT-4", "RT-4", 3600));
    s.api.reply(Reply::json(401, expired_token()));
    s.api
        .reply(Reply::json(200, json!({"Code": 0, "Description": "Ok"})));
    let body = AddPackRequest {
        quantity: 2,
        work_mode: AddPackRequestWorkMode::Incremental,
    };
    s.client
        .add_account_pack()
        .id_account(1)
        .id_pack(2)
        .body(body)
        .send()
        .await
        .unwrap();
    let api = s.api.requests();
    assert_eq!(bearers(&api[4..]), ["Bearer AT-3", "Bearer AT-4"]);
    assert_eq!(api[4].body, api[5].body);
    assert_eq!(
        api[5].json(),
        json!({"Quantity": 2, "WorkMode": "incremental"})
    );
}

#[tokio::test]
async fn oauth_logs_in_again_when_the_refresh_token_is_refused() {
    let s = oauth_setup(PASSWORD, Duration::from_secs(60)).await;
    s.tokens.reply(token("AT-1", "RT-1", 30));
    s.tokens.reply(Reply::json(
        400,
        json!({"error": "invalid_grant", "error_description": "refresh token expired"}),
    ));
    s.tokens.reply(token("AT-2", "RT-2", 3600));
    s.api.reply(ok_profiles());
    s.api.reply(ok_profiles());
    s.client.list_profiles().send().await.unwrap();
    s.client.list_profiles().send().await.unwrap();
    assert_eq!(
        token_bodies(&s.tokens.requests()),
        [
            password_form(PASSWORD),
            refresh_form("RT-1"),
            password_form(PASSWORD)
        ]
    );
    assert_eq!(bearers(&s.api.requests()), ["Bearer AT-1", "Bearer AT-2"]);
}

#[tokio::test]
async fn oauth_refusal_is_a_clear_error_and_sends_no_api_call() {
    let s = oauth_setup(PASSWORD, Duration::from_secs(60)).await;
    s.tokens.reply(Reply::json(
        400,
        json!({"error": "invalid_grant", "error_description": "wrong user name or password"}),
    ));
    let err = s.client.list_profiles().send().await.unwrap_err();
    let Error::Custom(message) = &err else {
        panic!("token failure is Error::Custom: {err}")
    };
    assert!(message.contains("400"), "{message}");
    assert!(
        message.contains("invalid_grant: wrong user name or password"),
        "{message}"
    );
    assert!(s.api.requests().is_empty());

    // A token answer without an access token.
    s.tokens
        .reply(Reply::json(200, json!({"token_type": "bearer"})));
    let Err(Error::Custom(message)) = s.client.list_profiles().send().await else {
        panic!()
    };
    assert!(message.contains("not a token"), "{message}");
    assert!(s.api.requests().is_empty());
}

#[tokio::test]
async fn throttling_does_not_refresh_the_token() {
    let s = oauth_setup(PASSWORD, Duration::from_secs(60)).await;
    s.tokens.reply(token("AT-1", "RT-1", 3600));
    for _ in 0..3 {
        s.api.reply(Reply::json(429, throttled()));
    }
    let err = s.client.list_profiles().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    // Retried (a GET answered 429), always with the same token.
    let api = s.api.requests();
    assert_eq!(api.len(), 3);
    assert!(
        api.iter()
            .all(|r| r.header("authorization") == api[0].header("authorization"))
    );
    assert_eq!(s.tokens.requests().len(), 1);
}

#[tokio::test]
async fn a_ready_token_is_sent_as_is_and_a_401_is_not_retried() {
    let (server, client) = setup().await;
    server.reply(Reply::json(401, expired_token()));
    let Err(Error::ErrorResponse(e)) = client.list_profiles().send().await else {
        panic!()
    };
    assert!(e.is_expired_token());
    assert_eq!(bearers(&server.requests()), [format!("Bearer {TOKEN}")]);
}

#[test]
fn oauth_configuration_is_checked_before_any_request() {
    let bad = OAuth::builder("app-id", CLIENT_SECRET, "m12345", PASSWORD)
        .token_url("ftp://tokens.example/x")
        .build();
    assert!(bad.unwrap_err().to_string().contains("http"));
    let bad = OAuth::builder("app-id", CLIENT_SECRET, "m12345", PASSWORD)
        .token_url("not a url")
        .build();
    assert!(bad.unwrap_err().to_string().contains("invalid token URL"));
    let bad = OAuth::builder("app-id", CLIENT_SECRET, "m12345", "").build();
    assert!(bad.unwrap_err().to_string().contains("password"));
    let bad = OAuth::builder("", CLIENT_SECRET, "m12345", PASSWORD).build();
    assert!(bad.unwrap_err().to_string().contains("client id"));
    assert!(Credentials::password("app-id", CLIENT_SECRET, "m12345", PASSWORD).is_ok());
    let bad = Credentials::password("app-id", CLIENT_SECRET, "m12345", "");
    assert!(bad.unwrap_err().to_string().contains("password"));
}

// ---------------------------------------------------------------------------------------------------
// OAuth under load and attack: one token request per need, shared by every waiting call; no redirect.

/// A loopback HTTP/1.1 server whose handler may take its time, or never answer (`None`): one request per
/// connection, each recorded as it arrived.
struct SlowServer {
    addr: std::net::SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SlowServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type BoxedAnswer = Pin<Box<dyn Future<Output = Option<Reply>> + Send>>;

impl SlowServer {
    async fn start<F, Fut>(handler: F) -> Self
    where
        F: Fn(Recorded, usize) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<Reply>> + Send + 'static,
    {
        let handler: Arc<dyn Fn(Recorded, usize) -> BoxedAnswer + Send + Sync> =
            Arc::new(move |request, index| Box::pin(handler(request, index)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((mut socket, _)) = listener.accept().await {
                let (handler, log) = (handler.clone(), log.clone());
                connections.spawn(async move {
                    use tokio::io::AsyncWriteExt;
                    let Some(request) = read_one_request(&mut socket).await else {
                        return;
                    };
                    let index = {
                        let mut log = log.lock().unwrap();
                        log.push(request.clone());
                        log.len() - 1
                    };
                    match handler(request, index).await {
                        Some(reply) => {
                            let mut head = format!(
                                "HTTP/1.1 {} Scripted\r\ncontent-length: {}\r\nconnection: close\r\n",
                                reply.status,
                                reply.body.len()
                            );
                            if let Some(content_type) = &reply.content_type {
                                head.push_str(&format!("content-type: {content_type}\r\n"));
                            }
                            for (name, value) in &reply.headers {
                                head.push_str(&format!("{name}: {value}\r\n"));
                            }
                            head.push_str("\r\n");
                            let _ = socket.write_all(head.as_bytes()).await;
                            let _ = socket.write_all(&reply.body).await;
                            let _ = socket.shutdown().await;
                        }
                        None => std::future::pending::<()>().await,
                    }
                });
                while connections.try_join_next().is_some() {}
            }
        });
        Self {
            addr,
            requests,
            task,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

async fn read_one_request(socket: &mut tokio::net::TcpStream) -> Option<Recorded> {
    use tokio::io::AsyncReadExt;
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let (method, target) = (
        request_line.next()?.to_string(),
        request_line.next()?.to_string(),
    );
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer.split_off(head_end + 4);
    while body.len() < length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Recorded {
        method,
        target,
        headers,
        body,
    })
}

/// A token endpoint that answers the `n`-th token request (from 1) with `AT-n`/`RT-n` after `delay`.
async fn counting_token_endpoint(delay: Duration) -> SlowServer {
    SlowServer::start(move |_, index| async move {
        tokio::time::sleep(delay).await;
        let n = index + 1;
        Some(token(&format!("AT-{n}"), &format!("RT-{n}"), 3600))
    })
    .await
}

fn oauth_for(tokens: &SlowServer) -> sdk_mailup::OAuthBuilder {
    OAuth::builder("app-id", CLIENT_SECRET, "m12345", PASSWORD).token_url(tokens.url(TOKEN_PATH))
}

fn grants(requests: &[Recorded]) -> Vec<String> {
    token_bodies(requests)
        .iter()
        .map(|body| body.split('&').next().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_token_expiry_under_200_calls_is_one_refresh() {
    let tokens = counting_token_endpoint(Duration::from_millis(50)).await;
    // The API refuses AT-1 once `expired` is set, as MailUp does when a token expires server-side.
    let expired = Arc::new(AtomicBool::new(false));
    let flag = expired.clone();
    let api = SlowServer::start(move |request, _| {
        let refused =
            flag.load(Ordering::SeqCst) && request.header("authorization") == Some("Bearer AT-1");
        async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            Some(if refused {
                Reply::json(401, expired_token())
            } else {
                ok_profiles()
            })
        }
    })
    .await;
    let client = Client::builder(oauth_for(&tokens).build().unwrap())
        .base_url(api.url(BASE))
        .build()
        .unwrap();
    client.list_profiles().send().await.unwrap();
    assert_eq!(tokens.requests().len(), 1);

    expired.store(true, Ordering::SeqCst);
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let client = client.clone();
        calls.spawn(async move { client.list_profiles().send().await.map(|_| ()) });
    }
    let mut failed = Vec::new();
    while let Some(outcome) = calls.join_next().await {
        if let Err(error) = outcome.unwrap() {
            failed.push(error.to_string());
        }
    }
    let token_requests = tokens.requests();
    sdk_tests::report(format!(
        "mailup oauth: one expiry under 200 concurrent calls: {} token request(s) after it, {} call(s) failed",
        token_requests.len() - 1,
        failed.len()
    ));
    assert!(
        failed.is_empty(),
        "{} failed: {:?}",
        failed.len(),
        &failed[..failed.len().min(3)]
    );
    assert_eq!(
        grants(&token_requests),
        ["grant_type=password", "grant_type=refresh_token"],
        "one refresh for one expiry"
    );
    // Every resent call carried the new token.
    let api = api.requests();
    assert!(
        bearers(&api)
            .iter()
            .all(|b| b == "Bearer AT-1" || b == "Bearer AT-2")
    );
}

async fn authorized(oauth: &OAuth, http: &reqwest::Client, url: &str) -> reqwest::Request {
    let mut request = http.get(url).build().unwrap();
    oauth.authorize(&mut request).await.unwrap();
    request
}

/// The `Authorization` a request carries (its `Debug` hides it: the header is marked sensitive).
fn bearer_of(request: &reqwest::Request) -> &str {
    request.headers()["authorization"].to_str().unwrap()
}

#[tokio::test]
async fn a_late_401_for_a_replaced_token_does_not_refresh_again() {
    let tokens = counting_token_endpoint(Duration::ZERO).await;
    let api = SlowServer::start(|_, _| async { Some(Reply::json(401, expired_token())) }).await;
    let oauth = oauth_for(&tokens).build().unwrap();
    let http = reqwest::Client::new();
    let url = api.url("/");
    // Two calls sent with AT-1, both refused.
    let first = authorized(&oauth, &http, &url).await;
    let second = authorized(&oauth, &http, &url).await;
    assert_eq!(bearer_of(&first), "Bearer AT-1");
    let (first_sent, second_sent) = (first.headers().clone(), second.headers().clone());
    let refused_first = http.execute(first).await.unwrap();
    let refused_second = http.execute(second).await.unwrap();
    // The first refusal replaces AT-1 ...
    assert!(oauth.is_stale(&first_sent, &refused_first));
    let again = authorized(&oauth, &http, &url).await;
    assert_eq!(bearer_of(&again), "Bearer AT-2");
    // ... the second one arrives late: the call is resent (with AT-2), but AT-2 is not replaced.
    assert!(oauth.is_stale(&second_sent, &refused_second));
    let again = authorized(&oauth, &http, &url).await;
    assert_eq!(bearer_of(&again), "Bearer AT-2");
    assert_eq!(
        grants(&tokens.requests()),
        ["grant_type=password", "grant_type=refresh_token"]
    );
    // A refusal of the current token does replace it.
    let refused = http.execute(again.try_clone().unwrap()).await.unwrap();
    assert!(oauth.is_stale(again.headers(), &refused));
    assert_eq!(
        bearer_of(&authorized(&oauth, &http, &url).await),
        "Bearer AT-3"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_waiting_for_a_failing_token_request_share_its_failure() {
    let tokens = SlowServer::start(|_, _| async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        Some(Reply::json(
            400,
            json!({"error": "invalid_grant", "error_description": "wrong user name or password"}),
        ))
    })
    .await;
    let api = RecordingServer::start().await;
    let client = Client::builder(oauth_for(&tokens).build().unwrap())
        .base_url(api.url(BASE))
        // Every call of a burst is under way at once (the runtime may ask for credentials once a call
        // holds its turn).
        .max_concurrent_requests(64)
        .build()
        .unwrap();
    for burst in 1..=2 {
        let started = Instant::now();
        let mut calls = tokio::task::JoinSet::new();
        for _ in 0..50 {
            let client = client.clone();
            calls.spawn(async move { client.list_profiles().send().await.map(|_| ()) });
        }
        while let Some(outcome) = calls.join_next().await {
            let Err(Error::Custom(message)) = outcome.unwrap() else {
                panic!("a token failure is Error::Custom")
            };
            assert!(message.contains("invalid_grant"), "{message}");
        }
        let elapsed = started.elapsed();
        sdk_tests::report(format!(
            "mailup oauth: 50 calls against a failing token endpoint, burst {burst}: {} token request(s) in all, {:.1} s",
            tokens.requests().len(),
            elapsed.as_secs_f64()
        ));
        assert_eq!(
            tokens.requests().len(),
            burst,
            "one token request per burst"
        );
        assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    }
    assert!(api.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_waiting_on_a_hanging_token_endpoint_end_together_saying_timed_out() {
    let tokens = SlowServer::start(|_, _| async { None }).await;
    let api = RecordingServer::start().await;
    let oauth = oauth_for(&tokens)
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let client = Client::builder(oauth)
        .base_url(api.url(BASE))
        .build()
        .unwrap();
    let started = Instant::now();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let client = client.clone();
        calls.spawn(async move {
            let outcome = client.list_profiles().send().await.map(|_| ());
            (outcome, started.elapsed())
        });
    }
    let mut ends = Vec::new();
    let mut messages = Vec::new();
    while let Some(joined) = calls.join_next().await {
        let (outcome, ended) = joined.unwrap();
        let Err(Error::Custom(message)) = outcome else {
            panic!("a token failure is Error::Custom")
        };
        messages.push(message);
        ends.push(ended);
    }
    let (first, last) = (
        ends.iter().min().copied().unwrap(),
        ends.iter().max().copied().unwrap(),
    );
    sdk_tests::report(format!(
        "mailup oauth: 10 calls on a hanging token endpoint (token timeout 1 s): first ended after {:.2} s, last after {:.2} s, {} token request(s)",
        first.as_secs_f64(),
        last.as_secs_f64(),
        tokens.requests().len()
    ));
    for message in &messages {
        assert!(message.contains("timed out"), "{message}");
    }
    assert!(
        last < Duration::from_millis(1500),
        "last call ended after {last:?}"
    );
    assert!(
        last - first < Duration::from_millis(300),
        "{first:?} .. {last:?}"
    );
    assert_eq!(tokens.requests().len(), 1);
    assert!(api.requests().is_empty());
}

#[tokio::test]
async fn a_cancelled_caller_neither_cancels_nor_restarts_the_token_request() {
    let tokens = counting_token_endpoint(Duration::from_millis(400)).await;
    let api = SlowServer::start(|_, _| async { Some(ok_profiles()) }).await;
    let client = Client::builder(oauth_for(&tokens).build().unwrap())
        .base_url(api.url(BASE))
        .build()
        .unwrap();
    let started = Instant::now();
    // The first caller starts the token request and gives up after 100 ms (its own deadline).
    let impatient = tokio::time::timeout(Duration::from_millis(100), client.list_profiles().send());
    assert!(impatient.await.is_err(), "cut off by its deadline");
    // A caller arriving after that waits for the same request rather than starting a new one.
    tokio::time::sleep(Duration::from_millis(50)).await;
    client.list_profiles().send().await.unwrap();
    let waited = started.elapsed();
    client.list_profiles().send().await.unwrap();
    sdk_tests::report(format!(
        "mailup oauth: a caller cancelled during the token request: {} token request(s); the next call ended after {:.2} s",
        tokens.requests().len(),
        waited.as_secs_f64()
    ));
    assert_eq!(grants(&tokens.requests()), ["grant_type=password"]);
    assert!(waited < Duration::from_millis(700), "{waited:?}");
    assert_eq!(bearers(&api.requests()), ["Bearer AT-1", "Bearer AT-1"]);
}

/// A server that must receive nothing with a secret: the target of the token endpoint's redirects.
async fn redirect_target() -> SlowServer {
    SlowServer::start(|_, _| async { Some(token("AT-EVIL", "RT-EVIL", 3600)) }).await
}

fn assert_nothing_secret(requests: &[Recorded]) {
    for request in requests {
        let shown = format!("{request:?} {}", String::from_utf8_lossy(&request.body));
        assert_eq!(request.method, "GET", "{shown}");
        assert!(request.body.is_empty(), "{shown}");
        for secret in [CLIENT_SECRET, PASSWORD, "RT-"] {
            assert!(
                !shown.contains(secret),
                "{secret} reached the redirect target: {shown}"
            );
        }
    }
}

#[tokio::test]
async fn a_token_request_never_follows_a_redirect() {
    for custom_client in [false, true] {
        for status in [301, 302, 303, 307, 308] {
            let elsewhere = redirect_target().await;
            let location = elsewhere.url("/steal?code=Q-S3CR3T&x=1");
            let tokens = SlowServer::start(move |_, _| {
                let location = location.clone();
                async move { Some(Reply::empty(status).with_header("location", &location)) }
            })
            .await;
            let api = RecordingServer::start().await;
            let mut oauth = oauth_for(&tokens);
            if custom_client {
                // reqwest's default policy follows up to 10 redirects.
                oauth = oauth.http_client(reqwest::Client::new());
            }
            let client = Client::builder(oauth.build().unwrap())
                .base_url(api.url(BASE))
                .build()
                .unwrap();
            let err = client.list_profiles().send().await.unwrap_err();
            let case = format!("HTTP {status}, own client: {custom_client}");
            let Error::Custom(message) = &err else {
                panic!("{case}: {err}")
            };
            assert!(message.contains("redirect"), "{case}: {message}");
            assert!(!message.contains("Q-S3CR3T"), "{case}: {message}");
            if !custom_client {
                assert!(message.contains(&status.to_string()), "{case}: {message}");
            }
            assert!(api.requests().is_empty(), "{case}: the API was called");
            let reached = elsewhere.requests();
            if custom_client && matches!(status, 301..=303) {
                // That client follows these as a GET without the form: nothing secret goes there, and
                // the token it answers is refused.
                assert_nothing_secret(&reached);
            } else {
                assert!(reached.is_empty(), "{case}: {reached:?}");
            }
            assert_eq!(tokens.requests().len(), 1, "{case}");
        }
    }
}

#[tokio::test]
async fn an_absurd_token_lifetime_does_not_panic() {
    for expires_in in [json!(i64::MAX), json!(i64::MAX.to_string()), json!(-5)] {
        let s = oauth_setup(PASSWORD, Duration::from_secs(60)).await;
        s.tokens.reply(Reply::json(
            200,
            json!({"access_token": "AT-1", "refresh_token": "RT-1", "expires_in": expires_in}),
        ));
        s.tokens.reply(token("AT-2", "RT-2", 3600));
        s.api.reply(ok_profiles());
        s.api.reply(ok_profiles());
        s.client.list_profiles().send().await.unwrap();
        s.client.list_profiles().send().await.unwrap();
    }
}

#[tokio::test]
async fn secrets_lists_every_secret_held_now() {
    let tokens = counting_token_endpoint(Duration::ZERO).await;
    let oauth = oauth_for(&tokens).build().unwrap();
    let held = |oauth: &OAuth| {
        let mut held: Vec<String> = oauth
            .secrets()
            .iter()
            .map(|s| s.expose().to_string())
            .collect();
        held.sort();
        held
    };
    assert_eq!(held(&oauth), [CLIENT_SECRET, PASSWORD]);
    let mut request = reqwest::Client::new().get(tokens.url("/")).build().unwrap();
    oauth.authorize(&mut request).await.unwrap();
    assert_eq!(held(&oauth), ["AT-1", CLIENT_SECRET, PASSWORD, "RT-1"]);
}

// ---------------------------------------------------------------------------------------------------
// Asynchronous operations.

fn quick(max_attempts: u32) -> PollPolicy {
    PollPolicy::new(max_attempts, Duration::from_secs(10))
        .delays(Duration::from_millis(1), Duration::from_millis(4))
}

fn processing(status: u16) -> Reply {
    Reply::json(
        status,
        json!({"Code": 1, "Description": "Processing", "IdAccount": 0}),
    )
}

#[tokio::test]
async fn create_account_and_wait_polls_until_done() {
    let (server, client) = setup().await;
    server.reply(Reply::json(200, activation_started()));
    server.reply(processing(201));
    server.reply(Reply::json(429, throttled()));
    server.reply(processing(202));
    server.reply(Reply::json(
        200,
        json!({"Code": 0, "Description": "Ok", "IdAccount": 23052}),
    ));
    let created = client
        .create_account_and_wait(1046, "en", activation_request(), &quick(10))
        .await
        .unwrap();
    assert_eq!(created.id_account, 23052);
    assert_eq!(created.activation.id_activation, Some(9054));
    let requests = server.requests();
    assert_eq!(requests.len(), 5);
    assert_request(
        &requests[0],
        "POST",
        "/Account/Activation/Profile/1046/Language/en",
        "",
    );
    for poll in &requests[1..] {
        assert_request(poll, "GET", "/Account/Activation/9054/Status", "");
    }
}

#[tokio::test]
async fn a_failed_activation_is_an_error_with_its_code_and_text() {
    let (server, client) = setup().await;
    server.reply(Reply::json(200, activation_started()));
    server.reply(processing(201));
    server.reply(Reply::json(403, json!({"Code": 2, "Description": "Error"})));
    let err = client
        .create_account_and_wait(1046, "en", activation_request(), &quick(10))
        .await
        .unwrap_err();
    let ActivationError::Failed {
        id_activation,
        code,
        description,
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(
        (*id_activation, *code, description.as_deref()),
        (9054, ActivationCode::Failed, Some("Error"))
    );
    assert_eq!(
        err.to_string(),
        "MailUp account activation 9054 failed: code 2 (Error, the account activation failed): Error"
    );
    assert_eq!(server.requests().len(), 3, "no poll after the failure");

    // An unlisted code in a success status is a failure too (only 0 is done, only 1 is in progress).
    server.reply(Reply::json(200, json!({"Code": 7, "Description": "Odd"})));
    let err = client
        .wait_for_activation(9054, &quick(10))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ActivationError::Failed {
                code: ActivationCode::Other(7),
                ..
            }
        ),
        "{err}"
    );

    // Code 0 without IdAccount is not a success to hand back.
    server.reply(Reply::json(200, json!({"Code": 0, "Description": "Ok"})));
    let err = client
        .wait_for_activation(9054, &quick(10))
        .await
        .unwrap_err();
    assert!(matches!(err, ActivationError::Unexpected(_)), "{err}");
}

#[tokio::test]
async fn a_refused_creation_and_a_poll_bound_are_errors() {
    let (server, client) = setup().await;
    server.reply(Reply::json(
        403,
        json!({"Code": 7, "Description": "Custom domain not available"}),
    ));
    let err = client
        .create_account_and_wait(1046, "en", activation_request(), &quick(10))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ActivationError::Rejected {
                code: CreateAccountCode::CustomDomainNotAvailable,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1);

    // The bound on attempts.
    let (server, client) = setup().await;
    server.reply(Reply::json(200, activation_started()));
    for _ in 0..3 {
        server.reply(processing(201));
    }
    let err = client
        .create_account_and_wait(1046, "en", activation_request(), &quick(3))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ActivationError::TimedOut {
                id_activation: 9054,
                attempts: 3,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(server.requests().len(), 4);

    // The bound on time: the next delay would pass it, so the wait stops after one poll.
    server.reply(processing(201));
    let policy = PollPolicy::new(100, Duration::from_millis(50))
        .delays(Duration::from_secs(1), Duration::from_secs(1));
    let err = client.wait_for_activation(9054, &policy).await.unwrap_err();
    assert!(
        matches!(err, ActivationError::TimedOut { attempts: 1, .. }),
        "{err}"
    );

    // An API error while polling stops the wait.
    server.reply(Reply::json(
        400,
        json!({"ErrorCode": "400", "ErrorDescription": "Invalid activation.", "ErrorName": "BadRequest", "ErrorStack": null}),
    ));
    let err = client
        .wait_for_activation(9054, &quick(10))
        .await
        .unwrap_err();
    let ActivationError::Status(Error::ErrorResponse(e)) = &err else {
        panic!("{err}")
    };
    assert_eq!(e.status(), 400);
}

#[tokio::test]
async fn change_account_profile_and_wait_repeats_while_202() {
    let (server, client) = setup().await;
    server.reply(Reply::empty(202));
    server.reply(Reply::empty(202));
    server.reply(Reply::empty(200));
    client
        .change_account_profile_and_wait(23052, 1047, &quick(5))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_request(request, "PUT", "/Account/23052/Profile/1047", "");
    }

    let (server, client) = setup().await;
    server.reply(Reply::empty(202));
    server.reply(Reply::empty(500));
    let err = client
        .change_account_profile_and_wait(23052, 1047, &quick(5))
        .await
        .unwrap_err();
    assert!(matches!(err, ProfileChangeError::Failed), "{err}");

    server.reply(Reply::empty(202));
    server.reply(Reply::empty(202));
    let err = client
        .change_account_profile_and_wait(23052, 1047, &quick(2))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProfileChangeError::TimedOut { attempts: 2, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn max_elapsed_bounds_a_wait_on_a_throttled_status() {
    // Every status check is answered 429 with `Retry-After: 29`: the client's retries would wait 58 s.
    let api = SlowServer::start(|_, _| async {
        Some(Reply::json(429, throttled()).with_header("retry-after", "29"))
    })
    .await;
    let client = Client::builder(Credentials::bearer(TOKEN))
        .base_url(api.url(BASE))
        .build()
        .unwrap();
    let policy = PollPolicy::new(30, Duration::from_secs(5));
    let started = Instant::now();
    let outcome = tokio::time::timeout(
        Duration::from_secs(20),
        client.wait_for_activation(9054, &policy),
    )
    .await;
    let elapsed = started.elapsed();
    sdk_tests::report(format!(
        "mailup wait: max_elapsed 5 s, status answering 429 + Retry-After: 29: ended after {:.2} s",
        elapsed.as_secs_f64()
    ));
    let err = outcome
        .expect("the wait ends within max_elapsed")
        .unwrap_err();
    assert!(elapsed < Duration::from_millis(5500), "{elapsed:?}");
    let shown = err.to_string();
    assert!(shown.contains("max_elapsed (5.0 s) was reached"), "{shown}");
    assert!(
        matches!(
            err,
            ActivationError::TimedOut {
                bound: PollBound::MaxElapsed(_),
                cut_short: true,
                last: None,
                ..
            }
        ),
        "{err}"
    );

    // Without the client's retries the 429 comes back at once: the wait keeps it as its last answer.
    let client = Client::builder(Credentials::bearer(TOKEN))
        .base_url(api.url(BASE))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let policy = PollPolicy::new(30, Duration::from_secs(1))
        .delays(Duration::from_millis(200), Duration::from_millis(200));
    let started = Instant::now();
    let err = client.wait_for_activation(9054, &policy).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(1500));
    let ActivationError::TimedOut {
        last: Some(LastAnswer::Throttled(throttling)),
        bound: PollBound::MaxElapsed(_),
        attempts,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(throttling.status().map(|s| s.as_u16()), Some(429));
    assert!((4..=6).contains(attempts), "{err}");
    assert!(
        err.to_string().contains("; last answer: throttled: "),
        "{err}"
    );
}

#[tokio::test]
async fn max_elapsed_bounds_a_wait_on_a_hanging_status() {
    let api = SlowServer::start(|_, index| async move {
        // The first check answers "in progress", the next ones never answer.
        (index == 0).then(|| processing(201))
    })
    .await;
    let client = Client::builder(Credentials::bearer(TOKEN))
        .base_url(api.url(BASE))
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let policy = PollPolicy::new(30, Duration::from_secs(1))
        .delays(Duration::from_millis(100), Duration::from_millis(100));
    let started = Instant::now();
    let outcome = tokio::time::timeout(
        Duration::from_secs(20),
        client.wait_for_activation(9054, &policy),
    )
    .await;
    let elapsed = started.elapsed();
    sdk_tests::report(format!(
        "mailup wait: max_elapsed 1 s, hanging status endpoint: ended after {:.2} s",
        elapsed.as_secs_f64()
    ));
    let err = outcome
        .expect("the wait ends within max_elapsed")
        .unwrap_err();
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    let shown = err.to_string();
    assert!(
        shown.starts_with(
            "MailUp account activation 9054 still in progress when max_elapsed (1.0 s) was reached: 2 status checks in "
        ) && shown.ends_with(
            " s (the last one cut short, no answer); last answer: in progress (Processing)"
        ),
        "{shown}"
    );
    assert!(
        matches!(
            &err,
            ActivationError::TimedOut {
                attempts: 2,
                bound: PollBound::MaxElapsed(_),
                cut_short: true,
                last: Some(LastAnswer::InProgress(Some(description))),
                ..
            } if description == "Processing"
        ),
        "{err}"
    );

    // The profile change too.
    let api =
        SlowServer::start(|_, index| async move { (index == 0).then(|| Reply::empty(202)) }).await;
    let client = Client::builder(Credentials::bearer(TOKEN))
        .base_url(api.url(BASE))
        .build()
        .unwrap();
    let started = Instant::now();
    let outcome = tokio::time::timeout(
        Duration::from_secs(20),
        client.change_account_profile_and_wait(23052, 1047, &policy),
    )
    .await;
    let elapsed = started.elapsed();
    let err = outcome
        .expect("the wait ends within max_elapsed")
        .unwrap_err();
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    assert!(
        matches!(
            err,
            ProfileChangeError::TimedOut {
                cut_short: true,
                last: Some(LastAnswer::InProgress(None)),
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("max_elapsed"), "{err}");
}

// ---------------------------------------------------------------------------------------------------
// Redaction.

fn assert_hidden(shown: &str) {
    for secret in [
        CLIENT_SECRET,
        PASSWORD,
        "AT-S3NT1NEL",
        "RT-S3NT1NEL",
        "S3NT1NEL",
    ] {
        assert!(!shown.contains(secret), "`{secret}` shown in: {shown}");
    }
}

#[tokio::test]
async fn no_output_shows_the_secret_the_password_or_a_token() {
    let s = oauth_setup(PASSWORD, Duration::from_secs(60)).await;
    let builder = OAuth::builder("app-id", CLIENT_SECRET, "m12345", PASSWORD)
        .token_url(s.tokens.url(TOKEN_PATH));
    assert_hidden(&format!("{builder:?} {builder:#?}"));
    let oauth = builder.build().unwrap();
    assert_hidden(&format!("{oauth:?}"));
    let client_builder = Client::builder(oauth).base_url(s.api.url(BASE));
    assert_hidden(&format!("{client_builder:?}"));

    // Tokens held: not in the client's Debug, nor in an operation builder's.
    s.tokens
        .reply(token("AT-S3NT1NEL-1", "RT-S3NT1NEL-1", 3600));
    s.api.reply(Reply::json(401, expired_token()));
    s.tokens.reply(Reply::json(
        400,
        // A token endpoint that echoes what it got.
        json!({"error": "invalid_grant",
               "error_description": format!("bad refresh_token RT-S3NT1NEL-1 for secret {CLIENT_SECRET} / {PASSWORD}")}),
    ));
    s.tokens.reply(Reply::json(
        400,
        json!({"error": "invalid_grant", "error_description": format!("password {PASSWORD} (p%2Bw: PW-S3NT1NEL-pass)")}),
    ));
    let err = s.client.list_profiles().send().await.unwrap_err();
    // The refresh after the 401 failed: the call ends with that failure (or, with a runtime that keeps
    // the refused answer for this case, with the 401); either way scrubbed.
    match &err {
        Error::Custom(message) => assert!(
            message.contains("invalid_grant: bad refresh_token REDACTED"),
            "{message}"
        ),
        other => assert_eq!(other.status().map(|s| s.as_u16()), Some(401), "{other}"),
    }
    assert_hidden(&format!("{err} {err:?}"));
    assert_hidden(&format!("{:?} {:#?}", s.client, s.client));
    assert_hidden(&format!("{:?}", s.client.list_profiles().page_size(1)));
    assert_eq!(bearers(&s.api.requests()), ["Bearer AT-S3NT1NEL-1"]);

    // The refused token is not sent again: the next call tries the refresh and the login once more, and
    // both refusals (echoing the secrets) are scrubbed from the error.
    for _ in 0..2 {
        s.tokens.reply(Reply::json(
            401,
            json!({"error": "invalid_client",
                   "error_description": format!("unknown secret {CLIENT_SECRET}, password {PASSWORD}, token RT-S3NT1NEL-1")}),
        ));
    }
    let err = s.client.list_profiles().send().await.unwrap_err();
    let Error::Custom(message) = &err else {
        panic!("{err}")
    };
    assert!(
        message.contains("refresh_token grant") && message.contains("password grant"),
        "{message}"
    );
    assert!(
        message.contains("invalid_client: unknown secret REDACTED"),
        "{message}"
    );
    assert_hidden(&format!("{err} {err:?}"));
    assert_eq!(s.api.requests().len(), 1, "no call without a token");
    assert_eq!(s.tokens.requests().len(), 5);

    // Build errors and a ready token.
    let bad = OAuth::builder("app-id", CLIENT_SECRET, "m12345", PASSWORD)
        .token_url(format!("http://user:{PASSWORD}@127.0.0.1:1/x y"))
        .build();
    assert_hidden(&format!("{bad:?}"));
    let ready = Client::builder(Credentials::bearer(TOKEN))
        .base_url(s.api.url(BASE))
        .build()
        .unwrap();
    assert_hidden(&format!("{ready:?}"));

    // Errors of the waiting helpers.
    s.api.reply(Reply::json(401, expired_token()));
    let ready_err = ready.wait_for_activation(1, &quick(1)).await.unwrap_err();
    assert_hidden(&format!("{ready_err} {ready_err:?}"));
}
