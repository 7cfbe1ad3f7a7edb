//! Scalars that some APIs (ResellerClub) send either natively or as JSON strings (`"30930235"`, `"0.0"`,
//! `"false"`): each type accepts both and gives the caller the typed value.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

macro_rules! loose {
    ($(#[$meta:meta])* $name:ident($inner:ty), $expecting:literal, $parse:expr) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
        pub struct $name(pub $inner);

        impl $name {
            pub fn get(self) -> $inner {
                self.0
            }
        }

        impl From<$inner> for $name {
            fn from(value: $inner) -> Self {
                Self(value)
            }
        }

        impl From<$name> for $inner {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.0.serialize(serializer)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct LooseVisitor;
                impl<'de> Visitor<'de> for LooseVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: de::Error>(self, text: &str) -> Result<$name, E> {
                        let parse: fn(&str) -> Option<$inner> = $parse;
                        parse(text.trim()).map($name).ok_or_else(|| E::invalid_value(de::Unexpected::Str(text), &self))
                    }
                    fn visit_bool<E: de::Error>(self, v: bool) -> Result<$name, E> {
                        <$inner as LooseFrom>::from_bool(v).map($name).ok_or_else(|| E::invalid_type(de::Unexpected::Bool(v), &self))
                    }
                    fn visit_i64<E: de::Error>(self, v: i64) -> Result<$name, E> {
                        <$inner as LooseFrom>::from_i64(v).map($name).ok_or_else(|| E::invalid_value(de::Unexpected::Signed(v), &self))
                    }
                    fn visit_u64<E: de::Error>(self, v: u64) -> Result<$name, E> {
                        <$inner as LooseFrom>::from_u64(v).map($name).ok_or_else(|| E::invalid_value(de::Unexpected::Unsigned(v), &self))
                    }
                    fn visit_f64<E: de::Error>(self, v: f64) -> Result<$name, E> {
                        <$inner as LooseFrom>::from_f64(v).map($name).ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
                    }
                }
                deserializer.deserialize_any(LooseVisitor)
            }
        }
    };
}

/// Which native JSON values each loose type takes.
trait LooseFrom: Sized {
    fn from_bool(_: bool) -> Option<Self> {
        None
    }
    fn from_i64(_: i64) -> Option<Self> {
        None
    }
    fn from_u64(_: u64) -> Option<Self> {
        None
    }
    fn from_f64(_: f64) -> Option<Self> {
        None
    }
}

impl LooseFrom for i64 {
    fn from_i64(v: i64) -> Option<Self> {
        Some(v)
    }
    fn from_u64(v: u64) -> Option<Self> {
        i64::try_from(v).ok()
    }
    fn from_f64(v: f64) -> Option<Self> {
        // `5.0` is an integer; `5.5` is not, and is refused rather than truncated.
        (v.fract() == 0.0 && v.abs() < 9.0e15).then_some(v as i64)
    }
}

impl LooseFrom for f64 {
    fn from_i64(v: i64) -> Option<Self> {
        Some(v as f64)
    }
    fn from_u64(v: u64) -> Option<Self> {
        Some(v as f64)
    }
    fn from_f64(v: f64) -> Option<Self> {
        Some(v)
    }
}

impl LooseFrom for bool {
    fn from_bool(v: bool) -> Option<Self> {
        Some(v)
    }
}

loose!(
    /// An integer sent as a JSON number or a string of digits (`5`, `"5"`, `"-1"`).
    LooseInteger(i64), "an integer or a string holding one", |s| s.parse().ok()
);
loose!(
    /// A decimal number sent as a JSON number or a string (`0.5`, `"0.0"`, `"12"`).
    LooseNumber(f64), "a number or a string holding one", |s| s.parse().ok().filter(|v: &f64| v.is_finite())
);
loose!(
    /// A boolean sent as JSON `true`/`false` or as the strings `"true"`/`"false"` (any case).
    LooseBoolean(bool), "a boolean or the string \"true\" or \"false\"", |s| {
        if s.eq_ignore_ascii_case("true") { Some(true) } else if s.eq_ignore_ascii_case("false") { Some(false) } else { None }
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_strings_and_native_values() {
        let v: Vec<LooseInteger> = serde_json::from_str(r#"[5, "5", " -1 ", 7.0]"#).unwrap();
        assert_eq!(v.iter().map(|x| x.get()).collect::<Vec<_>>(), [5, 5, -1, 7]);
        let v: Vec<LooseNumber> = serde_json::from_str(r#"[0.5, "0.0", "12", 3]"#).unwrap();
        assert_eq!(
            v.iter().map(|x| x.get()).collect::<Vec<_>>(),
            [0.5, 0.0, 12.0, 3.0]
        );
        let v: Vec<LooseBoolean> = serde_json::from_str(r#"[true, "false", "TRUE"]"#).unwrap();
        assert_eq!(
            v.iter().map(|x| x.get()).collect::<Vec<_>>(),
            [true, false, true]
        );
    }

    #[test]
    fn refuses_what_is_not_the_type() {
        assert!(serde_json::from_str::<LooseInteger>(r#""5.5""#).is_err());
        assert!(serde_json::from_str::<LooseInteger>("5.5").is_err());
        assert!(serde_json::from_str::<LooseBoolean>(r#""yes""#).is_err());
        assert!(serde_json::from_str::<LooseNumber>(r#""NaN""#).is_err());
        assert!(serde_json::from_str::<LooseNumber>("null").is_err());
    }
}
