//! Greenview through the SDK against a real HTTP server on loopback: every operation's request as it
//! arrives (method, raw path, query, Basic credentials or none, body) and its typed answer, the documented
//! 422s, the captcha flows with their retries, the public client, path safety and redaction.

use std::sync::{Arc, Mutex};

use sdk_greenview::open_enums::DomainStatusValue;
use sdk_greenview::types::{
    CaptchaAnswer, ClientCreate, ClientCreateRequest, ClientUpdate, CreateClientError, DomainInput,
    DomainUpdate, ResellerSignUp, ResellerSignUpRequest,
};
use sdk_greenview::{CaptchaFlowError, Client, Credentials, Error};
use sdk_tests::server::{Recorded, RecordingServer, Reply};
use serde_json::json;

const API_TOKEN: &str = "gv-token-42";
const API_KEY: &str = "KEY-S3NT1NEL-gv";
/// `base64("gv-token-42:KEY-S3NT1NEL-gv")`.
const BASIC: &str = "Basic Z3YtdG9rZW4tNDI6S0VZLVMzTlQxTkVMLWd2";

async fn setup() -> (RecordingServer, Client) {
    let server = RecordingServer::start().await;
    let client = Client::builder(Credentials::api_key(API_TOKEN, API_KEY))
        .base_url(server.url(""))
        .build()
        .expect("client builds");
    (server, client)
}

async fn public_setup() -> (RecordingServer, Client) {
    let server = RecordingServer::start().await;
    let client = Client::builder(Credentials::public())
        .base_url(server.url(""))
        .build()
        .expect("client builds");
    (server, client)
}

/// Method, raw path, no query, `Accept: application/json`, and the Basic credentials (`Some`) or none.
fn assert_request(request: &Recorded, method: &str, path: &str, authorization: Option<&str>) {
    assert_eq!(request.method, method);
    assert_eq!(request.target, path, "raw path, no query");
    assert_eq!(request.header("authorization"), authorization);
    assert_eq!(request.header("accept"), Some("application/json"));
}

fn client_json() -> serde_json::Value {
    json!({
        "id": 49632, "package_uid": null, "user_count": 1, "email_address": "customer@example.com",
        "name": "Test Customer",
        "domains": [{
            "name": "customer-domain.test",
            "mx_records": [
                {"priority": 10, "hostname": "customer-domain-test.relay1g.spamh.com."},
                {"priority": 20, "hostname": "customer-domain-test.relay1h.spamh.com."}
            ],
            "mail_servers": ["mail.customer-domain.test"]
        }]
    })
}

fn assert_client(client: &sdk_greenview::types::Customer) {
    assert_eq!(client.id, 49632);
    assert_eq!(client.package_uid, None);
    assert_eq!(client.user_count, Some(1));
    assert_eq!(
        client.email_address.as_deref(),
        Some("customer@example.com")
    );
    let domain = &client.domains[0];
    assert_eq!(domain.name, "customer-domain.test");
    assert_eq!(domain.mx_records[1].priority, 20);
    assert_eq!(
        domain.mx_records[1].hostname,
        "customer-domain-test.relay1h.spamh.com."
    );
    assert_eq!(domain.mail_servers, ["mail.customer-domain.test"]);
}

fn new_client_body() -> ClientCreate {
    ClientCreate::builder()
        .package_uid("spamstopshere-standard")
        .user_count(1)
        .email_address(Some("customer@example.com".to_string()))
        .name(Some("Test Customer".to_string()))
        .phone(Some("555-555-5555".to_string()))
        .first_name(Some("First".to_string()))
        .last_name(Some("Last".to_string()))
        .domains(vec![DomainInput {
            name: "customer-domain.test".into(),
            mail_servers: vec!["mail.customer-domain.test".into()],
        }])
        .try_into()
        .expect("complete client")
}

fn new_client_json() -> serde_json::Value {
    json!({
        "package_uid": "spamstopshere-standard", "user_count": 1, "email_address": "customer@example.com",
        "name": "Test Customer", "phone": "555-555-5555", "first_name": "First", "last_name": "Last",
        "domains": [{"name": "customer-domain.test", "mail_servers": ["mail.customer-domain.test"]}]
    })
}

fn client_update() -> ClientUpdate {
    ClientUpdate::builder()
        .package_uid(Some("spamstopshere-standard".to_string()))
        .user_count(Some(1))
        .email_address(Some("customer@example.com".to_string()))
        .name(Some("Test Customer".to_string()))
        .domains(vec![DomainInput {
            name: "customer-domain.test".into(),
            mail_servers: vec!["mail.customer-domain.test".into()],
        }])
        .try_into()
        .expect("update")
}

fn client_update_json() -> serde_json::Value {
    json!({
        "package_uid": "spamstopshere-standard", "user_count": 1, "email_address": "customer@example.com",
        "name": "Test Customer",
        "domains": [{"name": "customer-domain.test", "mail_servers": ["mail.customer-domain.test"]}]
    })
}

fn attribute_error() -> serde_json::Value {
    json!({"errors": {"package_uid": ["specific attribute error message"], "base": ["non specific error message"]}})
}

fn reseller_json() -> serde_json::Value {
    json!({
        "name": "Greenview Data", "first_name": "Phil", "last_name": "Green", "email_address": "phil.green@example.com",
        "address": "8178 Jackson Rd", "city": "Ann Arbor", "state": "Michigan", "postal_code": "48103",
        "country": "United States", "phone": "734-426-7500", "username": "my-reseller-account",
        "application_name": "cpanel"
    })
}

fn reseller_sign_up() -> ResellerSignUp {
    serde_json::from_value(reseller_json()).expect("sign-up")
}

fn auth_token_json() -> serde_json::Value {
    json!({"token": "secrettokensecrettokensecrettokensecrettoken", "protocol": "https",
           "login_hostname": "reseller-branded-url.test", "path": "/path/to/login/with/auth/token?query=args"})
}

// ---------------------------------------------------------------------------------------------------
// Contract: every operation.

#[tokio::test]
async fn list_clients_sends_basic_credentials() {
    let (server, client) = setup().await;
    server.reply(Reply::json(200, json!([client_json()])));
    let clients = client.list_clients().send().await.unwrap();
    let request = server.take_one();
    assert_request(&request, "GET", "/v1/clients", Some(BASIC));
    assert!(
        request
            .header("user-agent")
            .unwrap()
            .starts_with("sdk-greenview/")
    );
    assert_eq!(clients.status(), 200);
    assert_eq!(clients.len(), 1);
    assert_client(&clients[0]);
}

#[tokio::test]
async fn create_client_with_a_key_posts_the_wrapped_client() {
    let (server, client) = setup().await;
    server.reply(Reply::json(201, client_json()));
    let body = ClientCreateRequest {
        client: new_client_body(),
        captcha: None,
    };
    let created = client.create_client().body(body).send().await.unwrap();
    let request = server.take_one();
    assert_request(&request, "POST", "/v1/clients", Some(BASIC));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.json(), json!({"client": new_client_json()}));
    assert_eq!(created.status(), 201);
    assert_client(&created);

    // The keyed 422: client errors, no captcha.
    server.reply(Reply::json(
        422,
        json!({"errors": {"client": {"package_uid": ["specific attribute error message"], "base": ["non specific error message"]}}}),
    ));
    let body = ClientCreateRequest {
        client: new_client_body(),
        captcha: None,
    };
    let Err(Error::ErrorResponse(e)) = client.create_client().body(body).send().await else {
        panic!("422 is documented")
    };
    server.take_one();
    assert_eq!(e.status(), 422);
    assert!(matches!(&*e, CreateClientError::ErrorResponse(_)));
    assert!(e.captcha().is_none());
    assert!(!e.wrong_captcha_only());
    assert_eq!(
        e.client_errors().unwrap().to_string(),
        "base: non specific error message; package_uid: specific attribute error message"
    );

    // A required field missing: refused before sending.
    let incomplete = ClientCreate::builder().user_count(1);
    let err = client
        .create_client()
        .body(ClientCreateRequest::builder().client(incomplete))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn create_client_without_a_key_sends_the_captcha_and_no_credentials() {
    let (server, client) = public_setup().await;
    server.reply(Reply::json(201, client_json()));
    let body = ClientCreateRequest {
        client: new_client_body(),
        captcha: Some(CaptchaAnswer {
            id: Some("11aabb2233ccdd4455eeff66".into()),
            answer: "A".into(),
        }),
    };
    client.create_client().body(body).send().await.unwrap();
    let request = server.take_one();
    assert_request(&request, "POST", "/v1/clients", None);
    assert_eq!(
        request.json(),
        json!({"client": new_client_json(), "captcha": {"id": "11aabb2233ccdd4455eeff66", "answer": "A"}})
    );

    // The public 422 (the document's example): client and captcha errors, and a new captcha.
    server.reply(Reply::json(
        422,
        json!({"captcha": {"id": "11aabb2233ccdd4455eeff66", "question": "If tomorrow is Saturday, what day is today?"},
               "errors": {"client": {"package_uid": ["specific attribute error message"], "base": ["non specific error message"]},
                          "captcha": {"answer": ["is not correct"]}}}),
    ));
    let body = ClientCreateRequest {
        client: new_client_body(),
        captcha: None,
    };
    let Err(Error::ErrorResponse(e)) = client.create_client().body(body).send().await else {
        panic!()
    };
    let CreateClientError::CaptchaErrorResponse(body) = &*e else {
        panic!("the captcha shape")
    };
    assert_eq!(
        body.captcha.question,
        "If tomorrow is Saturday, what day is today?"
    );
    assert_eq!(
        body.errors.captcha.as_ref().unwrap()["answer"],
        ["is not correct"]
    );
    assert_eq!(e.captcha().unwrap().id, "11aabb2233ccdd4455eeff66");
    assert!(!e.wrong_captcha_only(), "client errors too");
}

#[tokio::test]
async fn new_client_is_public_even_with_a_key() {
    let (server, client) = setup().await;
    server.reply(Reply::json(
        200,
        json!({"client": {"id": null, "package_uid": null, "user_count": null, "email_address": null, "name": null, "domains": []},
               "captcha": {"id": "11aabb2233ccdd4455eeff66", "question": "how do you spell the letter A"}}),
    ));
    let new = client.new_client().send().await.unwrap();
    assert_request(&server.take_one(), "GET", "/v1/clients/new", None);
    assert_eq!(new.captcha.id, "11aabb2233ccdd4455eeff66");
    assert_eq!(new.captcha.question, "how do you spell the letter A");
    assert_eq!(new.client.id, None);
    assert!(new.client.domains.is_empty());
}

#[tokio::test]
async fn list_clients_with_subscriptions_decodes_costs_and_dates() {
    let (server, client) = setup().await;
    let mut with_subscriptions = client_json();
    with_subscriptions["monthly_cost"] = json!(438.0);
    with_subscriptions["subscriptions"] = json!([
        {"monthly_cost": 220.50, "quantity": 20, "product": "SpamStopsHere Mailbox",
         "options": ["Enterprise", "Anti-Virus"], "billing_interval": 1, "next_bill_date": "06/01/13"},
        {"monthly_cost": 140.0, "quantity": 20, "product": "RestorEmail Continuity Mailbox",
         "options": [], "billing_interval": 12, "next_bill_date": "04/01/14"}
    ]);
    server.reply(Reply::json(200, json!([with_subscriptions])));
    let clients = client
        .list_clients_with_subscriptions()
        .send()
        .await
        .unwrap();
    assert_request(
        &server.take_one(),
        "GET",
        "/v1/clients/subscriptions",
        Some(BASIC),
    );
    let first = &clients[0];
    assert_eq!(first.id, 49632);
    assert_eq!(first.monthly_cost, Some(438.0));
    assert_eq!(first.subscriptions[0].monthly_cost, Some(220.5));
    assert_eq!(first.subscriptions[0].options, ["Enterprise", "Anti-Virus"]);
    assert_eq!(first.subscriptions[1].billing_interval, Some(12));
    assert_eq!(
        first.subscriptions[1]
            .next_bill_date
            .as_deref()
            .map(|d| d.as_str()),
        Some("04/01/14")
    );
    assert_eq!(first.domains[0].mx_records.len(), 2);
}

#[tokio::test]
async fn get_update_delete_a_client_by_id() {
    let (server, client) = setup().await;
    server.reply(Reply::json(200, client_json()));
    let found = client.get_client().id(49632).send().await.unwrap();
    assert_request(&server.take_one(), "GET", "/v1/clients/49632", Some(BASIC));
    assert_client(&found);

    server.reply(Reply::json(200, client_json()));
    let updated = client
        .update_client()
        .id(49632)
        .body(client_update())
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_request(&request, "PUT", "/v1/clients/49632", Some(BASIC));
    assert_eq!(
        request.json(),
        client_update_json(),
        "the bare client, not wrapped"
    );
    assert_client(&updated);

    server.reply(Reply::json(422, attribute_error()));
    let Err(Error::ErrorResponse(e)) = client
        .update_client()
        .id(49632)
        .body(client_update())
        .send()
        .await
    else {
        panic!()
    };
    server.take_one();
    assert_eq!(e.status(), 422);
    assert_eq!(
        e.errors["package_uid"],
        ["specific attribute error message"]
    );
    assert_eq!(e.errors["base"], ["non specific error message"]);

    server.reply(Reply::empty(200));
    let deleted = client.delete_client().id(49632).send().await.unwrap();
    let request = server.take_one();
    assert_request(&request, "DELETE", "/v1/clients/49632", Some(BASIC));
    assert!(request.body.is_empty());
    assert_eq!(deleted.status(), 200);

    server.reply(Reply::json(
        422,
        json!({"errors": {"base": ["Could not cancel account"]}}),
    ));
    let Err(Error::ErrorResponse(e)) = client.delete_client().id(49632).send().await else {
        panic!()
    };
    assert_eq!(e.status(), 422);
    assert_eq!(e.errors.base, ["Could not cancel account"]);
}

#[tokio::test]
async fn get_update_delete_a_client_by_domain() {
    let (server, client) = setup().await;
    server.reply(Reply::json(200, client_json()));
    let found = client
        .get_client_by_domain()
        .domain_name("customer-domain.test")
        .send()
        .await
        .unwrap();
    assert_request(
        &server.take_one(),
        "GET",
        "/v1/domains/customer-domain.test/client",
        Some(BASIC),
    );
    assert_client(&found);

    server.reply(Reply::json(200, client_json()));
    client
        .update_client_by_domain()
        .domain_name("customer-domain.test")
        .body(client_update())
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_request(
        &request,
        "PUT",
        "/v1/domains/customer-domain.test/client",
        Some(BASIC),
    );
    assert_eq!(request.json(), client_update_json());

    server.reply(Reply::json(422, attribute_error()));
    let Err(Error::ErrorResponse(e)) = client
        .update_client_by_domain()
        .domain_name("customer-domain.test")
        .body(ClientUpdate::builder().user_count(Some(0)))
        .send()
        .await
    else {
        panic!()
    };
    assert_eq!(
        server.take_one().json(),
        json!({"user_count": 0}),
        "only what is set is sent"
    );
    assert_eq!(e.errors["base"], ["non specific error message"]);

    server.reply(Reply::empty(200));
    client
        .delete_client_by_domain()
        .domain_name("customer-domain.test")
        .send()
        .await
        .unwrap();
    assert_request(
        &server.take_one(),
        "DELETE",
        "/v1/domains/customer-domain.test/client",
        Some(BASIC),
    );

    server.reply(Reply::json(
        422,
        json!({"errors": {"base": ["Could not cancel account"], "domain": ["is locked"]}}),
    ));
    let Err(Error::ErrorResponse(e)) = client
        .delete_client_by_domain()
        .domain_name("customer-domain.test")
        .send()
        .await
    else {
        panic!()
    };
    assert_eq!(e.errors.base, ["Could not cancel account"]);
    assert_eq!(e.errors.extra["domain"], ["is locked"]);
}

#[tokio::test]
async fn auth_tokens_by_client_and_by_domain() {
    let (server, client) = setup().await;
    server.reply(Reply::json(200, auth_token_json()));
    let token = client
        .get_client_auth_token()
        .id(1234)
        .send()
        .await
        .unwrap();
    assert_request(
        &server.take_one(),
        "GET",
        "/v1/clients/1234/auth_token",
        Some(BASIC),
    );
    assert_eq!(
        token.token.expose(),
        "secrettokensecrettokensecrettokensecrettoken"
    );
    assert_eq!(token.protocol.as_deref(), Some("https"));
    assert_eq!(
        token.login_hostname.as_deref(),
        Some("reseller-branded-url.test")
    );
    assert_eq!(
        token.path.as_deref(),
        Some("/path/to/login/with/auth/token?query=args")
    );

    server.reply(Reply::json(200, auth_token_json()));
    let token = client
        .get_domain_auth_token()
        .domain_name("vedit.com")
        .send()
        .await
        .unwrap();
    assert_request(
        &server.take_one(),
        "GET",
        "/v1/domains/vedit.com/auth_token",
        Some(BASIC),
    );
    assert_eq!(
        token.token.expose(),
        "secrettokensecrettokensecrettokensecrettoken"
    );
}

#[tokio::test]
async fn domains_get_update_and_status() {
    let (server, client) = setup().await;
    let domain = client_json()["domains"][0].clone();
    server.reply(Reply::json(200, domain.clone()));
    let found = client
        .get_domain()
        .domain_name("customer-domain.test")
        .send()
        .await
        .unwrap();
    assert_request(
        &server.take_one(),
        "GET",
        "/v1/domains/customer-domain.test",
        Some(BASIC),
    );
    assert_eq!(found.name, "customer-domain.test");
    assert_eq!(found.mx_records[0].priority, 10);

    server.reply(Reply::json(200, domain));
    let body = DomainUpdate {
        mail_servers: vec!["mail.customer-domain.test".into()],
    };
    let updated = client
        .update_domain()
        .domain_name("customer-domain.test")
        .body(body)
        .send()
        .await
        .unwrap();
    let request = server.take_one();
    assert_request(
        &request,
        "PUT",
        "/v1/domains/customer-domain.test",
        Some(BASIC),
    );
    assert_eq!(
        request.json(),
        json!({"mail_servers": ["mail.customer-domain.test"]})
    );
    assert_eq!(updated.mail_servers, ["mail.customer-domain.test"]);

    server.reply(Reply::json(
        422,
        json!({"errors": {"mail_servers": ["are invalid. Your subscription does not allow multiple mail servers, please upgrade to unlock this feature."]}}),
    ));
    let body = DomainUpdate {
        mail_servers: vec!["a.test".into(), "b.test".into()],
    };
    let Err(Error::ErrorResponse(e)) = client
        .update_domain()
        .domain_name("customer-domain.test")
        .body(body)
        .send()
        .await
    else {
        panic!()
    };
    server.take_one();
    assert_eq!(e.status(), 422);
    assert!(e.errors["mail_servers"][0].contains("multiple mail servers"));

    for (wire, expected) in [
        ("initializing", DomainStatusValue::Initializing),
        ("ready", DomainStatusValue::Ready),
        ("unknown", DomainStatusValue::Unknown),
        ("migrating", DomainStatusValue::Other("migrating".into())),
    ] {
        server.reply(Reply::json(200, json!({"status": wire})));
        let status = client
            .get_domain_status()
            .domain_name("customer-domain.test")
            .send()
            .await
            .unwrap();
        assert_request(
            &server.take_one(),
            "GET",
            "/v1/domains/customer-domain.test/status",
            Some(BASIC),
        );
        assert_eq!(status.status, expected);
    }
}

#[tokio::test]
async fn list_packages_by_tag_decodes_features_and_costs() {
    let (server, client) = setup().await;
    let feature = json!({"id": 10, "name": "Brilliant 24/7/365 Support", "blurb": "800-458-3348", "description": "", "position": 12});
    server.reply(Reply::json(
        200,
        json!([{"id": 1, "uid": "spamstopshere-standard", "name": "Standard", "description": "", "position": 1,
                "free_trial": 30, "features": [feature.clone()], "added_features": [feature],
                "reseller_cost": {"domain_cents": 50, "domain_formatted": "$0.50", "mailbox_cents": 100, "mailbox_formatted": "$1.00"}}]),
    ));
    let packages = client
        .list_packages_by_tag()
        .tag_name("cpanel")
        .send()
        .await
        .unwrap();
    assert_request(
        &server.take_one(),
        "GET",
        "/v1/packages/by_tag/cpanel",
        Some(BASIC),
    );
    let standard = &packages[0];
    assert_eq!(standard.uid.as_deref(), Some("spamstopshere-standard"));
    assert_eq!(standard.free_trial, Some(30));
    assert_eq!(
        standard.added_features[0].blurb.as_deref(),
        Some("800-458-3348")
    );
    let cost = standard.reseller_cost.as_ref().unwrap();
    assert_eq!(
        (cost.domain_cents, cost.mailbox_formatted.as_deref()),
        (Some(50), Some("$1.00"))
    );
}

#[tokio::test]
async fn reseller_sign_up_is_public() {
    let (server, client) = setup().await;
    server.reply(Reply::json(
        200,
        json!({"captcha": {"id": "abc123", "question": "If tomorrow is Saturday, what day is today?"},
               "reseller": {"name": null, "first_name": null, "last_name": null, "email_address": null, "address": null,
                            "city": null, "state": null, "postal_code": null, "country": null, "phone": null,
                            "username": null, "tags": []}}),
    ));
    let new = client.new_reseller().send().await.unwrap();
    assert_request(&server.take_one(), "GET", "/v1/resellers/new", None);
    assert_eq!(new.captcha.id, "abc123");
    assert_eq!(new.reseller.name, None);
    assert!(new.reseller.tags.is_empty());

    let mut created = reseller_json();
    created["id"] = json!(182904);
    server.reply(Reply::json(
        201,
        json!({"reseller": created, "captcha": {"id": "abc123", "question": "If tomorrow is Saturday, what day is today?"}}),
    ));
    let body = ResellerSignUpRequest {
        captcha: CaptchaAnswer {
            id: Some("abc123".into()),
            answer: "friday".into(),
        },
        reseller: reseller_sign_up(),
    };
    let created = client.create_reseller().body(body).send().await.unwrap();
    let request = server.take_one();
    assert_request(&request, "POST", "/v1/resellers", None);
    assert_eq!(
        request.json(),
        json!({"captcha": {"id": "abc123", "answer": "friday"}, "reseller": reseller_json()})
    );
    assert_eq!(created.status(), 201);
    assert_eq!(created.reseller.id, 182904);
    assert_eq!(
        created.reseller.username.as_deref(),
        Some("my-reseller-account")
    );

    // The two documented 422s: a wrong captcha answer, and a validation error.
    let captcha =
        json!({"id": "abc123", "question": "If tomorrow is Saturday, what day is today?"});
    for (errors, captcha_only) in [
        (
            json!({"reseller": {}, "captcha": {"answer": ["is not correct"]}}),
            true,
        ),
        (
            json!({"reseller": {"username": ["must be specified"]}, "captcha": {}}),
            false,
        ),
    ] {
        server.reply(Reply::json(
            422,
            json!({"captcha": captcha, "reseller": reseller_json(), "errors": errors}),
        ));
        let body = ResellerSignUpRequest {
            captcha: CaptchaAnswer {
                id: None,
                answer: "thursday".into(),
            },
            reseller: reseller_sign_up(),
        };
        let Err(Error::ErrorResponse(e)) = client.create_reseller().body(body).send().await else {
            panic!()
        };
        assert_eq!(
            server.take_one().json()["captcha"],
            json!({"answer": "thursday"}),
            "no id sent"
        );
        assert_eq!(e.status(), 422);
        assert_eq!(e.captcha.id, "abc123");
        assert_eq!(e.wrong_captcha_only(), captcha_only);
        assert_eq!(
            e.reseller.as_ref().unwrap().city.as_deref(),
            Some("Ann Arbor")
        );
    }
}

#[tokio::test]
async fn undocumented_statuses_keep_the_status() {
    let (server, client) = setup().await;
    server.reply(Reply::json(404, json!({"error": "not found"})));
    let err = client.get_client().id(1).send().await.unwrap_err();
    assert!(matches!(err, Error::UnexpectedResponse(_)));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));

    server.reply(Reply::raw(401, "text/plain", "HTTP Basic: Access denied."));
    let err = client.list_clients().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));

    // A 200 whose body is not the documented JSON keeps its status.
    server.reply(Reply::json(200, json!({"status": 7})));
    let err = client
        .get_domain_status()
        .domain_name("x.test")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
}

#[tokio::test]
async fn path_segments_are_checked_and_encoded() {
    let (server, client) = setup().await;
    for bad in ["", ".", ".."] {
        let err = client
            .get_domain()
            .domain_name(bad)
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{bad:?}: {err}");
        let err = client
            .delete_client_by_domain()
            .domain_name(bad)
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{bad:?}: {err}");
    }
    assert!(server.requests().is_empty(), "nothing sent");

    server.reply(Reply::empty(200));
    client
        .delete_client_by_domain()
        .domain_name("a/../b c?.test")
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.take_one().target,
        "/v1/domains/a%2F..%2Fb%20c%3F.test/client"
    );
}

// ---------------------------------------------------------------------------------------------------
// The public client and the captcha flows.

#[tokio::test]
async fn the_public_client_refuses_keyed_operations_before_sending() {
    let (server, client) = public_setup().await;
    let err = client.list_clients().send().await.unwrap_err();
    let Error::Custom(message) = &err else {
        panic!("{err}")
    };
    assert!(message.contains("Credentials::api_key"), "{message}");
    let err = client.delete_client().id(49632).send().await.unwrap_err();
    assert!(matches!(err, Error::Custom(_)), "{err}");
    assert!(server.requests().is_empty());

    server.reply(Reply::json(
        200,
        json!({"captcha": {"id": "abc123", "question": "q"}, "reseller": {"tags": []}}),
    ));
    client.new_reseller().send().await.unwrap();
    assert_request(&server.take_one(), "GET", "/v1/resellers/new", None);
}

fn new_client_reply(id: &str, question: &str) -> Reply {
    Reply::json(
        200,
        json!({"client": {"id": null, "package_uid": null, "user_count": null, "email_address": null, "name": null, "domains": []},
               "captcha": {"id": id, "question": question}}),
    )
}

fn wrong_captcha(id: &str, question: &str) -> Reply {
    Reply::json(
        422,
        json!({"captcha": {"id": id, "question": question},
               "errors": {"client": {}, "captcha": {"answer": ["is not correct"]}}}),
    )
}

/// An answering closure that records the questions it was asked and answers `answer-<n>`.
fn answering(
    asked: Arc<Mutex<Vec<String>>>,
) -> impl FnMut(sdk_greenview::types::Captcha) -> std::future::Ready<Option<String>> {
    move |captcha| {
        let mut asked = asked.lock().unwrap();
        asked.push(captcha.question);
        std::future::ready(Some(format!("answer-{}", asked.len())))
    }
}

#[tokio::test]
async fn the_client_captcha_flow_retries_with_the_new_captcha() {
    let (server, client) = public_setup().await;
    server.reply(new_client_reply("c1", "how do you spell the letter A"));
    server.reply(wrong_captcha(
        "c2",
        "If tomorrow is Saturday, what day is today?",
    ));
    server.reply(Reply::json(201, client_json()));
    let asked = Arc::new(Mutex::new(Vec::new()));
    let created = client
        .create_client_with_captcha(new_client_body(), 3, answering(asked.clone()))
        .await
        .unwrap();
    assert_client(&created);
    assert_eq!(
        *asked.lock().unwrap(),
        [
            "how do you spell the letter A",
            "If tomorrow is Saturday, what day is today?"
        ]
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_request(&requests[0], "GET", "/v1/clients/new", None);
    for (request, (id, answer)) in requests[1..]
        .iter()
        .zip([("c1", "answer-1"), ("c2", "answer-2")])
    {
        assert_request(request, "POST", "/v1/clients", None);
        assert_eq!(
            request.json(),
            json!({"client": new_client_json(), "captcha": {"id": id, "answer": answer}})
        );
    }
}

#[tokio::test]
async fn the_client_captcha_flow_stops_on_client_errors_a_bound_or_no_answer() {
    let (server, client) = public_setup().await;
    // Client errors: retrying with a new captcha cannot help; the typed 422 comes back with its captcha.
    server.reply(new_client_reply("c1", "q1"));
    server.reply(Reply::json(
        422,
        json!({"captcha": {"id": "c2", "question": "q2"},
               "errors": {"client": {"package_uid": ["specific attribute error message"]}, "captcha": {"answer": ["is not correct"]}}}),
    ));
    let asked = Arc::new(Mutex::new(Vec::new()));
    let err = client
        .create_client_with_captcha(new_client_body(), 3, answering(asked.clone()))
        .await
        .unwrap_err();
    let CaptchaFlowError::Create(Error::ErrorResponse(e)) = &err else {
        panic!("{err}")
    };
    assert_eq!(e.status(), 422);
    assert_eq!(e.captcha().unwrap().id, "c2");
    assert_eq!(
        e.client_errors().unwrap()["package_uid"],
        ["specific attribute error message"]
    );
    assert_eq!(server.requests().len(), 2);

    // The bound: two wrong answers with max_tries 2.
    let (server, client) = public_setup().await;
    server.reply(new_client_reply("c1", "q1"));
    server.reply(wrong_captcha("c2", "q2"));
    server.reply(wrong_captcha("c3", "q3"));
    let asked = Arc::new(Mutex::new(Vec::new()));
    let err = client
        .create_client_with_captcha(new_client_body(), 2, answering(asked.clone()))
        .await
        .unwrap_err();
    let CaptchaFlowError::TooManyTries { tries, last } = &err else {
        panic!("{err}")
    };
    assert_eq!(*tries, 2);
    assert_eq!(
        last.captcha().unwrap().id,
        "c3",
        "the captcha to answer next"
    );
    assert_eq!(
        err.to_string(),
        "Greenview refused 2 captcha answers in a row"
    );
    assert_eq!(*asked.lock().unwrap(), ["q1", "q2"]);
    assert_eq!(server.requests().len(), 3);

    // The closure gives up: nothing is posted.
    let (server, client) = public_setup().await;
    server.reply(new_client_reply("c1", "q1"));
    let err = client
        .create_client_with_captcha(new_client_body(), 3, |_| std::future::ready(None))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CaptchaFlowError::Declined { captcha } if captcha.id == "c1"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1);

    // The first step fails (500: a 503 would be retried, the first step being a GET).
    let (server, client) = public_setup().await;
    server.reply(Reply::raw(500, "text/html", "<html>down</html>"));
    let err = client
        .create_client_with_captcha(new_client_body(), 3, |_| std::future::ready(None))
        .await
        .unwrap_err();
    let CaptchaFlowError::Start(inner) = &err else {
        panic!("{err}")
    };
    assert_eq!(inner.status().map(|s| s.as_u16()), Some(500));
}

#[tokio::test]
async fn the_reseller_captcha_flow_retries_with_the_new_captcha() {
    let (server, client) = public_setup().await;
    server.reply(Reply::json(
        200,
        json!({"captcha": {"id": "abc123", "question": "q1"}, "reseller": {"tags": []}}),
    ));
    server.reply(Reply::json(
        422,
        json!({"captcha": {"id": "def456", "question": "If tomorrow is Saturday, what day is today?"},
               "reseller": reseller_json(), "errors": {"reseller": {}, "captcha": {"answer": ["is not correct"]}}}),
    ));
    let mut created = reseller_json();
    created["id"] = json!(182904);
    server.reply(Reply::json(201, json!({"reseller": created})));
    let asked = Arc::new(Mutex::new(Vec::new()));
    let created = client
        .create_reseller_with_captcha(reseller_sign_up(), 3, answering(asked.clone()))
        .await
        .unwrap();
    assert_eq!(created.reseller.id, 182904);
    assert_eq!(
        *asked.lock().unwrap(),
        ["q1", "If tomorrow is Saturday, what day is today?"]
    );
    let requests = server.requests();
    assert_request(&requests[0], "GET", "/v1/resellers/new", None);
    assert_eq!(
        requests[1].json()["captcha"],
        json!({"id": "abc123", "answer": "answer-1"})
    );
    assert_eq!(
        requests[2].json()["captcha"],
        json!({"id": "def456", "answer": "answer-2"})
    );
    assert_eq!(requests[2].json()["reseller"], reseller_json());

    // A validation error stops the flow with the typed body.
    server.reply(Reply::json(
        200,
        json!({"captcha": {"id": "abc123", "question": "q1"}, "reseller": {"tags": []}}),
    ));
    server.reply(Reply::json(
        422,
        json!({"captcha": {"id": "abc123", "question": "q1"}, "reseller": reseller_json(),
               "errors": {"reseller": {"username": ["must be specified"]}, "captcha": {}}}),
    ));
    let err = client
        .create_reseller_with_captcha(reseller_sign_up(), 3, answering(asked))
        .await
        .unwrap_err();
    let CaptchaFlowError::Create(Error::ErrorResponse(e)) = &err else {
        panic!("{err}")
    };
    assert_eq!(
        e.errors.reseller.as_ref().unwrap()["username"],
        ["must be specified"]
    );
}

// ---------------------------------------------------------------------------------------------------
// Redaction.

fn assert_hidden(shown: &str) {
    for secret in [API_KEY, "S3NT1NEL", "LOGIN-S3NT1NEL", "Z3YtdG9rZW4tNDI6"] {
        assert!(!shown.contains(secret), "`{secret}` shown in: {shown}");
    }
}

#[tokio::test]
async fn no_output_shows_the_key_or_a_login_token() {
    let (server, client) = setup().await;
    let builder =
        Client::builder(Credentials::api_key(API_TOKEN, API_KEY)).base_url(server.url(""));
    assert_hidden(&format!("{builder:?} {builder:#?}"));
    assert_hidden(&format!("{client:?} {client:#?}"));
    assert_hidden(&format!(
        "{:?}",
        client.update_client().id(1).body(client_update())
    ));
    assert_hidden(&format!(
        "{:?}",
        Client::builder(Credentials::public()).build().unwrap()
    ));

    // Errors: undocumented status, documented 422, transport failure.
    server.reply(Reply::json(401, json!({"error": "denied"})));
    let err = client.list_clients().send().await.unwrap_err();
    assert_hidden(&format!("{err} {err:?}"));
    server.reply(Reply::json(422, attribute_error()));
    let err = client
        .update_client()
        .id(1)
        .body(client_update())
        .send()
        .await
        .unwrap_err();
    assert_hidden(&format!("{err} {err:?}"));
    let unreachable = Client::builder(Credentials::api_key(API_TOKEN, API_KEY))
        .base_url(format!("http://{API_TOKEN}:{API_KEY}@127.0.0.1:9"))
        .build();
    if let Ok(unreachable) = unreachable {
        let err = unreachable.list_clients().send().await.unwrap_err();
        assert_hidden(&format!("{err} {err:?}"));
    } else if let Err(e) = unreachable {
        assert_hidden(&format!("{e} {e:?}"));
    }

    // The admin login token is a Secret.
    let mut answer = auth_token_json();
    answer["token"] = json!("LOGIN-S3NT1NEL-token");
    server.reply(Reply::json(200, answer));
    let token = client.get_client_auth_token().id(1).send().await.unwrap();
    assert_hidden(&format!("{token:?} {:?} {:#?}", *token, *token));
    assert_eq!(token.token.expose(), "LOGIN-S3NT1NEL-token");
}

// ---------------------------------------------------------------------------------------------------
// The captcha flows' bound, attacked: seeded sequences of server answers and answering closures.

/// The 422 of a wrong captcha answer (only), with captcha number `n` to answer next.
fn refused_answer(reseller: bool, n: usize) -> Reply {
    let captcha = json!({"id": format!("c{n}"), "question": format!("q{n}")});
    if reseller {
        Reply::json(
            422,
            json!({"captcha": captcha, "reseller": reseller_json(),
                   "errors": {"reseller": {}, "captcha": {"answer": ["is not correct"]}}}),
        )
    } else {
        Reply::json(
            422,
            json!({"captcha": captcha, "errors": {"client": {}, "captcha": {"answer": ["is not correct"]}}}),
        )
    }
}

/// What the server answers one captcha post with.
fn random_post_answer(rng: &mut fastrand::Rng, reseller: bool, n: usize) -> Reply {
    let captcha = json!({"id": format!("c{n}"), "question": format!("q{n}")});
    match rng.u8(0..12) {
        // Mostly a wrong answer: the case that loops.
        0..=6 => refused_answer(reseller, n),
        7 if reseller => Reply::json(
            422,
            json!({"captcha": captcha, "reseller": reseller_json(),
                   "errors": {"reseller": {"username": ["must be specified"]}, "captcha": {}}}),
        ),
        7 => Reply::json(
            422,
            json!({"captcha": captcha, "errors": {"client": {"name": ["is invalid"]}, "captcha": {}}}),
        ),
        8 if reseller => {
            let mut created = reseller_json();
            created["id"] = json!(182904);
            Reply::json(201, json!({"reseller": created}))
        }
        8 => Reply::json(201, client_json()),
        9 => Reply::raw(500, "text/html", "<html>down</html>"),
        10 => Reply::raw(422, "application/json", "{not json"),
        _ => Reply::json(400, json!({"error": "bad"})),
    }
}

#[tokio::test]
async fn captcha_flows_never_post_more_than_max_tries() {
    const SEED: u64 = 0x9e37_79b9_7f4a_7c15;
    const CASES_PER_BOUND: u64 = 16;
    let mut cases = 0;
    let mut posts_seen = [0usize; 6];
    for max_tries in 0..=5u32 {
        for case in 0..CASES_PER_BOUND {
            for reseller in [false, true] {
                let seed = SEED ^ (u64::from(max_tries) << 32) ^ (case << 1) ^ u64::from(reseller);
                let mut rng = fastrand::Rng::with_seed(seed);
                let (server, client) = public_setup().await;
                server.reply(if reseller {
                    Reply::json(
                        200,
                        json!({"captcha": {"id": "c0", "question": "q0"}, "reseller": {"tags": []}}),
                    )
                } else {
                    new_client_reply("c0", "q0")
                });
                // One case in four, a server that refuses every answer and a closure that never gives up:
                // the bound itself is reached.
                let stubborn = rng.u8(0..4) == 0;
                for n in 1..=8 {
                    server.reply(if stubborn {
                        refused_answer(reseller, n)
                    } else {
                        random_post_answer(&mut rng, reseller, n)
                    });
                }
                // The closure declines now and then (nothing is posted for that captcha).
                let decline_after = if stubborn {
                    usize::MAX
                } else {
                    rng.usize(0..12)
                };
                let asked = Arc::new(Mutex::new(0usize));
                let answer = {
                    let asked = asked.clone();
                    move |_captcha: sdk_greenview::types::Captcha| {
                        let mut asked = asked.lock().unwrap();
                        *asked += 1;
                        std::future::ready((*asked <= decline_after).then(|| format!("a{asked}")))
                    }
                };
                let outcome = if reseller {
                    client
                        .create_reseller_with_captcha(reseller_sign_up(), max_tries, answer)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                } else {
                    client
                        .create_client_with_captcha(new_client_body(), max_tries, answer)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                };
                let requests = server.requests();
                let posts = requests.iter().filter(|r| r.method == "POST").count();
                let at = format!(
                    "seed {seed:#x}, max_tries {max_tries}, {}: {outcome:?}",
                    if reseller { "reseller" } else { "client" }
                );
                assert!(posts <= max_tries as usize, "{posts} posts: {at}");
                if max_tries == 0 {
                    assert!(requests.is_empty(), "max_tries 0 sends nothing: {at}");
                    assert_eq!(*asked.lock().unwrap(), 0, "nobody is asked: {at}");
                    let message = outcome
                        .as_ref()
                        .expect_err("max_tries 0 cannot create anything");
                    assert!(message.contains("max_tries is 0"), "{message}");
                }
                if stubborn && max_tries > 0 {
                    assert_eq!(posts, max_tries as usize, "{at}");
                    let message = outcome.as_ref().expect_err("every answer refused");
                    assert!(
                        message.contains(&format!("refused {max_tries} captcha answers")),
                        "{message}"
                    );
                }
                posts_seen[posts] += 1;
                cases += 1;
            }
        }
    }
    sdk_tests::report(format_args!(
        "captcha bound: {cases} flows (max_tries 0..=5, both flows), POSTs per flow: {posts_seen:?}"
    ));
}
