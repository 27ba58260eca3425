//! Authentication and authorisation: who is signed in and what they may do.
//!
//! Shared with the browser: the permission vocabulary, the page access table,
//! the current user, the sign-in page and the reasons a session ends.
//! Server-only: password hashing, session tokens and cookies, the sign-in
//! and session service, and the guard every server function calls first.

pub mod access;
pub mod current;
mod permission;
pub mod sections;
pub mod session_end;

#[cfg(feature = "ssr")]
pub mod client;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod one_time;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod settings;
#[cfg(feature = "ssr")]
pub mod signin;
#[cfg(feature = "ssr")]
pub mod token;

pub use current::{CurrentUser, provide_current_user, use_current_user};
pub use permission::{
    Permission, PermissionGroup, UnknownPermission, summary as permission_summary,
};
pub use session_end::{SessionEndReason, UnknownSessionEndReason};
