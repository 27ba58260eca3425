//! What each `roster` command does, apart from `serve`.

mod create_api_token;
mod create_user;
pub mod seed_demo;

pub use create_api_token::create_api_token;
pub use create_user::{create_admin, create_user};
pub use seed_demo::{SeedReport, seed_demo};

use app::error::AppError;
use sea_orm::DbErr;

/// A command's failure, printed as one line by `main` (exit code 1).
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// Bad input from the person running the command.
    #[error("{0}")]
    Invalid(String),
    /// Something failed that is not the input's fault.
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Startup(#[from] crate::startup::StartupError),
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    #[error("{0}")]
    App(#[from] AppError),
}
