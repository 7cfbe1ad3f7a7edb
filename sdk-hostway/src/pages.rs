//! Walking a paginated list page by page, as a [`Stream`].
//!
//! Five operations return lists that the service pages: [`Client::get_domain_aliases`],
//! [`Client::get_domain_blackwhitelist`], [`Client::get_mailbox_blackwhitelist`],
//! [`Client::list_domain_contacts`] and [`Client::list_usernames`]. Their builders have a `pages()` method:
//! set the other arguments (account, domain, filters, sorting) as for `send()`, then ask for the pages or the
//! entries.
//!
//! Every request the walker sends carries both `page` and `pageSize` (default [`DEFAULT_PAGE_SIZE`]), so
//! it never meets the service's `303 See Other` answer to an unpaginated list of more than 100 entries, and a
//! page size above [`MAX_PAGE_SIZE`] (which the service refuses) is refused before anything is sent.
//!
//! [`Client::get_domain_aliases`]: crate::Client::get_domain_aliases
//! [`Client::get_domain_blackwhitelist`]: crate::Client::get_domain_blackwhitelist
//! [`Client::get_mailbox_blackwhitelist`]: crate::Client::get_mailbox_blackwhitelist
//! [`Client::list_domain_contacts`]: crate::Client::list_domain_contacts
//! [`Client::list_usernames`]: crate::Client::list_usernames

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::num::NonZeroU64;

use futures_util::stream::{self, Stream, StreamExt, TryStreamExt};

use crate::{Error, ResponseValue, builder, types};

/// The page size the walker asks for unless told otherwise (the size of the service's own first page).
pub const DEFAULT_PAGE_SIZE: u64 = 100;

/// The largest page size the service accepts.
pub const MAX_PAGE_SIZE: u64 = 400;

/// One page of a paginated list: its entries and what it says about the pages after it.
pub trait ListPage {
    /// One entry of the list.
    type Entry: fmt::Debug;

    /// The entries of this page.
    fn entries(&self) -> &[Self::Entry];

    /// The entries of this page, by value.
    fn into_entries(self) -> Vec<Self::Entry>;

    /// The page's hypermedia links (`self`, `next`, `last`, ...), empty when the service sends none.
    fn links(&self) -> &[types::Link];

    /// The number of entries of the whole list, when the service says.
    fn total_count(&self) -> Option<u64>;

    /// Whether the page links a `next` page.
    fn has_next_link(&self) -> bool {
        self.links().iter().any(|link| {
            link.rel
                .as_deref()
                .is_some_and(|rel| rel.eq_ignore_ascii_case("next"))
        })
    }
}

impl ListPage for types::AliasList {
    type Entry = String;
    fn entries(&self) -> &[String] {
        &self.list
    }
    fn into_entries(self) -> Vec<String> {
        self.list
    }
    fn links(&self) -> &[types::Link] {
        &self.links
    }
    fn total_count(&self) -> Option<u64> {
        None
    }
}

impl ListPage for types::BlackWhiteList {
    type Entry = types::BlackWhiteListEntry;
    fn entries(&self) -> &[Self::Entry] {
        &self.list
    }
    fn into_entries(self) -> Vec<Self::Entry> {
        self.list
    }
    fn links(&self) -> &[types::Link] {
        &self.links
    }
    fn total_count(&self) -> Option<u64> {
        self.total_count.and_then(|n| u64::try_from(n).ok())
    }
}

impl ListPage for types::ContactList {
    type Entry = types::Contact;
    fn entries(&self) -> &[Self::Entry] {
        &self.list
    }
    fn into_entries(self) -> Vec<Self::Entry> {
        self.list
    }
    fn links(&self) -> &[types::Link] {
        &self.links
    }
    /// `count`: the number of contacts matching the filter/search condition.
    fn total_count(&self) -> Option<u64> {
        self.count.and_then(|n| u64::try_from(n).ok())
    }
}

impl ListPage for types::UsernameList {
    type Entry = types::UsernameListEntry;
    fn entries(&self) -> &[Self::Entry] {
        &self.list
    }
    fn into_entries(self) -> Vec<Self::Entry> {
        self.list
    }
    fn links(&self) -> &[types::Link] {
        &self.links
    }
    /// `totalCount`, sent as a number or as a string of digits.
    fn total_count(&self) -> Option<u64> {
        match self.total_count.as_ref()? {
            types::UsernameListTotalCount::Integer(n) => u64::try_from(*n).ok(),
            types::UsernameListTotalCount::String(digits) => digits.parse().ok(),
        }
    }
}

mod sealed {
    pub trait Sealed {}
}

/// The request builder of a paginated list operation (one of the five listed in [the module docs](self)).
pub trait PagedRequest: Clone + Send + sealed::Sealed {
    /// The response body: one page.
    type Page: ListPage + Send;

    /// Sends this request for one page.
    fn send_page(
        self,
        page: NonZeroU64,
        page_size: NonZeroU64,
    ) -> impl Future<Output = Result<ResponseValue<Self::Page>, Error<()>>> + Send;
}

macro_rules! paged_requests {
    ($($builder:ident => $page:ty),* $(,)?) => {$(
        impl sealed::Sealed for builder::$builder<'_> {}

        impl PagedRequest for builder::$builder<'_> {
            type Page = $page;

            fn send_page(
                self,
                page: NonZeroU64,
                page_size: NonZeroU64,
            ) -> impl Future<Output = Result<ResponseValue<$page>, Error<()>>> + Send {
                self.page(page).page_size(page_size).send()
            }
        }

        impl builder::$builder<'_> {
            /// Every page of this list, one request per page: see [`Pages`]. A `page` or `page_size` set on
            /// this builder is replaced by the walker's own.
            pub fn pages(self) -> Pages<Self> {
                Pages::new(self)
            }
        }
    )*};
}

paged_requests! {
    GetDomainAliases => types::AliasList,
    GetDomainBlackwhitelist => types::BlackWhiteList,
    GetMailboxBlackwhitelist => types::BlackWhiteList,
    ListDomainContacts => types::ContactList,
    ListUsernames => types::UsernameList,
}

/// Why walking a list stopped early.
#[derive(Debug)]
#[non_exhaustive]
pub enum PageError {
    /// The page size asked for is 0 or above [`MAX_PAGE_SIZE`]; no request was sent.
    PageSize { requested: u64 },
    /// The request for page `page` failed (the pages before it were delivered).
    Request { page: u64, source: Error<()> },
    /// The service answered page `page` with the same entries as the earlier page `same_as`: it does not
    /// honour `page`, and walking on would never end.
    RepeatedPage { page: u64, same_as: u64 },
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PageSize { requested } => write!(
                f,
                "page size {requested} is out of range: the service accepts 1 to {MAX_PAGE_SIZE} entries per page"
            ),
            Self::Request { page, source } => write!(f, "request for page {page} failed: {source}"),
            Self::RepeatedPage { page, same_as } => write!(
                f,
                "the service answered page {page} with the same entries as page {same_as}; stopped instead of looping"
            ),
        }
    }
}

impl std::error::Error for PageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Request { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Walks a paginated list: created by the `pages()` method of a list operation's builder.
///
/// The walk starts at page 1 and stops after the last page, which is the first page that
/// - has fewer entries than the page size (an empty page included), or
/// - has links but none with `rel: next`, or
/// - brings the number of entries received to the list's total count (`totalCount`, or `count` for
///   contacts), when the service sends one.
///
/// A page whose entries equal those of an earlier page ends the walk with [`PageError::RepeatedPage`]; a
/// failed request ends it with [`PageError::Request`].
///
/// ```no_run
/// # async fn run(client: &sdk_hostway::Client) -> Result<(), Box<dyn std::error::Error>> {
/// use futures_util::TryStreamExt;
///
/// // Entries one by one, 400 per request.
/// let mut mailboxes = std::pin::pin!(
///     client.list_usernames().account("12345").domain("example.com").pages().page_size(400).entries()
/// );
/// while let Some(mailbox) = mailboxes.try_next().await? {
///     println!("{:?}", mailbox.username);
/// }
///
/// // Or every entry at once.
/// let contacts = client.list_domain_contacts().account("12345").domain("example.com").pages().collect_entries().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use = "a `Pages` sends nothing until its stream is polled"]
pub struct Pages<R> {
    request: R,
    page_size: u64,
}

impl<R> fmt::Debug for Pages<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("page_size", &self.page_size)
            .finish_non_exhaustive()
    }
}

impl<R: PagedRequest> Pages<R> {
    /// Walks the list `request` asks for, [`DEFAULT_PAGE_SIZE`] entries per page.
    pub fn new(request: R) -> Self {
        Self {
            request,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }

    /// Entries per page, 1 to [`MAX_PAGE_SIZE`]. Another value makes the stream's first (and only) item
    /// [`PageError::PageSize`], before any request is sent.
    pub fn page_size(mut self, page_size: u64) -> Self {
        self.page_size = page_size;
        self
    }

    /// The pages, in order.
    pub fn stream(self) -> impl Stream<Item = Result<R::Page, PageError>> + Send {
        stream::unfold(Step::Start(self), Step::advance)
    }

    /// The entries of every page, in order.
    pub fn entries(
        self,
    ) -> impl Stream<Item = Result<<R::Page as ListPage>::Entry, PageError>> + Send
    where
        <R::Page as ListPage>::Entry: Send,
    {
        self.stream()
            .map_ok(|page| stream::iter(page.into_entries().into_iter().map(Ok)))
            .try_flatten()
    }

    /// Every entry of the list, fetched page after page.
    pub async fn collect_entries(self) -> Result<Vec<<R::Page as ListPage>::Entry>, PageError>
    where
        <R::Page as ListPage>::Entry: Send,
    {
        let mut all = Vec::new();
        let mut pages = std::pin::pin!(self.stream());
        while let Some(page) = pages.next().await {
            all.extend(page?.into_entries());
        }
        Ok(all)
    }
}

enum Step<R> {
    Start(Pages<R>),
    Next(Walk<R>),
    Done,
}

struct Walk<R> {
    request: R,
    page_size: NonZeroU64,
    page: NonZeroU64,
    received: u64,
    /// A fingerprint of each page's entries -> the page it was first seen on.
    seen: HashMap<u64, u64>,
}

impl<R: PagedRequest> Step<R> {
    async fn advance(self) -> Option<(Result<R::Page, PageError>, Self)> {
        let mut walk = match self {
            Step::Done => return None,
            Step::Next(walk) => walk,
            Step::Start(pages) => {
                match NonZeroU64::new(pages.page_size).filter(|n| n.get() <= MAX_PAGE_SIZE) {
                    Some(page_size) => Walk {
                        request: pages.request,
                        page_size,
                        page: NonZeroU64::MIN,
                        received: 0,
                        seen: HashMap::new(),
                    },
                    None => {
                        return Some((
                            Err(PageError::PageSize {
                                requested: pages.page_size,
                            }),
                            Step::Done,
                        ));
                    }
                }
            }
        };
        let number = walk.page.get();
        let page = match walk
            .request
            .clone()
            .send_page(walk.page, walk.page_size)
            .await
        {
            Ok(page) => page.into_inner(),
            Err(source) => {
                return Some((
                    Err(PageError::Request {
                        page: number,
                        source,
                    }),
                    Step::Done,
                ));
            }
        };
        let count = page.entries().len() as u64;
        if count > 0 {
            let fingerprint = fingerprint(page.entries());
            if let Some(&same_as) = walk.seen.get(&fingerprint) {
                return Some((
                    Err(PageError::RepeatedPage {
                        page: number,
                        same_as,
                    }),
                    Step::Done,
                ));
            }
            walk.seen.insert(fingerprint, number);
        }
        walk.received += count;
        let last = count < walk.page_size.get()
            || (!page.links().is_empty() && !page.has_next_link())
            || page
                .total_count()
                .is_some_and(|total| walk.received >= total);
        let next = match walk.page.checked_add(1) {
            Some(next) if !last => next,
            _ => return Some((Ok(page), Step::Done)),
        };
        walk.page = next;
        Some((Ok(page), Step::Next(walk)))
    }
}

/// Entries are compared by their `Debug` form: every generated type has one that shows all its data (list
/// entries hold no secrets).
fn fingerprint<T: fmt::Debug>(entries: &[T]) -> u64 {
    let mut hasher = DefaultHasher::new();
    format!("{entries:?}").hash(&mut hasher);
    hasher.finish()
}
