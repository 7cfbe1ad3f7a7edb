//! A call's `tracing` span and events, captured by a subscriber of the test's own, as a downstream crate
//! would: the span's fields, a retry event, a re-authorisation event, and no secret and no URL anywhere.
//! Alone in its test binary: tracing caches per call site whether anyone listens, process-wide, and a test
//! running beside it without a subscriber would race with this one.

#[path = "support/server.rs"]
mod server;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sdk_mailchannels::{Client, RetryPolicy};
use server::{Reply, Server, json};

const KEY: &str = "DOWNSTREAM-SECRET-key";
const SECRET: &str = "DOWNSTREAM-SECRET";

fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(20))
}

// ---------------------------------------------------------------------------------------------------------
// A subscriber that keeps every span, span record and event as a line of text.

#[derive(Clone, Default)]
struct Capture {
    lines: Arc<Mutex<Vec<String>>>,
    next: Arc<AtomicU64>,
}

struct Fields(String);

impl tracing_core::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing_core::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl tracing_core::Subscriber for Capture {
    fn enabled(&self, _: &tracing_core::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing_core::span::Attributes<'_>) -> tracing_core::span::Id {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = Fields(format!("span#{id} {}:", span.metadata().name()));
        span.record(&mut fields);
        self.lines.lock().unwrap().push(fields.0);
        tracing_core::span::Id::from_u64(id)
    }
    fn record(&self, id: &tracing_core::span::Id, values: &tracing_core::span::Record<'_>) {
        let mut fields = Fields(format!("record#{}:", id.into_u64()));
        values.record(&mut fields);
        self.lines.lock().unwrap().push(fields.0);
    }
    fn record_follows_from(&self, _: &tracing_core::span::Id, _: &tracing_core::span::Id) {}
    fn event(&self, event: &tracing_core::Event<'_>) {
        let mut fields = Fields(format!(
            "event {} {}:",
            event.metadata().level(),
            event.metadata().target()
        ));
        event.record(&mut fields);
        self.lines.lock().unwrap().push(fields.0);
    }
    fn enter(&self, _: &tracing_core::span::Id) {}
    fn exit(&self, _: &tracing_core::span::Id) {}
}

#[tokio::test]
async fn a_call_has_one_span_with_its_fields_a_retry_event_and_no_secret() {
    let capture = Capture::default();
    // This thread only (the test's runtime runs every task on it).
    let _guard =
        tracing_core::dispatcher::set_default(&tracing_core::Dispatch::new(capture.clone()));
    let server = Server::start(|_, n| match n {
        0 => Reply::Http(503, vec![], String::new()),
        _ => Reply::Http(
            200,
            vec![
                ("content-type", "application/json".into()),
                ("x-request-id", "req-42".into()),
            ],
            serde_json::json!({"account_id": "acme-1"}).to_string(),
        ),
    })
    .await;
    let client = Client::builder(sdk_mailchannels::Credentials::api_key(KEY))
        .base_url(&server.url)
        .retry_policy(quick())
        .build()
        .unwrap();
    client
        .get_sub_account()
        .account_id("acme-1")
        .send()
        .await
        .expect("second attempt succeeds");
    // ResellerClub sends its API key in the query: the span names the route, never the URL.
    let reseller = Server::start(|_, _| {
        json(
            200,
            serde_json::json!({"status": "SUCCESS", "message": "added"}),
        )
    })
    .await;
    let resellerclub =
        sdk_resellerclub::Client::builder(sdk_resellerclub::Credentials::new(42, KEY))
            .base_url(&reseller.url)
            .build()
            .unwrap();
    let _ = resellerclub
        .add_forward_only_account()
        .order_id(5555)
        .email("alias@example.com")
        .forwards("a@example.net")
        .send()
        .await;
    assert!(
        reseller.seen()[0].target.contains(KEY),
        "the key went in the query"
    );
    // MailUp: a 401 saying the token expired gets the request re-authorised once (an event).
    let mailup_server = Server::start(|request, _| {
        if request.target.starts_with("/token") {
            return json(
                200,
                serde_json::json!({"access_token": "DOWNSTREAM-SECRET-token", "refresh_token": "DOWNSTREAM-SECRET-refresh", "expires_in": 3600}),
            );
        }
        json(
            401,
            serde_json::json!({"ErrorCode": "401", "ErrorDescription": "Authorization error: Access token is expired", "ErrorName": "Unauthorized", "ErrorStack": null}),
        )
    })
    .await;
    let oauth = sdk_mailup::OAuth::builder(
        "client-id",
        "DOWNSTREAM-SECRET-client",
        "m12345",
        "DOWNSTREAM-SECRET-password",
    )
    .token_url(format!("{}/token", mailup_server.url))
    .build()
    .unwrap();
    let mailup = sdk_mailup::Client::builder(oauth)
        .base_url(format!("{}/api", mailup_server.url))
        .build()
        .unwrap();
    let refused = mailup
        .get_activation_status()
        .id_activation(7)
        .send()
        .await
        .unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(401));

    let lines = capture.lines.lock().unwrap().clone();
    let text = lines.join("\n");
    println!("captured:\n{text}");
    let spans: Vec<&String> = lines.iter().filter(|l| l.contains(" sdk.call:")).collect();
    assert_eq!(spans.len(), 3, "one span per call:\n{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("event DEBUG sdk_core") && l.contains("credentials went stale")),
        "a re-authorisation event:\n{text}"
    );
    let span = spans[0];
    for field in [
        "sdk=\"sdk-mailchannels\"",
        "operation=\"get_sub_account\"",
        "method=\"GET\"",
        "route=\"/sub_accounts/{account_id}\"",
    ] {
        assert!(span.contains(field), "{field} in {span}");
    }
    for field in [
        "attempts=2",
        "status=200",
        "request_id=\"req-42\"",
        "duration_ms=",
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("record#1:") && l.contains(field)),
            "{field} recorded on the span:\n{text}"
        );
    }
    assert!(
        lines.iter().any(|l| l.starts_with("event")
            && l.contains("reason=\"HTTP 503\"")
            && l.contains("wait_ms=")),
        "a retry event with its reason and wait:\n{text}"
    );
    assert!(
        spans[1].contains("route=\"/mail/user/add-forward-only-account.json\""),
        "{}",
        spans[1]
    );
    // The SDK's own records (hyper's events are not the SDK's to shape).
    let own: Vec<&String> = lines
        .iter()
        .filter(|l| !l.starts_with("event") || l.contains(" sdk_core"))
        .collect();
    assert!(
        own.iter()
            .all(|l| !l.contains('?') && !l.contains("127.0.0.1")),
        "no URL, no query:\n{text}"
    );
    assert!(!text.contains(SECRET), "no secret:\n{text}");
}
