/// Defines an enumeration the provider may extend: the known values as variants, and `Other(String)` for
/// any other value, kept as received (it never fails a response). (De)serialises as the plain string.
///
/// ```
/// sdk_core::open_enum! {
///     /// A mailbox type.
///     pub enum MailboxType { Basic => "basic", Exchange => "exchange" }
/// }
/// let known: MailboxType = serde_json::from_str("\"exchange\"").unwrap();
/// assert_eq!(known, MailboxType::Exchange);
/// let new: MailboxType = serde_json::from_str("\"gold\"").unwrap();
/// assert_eq!(new, MailboxType::Other("gold".into()));
/// assert_eq!(serde_json::to_string(&new).unwrap(), "\"gold\"");
/// ```
#[macro_export]
macro_rules! open_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $value:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this SDK does not know (yet), kept as received.
            Other(::std::string::String),
        }

        impl $name {
            /// The values the spec lists.
            pub const KNOWN: &'static [&'static str] = &[$($value),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Other(value) => value.as_str(),
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Other(other.to_string()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                $crate::__deserialize_open_enum(deserializer, |value: &str| Self::from(value))
            }
        }
    };
}

/// Reads a string without keeping a copy of it unless it is an unknown value: a known value (the common case)
/// costs no allocation when the input lends its strings (`serde_json::from_slice` of an unescaped string).
#[doc(hidden)]
pub fn deserialize_open_enum<'de, D, T>(deserializer: D, from: fn(&str) -> T) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct StrVisitor<T>(fn(&str) -> T);
    impl<T> serde::de::Visitor<'_> for StrVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
            Ok((self.0)(value))
        }
    }
    deserializer.deserialize_str(StrVisitor(from))
}
