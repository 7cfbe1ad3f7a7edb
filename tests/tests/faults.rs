//! Faults, from a loopback server that misbehaves on purpose: every one ends, within a bounded time, in a
//! typed error that keeps the HTTP status when there was one; idempotent requests are retried under the
//! client's `RetryPolicy`, `POST` never is; redirects and oversized bodies come back to the caller.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use sdk_core::decode::{UndecodableBody, UndecodableKind};
use sdk_core::{Authenticator, Credentials, Jitter, RetryPolicy};
use sdk_mailchannels::types::Account;
use sdk_mailchannels::{Client, ClientInfo, Error};
use sdk_tests::faulty::{Answer, FaultyServer, refused_url};
use sdk_tests::server::{Recorded, Reply};
use serde_json::json;

const BASE: &str = "/reseller/v1";

/// Quick, deterministic retries so the tests measure the policy, not the jitter.
fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(50))
        .max_delay(Duration::from_millis(100))
        .jitter(Jitter::None)
}

fn client(url: String, policy: RetryPolicy) -> Client {
    Client::builder(sdk_mailchannels::Credentials::api_key(
        "KEY-SENTINEL-faults",
    ))
    .base_url(url)
    .timeout(Duration::from_secs(5))
    .retry_policy(policy)
    .build()
    .expect("client builds")
}

fn account() -> serde_json::Value {
    json!({"account_id": "acme-1", "company": "Acme", "enabled": true})
}

fn ok_account() -> Answer {
    Answer::Reply(Reply::json(200, account()))
}

/// The status of an `UnexpectedResponse` and why its body was not decoded (if it was a documented one).
fn unexpected<E: std::fmt::Debug>(
    error: Error<E>,
) -> (u16, Option<UndecodableBody>, reqwest::Response) {
    match error {
        Error::UnexpectedResponse(response) => (
            response.status().as_u16(),
            response.extensions().get::<UndecodableBody>().cloned(),
            response,
        ),
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
}

async fn get_account(
    client: &Client,
) -> Result<sdk_mailchannels::ResponseValue<Account>, Error<sdk_mailchannels::types::ErrorResponse>>
{
    client.get_sub_account().account_id("acme-1").send().await
}

#[tokio::test]
async fn connection_refused_is_a_connect_error_after_the_retries() {
    let started = Instant::now();
    let err = get_account(&client(refused_url(BASE).await, quick_retries()))
        .await
        .unwrap_err();
    match &err {
        Error::CommunicationError(e) => assert!(e.is_connect(), "{e:?}"),
        other => panic!("expected a connect error, got {other:?}"),
    }
    assert_eq!(err.status(), None, "no answer, no status");
    // Two waits of 50 and 100 ms between three attempts.
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(150) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn a_reset_before_the_answer_is_retried_for_get() {
    let server = FaultyServer::start(|_, index| match index {
        0 => Answer::RawThenReset(vec![]),
        _ => ok_account(),
    })
    .await;
    let account = get_account(&client(server.url(BASE), quick_retries()))
        .await
        .expect("the second attempt succeeds");
    assert_eq!(account.company.as_deref(), Some("Acme"));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_reset_in_the_middle_of_a_body_keeps_the_status() {
    let server = FaultyServer::always(Answer::RawThenReset(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"account_id\": \"acme-1\", \"comp"
            .to_vec(),
    ))
    .await;
    let started = Instant::now();
    let err = get_account(&client(server.url(BASE), quick_retries()))
        .await
        .unwrap_err();
    let (status, why, response) = unexpected(err);
    assert_eq!(status, 200);
    let why = why.expect("says why");
    assert_eq!(why.kind, UndecodableKind::Unreadable, "{why:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    // The headers had arrived: no retry (the answer was given), and what was read is kept.
    assert_eq!(server.requests().len(), 1);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .starts_with("{\"account_id\"")
    );
}

#[tokio::test]
async fn a_truncated_body_keeps_the_status() {
    let server = FaultyServer::always(Answer::RawThenClose(
        b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"message\": \"no such"
            .to_vec(),
    ))
    .await;
    let err = get_account(&client(server.url(BASE), quick_retries()))
        .await
        .unwrap_err();
    let (status, why, _) = unexpected(err);
    assert_eq!(
        status, 404,
        "a documented error status whose body broke off"
    );
    assert_eq!(why.expect("says why").kind, UndecodableKind::Unreadable);
}

#[tokio::test]
async fn headers_that_never_come_end_at_the_clients_timeout() {
    let server = FaultyServer::always(Answer::Silence).await;
    let client = Client::builder(sdk_mailchannels::Credentials::api_key(
        "KEY-SENTINEL-faults",
    ))
    .base_url(server.url(BASE))
    .timeout(Duration::from_millis(300))
    .retry_policy(RetryPolicy::none())
    .build()
    .unwrap();
    let started = Instant::now();
    let err = get_account(&client).await.unwrap_err();
    let elapsed = started.elapsed();
    match &err {
        Error::CommunicationError(e) => assert!(e.is_timeout(), "{e:?}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(
        elapsed >= Duration::from_millis(300) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
    assert_eq!(server.requests().len(), 1);

    // With retries, each attempt has its own timeout: two attempts, two requests, still bounded.
    let client = Client::builder(sdk_mailchannels::Credentials::api_key(
        "KEY-SENTINEL-faults",
    ))
    .base_url(server.url(BASE))
    .timeout(Duration::from_millis(300))
    .retry_policy(quick_retries().max_attempts(2))
    .build()
    .unwrap();
    let started = Instant::now();
    let err = get_account(&client).await.unwrap_err();
    assert!(
        matches!(&err, Error::CommunicationError(e) if e.is_timeout()),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn an_html_502_page_is_retried_then_kept_with_its_status() {
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let server = FaultyServer::always(Answer::Reply(Reply::raw(502, "text/html", page))).await;
    let err = get_account(&client(server.url(BASE), quick_retries()))
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 3, "three attempts in all");
    let (status, _, response) = unexpected(err);
    assert_eq!(status, 502);
    assert_eq!(response.text().await.unwrap(), page);
}

#[tokio::test]
async fn retry_after_in_seconds_and_as_a_date_is_honoured_for_get() {
    let server = FaultyServer::start(|_, index| match index {
        0 => Answer::Reply(Reply::json(429, json!({})).with_header("retry-after", "1")),
        1 => {
            // An HTTP date two seconds ahead: the wait is between one and two seconds.
            let at = SystemTime::now() + Duration::from_secs(2);
            Answer::Reply(Reply::empty(503).with_header("retry-after", &http_date(at)))
        }
        _ => ok_account(),
    })
    .await;
    let policy = quick_retries().max_attempts(4);
    let account = get_account(&client(server.url(BASE), policy))
        .await
        .unwrap();
    assert_eq!(account.status(), 200);
    let at = server.arrivals();
    assert_eq!(at.len(), 3);
    let (first, second) = (at[1] - at[0], at[2] - at[1]);
    sdk_tests::report(format!(
        "waits honoured: {first:?} after Retry-After: 1, {second:?} after an HTTP date 2 s ahead"
    ));
    assert!(
        first >= Duration::from_secs(1) && first < Duration::from_millis(2_500),
        "{first:?}"
    );
    assert!(
        second >= Duration::from_millis(900) && second < Duration::from_millis(3_500),
        "{second:?}"
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_policys_maximum_goes_back_to_the_caller_at_once() {
    let server = FaultyServer::always(Answer::Reply(
        Reply::json(429, json!({})).with_header("retry-after", "3600"),
    ))
    .await;
    let started = Instant::now();
    let err = get_account(&client(server.url(BASE), quick_retries()))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(server.requests().len(), 1);
    let (status, _, response) = unexpected(err);
    assert_eq!(status, 429);
    assert_eq!(response.headers()["retry-after"], "3600");
}

#[tokio::test]
async fn post_is_never_retried_and_put_is() {
    let server = FaultyServer::start(|request: &Recorded, _| match request.method.as_str() {
        "POST" => Answer::Reply(Reply::empty(503).with_header("retry-after", "0")),
        _ => Answer::Reply(Reply::empty(503)),
    })
    .await;
    let client = client(server.url(BASE), quick_retries());
    let err = client
        .cancel_sub_account()
        .account_id("acme-1")
        .body(sdk_mailchannels::types::SubAccountCommand { cancel: Some(true) })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    let posts = server
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    sdk_tests::report(format!("POSTs seen after a 503: {posts}"));
    assert_eq!(posts, 1, "exactly one POST after a 503");

    let err = client
        .update_sub_account()
        .account_id("acme-1")
        .body(serde_json::from_value::<Account>(account()).unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    let puts: Vec<Recorded> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .collect();
    assert_eq!(puts.len(), 3, "PUT is idempotent: three attempts");
    assert!(
        puts.iter()
            .all(|r| r.body == puts[0].body && !r.body.is_empty()),
        "the same body each time"
    );
}

#[tokio::test]
async fn delete_is_retried_on_504() {
    let server = FaultyServer::start(|_, index| match index {
        0 => Answer::Reply(Reply::raw(504, "text/html", "<h1>Gateway Timeout</h1>")),
        _ => Answer::Reply(Reply::empty(204)),
    })
    .await;
    let hostway = sdk_hostway::Client::builder(sdk_hostway::Credentials::account_owner(
        "owner",
        "PW-SENTINEL-faults",
    ))
    .base_url(server.url(""))
    .retry_policy(quick_retries())
    .build()
    .unwrap();
    let deleted = hostway
        .delete_domain_contact()
        .account("acc")
        .domain("test.com")
        .contact("c1")
        .send()
        .await
        .expect("the second DELETE succeeds");
    assert_eq!(deleted.status(), 204);
    let methods: Vec<String> = server.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["DELETE", "DELETE"]);
}

#[tokio::test]
async fn retries_can_be_switched_off() {
    let server = FaultyServer::always(Answer::Reply(Reply::empty(503))).await;
    let err = get_account(&client(server.url(BASE), RetryPolicy::none()))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_request_whose_body_cannot_be_copied_is_not_retried() {
    let server = FaultyServer::always(Answer::Reply(Reply::empty(503))).await;
    let client = client(server.url(BASE), quick_retries());
    let chunks: Vec<Result<&'static [u8], std::io::Error>> = vec![Ok(b"{}")];
    let mut request = client
        .client()
        .put(server.url("/streamed"))
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .build()
        .unwrap();
    assert!(
        request.try_clone().is_none(),
        "a streaming body cannot be copied"
    );
    *request.timeout_mut() = Some(Duration::from_secs(5));
    let response = client
        .inner()
        .execute(client.client(), request, "test")
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_body_far_larger_than_expected_ends_in_a_typed_error() {
    // Declared: refused from its Content-Length, without reading it.
    let server = FaultyServer::always(Answer::Huge {
        status: 200,
        prefix: b"[".to_vec(),
        length: 200 * 1024 * 1024,
        declare_length: true,
    })
    .await;
    let started = Instant::now();
    let err = client(server.url(BASE), quick_retries())
        .list_sub_accounts()
        .send()
        .await
        .unwrap_err();
    let (status, why, _) = unexpected(err);
    assert_eq!(status, 200);
    assert_eq!(why.expect("says why").kind, UndecodableKind::TooLarge);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // Undeclared (read until the connection closes): reading stops at the client's limit.
    let server = FaultyServer::always(Answer::Huge {
        status: 400,
        prefix: b"{\"message\": \"".to_vec(),
        length: 64 * 1024 * 1024,
        declare_length: false,
    })
    .await;
    let client = Client::builder(sdk_mailchannels::Credentials::api_key(
        "KEY-SENTINEL-faults",
    ))
    .base_url(server.url(BASE))
    .max_response_body(1024 * 1024)
    .build()
    .unwrap();
    let started = Instant::now();
    let err = client.list_sub_accounts().send().await.unwrap_err();
    let (status, why, response) = unexpected(err);
    assert_eq!(
        status, 400,
        "a documented error status, too large to decode"
    );
    let why = why.expect("says why");
    assert_eq!(why.kind, UndecodableKind::TooLarge);
    assert!(why.reason.contains("1048576"), "{}", why.reason);
    assert!(response.bytes().await.unwrap().len() <= sdk_core::decode::KEPT_PREFIX);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_redirect_comes_back_to_the_caller_with_its_location() {
    let server = FaultyServer::always(Answer::Reply(Reply::empty(303).with_header(
        "location",
        "/accounts/acc/email/test.com/usernames?page=1&pageSize=100",
    )))
    .await;
    let hostway = sdk_hostway::Client::builder(sdk_hostway::Credentials::account_owner(
        "owner",
        "PW-SENTINEL-faults",
    ))
    .base_url(server.url(""))
    .build()
    .unwrap();
    let err = hostway
        .list_usernames()
        .account("acc")
        .domain("test.com")
        .send()
        .await
        .unwrap_err();
    let (status, _, response) = unexpected(err);
    assert_eq!(status, 303);
    assert_eq!(
        response.headers()["location"],
        "/accounts/acc/email/test.com/usernames?page=1&pageSize=100"
    );
    assert_eq!(server.requests().len(), 1, "the redirect was not followed");
}

/// An OAuth-like authenticator: every `authorize` hands out a new token; a 401 means the token went stale.
#[derive(Debug, Default)]
struct CountingAuthenticator {
    tokens: AtomicUsize,
}

impl Authenticator for CountingAuthenticator {
    fn authorize<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move {
            let n = self.tokens.fetch_add(1, Ordering::SeqCst) + 1;
            let value = format!("Bearer token-{n}").parse().unwrap();
            request
                .headers_mut()
                .insert(reqwest::header::AUTHORIZATION, value);
            Ok(())
        })
    }

    fn is_stale(&self, _sent: &reqwest::header::HeaderMap, response: &reqwest::Response) -> bool {
        response.status() == 401
    }
}

#[tokio::test]
async fn retries_compose_with_the_one_shot_reauthorisation() {
    let server = FaultyServer::start(|_, index| match index {
        0 => Answer::Reply(Reply::json(401, json!({"message": "expired"}))),
        1 => Answer::Reply(Reply::empty(503)),
        _ => ok_account(),
    })
    .await;
    let authenticator = Arc::new(CountingAuthenticator::default());
    let client: Client = sdk_core::ClientBuilder::new(
        &sdk_mailchannels::PROFILE,
        Credentials::Custom(authenticator.clone()),
    )
    .base_url(server.url(BASE))
    .retry_policy(quick_retries())
    .build()
    .unwrap();
    let account = get_account(&client).await.unwrap();
    assert_eq!(account.status(), 200);
    let tokens: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap_or_default().to_string())
        .collect();
    // The stale token is replaced once; every attempt is authorised when it gets its turn (this
    // authenticator hands out a new token each time it is asked).
    assert_eq!(
        tokens,
        ["Bearer token-1", "Bearer token-2", "Bearer token-3"]
    );

    // A second 401 after re-authorising is the caller's: no loop.
    let server =
        FaultyServer::always(Answer::Reply(Reply::json(401, json!({"message": "no"})))).await;
    let client: Client = sdk_core::ClientBuilder::new(
        &sdk_mailchannels::PROFILE,
        Credentials::Custom(authenticator),
    )
    .base_url(server.url(BASE))
    .retry_policy(quick_retries())
    .build()
    .unwrap();
    let err = get_account(&client).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(server.requests().len(), 2);
}

// ---------------------------------------------------------------------------------------------------------
// Bounds a hostile server must not break (issue 13): no panic from any header, a concurrency limit that
// covers the whole exchange, a deadline on the whole call, credentials asked for when a call has its turn.

#[tokio::test]
async fn a_retry_after_date_in_a_huge_year_ends_in_the_answer_not_a_panic() {
    for date in [
        "Sun, 06 Nov 999999999999 08:49:37 GMT",
        "Sun, 06 Nov 99999999999999999 08:49:37 GMT",
    ] {
        let server = FaultyServer::always(Answer::Reply(
            Reply::empty(503).with_header("retry-after", date),
        ))
        .await;
        let started = Instant::now();
        let err = get_account(&client(server.url(BASE), quick_retries()))
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{date}");
        // Not a date: the policy's own backoff (50 + 100 ms) between the three attempts.
        assert_eq!(server.requests().len(), 3, "{date}");
        assert!(started.elapsed() < Duration::from_secs(3), "{date}");
    }
}

/// `n` calls at once; how long the slowest took.
async fn all_at_once<T>(
    n: usize,
    call: impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>,
) -> (Vec<T>, Duration) {
    let started = Instant::now();
    let results = futures_util::future::join_all((0..n).map(|_| call())).await;
    (results, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_concurrency_limit_holds_while_bodies_are_read() {
    let server = FaultyServer::always(Answer::SlowBody {
        status: 200,
        body: account().to_string().into_bytes(),
        delay: Duration::from_secs(2),
    })
    .await;
    let client = Client::builder(sdk_mailchannels::Credentials::api_key(
        "KEY-SENTINEL-faults",
    ))
    .base_url(server.url(BASE))
    .max_concurrent_requests(32)
    .timeout(Duration::from_secs(10))
    .build()
    .unwrap();
    let (results, slowest) = all_at_once(200, || {
        let client = client.clone();
        Box::pin(async move { get_account(&client).await.map(|a| a.status()) })
    })
    .await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let peak = server.peak_connections();
    println!(
        "faults: 200 calls with 2 s bodies, limit 32: {ok} ok, connections open at once: {peak}, \
         {} accepted, slowest call {slowest:?}",
        server.connections()
    );
    assert_eq!(ok, 200);
    assert!(peak <= 32, "connections open at once: {peak} > 32");
}

#[tokio::test]
async fn an_unexpected_answer_kept_by_the_caller_does_not_hold_a_turn() {
    let server = FaultyServer::start(|_, index| match index {
        0 => Answer::Reply(Reply::raw(418, "text/plain", "I'm a teapot")),
        _ => ok_account(),
    })
    .await;
    let client = Client::builder(sdk_mailchannels::Credentials::api_key(
        "KEY-SENTINEL-faults",
    ))
    .base_url(server.url(BASE))
    .max_concurrent_requests(1)
    .operation_timeout(Duration::from_secs(2))
    .build()
    .unwrap();
    let kept = get_account(&client).await.unwrap_err();
    // The only turn is free again although the error (and its body) is still held.
    let next = get_account(&client).await;
    assert!(next.is_ok(), "{next:?}");
    let (status, _, response) = unexpected(kept);
    assert_eq!(status, 418);
    assert_eq!(
        response.text().await.unwrap(),
        "I'm a teapot",
        "its body is kept"
    );
}

/// A client with a 2 s deadline on each call (and 2 s per attempt).
fn deadline_client(url: String, limit: usize, policy: RetryPolicy) -> Client {
    Client::builder(sdk_mailchannels::Credentials::api_key(
        "KEY-SENTINEL-faults",
    ))
    .base_url(url)
    .timeout(Duration::from_secs(2))
    .operation_timeout(Duration::from_secs(2))
    .max_concurrent_requests(limit)
    .retry_policy(policy)
    .build()
    .unwrap()
}

const DEADLINE_MARGIN: Duration = Duration::from_millis(600);

#[tokio::test]
async fn calls_queued_behind_the_limit_end_at_the_deadline() {
    let server = FaultyServer::always(Answer::After(
        Duration::from_millis(1500),
        Box::new(ok_account()),
    ))
    .await;
    let client = deadline_client(server.url(BASE), 2, RetryPolicy::none());
    let (results, slowest) = all_at_once(10, || {
        let client = client.clone();
        Box::pin(async move { get_account(&client).await })
    })
    .await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let timeouts = results
        .iter()
        .filter(|r| matches!(r, Err(Error::CommunicationError(e)) if e.is_timeout()))
        .count();
    println!(
        "faults: 10 calls of 1.5 s queued behind a limit of 2, deadline 2 s: {ok} ok, {timeouts} timed out, slowest {slowest:?}"
    );
    assert!(
        slowest < Duration::from_secs(2) + DEADLINE_MARGIN,
        "slowest call {slowest:?}"
    );
    assert_eq!(ok + timeouts, 10, "{results:?}");
    assert_eq!(ok, 2, "the first two calls are answered");
}

#[tokio::test]
async fn retries_end_at_the_deadline() {
    let server = FaultyServer::always(Answer::After(
        Duration::from_millis(900),
        Box::new(Answer::Reply(Reply::empty(503))),
    ))
    .await;
    let policy = RetryPolicy::default()
        .max_attempts(5)
        .base_delay(Duration::from_secs(1))
        .max_delay(Duration::from_secs(1))
        .jitter(Jitter::None);
    let started = Instant::now();
    let err = get_account(&deadline_client(server.url(BASE), 32, policy))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    println!(
        "faults: 503 after 0.9 s, 5 attempts 1 s apart, deadline 2 s: ended after {elapsed:?} ({:?})",
        err.status()
    );
    assert!(
        elapsed < Duration::from_secs(2) + DEADLINE_MARGIN,
        "{elapsed:?}"
    );
    // A wait that would end past the deadline is not started (the last answer goes back); an attempt
    // started just before it gets only the time left (a timeout).
    let timed_out = matches!(&err, Error::CommunicationError(e) if e.is_timeout());
    assert!(
        err.status().map(|s| s.as_u16()) == Some(503) || timed_out,
        "{err:?}"
    );
}

#[tokio::test]
async fn a_retry_after_past_the_deadline_is_not_waited_for() {
    let server = FaultyServer::always(Answer::Reply(
        Reply::empty(429).with_header("retry-after", "29"),
    ))
    .await;
    let started = Instant::now();
    let err = get_account(&deadline_client(
        server.url(BASE),
        32,
        RetryPolicy::default(),
    ))
    .await
    .unwrap_err();
    let elapsed = started.elapsed();
    println!("faults: 429 with Retry-After: 29, deadline 2 s: ended after {elapsed:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_body_that_takes_too_long_ends_at_the_deadline() {
    let server = FaultyServer::always(Answer::SlowBody {
        status: 200,
        body: account().to_string().into_bytes(),
        delay: Duration::from_secs(30),
    })
    .await;
    let client = Client::builder(sdk_mailchannels::Credentials::api_key(
        "KEY-SENTINEL-faults",
    ))
    .base_url(server.url(BASE))
    .operation_timeout(Duration::from_secs(1))
    .build()
    .unwrap();
    let started = Instant::now();
    let err = get_account(&client).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(1) + DEADLINE_MARGIN,
        "{:?}",
        started.elapsed()
    );
    let (status, why, _) = unexpected(err);
    assert_eq!(status, 200);
    assert_eq!(why.map(|w| w.kind), Some(UndecodableKind::Unreadable));
}

/// Hands out `Bearer v<generation>`; the test replaces the generation (a token refresh) at will.
#[derive(Debug, Default)]
struct Generations {
    generation: AtomicUsize,
    hang: bool,
}

impl Authenticator for Generations {
    fn authorize<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send + 'a>> {
        Box::pin(async move {
            if self.hang {
                std::future::pending::<()>().await;
            }
            let value = format!("Bearer v{}", self.generation.load(Ordering::SeqCst));
            request
                .headers_mut()
                .insert(reqwest::header::AUTHORIZATION, value.parse().unwrap());
            Ok(())
        })
    }
}

#[tokio::test]
async fn calls_queued_while_a_token_was_replaced_go_out_with_the_new_one() {
    let authenticator = Arc::new(Generations::default());
    let replaced = authenticator.clone();
    let server = FaultyServer::start(move |_, index| {
        if index == 0 {
            // The token is replaced while the other calls wait for their turn.
            replaced.generation.store(2, Ordering::SeqCst);
            return Answer::After(Duration::from_millis(300), Box::new(ok_account()));
        }
        ok_account()
    })
    .await;
    authenticator.generation.store(1, Ordering::SeqCst);
    let client: Client = sdk_core::ClientBuilder::new(
        &sdk_mailchannels::PROFILE,
        Credentials::Custom(authenticator.clone()),
    )
    .base_url(server.url(BASE))
    .max_concurrent_requests(1)
    .build()
    .unwrap();
    let (results, _) = all_at_once(5, || {
        let client = client.clone();
        Box::pin(async move { get_account(&client).await.map(|a| a.status()) })
    })
    .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let tokens: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        tokens,
        [
            "Bearer v1",
            "Bearer v2",
            "Bearer v2",
            "Bearer v2",
            "Bearer v2"
        ]
    );
}

#[tokio::test]
async fn an_authenticator_that_hangs_ends_in_a_timed_out_error() {
    let server = FaultyServer::always(ok_account()).await;
    let client: Client = sdk_core::ClientBuilder::new(
        &sdk_mailchannels::PROFILE,
        Credentials::Custom(Arc::new(Generations {
            hang: true,
            ..Generations::default()
        })),
    )
    .base_url(server.url(BASE))
    .timeout(Duration::from_millis(500))
    .build()
    .unwrap();
    let started = Instant::now();
    let outcome = tokio::time::timeout(Duration::from_secs(5), get_account(&client)).await;
    let elapsed = started.elapsed();
    let err = outcome.expect("the call ends by itself").unwrap_err();
    match &err {
        Error::Custom(message) => assert!(message.contains("timed out"), "{message}"),
        other => panic!("expected Error::Custom, got {other:?}"),
    }
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
    assert_eq!(
        server.requests().len(),
        0,
        "nothing was sent without credentials"
    );
}

#[tokio::test]
async fn a_byte_order_mark_before_json_is_skipped() {
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend(account().to_string().into_bytes());
    let server =
        FaultyServer::always(Answer::Reply(Reply::raw(200, "application/json", body))).await;
    let account = get_account(&client(server.url(BASE), quick_retries()))
        .await
        .expect("a BOM before valid JSON is accepted (RFC 8259 §8.1)");
    assert_eq!(account.account_id.as_deref(), Some("acme-1"));
}

#[tokio::test]
async fn an_answer_head_of_2000_headers_is_not_retried_and_says_why() {
    let mut head = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n".to_string();
    for i in 0..2000 {
        head.push_str(&format!("x-filler-{i}: {i}\r\n"));
    }
    head.push_str("\r\n{}");
    let server = FaultyServer::always(Answer::RawThenClose(head.into_bytes())).await;
    let err = get_account(&client(server.url(BASE), quick_retries()))
        .await
        .unwrap_err();
    let chain = {
        let mut text = format!("{err}");
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            text.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        text
    };
    println!("faults: 2,000 headers: {chain}");
    assert!(matches!(err, Error::CommunicationError(_)), "{err:?}");
    assert_eq!(server.requests().len(), 1, "not retried: {chain}");
    assert!(
        chain.contains("too large") || chain.contains("too many"),
        "{chain}"
    );
}

/// IMF-fixdate of `at` (RFC 9110), written independently of the runtime's parser.
fn http_date(at: SystemTime) -> String {
    let secs = at.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}
