//! The names of roles and teams, and their descriptions. Names appear in
//! addresses (`/roles/NAME`, `/teams/NAME`) and in the Users table's filters,
//! so the characters that mean something in a URL path are refused.

use serde::{Deserialize, Serialize};

use super::string_newtype;

/// What is wrong with a role or team name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupNameProblem {
    Empty,
    TooShort,
    TooLong,
    ControlCharacter,
    /// One of `/ ? # % \`.
    Reserved(char),
}

/// A role or team name that did not parse: which kind, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupNameError {
    /// "Role" or "Team".
    pub kind: &'static str,
    pub problem: GroupNameProblem,
}

impl std::fmt::Display for GroupNameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = self.kind;
        match self.problem {
            GroupNameProblem::Empty => write!(f, "{kind} name is required."),
            GroupNameProblem::TooShort => write!(
                f,
                "{kind} name must be at least {} characters.",
                GROUP_NAME_MIN
            ),
            GroupNameProblem::TooLong => write!(
                f,
                "{kind} name must be at most {} characters.",
                GROUP_NAME_MAX
            ),
            GroupNameProblem::ControlCharacter => {
                write!(f, "{kind} name must not contain control characters.")
            }
            GroupNameProblem::Reserved(c) => {
                write!(f, "{kind} name must not contain '{c}'.")
            }
        }
    }
}

impl std::error::Error for GroupNameError {}

pub const GROUP_NAME_MIN: usize = 2;
pub const GROUP_NAME_MAX: usize = 50;

/// Trimmed, inner whitespace collapsed, 2–50 characters, none of `/ ? # % \`.
fn parse_group_name(kind: &'static str, input: &str) -> Result<String, GroupNameError> {
    let fail = |problem| Err(GroupNameError { kind, problem });
    if input.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return fail(GroupNameProblem::ControlCharacter);
    }
    let value = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(c) = value.chars().find(|c| "/?#%\\".contains(*c)) {
        return fail(GroupNameProblem::Reserved(c));
    }
    match value.chars().count() {
        0 => fail(GroupNameProblem::Empty),
        n if n < GROUP_NAME_MIN => fail(GroupNameProblem::TooShort),
        n if n > GROUP_NAME_MAX => fail(GroupNameProblem::TooLong),
        _ => Ok(value),
    }
}

/// A role's name, e.g. "User Manager".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoleName(String);

impl RoleName {
    pub fn parse(input: &str) -> Result<Self, GroupNameError> {
        parse_group_name("Role", input).map(Self)
    }
}

string_newtype!(RoleName, GroupNameError);

/// A team's name, e.g. "Support EMEA".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TeamName(String);

impl TeamName {
    pub fn parse(input: &str) -> Result<Self, GroupNameError> {
        parse_group_name("Team", input).map(Self)
    }
}

string_newtype!(TeamName, GroupNameError);

/// A role's or team's description: at most 500 characters after trimming,
/// no control characters but line breaks; may be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Description(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DescriptionError {
    #[error("Description must be at most {max} characters.", max = Description::MAX_LEN)]
    TooLong,
    #[error("Description must not contain control characters.")]
    ControlCharacter,
}

impl Description {
    pub const MAX_LEN: usize = 500;

    pub fn parse(input: &str) -> Result<Self, DescriptionError> {
        if input
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(DescriptionError::ControlCharacter);
        }
        let value = input.trim();
        if value.chars().count() > Self::MAX_LEN {
            return Err(DescriptionError::TooLong);
        }
        Ok(Self(value.to_owned()))
    }
}

string_newtype!(Description, DescriptionError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_collapsed() {
        assert_eq!(
            RoleName::parse("  User   Manager ").unwrap().as_str(),
            "User Manager"
        );
        assert_eq!(
            TeamName::parse("Support EMEA").unwrap().as_str(),
            "Support EMEA"
        );
    }

    #[test]
    fn names_refuse_what_breaks_an_address() {
        for (input, c) in [("Ops/Dev", '/'), ("A?b", '?'), ("50%", '%'), ("x#y", '#')] {
            let error = TeamName::parse(input).unwrap_err();
            assert_eq!(error.problem, GroupNameProblem::Reserved(c));
            assert_eq!(
                error.to_string(),
                format!("Team name must not contain '{c}'.")
            );
        }
    }

    #[test]
    fn names_have_bounds_counted_in_characters() {
        assert_eq!(
            RoleName::parse(" ").unwrap_err().to_string(),
            "Role name is required."
        );
        assert_eq!(
            RoleName::parse("A").unwrap_err().problem,
            GroupNameProblem::TooShort
        );
        assert!(RoleName::parse(&"é".repeat(50)).is_ok());
        assert_eq!(
            RoleName::parse(&"é".repeat(51)).unwrap_err().problem,
            GroupNameProblem::TooLong
        );
        assert_eq!(
            RoleName::parse("a\u{0}b").unwrap_err().problem,
            GroupNameProblem::ControlCharacter
        );
    }

    #[test]
    fn descriptions_may_be_empty_but_not_endless() {
        assert_eq!(Description::parse("  ").unwrap().as_str(), "");
        assert!(Description::parse("Line one\nline two").is_ok());
        assert_eq!(
            Description::parse(&"x".repeat(501)),
            Err(DescriptionError::TooLong)
        );
        assert_eq!(
            Description::parse("bell\u{7}"),
            Err(DescriptionError::ControlCharacter)
        );
    }
}
