//! The audit log as the Audit page sees it, and its server functions. The
//! work is in `log_service` (server-only).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One row of the Audit table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    /// As the console shows times (UTC).
    pub when: String,
    /// RFC 3339, for `<time datetime>`.
    pub when_iso: String,
    /// Who acted: a username, "ADMIN as USER" while impersonating,
    /// "Anonymous" (not signed in, from an address), or the
    /// client for the system itself ("roster create-admin").
    pub actor: String,
    /// The action's description ("Locked").
    pub action: String,
    /// Whom it was about, if anyone.
    pub target: Option<String>,
    /// One line: the field and its change, or the details.
    pub details: String,
    /// IP address and client.
    pub from: String,
}

/// How many entries the filters match: exact when counting them was cheap,
/// else a lower bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryCount {
    Exact(u64),
    MoreThan(u64),
}

impl EntryCount {
    pub fn describe(self) -> String {
        let entries = |n: u64| {
            if n == 1 {
                "1 entry".to_owned()
            } else {
                format!("{n} entries")
            }
        };
        match self {
            EntryCount::Exact(n) => entries(n),
            EntryCount::MoreThan(n) => format!("More than {}", entries(n)),
        }
    }
}

/// One page of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    /// Newest first.
    pub rows: Vec<AuditRow>,
    pub count: EntryCount,
    /// There are newer entries than the first row (a "Newer" link).
    pub newer: bool,
    /// There are older entries than the last row (an "Older" link).
    pub older: bool,
}

/// Everything one entry holds, for its own page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryDetails {
    pub row: AuditRow,
    /// The stored action key ("user.lock").
    pub action_key: String,
    pub actor_username: Option<String>,
    pub actor_id: Option<i64>,
    pub impersonator_username: Option<String>,
    pub target_user_id: Option<i64>,
    /// Whether the target still has an account (a user page to link to).
    pub target_exists: bool,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub ip: Option<String>,
    pub client: Option<String>,
    /// The stored details, as indented JSON.
    pub details: Option<String>,
}

/// One page of the log for the view in `view` (the Audit page's URL query
/// string, without the `?`).
#[server(name = ListAudit, prefix = "/api", endpoint = "list_audit")]
pub async fn list_audit(#[server(default)] view: String) -> Result<AuditPage, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::authorized;
    authorized(Permission::ViewAuditLog, |call| async move {
        let query = crate::audit::AuditQuery::from_query_string(&view)?;
        crate::audit::log_service::page(&call.db, &query).await
    })
    .await
}

/// One entry, with every detail.
#[server(name = GetAuditEntry, prefix = "/api", endpoint = "get_audit_entry")]
pub async fn get_audit_entry(id: i64) -> Result<AuditEntryDetails, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::authorized;
    authorized(Permission::ViewAuditLog, |call| async move {
        crate::audit::log_service::entry(&call.db, id).await
    })
    .await
}
