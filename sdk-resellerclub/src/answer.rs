//! An `ERROR` answer is an error whatever its HTTP status.

use std::fmt;

use crate::open_enums::MailUserResponseStatus;
use crate::types::{
    ApiError, ApiErrorStatus, CustomerDetails, CustomerDetailsOrError,
    CustomerTransactionSearchResult, CustomerTransactionSearchResultOrError, MailUser,
    MailUserResult, MailUserResultOrError, ResellerBandPricing, ResellerBandPricingOrError,
};
use crate::{Error, ResponseValue};

/// A 200 answer: either ResellerClub's `ERROR` envelope or the operation's success shape (the
/// `types::*OrError` enums).
pub trait Answer {
    /// The success shape.
    type Success;

    /// The success value, or the `ERROR` answer.
    fn into_success(self) -> Result<Self::Success, ApiError>;
}

macro_rules! answers {
    ($($answer:ident => $success:ident),* $(,)?) => {$(
        impl Answer for $answer {
            type Success = $success;

            fn into_success(self) -> Result<$success, ApiError> {
                match self {
                    $answer::$success(success) => Ok(success),
                    $answer::ApiError(error) => Err(error),
                }
            }
        }
    )*};
}

answers! {
    ResellerBandPricingOrError => ResellerBandPricing,
    CustomerDetailsOrError => CustomerDetails,
    CustomerTransactionSearchResultOrError => CustomerTransactionSearchResult,
}

/// A mail-user answer: an `ERROR` at the top or, in the nested shape, `response.status: ERROR` is the error.
impl Answer for MailUserResultOrError {
    type Success = MailUserResult;

    fn into_success(self) -> Result<MailUserResult, ApiError> {
        match self {
            Self::ApiError(error) => Err(error),
            Self::MailUserResult(MailUserResult::Nested(nested))
                if nested.response.status == MailUserResponseStatus::ERROR =>
            {
                Err(ApiError {
                    status: ApiErrorStatus::Error,
                    message: nested.response.message,
                })
            }
            Self::MailUserResult(result) => Ok(result),
        }
    }
}

/// The same questions whichever shape the service answered in: flat (`{"status": "SUCCESS", ...}`) or
/// nested (`{"response": {"status": "SUCCESS", "user": {...}}}`).
impl MailUserResult {
    /// The outcome as sent (the answer's `status`, named apart from the HTTP status of a `ResponseValue`):
    /// `SUCCESS` when the change was made.
    pub fn outcome(&self) -> &str {
        match self {
            Self::Flat(flat) => flat.status.as_str(),
            Self::Nested(nested) => nested.response.status.as_str(),
        }
    }

    /// Whether the service says the change was made (`status` is `SUCCESS`).
    pub fn is_success(&self) -> bool {
        self.outcome() == "SUCCESS"
    }

    /// The message about the outcome, when the service sent one.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Flat(flat) => flat.message.as_deref(),
            Self::Nested(nested) => nested.response.message.as_deref(),
        }
    }

    /// The mail user the change made or changed, with its fields (the nested answer carries it; the flat
    /// one does not).
    pub fn user(&self) -> Option<&MailUser> {
        match self {
            Self::Flat(_) => None,
            Self::Nested(nested) => nested.response.user.as_ref(),
        }
    }
}

/// Turns what an operation's `send()` returns into its plain success type: an `ERROR` answer that came
/// with HTTP 200 becomes `Error::ErrorResponse` (with that status and the typed [`ApiError`]), exactly
/// like one that came with a 4xx or 5xx status.
///
/// ```no_run
/// # async fn run(client: &sdk_resellerclub::Client) -> Result<(), sdk_resellerclub::Error<sdk_resellerclub::types::ApiError>> {
/// use sdk_resellerclub::IntoResult;
/// let details = client.get_customer_details_by_id().customer_id(7).send().await.into_result()?;
/// println!("{:?}", details.username);
/// # Ok(()) }
/// ```
pub trait IntoResult {
    /// The success shape.
    type Success;

    // The error is the one `send()` returns (progenitor's `Error`); boxing it here only would make the two
    // differ.
    #[allow(clippy::result_large_err)]
    fn into_result(self) -> Result<ResponseValue<Self::Success>, Error<ApiError>>;
}

impl<A: Answer> IntoResult for Result<ResponseValue<A>, Error<ApiError>> {
    type Success = A::Success;

    fn into_result(self) -> Result<ResponseValue<A::Success>, Error<ApiError>> {
        let answer = self?;
        let status = answer.status();
        let headers = answer.headers().clone();
        match answer.into_inner().into_success() {
            Ok(success) => Ok(ResponseValue::new(success, status, headers)),
            Err(error) => Err(Error::ErrorResponse(ResponseValue::new(
                error, status, headers,
            ))),
        }
    }
}

impl ApiError {
    /// The error message (empty when the answer had none).
    pub fn message(&self) -> &str {
        self.message.as_deref().unwrap_or_default()
    }

    /// Whether the answer says the calling machine's IP address is not whitelisted: ResellerClub accepts
    /// calls only from the source IPs listed in the reseller's control panel (Settings → API).
    ///
    /// The document gives no code for this refusal, only the message, so this reads the message: it
    /// mentions a whitelist, or an IP address together with a refusal ("not allowed", "not authorized",
    /// "denied", ...).
    pub fn is_ip_not_whitelisted(&self) -> bool {
        let message = self.message().to_ascii_lowercase();
        let mentions_whitelist = [
            "whitelist",
            "white list",
            "white-list",
            "allowlist",
            "allow list",
        ]
        .iter()
        .any(|word| message.contains(word));
        let mentions_ip = message
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word == "ip" || word == "ips");
        let refuses = [
            "not allowed",
            "not authorized",
            "not authorised",
            "unauthorized",
            "denied",
            "not permitted",
            "blocked",
        ]
        .iter()
        .any(|word| message.contains(word));
        mentions_whitelist || (mentions_ip && refuses)
    }
}

/// `ResellerClub error: <message>`, with a hint when the source IP is not whitelisted.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(message) => write!(f, "ResellerClub error: {message}")?,
            None => f.write_str("ResellerClub error (no message)")?,
        }
        if self.is_ip_not_whitelisted() {
            f.write_str(
                " (this machine's IP address must be whitelisted in the ResellerClub control panel, Settings > API)",
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(message: &str) -> ApiError {
        serde_json::from_value(serde_json::json!({ "status": "ERROR", "message": message }))
            .unwrap()
    }

    #[test]
    fn recognises_an_ip_refusal_by_its_message() {
        for message in [
            "Your IP address 203.0.113.9 is not whitelisted",
            "Access Denied: IP 203.0.113.9 is not allowed",
            "Please add this server to the white list",
        ] {
            assert!(error(message).is_ip_not_whitelisted(), "{message}");
        }
        for message in [
            "Invalid customer-id",
            "Access Denied: You are not authorized to perform this action",
            "Invalid zip",
        ] {
            assert!(!error(message).is_ip_not_whitelisted(), "{message}");
        }
    }

    #[test]
    fn displays_the_message() {
        assert_eq!(
            error("Invalid customer-id").to_string(),
            "ResellerClub error: Invalid customer-id"
        );
        assert!(
            error("IP 1.2.3.4 not whitelisted")
                .to_string()
                .contains("control panel")
        );
    }

    #[test]
    fn an_error_body_is_read_before_the_success_shape() {
        // Every field of CustomerDetails is optional: without the order, an ERROR answer would be an empty
        // customer.
        let answer: CustomerDetailsOrError =
            serde_json::from_str(r#"{"status":"ERROR","message":"No such customer"}"#).unwrap();
        assert_eq!(
            answer.into_success().unwrap_err().message(),
            "No such customer"
        );
        let answer: MailUserResultOrError =
            serde_json::from_str(r#"{"status":"SUCCESS","message":"ok"}"#).unwrap();
        assert!(answer.into_success().is_ok());
    }
}
