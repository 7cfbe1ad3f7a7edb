//! Helpers over the band pricing maps: `-1` means unlimited, band ids are numbers.

use crate::LooseInteger;
use crate::types::{BandDescription, PlanCategoryBands, PricingBand, ResellerBandPricing};

/// A quantity of a pricing band (mail accounts, bandwidth, webspace, pages), where ResellerClub's `-1`
/// denotes "Unlimited".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    Unlimited,
    /// Any value other than `-1`, as sent.
    Limited(i64),
}

impl Limit {
    pub fn from_raw(value: i64) -> Self {
        if value == -1 {
            Self::Unlimited
        } else {
            Self::Limited(value)
        }
    }

    pub fn is_unlimited(self) -> bool {
        self == Self::Unlimited
    }
}

impl From<LooseInteger> for Limit {
    fn from(value: LooseInteger) -> Self {
        Self::from_raw(value.get())
    }
}

impl BandDescription {
    /// Whether this is the default band (`"default": true`); `false` when the key is absent.
    pub fn is_default(&self) -> bool {
        self.default.is_some_and(|d| d.get())
    }

    /// `no_of_mail_accounts`.
    pub fn mail_accounts_limit(&self) -> Option<Limit> {
        self.no_of_mail_accounts.map(Limit::from)
    }

    /// `bandwidth` (the document gives no unit).
    pub fn bandwidth_limit(&self) -> Option<Limit> {
        self.bandwidth.map(Limit::from)
    }

    /// `webspace` (the document gives no unit).
    pub fn webspace_limit(&self) -> Option<Limit> {
        self.webspace.map(Limit::from)
    }

    /// `noofpages`.
    pub fn pages_limit(&self) -> Option<Limit> {
        self.noofpages.map(Limit::from)
    }
}

impl PricingBand {
    /// The band's price for `action` (`add`, `renew`, `ssl`, ...); `None` when no price is set.
    pub fn price(&self, action: &str) -> Option<f64> {
        self.pricing.as_ref()?.get(action).map(|price| price.get())
    }

    /// Whether the band is the default one.
    pub fn is_default(&self) -> bool {
        self.description
            .as_ref()
            .is_some_and(BandDescription::is_default)
    }
}

impl PlanCategoryBands {
    /// The bands with their ids, ordered by id read as a number (`"0"`, `"1"`, ..., `"10"`; ids that are
    /// not numbers come last, in text order).
    pub fn ordered(&self) -> Vec<(&str, &PricingBand)> {
        let mut bands: Vec<(&str, &PricingBand)> =
            self.iter().map(|(id, band)| (id.as_str(), band)).collect();
        bands.sort_by(
            |(a, _), (b, _)| match (a.parse::<u64>(), b.parse::<u64>()) {
                (Ok(a), Ok(b)) => a.cmp(&b),
                (Ok(_), Err(_)) => std::cmp::Ordering::Less,
                (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
                (Err(_), Err(_)) => a.cmp(b),
            },
        );
        bands
    }

    /// The band marked `"default": true`, with its id.
    pub fn default_band(&self) -> Option<(&str, &PricingBand)> {
        self.ordered()
            .into_iter()
            .find(|(_, band)| band.is_default())
    }
}

impl ResellerBandPricing {
    /// The bands of `plan_category` (e.g. `email_plan`) of product `product_key` (e.g. `hosting`).
    pub fn plan(&self, product_key: &str, plan_category: &str) -> Option<&PlanCategoryBands> {
        self.get(product_key)?.get(plan_category)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minus_one_is_unlimited() {
        assert_eq!(Limit::from_raw(-1), Limit::Unlimited);
        assert_eq!(Limit::from_raw(0), Limit::Limited(0));
        assert_eq!(Limit::from(LooseInteger(50)), Limit::Limited(50));
        assert!(Limit::from_raw(-1).is_unlimited());
    }
}
