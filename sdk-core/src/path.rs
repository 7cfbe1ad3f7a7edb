use std::fmt;

/// One segment of a request path, such as an account id or a domain name.
///
/// The URL library collapses `""`, `"."` and `".."` (so `delete_domain("..")` would reach a different
/// resource); a `PathSegment` refuses them, before any request is sent. Every other value is kept as
/// given and percent-encoded when the path is built (`/ ? # % @`, spaces and non-ASCII included).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PathSegment(String);

/// Why a value cannot be a [`PathSegment`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathSegmentError {
    value: String,
}

impl fmt::Display for PathSegmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            f.write_str("an empty string cannot be a path segment")
        } else {
            write!(
                f,
                "`{}` cannot be a path segment: the URL would resolve it to another resource",
                self.value
            )
        }
    }
}

impl std::error::Error for PathSegmentError {}

impl PathSegment {
    pub fn new(value: impl Into<String>) -> Result<Self, PathSegmentError> {
        let value = value.into();
        match value.as_str() {
            "" | "." | ".." => Err(PathSegmentError { value }),
            _ => Ok(Self(value)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// The raw value; the generated client percent-encodes it when it builds the URL.
impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PathSegment {
    type Error = PathSegmentError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl TryFrom<&str> for PathSegment {
    type Error = PathSegmentError;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl TryFrom<&String> for PathSegment {
    type Error = PathSegmentError;
    fn try_from(value: &String) -> Result<Self, Self::Error> {
        Self::new(value.as_str())
    }
}

impl std::str::FromStr for PathSegment {
    type Err = PathSegmentError;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::new(value)
    }
}

impl serde::Serialize for PathSegment {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for PathSegment {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Self::new(value).map_err(serde::de::Error::custom)
    }
}

/// Percent-encodes one path segment for the generated clients (`cargo xtask generate` points them here):
/// everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`) is encoded, `@` and `:`
/// included, so that no server or proxy can read a segment as anything but data.
pub fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_values_the_url_would_collapse() {
        for bad in ["", ".", ".."] {
            let err = PathSegment::new(bad).unwrap_err();
            assert!(err.to_string().contains("path segment"), "{err}");
        }
    }

    #[test]
    fn encodes_all_but_unreserved_bytes() {
        assert_eq!(encode_path_segment("a-Z_0.~"), "a-Z_0.~");
        assert_eq!(
            encode_path_segment("a/b?c#d%e@f:g h"),
            "a%2Fb%3Fc%23d%25e%40f%3Ag%20h"
        );
        assert_eq!(encode_path_segment("ü"), "%C3%BC");
    }

    #[test]
    fn keeps_every_other_value_verbatim() {
        for good in ["...", ".hidden", "a/b", "%2e%2e", "ü", " "] {
            assert_eq!(PathSegment::new(good).unwrap().to_string(), good);
        }
    }
}
