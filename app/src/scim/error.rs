//! SCIM's error responses (RFC 7644 §3.12): a status and, for 400 and 409,
//! a `scimType` saying what kind of problem it is. Like [`AppError`], it
//! carries only what the caller may read.

use serde_json::{Value, json};

use super::filter::FilterError;
use crate::error::AppError;

/// `scimType`: the closed set RFC 7644 §3.12 defines (those Roster uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScimType {
    InvalidFilter,
    TooMany,
    Uniqueness,
    Mutability,
    InvalidSyntax,
    InvalidPath,
    NoTarget,
    InvalidValue,
    InvalidVers,
}

impl ScimType {
    pub fn key(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
        }
    }
}

/// A refused SCIM request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimError {
    pub status: u16,
    pub scim_type: Option<ScimType>,
    pub detail: String,
}

pub type ScimResult<T> = Result<T, ScimError>;

impl ScimError {
    pub fn new(status: u16, scim_type: Option<ScimType>, detail: impl Into<String>) -> Self {
        ScimError {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    /// 400 with `scim_type`.
    pub fn bad(scim_type: ScimType, detail: impl Into<String>) -> Self {
        Self::new(400, Some(scim_type), detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(404, None, detail)
    }

    /// The SCIM error body.
    pub fn body(&self) -> Value {
        let mut body = json!({
            "schemas": [super::schema::ERROR],
            "status": self.status.to_string(),
            "detail": self.detail,
        });
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t.key());
        }
        body
    }
}

impl From<FilterError> for ScimError {
    fn from(error: FilterError) -> Self {
        ScimError::bad(ScimType::InvalidFilter, error.0)
    }
}

impl From<sea_orm::DbErr> for ScimError {
    fn from(error: sea_orm::DbErr) -> Self {
        AppError::from(error).into()
    }
}

impl From<AppError> for ScimError {
    fn from(error: AppError) -> Self {
        let detail = error.to_string();
        match error {
            AppError::Validation { field, message } => ScimError::bad(
                ScimType::InvalidValue,
                match scim_attribute(&field) {
                    Some(attr) => format!("{attr}: {message}"),
                    None => message,
                },
            ),
            AppError::Conflict {
                field: Some(field),
                message,
            } if matches!(field.as_str(), "username" | "email" | "group_name") => ScimError::new(
                409,
                Some(ScimType::Uniqueness),
                match scim_attribute(&field) {
                    Some(attr) => format!("{attr}: {message}"),
                    None => message,
                },
            ),
            AppError::Conflict { message, .. } => ScimError::new(409, None, message),
            AppError::NotFound => ScimError::not_found("No such resource."),
            AppError::Unauthenticated | AppError::SignInFailed => ScimError::new(401, None, detail),
            AppError::Forbidden | AppError::Refused(_) | AppError::PasswordChangeRequired => {
                ScimError::new(403, None, detail)
            }
            AppError::RateLimited => ScimError::new(429, None, detail),
            AppError::Internal | AppError::Transport(_) => ScimError::new(500, None, detail),
            AppError::Unavailable => ScimError::new(503, None, detail),
        }
    }
}

/// The SCIM attribute a Roster form field is, for messages.
fn scim_attribute(field: &str) -> Option<&'static str> {
    Some(match field {
        "username" => "userName",
        "email" => "emails",
        "name" => "name",
        "phone" => "phoneNumbers",
        "phone_ext" => "phoneNumbers",
        "password" => "password",
        "active" => "active",
        "team" | "teams" | "group_name" => "displayName",
        "description" => "description",
        _ => return None,
    })
}
