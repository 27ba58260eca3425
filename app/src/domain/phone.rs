use serde::{Deserialize, Serialize};

use super::string_newtype;

/// A phone number: digits only, as the directory has always stored them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("Phone number may contain digits only.")]
    NotDigits,
    #[error("Phone number must have {min} to {max} digits.", min = Phone::MIN_LEN, max = Phone::MAX_LEN)]
    BadLength,
}

impl Phone {
    pub const MIN_LEN: usize = 4;
    /// E.164 allows at most 15 digits.
    pub const MAX_LEN: usize = 15;

    /// Parses a phone number. An empty input is not a phone number; optional
    /// fields use [`Phone::parse_optional`].
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let value = input.trim();
        if !value.chars().all(|c| c.is_ascii_digit()) {
            return Err(PhoneError::NotDigits);
        }
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&value.len()) {
            return Err(PhoneError::BadLength);
        }
        Ok(Self(value.to_owned()))
    }

    /// An empty or blank input means "no phone number".
    pub fn parse_optional(input: &str) -> Result<Option<Self>, PhoneError> {
        if input.trim().is_empty() {
            Ok(None)
        } else {
            Self::parse(input).map(Some)
        }
    }
}

string_newtype!(Phone, PhoneError);

/// A phone extension: 1–6 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneExt(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneExtError {
    #[error("Extension may contain digits only.")]
    NotDigits,
    #[error("Extension must have 1 to {max} digits.", max = PhoneExt::MAX_LEN)]
    TooLong,
}

impl PhoneExt {
    pub const MAX_LEN: usize = 6;

    pub fn parse(input: &str) -> Result<Self, PhoneExtError> {
        let value = input.trim();
        if value.is_empty() || !value.chars().all(|c| c.is_ascii_digit()) {
            return Err(PhoneExtError::NotDigits);
        }
        if value.len() > Self::MAX_LEN {
            return Err(PhoneExtError::TooLong);
        }
        Ok(Self(value.to_owned()))
    }

    pub fn parse_optional(input: &str) -> Result<Option<Self>, PhoneExtError> {
        if input.trim().is_empty() {
            Ok(None)
        } else {
            Self::parse(input).map(Some)
        }
    }
}

string_newtype!(PhoneExt, PhoneExtError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_accepts_digits_only() {
        assert_eq!(Phone::parse(" 5551234567 ").unwrap().as_str(), "5551234567");
        assert_eq!(Phone::parse("555-1234"), Err(PhoneError::NotDigits));
        assert_eq!(Phone::parse("+15551234"), Err(PhoneError::NotDigits));
        assert_eq!(Phone::parse("123"), Err(PhoneError::BadLength));
        assert_eq!(Phone::parse(&"1".repeat(16)), Err(PhoneError::BadLength));
        assert_eq!(Phone::parse_optional("  "), Ok(None));
    }

    #[test]
    fn extension_accepts_one_to_six_digits() {
        assert!(PhoneExt::parse("7").is_ok());
        assert!(PhoneExt::parse("123456").is_ok());
        assert_eq!(PhoneExt::parse("1234567"), Err(PhoneExtError::TooLong));
        assert_eq!(PhoneExt::parse("12a"), Err(PhoneExtError::NotDigits));
        assert_eq!(PhoneExt::parse_optional(""), Ok(None));
    }
}
