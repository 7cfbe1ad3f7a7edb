//! The SDKs against the floor: each measurement runs the SDK and the same work written by hand with
//! reqwest + serde side by side, in one process, against one loopback server.
//!
//! `cargo xtask bench` runs this (and the generation and compile-cost measurements) and records the figures
//! in BENCHMARKS.md. Alone: `cargo bench -p sdk-bench --bench sdk_vs_hand [-- MODE]`, MODE one of `all`
//! (the default), `per-call`, `decode`, `memory`, `smoke` (a few calls of each, to check the harness).
//! Each figure is printed as a readable line and as one `figure {json}` line that the xtask reads.

use std::collections::HashMap;
use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::header::ACCEPT;
use serde::Deserialize;
use serde::de::{self, Deserializer};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const API_KEY: &str = "bench-api-key";
const BASE_PATH: &str = "/reseller/v1";
/// What the SDK builder sets on its `reqwest::Client`; the hand-written client gets the same.
const USER_AGENT: &str = concat!("sdk-mailchannels/", "0.1.0");
const TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Rounds per side of each decoding figure (each round decodes 10,000 entries).
const DECODE_ROUNDS: usize = 40;

const DOWNLOAD_BYTES: u64 = 100 * 1024 * 1024;
const DOWNLOAD_CHUNK: usize = 64 * 1024;

fn main() {
    // `cargo bench` passes `--bench`; anything else not starting with `-` is the mode.
    let mode = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| "all".into());
    match mode.as_str() {
        "all" => {
            memory();
            per_call(PerCall::FULL);
            decode(DECODE_ROUNDS);
        }
        "per-call" => per_call(PerCall::FULL),
        "decode" => decode(DECODE_ROUNDS),
        "memory" => memory(),
        "memory-sdk" => memory_child(Side::Sdk),
        "memory-hand" => memory_child(Side::Hand),
        "smoke" => {
            per_call(PerCall::SMOKE);
            decode(1);
        }
        other => {
            eprintln!("unknown mode `{other}` (all, per-call, decode, memory, smoke)");
            std::process::exit(2);
        }
    }
}

/// One figure: printed for people and, as JSON, for `cargo xtask bench`.
struct Figure<'a> {
    id: &'a str,
    label: &'a str,
    sdk: f64,
    hand: f64,
    unit: &'a str,
    target: &'a str,
    met: bool,
    note: String,
}

impl Figure<'_> {
    fn print(&self) {
        let ratio = self.sdk / self.hand;
        println!(
            "{:<34} sdk {:>9.2} {u}  hand {:>9.2} {u}  ratio {ratio:.3}  target {}  {}",
            self.label,
            self.sdk,
            self.hand,
            self.target,
            if self.met { "MET" } else { "MISSED" },
            u = self.unit,
        );
        let record = json!({
            "id": self.id, "label": self.label, "sdk": self.sdk, "hand": self.hand, "unit": self.unit,
            "ratio": ratio, "target": self.target, "met": self.met, "note": self.note,
        });
        println!("figure {record}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// The loopback server: HTTP/1.1 keep-alive, GET only (every request of these benchmarks is one), answers
// from the path. Minimal so that it costs the same for both sides and little in total.

fn account_json() -> Vec<u8> {
    json!({
        "account_id": "acme-1", "smtp_passwords": ["pw-1"], "company": "Acme", "website": "acme.example",
        "address": "1 Road", "city": "Vancouver", "province": "BC", "post_code": "V5K", "country": "CA",
        "phone": "+1 555", "enabled": true
    })
    .to_string()
    .into_bytes()
}

async fn start_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let account = account_json();
    let mut small = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        account.len()
    )
    .into_bytes();
    small.extend_from_slice(&account);
    let small: &'static [u8] = small.leak();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let _ = socket.set_nodelay(true);
            tokio::spawn(connection(socket, small));
        }
    });
    format!("http://{addr}{BASE_PATH}")
}

async fn connection(mut socket: TcpStream, small: &'static [u8]) {
    let mut buffer = Vec::with_capacity(4096);
    loop {
        let head_end = loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            match socket.read_buf(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        };
        let download = buffer.starts_with(b"GET /reseller/v1/downloads/");
        buffer.drain(..head_end);
        let written = if download {
            stream_download(&mut socket).await
        } else {
            socket.write_all(small).await
        };
        if written.is_err() {
            return;
        }
    }
}

/// `DOWNLOAD_BYTES` of generated bytes, one chunk at a time: the server holds no more than one chunk.
async fn stream_download(socket: &mut TcpStream) -> std::io::Result<()> {
    static CHUNK: [u8; DOWNLOAD_CHUNK] = [b'P'; DOWNLOAD_CHUNK];
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/zip\r\ncontent-length: {DOWNLOAD_BYTES}\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await?;
    let mut left = DOWNLOAD_BYTES as usize;
    while left > 0 {
        let n = left.min(DOWNLOAD_CHUNK);
        socket.write_all(&CHUNK[..n]).await?;
        left -= n;
    }
    Ok(())
}

fn runtime() -> tokio::runtime::Runtime {
    // One thread for server and clients: no scheduling noise between the two sides.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn sdk_client(base_url: &str) -> sdk_mailchannels::Client {
    sdk_mailchannels::Client::builder(sdk_mailchannels::Credentials::api_key(API_KEY))
        .base_url(base_url)
        .timeout(TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
        .expect("SDK client")
}

/// The `reqwest::Client` a careful hand-writer would build: the SDK builder's settings.
fn hand_client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .timeout(TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
        .expect("reqwest client")
}

// ---------------------------------------------------------------------------------------------------------
// 1. Per-call overhead: MailChannels `GET /sub_accounts/{account_id}` (a small JSON answer).

/// The same answer as `sdk_mailchannels::types::Account`, written by hand.
#[derive(Deserialize)]
#[allow(dead_code)] // read through `black_box` only
struct HandAccount {
    account_id: Option<String>,
    #[serde(default)]
    smtp_passwords: Vec<String>,
    company: Option<String>,
    website: Option<String>,
    address: Option<String>,
    city: Option<String>,
    province: Option<String>,
    post_code: Option<String>,
    country: Option<String>,
    phone: Option<String>,
    enabled: Option<bool>,
}

/// The request the SDK sends (same headers, same key header), written by hand.
async fn hand_get_sub_account(
    http: &reqwest::Client,
    base_url: &str,
    account_id: &str,
) -> Result<HandAccount, String> {
    let response = http
        .get(format!("{base_url}/sub_accounts/{account_id}"))
        .header(ACCEPT, "application/json")
        .header("x-api-key", API_KEY)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status() != 200 {
        return Err(format!("status {}", response.status()));
    }
    response.json().await.map_err(|e| e.to_string())
}

#[derive(Clone, Copy)]
struct PerCall {
    warm_up: usize,
    blocks: usize,
    block: usize,
}

impl PerCall {
    const FULL: Self = Self {
        warm_up: 2_000,
        blocks: 200,
        block: 250,
    };
    const SMOKE: Self = Self {
        warm_up: 1,
        blocks: 2,
        block: 3,
    };
}

fn per_call(plan: PerCall) {
    runtime().block_on(async {
        let base_url = start_server().await;
        let sdk = sdk_client(&base_url);
        let hand = hand_client();

        let sdk_call = || async {
            let account = sdk
                .get_sub_account()
                .account_id("acme-1")
                .send()
                .await
                .expect("SDK call")
                .into_inner();
            assert_eq!(account.account_id.as_deref(), Some("acme-1"));
            black_box(account);
        };
        let hand_call = || async {
            let account = hand_get_sub_account(&hand, &base_url, "acme-1")
                .await
                .expect("hand-written call");
            assert_eq!(account.account_id.as_deref(), Some("acme-1"));
            black_box(account);
        };

        for _ in 0..plan.warm_up {
            sdk_call().await;
            hand_call().await;
        }
        let mut sdk_times = Vec::with_capacity(plan.blocks * plan.block);
        let mut hand_times = Vec::with_capacity(plan.blocks * plan.block);
        // Blocks alternate which side goes first, so drift (load from other processes) hits both alike.
        for block in 0..plan.blocks {
            for side in [block % 2, (block + 1) % 2] {
                for _ in 0..plan.block {
                    let start = Instant::now();
                    if side == 0 {
                        sdk_call().await;
                        sdk_times.push(start.elapsed());
                    } else {
                        hand_call().await;
                        hand_times.push(start.elapsed());
                    }
                }
            }
        }
        let calls = sdk_times.len();
        let (sdk_median, sdk_p99) = median_p99(&mut sdk_times);
        let (hand_median, hand_p99) = median_p99(&mut hand_times);
        let note = format!(
            "MailChannels get_sub_account, {calls} calls per side in {} interleaved blocks after {} warm-up calls; \
             loopback keep-alive server in the same process (one tokio thread)",
            plan.blocks, plan.warm_up
        );
        for (id, label, sdk, hand) in [
            ("per_call_median", "per-call median", sdk_median, hand_median),
            ("per_call_p99", "per-call p99", sdk_p99, hand_p99),
        ] {
            let (sdk, hand) = (micros(sdk), micros(hand));
            Figure {
                id,
                label,
                sdk,
                hand,
                unit: "µs",
                target: "ratio <= 1.05",
                met: sdk / hand <= 1.05,
                note: note.clone(),
            }
            .print();
        }
    });
}

fn median_p99(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

// ---------------------------------------------------------------------------------------------------------
// 2. Decoding large answers through the SDK's decode path (`sdk_core::decode::json_response`, what every
//    generated `send` calls) versus `reqwest::Response::json` into hand-written structs. Both start from a
//    `reqwest::Response` holding the body in memory, so only decoding differs.

fn hostway_mailboxes(entries: usize) -> Vec<u8> {
    let list: Vec<_> = (0..entries)
        .map(|i| {
            json!({
                "username": format!("user{i}"),
                "webmailAccess": (["standard", "premium", "activesync"][i % 3]),
                "links": [{"href": format!("https://api.hostway.example/accounts/acct-1/email/example.com/usernames/user{i}/mailbox/"), "rel": "self"}],
                "type": "imap",
                "quota": 100 + i % 900,
                "master": i == 0,
                "trialType": "premium",
                "trialExpiration": "2018-10-28",
                "allowUpgrade": i % 2 == 0
            })
        })
        .collect();
    json!({
        "totalCount": entries,
        "links": [{"href": "https://api.hostway.example/accounts/acct-1/email/example.com/usernames?page=1&pageSize=10000", "rel": "self"}],
        "list": list
    })
    .to_string()
    .into_bytes()
}

/// ResellerClub sends numbers and booleans as strings, and numbers the entries of a page ("1", "2", ...).
fn resellerclub_transactions(records: usize) -> Vec<u8> {
    let mut page = serde_json::Map::new();
    page.insert("recsonpage".into(), json!(records.to_string()));
    page.insert("recsindb".into(), json!((records * 3).to_string()));
    for i in 0..records {
        page.insert(
            (i + 1).to_string(),
            json!({
                "customer_transaction.transid": (50_000_000 + i).to_string(),
                "customer_transaction.transactiondate": (1_700_000_000 + i * 60).to_string(),
                "customer_transaction.orderid": (80_000_000 + i).to_string(),
                "customer_transaction.key": format!("RCINV{i:08}"),
                "customer_transaction.type": (["invoice", "receipt", "credit", "debit"][i % 4]),
                "customer_transaction.description": format!("Renewal of mail plan for domain{i}.example"),
                "greedy": if i % 5 == 0 { "true" } else { "false" },
                "customer_transaction.customerid": (20_000_000 + i % 500).to_string(),
                "customer_transaction.sellingcurrencysymbol": "USD",
                "customer_transaction.sellingamount": format!("{}.{:02}", 10 + i % 90, i % 100),
                "customer_transaction.unutilisedsellingamount": "0.00",
                "customer_transaction.accountingcurrencysymbol": "USD",
                "customer_transaction.accountingamount": format!("{}.{:02}", 10 + i % 90, i % 100),
                "customer_transaction.unutilisedaccountingamount": "0.0",
                "forexdiff": "0.0"
            }),
        );
    }
    serde_json::Value::Object(page).to_string().into_bytes()
}

/// What one would write by hand for the Hostway list: the same fields, strings for the enum-like ones.
#[derive(Deserialize)]
#[allow(dead_code)]
struct HandUsernameList {
    #[serde(rename = "totalCount")]
    total_count: Option<i64>,
    #[serde(default)]
    links: Vec<HandLink>,
    #[serde(default)]
    list: Vec<HandUsernameEntry>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandLink {
    href: Option<String>,
    rel: Option<String>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandUsernameEntry {
    username: Option<String>,
    #[serde(rename = "webmailAccess")]
    webmail_access: Option<String>,
    #[serde(default)]
    links: Vec<HandLink>,
    #[serde(rename = "type")]
    type_: Option<String>,
    quota: Option<i64>,
    master: Option<bool>,
    #[serde(rename = "trialType")]
    trial_type: Option<String>,
    #[serde(rename = "trialExpiration")]
    trial_expiration: Option<String>,
    #[serde(rename = "allowUpgrade")]
    allow_upgrade: Option<bool>,
}

/// What one would write by hand for the ResellerClub page: the counters, and the numbered entries
/// (`flatten`), with the string-encoded scalars parsed into the same types the SDK gives.
#[derive(Deserialize)]
#[allow(dead_code)]
struct HandTransactionPage {
    #[serde(default, deserialize_with = "string_or_native")]
    recsonpage: Option<i64>,
    #[serde(default, deserialize_with = "string_or_native")]
    recsindb: Option<i64>,
    #[serde(flatten)]
    records: HashMap<String, HandTransaction>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct HandTransaction {
    #[serde(
        rename = "customer_transaction.transid",
        default,
        deserialize_with = "string_or_native"
    )]
    transid: Option<i64>,
    #[serde(
        rename = "customer_transaction.transactiondate",
        default,
        deserialize_with = "string_or_native"
    )]
    transactiondate: Option<i64>,
    #[serde(
        rename = "customer_transaction.orderid",
        default,
        deserialize_with = "string_or_native"
    )]
    orderid: Option<i64>,
    #[serde(rename = "customer_transaction.key")]
    key: Option<String>,
    #[serde(rename = "customer_transaction.type")]
    type_: Option<String>,
    #[serde(rename = "customer_transaction.description")]
    description: Option<String>,
    #[serde(default, deserialize_with = "string_or_native")]
    greedy: Option<bool>,
    #[serde(
        rename = "customer_transaction.customerid",
        default,
        deserialize_with = "string_or_native"
    )]
    customerid: Option<i64>,
    #[serde(rename = "customer_transaction.sellingcurrencysymbol")]
    sellingcurrencysymbol: Option<String>,
    #[serde(
        rename = "customer_transaction.sellingamount",
        default,
        deserialize_with = "string_or_native"
    )]
    sellingamount: Option<f64>,
    #[serde(
        rename = "customer_transaction.unutilisedsellingamount",
        default,
        deserialize_with = "string_or_native"
    )]
    unutilisedsellingamount: Option<f64>,
    #[serde(rename = "customer_transaction.accountingcurrencysymbol")]
    accountingcurrencysymbol: Option<String>,
    #[serde(
        rename = "customer_transaction.accountingamount",
        default,
        deserialize_with = "string_or_native"
    )]
    accountingamount: Option<f64>,
    #[serde(
        rename = "customer_transaction.unutilisedaccountingamount",
        default,
        deserialize_with = "string_or_native"
    )]
    unutilisedaccountingamount: Option<f64>,
    #[serde(default, deserialize_with = "string_or_native")]
    forexdiff: Option<f64>,
}

/// The usual hand-written helper for APIs that quote their scalars: a string is parsed, anything else is
/// taken as the type itself.
fn string_or_native<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: std::str::FromStr + Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either<'a, T> {
        Text(&'a str),
        Native(T),
    }
    match Either::<T>::deserialize(deserializer)? {
        Either::Text(text) => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| de::Error::custom(format!("not a number or boolean: {text:?}"))),
        Either::Native(value) => Ok(Some(value)),
    }
}

fn response_of(body: &bytes::Bytes) -> reqwest::Response {
    let mut response = http_response(body.clone());
    response
        .headers_mut()
        .insert("content-type", "application/json".parse().expect("header"));
    reqwest::Response::from(response)
}

fn http_response(body: bytes::Bytes) -> http::Response<reqwest::Body> {
    http::Response::new(reqwest::Body::from(body))
}

fn decode(rounds: usize) {
    let hostway = bytes::Bytes::from(hostway_mailboxes(10_000));
    let resellerclub = bytes::Bytes::from(resellerclub_transactions(10_000));
    runtime().block_on(async {
        let hostway_sdk = || async {
            let list = sdk_core::decode::json_response::<sdk_hostway::types::UsernameList, ()>(
                response_of(&hostway),
            )
            .await
            .expect("SDK decodes the mailbox list")
            .into_inner();
            assert_eq!(list.list.len(), 10_000);
            black_box(list);
        };
        let hostway_hand = || async {
            let list: HandUsernameList = response_of(&hostway)
                .json()
                .await
                .expect("hand-written structs decode the mailbox list");
            assert_eq!(list.list.len(), 10_000);
            black_box(list);
        };
        let (sdk, hand) = time_pair(rounds, hostway_sdk, hostway_hand).await;
        Figure {
            id: "decode_hostway",
            label: "decode 10,000 Hostway mailboxes",
            sdk,
            hand,
            unit: "ms",
            target: "ratio <= 1.10",
            met: sdk / hand <= 1.10,
            note: format!(
                "{} KB of JSON; median of {rounds} interleaved rounds; SDK: sdk_core::decode::json_response into \
                 types::UsernameList (open enums, NaiveDate, 0-or-1 flag); hand: Response::json into plain structs",
                hostway.len() / 1024
            ),
        }
        .print();

        use sdk_resellerclub::types::CustomerTransactionSearchResultOrError as Answer;
        let resellerclub_sdk = || async {
            let answer = sdk_core::decode::json_response::<Answer, ()>(response_of(&resellerclub))
                .await
                .expect("SDK decodes the transaction page")
                .into_inner();
            let Answer::CustomerTransactionSearchResult(page) = &answer else {
                panic!("decoded as an error: {answer:?}");
            };
            assert_eq!(page.extra.len(), 10_000);
            black_box(answer);
        };
        let resellerclub_hand = || async {
            let page: HandTransactionPage = response_of(&resellerclub)
                .json()
                .await
                .expect("hand-written structs decode the transaction page");
            assert_eq!(page.records.len(), 10_000);
            black_box(page);
        };
        let (sdk, hand) = time_pair(rounds, resellerclub_sdk, resellerclub_hand).await;
        Figure {
            id: "decode_resellerclub",
            label: "decode 10,000 ResellerClub records",
            sdk,
            hand,
            unit: "ms",
            target: "ratio <= 1.10",
            met: sdk / hand <= 1.10,
            note: format!(
                "{} KB of JSON; median of {rounds} interleaved rounds; SDK: the generated error-or-page union \
                 (sdk_core::loose scalars, numbered entries); hand: one struct with flatten and a string-or-number helper",
                resellerclub.len() / 1024
            ),
        }
        .print();
    });
}

/// Median milliseconds of each side over `rounds` interleaved rounds (after one warm-up round each).
async fn time_pair<A, B, FA, FB>(rounds: usize, mut sdk: A, mut hand: B) -> (f64, f64)
where
    A: FnMut() -> FA,
    B: FnMut() -> FB,
    FA: Future<Output = ()>,
    FB: Future<Output = ()>,
{
    sdk().await;
    hand().await;
    let mut sdk_times = Vec::with_capacity(rounds);
    let mut hand_times = Vec::with_capacity(rounds);
    for round in 0..rounds {
        for side in [round % 2, (round + 1) % 2] {
            let start = Instant::now();
            if side == 0 {
                sdk().await;
                sdk_times.push(start.elapsed());
            } else {
                hand().await;
                hand_times.push(start.elapsed());
            }
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (
        ms(median_p99(&mut sdk_times).0),
        ms(median_p99(&mut hand_times).0),
    )
}

// ---------------------------------------------------------------------------------------------------------
// 3. Memory: a 100 MB MailChannels plugin download streamed to a file. Each side runs in a process of its
//    own (this binary, re-run), so that neither reuses heap the other grew.

#[derive(Clone, Copy)]
enum Side {
    Sdk,
    Hand,
}

fn memory() {
    let exe = std::env::current_exe().expect("own path");
    let mut growth = Vec::new();
    for mode in ["memory-sdk", "memory-hand"] {
        let output = std::process::Command::new(&exe)
            .arg(mode)
            .output()
            .expect("run the memory measurement");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{mode} failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let kib: f64 = stdout
            .lines()
            .find_map(|l| l.strip_prefix("growth-kib "))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{mode} printed no growth: {stdout}"));
        growth.push(kib / 1024.0);
    }
    Figure {
        id: "memory_download",
        label: "100 MB download: peak RSS growth",
        sdk: growth[0],
        hand: growth[1],
        unit: "MB",
        target: "sdk < 16 MB",
        met: growth[0] < 16.0,
        note: "MailChannels download_plugin streamed to a file, one process per side; growth = VmHWM after the \
               download - VmRSS before it (high-water mark reset through /proc/self/clear_refs); the in-process \
               server holds one 64 KiB chunk"
            .into(),
    }
    .print();
}

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}

fn memory_child(side: Side) {
    let dir = std::env::temp_dir();
    let path = dir.join(format!("sdk-bench-download-{}.zip", std::process::id()));
    runtime().block_on(async {
        let base_url = start_server().await;
        let sdk = sdk_client(&base_url);
        let hand = hand_client();
        let download = |to: std::path::PathBuf| {
            let (sdk, hand, base_url) = (&sdk, &hand, &base_url);
            async move {
                let mut file = std::io::BufWriter::new(std::fs::File::create(&to).expect("file"));
                let mut written = 0u64;
                match side {
                    Side::Sdk => {
                        let mut stream = sdk
                            .download_plugin()
                            .filename("mailchannels-cpanel")
                            .account_id("acme-1")
                            .smtp_password(sdk_core::Secret::new("pw-1"))
                            .send()
                            .await
                            .expect("SDK download")
                            .into_inner();
                        while let Some(chunk) = stream.next().await {
                            let chunk = chunk.expect("chunk");
                            written += chunk.len() as u64;
                            file.write_all(&chunk).expect("write");
                        }
                    }
                    Side::Hand => {
                        let mut response = hand
                            .get(format!("{base_url}/downloads/plugins/mailchannels-cpanel"))
                            .query(&[("account_id", "acme-1"), ("smtp_password", "pw-1")])
                            .header("x-api-key", API_KEY)
                            .send()
                            .await
                            .expect("hand-written download");
                        assert_eq!(response.status(), 200);
                        while let Some(chunk) = response.chunk().await.expect("chunk") {
                            written += chunk.len() as u64;
                            file.write_all(&chunk).expect("write");
                        }
                    }
                }
                file.flush().expect("flush");
                assert_eq!(written, DOWNLOAD_BYTES);
            }
        };
        // One small call first opens the keep-alive connection; the growth is then the download's own.
        match side {
            Side::Sdk => drop(
                sdk.get_sub_account()
                    .account_id("acme-1")
                    .send()
                    .await
                    .expect("SDK call"),
            ),
            Side::Hand => drop(
                hand_get_sub_account(&hand, &base_url, "acme-1")
                    .await
                    .expect("hand call"),
            ),
        }
        let before = status_kib("VmRSS:");
        std::fs::write("/proc/self/clear_refs", "5").expect("reset the high-water mark");
        download(path.clone()).await;
        let peak = status_kib("VmHWM:");
        println!("growth-kib {}", peak.saturating_sub(before));
    });
    let _ = std::fs::remove_file(&path);
}
