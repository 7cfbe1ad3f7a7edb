use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use progenitor_client::Error;
use reqwest::header::{CONTENT_LENGTH, HeaderName, HeaderValue};
use reqwest::{Method, Url};
use tokio::sync::Semaphore;

use crate::decode::BodyLimit;
use crate::redact::{has_secret, redact_url};
use crate::{Credentials, RetryPolicy};

/// What the runtime needs to know about one provider's API. Each SDK's generated code defines its
/// `PROFILE` from the spec.
#[derive(Debug)]
pub struct ApiProfile {
    /// The SDK crate's name and version, sent as the `User-Agent`.
    pub sdk_name: &'static str,
    pub sdk_version: &'static str,
    /// `servers[0].url` of the spec.
    pub default_base_url: &'static str,
    /// Operations the spec marks `security: []`: they are sent without credentials.
    pub public_operations: &'static [&'static str],
    /// Query parameters whose values are secrets: redacted from every URL the client hands back.
    pub secret_query_parameters: &'static [&'static str],
}

/// The inner value of every generated client: credentials and the API's profile.
///
/// Its `Debug` shows no secret.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) profile: &'static ApiProfile,
    pub(crate) credentials: Credentials,
    pub(crate) retry: RetryPolicy,
    pub(crate) body_limit: BodyLimit,
    /// Requests of this client (and its clones) in flight at once; the others wait their turn.
    pub(crate) in_flight: Arc<Semaphore>,
    /// The header of header credentials, built once (marked sensitive) rather than on every request.
    pub(crate) auth_header: Option<(HeaderName, HeaderValue)>,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("sdk", &self.profile.sdk_name)
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("body_limit", &self.body_limit)
            .finish()
    }
}

impl Runtime {
    pub fn profile(&self) -> &'static ApiProfile {
        self.profile
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Runs before each request is sent (the generated `ClientHooks::pre`).
    pub async fn prepare<E>(
        &self,
        request: &mut reqwest::Request,
        operation_id: &str,
    ) -> Result<(), Error<E>> {
        if !self.profile.public_operations.contains(&operation_id) {
            match &self.auth_header {
                Some((name, value)) => {
                    request.headers_mut().insert(name.clone(), value.clone());
                }
                None => self
                    .credentials
                    .apply(request)
                    .await
                    .map_err(Error::Custom)?,
            }
        }
        // Some front ends answer 411 to a body-less POST/PUT without a length; reqwest sends none.
        let writes = matches!(
            *request.method(),
            Method::POST | Method::PUT | Method::PATCH
        );
        if writes && request.body().is_none() && !request.headers().contains_key(CONTENT_LENGTH) {
            request
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        }
        Ok(())
    }

    /// Sends a request (the generated `ClientHooks::exec`), following the client's [`RetryPolicy`]: an
    /// idempotent request whose body can be copied is sent again after a transport error or a
    /// 429/502/503/504 answer. With a custom authenticator, an answer saying the credentials went stale gets
    /// the request re-authorised and resent once (not counted as an attempt). Errors and responses come
    /// back with the secrets of their URL redacted, so that no `Display` or `Debug` of them can show one;
    /// a response carries the client's [`BodyLimit`] for the decoder. At most the client's
    /// `max_concurrent_requests` are sent at once; the others wait for their turn.
    pub async fn execute(
        &self,
        http: &reqwest::Client,
        mut request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        let retries = self.retry.retries_method(request.method());
        let custom = match &self.credentials {
            Credentials::Custom(authenticator) => Some(authenticator),
            _ => None,
        };
        let mut reauthorised = false;
        let mut attempt = 1;
        let mut previous_wait = Duration::ZERO;
        let outcome = loop {
            // A copy to send again, made only when it may be needed (a streaming body cannot be copied).
            let mut spare = if retries || (custom.is_some() && !reauthorised) {
                request.try_clone()
            } else {
                None
            };
            // Held until the answer's head has arrived: bounds the connections one client opens (an HTTP/1.1
            // connection carries one request at a time). The semaphore is never closed.
            let permit = self.in_flight.acquire().await;
            let outcome = http.execute(request).await;
            drop(permit);
            if let (Some(authenticator), false, Ok(response)) = (custom, reauthorised, &outcome)
                && authenticator.is_stale(response)
                && let Some(mut again) = spare.take()
            {
                reauthorised = true;
                if authenticator.authorize(&mut again).await.is_ok() {
                    request = again;
                    continue;
                }
            }
            let wait = match (&outcome, &spare) {
                (_, None) => None,
                _ if !retries => None,
                (Ok(response), _) => self.retry.after_response(
                    attempt,
                    previous_wait,
                    response.status(),
                    response.headers(),
                ),
                (Err(error), _) => self.retry.after_error(attempt, previous_wait, error),
            };
            match (wait, spare) {
                (Some(wait), Some(spare)) => {
                    // Dropped before the wait: its connection is not held while sleeping.
                    drop(outcome);
                    tokio::time::sleep(wait).await;
                    previous_wait = wait;
                    attempt += 1;
                    request = spare;
                }
                _ => break outcome,
            }
        };
        match outcome {
            Ok(response) => Ok(self.finish_response(response)),
            Err(mut error) => {
                if let Some(url) = error.url_mut() {
                    redact_url(url, self.profile.secret_query_parameters);
                }
                Err(error)
            }
        }
    }

    /// The response under its redacted URL, carrying the body limit for [`crate::decode`].
    fn finish_response(&self, response: reqwest::Response) -> reqwest::Response {
        // Most responses have nothing to redact: checked without copying the URL.
        let mut response = if has_secret(response.url(), self.profile.secret_query_parameters) {
            let mut url: Url = response.url().clone();
            redact_url(&mut url, self.profile.secret_query_parameters);
            with_url(response, url)
        } else {
            response
        };
        response.extensions_mut().insert(self.body_limit);
        response
    }
}

/// The same response (status, headers, extensions, streaming body) under another URL.
pub(crate) fn with_url(response: reqwest::Response, url: Url) -> reqwest::Response {
    use reqwest::ResponseBuilderExt;
    let response: http::Response<reqwest::Body> = response.into();
    let (mut parts, body) = response.into_parts();
    // reqwest keeps a response's URL in a private extension that only its builder can set: build an empty
    // response carrying the new URL and move its extensions over the old ones (same type: replaced).
    // An empty builder with only an extension cannot fail.
    if let Ok(carrier) = http::Response::builder().url(url).body(()) {
        parts.extensions.extend(carrier.into_parts().0.extensions);
    }
    reqwest::Response::from(http::Response::from_parts(parts, body))
}
