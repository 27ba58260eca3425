//! Authentication and authorisation: the permission vocabulary shared with the
//! browser, and (server-only) password hashing and strength rules. Sign-in and
//! sessions build on this module.

#[cfg(feature = "ssr")]
pub mod password;
mod permission;

pub use permission::{Permission, UnknownPermission};
