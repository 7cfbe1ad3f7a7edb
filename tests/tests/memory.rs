//! Peak memory of one client under answers that never end (issue 13): 128 calls at once, each answered with
//! JSON that streams for ever. The client reads at most `max_response_body` of each, and at most
//! `max_concurrent_requests` answers at once, so the growth stays within the README's worst case:
//! limit × body limit for the answers being read, plus what the kept errors hold. Measured by a counting
//! global allocator (this test binary only; its tests run one at a time, so nothing else allocates meanwhile).
//!
//! Also: a ResellerClub error-or-page answer is decoded in one pass (issue 14), holding no more than the page
//! type alone does.

use std::time::Duration;

use sdk_core::decode::{KEPT_PREFIX, UndecodableBody, UndecodableKind};
use sdk_mailchannels::{Client, Error};
use sdk_tests::faulty::{Answer, FaultyServer};
use sdk_tests::hostile::CountingAlloc;

#[global_allocator]
static ALLOCATOR: CountingAlloc = CountingAlloc::new();

const MIB: usize = 1024 * 1024;

/// The allocator's figures are process-wide: one test at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_json_answers_stay_within_the_documented_worst_case() {
    let _alone = ONE_AT_A_TIME.lock().await;
    const CALLS: usize = 128;
    const LIMIT: usize = 32;
    const BODY_LIMIT: usize = MIB;
    let server = FaultyServer::always(Answer::Huge {
        status: 200,
        prefix: b"{\"account_id\": \"".to_vec(),
        length: usize::MAX,
        declare_length: false,
    })
    .await;
    let client = Client::builder(sdk_mailchannels::Credentials::api_key(
        "KEY-SENTINEL-memory",
    ))
    .base_url(server.url("/reseller/v1"))
    .max_concurrent_requests(LIMIT)
    .max_response_body(BODY_LIMIT)
    .timeout(Duration::from_secs(60))
    .build()
    .unwrap();
    let baseline = ALLOCATOR.now();
    ALLOCATOR.reset_peak();
    let results = futures_util::future::join_all((0..CALLS).map(|_| {
        let client = client.clone();
        async move { client.get_sub_account().account_id("acme-1").send().await }
    }))
    .await;
    let growth = ALLOCATOR.peak() - baseline;
    let too_large = results
        .iter()
        .filter(|r| {
            matches!(r, Err(Error::UnexpectedResponse(response))
                if response.extensions().get::<UndecodableBody>().map(|u| u.kind) == Some(UndecodableKind::TooLarge))
        })
        .count();
    // Per answer being read: the body limit plus hyper's read buffer (it grows to 8 KiB + 400 KiB); what the
    // caller keeps (each error: the first KEPT_PREFIX bytes); room for 128 calls' tasks and sockets, and this
    // test's server (its 64 KiB filler per connection).
    const HYPER_BUFFER: usize = 8192 + 4096 * 100;
    let kept = CALLS * KEPT_PREFIX;
    let slack = 8 * MIB;
    let bound = LIMIT * (BODY_LIMIT + HYPER_BUFFER) + kept + slack;
    println!(
        "memory: {CALLS} endless JSON answers, limit {LIMIT} x (body limit {} MiB + hyper buffer): peak growth \
         {:.1} MiB (bound {:.1} MiB, of which {:.1} MiB kept errors and {} MiB slack), connections open at \
         once: {}, {too_large} too-large errors",
        BODY_LIMIT / MIB,
        growth as f64 / MIB as f64,
        bound as f64 / MIB as f64,
        kept as f64 / MIB as f64,
        slack / MIB,
        server.peak_connections(),
    );
    assert_eq!(too_large, CALLS);
    assert!(growth <= bound, "peak growth {growth} > {bound}");
}

/// A ResellerClub search page of `records` transactions, scalars as strings, entries numbered from "1".
fn search_page(records: usize) -> Vec<u8> {
    let mut page = serde_json::Map::new();
    page.insert("recsonpage".into(), records.to_string().into());
    page.insert("recsindb".into(), (records * 3).to_string().into());
    for i in 0..records {
        page.insert(
            (i + 1).to_string(),
            serde_json::json!({
                "customer_transaction.transid": (50_000_000 + i).to_string(),
                "customer_transaction.key": format!("RCINV{i:08}"),
                "customer_transaction.type": "invoice",
                "customer_transaction.description": format!("Renewal of mail plan for domain{i}.example"),
                "greedy": "false",
                "customer_transaction.sellingamount": "10.00",
            }),
        );
    }
    serde_json::Value::Object(page).to_string().into_bytes()
}

/// The error-or-page union of the transaction searches is read by its `status` tag, in one pass: decoding a
/// 10,000-record page through it holds at most 10 % more than decoding the page type itself. (Trial decoding,
/// `#[serde(untagged)]`, held the whole body as serde's content tree and a copy of it besides.)
#[test]
fn an_error_or_page_answer_is_decoded_in_one_pass() {
    use sdk_resellerclub::types::{
        CustomerTransactionSearchResult as Page, CustomerTransactionSearchResultOrError as Answer,
    };
    let _alone = ONE_AT_A_TIME.blocking_lock();
    let body = search_page(10_000);
    let peak = |decode: &dyn Fn()| {
        let before = ALLOCATOR.now();
        ALLOCATOR.reset_peak();
        decode();
        ALLOCATOR.peak() - before
    };
    let floor = peak(&|| {
        let page: Page = serde_json::from_slice(&body).unwrap();
        assert_eq!(page.extra.len(), 10_000);
    });
    let union = peak(&|| {
        let answer: Answer = serde_json::from_slice(&body).unwrap();
        assert!(
            matches!(answer, Answer::CustomerTransactionSearchResult(p) if p.extra.len() == 10_000)
        );
    });
    println!(
        "memory: decoding a {:.1} MiB ResellerClub page of 10,000 records: peak {:.1} MiB through the error-or-page \
         union, {:.1} MiB as the page type alone (ratio {:.2})",
        body.len() as f64 / MIB as f64,
        union as f64 / MIB as f64,
        floor as f64 / MIB as f64,
        union as f64 / floor as f64,
    );
    assert!(
        union <= floor + floor / 10,
        "peak {union} through the union, {floor} for the page alone"
    );
}
