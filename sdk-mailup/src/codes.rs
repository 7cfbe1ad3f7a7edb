//! The `Code` of RetailerService's `{Code, Description}` envelopes, typed per operation: each operation
//! documents its own codes (the same number means different things in different operations), and a code
//! the document does not list is kept as `Other(code)`.

use std::fmt;

use crate::types;

macro_rules! result_codes {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal => $meaning:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* #[doc = concat!("`", stringify!($code), "`: ", $meaning, ".")] $variant,)*
            /// A code the document does not list for this operation, kept as received.
            Other(i64),
        }

        impl $name {
            /// The code as MailUp sends it.
            pub const fn code(self) -> i64 {
                match self {
                    $(Self::$variant => $code,)*
                    Self::Other(code) => code,
                }
            }

            /// What the document says the code means (`None` for a code it does not list).
            pub const fn meaning(self) -> Option<&'static str> {
                match self {
                    $(Self::$variant => Some($meaning),)*
                    Self::Other(_) => None,
                }
            }
        }

        impl From<i64> for $name {
            fn from(code: i64) -> Self {
                match code {
                    $($code => Self::$variant,)*
                    other => Self::Other(other),
                }
            }
        }

        impl From<i32> for $name {
            fn from(code: i32) -> Self {
                Self::from(i64::from(code))
            }
        }

        /// `7 (Custom domain not available)`, or `99 (undocumented code)`.
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} ({})", self.code(), self.meaning().unwrap_or("undocumented code"))
            }
        }
    };
}

result_codes! {
    /// Codes of [`Client::create_account`](crate::Client::create_account): `0` in the 200 answer, the others
    /// in a 403 (the document's list is cut short, so other codes may occur).
    pub enum CreateAccountCode {
        Ok = 0 => "Ok, the activation has been started",
        UnknownActivationStatus = -1 => "Unknown account activation status (internal error occurred)",
        NotAllowed = 2 => "Error (you are not able to create this account)",
        LanguageNotAvailable = 3 => "Language is not available for the profile",
        InvalidIpAddress = 4 => "IpAddress cannot be null, empty or invalid",
        InvalidEmail = 5 => "Email cannot be null, empty or invalid",
        InvalidDomains = 6 => "Domains cannot be null, empty or invalid",
        CustomDomainNotAvailable = 7 => "Custom domain not available",
        LinkTrackingDomainNotAvailable = 8 => "Link tracking domain not available",
        ImageTrackingDomainNotAvailable = 9 => "Image tracking domain not available",
        InvalidServiceName = 10 => "Service name cannot be null, empty or invalid",
        InvalidServiceUrl = 11 => "Service url cannot be null, empty or invalid",
        InvalidServiceLogoutUrl = 12 => "Service logout url cannot be null, empty or invalid",
    }
}

result_codes! {
    /// Codes of [`Client::get_activation_status`](crate::Client::get_activation_status): `0` done, `1` in
    /// progress, the others failed.
    pub enum ActivationCode {
        Ok = 0 => "Ok, the account has been created",
        Processing = 1 => "Processing, the activation is in progress",
        Failed = 2 => "Error, the account activation failed",
        FinalizationFailed = 3 => "An error occurred finalizing account creation (tracking domains, service name, url or logout url could not be set)",
        Unknown = -1 => "Unknown account activation status",
    }
}

result_codes! {
    /// Codes of [`Client::add_account_pack`](crate::Client::add_account_pack): `0` in the 200 answer, the
    /// others in a 403.
    pub enum AddPackCode {
        Ok = 0 => "Ok, the packages were changed",
        QuantityLimitsExceeded = 1 => "Quantity limits exceeded",
        ProfileRulesError = 2 => "Profile rules error",
        InvalidQuantity = 3 => "Invalid quantity",
        InvalidWorkMode = 4 => "Invalid workmode",
    }
}

result_codes! {
    /// The status `Code` of an account ([`types::AccountStatus`]).
    pub enum AccountStatusCode {
        Active = 0 => "Active",
        Deactivated = 1 => "Deactivated",
    }
}

impl types::AccountActivation {
    /// The typed `Code` (`Ok` when the activation has been started).
    pub fn result_code(&self) -> CreateAccountCode {
        self.code.into()
    }
}

impl types::ActivationStatus {
    /// The typed `Code`: `Ok` done, `Processing` poll again, anything else failed.
    pub fn result_code(&self) -> ActivationCode {
        self.code.into()
    }
}

impl types::AccountStatus {
    /// The typed status `Code`, when the answer has one.
    pub fn status_code(&self) -> Option<AccountStatusCode> {
        self.code.map(Into::into)
    }
}

impl types::RetailerResult {
    /// The `Code` read with one operation's list, e.g. `result.code_as::<AddPackCode>()`.
    pub fn code_as<C: From<i64>>(&self) -> C {
        C::from(i64::from(self.code))
    }
}

impl types::OAuthError {
    /// Whether this is MailUp's "access token is expired" `401`.
    pub fn is_expired_token(&self) -> bool {
        self.error_code.trim() == "401"
            && self
                .error_description
                .as_deref()
                .is_some_and(|d| d.to_ascii_lowercase().contains("expired"))
    }

    /// Whether this is throttling (`429`): retry later.
    pub fn is_throttling(&self) -> bool {
        self.error_code.trim() == "429"
    }
}

impl types::RetailerForbiddenBody {
    /// The business result, when the 403 is one (not an authorization error).
    pub fn retailer_result(&self) -> Option<&types::RetailerResult> {
        match self {
            Self::RetailerResult(result) => Some(result),
            Self::OAuthError(_) => None,
        }
    }

    /// The description of either shape.
    pub fn description(&self) -> Option<&str> {
        match self {
            Self::RetailerResult(result) => result.description.as_deref(),
            Self::OAuthError(error) => error.error_description.as_deref(),
        }
    }
}

/// The error bodies of operations whose 403 carries a `{Code, Description}`: typed access to it.
macro_rules! forbidden_accessors {
    ($($body:ident => $code:ty),* $(,)?) => {$(
        impl types::$body {
            /// The business result of a 403 (`None` for the `{ErrorCode, ...}` envelope of 400, 401, 429 and
            /// authorization 403s).
            pub fn retailer_result(&self) -> Option<&types::RetailerResult> {
                match self {
                    Self::RetailerForbiddenBody(body) => body.retailer_result(),
                    Self::OAuthError(_) => None,
                }
            }

            /// The business code of a 403, typed with this operation's list.
            pub fn result_code(&self) -> Option<$code> {
                self.retailer_result().map(|r| r.code_as())
            }

            /// The `Description` or `ErrorDescription`, whichever the body has.
            pub fn description(&self) -> Option<&str> {
                match self {
                    Self::RetailerForbiddenBody(body) => body.description(),
                    Self::OAuthError(error) => error.error_description.as_deref(),
                }
            }

            /// MailUp's `{ErrorCode, ...}` envelope, whichever status carried it.
            pub fn oauth_error(&self) -> Option<&types::OAuthError> {
                match self {
                    Self::OAuthError(error) | Self::RetailerForbiddenBody(types::RetailerForbiddenBody::OAuthError(error)) => Some(error),
                    Self::RetailerForbiddenBody(types::RetailerForbiddenBody::RetailerResult(_)) => None,
                }
            }
        }
    )*};
}

forbidden_accessors! {
    CreateAccountResponse => CreateAccountCode,
    GetActivationStatusResponse => ActivationCode,
    AddAccountPackResponse => AddPackCode,
    ListProfilePacksResponse => i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_keep_unknown_ones() {
        assert_eq!(
            CreateAccountCode::from(7),
            CreateAccountCode::CustomDomainNotAvailable
        );
        assert_eq!(
            CreateAccountCode::from(-1),
            CreateAccountCode::UnknownActivationStatus
        );
        assert_eq!(CreateAccountCode::from(42), CreateAccountCode::Other(42));
        assert_eq!(CreateAccountCode::Other(42).code(), 42);
        assert_eq!(ActivationCode::FinalizationFailed.code(), 3);
        assert_eq!(AddPackCode::from(4).to_string(), "4 (Invalid workmode)");
        assert_eq!(AddPackCode::from(9).to_string(), "9 (undocumented code)");
        // The same number means different things per operation.
        assert_eq!(AddPackCode::from(2), AddPackCode::ProfileRulesError);
        assert_eq!(ActivationCode::from(2), ActivationCode::Failed);
    }
}
