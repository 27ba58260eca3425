//! `closed_set!`: one definition of a closed vocabulary (audit actions,
//! session-end reasons, form fields). Each variant is written once, with its
//! stored key and its human text; the macro derives `ALL` (complete by
//! construction), `key`, `from_key`, the text accessor, serde as the key,
//! `Display`, the error for an unknown key, and the tests every such set
//! needs (keys unique and round-tripping, texts present).

/// Defines a closed vocabulary:
///
/// ```ignore
/// closed_set! {
///     /// What the audit log records.
///     pub enum AuditAction, unknown UnknownAuditAction, text description {
///         /// An account with a password.
///         Create = "user.create" => "Created",
///         Lock = "user.lock" => "Locked",
///     }
/// }
/// ```
macro_rules! closed_set {
    (
        $(#[$meta:meta])*
        pub enum $name:ident, unknown $unknown:ident, text $text:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $key:literal => $human:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(into = "&'static str", try_from = "String")]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
        }

        #[doc = concat!("A key that names no [`", stringify!($name), "`].")]
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $unknown(pub String);

        impl std::fmt::Display for $unknown {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "unknown {} '{}'", stringify!($name), self.0)
            }
        }

        impl std::error::Error for $unknown {}

        impl $name {
            /// Every variant, in the order they are defined.
            pub const ALL: [$name; { [$(stringify!($variant)),+].len() }] = [$($name::$variant),+];

            /// The stable key: what is stored and what travels. Never renamed.
            pub const fn key(self) -> &'static str {
                match self {
                    $($name::$variant => $key,)+
                }
            }

            pub fn from_key(key: &str) -> Option<Self> {
                match key {
                    $($key => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// What people read.
            pub const fn $text(self) -> &'static str {
                match self {
                    $($name::$variant => $human,)+
                }
            }
        }

        // The REST API's document: a string, one of the keys.
        #[cfg(feature = "ssr")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($key),+]))
                    .into()
            }
        }

        #[cfg(feature = "ssr")]
        impl utoipa::ToSchema for $name {}

        impl From<$name> for &'static str {
            fn from(value: $name) -> Self {
                value.key()
            }
        }

        impl TryFrom<String> for $name {
            type Error = $unknown;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::from_key(&value).ok_or($unknown(value))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }

        #[cfg(test)]
        mod closed_set_tests {
            use super::$name;

            #[test]
            fn keys_are_unique_and_round_trip() {
                for value in $name::ALL {
                    assert_eq!($name::from_key(value.key()), Some(value));
                    assert_eq!(
                        serde_json::to_string(&value).unwrap(),
                        format!("\"{}\"", value.key())
                    );
                }
                let mut keys: Vec<_> = $name::ALL.iter().map(|v| v.key()).collect();
                keys.sort_unstable();
                keys.dedup();
                assert_eq!(keys.len(), $name::ALL.len());
                assert_eq!($name::from_key("no such key"), None);
                assert!(serde_json::from_str::<$name>("\"no such key\"").is_err());
            }

            #[test]
            fn every_variant_has_a_text() {
                for value in $name::ALL {
                    let text = value.$text();
                    assert!(!text.trim().is_empty(), "{value:?}");
                    assert_eq!(text, text.trim(), "{value:?}");
                }
            }
        }
    };
}
pub(crate) use closed_set;
