//! MailUp RetailerService through the SDK against real HTTP servers on loopback: every operation's request
//! as it arrives (method, raw path, query, bearer token, body) and its typed answer, the documented error
//! statuses with their per-operation codes, the OAuth 2.0 token flow (a second loopback server plays the
//! token endpoint), the asynchronous account creation and profile change, and redaction.

use std::time::Duration;

use sdk_mailup::codes::{AccountStatusCode, ActivationCode, AddPackCode, CreateAccountCode};
use sdk_mailup::types::{AccountActivationRequest, AddPackRequest, AddPackRequestWorkMode};
use sdk_mailup::{
    ActivationError, Client, Credentials, Error, OAuth, PollPolicy, ProfileChangeError,
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
    assert!(Client::from_password("app-id", CLIENT_SECRET, "m12345", PASSWORD).is_ok());
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
    assert_eq!(
        err.status().map(|s| s.as_u16()),
        Some(401),
        "refresh failed: the 401 is returned"
    );
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
