//! Decoding of JSON bodies for the generated clients (`cargo xtask generate` points them here).

pub mod tagged;

use progenitor_client::ResponseValue;
use reqwest::header::CONTENT_LENGTH;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::runtime::Exchange;

/// The most bytes of a body the decoder reads: a larger body ends in an error (with its status), never in
/// unbounded memory. Set with `ClientBuilder::max_response_body`; [`BodyLimit::DEFAULT`] otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyLimit(pub usize);

impl BodyLimit {
    /// 16 MiB: far above any answer these APIs document (a Hostway page of 400 mailboxes is ~200 KiB).
    pub const DEFAULT: Self = Self(16 * 1024 * 1024);
}

impl Default for BodyLimit {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a documented answer was not decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UndecodableKind {
    /// The body is not the documented JSON.
    NotJson,
    /// The body could not be read to its end (connection reset or closed early, a timeout).
    Unreadable,
    /// The body is larger than the client's [`BodyLimit`].
    TooLarge,
}

/// Attached (as a response extension) to the response of an [`Error::UnexpectedResponse`] whose status was
/// documented but whose body could not be decoded: says why. The response keeps the status, headers and
/// the bytes that were read (at most [`KEPT_PREFIX`] of them when the body was too large).
#[derive(Clone, Debug)]
pub struct UndecodableBody {
    pub kind: UndecodableKind,
    pub reason: String,
}

/// How much of a too-large body the error keeps.
pub const KEPT_PREFIX: usize = 64 * 1024;

/// Decodes a documented JSON body. Unlike progenitor's own decoder, a body that cannot be read or is not the
/// documented JSON keeps its HTTP status, headers and bytes: it becomes [`Error::UnexpectedResponse`] (with
/// an [`UndecodableBody`] extension), never a status-less `InvalidResponsePayload` or `ResponseBodyError`.
/// At most the response's [`BodyLimit`] is read. An empty body reads as JSON `null` (a spec whose
/// response may be empty declares it nullable); a UTF-8 byte-order mark before the JSON is skipped
/// (RFC 8259 §8.1 lets a parser ignore it). A success body is decoded as sent: its secret members are
/// `Secret`s, whose `Debug` shows nothing.
pub async fn json_response<T: DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let (body, failure) = read(&mut response).await;
    decode(response, body, failure)
}

/// A success answer handed over as a byte stream (progenitor's `ResponseValue::stream`, which `cargo xtask
/// generate` points here): the call's concurrency turn is held by the stream until it has been read to its
/// end or dropped.
pub fn stream_response(
    response: reqwest::Response,
) -> ResponseValue<progenitor_client::ByteStream> {
    ResponseValue::stream(crate::runtime::hold_turn_in_body(response))
}

/// A documented error answer (`Error::ErrorResponse` with its typed body). The body is read (at most the
/// [`BodyLimit`]) and every secret the client and the call hold is scrubbed from it, as is and in its
/// percent-, form- and JSON-escaped forms, before it is decoded: a server that copies the request into its
/// error cannot make an error show an API key or a password. A body that does not decode becomes
/// [`Error::UnexpectedResponse`], as in [`json_response`].
pub async fn error_response<E: DeserializeOwned>(mut response: reqwest::Response) -> Error<E> {
    let (body, failure) = read(&mut response).await;
    let body = scrubbed(&response, body);
    match decode(response, body, failure) {
        Ok(value) => Error::ErrorResponse(value),
        Err(error) => error,
    }
}

/// An answer whose status the spec does not document (`Error::UnexpectedResponse`). Its body is read into
/// memory now (at most the [`BodyLimit`]; of a larger one the first [`KEPT_PREFIX`] bytes, with an
/// [`UndecodableBody`] of kind `TooLarge`) and scrubbed of every secret like [`error_response`]'s, so that an
/// error a caller keeps holds neither a connection nor the client's concurrency turn, and shows no secret.
pub async fn unexpected_response<E>(mut response: reqwest::Response) -> Error<E> {
    let (body, failure) = read(&mut response).await;
    let body = scrubbed(&response, body);
    Error::UnexpectedResponse(rebuild(response, body, failure))
}

/// The body with the call's secrets (attached by the runtime) replaced.
fn scrubbed(response: &reqwest::Response, body: Vec<u8>) -> Vec<u8> {
    match response.extensions().get::<Exchange>() {
        Some(exchange) => exchange.secrets.scrub(&body).unwrap_or(body),
        None => body,
    }
}

// progenitor's `Error` is what the generated code returns; boxing it here would only move the copy.
#[allow(clippy::result_large_err)]
fn decode<T: DeserializeOwned, E>(
    mut response: reqwest::Response,
    body: Vec<u8>,
    failure: Option<UndecodableBody>,
) -> Result<ResponseValue<T>, Error<E>> {
    let failure = match failure {
        Some(failure) => failure,
        None => {
            let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&body);
            let text: &[u8] = if text.iter().all(u8::is_ascii_whitespace) {
                b"null"
            } else {
                text
            };
            match serde_json::from_slice(text) {
                Ok(inner) => {
                    let status = response.status();
                    // Moved out, not copied: the response is done with.
                    let headers = std::mem::take(response.headers_mut());
                    return Ok(ResponseValue::new(inner, status, headers));
                }
                Err(e) => UndecodableBody {
                    kind: UndecodableKind::NotJson,
                    // serde's message may quote the body ("invalid type: string \"..\""): a server that
                    // copied the request into it must not make the error show a secret.
                    reason: String::from_utf8_lossy(&scrubbed(
                        &response,
                        e.to_string().into_bytes(),
                    ))
                    .into_owned(),
                },
            }
        }
    };
    // Not the documented answer: an error, whose body is scrubbed like any error's.
    let body = scrubbed(&response, body);
    Err(Error::UnexpectedResponse(rebuild(
        response,
        body,
        Some(failure),
    )))
}

/// Reads at most the response's [`BodyLimit`] of its body: the bytes, and why reading stopped short (of a
/// too-large body, the first [`KEPT_PREFIX`] bytes are kept).
pub(crate) async fn read(response: &mut reqwest::Response) -> (Vec<u8>, Option<UndecodableBody>) {
    let limit = response
        .extensions()
        .get::<Exchange>()
        .map(|exchange| exchange.body_limit)
        .unwrap_or_default()
        .0;
    let declared = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // Sized once from the declared length (within the limit) rather than grown chunk by chunk.
    let mut body =
        Vec::with_capacity(declared.map_or(0, |length| length.min(limit as u64) as usize));
    let mut failure = None;
    // Whether the body came to its end (or broke): a body left unread holds its connection until the
    // answer is dropped, and its turn with it.
    let mut ended = false;
    if declared.is_some_and(|length| length > limit as u64) {
        failure = Some(too_large(limit));
    } else {
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() > limit => {
                    let room = KEPT_PREFIX.saturating_sub(body.len());
                    body.extend_from_slice(&chunk[..room.min(chunk.len())]);
                    failure = Some(too_large(limit));
                    break;
                }
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => {
                    ended = true;
                    break;
                }
                Err(e) => {
                    ended = true;
                    failure = Some(UndecodableBody {
                        kind: UndecodableKind::Unreadable,
                        reason: format!("the body could not be read: {}", error_chain(&e)),
                    });
                    break;
                }
            }
        }
    }
    // Read to its end: the exchange is over, whatever the caller does with the answer next.
    if ended && let Some(exchange) = response.extensions().get::<Exchange>() {
        exchange.give_back_turn();
    }
    if failure
        .as_ref()
        .is_some_and(|f| f.kind == UndecodableKind::TooLarge)
    {
        body.truncate(KEPT_PREFIX);
        body.shrink_to_fit();
    }
    (body, failure)
}

fn too_large(limit: usize) -> UndecodableBody {
    UndecodableBody {
        kind: UndecodableKind::TooLarge,
        reason: format!("the body is larger than the limit of {limit} bytes"),
    }
}

/// The same status, version, headers and URL, with the bytes that were read and why they were not decoded
/// (if they were not). The original body (and with it the client's concurrency turn) is dropped.
pub(crate) fn rebuild(
    response: reqwest::Response,
    body: Vec<u8>,
    failure: Option<UndecodableBody>,
) -> reqwest::Response {
    let url = response.url().clone();
    let mut rebuilt = http::Response::new(reqwest::Body::from(body));
    *rebuilt.status_mut() = response.status();
    *rebuilt.version_mut() = response.version();
    *rebuilt.headers_mut() = response.headers().clone();
    if let Some(failure) = failure {
        rebuilt.extensions_mut().insert(failure);
    }
    crate::runtime::set_url(rebuilt.extensions_mut(), url);
    reqwest::Response::from(rebuilt)
}

/// An error and its sources on one line (reqwest's own `Display` stops at "error decoding response body").
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
