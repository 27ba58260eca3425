//! Roles: named sets of permissions, managed on `/roles` and `/roles/NAME`.
//! Nobody can grant what they do not hold (see `service`'s rules).

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
mod ui;

pub use ui::{NewRolePage, RoleDetailPage, RolesPage};

/// The built-in role that keeps every permission.
pub const ADMINISTRATOR: &str = "Administrator";

/// Members shown per page of a role's member list.
pub const MEMBERS_PER_PAGE: u64 = 50;
