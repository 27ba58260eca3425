//! API tokens: named, expiring secrets with which scripts and identity
//! providers call Roster's API (`Authorization: Bearer roster_…`).
//!
//! - Created at `/account/tokens` by holders of "Manage API tokens" (or
//!   with `roster create-api-token`), with permissions chosen from the
//!   owner's own; the secret is shown once and stored as a SHA-256 hash.
//! - A token acts with the permissions it was given that its owner still
//!   holds, never "Manage API tokens" (tokens cannot make tokens), and
//!   stops working when it expires, is revoked, or its owner cannot sign in.
//! - Created, revoked, and used from a new address are audited.
//!
//! `api` has the DTOs and server functions, `service` (server-only) the
//! work, `ui` the page and the section of a user's tokens that the user
//! page embeds (one token list for both).

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
mod ui;

use crate::auth::Permission;
pub use ui::{ApiTokensPage, UserTokens};

/// Every token's secret starts with this, so secret scanners find leaked ones.
pub const SECRET_PREFIX: &str = "roster_";
/// How many characters of a secret lists show (the prefix and five more).
pub const SHOWN_PREFIX_LEN: usize = 12;
/// The expiry the New API Token form offers first, in days.
pub const DEFAULT_LIFETIME_DAYS: u32 = 90;
/// The longest a token may live, in days.
pub const MAX_LIFETIME_DAYS: u32 = 365;
/// The lifetimes the form offers, in days.
pub const LIFETIME_CHOICES: [u32; 5] = [7, 30, 90, 180, 365];
/// The longest name of a token, in characters.
pub const MAX_NAME_LEN: usize = 64;

/// Whether a token may hold `permission`: any but managing tokens.
pub fn grantable(permission: Permission) -> bool {
    permission != Permission::ManageApiTokens
}
