//! Every SDK against a judge we did not write: Prism (`prism mock --errors`, see `sdk_tests::prism`) on the
//! provider's spec. Each test calls every operation of its spec through the SDK with valid arguments and
//! credentials, and fails on a request Prism rejects (`sl-violations`, or a 4xx/5xx the call did not ask
//! for) and on an answer the SDK cannot decode into its typed result; then it asks Prism for each documented
//! error response (`Prefer: code=...`) and expects the SDK's typed error with that status. Prism must be
//! installed (`npm ci`): without it these tests fail, they never skip.

#[path = "hostway_ops/mod.rs"]
mod hostway_ops;

use sdk_tests::operation;
use sdk_tests::prism::{Judge, Operation, Prism, client_for};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// A request body of the spec's first named example of `operation_id` (the spec's own valid request).
fn example<T: DeserializeOwned>(provider: &str, operation_id: &str) -> T {
    let spec = sdk_tests::spec(provider);
    let operation = spec["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("a path item").values())
        .find(|op| op["operationId"] == operation_id)
        .unwrap_or_else(|| panic!("no operation {operation_id}"));
    let examples = operation
        .pointer("/requestBody/content/application~1json/examples")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("{operation_id} has no request example"));
    let (_, first) = examples.iter().next().expect("an example");
    // A shared example (`$ref: '#/components/examples/NAME'`) is read where it is defined.
    let first = match first.get("$ref").and_then(Value::as_str) {
        Some(target) => spec
            .pointer(target.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{operation_id}: unresolved {target}")),
        None => first,
    };
    serde_json::from_value(first["value"].clone())
        .unwrap_or_else(|e| panic!("{operation_id}: the example does not decode: {e}"))
}

fn date() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2024, 1, 31).expect("a date")
}

fn typed<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a valid body")
}

#[tokio::test]
async fn mailchannels_against_prism() {
    use sdk_mailchannels::Client;
    use sdk_mailchannels::types::*;
    const KEY: &str = "prism-api-key";
    let prism = Prism::start("mailchannels");
    let client = |prefer: Option<u16>| {
        client_for(
            Client::builder(sdk_mailchannels::Credentials::api_key(KEY)),
            &prism,
            prefer,
        )
    };
    let operations: Vec<Operation<Client>> = vec![
        operation!(Client, download_plugin.filename("mailchannels-cpanel").account_id("acme-1").smtp_password("pw-1")),
        operation!(Client, list_sub_accounts.offset(0).limit(20).show_all(true)),
        operation!(Client, create_sub_account.body(typed::<NewSubAccount>(json!({
            "first_name": "Ada", "last_name": "L", "email_address": "ada@acme.example", "company": "Acme",
            "website": "acme.example", "address": "1 Road", "city": "Vancouver", "province": "BC",
            "post_code": "V5K", "country": "CA", "phone": "+1 555"})))),
        operation!(Client, get_sub_accounts_stats.offset(0).limit(20).start_date(date()).end_date(date())),
        operation!(Client, get_sub_account.account_id("acme-1")),
        operation!(Client, update_sub_account.account_id("acme-1").body(typed::<Account>(json!({
            "company": "Acme", "enabled": true})))),
        operation!(Client, cancel_sub_account.account_id("acme-1").body(SubAccountCommand { cancel: Some(true) })),
        operation!(Client, rotate_smtp_password.account_id("acme-1")),
        operation!(Client, get_sub_account_stats.account_id("acme-1").start_date(date()).end_date(date())),
    ];
    let mut judge = Judge::new("mailchannels", &prism);
    judge
        .run(&client(None), |status| client(Some(status)), &operations)
        .await;
    judge.finish();
}

#[tokio::test]
async fn mailup_against_prism() {
    use sdk_mailup::{Client, Credentials};
    let prism = Prism::start("mailup");
    // A token the caller already holds (Prism checks that a bearer token is present, not its value).
    let client = |prefer: Option<u16>| {
        client_for(
            Client::builder(Credentials::bearer("prism-token")),
            &prism,
            prefer,
        )
    };
    let operations: Vec<Operation<Client>> = vec![
        operation!(Client, list_profiles.page_size(20).page_number(0)),
        operation!(
            Client,
            list_profile_packs
                .id_profile(1046)
                .page_size(20)
                .page_number(0)
        ),
        operation!(Client, list_profile_languages.id_profile(1046)),
        operation!(
            Client,
            create_account.id_profile(1046).lang("en").body(example::<
                sdk_mailup::types::AccountActivationRequest,
            >(
                "mailup", "create_account"
            ))
        ),
        operation!(Client, get_activation_status.id_activation(4711)),
        operation!(
            Client,
            change_account_profile.id_account(31).id_profile(1046)
        ),
        operation!(Client, get_account_status.id_account(31)),
        operation!(Client, set_account_enabled.id_account(31).enable(true)),
        operation!(Client, delete_account.id_account(31)),
        operation!(
            Client,
            add_account_pack.id_account(31).id_pack(7).body(example::<
                sdk_mailup::types::AddPackRequest,
            >(
                "mailup", "add_account_pack"
            ))
        ),
    ];
    let mut judge = Judge::new("mailup", &prism);
    judge
        .run(&client(None), |status| client(Some(status)), &operations)
        .await;
    judge.finish();
}

#[tokio::test]
async fn greenview_against_prism() {
    use sdk_greenview::types::*;
    use sdk_greenview::{Client, Credentials};
    let prism = Prism::start("greenview");
    let client = |prefer: Option<u16>| {
        client_for(
            Client::builder(Credentials::api_key("prism-token", "prism-key")),
            &prism,
            prefer,
        )
    };
    let operations: Vec<Operation<Client>> = vec![
        operation!(Client, list_clients),
        operation!(
            Client,
            create_client.body(example::<ClientCreateRequest>("greenview", "create_client"))
        ),
        operation!(Client, new_client),
        operation!(Client, list_clients_with_subscriptions),
        operation!(Client, get_client.id(49632)),
        operation!(
            Client,
            update_client
                .id(49632)
                .body(example::<ClientUpdate>("greenview", "update_client"))
        ),
        operation!(Client, delete_client.id(49632)),
        operation!(Client, get_client_auth_token.id(49632)),
        operation!(Client, get_client_by_domain.domain_name("example.com")),
        operation!(
            Client,
            update_client_by_domain
                .domain_name("example.com")
                .body(example::<ClientUpdate>(
                    "greenview",
                    "update_client_by_domain"
                ))
        ),
        operation!(Client, delete_client_by_domain.domain_name("example.com")),
        operation!(Client, get_domain.domain_name("example.com")),
        operation!(
            Client,
            update_domain
                .domain_name("example.com")
                .body(example::<DomainUpdate>("greenview", "update_domain"))
        ),
        operation!(Client, get_domain_status.domain_name("example.com")),
        operation!(Client, get_domain_auth_token.domain_name("example.com")),
        operation!(Client, list_packages_by_tag.tag_name("cpanel")),
        operation!(Client, new_reseller),
        operation!(
            Client,
            create_reseller.body(example::<ResellerSignUpRequest>(
                "greenview",
                "create_reseller"
            ))
        ),
    ];
    let mut judge = Judge::new("greenview", &prism);
    judge
        .run(&client(None), |status| client(Some(status)), &operations)
        .await;
    judge.finish();
}

#[tokio::test]
async fn resellerclub_against_prism() {
    use sdk_resellerclub::open_enums::TransactionKey;
    use sdk_resellerclub::types::SearchCustomerTransactionsBalanceType;
    use sdk_resellerclub::{Client, Credentials, IntoResult};
    let prism = Prism::start("resellerclub");
    // The spec's server has a path (`/api`); Prism mounts the routes at `/`, so the base URL has none.
    let client = |prefer: Option<u16>| {
        client_for(
            Client::builder(Credentials::new(123456, "prism-api-key")),
            &prism,
            prefer,
        )
    };
    let operations: Vec<Operation<Client>> = vec![
        operation!(Client, add_forward_only_account.order_id(45).email("a@example.com").forwards("b@example.com,c@example.com"),
            then: IntoResult::into_result),
        operation!(Client, add_mail_user.order_id(45).email("a@example.com").passwd("s3cret-Passw0rd")
            .notification_email("n@example.com").first_name("Ada").last_name("L").country_code("CA")
            .language_code("en"), then: IntoResult::into_result),
        operation!(Client, get_reseller_band_pricing_mock, then: IntoResult::into_result),
        operation!(Client, get_customer_details_by_id.customer_id(30930235), then: IntoResult::into_result),
        operation!(Client, search_customer_archived_transactions.no_of_records(30).page_no(1).customer_id(vec![1, 2])
            .username(vec!["a@example.com".to_string()]).transaction_key(TransactionKey::Manually)
            .transaction_id(vec![9]).transaction_description("renewal").amt_range_start(0).amt_range_end(100)
            .transaction_date_start("1700000000").transaction_date_end("1800000000")
            .order_by(vec!["transactiondate".to_string()]), then: IntoResult::into_result),
        operation!(Client, search_customer_transactions.no_of_records(30).page_no(1).customer_id(vec![1, 2])
            .username(vec!["a@example.com".to_string()]).transaction_key(TransactionKey::Systemgenerated)
            .transaction_id(vec![9]).transaction_description("renewal")
            .balance_type(SearchCustomerTransactionsBalanceType::Onlybalanced).amt_range_start(0).amt_range_end(100)
            .transaction_date_start("1700000000").transaction_date_end("1800000000")
            .order_by(vec!["transactiondate".to_string()]), then: IntoResult::into_result),
    ];
    let mut judge = Judge::new("resellerclub", &prism);
    judge
        .run(&client(None), |status| client(Some(status)), &operations)
        .await;
    judge.finish();
}

#[tokio::test]
async fn hostway_against_prism() {
    use hostway_ops::{operations, request_examples, spec_operation};
    use sdk_hostway::{Client, Credentials};
    let prism = Prism::start("hostway");
    // HTTP Basic for both schemes of the spec (account owner, mailbox owner): Prism checks presence only.
    let client = |prefer: Option<u16>| {
        client_for(
            Client::builder(Credentials::account_owner("owner-7", "prism-password")),
            &prism,
            prefer,
        )
    };
    let plain = client(None);
    let mut preferring_clients = std::collections::BTreeMap::new();
    let mut judge = Judge::new("hostway", &prism);
    for op in operations() {
        let (_, _, operation) = spec_operation(op.id);
        // The spec's first request example (refused bodies are `x-refused-examples`, not among them).
        let body = request_examples(&operation)
            .into_iter()
            .next()
            .map(|(_, body)| body);
        let outcome = (op.judged)(&plain, body.clone()).await;
        judge.expect_success(op.id, outcome);
        let errors = judge
            .operation(op.id)
            .map(|o| o.error_statuses())
            .unwrap_or_default();
        for status in errors {
            let preferring = preferring_clients
                .entry(status)
                .or_insert_with(|| client(Some(status)));
            let outcome = (op.judged)(preferring, body.clone()).await;
            judge.expect_error(op.id, status, outcome);
        }
    }
    judge.finish();
}

/// A provider added later gets its Prism test too: every spec under `specs/` must have one here.
#[test]
fn every_spec_has_a_prism_test() {
    let specs = concat!(env!("CARGO_MANIFEST_DIR"), "/../specs");
    let this_file = include_str!("prism.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(specs).expect("specs/") {
        let name = entry
            .expect("an entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if let Some(provider) = name.strip_suffix(".yaml") {
            let test = format!("async fn {provider}_against_prism()");
            if !this_file.contains(&test) {
                missing.push(provider.to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "specs without a Prism test in tests/tests/prism.rs: {missing:?}"
    );
}
