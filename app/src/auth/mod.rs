//! Authentication and authorisation: who is signed in and what they may do.
//!
//! Shared with the browser: the permission vocabulary, the page access table,
//! the current user, the sign-in page. Server-only: password hashing, session
//! tokens and cookies, the sign-in and session service, and the guard every
//! server function calls first.

pub mod access;
pub mod current;
pub mod login;
mod permission;

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
pub use permission::{Permission, UnknownPermission};
