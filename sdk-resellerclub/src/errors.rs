//! What ResellerClub's `{"status": "ERROR", "message": ..}` says, for the `Display` of [`crate::Error`].

use sdk_core::ErrorBody;

use crate::types::ApiError;

impl ErrorBody for ApiError {
    fn message(&self) -> Option<String> {
        self.message.clone()
    }
}
