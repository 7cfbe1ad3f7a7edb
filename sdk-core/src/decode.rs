//! Decoding of JSON bodies for the generated clients (`cargo xtask generate` points them here).

use progenitor_client::{Error, ResponseValue};
use serde::de::DeserializeOwned;

/// Attached (as a response extension) to the response of an [`Error::UnexpectedResponse`] whose status was
/// documented but whose body did not decode: says why.
#[derive(Clone, Debug)]
pub struct UndecodableBody {
    pub reason: String,
}

/// Decodes a documented JSON body. Unlike progenitor's own decoder, a body that is not the documented JSON
/// keeps its HTTP status, headers and bytes: it becomes [`Error::UnexpectedResponse`] (with an
/// [`UndecodableBody`] extension), never a status-less `InvalidResponsePayload`. An empty body reads as
/// JSON `null` (a spec whose response may be empty declares it nullable).
pub async fn json_response<T: DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let status = response.status();
    // Moved out, not copied: reading the body does not need them.
    let headers = std::mem::take(response.headers_mut());
    let version = response.version();
    let url = response.url().clone();
    let body = response.bytes().await.map_err(Error::ResponseBodyError)?;
    let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        &body
    };
    match serde_json::from_slice(text) {
        Ok(inner) => Ok(ResponseValue::new(inner, status, headers)),
        Err(e) => {
            let mut rebuilt = http::Response::new(reqwest::Body::from(body));
            *rebuilt.status_mut() = status;
            *rebuilt.version_mut() = version;
            *rebuilt.headers_mut() = headers;
            rebuilt.extensions_mut().insert(UndecodableBody {
                reason: e.to_string(),
            });
            let rebuilt = crate::runtime::with_url(reqwest::Response::from(rebuilt), url);
            Err(Error::UnexpectedResponse(rebuilt))
        }
    }
}
