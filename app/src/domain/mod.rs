//! Domain types shared by the browser (validation as you type) and the server
//! (the rule that counts). Each type can only be built through `parse`, so a
//! value of the type is valid by construction; deserialising goes through the
//! same `parse`, so a server function can never receive an invalid one.

pub mod account_state;
mod closed_set;
mod email;
mod field;
mod group_name;
mod password;
mod person_name;
mod phone;
mod secret;
mod shown;
pub mod url_query;
mod username;

#[cfg(all(test, feature = "ssr"))]
mod proptests;

pub use account_state::{AccountState, Standing, StatusBadge, StatusFilter};
pub use email::{EmailAddress, EmailAddressError};
pub use field::{FormField, UnknownFormField};
pub use group_name::{
    Description, DescriptionError, GroupNameError, GroupNameProblem, RoleName, TeamName,
};
pub use password::{NewPassword, PasswordError};
pub use person_name::{PersonName, PersonNameError};
pub use phone::{Phone, PhoneError, PhoneExt, PhoneExtError};
pub use secret::Secret;
pub use shown::{shown, shown_char};
pub use username::{Username, UsernameError};

/// Date and time as the console shows them: MM-DD-YYYY HH:MM (UTC).
#[cfg(feature = "ssr")]
pub fn table_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%m-%d-%Y %H:%M").to_string()
}

/// Implements the string-like plumbing every domain newtype shares:
/// `as_str`, `AsRef<str>`, `Display`, and serde through `parse`.
macro_rules! string_newtype {
    ($name:ident, $error:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $error;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}
pub(crate) use closed_set::closed_set;
pub(crate) use string_newtype;
