//! Walking a paginated list page by page: the Hostway lists on the shared walker [`sdk_core::pages`].
//!
//! The `pages()` methods are generated from the spec (each list's `x-pagination`: `page` from 1,
//! `pageSize`, the entries in `list`, the total in `totalCount` or `count`, the `next` link); this module
//! names what they share.
//!
//! Five operations return lists that the service pages: [`Client::get_domain_aliases`],
//! [`Client::get_domain_blackwhitelist`], [`Client::get_mailbox_blackwhitelist`],
//! [`Client::list_domain_contacts`] and [`Client::list_usernames`]. Their builders have a `pages()` method:
//! set the other arguments (account, domain, filters, sorting) as for `send()`, then ask for the pages, the
//! entries, or every entry at once ([`Pages`]).
//!
//! Every request the walker sends carries both `page` and `pageSize` (default [`DEFAULT_PAGE_SIZE`]), so
//! it never meets the service's `303 See Other` answer to an unpaginated list of more than 100 entries, and a
//! page size above [`MAX_PAGE_SIZE`] (which the service refuses) is refused before anything is sent.
//!
//! The walk ends after the last page: a page shorter than the page size (an empty one included), a page
//! with links but none `rel: next`, or the page that brings the entries received to the list's total
//! (`totalCount`, or `count` for contacts). It ends early with a [`PageError`] naming why: a failed request
//! (typed error, status and body kept), a cap reached (at most [`DEFAULT_MAX_PAGES`] requests and
//! [`DEFAULT_MAX_ENTRIES`] entries unless set with [`Pages::max_pages`] and [`Pages::max_entries`]), a total
//! that changed during the walk, or a page that repeats entries of earlier pages (the service ignores `page`,
//! or the list moved). [`Pages::collect_entries`]'s error ([`Incomplete`]) keeps every entry received before.
//!
//! ```no_run
//! # async fn run(client: &sdk_hostway::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use futures_util::TryStreamExt;
//!
//! // Entries one by one, 400 per request.
//! let mut mailboxes = std::pin::pin!(
//!     client.list_usernames().account("12345").domain("example.com").pages().page_size(400).entries()
//! );
//! while let Some(mailbox) = mailboxes.try_next().await? {
//!     println!("{:?}", mailbox.username);
//! }
//!
//! // Or every entry at once; a walk that fails half-way still hands back what it received.
//! let walk = client.list_domain_contacts().account("12345").domain("example.com").pages().max_pages(50);
//! match walk.collect_entries().await {
//!     Ok(contacts) => println!("{} contacts", contacts.len()),
//!     Err(incomplete) => println!("{} contacts, then: {}", incomplete.received.len(), incomplete.error),
//! }
//! # Ok(()) }
//! ```
//!
//! [`Client::get_domain_aliases`]: crate::Client::get_domain_aliases
//! [`Client::get_domain_blackwhitelist`]: crate::Client::get_domain_blackwhitelist
//! [`Client::get_mailbox_blackwhitelist`]: crate::Client::get_mailbox_blackwhitelist
//! [`Client::list_domain_contacts`]: crate::Client::list_domain_contacts
//! [`Client::list_usernames`]: crate::Client::list_usernames

use sdk_core::pages::PagedRequest;

use crate::builder;

pub use sdk_core::pages::{Cap, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_PAGES, Incomplete, Pages};

/// The page size the walker asks for unless told otherwise (the size of the service's own first page),
/// as the spec declares it for every list.
pub const DEFAULT_PAGE_SIZE: u64 =
    <builder::ListUsernames<'static> as PagedRequest>::DEFAULT_PAGE_SIZE;

/// The largest page size the service accepts, as the spec declares it for every list.
pub const MAX_PAGE_SIZE: u64 = <builder::ListUsernames<'static> as PagedRequest>::MAX_PAGE_SIZE;

/// Why walking a Hostway list stopped early (the five lists document no error body).
pub type PageError = sdk_core::pages::PageError<()>;

#[cfg(test)]
mod tests {
    use super::*;

    /// The constants above speak for every list: the spec gives the five the same sizes.
    #[test]
    fn every_list_has_the_same_page_sizes() {
        fn sizes<R: PagedRequest>() -> (u64, u64) {
            (R::DEFAULT_PAGE_SIZE, R::MAX_PAGE_SIZE)
        }
        let expected = (DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
        assert_eq!(expected, (100, 400));
        assert_eq!(sizes::<builder::GetDomainAliases<'static>>(), expected);
        assert_eq!(
            sizes::<builder::GetDomainBlackwhitelist<'static>>(),
            expected
        );
        assert_eq!(
            sizes::<builder::GetMailboxBlackwhitelist<'static>>(),
            expected
        );
        assert_eq!(sizes::<builder::ListDomainContacts<'static>>(), expected);
    }
}
