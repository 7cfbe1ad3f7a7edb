//! The escape hatch for what a spec does not have yet: `client.raw(Method::GET, "/path/{segment}")`.

use std::fmt;

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};

use crate::{Error, PathSegment, Runtime, encode_path_segment};

/// The operation id raw requests have in spans and for the runtime (never a spec's public operation, so
/// they carry credentials).
pub const RAW_OPERATION: &str = "raw";

/// A request by method and path template, sent through the client's runtime like any operation: credentials
/// (and token refresh), retries, the concurrency limit, the deadline, redaction of URLs, headers and error
/// bodies, and the body limit. Made by each SDK's `Client::raw`.
///
/// `{name}` placeholders of the template are filled by [`RawRequest::path`] (percent-encoded; `""`, `"."`
/// and `".."` refused), so the span names the template, never the URL.
#[must_use]
pub struct RawRequest<'a> {
    http: &'a reqwest::Client,
    base_url: &'a str,
    runtime: &'a Runtime,
    method: Method,
    template: String,
    segments: Vec<(String, String)>,
    query: Vec<(String, String)>,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Option<(Vec<u8>, HeaderValue)>,
    refused: Option<String>,
}

impl fmt::Debug for RawRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Arguments may be secrets: the method and template only.
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("template", &self.template)
            .finish_non_exhaustive()
    }
}

/// The answer to a [`RawRequest`] with a success status: status, headers (redacted like every answer's)
/// and the body, read whole (at most the client's body limit).
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl RawResponse {
    /// The body decoded as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}

impl<'a> RawRequest<'a> {
    /// What `Client::raw` calls (`base_url` without a trailing slash).
    pub fn new(
        http: &'a reqwest::Client,
        base_url: &'a str,
        runtime: &'a Runtime,
        method: Method,
        template: &str,
    ) -> Self {
        let refused = (!template.starts_with('/'))
            .then(|| format!("the path template `{template}` must start with `/`"));
        Self {
            http,
            base_url,
            runtime,
            method,
            template: template.to_string(),
            segments: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            refused,
        }
    }

    /// The value of the template's `{name}`.
    pub fn path(mut self, name: &str, value: impl Into<String>) -> Self {
        self.segments.push((name.to_string(), value.into()));
        self
    }

    /// A query parameter (repeat it for an array).
    pub fn query(mut self, name: &str, value: impl fmt::Display) -> Self {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    /// A header of this request (not the credentials: see `RequestOptions`).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(mut value)) => {
                value.set_sensitive(true);
                self.headers.push((name, value));
            }
            _ => self.refuse(format!("the header `{name}` is not a valid HTTP header")),
        }
        self
    }

    /// A JSON body.
    pub fn json(mut self, body: &impl serde::Serialize) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.body = Some((bytes, HeaderValue::from_static("application/json")));
            }
            Err(e) => self.refuse(format!("the body does not serialize as JSON: {e}")),
        }
        self
    }

    /// A body of any content type.
    pub fn body(mut self, body: impl Into<Vec<u8>>, content_type: &str) -> Self {
        match HeaderValue::from_str(content_type) {
            Ok(value) => self.body = Some((body.into(), value)),
            Err(_) => self.refuse(format!("`{content_type}` is not a valid content type")),
        }
        self
    }

    fn refuse(&mut self, reason: String) {
        self.refused.get_or_insert(reason);
    }

    /// The path with every placeholder filled and encoded.
    fn path_of(&self) -> Result<String, String> {
        let mut path = String::with_capacity(self.template.len());
        let mut rest = self.template.as_str();
        while let Some(open) = rest.find('{') {
            let close = rest[open..]
                .find('}')
                .map(|i| open + i)
                .ok_or_else(|| format!("unclosed `{{` in `{}`", self.template))?;
            let name = &rest[open + 1..close];
            let value = self
                .segments
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v)
                .ok_or_else(|| format!("no value for `{{{name}}}` (set it with `.path(..)`)"))?;
            let segment = PathSegment::new(value.as_str())
                .map_err(|e| format!("`{name}` is not a valid path segment: {e}"))?;
            path.push_str(&rest[..open]);
            path.push_str(&encode_path_segment(segment.as_str()));
            rest = &rest[close + 1..];
        }
        path.push_str(rest);
        if let Some((name, _)) = self
            .segments
            .iter()
            .find(|(n, _)| !self.template.contains(&format!("{{{n}}}")))
        {
            return Err(format!(
                "the template `{}` has no `{{{name}}}`",
                self.template
            ));
        }
        Ok(path)
    }

    /// Sends the request. A success status gives its [`RawResponse`]; any other answer
    /// `Error::UnexpectedResponse` (body read, bounded and scrubbed of secrets), like an undocumented status
    /// of any operation; a too-large or unreadable success body too, with its
    /// [`UndecodableBody`](crate::UndecodableBody).
    pub async fn send(self) -> Result<RawResponse, Error> {
        if let Some(reason) = &self.refused {
            return Err(Error::InvalidRequest(reason.clone()));
        }
        let path = self.path_of().map_err(Error::InvalidRequest)?;
        let mut builder = self
            .http
            .request(self.method.clone(), format!("{}{path}", self.base_url));
        if !self.query.is_empty() {
            builder = builder.query(&self.query);
        }
        for (name, value) in &self.headers {
            builder = builder.header(name.clone(), value.clone());
        }
        if let Some((body, content_type)) = self.body {
            builder = builder.header(CONTENT_TYPE, content_type).body(body);
        }
        let mut request = builder.build()?;
        self.runtime
            .prepare::<()>(&mut request, RAW_OPERATION)
            .await?;
        let result = self
            .runtime
            .execute_route(self.http, request, RAW_OPERATION, Some(&self.template))
            .await;
        self.runtime.check::<()>(&result).await?;
        let mut response = result?;
        if !response.status().is_success() {
            return Err(crate::decode::unexpected_response(response).await);
        }
        let (body, failure) = crate::decode::read(&mut response).await;
        if failure.is_some() {
            return Err(Error::UnexpectedResponse(crate::decode::rebuild(
                response, body, failure,
            )));
        }
        Ok(RawResponse {
            status: response.status(),
            headers: std::mem::take(response.headers_mut()),
            body: Bytes::from(body),
        })
    }
}
