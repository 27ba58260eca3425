//! Signing in: the sign-in page (`ui`) and its server functions (`api`).
//! A feature above `auth`, whose sessions and checks it uses.

pub mod api;
pub mod ui;

pub use api::SignInOutcome;
#[cfg(feature = "ssr")]
pub use api::finish_sign_in;
pub use ui::{LoginPage, PASSWORD_RESET_REASON, SignOutButton};
