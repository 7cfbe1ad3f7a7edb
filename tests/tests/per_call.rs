//! Per-call control on every operation of every SDK (the table derived from the manifest):
//! `client.with_options(RequestOptions)` bounds a call by its own deadline although the client's is long,
//! sends the call's extra headers, and never lets them replace the credentials.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use sdk_core::{RequestOptions, RetryPolicy};
use sdk_tests::faulty::{Answer, FaultyServer};
use sdk_tests::server::Reply;
use serde_json::json;
use support::{Args, Bound, Observed, Sdk, Settings};

const TOKEN_PATH: &str = "/Authorization/OAuth/Token";

/// Answers MailUp's token requests; everything else as `other`.
async fn server(other: Answer) -> FaultyServer {
    FaultyServer::start(move |request, _| {
        if request.path().starts_with(TOKEN_PATH) {
            Answer::Reply(Reply::json(
                200,
                json!({"access_token": "t", "refresh_token": "r", "expires_in": 3600}),
            ))
        } else {
            other.clone()
        }
    })
    .await
}

/// `sdk`'s client on `url` with a long deadline of its own (60 s per attempt and per call), every operation
/// called through `with_options(options)`. MailUp authenticates with OAuth 2.0 (tokens from the same server);
/// every other SDK with the credentials its spec's security schemes describe.
fn bound(sdk: &Sdk, url: &str, options: RequestOptions) -> Bound {
    let credentials = match sdk.name {
        "mailup" => sdk_mailup::OAuth::builder("app", "secret", "user", "password")
            .token_url(format!("{url}{TOKEN_PATH}"))
            .build()
            .expect("oauth builds")
            .into(),
        name => support::spec_credentials(name, "user", "key")
            .unwrap_or_else(|| panic!("{name}: no credentials for its security scheme")),
    };
    let settings = Settings {
        timeout: Some(Duration::from_secs(60)),
        operation_timeout: Some(Duration::from_secs(60)),
        retry: Some(RetryPolicy::none()),
        options: Some(options),
        ..Settings::new(url)
    };
    (sdk.bind)(&settings, credentials)
}

/// Calls every operation of `bound`, one after another.
async fn call_each(bound: &Bound, args: &Arc<Args>) -> Vec<(&'static str, Observed)> {
    let mut observed = Vec::new();
    for (id, call, _) in &bound.operations {
        observed.push((*id, call(args.clone()).await));
    }
    observed
}

/// Every operation of one SDK through `with_options`: on a silent server they all end at the call's
/// deadline; on an answering one each request carries the call's header; a credential header is refused.
async fn check(sdk: &Sdk) -> Vec<String> {
    let name = sdk.name;
    let args = Arc::new(Args::new(name));
    let mut wrong = Vec::new();

    let silent = server(Answer::Silence).await;
    let deadline = Duration::from_millis(300);
    let quick = bound(
        sdk,
        &silent.url(""),
        RequestOptions::new().deadline(deadline),
    );
    let operations = quick.operations.len();
    let started = Instant::now();
    let observed = futures_util::future::join_all(quick.operations.iter().map(|(id, call, _)| {
        let args = args.clone();
        async move { (*id, call(args).await) }
    }))
    .await;
    let took = started.elapsed();
    for (id, observed) in &observed {
        let timed_out = observed.kind == "communication" || observed.shown.contains("timed out");
        if !timed_out {
            wrong.push(format!("{name}: {id}: not a timeout: {}", observed.shown));
        }
    }
    if took > deadline + Duration::from_millis(700) {
        wrong.push(format!(
            "{name}: {operations} calls with a deadline of {deadline:?} took {took:?}"
        ));
    }

    let answering = server(Answer::Reply(Reply::json(200, json!({})))).await;
    let tagged = bound(
        sdk,
        &answering.url(""),
        RequestOptions::new()
            .header("x-call-tag", "per-call-7")
            .expect("valid header"),
    );
    call_each(&tagged, &args).await;
    let requests: Vec<_> = answering
        .requests()
        .into_iter()
        .filter(|r| !r.path().starts_with(TOKEN_PATH))
        .collect();
    let untagged = requests
        .iter()
        .filter(|r| r.header("x-call-tag") != Some("per-call-7"))
        .count();
    if requests.len() < operations || untagged > 0 {
        wrong.push(format!(
            "{name}: {} requests for {operations} operations, {untagged} without the call's header",
            requests.len(),
        ));
    }

    // A credential header per call is refused before anything is sent.
    let before = answering.requests().len();
    let forged = bound(
        sdk,
        &answering.url(""),
        RequestOptions::new()
            .header("authorization", "Bearer forged")
            .expect("valid header"),
    );
    for (id, observed) in call_each(&forged, &args).await {
        if observed.kind != "invalid_request" {
            wrong.push(format!(
                "{name}: {id}: a per-call Authorization was not refused: {} {}",
                observed.kind, observed.shown
            ));
        }
    }
    let sent = answering.requests().len() - before;
    if sent > 0 {
        wrong.push(format!(
            "{name}: {sent} requests sent with a forged credential"
        ));
    }
    sdk_tests::report(format!(
        "per call: {name}: {operations} operations ended at a {deadline:?} deadline in {took:?} (client deadline \
         60 s); {} requests carried the call's header; {operations} refused a per-call Authorization",
        requests.len(),
    ));
    wrong
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_call_options_apply_to_every_operation_of_every_sdk() {
    let mut wrong = Vec::new();
    for sdk in support::every_sdk() {
        wrong.extend(check(&sdk).await);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
