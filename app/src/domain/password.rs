use serde::{Deserialize, Serialize};

/// A password someone wants to set. `parse` checks the rules that are cheap
/// enough for the browser (length); the server additionally runs the strength
/// check (`crate::auth::password::check_strength`, zxcvbn), which knows the
/// user's other fields and the common-password dictionaries.
///
/// Deliberately not `Display`, and `Debug` is redacted, so it never ends up in
/// a log line.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NewPassword(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Password is required.")]
    Empty,
    #[error("Password must be at least {min} characters.", min = NewPassword::MIN_LEN)]
    TooShort,
    #[error("Password must be at most {max} characters.", max = NewPassword::MAX_LEN)]
    TooLong,
    #[error("Password is too weak: {0}")]
    Weak(String),
}

impl NewPassword {
    pub const MIN_LEN: usize = 10;
    pub const MAX_LEN: usize = 128;

    pub fn parse(input: &str) -> Result<Self, PasswordError> {
        let len = input.chars().count();
        if input.is_empty() {
            return Err(PasswordError::Empty);
        }
        if len < Self::MIN_LEN {
            return Err(PasswordError::TooShort);
        }
        if len > Self::MAX_LEN {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

impl TryFrom<String> for NewPassword {
    type Error = PasswordError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<NewPassword> for String {
    fn from(value: NewPassword) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_rules() {
        assert_eq!(NewPassword::parse(""), Err(PasswordError::Empty));
        assert_eq!(NewPassword::parse("short"), Err(PasswordError::TooShort));
        assert!(NewPassword::parse("long enough pass").is_ok());
        assert_eq!(
            NewPassword::parse(&"x".repeat(129)),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let p = NewPassword::parse("correct horse battery").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }
}
