//! What Greenview's error bodies say (`errors`: messages per field, `base` for none in particular), for the
//! `Display` of [`crate::Error`].

use sdk_core::{ErrorBody, field_errors};

use crate::types::{
    AttributeErrorResponse, BaseErrorResponse, CreateClientError, ResellerErrorResponse,
};

impl ErrorBody for AttributeErrorResponse {
    fn message(&self) -> Option<String> {
        field_errors(&self.errors)
    }
}

impl ErrorBody for BaseErrorResponse {
    fn message(&self) -> Option<String> {
        field_errors(&self.errors)
    }
}

impl ErrorBody for ResellerErrorResponse {
    fn message(&self) -> Option<String> {
        field_errors(&self.errors)
    }
}

impl ErrorBody for CreateClientError {
    fn message(&self) -> Option<String> {
        match self {
            Self::CaptchaErrorResponse(body) => field_errors(&body.errors),
            Self::ErrorResponse(body) => field_errors(&body.errors),
        }
    }
}
