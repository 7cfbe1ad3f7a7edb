//! The error of every call of every SDK: progenitor's variants (the generated code builds them unchanged),
//! with a `Display` that says what happened and helpers a caller branches on.

use std::fmt;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::decode::UndecodableBody;

/// Response headers that carry a request id, in the order they are looked for. None of the five providers
/// documents one (MailChannels puts a `trace_id` in its error body: see [`ErrorBody::request_id`]); these
/// are the names front ends and gateways commonly add.
pub const REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "request-id",
    "x-correlation-id",
    "x-amzn-requestid",
    "x-trace-id",
];

/// What a provider's documented error body says, for [`Error`]'s `Display`: each SDK implements it for its
/// error body types (MailUp's `ErrorCode`/`ErrorDescription`, MailChannels' `message` and field errors, ...).
/// Every method may say nothing. The body was scrubbed of the client's and the call's secrets before it was
/// decoded, so what these return holds none.
pub trait ErrorBody {
    /// The provider's own error code, if the body has one.
    fn code(&self) -> Option<String> {
        None
    }
    /// The provider's own message (with its per-field errors, if any).
    fn message(&self) -> Option<String> {
        None
    }
    /// A request or trace id the body carries.
    fn request_id(&self) -> Option<String> {
        None
    }
}

/// A provider's per-field errors as one line, `field: message; other.field: message, message`, from any
/// serialisable body part (an object of strings, lists of strings or nested objects; a plain string as is).
/// For [`ErrorBody::message`] implementations (Greenview's 422 bodies, Hostway's fault details).
pub fn field_errors<T: serde::Serialize + ?Sized>(errors: &T) -> Option<String> {
    fn walk(prefix: &str, value: &serde_json::Value, out: &mut Vec<String>) {
        use serde_json::Value;
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    walk(&path, value, out);
                }
            }
            Value::Array(items) if items.iter().all(|i| !i.is_object()) => {
                let texts: Vec<String> = items.iter().filter_map(text).collect();
                if !texts.is_empty() {
                    out.push(labelled(prefix, &texts.join(", ")));
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(&format!("{prefix}.{i}"), item, out);
                }
            }
            Value::Null => {}
            other => {
                if let Some(text) = text(other).filter(|t| !t.is_empty()) {
                    out.push(labelled(prefix, &text));
                }
            }
        }
    }
    fn text(value: &serde_json::Value) -> Option<String> {
        match value {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        }
    }
    fn labelled(prefix: &str, text: &str) -> String {
        // `base` (Greenview) holds messages about no field in particular.
        if prefix.is_empty() || prefix == "base" {
            text.to_string()
        } else {
            format!("{prefix}: {text}")
        }
    }
    let value = serde_json::to_value(errors).ok()?;
    let mut out = Vec::new();
    walk("", &value, &mut out);
    (!out.is_empty()).then(|| out.join("; "))
}

impl ErrorBody for () {}

impl ErrorBody for progenitor_client::ByteStream {}

impl ErrorBody for serde_json::Value {
    fn message(&self) -> Option<String> {
        (!self.is_null()).then(|| self.to_string())
    }
}

impl<T: ErrorBody> ErrorBody for Option<T> {
    fn code(&self) -> Option<String> {
        self.as_ref()?.code()
    }
    fn message(&self) -> Option<String> {
        self.as_ref()?.message()
    }
    fn request_id(&self) -> Option<String> {
        self.as_ref()?.request_id()
    }
}

impl<T: ErrorBody> ErrorBody for Box<T> {
    fn code(&self) -> Option<String> {
        (**self).code()
    }
    fn message(&self) -> Option<String> {
        (**self).message()
    }
    fn request_id(&self) -> Option<String> {
        (**self).request_id()
    }
}

/// Why a call failed. The variants are progenitor-client's (`Error<E>`, `E` the operation's documented error
/// body), so code written against progenitor's matches it unchanged; `Display` says what happened (the
/// transport cause chain, why a body did not decode, the provider's code and message), and never shows a
/// secret (URLs, headers and error bodies were redacted by the runtime).
pub enum Error<E = ()> {
    /// Refused before sending (a missing or invalid argument).
    InvalidRequest(String),
    /// The request could not be sent or its answer not received (refused, reset, timed out), after the
    /// retries.
    CommunicationError(reqwest::Error),
    /// An unexpected answer to a connection upgrade.
    InvalidUpgrade(reqwest::Error),
    /// A documented error status, with its typed body.
    ErrorResponse(ResponseValue<E>),
    /// The body of a documented answer could not be read.
    ResponseBodyError(reqwest::Error),
    /// A documented answer whose body did not decode (the runtime reports these as `UnexpectedResponse`
    /// with an [`UndecodableBody`], keeping the status).
    InvalidResponsePayload(Bytes, serde_json::Error),
    /// Any other answer: a status the spec does not document, a redirect, or a documented one whose body
    /// could not be read or decoded or was too large (then with an [`UndecodableBody`] extension). Its body
    /// is in memory (bounded).
    UnexpectedResponse(reqwest::Response),
    /// The runtime ended the call itself (credentials could not be had, or not in time).
    Custom(String),
}

impl<E> Error<E> {
    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::ErrorResponse(value) => Some(value.status()),
            Self::UnexpectedResponse(response) => Some(response.status()),
            Self::CommunicationError(e) | Self::InvalidUpgrade(e) | Self::ResponseBodyError(e) => {
                e.status()
            }
            Self::InvalidRequest(_) | Self::InvalidResponsePayload(..) | Self::Custom(_) => None,
        }
    }

    /// The answer's headers (redacted), when there was an answer.
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Self::ErrorResponse(value) => Some(value.headers()),
            Self::UnexpectedResponse(response) => Some(response.headers()),
            _ => None,
        }
    }

    /// A `404 Not Found` answer.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// A `429 Too Many Requests` answer (after the retries the client's policy allowed).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// The call ran out of time: an attempt's timeout or the operation's deadline, while queued, sending,
    /// reading the answer, or getting credentials.
    pub fn is_timeout(&self) -> bool {
        match self {
            Self::CommunicationError(e) | Self::ResponseBodyError(e) => e.is_timeout(),
            Self::Custom(reason) => reason.contains("timed out"),
            Self::UnexpectedResponse(response) => response
                .extensions()
                .get::<UndecodableBody>()
                .is_some_and(|u| u.reason.contains("timed out")),
            _ => false,
        }
    }

    /// The wait the answer asked for (`Retry-After`, seconds or an HTTP date), if any.
    pub fn retry_after(&self) -> Option<Duration> {
        let value = self.headers()?.get(RETRY_AFTER)?.to_str().ok()?;
        crate::parse_retry_after(value, SystemTime::now())
    }

    /// Whether sending again could succeed: a transport error, or a 408, 429, 502, 503 or 504 answer
    /// (as progenitor-client's `Error::is_retryable`).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::CommunicationError(_) => true,
            _ => self
                .status()
                .is_some_and(|s| matches!(s.as_u16(), 408 | 429 | 502 | 503 | 504)),
        }
    }

    /// The same error without its typed body.
    pub fn into_untyped(self) -> Error {
        match self {
            Self::InvalidRequest(s) => Error::InvalidRequest(s),
            Self::CommunicationError(e) => Error::CommunicationError(e),
            Self::InvalidUpgrade(e) => Error::InvalidUpgrade(e),
            Self::ErrorResponse(value) => {
                let status = value.status();
                let headers = value.headers().clone();
                Error::ErrorResponse(ResponseValue::new((), status, headers))
            }
            Self::ResponseBodyError(e) => Error::ResponseBodyError(e),
            Self::InvalidResponsePayload(b, e) => Error::InvalidResponsePayload(b, e),
            Self::UnexpectedResponse(r) => Error::UnexpectedResponse(r),
            Self::Custom(s) => Error::Custom(s),
        }
    }
}

impl<E: ErrorBody> Error<E> {
    /// The provider's request id: from a response header ([`REQUEST_ID_HEADERS`]), else from the documented
    /// error body (MailChannels' `trace_id`).
    pub fn request_id(&self) -> Option<String> {
        if let Some(id) = self.headers().and_then(header_request_id) {
            return Some(id.to_string());
        }
        match self {
            Self::ErrorResponse(value) => (**value).request_id(),
            _ => None,
        }
    }
}

/// The first request id header of `headers`.
pub(crate) fn header_request_id(headers: &HeaderMap) -> Option<&str> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
        .filter(|id| !id.is_empty())
}

/// An error's sources on one line, after ": " each (reqwest's own `Display` stops at "error sending request
/// for url (..)"; the reason, e.g. "Connection refused", is in its sources).
pub(crate) fn causes(error: &dyn std::error::Error) -> String {
    let mut text = String::new();
    let mut source = error.source();
    while let Some(cause) = source {
        let shown = cause.to_string();
        // hyper-util repeats its inner error's text in its own; show each once.
        if !text.ends_with(&shown) {
            text.push_str(": ");
            text.push_str(&shown);
        }
        source = cause.source();
    }
    text
}

/// What went wrong in transport, without the URL (for spans and events): the kind and the cause chain.
pub(crate) fn transport_reason(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else if error.is_body() || error.is_decode() {
        "cannot read the answer"
    } else {
        "transport error"
    };
    format!("{kind}{}", causes(error))
}

fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("HTTP {} {reason}", status.as_u16()),
        None => format!("HTTP {}", status.as_u16()),
    }
}

/// At most `max` characters of a provider's text, on one line.
fn clip(text: &str, max: usize) -> String {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let line = line.trim();
    match line.char_indices().nth(max) {
        Some((at, _)) => format!("{}...", &line[..at]),
        None => line.to_string(),
    }
}

impl<E: ErrorBody> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidRequest(reason) => write!(f, "invalid request (not sent): {reason}"),
            Self::CommunicationError(e) => {
                let what = if e.is_timeout() {
                    "timed out"
                } else if e.is_connect() {
                    "cannot connect"
                } else {
                    "request failed"
                };
                // reqwest's text names the URL (redacted by the runtime); its sources say why.
                write!(f, "{what}: {e}{}", causes(e))
            }
            Self::InvalidUpgrade(e) => write!(f, "invalid upgrade answer: {e}{}", causes(e)),
            Self::ResponseBodyError(e) => {
                write!(f, "the answer's body could not be read: {e}{}", causes(e))
            }
            Self::InvalidResponsePayload(bytes, e) => write!(
                f,
                "the answer does not decode as the documented JSON ({} bytes): {e}",
                bytes.len()
            ),
            Self::ErrorResponse(value) => {
                write!(f, "{}", status_text(value.status()))?;
                let body = &**value;
                match (body.code(), body.message()) {
                    (Some(code), Some(message)) => {
                        write!(f, ": {}: {}", clip(&code, 100), clip(&message, 500))?
                    }
                    (Some(code), None) => write!(f, ": error code {}", clip(&code, 100))?,
                    (None, Some(message)) => write!(f, ": {}", clip(&message, 500))?,
                    (None, None) => write!(f, " (documented error, no message)")?,
                }
                if let Some(id) = self.request_id() {
                    write!(f, " [request id {}]", clip(&id, 100))?;
                }
                Ok(())
            }
            Self::UnexpectedResponse(response) => {
                let status = response.status();
                match response.extensions().get::<UndecodableBody>() {
                    Some(why) => write!(
                        f,
                        "{} from {}: answer not decoded: {}",
                        status_text(status),
                        response.url(),
                        why.reason
                    )?,
                    None if status.is_redirection() => {
                        let location = response
                            .headers()
                            .get(reqwest::header::LOCATION)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("none");
                        write!(
                            f,
                            "{} from {}: redirect not followed (Location: {})",
                            status_text(status),
                            response.url(),
                            clip(location, 300)
                        )?
                    }
                    None => write!(
                        f,
                        "{} from {}: a status the API does not document",
                        status_text(status),
                        response.url()
                    )?,
                }
                if let Some(id) = header_request_id(response.headers()) {
                    write!(f, " [request id {}]", clip(id, 100))?;
                }
                Ok(())
            }
            Self::Custom(reason) => f.write_str(reason),
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidRequest(s) => f.debug_tuple("InvalidRequest").field(s).finish(),
            Self::CommunicationError(e) => f.debug_tuple("CommunicationError").field(e).finish(),
            Self::InvalidUpgrade(e) => f.debug_tuple("InvalidUpgrade").field(e).finish(),
            Self::ErrorResponse(value) => f
                .debug_struct("ErrorResponse")
                .field("status", &value.status())
                .field("headers", value.headers())
                .field("body", &**value)
                .finish(),
            Self::ResponseBodyError(e) => f.debug_tuple("ResponseBodyError").field(e).finish(),
            Self::InvalidResponsePayload(b, e) => f
                .debug_tuple("InvalidResponsePayload")
                .field(b)
                .field(e)
                .finish(),
            Self::UnexpectedResponse(r) => f
                .debug_struct("UnexpectedResponse")
                .field("response", r)
                .field("undecodable", &r.extensions().get::<UndecodableBody>())
                .finish(),
            Self::Custom(s) => f.debug_tuple("Custom").field(s).finish(),
        }
    }
}

impl<E: ErrorBody + fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::CommunicationError(e) | Self::InvalidUpgrade(e) | Self::ResponseBodyError(e) => {
                Some(e)
            }
            Self::InvalidResponsePayload(_, e) => Some(e),
            _ => None,
        }
    }
}

impl<E> From<progenitor_client::Error<E>> for Error<E> {
    fn from(error: progenitor_client::Error<E>) -> Self {
        use progenitor_client::Error as P;
        match error {
            P::InvalidRequest(s) => Self::InvalidRequest(s),
            P::CommunicationError(e) => Self::CommunicationError(e),
            P::InvalidUpgrade(e) => Self::InvalidUpgrade(e),
            P::ErrorResponse(value) => Self::ErrorResponse(value),
            P::ResponseBodyError(e) => Self::ResponseBodyError(e),
            P::InvalidResponsePayload(b, e) => Self::InvalidResponsePayload(b, e),
            P::UnexpectedResponse(r) => Self::UnexpectedResponse(r),
            P::Custom(s) => Self::Custom(s),
        }
    }
}

impl<E> From<reqwest::Error> for Error<E> {
    fn from(error: reqwest::Error) -> Self {
        Self::CommunicationError(error)
    }
}

impl<E> From<std::convert::Infallible> for Error<E> {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl<E> From<reqwest::header::InvalidHeaderValue> for Error<E> {
    fn from(error: reqwest::header::InvalidHeaderValue) -> Self {
        Self::InvalidRequest(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error type under test (progenitor-client's, to see these tests fail as they did before).
    type Subject<E> = Error<E>;

    struct Body(Option<&'static str>, Option<&'static str>);
    impl ErrorBody for Body {
        fn code(&self) -> Option<String> {
            self.0.map(str::to_string)
        }
        fn message(&self) -> Option<String> {
            self.1.map(str::to_string)
        }
    }

    impl fmt::Debug for Body {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "Body({:?}, {:?})", self.0, self.1)
        }
    }

    fn documented(body: Body, headers: &[(&'static str, &str)]) -> Subject<Body> {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        Subject::ErrorResponse(ResponseValue::new(body, StatusCode::UNAUTHORIZED, map))
    }

    #[tokio::test]
    async fn a_refused_connection_says_connection_refused() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let refused = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/sub_accounts"))
            .send()
            .await
            .unwrap_err();
        let error: Subject<()> = Subject::CommunicationError(refused);
        let shown = error.to_string();
        assert!(
            shown.starts_with("cannot connect: ") && shown.contains("Connection refused"),
            "{shown}"
        );
    }

    #[test]
    fn a_documented_error_shows_the_providers_code_message_and_request_id() {
        let error = documented(
            Body(
                Some("401"),
                Some("Authorization error: Access token is expired"),
            ),
            &[("x-request-id", "req-7"), ("retry-after", "3")],
        );
        assert_eq!(
            error.to_string(),
            "HTTP 401 Unauthorized: 401: Authorization error: Access token is expired [request id req-7]"
        );
        assert_eq!(error.request_id().as_deref(), Some("req-7"));
        assert_eq!(error.retry_after(), Some(Duration::from_secs(3)));
        assert!(!error.is_not_found() && !error.is_rate_limited() && !error.is_timeout());
        let silent = documented(Body(None, None), &[]);
        assert_eq!(
            silent.to_string(),
            "HTTP 401 Unauthorized (documented error, no message)"
        );
    }

    #[test]
    fn a_providers_long_or_multi_line_message_is_clipped_to_one_line() {
        let long: &'static str = "x\ny".repeat(400).leak();
        let shown = documented(Body(None, Some(long)), &[]).to_string();
        assert!(!shown.contains('\n'), "{shown}");
        assert!(shown.len() < 600, "{}", shown.len());
        assert!(shown.ends_with("..."), "{shown}");
    }

    #[test]
    fn an_undecodable_answer_says_why() {
        let mut response = http::Response::new(reqwest::Body::from("{not json"));
        *response.status_mut() = StatusCode::OK;
        response.extensions_mut().insert(UndecodableBody {
            kind: crate::decode::UndecodableKind::NotJson,
            reason: "key must be a string at line 1 column 2".into(),
        });
        let error: Subject<()> = Subject::UnexpectedResponse(reqwest::Response::from(response));
        let shown = error.to_string();
        assert!(
            shown.starts_with("HTTP 200 OK from ")
                && shown.ends_with("answer not decoded: key must be a string at line 1 column 2"),
            "{shown}"
        );
    }
}
