//! The one application error type. It crosses the wire to the browser (server
//! functions return `Result<T, AppError>`), so it carries only what a person
//! may see: a field name and a message they can act on. Internal detail
//! (database text, I/O errors) is logged on the server and replaced by
//! [`AppError::Internal`].

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::FormField;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Bad input; `field` names the form field the message belongs next to
    /// (a [`FormField::key`]; empty when the arguments did not parse).
    #[error("{message}")]
    Validation { field: String, message: String },
    /// The request clashes with what is stored: a duplicate username, or an
    /// edit made against an outdated version of a record.
    #[error("{message}")]
    Conflict {
        field: Option<String>,
        message: String,
    },
    #[error("Not found.")]
    NotFound,
    #[error("Please sign in.")]
    Unauthenticated,
    /// Every failed sign-in, whatever the cause (unknown account, wrong
    /// password, locked, inactive...), so accounts cannot be enumerated. The
    /// audit log records the real reason.
    #[error(
        "Sign-in failed. Check your username or email and your password; if they are right, the account may be locked or disabled."
    )]
    SignInFailed,
    /// The user must choose a new password before doing anything else.
    #[error("You must change your password before you continue.")]
    PasswordChangeRequired,
    #[error("You do not have permission to do that.")]
    Forbidden,
    /// Refused for a reason the caller can read and act on (403): "You
    /// cannot log in as yourself.", "Not while impersonating: …".
    #[error("{0}")]
    Refused(String),
    #[error("Too many attempts. Please wait a moment and try again.")]
    RateLimited,
    /// The database cannot be reached (stopped, restarting, network): the
    /// request may succeed if tried again in a moment.
    #[error("Roster cannot reach its database. Please try again in a moment.")]
    Unavailable,
    /// Something failed on the server. The details are in the server log.
    #[error(
        "Something went wrong on our side. Please try again; if it keeps happening, tell an administrator."
    )]
    Internal,
    /// The request never reached the server function, or its answer could not
    /// be read (network down, server restarting).
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// Bad input in `field`. The error carries the field's key, so what
    /// reaches the browser and API clients is the plain field name.
    pub fn validation(field: FormField, message: impl std::fmt::Display) -> Self {
        AppError::Validation {
            field: field.key().to_owned(),
            message: message.to_string(),
        }
    }

    /// A clash with what is stored, shown on `field`.
    pub fn conflict(field: FormField, message: impl std::fmt::Display) -> Self {
        AppError::Conflict {
            field: Some(field.key().to_owned()),
            message: message.to_string(),
        }
    }

    /// The name of the form field this error belongs to, if any, as it
    /// travels (a [`FormField::key`]).
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Validation { field, .. } => Some(field),
            AppError::Conflict { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// The form field this error belongs to, if it names one this version
    /// knows.
    pub fn form_field(&self) -> Option<FormField> {
        self.field().and_then(FormField::from_key)
    }

    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Validation { .. } => 422,
            AppError::Conflict { .. } => 409,
            AppError::NotFound => 404,
            AppError::Unauthenticated | AppError::SignInFailed => 401,
            AppError::Forbidden | AppError::PasswordChangeRequired | AppError::Refused(_) => 403,
            AppError::RateLimited => 429,
            AppError::Internal => 500,
            AppError::Transport(_) => 502,
            AppError::Unavailable => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The server function's arguments did not parse: with domain types
            // as arguments this is a validation failure, but without a field.
            ServerFnErrorErr::Args(message) => AppError::Validation {
                field: String::new(),
                message,
            },
            // On the server these are the request's fault: a body that is
            // not text (`Deserialization`), one that could not be read
            // (`Request`), an argument left out. Hostile or broken clients
            // send them; they are refused as bad input, never a 500.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(_) | ServerFnErrorErr::Request(_) => {
                AppError::Validation {
                    field: String::new(),
                    message: "The request could not be read.".to_owned(),
                }
            }
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::MissingArg(name) => AppError::Validation {
                field: String::new(),
                message: format!("Missing {name}."),
            },
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Request(message) | ServerFnErrorErr::Response(message) => {
                AppError::Transport(message)
            }
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Response(message) => AppError::Transport(message),
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failed outside the app");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                AppError::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
pub use ssr::{database_unreachable, with_status};

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;

    impl From<sea_orm::DbErr> for AppError {
        #[track_caller]
        fn from(error: sea_orm::DbErr) -> Self {
            let location = std::panic::Location::caller();
            tracing::error!(%error, at = %location, "database error");
            if database_unreachable(&error) {
                AppError::Unavailable
            } else {
                AppError::Internal
            }
        }
    }

    /// Whether `error` says the database could not be reached (no connection
    /// to be had, a connection cut, the server shutting down or starting)
    /// rather than that a statement failed: the former is worth a retry.
    pub fn database_unreachable(error: &sea_orm::DbErr) -> bool {
        use sea_orm::{DbErr, RuntimeErr, sqlx};
        let sqlx_error = match error {
            DbErr::ConnectionAcquire(_) => return true,
            DbErr::Conn(RuntimeErr::SqlxError(e))
            | DbErr::Exec(RuntimeErr::SqlxError(e))
            | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
            _ => return false,
        };
        match sqlx_error.as_ref() {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => true,
            // SQLSTATE class 08 (connection exception) and 57P01-57P03
            // (administrator shutdown, crash shutdown, cannot connect now).
            sqlx::Error::Database(e) => e
                .code()
                .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
            _ => false,
        }
    }

    impl From<sea_orm::TransactionError<AppError>> for AppError {
        fn from(error: sea_orm::TransactionError<AppError>) -> Self {
            match error {
                sea_orm::TransactionError::Connection(db) => db.into(),
                sea_orm::TransactionError::Transaction(app) => app,
            }
        }
    }

    impl axum::response::IntoResponse for AppError {
        fn into_response(self) -> axum::response::Response {
            let status = http::StatusCode::from_u16(self.status_code())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
            let body = serde_json::json!({
                "error": self.kind(),
                "message": self.to_string(),
                "field": self.field(),
            });
            (status, axum::Json(body)).into_response()
        }
    }

    /// Gives a server function's HTTP response the status of its error
    /// (server_fn answers every error with 500 otherwise). Every server
    /// function passes its result through this.
    pub fn with_status<T>(result: super::AppResult<T>) -> super::AppResult<T> {
        if let Err(error) = &result
            && let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
            && let Ok(status) = http::StatusCode::from_u16(error.status_code())
        {
            options.set_status(status);
        }
        result
    }

    impl AppError {
        /// A stable, machine-readable name for API clients.
        pub fn kind(&self) -> &'static str {
            match self {
                AppError::Validation { .. } => "validation",
                AppError::Conflict { .. } => "conflict",
                AppError::NotFound => "not_found",
                AppError::Unauthenticated => "unauthenticated",
                AppError::SignInFailed => "sign_in_failed",
                AppError::PasswordChangeRequired => "password_change_required",
                AppError::Forbidden => "forbidden",
                AppError::Refused(_) => "refused",
                AppError::RateLimited => "rate_limited",
                AppError::Internal => "internal",
                AppError::Unavailable => "unavailable",
                AppError::Transport(_) => "transport",
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_server_fn_encoding() {
        let err = AppError::conflict(FormField::Username, "Username 'ann' is already taken.");
        let back = AppError::de(err.ser());
        assert_eq!(back, err);
        assert_eq!(back.field(), Some("username"));
        assert_eq!(back.form_field(), Some(FormField::Username));
    }

    #[test]
    fn the_field_travels_as_its_key() {
        let err = AppError::validation(FormField::PhoneExt, "Digits only.");
        assert_eq!(
            err,
            AppError::Validation {
                field: "phone_ext".to_owned(),
                message: "Digits only.".to_owned(),
            }
        );
        let unparsed = AppError::from_server_fn_error(ServerFnErrorErr::Args("bad".into()));
        assert_eq!(unparsed.field(), Some(""));
        assert_eq!(unparsed.form_field(), None);
        assert_eq!(AppError::NotFound.form_field(), None);
    }

    #[test]
    fn internal_errors_say_nothing_internal() {
        let err = AppError::from_server_fn_error(ServerFnErrorErr::ServerError(
            "relation \"users\" does not exist".into(),
        ));
        assert_eq!(err, AppError::Internal);
        assert!(!err.to_string().contains("relation"));
    }
}
