use serde::{Deserialize, Serialize};

use super::string_newtype;

/// A display name: 2–50 characters after trimming, inner runs of whitespace
/// collapsed, no control characters. Any script is allowed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonNameError {
    #[error("Name is required.")]
    Empty,
    #[error("Name must be at least {min} characters.", min = PersonName::MIN_LEN)]
    TooShort,
    #[error("Name must be at most {max} characters.", max = PersonName::MAX_LEN)]
    TooLong,
    #[error("Name must not contain control characters.")]
    ControlCharacter,
}

impl PersonName {
    pub const MIN_LEN: usize = 2;
    pub const MAX_LEN: usize = 50;

    pub fn parse(input: &str) -> Result<Self, PersonNameError> {
        if input.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            return Err(PersonNameError::ControlCharacter);
        }
        let value = input.split_whitespace().collect::<Vec<_>>().join(" ");
        let len = value.chars().count();
        match len {
            0 => Err(PersonNameError::Empty),
            l if l < Self::MIN_LEN => Err(PersonNameError::TooShort),
            l if l > Self::MAX_LEN => Err(PersonNameError::TooLong),
            _ => Ok(Self(value)),
        }
    }
}

string_newtype!(PersonName, PersonNameError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_collapses_whitespace() {
        assert_eq!(
            PersonName::parse("  Ada   Lovelace ").unwrap().as_str(),
            "Ada Lovelace"
        );
    }

    #[test]
    fn length_bounds_count_characters_not_bytes() {
        assert_eq!(PersonName::parse("A"), Err(PersonNameError::TooShort));
        assert!(PersonName::parse("Al").is_ok());
        assert!(PersonName::parse(&"é".repeat(50)).is_ok());
        assert_eq!(
            PersonName::parse(&"é".repeat(51)),
            Err(PersonNameError::TooLong)
        );
        assert_eq!(PersonName::parse(" \t "), Err(PersonNameError::Empty));
    }

    #[test]
    fn accepts_real_names() {
        for ok in [
            "Seán O'Brien",
            "José María Ñúñez",
            "李小龙",
            "Anne-Marie d'Arc",
        ] {
            assert!(PersonName::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_control_characters() {
        assert_eq!(
            PersonName::parse("Bob\u{0}by"),
            Err(PersonNameError::ControlCharacter)
        );
    }
}
