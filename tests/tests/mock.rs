//! The `mock` feature used exactly as a downstream crate would: depend on the SDK with
//! `features = ["mock"]`, start httpmock's `MockServer`, point the client at it, describe the expected call
//! with the typed `MockServerExt` helpers, and check the call and the typed result.

use httpmock::MockServer;

#[tokio::test]
async fn resellerclub_array_query_parameters_are_matched_element_by_element() {
    use sdk_resellerclub::mock::MockServerExt;
    use sdk_resellerclub::types::{
        CustomerTransactionSearchResult, CustomerTransactionSearchResultOrError,
    };
    use sdk_resellerclub::{Client, Credentials, IntoResult};

    let server = MockServer::start_async().await;
    let page: CustomerTransactionSearchResult = serde_json::from_value(serde_json::json!({
        "recsonpage": "1", "recsindb": "7",
        "1": {"customer_transaction.transid": "55770001", "customer_transaction.sellingamount": "-10.0"}
    }))
    .expect("a search result");
    let body = CustomerTransactionSearchResultOrError::CustomerTransactionSearchResult(page);
    let mock = server.search_customer_transactions(|when, then| {
        when.no_of_records(30)
            .page_no(1)
            .customer_id(&vec![1, 2])
            .username(None);
        then.ok(&body);
    });
    let client = Client::builder(Credentials::new(123456, "test-key"))
        .base_url(server.base_url())
        .build()
        .expect("client builds");

    let page = client
        .search_customer_transactions()
        .no_of_records(30)
        .page_no(1)
        .customer_id(vec![1, 2])
        .send()
        .await
        .into_result()
        .expect("the mock answers")
        .into_inner()
        .into_page();
    mock.assert_async().await;
    assert_eq!(page.records_in_db, Some(7));
    assert_eq!(page.records.len(), 1);
    assert_eq!(
        page.records[0]
            .customer_transaction_sellingamount
            .map(|n| n.get()),
        Some(-10.0)
    );

    // Another element list is another request: the mock does not match it (httpmock answers 404).
    let other = client
        .search_customer_transactions()
        .no_of_records(30)
        .page_no(1)
        .customer_id(vec![3])
        .send()
        .await;
    assert_eq!(
        other.err().and_then(|e| e.status()).map(|s| s.as_u16()),
        Some(404)
    );
    assert_eq!(mock.calls_async().await, 1);
}

#[tokio::test]
async fn mailchannels_path_arguments_and_typed_errors() {
    use sdk_mailchannels::mock::MockServerExt;
    use sdk_mailchannels::types::{Account, ErrorResponse};
    use sdk_mailchannels::{Client, Error, PathSegment};

    let server = MockServer::start_async().await;
    // A path argument the SDK percent-encodes (`@`), with a `.` that must not match any character.
    let id = PathSegment::new("acme.1@example").expect("a segment");
    let found = server.get_sub_account(|when, then| {
        when.account_id(&id);
        then.ok(&Account {
            company: Some("Acme".into()),
            enabled: Some(true),
            ..Default::default()
        });
    });
    let missing = server.get_sub_account(|when, then| {
        when.account_id(&PathSegment::new("gone").expect("a segment"));
        then.not_found(&ErrorResponse {
            message: Some("no such account".into()),
            ..Default::default()
        });
    });
    let client = Client::builder(sdk_mailchannels::Credentials::api_key("test-key"))
        .base_url(server.base_url())
        .build()
        .expect("client builds");

    let account = client
        .get_sub_account()
        .account_id("acme.1@example")
        .send()
        .await
        .expect("the mock answers");
    assert_eq!(account.company.as_deref(), Some("Acme"));
    found.assert_async().await;

    match client.get_sub_account().account_id("gone").send().await {
        Err(Error::ErrorResponse(e)) => {
            assert_eq!(e.status().as_u16(), 404);
            assert_eq!(e.message.as_deref(), Some("no such account"));
        }
        other => panic!("expected the typed 404, got {other:?}"),
    }
    missing.assert_async().await;

    // `acmeX1@example` differs only where the pattern had a `.`: not matched.
    let near = client
        .get_sub_account()
        .account_id("acmeX1@example")
        .send()
        .await;
    assert_eq!(
        near.err().and_then(|e| e.status()).map(|s| s.as_u16()),
        Some(404)
    );
    assert_eq!(found.calls_async().await, 1);
}
