//! ResellerClub through the SDK against a real HTTP server on loopback: every operation's request as it
//! arrives (method, raw path, raw query with the credentials, repeated keys and percent-encoding, empty
//! POST bodies), every answer decoded both string-encoded (as the live API sends it) and natively typed,
//! `ERROR` answers as errors whatever the HTTP status, unexpected fields, and redaction of the API key and
//! of a mail user's password.

use sdk_resellerclub::open_enums::{
    CustomerTransactionCustomerTransactionType, TransactionKey, TransactionTypeItem,
};
use sdk_resellerclub::types::{
    ApiError, CustomerTransaction, SearchCustomerTransactionsBalanceType,
};
use sdk_resellerclub::{
    Client, ClientInfo, Credentials, Environment, Error, IntoResult, Limit, ResponseValue,
    SearchPage, types,
};
use sdk_tests::server::{RecordingServer, Reply};
use serde_json::{Value, json};

const USER_ID: u64 = 987654;
/// The API key: a sentinel, with characters that must be percent-encoded in a query string.
const KEY: &str = "KEY-SENTINEL-9c1e/+&=";
const KEY_ENCODED: &str = "KEY-SENTINEL-9c1e%2F%2B%26%3D";
/// A mail user's password, also a sentinel.
const PASSWORD: &str = "PW-SENTINEL p&ss";
const BASE: &str = "/api";

fn credentials() -> String {
    format!("auth-userid={USER_ID}&api-key={KEY_ENCODED}")
}

async fn setup() -> (RecordingServer, Client) {
    let server = RecordingServer::start().await;
    let client = Client::builder(Credentials::new(USER_ID, KEY))
        .base_url(server.url(BASE))
        .build()
        .expect("client builds");
    (server, client)
}

/// The same answer with every number and boolean written as a JSON string, as the live API does
/// (`"30930235"`, `"0.0"`, `"false"`).
fn stringified(value: &Value) -> Value {
    match value {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Array(items) => Value::Array(items.iter().map(stringified).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), stringified(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Asserts a body-less request: no body, `content-length: 0` on POST, and the query exactly as given
/// followed by the credentials.
fn assert_request(request: &sdk_tests::server::Recorded, method: &str, path: &str, query: &str) {
    assert_eq!(request.method, method);
    assert_eq!(request.path(), format!("{BASE}{path}"));
    let expected = if query.is_empty() {
        credentials()
    } else {
        format!("{query}&{}", credentials())
    };
    assert_eq!(request.query(), expected);
    assert!(
        request.body.is_empty(),
        "no request body: every parameter is in the query"
    );
    assert_eq!(request.header("content-type"), None);
    if method == "POST" {
        assert_eq!(request.header("content-length"), Some("0"));
    }
    assert!(
        request
            .header("user-agent")
            .unwrap()
            .starts_with("sdk-resellerclub/")
    );
}

fn api_error(message: &str) -> Value {
    json!({"status": "ERROR", "message": message})
}

/// An `ERROR` answer, after `into_result()`, whatever its HTTP status.
fn assert_api_error<T: std::fmt::Debug>(
    result: Result<ResponseValue<T>, Error<ApiError>>,
    status: u16,
    message: &str,
) {
    match result {
        Err(Error::ErrorResponse(e)) => {
            assert_eq!(e.status().as_u16(), status);
            assert_eq!(e.message.as_deref(), Some(message));
            assert_eq!(e.message(), message);
        }
        other => panic!("expected ErrorResponse({status}, {message:?}), got {other:?}"),
    }
}

/// Two decoded answers are the same (compared through their serialisation: the generated types have no
/// `PartialEq`).
macro_rules! same_json {
    ($a:expr, $b:expr) => {
        assert_eq!(
            serde_json::to_value($a).unwrap(),
            serde_json::to_value($b).unwrap()
        )
    };
}

// ---------------------------------------------------------------------------------------------------------
// Mail users

#[tokio::test]
async fn add_forward_only_account_is_a_post_with_every_parameter_in_the_query() {
    let (server, client) = setup().await;
    // An answer the document does not describe: unknown fields are accepted.
    server.reply(Reply::json(
        200,
        json!({"status": "SUCCESS", "message": "Forward only account added", "details": {"forwards": ["a", "b"]}, "id": 77}),
    ));
    let added = client
        .add_forward_only_account()
        .order_id(5555)
        .email("alias@example.com")
        .forwards("a@example.net,b@example.org")
        .send()
        .await
        .into_result()
        .unwrap();
    assert_request(
        &server.take_one(),
        "POST",
        "/mail/user/add-forward-only-account.json",
        "email=alias%40example.com&forwards=a%40example.net%2Cb%40example.org&order-id=5555",
    );
    assert_eq!(added.status(), 200);
    assert!(added.is_success());
    assert_eq!(added.message(), Some("Forward only account added"));

    // A status the spec does not know is kept, not an error (an empty object is not a result: see
    // a_mail_user_answer_is_never_read_as_an_empty_success).
    for (body, status) in [
        (json!({"status": "QUEUED"}), "QUEUED"),
        (json!({"status": "SUCCESS"}), "SUCCESS"),
    ] {
        server.reply(Reply::json(200, body));
        let added = client
            .add_forward_only_account()
            .order_id(1)
            .email("a")
            .forwards("b")
            .send()
            .await
            .into_result()
            .unwrap();
        assert_eq!(added.outcome(), status);
    }
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn add_mail_user_sends_the_password_in_the_query_and_never_shows_it() {
    let (server, client) = setup().await;
    server.reply(Reply::json(
        200,
        json!({"status": "SUCCESS", "unexpected": {"nested": [1, "2"]}, "userid": "12"}),
    ));
    let builder = || {
        client
            .add_mail_user()
            .order_id(5555)
            .email("jane@example.com")
            .passwd(PASSWORD)
            .notification_email("jane.doe+rc@example.org")
            .first_name("Jane")
            .last_name("Doe-Smith")
            .country_code("US")
            .language_code("en")
    };
    assert!(!format!("{:?}", builder()).contains("PW-SENTINEL"));
    let added = builder().send().await.into_result().unwrap();
    assert_request(
        &server.take_one(),
        "POST",
        "/mail/user/add.json",
        "country-code=US&email=jane%40example.com&first-name=Jane&language-code=en&last-name=Doe-Smith\
         &notification-email=jane.doe%2Brc%40example.org&order-id=5555&passwd=PW-SENTINEL+p%26ss",
    );
    assert!(added.is_success());
    assert_eq!(added.message(), None);

    // An ERROR answer with HTTP 200, and the same with 500: the same typed error, without the password
    // or the key in any output.
    for status in [200, 500] {
        server.reply(Reply::json(
            status,
            api_error("Email address already exists"),
        ));
        let err = builder().send().await.into_result().unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(
            !shown.contains("PW-SENTINEL") && !shown.contains("KEY-SENTINEL"),
            "{shown}"
        );
        assert_api_error::<()>(Err(err), status, "Email address already exists");
    }

    // A missing required argument is refused before anything is sent.
    let err = client
        .add_mail_user()
        .order_id(1)
        .email("a@example.com")
        .send()
        .await
        .into_result()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert_eq!(
        server.requests().len(),
        2,
        "nothing was sent for the refused call"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Pricing

/// The document's example of the mock band pricing answer.
fn pricing_example() -> Value {
    json!({"hosting": {
        "email_plan": {
            "0": {"pricing": {"renew": 0.0, "add": 0.0}, "description": {"no_of_mail_accounts": -1, "default": true}},
            "1": {"description": {"no_of_mail_accounts": 1, "default": false}}},
        "websitebuilder_plan": {
            "0": {"pricing": {"renew": 0.0, "ssl": 0.0, "add": 0.0},
                  "description": {"no_of_mail_accounts": -1, "default": true, "bandwidth": -1, "noofpages": 50, "webspace": -1}},
            "1": {"description": {"no_of_mail_accounts": 0, "default": false, "bandwidth": 0, "noofpages": 0, "webspace": 0}}},
        "windows_hosting_plan": {
            "0": {"pricing": {"renew": 0.0, "ssl": 0.0, "add": 0.0},
                  "description": {"no_of_mail_accounts": -1, "default": true, "bandwidth": -1, "webspace": -1}},
            "1": {"description": {"no_of_mail_accounts": 0, "default": false, "bandwidth": 0, "webspace": 0}}},
        "linux_hosting_plan": {
            "0": {"pricing": {"renew": 0.0, "ssl": 0.0, "add": 0.0},
                  "description": {"no_of_mail_accounts": -1, "default": true, "bandwidth": -1, "webspace": -1}},
            "1": {"description": {"no_of_mail_accounts": 1, "default": false, "bandwidth": 1, "webspace": 1}}}
    }})
}

#[tokio::test]
async fn band_pricing_decodes_native_and_string_encoded_answers_into_typed_maps() {
    let (server, client) = setup().await;
    let mut example = pricing_example();
    // A price that is not zero, and a plan parameter the spec does not list.
    example["hosting"]["linux_hosting_plan"]["0"]["pricing"]["renew"] = json!(12.5);
    example["hosting"]["linux_hosting_plan"]["10"] =
        json!({"description": {"default": false, "ftp_accounts": 3}});
    let mut decoded = Vec::new();
    for body in [example.clone(), stringified(&example)] {
        server.reply(Reply::json(200, body));
        let pricing = client
            .get_reseller_band_pricing_mock()
            .send()
            .await
            .into_result()
            .unwrap()
            .into_inner();
        assert_request(
            &server.take_one(),
            "GET",
            "/mock/products/reseller-price.json",
            "",
        );

        let email = pricing.plan("hosting", "email_plan").expect("email plan");
        let (default_id, default_band) = email.default_band().expect("a default band");
        assert_eq!(default_id, "0");
        let description = default_band.description.as_ref().unwrap();
        assert_eq!(description.mail_accounts_limit(), Some(Limit::Unlimited));
        assert_eq!(description.bandwidth_limit(), None);
        assert_eq!(default_band.price("add"), Some(0.0));
        assert_eq!(default_band.price("ssl"), None);
        let band_1 = &email["1"];
        assert!(
            band_1.pricing.is_none(),
            "no pricing key when no price is set"
        );
        assert!(!band_1.is_default());
        assert_eq!(
            band_1.description.as_ref().unwrap().mail_accounts_limit(),
            Some(Limit::Limited(1))
        );

        let builder = pricing.plan("hosting", "websitebuilder_plan").unwrap();
        let description = builder["0"].description.as_ref().unwrap();
        assert_eq!(description.pages_limit(), Some(Limit::Limited(50)));
        assert_eq!(description.webspace_limit(), Some(Limit::Unlimited));
        assert_eq!(description.bandwidth.map(|b| b.get()), Some(-1));

        let linux = pricing.plan("hosting", "linux_hosting_plan").unwrap();
        assert_eq!(linux["0"].price("renew"), Some(12.5));
        let ids: Vec<&str> = linux.ordered().into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["0", "1", "10"], "bands ordered by numeric id");
        assert!(pricing.plan("hosting", "no_such_plan").is_none());
        decoded.push(pricing);
    }
    same_json!(&decoded[0], &decoded[1]);
}

#[tokio::test]
async fn band_pricing_structure_template_decodes() {
    // The document's structure template (repaired into JSON in the spec).
    let (server, client) = setup().await;
    server.reply(Reply::json(
        200,
        json!({"product-key": {"plan-category": {"band-id": {"pricing": {"action": 0.0}, "description": {"plan-category-parameter-key": -1}}}}}),
    ));
    let pricing = client
        .get_reseller_band_pricing_mock()
        .send()
        .await
        .into_result()
        .unwrap();
    let band = &pricing.plan("product-key", "plan-category").unwrap()["band-id"];
    assert_eq!(band.price("action"), Some(0.0));
    assert!(!band.is_default());
}

// ---------------------------------------------------------------------------------------------------------
// Customers

fn customer_native() -> Value {
    json!({
        "customerid": 30930235, "username": "jane@example.com", "resellerid": 654321, "parentid": 999,
        "name": "Jane Doe", "company": "Acme", "useremail": "jane@example.com", "telnocc": "1",
        "telno": "5551234", "address1": "1 Main St", "address2": "", "city": "Springfield", "state": "IL",
        "country": "US", "zip": "62701", "pin": "0042", "creationdt": 1600000000, "customerstatus": "Active",
        "salescontactid": 0, "langpref": "en", "totalreceipts": 12.5, "twofactorauth_enabled": false,
        "websiteCount": 0, "unexpected_object": {"a": [1, 2]}
    })
}

#[tokio::test]
async fn customer_details_decode_native_and_string_encoded_scalars() {
    let (server, client) = setup().await;
    let mut decoded = Vec::new();
    for body in [stringified(&customer_native()), customer_native()] {
        server.reply(Reply::json(200, body));
        let customer = client
            .get_customer_details_by_id()
            .customer_id(30930235)
            .send()
            .await
            .into_result()
            .unwrap();
        assert_request(
            &server.take_one(),
            "GET",
            "/customers/details-by-id.json",
            "customer-id=30930235",
        );
        assert_eq!(customer.customerid.map(|n| n.get()), Some(30930235));
        assert_eq!(customer.resellerid.map(|n| n.get()), Some(654321));
        assert_eq!(customer.creationdt.map(|n| n.get()), Some(1600000000));
        assert_eq!(customer.salescontactid.map(|n| n.get()), Some(0));
        assert_eq!(customer.totalreceipts.map(|n| n.get()), Some(12.5));
        assert_eq!(customer.twofactorauth_enabled.map(|b| b.get()), Some(false));
        assert_eq!(
            customer.pin.as_deref(),
            Some("0042"),
            "codes stay strings, leading zeros kept"
        );
        assert_eq!(customer.name.as_deref(), Some("Jane Doe"));
        assert_eq!(customer.address3, None);
        decoded.push(customer.into_inner());
    }
    same_json!(&decoded[0], &decoded[1]);

    // `"0.0"` and `"true"` as the live API writes them.
    server.reply(Reply::json(
        200,
        json!({"totalreceipts": "0.0", "twofactorauth_enabled": "true"}),
    ));
    let customer = client
        .get_customer_details_by_id()
        .customer_id(1)
        .send()
        .await
        .into_result()
        .unwrap();
    assert_eq!(customer.totalreceipts.map(|n| n.get()), Some(0.0));
    assert_eq!(customer.twofactorauth_enabled.map(|b| b.get()), Some(true));
    server.take_one();
}

#[tokio::test]
async fn a_customer_error_with_http_200_is_an_error_not_an_empty_customer() {
    let (server, client) = setup().await;
    server.reply(Reply::json(200, api_error("Invalid customer-id: 1")));
    let result = client
        .get_customer_details_by_id()
        .customer_id(1)
        .send()
        .await;
    // Without into_result() the answer is the union, so the error cannot be mistaken for a customer.
    assert!(matches!(
        result.as_deref(),
        Ok(sdk_resellerclub::types::CustomerDetailsOrError::ApiError(_))
    ));
    assert_api_error(result.into_result(), 200, "Invalid customer-id: 1");
}

// ---------------------------------------------------------------------------------------------------------
// Transaction searches

fn transaction_native(id: i64) -> Value {
    json!({
        "customer_transaction.transid": id, "customer_transaction.transactiondate": 1600000000 + id,
        "customer_transaction.orderid": 7000 + id, "customer_transaction.key": format!("key-{id}"),
        "customer_transaction.type": "invoice", "customer_transaction.description": "Email hosting renewal",
        "greedy": true, "customer_transaction.customerid": 30930235,
        "customer_transaction.sellingcurrencysymbol": "USD", "customer_transaction.sellingamount": -12.5,
        "customer_transaction.unutilisedsellingamount": 0.0, "customer_transaction.accountingcurrencysymbol": "INR",
        "customer_transaction.accountingamount": -1040.25, "customer_transaction.unutilisedaccountingamount": 0.0,
        "forexdiff": 0.0, "customer_transaction.unlisted": "kept out, not an error"
    })
}

/// A page of three records whose keys sort differently as text ("1", "10", "2") and as numbers.
fn search_native() -> Value {
    json!({
        "recsonpage": 3, "recsindb": 25,
        "2": transaction_native(502), "10": transaction_native(510), "1": transaction_native(501)
    })
}

fn assert_transactions(page: &SearchPage<CustomerTransaction>) {
    assert_eq!(page.records_on_page, Some(3));
    assert_eq!(page.records_in_db, Some(25));
    let ids: Vec<i64> = page
        .records
        .iter()
        .map(|t| t.customer_transaction_transid.unwrap().get())
        .collect();
    assert_eq!(
        ids,
        [501, 502, 510],
        "records in the order of their numeric keys"
    );
    let first = &page.records[0];
    assert_eq!(
        first.customer_transaction_transactiondate.map(|n| n.get()),
        Some(1600000501)
    );
    assert_eq!(
        first.customer_transaction_orderid.map(|n| n.get()),
        Some(7501)
    );
    assert_eq!(
        first.customer_transaction_customerid.map(|n| n.get()),
        Some(30930235)
    );
    assert_eq!(
        first.customer_transaction_type,
        Some(CustomerTransactionCustomerTransactionType::Invoice)
    );
    assert_eq!(first.customer_transaction_key.as_deref(), Some("key-501"));
    assert_eq!(first.greedy.map(|b| b.get()), Some(true));
    assert_eq!(
        first.customer_transaction_sellingamount.map(|n| n.get()),
        Some(-12.5)
    );
    assert_eq!(
        first.customer_transaction_accountingamount.map(|n| n.get()),
        Some(-1040.25)
    );
    assert_eq!(
        first
            .customer_transaction_unutilisedsellingamount
            .map(|n| n.get()),
        Some(0.0)
    );
    assert_eq!(first.forexdiff.map(|n| n.get()), Some(0.0));
    assert_eq!(
        first
            .customer_transaction_accountingcurrencysymbol
            .as_deref(),
        Some("INR")
    );
    assert_eq!(page.has_more(1, 3), Some(true));
}

#[tokio::test]
async fn search_transactions_sends_repeated_keys_and_reads_a_page_of_records() {
    let (server, client) = setup().await;
    let mut pages = Vec::new();
    for body in [stringified(&search_native()), search_native()] {
        server.reply(Reply::json(200, body));
        let page = client
            .search_customer_transactions()
            .no_of_records(3)
            .page_no(1)
            .customer_id(vec![30930235, 42])
            .username(vec!["jane@example.com".to_string(), "john doe".to_string()])
            .transaction_type(vec![
                TransactionTypeItem::Invoice,
                TransactionTypeItem::Other("refund".into()),
            ])
            .transaction_key(TransactionKey::Systemgenerated)
            .transaction_id(vec![501, 510])
            .transaction_description("renewal & more")
            .balance_type(SearchCustomerTransactionsBalanceType::Onlyunbalanced)
            .amt_range_start(-100)
            .amt_range_end(100)
            .transaction_date_start("1600000000")
            .transaction_date_end("1700000000")
            .order_by(vec!["customer-id".to_string(), "transid".to_string()])
            .send()
            .await
            .into_result()
            .unwrap()
            .into_inner()
            .into_page();
        assert_request(
            &server.take_one(),
            "GET",
            "/billing/customer-transactions/search.json",
            "amt-range-end=100&amt-range-start=-100&balance-type=onlyunbalanced\
             &customer-id=30930235&customer-id=42&no-of-records=3&order-by=customer-id&order-by=transid&page-no=1\
             &transaction-date-end=1700000000&transaction-date-start=1600000000\
             &transaction-description=renewal+%26+more&transaction-id=501&transaction-id=510\
             &transaction-key=systemgenerated&transaction-type=invoice&transaction-type=refund\
             &username=jane%40example.com&username=john+doe",
        );
        assert_transactions(&page);
        pages.push(page);
    }
    assert_eq!(pages[0].records.len(), pages[1].records.len());
    for (a, b) in pages[0].records.iter().zip(&pages[1].records) {
        same_json!(a, b);
    }

    // Only the required parameters; an empty page may carry nothing but its counters.
    server.reply(Reply::json(
        200,
        json!({"recsonpage": "0", "recsindb": "0"}),
    ));
    let page = SearchPage::from(
        client
            .search_customer_transactions()
            .no_of_records(30)
            .page_no(2)
            .send()
            .await
            .into_result()
            .unwrap()
            .into_inner(),
    );
    assert_request(
        &server.take_one(),
        "GET",
        "/billing/customer-transactions/search.json",
        "no-of-records=30&page-no=2",
    );
    assert_eq!(
        (page.records_on_page, page.records_in_db, page.records.len()),
        (Some(0), Some(0), 0)
    );
    assert_eq!(page.has_more(2, 30), Some(false));
}

#[tokio::test]
async fn search_archived_transactions_sends_repeated_keys_and_reads_a_page_of_records() {
    let (server, client) = setup().await;
    for body in [search_native(), stringified(&search_native())] {
        server.reply(Reply::json(200, body));
        let page = client
            .search_customer_archived_transactions()
            .no_of_records(3)
            .page_no(1)
            .customer_id(vec![1, 2, 3])
            .username(vec!["a@example.com".to_string()])
            .transaction_type(vec![
                TransactionTypeItem::Credit,
                TransactionTypeItem::Receipt,
            ])
            .transaction_key(TransactionKey::Manually)
            .transaction_id(vec![9])
            .transaction_description("100% paid")
            .amt_range_start(0)
            .amt_range_end(50)
            .transaction_date_start("1500000000")
            .transaction_date_end("1600000000")
            .order_by(vec!["customerid".to_string()])
            .send()
            .await
            .into_result()
            .unwrap()
            .into_inner()
            .into_page();
        assert_request(
            &server.take_one(),
            "GET",
            "/billing/customer-archived-transactions/search.json",
            "amt-range-end=50&amt-range-start=0&customer-id=1&customer-id=2&customer-id=3&no-of-records=3\
             &order-by=customerid&page-no=1&transaction-date-end=1600000000&transaction-date-start=1500000000\
             &transaction-description=100%25+paid&transaction-id=9&transaction-key=manually\
             &transaction-type=credit&transaction-type=receipt&username=a%40example.com",
        );
        assert_transactions(&page);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Errors and secrets

#[tokio::test]
async fn every_operation_turns_an_error_answer_into_an_error_whatever_the_status() {
    let (server, client) = setup().await;
    for (round, status) in [200, 400, 403, 500].into_iter().enumerate() {
        let message = format!("failure with HTTP {status}");
        for _ in 0..6 {
            server.reply(Reply::json(status, api_error(&message)));
        }
        let c = &client;
        assert_api_error(
            c.add_forward_only_account()
                .order_id(1)
                .email("a")
                .forwards("b")
                .send()
                .await
                .into_result(),
            status,
            &message,
        );
        assert_api_error(
            c.add_mail_user()
                .order_id(1)
                .email("a")
                .passwd(PASSWORD)
                .notification_email("n")
                .first_name("f")
                .last_name("l")
                .country_code("US")
                .language_code("en")
                .send()
                .await
                .into_result(),
            status,
            &message,
        );
        assert_api_error(
            c.get_reseller_band_pricing_mock()
                .send()
                .await
                .into_result(),
            status,
            &message,
        );
        assert_api_error(
            c.get_customer_details_by_id()
                .customer_id(1)
                .send()
                .await
                .into_result(),
            status,
            &message,
        );
        assert_api_error(
            c.search_customer_transactions()
                .no_of_records(1)
                .page_no(1)
                .send()
                .await
                .into_result(),
            status,
            &message,
        );
        assert_api_error(
            c.search_customer_archived_transactions()
                .no_of_records(1)
                .page_no(1)
                .send()
                .await
                .into_result(),
            status,
            &message,
        );
        assert_eq!(
            server.requests().len(),
            6 * (round + 1),
            "one request per call"
        );
    }
}

#[tokio::test]
async fn a_refused_source_ip_is_a_clear_error() {
    let (server, client) = setup().await;
    let message = "Access Denied: Your IP address 203.0.113.9 is not whitelisted to access the API";
    server.reply(Reply::json(200, api_error(message)));
    let err = client
        .get_customer_details_by_id()
        .customer_id(1)
        .send()
        .await
        .into_result()
        .unwrap_err();
    let Error::ErrorResponse(e) = &err else {
        panic!("expected ErrorResponse, got {err:?}")
    };
    assert!(e.is_ip_not_whitelisted());
    let shown = e.to_string();
    assert!(
        shown.contains(message) && shown.contains("whitelisted in the ResellerClub control panel"),
        "{shown}"
    );
    assert!(err.to_string().contains("not whitelisted"), "{err}");
    // Any other error is not mistaken for it.
    server.reply(Reply::json(200, api_error("Invalid customer-id")));
    let err = client
        .get_customer_details_by_id()
        .customer_id(1)
        .send()
        .await
        .into_result()
        .unwrap_err();
    let Error::ErrorResponse(e) = &err else {
        panic!("expected ErrorResponse, got {err:?}")
    };
    assert!(!e.is_ip_not_whitelisted());
}

#[tokio::test]
async fn other_answers_keep_their_status_and_body() {
    let (server, client) = setup().await;
    // A success whose body is neither the documented shape nor an ERROR answer.
    server.reply(Reply::json(200, json!({"customerid": "not a number"})));
    let err = client
        .get_customer_details_by_id()
        .customer_id(1)
        .send()
        .await
        .into_result()
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    let Error::UnexpectedResponse(response) = err else {
        panic!("expected UnexpectedResponse")
    };
    assert!(
        response
            .extensions()
            .get::<sdk_core::decode::UndecodableBody>()
            .is_some()
    );
    assert!(response.text().await.unwrap().contains("not a number"));
    // An HTML page from a front end (a firewall, a proxy).
    server.reply(Reply::raw(
        403,
        "text/html",
        "<html><body>Forbidden</body></html>",
    ));
    let err = client
        .get_reseller_band_pricing_mock()
        .send()
        .await
        .into_result()
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    // A status outside 2xx/4xx/5xx.
    server.reply(Reply::json(302, json!({})).with_header("location", "/elsewhere"));
    let err = client
        .get_reseller_band_pricing_mock()
        .send()
        .await
        .into_result()
        .unwrap_err();
    assert!(matches!(err, Error::UnexpectedResponse(_)), "{err:?}");
}

async fn add_mail_user_on(client: &Client) -> Error<ApiError> {
    client
        .add_mail_user()
        .order_id(1)
        .email("a@example.com")
        .passwd(PASSWORD)
        .notification_email("n@example.com")
        .first_name("f")
        .last_name("l")
        .country_code("US")
        .language_code("en")
        .send()
        .await
        .into_result()
        .expect_err("an error")
}

#[tokio::test]
async fn no_output_shows_the_key_or_a_password() {
    let (server, client) = setup().await;
    let mut shown = vec![
        format!("{client:?}"),
        format!("{:?}", Client::builder(Credentials::new(USER_ID, KEY))),
        format!("{:?}", client.add_mail_user().passwd(PASSWORD).order_id(1)),
    ];
    for reply in [
        Reply::json(500, api_error("Internal error")),
        Reply::json(200, api_error("Invalid password")),
        Reply::raw(500, "text/html", "<html>oops</html>"),
        Reply::raw(200, "application/json", "{not json"),
        Reply::json(418, json!({})),
    ] {
        server.reply(reply);
        let err = add_mail_user_on(&client).await;
        shown.push(format!("{err}"));
        shown.push(format!("{err:?}"));
    }
    // Connection refused: a transport error's Display includes the URL.
    let dead = Client::builder(Credentials::new(USER_ID, KEY))
        .base_url("http://127.0.0.1:9/api")
        .build()
        .unwrap();
    let err = add_mail_user_on(&dead).await;
    assert!(matches!(err, Error::CommunicationError(_)), "{err:?}");
    shown.push(format!("{err}"));
    shown.push(format!("{err:?}"));
    // A response's URL, as handed back.
    server.reply(Reply::json(200, json!({"status": "SUCCESS"})));
    let ok = client
        .add_forward_only_account()
        .order_id(1)
        .email("a")
        .forwards("b")
        .send()
        .await
        .unwrap();
    shown.push(format!("{ok:?}"));
    for text in &shown {
        assert!(!text.contains("KEY-SENTINEL"), "API key shown in: {text}");
        assert!(!text.contains("PW-SENTINEL"), "password shown in: {text}");
    }
    assert!(
        shown.iter().any(|t| t.contains("api-key=REDACTED")),
        "URLs are shown redacted: {shown:#?}"
    );
    assert!(
        shown.iter().any(|t| t.contains("passwd=REDACTED")),
        "URLs are shown redacted: {shown:#?}"
    );
}

#[test]
fn live_and_test_systems() {
    assert_eq!(Environment::Live.base_url(), "https://httpapi.com/api");
    assert_eq!(Environment::Test.base_url(), "https://test.httpapi.com/api");
    assert_eq!(
        Client::builder(Credentials::new(1, "k"))
            .build()
            .unwrap()
            .baseurl(),
        "https://httpapi.com/api"
    );
    assert_eq!(
        Client::builder(Credentials::new(1, "k"))
            .base_url(Environment::Test)
            .build()
            .unwrap()
            .baseurl(),
        "https://test.httpapi.com/api"
    );
}

// ---------------------------------------------------------------------------------------------------
// Mail-user answers: the flat shape the document implies and the nested one the real service sends.

/// Every mail-user operation, called with all its arguments.
async fn each_mail_user_call(
    client: &Client,
) -> Vec<(
    &'static str,
    Result<ResponseValue<types::MailUserResult>, Error<ApiError>>,
)> {
    let forward = client
        .add_forward_only_account()
        .order_id(1)
        .email("alias@example.com")
        .forwards("a@example.net")
        .send()
        .await
        .into_result();
    let user = client
        .add_mail_user()
        .order_id(1)
        .email("jane@customer-domain.test")
        .passwd(PASSWORD)
        .notification_email("n@example.com")
        .first_name("Jane")
        .last_name("Doe")
        .country_code("US")
        .language_code("en")
        .send()
        .await
        .into_result();
    vec![
        ("add_forward_only_account", forward),
        ("add_mail_user", user),
    ]
}

#[tokio::test]
async fn every_mail_user_operation_reads_the_flat_and_the_nested_answer_with_every_field() {
    let nested = json!({"response": {"status": "SUCCESS", "user": {
        "emailAddress": "jane@customer-domain.test", "domainName": "customer-domain.test",
        "firstName": "Jane", "lastName": "Doe", "quotaLimit": "1024", "status": "ACTIVE",
        "accountType": "POP_IMAP"}}});
    let flat = json!({"status": "SUCCESS", "message": "Mail user added"});
    for body in [nested, flat] {
        let (server, client) = setup().await;
        server.reply(Reply::json(200, body.clone()));
        server.reply(Reply::json(200, body.clone()));
        for (operation, result) in each_mail_user_call(&client).await {
            let answer = result.unwrap_or_else(|e| panic!("{operation}: {e}"));
            // Nothing the answer carried is lost: the typed value serialises back to the body received.
            let mut again = serde_json::to_value(&*answer).unwrap();
            if let Some(quota) = again.pointer_mut("/response/user/quotaLimit") {
                *quota = json!(quota.to_string().trim_matches('"')); // sent as a string, held as a number
            }
            assert_eq!(again, body, "{operation}: the answer was not read whole");
        }
    }

    // The fields are typed and reachable whichever shape came.
    let (server, client) = setup().await;
    server.reply(Reply::json(
        200,
        json!({"response": {"status": "SUCCESS", "user": {"emailAddress": "jane@customer-domain.test",
            "firstName": "Jane", "lastName": "Doe", "quotaLimit": 1024, "status": "ACTIVE"}}}),
    ));
    server.reply(Reply::json(200, json!({"status": "SUCCESS"})));
    let mut results = each_mail_user_call(&client).await.into_iter();
    let nested = results.next().unwrap().1.unwrap().into_inner();
    assert_eq!(nested.outcome(), "SUCCESS");
    assert!(nested.is_success());
    let user = nested.user().expect("the nested answer's user");
    assert_eq!(
        user.email_address.as_deref(),
        Some("jane@customer-domain.test")
    );
    assert_eq!(user.quota_limit.map(|q| q.get()), Some(1024));
    assert_eq!(
        user.status,
        Some(sdk_resellerclub::open_enums::MailUserStatus::ACTIVE)
    );
    let flat = results.next().unwrap().1.unwrap().into_inner();
    assert!(flat.is_success());
    assert!(flat.user().is_none());
}

#[tokio::test]
async fn a_mail_user_answer_is_never_read_as_an_empty_success() {
    // A body with neither shape is no success: an unexpected answer, with its status and body kept.
    for body in [
        json!({}),
        json!({"message": "done"}),
        json!({"response": {}}),
    ] {
        let (server, client) = setup().await;
        server.reply(Reply::json(200, body.clone()));
        server.reply(Reply::json(200, body.clone()));
        for (operation, result) in each_mail_user_call(&client).await {
            match result {
                Err(Error::UnexpectedResponse(response)) => {
                    assert_eq!(response.status().as_u16(), 200, "{operation} {body}")
                }
                other => panic!("{operation}: {body} read as {other:?}"),
            }
        }
    }
    // A nested ERROR is an error like a flat one.
    let (server, client) = setup().await;
    let error = json!({"response": {"status": "ERROR", "message": "Invalid order"}});
    server.reply(Reply::json(200, error.clone()));
    server.reply(Reply::json(200, error));
    for (_, result) in each_mail_user_call(&client).await {
        assert_api_error(result, 200, "Invalid order");
    }
}
