//! Search results: counters and numbered entries in one map, turned into a page of records.

use crate::types::{CustomerTransaction, CustomerTransactionSearchResult};

/// One page of a search: ResellerClub's `recsonpage` and `recsindb` counters and the records, in the
/// order of their numeric keys (`"1"`, `"2"`, ..., `"10"`).
#[derive(Clone, Debug, PartialEq)]
pub struct SearchPage<T> {
    /// `recsonpage`: the number of records on this page, when the answer says.
    pub records_on_page: Option<i64>,
    /// `recsindb`: the number of records matching the search (on every page), when the answer says.
    pub records_in_db: Option<i64>,
    /// The records, ordered by their numeric key.
    pub records: Vec<T>,
}

impl<T> SearchPage<T> {
    /// Builds a page from the counters and the entries of a search answer. Entries are ordered by their
    /// key read as a number; an entry whose key is not a number is not a record and is left out.
    pub fn from_numbered(
        records_on_page: Option<i64>,
        records_in_db: Option<i64>,
        entries: impl IntoIterator<Item = (String, T)>,
    ) -> Self {
        let mut numbered: Vec<(u64, T)> = entries
            .into_iter()
            .filter_map(|(key, record)| Some((key.trim().parse().ok()?, record)))
            .collect();
        numbered.sort_by_key(|(position, _)| *position);
        Self {
            records_on_page,
            records_in_db,
            records: numbered.into_iter().map(|(_, record)| record).collect(),
        }
    }

    /// Whether pages after `page_no` (1-based) hold more records, for pages of `no_of_records`; `None` when
    /// the answer did not give `recsindb`.
    pub fn has_more(&self, page_no: u64, no_of_records: u64) -> Option<bool> {
        let total = u64::try_from(self.records_in_db?).unwrap_or(0);
        Some(page_no.saturating_mul(no_of_records) < total)
    }
}

impl From<CustomerTransactionSearchResult> for SearchPage<CustomerTransaction> {
    fn from(result: CustomerTransactionSearchResult) -> Self {
        Self::from_numbered(
            result.recsonpage.map(|n| n.get()),
            result.recsindb.map(|n| n.get()),
            result.extra,
        )
    }
}

impl CustomerTransactionSearchResult {
    /// This answer as a [`SearchPage`] of transactions.
    pub fn into_page(self) -> SearchPage<CustomerTransaction> {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_records_by_numeric_key_and_skips_other_keys() {
        let entries =
            [("10", 'c'), ("2", 'b'), ("1", 'a'), ("note", 'x')].map(|(k, v)| (k.to_string(), v));
        let page = SearchPage::from_numbered(Some(3), Some(12), entries);
        assert_eq!(page.records, ['a', 'b', 'c']);
        assert_eq!(page.has_more(1, 3), Some(true));
        assert_eq!(page.has_more(4, 3), Some(false));
        assert_eq!(
            SearchPage::<char>::from_numbered(None, None, []).has_more(1, 3),
            None
        );
    }
}
