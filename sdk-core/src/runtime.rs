use std::fmt;

use progenitor_client::Error;
use reqwest::header::{CONTENT_LENGTH, HeaderName, HeaderValue};
use reqwest::{Method, Url};

use crate::Credentials;
use crate::redact::{has_secret, redact_url};

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
    /// The header of header credentials, built once (marked sensitive) rather than on every request.
    pub(crate) auth_header: Option<(HeaderName, HeaderValue)>,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("sdk", &self.profile.sdk_name)
            .field("credentials", &self.credentials)
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

    /// Sends a request (the generated `ClientHooks::exec`). Errors and responses come back with the
    /// secrets of their URL redacted, so that no `Display` or `Debug` of them can show one.
    pub async fn execute(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        let retry = match &self.credentials {
            Credentials::Custom(_) => request.try_clone(),
            _ => None,
        };
        let mut outcome = http.execute(request).await;
        if let (Credentials::Custom(authenticator), Some(mut again), Ok(response)) =
            (&self.credentials, retry, &outcome)
            && authenticator.is_stale(response)
            && authenticator.authorize(&mut again).await.is_ok()
        {
            outcome = http.execute(again).await;
        }
        match outcome {
            Ok(response) => Ok(self.redact_response(response)),
            Err(mut error) => {
                if let Some(url) = error.url_mut() {
                    redact_url(url, self.profile.secret_query_parameters);
                }
                Err(error)
            }
        }
    }

    fn redact_response(&self, response: reqwest::Response) -> reqwest::Response {
        // Most responses have nothing to redact: checked without copying the URL.
        if !has_secret(response.url(), self.profile.secret_query_parameters) {
            return response;
        }
        let mut url: Url = response.url().clone();
        redact_url(&mut url, self.profile.secret_query_parameters);
        with_url(response, url)
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
