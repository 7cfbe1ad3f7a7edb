//! The hand-written runtime shared by every `sdk-*` crate of this workspace.
//!
//! Generated clients (see `ARCHITECTURE.md`) carry an [`Runtime`] as their inner value and route every
//! request through it: [`Runtime::prepare`] adds credentials and `content-length: 0` to body-less writes,
//! [`Runtime::execute`] sends it (again, under the client's [`RetryPolicy`], when that is safe) and hands
//! back errors and responses whose URL has its secrets redacted; [`decode`] reads at most the client's
//! [`decode::BodyLimit`] of an answer and keeps its status whatever goes wrong. [`pages`] walks a paged
//! list (a stream of pages or entries, or all at once) within caps, ending with a typed error that names
//! why when the service misbehaves, and keeping what was received.
//!
//! # Retries
//!
//! Only idempotent requests (`GET`, `HEAD`, `PUT`, `DELETE`, `OPTIONS`) whose body can be copied are sent
//! again, after a transport error (refused, reset, timed out) or a `429`/`502`/`503`/`504` answer; `POST` and
//! `PATCH` never are. The wait honours `Retry-After` (seconds or HTTP date, up to 30 s by default), else a
//! capped exponential backoff with full jitter: by default 3 attempts, 200 ms doubling up to 5 s. Set
//! another policy with `ClientBuilder::retry_policy`, or none with [`RetryPolicy::none`].
//!
//! # Bounds
//!
//! A request holds one of the client's `max_concurrent_requests` turns until its answer's body has been
//! read or dropped, so a client has at most that many connections busy and answers buffered (each at most
//! the [`decode::BodyLimit`]). `ClientBuilder::operation_timeout` bounds a whole call: queueing, credentials,
//! attempts, retry waits and the body. Headers and error bodies handed back are scrubbed of every secret
//! the client and the call hold ([`redact`]); success bodies are not (their secret fields are [`Secret`]s).
//!
//! # One call
//!
//! [`RequestOptions`] change the deadline, attempt timeout, retry policy (POST included, when the caller
//! says it is safe) and headers of the calls made through `Client::with_options`, which shares the
//! client's pool, limit and credentials; [`RawRequest`] (`Client::raw`) sends what a spec does not have yet
//! through the same runtime. Every call runs in a `tracing` span `sdk.call` (operation, method, route
//! template, attempts, status, request id, error, duration; never a URL or a credential), with a `DEBUG`
//! event per retry and per re-authorisation. Calls end in [`Error`], whose `Display` says what happened
//! (the transport cause, why a body did not decode, the provider's code and message through [`ErrorBody`]).
//!
//! Nothing here is specific to one provider; what differs between them is read from their spec into an
//! [`ApiProfile`].

mod builder;
mod credentials;
pub mod decode;
pub mod env;
mod error;
pub mod loose;
mod open_enum;
mod options;
pub mod pages;
mod path;
mod raw;
pub mod redact;
mod retry;
mod runtime;
mod secret;

pub use builder::{
    BuildError, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_CONCURRENT_REQUESTS,
    DEFAULT_OPERATION_TIMEOUT, DEFAULT_TIMEOUT, FromParts,
};
pub use credentials::{Authenticator, Credentials};
pub use decode::{UndecodableBody, UndecodableKind};
pub use env::EnvError;
pub use error::{Error, ErrorBody, REQUEST_ID_HEADERS, field_errors};
pub use options::{InvalidHeader, RequestOptions};
pub use path::{PathSegment, PathSegmentError, encode_path_segment};
pub use progenitor_client::{ByteStream, ResponseValue};
pub use raw::{RawRequest, RawResponse};
pub use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
pub use reqwest::{Method, StatusCode};
pub use retry::{Jitter, RetryPolicy, parse_retry_after};
pub use runtime::{ApiProfile, Route, Runtime};
pub use secret::Secret;

/// Re-exported for the expansion of [`open_enum!`].
#[doc(hidden)]
pub use open_enum::deserialize_open_enum as __deserialize_open_enum;
#[doc(hidden)]
pub use serde as __serde;
