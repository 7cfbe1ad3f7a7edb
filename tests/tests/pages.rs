//! The page walks generated from the specs' `x-pagination`, driven against a scripted list server for every
//! paged list but Hostway's (tests/tests/hostway.rs attacks those five): MailChannels `list_sub_accounts` and
//! `get_sub_accounts_stats` (offset/limit, a bare array, no total), MailUp `list_profiles` and
//! `list_profile_packs` (PageNumber from 0/PageSize, `Items`, `TotalElementsCount`) and ResellerClub's two
//! transaction searches (page-no from 1/no-of-records, numbered members, `recsindb`, errors with HTTP 200).
//!
//! Each list is played by the same server in five ways: an honest list over several pages, a server that
//! ignores the page argument (repeats its first page), a total that grows during the walk, a page that fails
//! with the operation's documented error, and an endless list. The walk must end every time, name why, keep
//! the typed error body and hand back every entry received before an error.

use std::collections::HashMap;
use std::fmt::Debug;

use futures_util::StreamExt;
use sdk_core::pages::{EntryOf, ListPage, PageError, PagedRequest, Pages};
use sdk_tests::hostile::{Answer, HostileServer};
use serde_json::{Value, json};

/// How a list counts its position.
#[derive(Clone, Copy, Debug)]
enum Counting {
    /// A page number, the first being this.
    PagesFrom(u64),
    /// The index of the page's first entry.
    Offset,
}

/// How the server reads a request and writes a page of a list.
#[derive(Clone, Copy)]
struct Shape {
    name: &'static str,
    position: &'static str,
    size: &'static str,
    counting: Counting,
    /// Whether the page says the list's total.
    total: bool,
    /// A page's body: the entries' numbers, and the total.
    page: fn(&[u64], u64) -> Value,
    /// The operation's documented error: status and body, carrying `FAILURE`.
    error: fn() -> (u16, Value),
}

const FAILURE: &str = "page three failed";

/// How the server plays the list.
#[derive(Clone, Copy, Debug)]
enum Play {
    /// `len` entries, honestly paged.
    Honest(u64),
    /// Answers every request with the first page.
    IgnoresPosition,
    /// The total grows by one with every page.
    GrowingTotal,
    /// The third page fails with the documented error.
    FailsOnPageThree,
    /// Full pages forever, no total.
    Endless,
}

const LEN: u64 = 1_000_000;

/// The arguments of a query string, decoded.
fn pairs(query: &str) -> HashMap<String, String> {
    reqwest::Url::parse(&format!("http://list.invalid/?{query}"))
        .expect("a query string")
        .query_pairs()
        .into_owned()
        .collect()
}

fn answer(shape: Shape, play: Play, query: &str) -> Answer {
    let query = pairs(query);
    let number = |name: &str| -> u64 {
        query
            .get(name)
            .unwrap_or_else(|| panic!("{}: no `{name}` in the request", shape.name))
            .parse()
            .expect("a number")
    };
    let (position, size) = (number(shape.position), number(shape.size));
    let offset = match shape.counting {
        Counting::PagesFrom(first) => (position - first) * size,
        Counting::Offset => position,
    };
    let (offset, len, total) = match play {
        Play::Honest(len) => (offset, len, len),
        Play::IgnoresPosition => (0, LEN, LEN),
        Play::GrowingTotal => (offset, LEN, LEN + offset),
        Play::FailsOnPageThree if offset == 2 * size => {
            let (status, body) = (shape.error)();
            return Answer::json(status, &body);
        }
        Play::FailsOnPageThree => (offset, LEN, LEN),
        Play::Endless => (offset, u64::MAX, u64::MAX),
    };
    let ids: Vec<u64> = (offset..len.min(offset + size)).collect();
    Answer::json(200, &(shape.page)(&ids, total))
}

/// What a walk gave: the pages streamed (status, entries), how the stream ended, and what
/// `collect_entries` returned (entries, and its error).
#[derive(Debug)]
struct Outcome {
    pages: Vec<(u16, Vec<u64>)>,
    end: Option<End>,
    collected: Vec<u64>,
    collect_end: Option<End>,
    requests: Vec<String>,
}

#[derive(Debug, PartialEq)]
struct End {
    /// The `PageError` variant.
    kind: String,
    page: Option<u64>,
    /// For a failed request: its status, and whether the typed error body carries `FAILURE`.
    status: Option<u16>,
    typed_body: bool,
}

fn end<E: Debug>(error: &PageError<E>) -> End {
    let debug = format!("{error:?}");
    let (status, typed_body) = match error {
        PageError::Request {
            source: sdk_core::Error::ErrorResponse(answer),
            ..
        } => (
            Some(answer.status().as_u16()),
            format!("{:?}", answer.as_ref()).contains(FAILURE),
        ),
        PageError::Request { source, .. } => (source.status().map(|s| s.as_u16()), false),
        _ => (None, false),
    };
    End {
        kind: debug
            .split([' ', '{', '('])
            .next()
            .unwrap_or_default()
            .to_string(),
        page: error.page(),
        status,
        typed_body,
    }
}

/// Walks the list twice (a stream of pages, then `collect_entries`) against a server playing `play`.
async fn walk<R>(
    shape: Shape,
    play: Play,
    page_size: R::Size,
    make: impl Fn(&str) -> Pages<R>,
    number: fn(&EntryOf<R>) -> u64,
) -> Outcome
where
    R: PagedRequest,
    R::Error: Debug,
    EntryOf<R>: serde::Serialize + Send,
{
    let server = HostileServer::start(None, move |context| {
        answer(shape, play, context.request.query()).script()
    })
    .await;
    let url = server.url("");
    let limited = |pages: Pages<R>| pages.page_size(page_size).max_pages(6);
    let mut pages = Vec::new();
    let mut end_of_stream = None;
    let mut stream = std::pin::pin!(limited(make(&url)).stream());
    while let Some(page) = stream.next().await {
        match page {
            Ok(page) => pages.push((
                page.status().as_u16(),
                page.into_inner()
                    .into_entries()
                    .iter()
                    .map(number)
                    .collect(),
            )),
            Err(error) => {
                end_of_stream = Some(end(&error));
                break;
            }
        }
    }
    let (collected, collect_end) = match limited(make(&url)).collect_entries().await {
        Ok(all) => (all.iter().map(number).collect(), None),
        Err(incomplete) => (
            incomplete.received.iter().map(number).collect(),
            Some(end(&incomplete.error)),
        ),
    };
    Outcome {
        pages,
        end: end_of_stream,
        collected,
        collect_end,
        requests: server
            .requests()
            .iter()
            .map(|r| r.query().to_string())
            .collect(),
    }
}

/// Checks one list in the five plays, with pages of 3.
async fn attack<R>(
    shape: Shape,
    page_size: R::Size,
    make: impl Fn(&str) -> Pages<R> + Copy,
    number: fn(&EntryOf<R>) -> u64,
) where
    R: PagedRequest,
    R::Error: Debug,
    EntryOf<R>: serde::Serialize + Send,
{
    let name = shape.name;
    // Several pages: 7 entries in pages of 3.
    let honest = walk(shape, Play::Honest(7), page_size, make, number).await;
    assert_eq!(honest.end, None, "{name}: {honest:?}");
    assert_eq!(
        honest.pages,
        [(200, vec![0, 1, 2]), (200, vec![3, 4, 5]), (200, vec![6])],
        "{name}"
    );
    assert_eq!(honest.collected, (0..7).collect::<Vec<_>>(), "{name}");
    let positions: Vec<String> = honest.requests[..3]
        .iter()
        .map(|query| {
            let pairs = pairs(query);
            format!(
                "{}={}&{}={}",
                shape.position, pairs[shape.position], shape.size, pairs[shape.size]
            )
        })
        .collect();
    let expected: Vec<String> = (0..3)
        .map(|i| {
            let position = match shape.counting {
                Counting::PagesFrom(first) => first + i,
                Counting::Offset => 3 * i,
            };
            format!("{}={position}&{}=3", shape.position, shape.size)
        })
        .collect();
    assert_eq!(positions, expected, "{name}: what each request asked for");

    // A server that ignores the page argument: stopped at the second page, the first kept.
    let repeated = walk(shape, Play::IgnoresPosition, page_size, make, number).await;
    let stop = End {
        kind: "RepeatedPage".into(),
        page: Some(2),
        status: None,
        typed_body: false,
    };
    assert_eq!(repeated.end.as_ref(), Some(&stop), "{name}");
    assert_eq!(repeated.collect_end.as_ref(), Some(&stop), "{name}");
    assert_eq!(repeated.collected, [0, 1, 2], "{name}");

    // A total that changes during the walk (a list without a total cannot tell: it walks to the cap).
    let growing = walk(shape, Play::GrowingTotal, page_size, make, number).await;
    if shape.total {
        let stop = End {
            kind: "TotalChanged".into(),
            page: Some(2),
            status: None,
            typed_body: false,
        };
        assert_eq!(growing.collect_end, Some(stop), "{name}");
        assert_eq!(growing.collected, [0, 1, 2], "{name}");
    } else {
        assert_eq!(
            growing.collect_end.map(|e| e.kind).as_deref(),
            Some("CapReached")
        );
    }

    // The third page fails: the typed error body and its status are kept, and so are pages 1 and 2.
    let failing = walk(shape, Play::FailsOnPageThree, page_size, make, number).await;
    let (status, _) = (shape.error)();
    let stop = End {
        kind: "Request".into(),
        page: Some(3),
        status: Some(status),
        typed_body: true,
    };
    assert_eq!(failing.end.as_ref(), Some(&stop), "{name}: {failing:?}");
    assert_eq!(failing.collect_end.as_ref(), Some(&stop), "{name}");
    assert_eq!(failing.pages.len(), 2, "{name}");
    assert_eq!(failing.collected, (0..6).collect::<Vec<_>>(), "{name}");

    // An endless list: the page cap (6 here) ends it, with the 18 entries received.
    let endless = walk(shape, Play::Endless, page_size, make, number).await;
    let stop = End {
        kind: "CapReached".into(),
        page: Some(7),
        status: None,
        typed_body: false,
    };
    assert_eq!(endless.collect_end, Some(stop), "{name}");
    assert_eq!(endless.collected, (0..18).collect::<Vec<_>>(), "{name}");
    assert_eq!(endless.requests.len(), 12, "{name}: 6 requests per walk");
    println!("{name}: 5 plays, every walk ended as expected");
}

fn id_of(text: Option<&str>) -> u64 {
    text.and_then(|t| t.rsplit('-').next()?.parse().ok())
        .expect("an entry the server numbered")
}

#[tokio::test]
async fn mailchannels_lists_walk_by_offset_and_limit() {
    use sdk_mailchannels::{Client, RetryPolicy};
    let client = |url: &str| {
        Client::builder(sdk_mailchannels::Credentials::api_key("key"))
            .base_url(url)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap()
    };
    let shape = |name, page: fn(&[u64], u64) -> Value| Shape {
        name,
        position: "offset",
        size: "limit",
        counting: Counting::Offset,
        total: false,
        page,
        error: || (500, json!({"message": FAILURE})),
    };
    attack(
        shape("mailchannels list_sub_accounts", |ids, _| {
            json!(
                ids.iter()
                    .map(|i| json!({"account_id": format!("acct-{i}"), "enabled": true}))
                    .collect::<Vec<_>>()
            )
        }),
        3,
        move |url| {
            // Leaked: each walk borrows its client for the test's duration.
            let client: &'static Client = Box::leak(Box::new(client(url)));
            client.list_sub_accounts().show_all(true).pages()
        },
        |account| id_of(account.account_id.as_deref()),
    )
    .await;
    attack(
        shape("mailchannels get_sub_accounts_stats", |ids, _| {
            json!(
                ids.iter()
                    .map(|i| json!({"account_id": format!("acct-{i}"), "usage": []}))
                    .collect::<Vec<_>>()
            )
        }),
        3,
        move |url| {
            let client: &'static Client = Box::leak(Box::new(client(url)));
            client.get_sub_accounts_stats().pages()
        },
        |record| id_of(record.account_id.as_deref()),
    )
    .await;
}

#[tokio::test]
async fn mailup_lists_walk_by_page_number_from_zero() {
    use sdk_mailup::{Client, RetryPolicy};
    let client = |url: &str| {
        Client::builder(sdk_mailup::Credentials::bearer("token"))
            .base_url(url)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap()
    };
    let page = |ids: &[u64], total: u64| {
        json!({
            "IsPaginated": true,
            "Items": ids.iter().map(|i| json!({"Id": i, "Name": format!("item-{i}")})).collect::<Vec<_>>(),
            "PageSize": 3,
            "TotalElementsCount": total.min(i32::MAX as u64),
        })
    };
    let shape = |name| Shape {
        name,
        position: "PageNumber",
        size: "PageSize",
        counting: Counting::PagesFrom(0),
        total: true,
        page,
        error: || {
            (
                401,
                json!({"ErrorCode": "401", "ErrorDescription": FAILURE, "ErrorName": "Unauthorized"}),
            )
        },
    };
    attack(
        shape("mailup list_profiles"),
        3,
        move |url| {
            let client: &'static Client = Box::leak(Box::new(client(url)));
            client.list_profiles().pages()
        },
        |profile| profile.id.expect("numbered") as u64,
    )
    .await;
    attack(
        shape("mailup list_profile_packs"),
        3,
        move |url| {
            let client: &'static Client = Box::leak(Box::new(client(url)));
            client.list_profile_packs().id_profile(1046).pages()
        },
        |pack| pack.id.expect("numbered") as u64,
    )
    .await;
}

#[tokio::test]
async fn resellerclub_searches_walk_by_page_number_from_one_and_an_error_answer_ends_them() {
    use sdk_resellerclub::{Client, RetryPolicy};
    let client = |url: &str| {
        Client::builder(sdk_resellerclub::Credentials::new(123456, "key"))
            .base_url(url)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap()
    };
    let page = |ids: &[u64], total: u64| {
        let mut page = serde_json::Map::new();
        page.insert("recsonpage".into(), json!(ids.len().to_string()));
        page.insert(
            "recsindb".into(),
            json!(total.min(i64::MAX as u64).to_string()),
        );
        for (position, id) in ids.iter().enumerate() {
            page.insert(
                (position + 1).to_string(),
                json!({"customer_transaction.transid": id.to_string(), "greedy": "false"}),
            );
        }
        Value::Object(page)
    };
    // ResellerClub's errors come with HTTP 200: the walk must not take one for an empty last page.
    let shape = |name| Shape {
        name,
        position: "page-no",
        size: "no-of-records",
        counting: Counting::PagesFrom(1),
        total: true,
        page,
        error: || (200, json!({"status": "ERROR", "message": FAILURE})),
    };
    let number = |transaction: &sdk_resellerclub::types::CustomerTransaction| {
        transaction
            .customer_transaction_transid
            .as_ref()
            .expect("numbered")
            .get() as u64
    };
    attack(
        shape("resellerclub search_customer_transactions"),
        3,
        move |url| {
            let client: &'static Client = Box::leak(Box::new(client(url)));
            client
                .search_customer_transactions()
                .customer_id(vec![7])
                .pages()
        },
        number,
    )
    .await;
    attack(
        shape("resellerclub search_customer_archived_transactions"),
        3,
        move |url| {
            let client: &'static Client = Box::leak(Box::new(client(url)));
            client.search_customer_archived_transactions().pages()
        },
        number,
    )
    .await;
}
