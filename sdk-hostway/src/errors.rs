//! What Hostway's fault says (`{"badRequest": {"code", "message", "details"}}` and its kin), for the
//! `Display` of [`crate::Error`].

use sdk_core::ErrorBody;

use crate::types::{ErrorFault, ErrorFaultDetails, ErrorResponse, ErrorResponseExtraValue};

impl ErrorResponse {
    /// The fault, whichever name it came under.
    fn fault(&self) -> Option<&ErrorFault> {
        self.bad_request
            .as_ref()
            .or(self.item_not_found.as_ref())
            .or(self.conflict.as_ref())
            .or_else(|| {
                self.extra.values().find_map(|v| match v {
                    ErrorResponseExtraValue::ErrorFault(fault) => Some(fault),
                    ErrorResponseExtraValue::String(_) => None,
                })
            })
    }
}

impl ErrorBody for ErrorResponse {
    fn code(&self) -> Option<String> {
        self.fault()?.code.map(|c| c.to_string())
    }
    fn message(&self) -> Option<String> {
        let fault = self.fault()?;
        let details = match &fault.details {
            Some(ErrorFaultDetails::Object(map)) => {
                // Sorted: the same fault always reads the same.
                let sorted: std::collections::BTreeMap<_, _> = map.iter().collect();
                sdk_core::field_errors(&sorted)
            }
            Some(ErrorFaultDetails::String(text)) => Some(text.clone()).filter(|t| !t.is_empty()),
            None => None,
        };
        match (fault.message.clone(), details) {
            (Some(message), Some(details)) => Some(format!("{message} ({details})")),
            (message, details) => message.or(details),
        }
    }
}
