//! Walking a paged list, page after page, with bounds: one walker for every paged list operation of every
//! SDK (page and page size, offset and limit, page number from 0 or from 1).
//!
//! An operation is walkable when its request builder implements [`PagedRequest`] (how to ask for one page)
//! and its answer [`ListPage`] (where the entries, the total and the `next` hint are); the builder's
//! `pages()` method then returns a [`Pages`]: a [`Stream`] of pages (each a [`ResponseValue`], status and
//! headers kept), a stream of entries, or every entry in one call. `cargo xtask generate` writes those impls
//! and `pages()` from the operation's `x-pagination` in the spec (`xtask/src/paginate.rs`), with the helpers
//! [`count`], [`next_link`] and [`numbered`] reading totals, links and numbered entries the same way for
//! every provider.
//!
//! # When a walk ends
//!
//! After the last page, which is the first page that
//! - has fewer entries than the page size (an empty page included), or
//! - says there is no next page ([`ListPage::has_next`] is `Some(false)`), or
//! - brings the number of entries received to the list's total ([`ListPage::total`]), when the service
//!   sends one.
//!
//! Or early, with a [`PageError`] naming why; the pages before it were delivered, and
//! [`Pages::collect_entries`] hands their entries back in its error ([`Incomplete`]):
//! - a request failed ([`PageError::Request`], with the typed error: status and body);
//! - a cap was reached ([`PageError::CapReached`]): at most [`DEFAULT_MAX_PAGES`] requests and
//!   [`DEFAULT_MAX_ENTRIES`] entries by default, see [`Pages::max_pages`] and [`Pages::max_entries`];
//! - the total changed between two pages ([`PageError::TotalChanged`]): the list changed during the walk;
//! - a page repeats an earlier one ([`PageError::RepeatedPage`]), brings only entries already seen
//!   ([`PageError::NoNewEntries`]) or some of them ([`PageError::ShiftedWindow`]): the service does not
//!   honour the page argument, or the list moved under the walk.
//!
//! A page that fails a check is not delivered (its entries are not trustworthy); nothing delivered before
//! it is lost. Entries are compared by a keyed hash of their serialized form (a hostile server cannot aim
//! at collisions); the walker keeps one hash per entry (8 bytes), so its own memory is bounded by the
//! entry cap.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::io;

use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};
use progenitor_client::ResponseValue;

use crate::Error;

/// The most requests a walk sends unless told otherwise ([`Pages::max_pages`]).
pub const DEFAULT_MAX_PAGES: u64 = 1_000;

/// The walk asks for no further page once it holds this many entries, unless told otherwise
/// ([`Pages::max_entries`]).
pub const DEFAULT_MAX_ENTRIES: u64 = 100_000;

/// One page of a list, as the service answered it.
pub trait ListPage {
    /// One entry of the list.
    type Entry;

    /// The entries of this page, in the list's order.
    fn entries(&self) -> Vec<&Self::Entry>;

    /// The entries of this page, by value, in the list's order.
    fn into_entries(self) -> Vec<Self::Entry>;

    /// The number of entries of the whole list, when the page says.
    fn total(&self) -> Option<u64> {
        None
    }

    /// Whether the page says a next page exists (`Some(false)`: this is the last page); `None` when it
    /// does not say.
    fn has_next(&self) -> Option<bool> {
        None
    }
}

/// A list answered as a bare JSON array (MailChannels): its entries, no total, no `next` hint.
impl<T> ListPage for Vec<T> {
    type Entry = T;

    fn entries(&self) -> Vec<&T> {
        self.iter().collect()
    }

    fn into_entries(self) -> Vec<T> {
        self
    }
}

/// A count the service sends (a list's total): a JSON integer, or a string of digits (some services quote
/// their numbers), of any type that serializes as one; `None` for anything else (absent, negative, text).
/// Generated [`ListPage::total`]s call it, so one rule reads every provider's total.
pub fn count<T: serde::Serialize + ?Sized>(value: &T) -> Option<u64> {
    match serde_json::to_value(value).ok()? {
        serde_json::Value::Number(number) => number.as_u64(),
        serde_json::Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// Whether a page's hypermedia links name a next page: `None` when there are no links (the page does not
/// say), else whether one has `rel` `next` (any case). Each link is read through its serialized form, so any
/// link type with a `rel` member works.
pub fn next_link<L: serde::Serialize>(links: &[L]) -> Option<bool> {
    if links.is_empty() {
        return None;
    }
    Some(links.iter().any(|link| {
        serde_json::to_value(link)
            .ok()
            .and_then(|link| {
                link.get("rel")
                    .and_then(serde_json::Value::as_str)
                    .map(|rel| rel.eq_ignore_ascii_case("next"))
            })
            .unwrap_or(false)
    }))
}

/// The entries of a page sent as numbered members (`"1"`, `"2"`, ..., `"10"`: ResellerClub's searches),
/// in the order of their numbers; a member whose name is not a number is not an entry.
pub fn numbered<T>(members: &HashMap<String, T>) -> Vec<&T> {
    let mut entries: Vec<(u64, &T)> = members
        .iter()
        .filter_map(|(key, entry)| Some((key.trim().parse().ok()?, entry)))
        .collect();
    entries.sort_by_key(|(position, _)| *position);
    entries.into_iter().map(|(_, entry)| entry).collect()
}

/// [`numbered`], by value.
pub fn into_numbered<T>(members: HashMap<String, T>) -> Vec<T> {
    let mut entries: Vec<(u64, T)> = members
        .into_iter()
        .filter_map(|(key, entry)| Some((key.trim().parse().ok()?, entry)))
        .collect();
    entries.sort_by_key(|(position, _)| *position);
    entries.into_iter().map(|(_, entry)| entry).collect()
}

/// Where the page to ask for is, in every way the services count: the walker asks for `size` entries
/// starting at `offset`, which is page `number` (from 1) or `index` (from 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageAt {
    /// The page's number, counted from 1.
    pub number: u64,
    /// The page's number, counted from 0.
    pub index: u64,
    /// The page size: entries asked for.
    pub size: u64,
    /// The entries before this page: `index * size`.
    pub offset: u64,
}

/// The request builder of a paged list operation: how to ask for one page.
pub trait PagedRequest: Clone + Send {
    /// The answer: one page.
    type Page: ListPage + Send;
    /// The operation's typed error body (the `E` of its `Error<E>`).
    type Error: Send;
    /// The integer type of the builder's page-size argument (`u64`, `i32`, ...), so that a caller passes
    /// the walker the same values as the builder.
    type Size: Copy + Into<i128> + Send;

    /// The page size asked for unless told otherwise.
    const DEFAULT_PAGE_SIZE: u64;
    /// The largest page size the service accepts.
    const MAX_PAGE_SIZE: u64;

    /// Sends this request for the page `at`, replacing any paging argument set on the builder.
    fn send_page(
        self,
        at: PageAt,
    ) -> impl Future<Output = Result<ResponseValue<Self::Page>, Error<Self::Error>>> + Send;
}

/// Which cap a walk reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cap {
    /// The number of pages (requests): [`Pages::max_pages`].
    Pages,
    /// The number of entries: [`Pages::max_entries`].
    Entries,
}

/// Why a walk ended before the last page. Pages are numbered from 1, in the order the walk asked for them.
#[non_exhaustive]
pub enum PageError<E> {
    /// The page size is 0, negative or above the service's maximum; no request was sent.
    PageSize {
        /// The page size given.
        requested: i128,
        /// The largest the service accepts.
        max: u64,
    },
    /// The request for page `page` failed (the typed error keeps the status and body).
    Request {
        /// The page asked for.
        page: u64,
        /// What the request returned.
        source: Error<E>,
    },
    /// The list is longer than the walk may go: page `pages + 1` was not asked for.
    CapReached {
        /// Which cap.
        cap: Cap,
        /// Its value.
        limit: u64,
        /// Pages received.
        pages: u64,
        /// Entries received.
        entries: u64,
    },
    /// Page `page` gives another total than the walk saw first: the list changed during the walk (or the
    /// service miscounts), so its pages do not add up to one list.
    TotalChanged {
        /// The page whose total differs.
        page: u64,
        /// The total the walk saw first.
        first: u64,
        /// The total of page `page`.
        now: u64,
    },
    /// Page `page` has exactly the entries of the earlier page `same_as`: the service does not honour the
    /// page argument, and walking on would never end.
    RepeatedPage {
        /// The repeated page.
        page: u64,
        /// The earlier page it repeats.
        same_as: u64,
    },
    /// Every one of the `entries` entries of page `page` was on earlier pages.
    NoNewEntries {
        /// The page.
        page: u64,
        /// Its entries.
        entries: u64,
    },
    /// `seen` of the `entries` entries of page `page` were on earlier pages: the window moved (the service
    /// ignores the page argument, or entries were added or removed before it during the walk), so entries
    /// may also have been skipped.
    ShiftedWindow {
        /// The page.
        page: u64,
        /// Its entries.
        entries: u64,
        /// How many of them were seen before.
        seen: u64,
    },
}

impl<E> PageError<E> {
    /// The page the walk stopped at (the one refused, failed or not asked for); `None` for a page size
    /// refused before sending.
    pub fn page(&self) -> Option<u64> {
        match self {
            Self::PageSize { .. } => None,
            Self::CapReached { pages, .. } => Some(pages + 1),
            Self::Request { page, .. }
            | Self::TotalChanged { page, .. }
            | Self::RepeatedPage { page, .. }
            | Self::NoNewEntries { page, .. }
            | Self::ShiftedWindow { page, .. } => Some(*page),
        }
    }
}

impl<E> fmt::Display for PageError<E>
where
    Error<E>: fmt::Display,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PageSize { requested, max } => write!(
                f,
                "page size {requested} is out of range: the service accepts 1 to {max} entries per page; nothing was sent"
            ),
            Self::Request { page, source } => write!(f, "request for page {page} failed: {source}"),
            Self::CapReached {
                cap,
                limit,
                pages,
                entries,
            } => {
                let (what, setter) = match cap {
                    Cap::Pages => ("pages", "max_pages"),
                    Cap::Entries => ("entries", "max_entries"),
                };
                write!(
                    f,
                    "the walk's cap of {limit} {what} is reached after {pages} pages and {entries} entries, and the list goes on; \
                     raise it with `{setter}` if the list is really that long"
                )
            }
            Self::TotalChanged { page, first, now } => write!(
                f,
                "the list's total count changed during the walk, from {first} to {now} on page {page}: the pages do not add up to one list"
            ),
            Self::RepeatedPage { page, same_as } => write!(
                f,
                "the service answered page {page} with the same entries as page {same_as}; stopped instead of looping"
            ),
            Self::NoNewEntries { page, entries } => write!(
                f,
                "page {page} brings no new entry: all its {entries} entries were on earlier pages; stopped instead of looping"
            ),
            Self::ShiftedWindow {
                page,
                entries,
                seen,
            } => write!(
                f,
                "the list's window shifted: {seen} of the {entries} entries of page {page} were on earlier pages \
                 (the service ignores the page, or the list changed during the walk)"
            ),
        }
    }
}

impl<E> fmt::Debug for PageError<E>
where
    Error<E>: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PageSize { requested, max } => f
                .debug_struct("PageSize")
                .field("requested", requested)
                .field("max", max)
                .finish(),
            Self::Request { page, source } => f
                .debug_struct("Request")
                .field("page", page)
                .field("source", source)
                .finish(),
            Self::CapReached {
                cap,
                limit,
                pages,
                entries,
            } => f
                .debug_struct("CapReached")
                .field("cap", cap)
                .field("limit", limit)
                .field("pages", pages)
                .field("entries", entries)
                .finish(),
            Self::TotalChanged { page, first, now } => f
                .debug_struct("TotalChanged")
                .field("page", page)
                .field("first", first)
                .field("now", now)
                .finish(),
            Self::RepeatedPage { page, same_as } => f
                .debug_struct("RepeatedPage")
                .field("page", page)
                .field("same_as", same_as)
                .finish(),
            Self::NoNewEntries { page, entries } => f
                .debug_struct("NoNewEntries")
                .field("page", page)
                .field("entries", entries)
                .finish(),
            Self::ShiftedWindow {
                page,
                entries,
                seen,
            } => f
                .debug_struct("ShiftedWindow")
                .field("page", page)
                .field("entries", entries)
                .field("seen", seen)
                .finish(),
        }
    }
}

impl<E> std::error::Error for PageError<E>
where
    Error<E>: std::error::Error + 'static,
{
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Request { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// What [`Pages::collect_entries`] returns when the walk ended early: the entries of every page received
/// before the error, and the error.
pub struct Incomplete<T, E> {
    /// The entries of the pages delivered before the error, in order.
    pub received: Vec<T>,
    /// How many pages they came in.
    pub pages: u64,
    /// Why the walk ended.
    pub error: PageError<E>,
}

impl<T, E> Incomplete<T, E> {
    /// The entries received and the error.
    pub fn into_parts(self) -> (Vec<T>, PageError<E>) {
        (self.received, self.error)
    }
}

impl<T, E> fmt::Display for Incomplete<T, E>
where
    Error<E>: fmt::Display,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} entries of {} pages received before it are kept in this error)",
            self.error,
            self.received.len(),
            self.pages
        )
    }
}

/// Shows the error and how much was received, not the entries.
impl<T, E> fmt::Debug for Incomplete<T, E>
where
    Error<E>: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Incomplete")
            .field("received", &self.received.len())
            .field("pages", &self.pages)
            .field("error", &self.error)
            .finish()
    }
}

impl<T, E> std::error::Error for Incomplete<T, E>
where
    Error<E>: std::error::Error + 'static,
{
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// A walk over a paged list, not started yet: made by the `pages()` method of a paged list operation's
/// builder (or [`Pages::new`]). Set the page size and caps, then take [`Pages::stream`],
/// [`Pages::entries`] or [`Pages::collect_entries`]. Nothing is sent until the stream is polled.
#[derive(Clone)]
#[must_use = "a `Pages` sends nothing until its stream is polled"]
pub struct Pages<R> {
    request: R,
    page_size: i128,
    max_pages: u64,
    max_entries: u64,
}

impl<R: PagedRequest> fmt::Debug for Pages<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("page_size", &self.page_size)
            .field("max_pages", &self.max_pages)
            .field("max_entries", &self.max_entries)
            .finish_non_exhaustive()
    }
}

/// The items of [`Pages::stream`].
pub type PageResult<R> =
    Result<ResponseValue<<R as PagedRequest>::Page>, PageError<<R as PagedRequest>::Error>>;

/// An entry of the list `R` walks.
pub type EntryOf<R> = <<R as PagedRequest>::Page as ListPage>::Entry;

impl<R: PagedRequest> Pages<R> {
    /// Walks the list `request` asks for: [`PagedRequest::DEFAULT_PAGE_SIZE`] entries per page, at most
    /// [`DEFAULT_MAX_PAGES`] pages and [`DEFAULT_MAX_ENTRIES`] entries.
    pub fn new(request: R) -> Self {
        Self {
            request,
            page_size: i128::from(R::DEFAULT_PAGE_SIZE),
            max_pages: DEFAULT_MAX_PAGES,
            max_entries: DEFAULT_MAX_ENTRIES,
        }
    }

    /// Entries per page, 1 to [`PagedRequest::MAX_PAGE_SIZE`], of the builder's own integer type. Another
    /// value makes the stream's first (and only) item [`PageError::PageSize`], before anything is sent.
    pub fn page_size(mut self, page_size: R::Size) -> Self {
        self.page_size = page_size.into();
        self
    }

    /// The most pages (requests) the walk asks for; a list that goes on after them ends the walk with
    /// [`PageError::CapReached`]. Default [`DEFAULT_MAX_PAGES`].
    pub fn max_pages(mut self, max_pages: u64) -> Self {
        self.max_pages = max_pages;
        self
    }

    /// The walk asks for no page once it has received this many entries, and ends with
    /// [`PageError::CapReached`] if the list goes on (so it holds fewer than `max_entries` plus one page).
    /// Default [`DEFAULT_MAX_ENTRIES`].
    pub fn max_entries(mut self, max_entries: u64) -> Self {
        self.max_entries = max_entries;
        self
    }

    /// The pages, in order, each with its status and headers; an error is the stream's last item.
    pub fn stream(self) -> impl Stream<Item = PageResult<R>> + Send
    where
        EntryOf<R>: serde::Serialize,
    {
        stream::unfold(Step::Start(self), Step::advance)
    }

    /// The entries of every page, in order; an error is the stream's last item.
    pub fn entries(self) -> impl Stream<Item = Result<EntryOf<R>, PageError<R::Error>>> + Send
    where
        EntryOf<R>: serde::Serialize + Send,
    {
        self.stream()
            .map_ok(|page| stream::iter(page.into_inner().into_entries().into_iter().map(Ok)))
            .try_flatten()
    }

    /// Every entry of the list. When the walk ends early, the error keeps the entries received before it.
    pub async fn collect_entries(self) -> Result<Vec<EntryOf<R>>, Incomplete<EntryOf<R>, R::Error>>
    where
        EntryOf<R>: serde::Serialize + Send,
    {
        let mut received = Vec::new();
        let mut pages = 0;
        let mut stream = std::pin::pin!(self.stream());
        while let Some(page) = stream.next().await {
            match page {
                Ok(page) => {
                    received.extend(page.into_inner().into_entries());
                    pages += 1;
                }
                Err(error) => {
                    return Err(Incomplete {
                        received,
                        pages,
                        error,
                    });
                }
            }
        }
        Ok(received)
    }
}

enum Step<R> {
    Start(Pages<R>),
    Next(Box<Walk<R>>),
    Done,
}

struct Walk<R> {
    request: R,
    size: u64,
    max_pages: u64,
    max_entries: u64,
    /// Pages delivered so far (the next page's index).
    pages: u64,
    /// Entries delivered so far.
    entries: u64,
    /// The first total a page gave.
    total: Option<u64>,
    /// A hash of each delivered page's entries -> its number.
    seen_pages: HashMap<u64, u64>,
    /// A hash of each delivered entry.
    seen_entries: HashSet<u64>,
    /// Keys the hashes: random per walk.
    keys: RandomState,
}

impl<R: PagedRequest> Step<R>
where
    EntryOf<R>: serde::Serialize,
{
    async fn advance(self) -> Option<(PageResult<R>, Self)> {
        let mut walk = match self {
            Step::Done => return None,
            Step::Next(walk) => walk,
            Step::Start(pages) => match u64::try_from(pages.page_size)
                .ok()
                .filter(|size| (1..=R::MAX_PAGE_SIZE).contains(size))
            {
                Some(size) => Box::new(Walk {
                    request: pages.request,
                    size,
                    max_pages: pages.max_pages,
                    max_entries: pages.max_entries,
                    pages: 0,
                    entries: 0,
                    total: None,
                    seen_pages: HashMap::new(),
                    seen_entries: HashSet::new(),
                    keys: RandomState::new(),
                }),
                None => {
                    let error = PageError::PageSize {
                        requested: pages.page_size,
                        max: R::MAX_PAGE_SIZE,
                    };
                    return Some((Err(error), Step::Done));
                }
            },
        };
        match walk.fetch().await {
            Ok((page, last)) => Some((Ok(page), if last { Step::Done } else { Step::Next(walk) })),
            Err(error) => Some((Err(error), Step::Done)),
        }
    }
}

impl<R: PagedRequest> Walk<R>
where
    EntryOf<R>: serde::Serialize,
{
    /// Asks for the next page and checks it: the page, and whether it is the last.
    async fn fetch(&mut self) -> Result<(ResponseValue<R::Page>, bool), PageError<R::Error>> {
        let cap = if self.pages >= self.max_pages {
            Some((Cap::Pages, self.max_pages))
        } else if self.entries >= self.max_entries {
            Some((Cap::Entries, self.max_entries))
        } else {
            None
        };
        if let Some((cap, limit)) = cap {
            return Err(PageError::CapReached {
                cap,
                limit,
                pages: self.pages,
                entries: self.entries,
            });
        }
        let number = self.pages + 1;
        let at = PageAt {
            number,
            index: self.pages,
            size: self.size,
            offset: self.pages.saturating_mul(self.size),
        };
        let page =
            self.request
                .clone()
                .send_page(at)
                .await
                .map_err(|source| PageError::Request {
                    page: number,
                    source,
                })?;

        let total = page.total();
        match (self.total, total) {
            (Some(first), Some(now)) if first != now => {
                return Err(PageError::TotalChanged {
                    page: number,
                    first,
                    now,
                });
            }
            (None, Some(now)) => self.total = Some(now),
            _ => {}
        }

        let hashes: Vec<u64> = page
            .entries()
            .into_iter()
            .map(|entry| self.fingerprint(entry))
            .collect();
        let count = hashes.len() as u64;
        if count > 0 {
            let page_hash = {
                let mut hasher = self.keys.build_hasher();
                hashes.iter().for_each(|hash| hasher.write_u64(*hash));
                hasher.finish()
            };
            if let Some(&same_as) = self.seen_pages.get(&page_hash) {
                return Err(PageError::RepeatedPage {
                    page: number,
                    same_as,
                });
            }
            let seen = hashes
                .iter()
                .filter(|hash| self.seen_entries.contains(hash))
                .count() as u64;
            if seen == count {
                return Err(PageError::NoNewEntries {
                    page: number,
                    entries: count,
                });
            }
            if seen > 0 {
                return Err(PageError::ShiftedWindow {
                    page: number,
                    entries: count,
                    seen,
                });
            }
            self.seen_pages.insert(page_hash, number);
            self.seen_entries.extend(hashes);
        }

        self.pages = number;
        self.entries = self.entries.saturating_add(count);
        let last = count < self.size
            || page.has_next() == Some(false)
            || total.is_some_and(|total| self.entries >= total);
        Ok((page, last))
    }

    /// A keyed hash of an entry's JSON form (an entry that does not serialize hashes as far as it got).
    fn fingerprint(&self, entry: &EntryOf<R>) -> u64 {
        let mut writer = HashWriter(self.keys.build_hasher());
        let _ = serde_json::to_writer(&mut writer, entry);
        writer.0.finish()
    }
}

/// Feeds serialized bytes straight into a hasher (no copy of the entry is kept).
struct HashWriter<H>(H);

impl<H: Hasher> io::Write for HashWriter<H> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.write(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A list answered from a function of the page asked for; records what was asked.
    #[derive(Clone)]
    struct Fake {
        answer: Arc<dyn Fn(PageAt) -> Result<FakePage, u16> + Send + Sync>,
        asked: Arc<Mutex<Vec<PageAt>>>,
    }

    struct FakePage {
        entries: Vec<u64>,
        total: Option<u64>,
        next: Option<bool>,
    }

    impl ListPage for FakePage {
        type Entry = u64;
        fn entries(&self) -> Vec<&u64> {
            self.entries.iter().collect()
        }
        fn into_entries(self) -> Vec<u64> {
            self.entries
        }
        fn total(&self) -> Option<u64> {
            self.total
        }
        fn has_next(&self) -> Option<bool> {
            self.next
        }
    }

    impl PagedRequest for Fake {
        type Page = FakePage;
        type Error = ();
        type Size = i32;
        const DEFAULT_PAGE_SIZE: u64 = 10;
        const MAX_PAGE_SIZE: u64 = 50;

        fn send_page(
            self,
            at: PageAt,
        ) -> impl Future<Output = Result<ResponseValue<FakePage>, Error<()>>> + Send {
            self.asked.lock().unwrap().push(at);
            let answer = (self.answer)(at);
            async move {
                match answer {
                    Ok(page) => Ok(ResponseValue::new(
                        page,
                        reqwest::StatusCode::OK,
                        Default::default(),
                    )),
                    Err(status) => Err(Error::InvalidRequest(format!("status {status}"))),
                }
            }
        }
    }

    fn fake(answer: impl Fn(PageAt) -> Result<FakePage, u16> + Send + Sync + 'static) -> Fake {
        Fake {
            answer: Arc::new(answer),
            asked: Arc::default(),
        }
    }

    /// An honest list of `len` entries.
    fn honest(len: u64) -> Fake {
        fake(move |at| {
            let end = (at.offset + at.size).min(len);
            Ok(FakePage {
                entries: (at.offset.min(len)..end).collect(),
                total: Some(len),
                next: None,
            })
        })
    }

    fn run<T>(future: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn an_honest_list_is_collected_whole_with_every_way_of_counting_pages() {
        let list = honest(25);
        let all = run(Pages::new(list.clone()).page_size(7).collect_entries()).unwrap();
        assert_eq!(all, (0..25).collect::<Vec<_>>());
        let asked: Vec<(u64, u64, u64, u64)> = list
            .asked
            .lock()
            .unwrap()
            .iter()
            .map(|at| (at.number, at.index, at.size, at.offset))
            .collect();
        assert_eq!(
            asked,
            [(1, 0, 7, 0), (2, 1, 7, 7), (3, 2, 7, 14), (4, 3, 7, 21)]
        );
    }

    #[test]
    fn a_page_size_out_of_range_is_refused_before_sending() {
        for size in [0, -1, 51, i32::MAX] {
            let list = honest(5);
            let err = run(Pages::new(list.clone()).page_size(size).collect_entries()).unwrap_err();
            assert!(
                matches!(err.error, PageError::PageSize { requested, max: 50 } if requested == i128::from(size)),
                "{err:?}"
            );
            assert!(list.asked.lock().unwrap().is_empty());
        }
    }

    #[test]
    fn caps_end_an_endless_list_with_the_figures() {
        let endless = || {
            fake(|at| {
                Ok(FakePage {
                    entries: (at.offset..at.offset + at.size).collect(),
                    total: None,
                    next: None,
                })
            })
        };
        let list = endless();
        let err = run(Pages::new(list.clone()).max_pages(3).collect_entries()).unwrap_err();
        assert!(
            matches!(
                err.error,
                PageError::CapReached {
                    cap: Cap::Pages,
                    limit: 3,
                    pages: 3,
                    entries: 30
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.received, (0..30).collect::<Vec<_>>());
        assert_eq!(list.asked.lock().unwrap().len(), 3);
        let list = endless();
        let err = run(Pages::new(list.clone()).max_entries(25).collect_entries()).unwrap_err();
        assert!(
            matches!(
                err.error,
                PageError::CapReached {
                    cap: Cap::Entries,
                    limit: 25,
                    pages: 3,
                    entries: 30
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("max_entries"), "{err}");
        // A list that ends exactly at the cap is complete.
        let all = run(Pages::new(honest(30)).max_pages(3).collect_entries()).unwrap();
        assert_eq!(all.len(), 30);
    }

    #[test]
    fn a_repeated_page_a_page_of_old_entries_and_a_shifted_window_are_named() {
        /// Where a page starts, given what was asked.
        type Start = fn(PageAt) -> u64;
        let cases: [(Start, &str); 3] = [
            (|_| 0, "RepeatedPage"),
            (
                |at| if at.number == 3 { 5 } else { at.offset },
                "NoNewEntries",
            ),
            (|at| at.offset.saturating_sub(at.index), "ShiftedWindow"),
        ];
        for (start, name) in cases {
            let list = fake(move |at| {
                let from = start(at);
                Ok(FakePage {
                    entries: (from..from + at.size).collect(),
                    total: None,
                    next: None,
                })
            });
            let err = run(Pages::new(list).collect_entries()).unwrap_err();
            assert!(
                format!("{:?}", err.error).starts_with(name),
                "{name}: {err:?}"
            );
            assert!(err.received.len() <= 20);
        }
    }

    #[test]
    fn a_total_that_changes_ends_the_walk_and_a_failure_keeps_what_came_before() {
        let list = fake(|at| {
            Ok(FakePage {
                entries: (at.offset..at.offset + at.size).collect(),
                total: Some(100 + at.index),
                next: None,
            })
        });
        let err = run(Pages::new(list).collect_entries()).unwrap_err();
        assert!(
            matches!(
                err.error,
                PageError::TotalChanged {
                    page: 2,
                    first: 100,
                    now: 101
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.received.len(), 10);

        let list = fake(|at| {
            if at.number == 3 {
                return Err(500);
            }
            Ok(FakePage {
                entries: (at.offset..at.offset + at.size).collect(),
                total: None,
                next: Some(true),
            })
        });
        let err = run(Pages::new(list).collect_entries()).unwrap_err();
        assert!(
            matches!(err.error, PageError::Request { page: 3, .. }),
            "{err:?}"
        );
        assert_eq!(err.received, (0..20).collect::<Vec<_>>());
        assert_eq!(err.pages, 2);
        assert!(
            err.to_string()
                .contains("20 entries of 2 pages received before it"),
            "{err}"
        );
    }

    #[test]
    fn no_next_page_ends_a_full_page() {
        let list = fake(|at| {
            Ok(FakePage {
                entries: (at.offset..at.offset + at.size).collect(),
                total: None,
                next: Some(at.number < 2),
            })
        });
        let all = run(Pages::new(list.clone()).collect_entries()).unwrap();
        assert_eq!(all.len(), 20);
        assert_eq!(list.asked.lock().unwrap().len(), 2);
    }

    #[test]
    fn counts_links_and_numbered_members_are_read_as_the_services_send_them() {
        assert_eq!(count(&Some(42_i32)), Some(42));
        assert_eq!(count(&" 7 "), Some(7));
        for absent in [
            count(&None::<i64>),
            count(&-1_i64),
            count(&"many"),
            count(&true),
        ] {
            assert_eq!(absent, None);
        }
        #[derive(serde::Serialize)]
        struct Link {
            rel: Option<&'static str>,
        }
        assert_eq!(next_link::<Link>(&[]), None);
        assert_eq!(
            next_link(&[Link { rel: Some("self") }, Link { rel: None }]),
            Some(false)
        );
        assert_eq!(next_link(&[Link { rel: Some("NEXT") }]), Some(true));
        let members: HashMap<String, char> =
            [("10", 'c'), ("2", 'b'), ("1", 'a'), ("recsindb", 'x')]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
        assert_eq!(numbered(&members), [&'a', &'b', &'c']);
        assert_eq!(into_numbered(members), ['a', 'b', 'c']);
        assert_eq!(vec![1, 2].entries(), [&1, &2]);
    }
}
