use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use crate::Secret;

/// How a client proves who it is: one of the four schemes these providers use, none, or a custom
/// [`Authenticator`] (for schemes with state, such as OAuth 2.0 tokens that expire).
///
/// `Debug` shows the scheme and the non-secret parts only.
#[derive(Clone)]
pub enum Credentials {
    /// No credentials (public operations only).
    None,
    /// HTTP Basic: `Authorization: Basic base64(username:password)`.
    Basic { username: String, password: Secret },
    /// A key in a request header, e.g. `X-Api-Key: ...`.
    ApiKeyHeader { header: HeaderName, key: Secret },
    /// `Authorization: Bearer <token>`, with a token the caller already holds.
    Bearer(Secret),
    /// A pair of query parameters on every request, e.g. `auth-userid=...&api-key=...`.
    QueryPair {
        user_parameter: String,
        user: String,
        key_parameter: String,
        key: Secret,
    },
    /// Anything else; see [`Authenticator`].
    Custom(Arc<dyn Authenticator>),
}

/// A credential scheme with its own logic (token refresh, signing). It is asked to authorise every request
/// that needs credentials, and whether a response means "try once more with fresh credentials".
pub trait Authenticator: Send + Sync + fmt::Debug {
    /// Adds credentials to `request`; an error is reported to the caller as `Error::Custom`.
    fn authorize<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

    /// Whether `response`, the answer to a request that carried the headers `sent`, says the credentials it
    /// carried went stale (e.g. an expired token): the runtime then calls [`Authenticator::authorize`] again
    /// and resends the request once. `sent` lets an authenticator tell a refusal of the credentials it holds
    /// now from a late refusal of ones it has already replaced (which must not replace them again).
    fn is_stale(&self, _sent: &HeaderMap, _response: &reqwest::Response) -> bool {
        false
    }

    /// Every secret value it holds now (keys, passwords, tokens): the runtime keeps them out of everything
    /// it hands back, whatever a server echoes.
    fn secrets(&self) -> Vec<Secret> {
        Vec::new()
    }
}

impl Credentials {
    pub fn basic(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self::Basic {
            username: username.into(),
            password: password.into(),
        }
    }

    /// Refuses a header name that is not a valid HTTP header name.
    pub fn api_key_header(header: &str, key: impl Into<Secret>) -> Result<Self, String> {
        let header = HeaderName::from_bytes(header.as_bytes())
            .map_err(|_| format!("`{header}` is not a valid header name"))?;
        Ok(Self::ApiKeyHeader {
            header,
            key: key.into(),
        })
    }

    pub fn bearer(token: impl Into<Secret>) -> Self {
        Self::Bearer(token.into())
    }

    pub fn query_pair(
        user_parameter: impl Into<String>,
        user: impl Into<String>,
        key_parameter: impl Into<String>,
        key: impl Into<Secret>,
    ) -> Self {
        Self::QueryPair {
            user_parameter: user_parameter.into(),
            user: user.into(),
            key_parameter: key_parameter.into(),
            key: key.into(),
        }
    }

    /// Every secret value these credentials hold now (for the runtime to keep out of its output). A Basic
    /// user name counts (some providers put a token there); so does the header value sent.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let mut secrets = match self {
            Self::None => Vec::new(),
            Self::Basic { username, password } => {
                vec![username.clone(), password.expose().to_string()]
            }
            Self::ApiKeyHeader { key, .. } => vec![key.expose().to_string()],
            Self::Bearer(token) => vec![token.expose().to_string()],
            Self::QueryPair { key, .. } => vec![key.expose().to_string()],
            // Asked on every call: its secrets change (tokens).
            Self::Custom(_) => Vec::new(),
        };
        if let Some((_, value)) = self.header()
            && let Ok(value) = value.to_str()
            && let Some((_, encoded)) = value.split_once(' ')
        {
            secrets.push(encoded.to_string());
        }
        secrets
    }

    /// Checks what can be checked before the first request (values that cannot go in a header).
    pub(crate) fn validate(&self) -> Result<(), String> {
        match self {
            Self::Basic { username, .. } if username.contains(':') => {
                Err("a Basic user name cannot contain `:`".to_string())
            }
            Self::Basic { .. } | Self::ApiKeyHeader { .. } | Self::Bearer(_) => {
                self.header().map(|_| ()).ok_or_else(|| {
                    "the credentials contain characters that cannot be sent in an HTTP header"
                        .to_string()
                })
            }
            Self::QueryPair { user, key, .. } if user.is_empty() || key.expose().is_empty() => {
                Err("the user id and the API key must not be empty".to_string())
            }
            _ => Ok(()),
        }
    }

    /// The header these credentials send, marked sensitive so that no `Debug` of it shows the value.
    pub(crate) fn header(&self) -> Option<(HeaderName, HeaderValue)> {
        let (name, value) = match self {
            Self::Basic { username, password } => (
                AUTHORIZATION,
                format!(
                    "Basic {}",
                    base64(format!("{username}:{}", password.expose()).as_bytes())
                ),
            ),
            Self::ApiKeyHeader { header, key } => (header.clone(), key.expose().to_string()),
            Self::Bearer(token) => (AUTHORIZATION, format!("Bearer {}", token.expose())),
            _ => return None,
        };
        let mut value = HeaderValue::from_str(&value).ok()?;
        value.set_sensitive(true);
        Some((name, value))
    }

    pub(crate) async fn apply(&self, request: &mut reqwest::Request) -> Result<(), String> {
        match self {
            Self::None => {}
            Self::QueryPair {
                user_parameter,
                user,
                key_parameter,
                key,
            } => {
                request
                    .url_mut()
                    .query_pairs_mut()
                    .append_pair(user_parameter, user)
                    .append_pair(key_parameter, key.expose());
            }
            Self::Custom(authenticator) => authenticator.authorize(request).await?,
            _ => {
                let (name, value) = self
                    .header()
                    .ok_or("the credentials cannot be sent in an HTTP header")?;
                request.headers_mut().insert(name, value);
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            // Some providers put a secret in the user name (Greenview: the API token): neither is shown.
            Self::Basic { .. } => f
                .debug_struct("Basic")
                .field("username", &"<redacted>")
                .field("password", &"<redacted>")
                .finish(),
            Self::ApiKeyHeader { header, key } => f
                .debug_struct("ApiKeyHeader")
                .field("header", header)
                .field("key", key)
                .finish(),
            Self::Bearer(token) => f.debug_tuple("Bearer").field(token).finish(),
            Self::QueryPair {
                user_parameter,
                user,
                key_parameter,
                key,
            } => f
                .debug_struct("QueryPair")
                .field("user_parameter", user_parameter)
                .field("user", user)
                .field("key_parameter", key_parameter)
                .field("key", key)
                .finish(),
            Self::Custom(authenticator) => f.debug_tuple("Custom").field(authenticator).finish(),
        }
    }
}

/// Standard base64 with padding (RFC 4648), for the Basic scheme.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let sentinel = "S3NT1NEL-secret";
        for credentials in [
            Credentials::basic("bob", sentinel),
            Credentials::basic(sentinel, "password"),
            Credentials::api_key_header("X-Api-Key", sentinel).unwrap(),
            Credentials::bearer(sentinel),
            Credentials::query_pair("auth-userid", "42", "api-key", sentinel),
        ] {
            let shown = format!(
                "{credentials:?} {credentials:#?} {:?}",
                credentials.header()
            );
            assert!(!shown.contains(sentinel), "{shown}");
        }
    }
}
