use serde::{Deserialize, Serialize};

use super::string_newtype;

/// An email address, checked with the `email_address` crate (RFC 5321/5322
/// syntax) plus the rules a directory needs: a domain with a dot, and stored in
/// lower case so uniqueness is case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailAddressError {
    #[error("Email address is required.")]
    Empty,
    #[error("Email address must be at most {max} characters.", max = EmailAddress::MAX_LEN)]
    TooLong,
    /// The address as quoted back ([`super::shown`]).
    #[error("'{0}' is not a valid email address.")]
    Invalid(String),
}

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<Self, EmailAddressError> {
        let value = input.trim().to_lowercase();
        if value.is_empty() {
            return Err(EmailAddressError::Empty);
        }
        if value.chars().count() > Self::MAX_LEN {
            return Err(EmailAddressError::TooLong);
        }
        // Display names ("Bob <bob@x.org>") and quoted local parts are valid
        // RFC 5322 but not what belongs in an account's address field.
        let options = email_address::Options::default()
            .without_display_text()
            .without_domain_literal()
            .with_required_tld();
        let invalid = || EmailAddressError::Invalid(super::shown(input.trim()));
        email_address::EmailAddress::parse_with_options(&value, options).map_err(|_| invalid())?;
        if value.contains('"') {
            return Err(invalid());
        }
        Ok(Self(value))
    }
}

string_newtype!(EmailAddress, EmailAddressError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        assert_eq!(
            EmailAddress::parse(" Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
    }

    #[test]
    fn accepts_common_addresses() {
        for ok in [
            "a@b.co",
            "first.last+tag@sub.example.org",
            "x_y-z@example.io",
        ] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_malformed_addresses() {
        assert_eq!(EmailAddress::parse(""), Err(EmailAddressError::Empty));
        for bad in [
            "plainaddress",
            "@example.com",
            "a@",
            "a@localhost",
            "a b@example.com",
            "Bob <bob@example.com>",
            "a@@example.com",
            "\"q\"@example.com",
        ] {
            assert!(
                matches!(EmailAddress::parse(bad), Err(EmailAddressError::Invalid(_))),
                "{bad}"
            );
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(EmailAddressError::TooLong));
    }
}
