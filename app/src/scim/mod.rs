//! SCIM 2.0 (RFC 7643/7644): identity providers (Okta, Entra ID…) provision
//! Roster's users and teams. Server-only: there is no page; the HTTP side
//! is `server/src/scim.rs`, which checks the token's permission for each
//! operation and calls these services.
//!
//! - `filter`: the filter grammar and PATCH paths, parsed into a tree;
//! - `filter_sql`: a filter as a SQL condition over users or teams;
//! - `document`: a User as JSON, and PATCH applied to it;
//! - `list`: list parameters and responses;
//! - `schema`: the discovery documents;
//! - `users_service`, `groups_service`: the resources;
//! - `error`: SCIM error bodies with their `scimType`.

pub mod document;
pub mod error;
pub mod filter;
pub mod filter_sql;
pub mod groups_service;
pub mod list;
pub mod schema;
pub mod users_service;

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::DatabaseConnection;

use crate::audit::service::Actor;
use crate::auth::service::SessionUser;
use crate::auth::settings::AuthState;
use crate::email::outbox::Outbox;
use error::{ScimError, ScimResult};

/// What every SCIM operation works with: the database, the services'
/// state, and who is acting (the token's owner, "via SCIM").
pub struct Scim<'a> {
    pub db: &'a DatabaseConnection,
    pub auth: &'a AuthState,
    pub outbox: &'a Outbox,
    pub actor: Actor,
    pub caller: &'a SessionUser,
    /// The SCIM base address resources' `location`s start with, e.g.
    /// `https://roster.example.com/scim/v2`.
    pub base: String,
}

/// A resource's version as its ETag: `W/"7"`.
pub fn etag(version: i32) -> String {
    format!("W/\"{version}\"")
}

/// `meta.created`/`lastModified`: RFC 3339 in UTC.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Refuses a write whose `If-Match` names another version (412), so a
/// provider never overwrites a change it has not seen. `*` and no header
/// always match.
pub fn check_version(if_match: Option<&str>, version: i32) -> ScimResult<()> {
    let Some(wanted) = if_match
        .map(str::trim)
        .filter(|w| !w.is_empty() && *w != "*")
    else {
        return Ok(());
    };
    let current = etag(version);
    let bare = current.trim_start_matches("W/");
    if wanted
        .split(',')
        .map(str::trim)
        .any(|w| w == current || w.trim_start_matches("W/") == bare)
    {
        Ok(())
    } else {
        Err(ScimError::new(
            412,
            None,
            format!("The resource changed: it is now at version {current}, not {wanted}."),
        ))
    }
}
