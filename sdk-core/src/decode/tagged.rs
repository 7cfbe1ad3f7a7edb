//! One-pass decoding of an answer that is either an error envelope or a success shape, told apart by one
//! member of the envelope (ResellerClub's `{"status":"ERROR","message":...}`, sent with HTTP 200 too).
//!
//! `#[serde(untagged)]` decodes such a choice by trial: it buffers the whole body into serde's generic
//! content tree, tries the error shape (a scan of every member), then the success shape from a copy of the
//! tree. [`error_or`] reads the body once, straight into the success type, while watching for the tag: only
//! the envelope's own members (for ResellerClub: `status` and `message`) are kept aside as they pass. When
//! the tag says "error", the members the success type has not read yet are read past, and the error is
//! decoded from what was kept. The generated `Deserialize` of such a `oneOf` calls it (`cargo xtask
//! generate`, `xtask/src/tagged.rs`).

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

/// What [`error_or`] decoded.
#[derive(Clone, Debug, PartialEq)]
pub enum ErrorOr<E, T> {
    /// The error envelope (its tag had the error value).
    Error(E),
    /// The success shape.
    Success(T),
}

/// How the envelope is told apart: its member `tag` has the string value `value`; `members` are the
/// envelope's members (kept aside while the body is read, to decode the envelope from them).
#[derive(Clone, Copy, Debug)]
pub struct Envelope {
    /// The member that tells an error (`status`).
    pub tag: &'static str,
    /// Its value in an error (`ERROR`).
    pub value: &'static str,
    /// Every member of the envelope (`status`, `message`), the tag included.
    pub members: &'static [&'static str],
}

/// Decodes a JSON object as the error envelope `E` when its `envelope.tag` member is `envelope.value`,
/// else as `T`, in one pass over the body (see the module docs). The members may come in any order. A
/// body that is not an object is an error; so is an object that is neither the envelope nor a `T` (with
/// `T`'s own message).
pub fn error_or<'de, D, E, T>(
    deserializer: D,
    envelope: Envelope,
) -> Result<ErrorOr<E, T>, D::Error>
where
    D: Deserializer<'de>,
    E: de::DeserializeOwned,
    T: Deserialize<'de>,
{
    deserializer.deserialize_map(ErrorOrVisitor {
        envelope,
        marker: PhantomData,
    })
}

struct ErrorOrVisitor<E, T> {
    envelope: Envelope,
    marker: PhantomData<fn() -> (E, T)>,
}

impl<'de, E, T> Visitor<'de> for ErrorOrVisitor<E, T>
where
    E: de::DeserializeOwned,
    T: Deserialize<'de>,
{
    type Value = ErrorOr<E, T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a JSON object: an error (`{}`: `{}`) or the answer",
            self.envelope.tag, self.envelope.value
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let mut tee = Tee {
            inner: map,
            envelope: self.envelope,
            kept: serde_json::Map::new(),
            member: None,
            is_error: false,
            ended: false,
            clean: true,
        };
        let success = T::deserialize(de::value::MapAccessDeserializer::new(&mut tee));
        // `T` may have failed on a kept member (replayed from its copy: the body was read past it), or, on
        // an error body, on a member it does not know: the rest of the body may still say "error".
        if !tee.is_error && success.is_err() && tee.clean {
            tee.read_past_the_rest()?;
        }
        if tee.is_error {
            if !tee.ended && tee.clean {
                tee.read_past_the_rest()?;
            }
            return serde_json::from_value(serde_json::Value::Object(tee.kept))
                .map(ErrorOr::Error)
                .map_err(de::Error::custom);
        }
        success.map(ErrorOr::Success)
    }
}

/// Hands the body's members to `T`, keeping a copy of the envelope's members.
struct Tee<A> {
    inner: A,
    envelope: Envelope,
    kept: serde_json::Map<String, serde_json::Value>,
    /// The envelope member whose value comes next.
    member: Option<String>,
    /// The tag said "error": the members left are not `T`'s.
    is_error: bool,
    /// The body's end was read.
    ended: bool,
    /// The body was read exactly to a member's end (false once `T` failed while reading from the body
    /// itself: the reader's position is then unknown).
    clean: bool,
}

impl<'de, A: MapAccess<'de>> Tee<A> {
    fn keep(&mut self, name: String, value: serde_json::Value) {
        if name == self.envelope.tag && value.as_str() == Some(self.envelope.value) {
            self.is_error = true;
        }
        self.kept.insert(name, value);
    }

    fn read_past_the_rest(&mut self) -> Result<(), A::Error> {
        while let Some(key) = self.inner.next_key_seed(KeySeed)? {
            let name = key.as_str();
            if self.envelope.members.contains(&name) {
                let value = self.inner.next_value::<serde_json::Value>()?;
                self.keep(name.to_string(), value);
            } else {
                self.inner.next_value::<IgnoredAny>()?;
            }
        }
        self.ended = true;
        Ok(())
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Tee<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        if self.is_error {
            // `T` sees the body end here; its result is not used.
            self.read_past_the_rest()?;
            return Ok(None);
        }
        let Some(key) = self.inner.next_key_seed(KeySeed)? else {
            self.ended = true;
            return Ok(None);
        };
        if self.envelope.members.contains(&key.as_str()) {
            self.member = Some(key.as_str().to_string());
        }
        match key {
            Key::Borrowed(name) => seed
                .deserialize(de::value::BorrowedStrDeserializer::new(name))
                .map(Some),
            Key::Owned(name) => seed
                .deserialize(de::value::StringDeserializer::new(name))
                .map(Some),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        let Some(name) = self.member.take() else {
            return self
                .inner
                .next_value_seed(seed)
                .inspect_err(|_| self.clean = false);
        };
        let value = self.inner.next_value::<serde_json::Value>()?;
        let copy = value.clone();
        self.keep(name, value);
        seed.deserialize(copy).map_err(de::Error::custom)
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// A member name, borrowed from the body when it has no escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Self::Borrowed(name) => name,
            Self::Owned(name) => name,
        }
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key<'de>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E: de::Error>(self, name: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(name))
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Key<'de>, E> {
        Ok(Key::Owned(name.to_string()))
    }

    fn visit_string<E: de::Error>(self, name: String) -> Result<Key<'de>, E> {
        Ok(Key::Owned(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[derive(Debug, Deserialize, PartialEq)]
    struct ApiError {
        status: String,
        message: Option<String>,
    }

    /// Like ResellerClub's mail-user result: its own `status`.
    #[derive(Debug, Deserialize, PartialEq)]
    struct Outcome {
        status: Option<String>,
        message: Option<String>,
    }

    /// Like ResellerClub's band pricing: every member must be a map.
    type Pricing = HashMap<String, HashMap<String, u32>>;

    /// Like ResellerClub's search results: counters and numbered entries, through `flatten`.
    #[derive(Debug, Deserialize, PartialEq)]
    struct Search {
        recsindb: Option<String>,
        #[serde(flatten)]
        entries: HashMap<String, HashMap<String, String>>,
    }

    const ENVELOPE: Envelope = Envelope {
        tag: "status",
        value: "ERROR",
        members: &["status", "message"],
    };

    fn decode<T: de::DeserializeOwned>(json: &str) -> Result<ErrorOr<ApiError, T>, String> {
        let mut reader = serde_json::Deserializer::from_str(json);
        let decoded = error_or(&mut reader, ENVELOPE).map_err(|e| e.to_string())?;
        reader.end().map_err(|e| e.to_string())?;
        Ok(decoded)
    }

    fn error(message: &str) -> ApiError {
        ApiError {
            status: "ERROR".into(),
            message: Some(message.into()),
        }
    }

    #[test]
    fn an_error_is_told_by_its_tag_in_any_order_whatever_the_success_shape() {
        for body in [
            r#"{"status":"ERROR","message":"no"}"#,
            r#"{"message":"no","status":"ERROR"}"#,
            r#"{"message":"no","extra":{"a":[1,2]},"status":"ERROR","more":1}"#,
        ] {
            assert_eq!(
                decode::<Outcome>(body),
                Ok(ErrorOr::Error(error("no"))),
                "{body}"
            );
            assert_eq!(
                decode::<Pricing>(body),
                Ok(ErrorOr::Error(error("no"))),
                "{body}"
            );
            assert_eq!(
                decode::<Search>(body),
                Ok(ErrorOr::Error(error("no"))),
                "{body}"
            );
        }
    }

    #[test]
    fn a_success_is_decoded_whole_with_its_own_tag_member() {
        assert_eq!(
            decode::<Outcome>(r#"{"message":"done","status":"SUCCESS"}"#),
            Ok(ErrorOr::Success(Outcome {
                status: Some("SUCCESS".into()),
                message: Some("done".into())
            }))
        );
        let Ok(ErrorOr::Success(search)) = decode::<Search>(
            r#"{"recsindb":"2","1":{"k":"a"},"2":{"k\u0062":"b"},"recsonpage":{}}"#,
        ) else {
            panic!("not a success");
        };
        assert_eq!(search.recsindb.as_deref(), Some("2"));
        assert_eq!(search.entries["2"]["kb"], "b");
        assert_eq!(search.entries.len(), 3);
        let pricing = decode::<Pricing>(r#"{"hosting":{"add":1}}"#).unwrap();
        assert_eq!(
            pricing,
            ErrorOr::Success(HashMap::from([(
                "hosting".to_string(),
                HashMap::from([("add".to_string(), 1)])
            )]))
        );
    }

    #[test]
    fn a_body_that_is_neither_fails_with_the_success_types_reason() {
        let err = decode::<Pricing>(r#"{"hosting":5,"status":"OK"}"#).unwrap_err();
        assert!(
            err.contains("invalid type: integer `5`, expected a map"),
            "{err}"
        );
        let err = decode::<Pricing>(r#"{"status":"OK"}"#).unwrap_err();
        assert!(err.contains("expected a map"), "{err}");
        let err = decode::<Outcome>(r#"[1, 2]"#).unwrap_err();
        assert!(err.contains("a JSON object"), "{err}");
        assert!(decode::<Outcome>(r#"{"status":"ERROR","message":"x""#).is_err());
        // The tag's value must be the error's exactly.
        assert!(matches!(
            decode::<Outcome>(r#"{"status":"error"}"#),
            Ok(ErrorOr::Success(_))
        ));
    }
}
