//! What MailUp's error bodies say (`ErrorCode` / `ErrorDescription`, or a RetailerService result code), for
//! the `Display` of [`crate::Error`].

use sdk_core::ErrorBody;

use crate::types::{
    AddAccountPackResponse, CreateAccountResponse, GetActivationStatusResponse,
    ListProfilePacksResponse, OAuthError, RetailerForbiddenBody,
};

impl ErrorBody for OAuthError {
    fn code(&self) -> Option<String> {
        Some(self.error_code.clone()).filter(|c| !c.is_empty())
    }
    fn message(&self) -> Option<String> {
        self.error_description
            .clone()
            .or_else(|| self.error_name.clone())
    }
}

impl ErrorBody for RetailerForbiddenBody {
    fn code(&self) -> Option<String> {
        match self {
            Self::RetailerResult(result) => Some(result.code.to_string()),
            Self::OAuthError(error) => error.code(),
        }
    }
    fn message(&self) -> Option<String> {
        match self {
            Self::RetailerResult(result) => result.description.clone(),
            Self::OAuthError(error) => error.message(),
        }
    }
}

/// Each operation's error body is an OAuth error or a RetailerService refusal.
macro_rules! either {
    ($($name:ident),*) => {$(
        impl ErrorBody for $name {
            fn code(&self) -> Option<String> {
                match self {
                    Self::OAuthError(error) => error.code(),
                    Self::RetailerForbiddenBody(body) => body.code(),
                }
            }
            fn message(&self) -> Option<String> {
                match self {
                    Self::OAuthError(error) => error.message(),
                    Self::RetailerForbiddenBody(body) => body.message(),
                }
            }
        }
    )*};
}

either!(
    AddAccountPackResponse,
    CreateAccountResponse,
    GetActivationStatusResponse,
    ListProfilePacksResponse
);
