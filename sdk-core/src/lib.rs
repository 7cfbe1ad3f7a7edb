//! The hand-written runtime shared by every `sdk-*` crate of this workspace.
//!
//! Generated clients (see `ARCHITECTURE.md`) carry an [`Runtime`] as their inner value and route every
//! request through it: [`Runtime::prepare`] adds credentials and `content-length: 0` to body-less writes,
//! [`Runtime::execute`] sends it (again, under the client's [`RetryPolicy`], when that is safe) and hands
//! back errors and responses whose URL has its secrets redacted; [`decode`] reads at most the client's
//! [`decode::BodyLimit`] of an answer and keeps its status whatever goes wrong.
//!
//! # Retries
//!
//! Only idempotent requests (`GET`, `HEAD`, `PUT`, `DELETE`, `OPTIONS`) whose body can be copied are sent
//! again, after a transport error (refused, reset, timed out) or a `429`/`502`/`503`/`504` answer; `POST` and
//! `PATCH` never are. The wait honours `Retry-After` (seconds or HTTP date, up to 30 s by default), else a
//! capped exponential backoff with full jitter: by default 3 attempts, 200 ms doubling up to 5 s. Set
//! another policy with `ClientBuilder::retry_policy`, or none with [`RetryPolicy::none`].
//! Nothing here is specific to one provider; what differs between them is read from their spec into an
//! [`ApiProfile`].

mod builder;
mod credentials;
pub mod decode;
pub mod loose;
mod open_enum;
mod path;
pub mod redact;
mod retry;
mod runtime;
mod secret;

pub use builder::{
    BuildError, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_CONCURRENT_REQUESTS,
    DEFAULT_TIMEOUT, FromParts,
};
pub use credentials::{Authenticator, Credentials};
pub use path::{PathSegment, PathSegmentError, encode_path_segment};
pub use retry::{Jitter, RetryPolicy, parse_retry_after};
pub use runtime::{ApiProfile, Runtime};
pub use secret::Secret;

/// Re-exported for the expansion of [`open_enum!`].
#[doc(hidden)]
pub use open_enum::deserialize_open_enum as __deserialize_open_enum;
#[doc(hidden)]
pub use serde as __serde;
