use serde::{Deserialize, Serialize};

use super::string_newtype;

/// A login name. Usernames are case-insensitive, so they are stored in lower
/// case (as Keycloak does): "Alice" and "alice" are the same account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("Username is required.")]
    Empty,
    #[error("Username must be at least {min} characters.", min = Username::MIN_LEN)]
    TooShort,
    #[error("Username must be at most {max} characters.", max = Username::MAX_LEN)]
    TooLong,
    #[error(
        "Username may only contain letters a–z, digits, '.', '_' and '-' (found '{}').",
        super::shown_char(*.0)
    )]
    InvalidCharacter(char),
    #[error("Username must start with a letter or a digit.")]
    BadStart,
}

impl Username {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 32;

    pub fn parse(input: &str) -> Result<Self, UsernameError> {
        let value = input.trim().to_lowercase();
        if value.is_empty() {
            return Err(UsernameError::Empty);
        }
        if let Some(bad) = value.chars().find(|c| {
            !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        }) {
            return Err(UsernameError::InvalidCharacter(bad));
        }
        let len = value.chars().count();
        if len < Self::MIN_LEN {
            return Err(UsernameError::TooShort);
        }
        if len > Self::MAX_LEN {
            return Err(UsernameError::TooLong);
        }
        if !value.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(UsernameError::BadStart);
        }
        Ok(Self(value))
    }
}

string_newtype!(Username, UsernameError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercases_and_trims() {
        assert_eq!(
            Username::parse("  Alice.Smith ").unwrap().as_str(),
            "alice.smith"
        );
    }

    #[test]
    fn accepts_the_allowed_alphabet() {
        for ok in ["abc", "a-b_c.d", "007", "x".repeat(32).as_str()] {
            assert!(Username::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_bad_input_with_a_specific_error() {
        assert_eq!(Username::parse(""), Err(UsernameError::Empty));
        assert_eq!(Username::parse("   "), Err(UsernameError::Empty));
        assert_eq!(Username::parse("ab"), Err(UsernameError::TooShort));
        assert_eq!(
            Username::parse(&"a".repeat(33)),
            Err(UsernameError::TooLong)
        );
        assert_eq!(
            Username::parse("al ice"),
            Err(UsernameError::InvalidCharacter(' '))
        );
        assert_eq!(
            Username::parse("josé"),
            Err(UsernameError::InvalidCharacter('é'))
        );
        assert_eq!(
            Username::parse("a@b.c"),
            Err(UsernameError::InvalidCharacter('@'))
        );
        assert_eq!(Username::parse(".alice"), Err(UsernameError::BadStart));
    }

    #[test]
    fn deserialising_runs_the_same_rule() {
        let ok: Username = serde_json::from_str("\"Bob\"").unwrap();
        assert_eq!(ok.as_str(), "bob");
        assert!(serde_json::from_str::<Username>("\"b\"").is_err());
    }
}
