//! The hand-written runtime shared by every `sdk-*` crate of this workspace.
//!
//! Generated clients (see `ARCHITECTURE.md`) carry an [`Runtime`] as their inner value and route every
//! request through it: [`Runtime::prepare`] adds credentials and `content-length: 0` to body-less writes,
//! [`Runtime::execute`] sends it and hands back errors and responses whose URL has its secrets redacted.
//! Nothing here is specific to one provider; what differs between them is read from their spec into an
//! [`ApiProfile`].

mod builder;
mod credentials;
pub mod decode;
pub mod loose;
mod open_enum;
mod path;
pub mod redact;
mod runtime;
mod secret;

pub use builder::{BuildError, ClientBuilder, FromParts};
pub use credentials::{Authenticator, Credentials};
pub use path::{PathSegment, PathSegmentError, encode_path_segment};
pub use runtime::{ApiProfile, Runtime};
pub use secret::Secret;

/// Re-exported for the expansion of [`open_enum!`].
#[doc(hidden)]
pub use open_enum::deserialize_open_enum as __deserialize_open_enum;
#[doc(hidden)]
pub use serde as __serde;
