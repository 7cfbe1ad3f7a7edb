//! Load: 1,000 concurrent calls through one client to a loopback keep-alive server all succeed, and the
//! server sees far fewer connections than calls (the client reuses them).

use std::time::Instant;

use sdk_mailchannels::Client;
use sdk_tests::faulty::{Answer, FaultyServer};
use sdk_tests::server::Reply;
use serde_json::json;

const CALLS: usize = 1_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_through_one_client_reuse_connections() {
    let server = FaultyServer::always(Answer::Reply(Reply::json(
        200,
        json!({"account_id": "acme-1", "company": "Acme", "enabled": true}),
    )))
    .await;
    let client = Client::builder(sdk_mailchannels::Credentials::api_key("KEY-SENTINEL-load"))
        .base_url(server.url("/reseller/v1"))
        .build()
        .unwrap();
    let started = Instant::now();
    let calls = (0..CALLS).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .get_sub_account()
                .account_id(format!("acme-{i}"))
                .send()
                .await
        })
    });
    let results = futures_util::future::join_all(calls).await;
    let elapsed = started.elapsed();
    let succeeded = results
        .into_iter()
        .filter(|r| matches!(r, Ok(Ok(account)) if account.company.as_deref() == Some("Acme")))
        .count();
    let connections = server.connections();
    sdk_tests::report(format!(
        "load: {succeeded}/{CALLS} concurrent calls succeeded in {elapsed:?} over {connections} connection(s), {} requests seen",
        server.requests().len()
    ));
    assert_eq!(succeeded, CALLS);
    assert_eq!(server.requests().len(), CALLS, "no call retried or lost");
    // The client sends at most DEFAULT_MAX_CONCURRENT_REQUESTS at once; a connection freed while its
    // answer's body is still being read may be replaced, hence the factor 2.
    assert!(
        connections <= 2 * sdk_core::DEFAULT_MAX_CONCURRENT_REQUESTS,
        "connections are reused: {connections} for {CALLS} calls"
    );
}
