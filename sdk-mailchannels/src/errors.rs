//! What MailChannels' error body says, for the `Display` of [`crate::Error`].

use sdk_core::ErrorBody;

use crate::types::ErrorResponse;

impl ErrorBody for ErrorResponse {
    fn message(&self) -> Option<String> {
        let mut parts: Vec<String> = self.message.iter().cloned().collect();
        parts.extend(self.errors.iter().cloned());
        parts.extend(self.field_errors.iter().map(|e| {
            match (e.field.as_deref(), e.message.as_deref()) {
                (Some(field), Some(message)) => format!("{field}: {message}"),
                (field, message) => field.or(message).unwrap_or("?").to_string(),
            }
        }));
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    fn request_id(&self) -> Option<String> {
        self.trace_id.clone()
    }
}
