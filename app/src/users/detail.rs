//! One user, as their page (`/users/USERNAME`) shows and edits them: what
//! travels between the page and the server, and the server functions. The
//! work is in `edit` (server-only).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::UserRow;
use crate::error::AppError;

/// Everything the user page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetails {
    /// The row as the Users table shows it (badges, last sign-in, …).
    pub row: UserRow,
    pub teams: Vec<String>,
    /// Bumped by every change; an edit made against an older one is refused.
    pub version: i32,
    pub suspended_reason: Option<String>,
    /// Invited and not yet accepted.
    pub invited: bool,
    pub deleted: bool,
    pub locked: bool,
    pub suspended: bool,
    /// Open sessions (none is "this device": they are someone else's).
    pub sessions: Vec<crate::account::MySession>,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
    /// What the role and team checkboxes offer.
    pub role_options: Vec<String>,
    pub team_options: Vec<String>,
}

/// One line of the user's change history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: String,
    /// Who did it ("ann", "ann as bob", "roster create-admin", …).
    pub by: String,
    pub action: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// An edit of the user page's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserEdit {
    pub id: i64,
    /// The version the form was loaded at.
    pub version: i32,
    pub username: String,
    pub email: String,
    pub name: String,
    pub phone: String,
    pub phone_ext: String,
    pub active: bool,
    pub roles: Vec<String>,
    pub teams: Vec<String>,
}

/// The user page's data.
#[server(name = GetUser, prefix = "/api", endpoint = "get_user")]
pub async fn get_user(username: String) -> Result<UserDetails, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{auth_state, database, require};
    use crate::error::with_status;
    with_status(
        async move {
            require(Permission::ViewUsers)?;
            super::edit::user_details(
                &database()?,
                auth_state()?.settings(),
                &username,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

/// Saves the user page's form; returns the user as now stored.
#[server(name = UpdateUser, prefix = "/api", endpoint = "update_user", input = server_fn::codec::Json)]
pub async fn update_user(edit: UserEdit) -> Result<UserDetails, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{auth_state, database, request_context, require};
    use crate::error::with_status;
    with_status(
        async move {
            let caller = require(Permission::EditUsers)?;
            let (db, auth) = (database()?, auth_state()?);
            let outcome = super::edit::update_user(
                &db,
                auth.settings(),
                &request_context().actor(),
                &caller,
                &edit,
            )
            .await?;
            if let Some(hub) = crate::live::hub::LiveHub::from_context() {
                use crate::live::hub::Signal;
                if outcome.sessions_ended {
                    hub.sessions_ended(&[edit.id]).await;
                }
                hub.publish(Signal::UsersChanged).await;
            }
            super::edit::user_details(&db, auth.settings(), &outcome.username, chrono::Utc::now())
                .await
        }
        .await,
    )
}

/// Ends one session of a user (an administrator's "Sign out" on their page).
#[server(name = EndUserSession, prefix = "/api", endpoint = "end_user_session")]
pub async fn end_user_session(user_id: i64, session_id: i64) -> Result<(), AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{auth_state, database, request_context, require};
    use crate::error::with_status;
    with_status(
        async move {
            require(Permission::ForceSignOut)?;
            crate::auth::service::revoke_session(
                &database()?,
                auth_state()?.settings(),
                &request_context().actor(),
                user_id,
                session_id,
                "ended_by_administrator",
            )
            .await?;
            if let Some(hub) = crate::live::hub::LiveHub::from_context() {
                hub.sessions_ended(&[user_id]).await;
            }
            Ok(())
        }
        .await,
    )
}

/// Removes a deleted user's personal data for good. `confirm_username` must
/// be their username, typed.
#[server(name = DeleteUserPermanently, prefix = "/api", endpoint = "delete_user_permanently")]
pub async fn delete_user_permanently(
    user_id: i64,
    confirm_username: String,
) -> Result<(), AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{database, request_context, require};
    use crate::error::with_status;
    with_status(
        async move {
            require(Permission::DeleteUsers)?;
            super::edit::purge_user(
                &database()?,
                &request_context().actor(),
                user_id,
                &confirm_username,
            )
            .await?;
            if let Some(hub) = crate::live::hub::LiveHub::from_context() {
                hub.publish(crate::live::hub::Signal::UsersChanged).await;
            }
            Ok(())
        }
        .await,
    )
}
