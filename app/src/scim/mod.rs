//! SCIM 2.0 (RFC 7643/7644): identity providers (Okta, Entra ID…) provision
//! Roster's users and teams. Server-only: there is no page; the HTTP side
//! is `server/src/scim/`, which checks the token's permission for each
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

/// `POST /.search` at the root (RFC 7644 §3.4.3): Users, then Groups, as
/// one list paged across both. A filter naming what only one of them has
/// (`userName`) selects from that one; a filter neither can take is
/// refused.
pub async fn search_everything(
    scim: &Scim<'_>,
    query: &list::ListQuery,
) -> ScimResult<serde_json::Value> {
    use serde_json::Value;
    let total = |v: &Value| v["totalResults"].as_u64().unwrap_or(0);
    let resources = |v: Value| match v {
        Value::Object(mut o) => match o.remove("Resources") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let users = users_service::list(scim, query).await;
    // The groups' part of the page starts where the users end.
    let users_total = users.as_ref().map(total).unwrap_or(0);
    let taken = users
        .as_ref()
        .map(|v| v["Resources"].as_array().map_or(0, Vec::len) as u64)
        .unwrap_or(0);
    let groups_query = list::ListQuery {
        start_index: query.start_index.saturating_sub(users_total).max(1),
        count: query.count.saturating_sub(taken),
        ..query.clone()
    };
    let groups = groups_service::list(scim, &groups_query).await;
    let (users, groups) = match (users, groups) {
        (Err(e), Err(_)) => return Err(e),
        (Err(e), _) | (_, Err(e)) if e.scim_type != Some(error::ScimType::InvalidFilter) => {
            return Err(e);
        }
        (users, groups) => (users.ok(), groups.ok()),
    };
    let all_total = users.as_ref().map_or(0, total) + groups.as_ref().map_or(0, total);
    let mut items: Vec<serde_json::Map<String, Value>> = Vec::new();
    for part in [users, groups].into_iter().flatten() {
        items.extend(resources(part).into_iter().filter_map(|r| match r {
            Value::Object(o) => Some(o),
            _ => None,
        }));
    }
    Ok(list::list_response(all_total, query.start_index, items))
}
