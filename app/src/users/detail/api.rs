//! One user, as their page (`/users/USERNAME`) shows and edits them: what
//! travels between the page and the server, and the server functions. The
//! work is in `edit` (server-only).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::users::table::api::UserRow;

/// Everything the user page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    pub sessions: Vec<crate::components::SessionRow>,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
    /// What the role and team checkboxes offer.
    pub role_options: Vec<String>,
    pub team_options: Vec<String>,
}

/// One line of the user's change history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
    use crate::auth::guard::{auth_state, authorized};
    authorized(Permission::ViewUsers, |call| async move {
        crate::users::detail::service::user_details(
            &call.db,
            auth_state()?.settings(),
            &username,
            chrono::Utc::now(),
        )
        .await
    })
    .await
}

/// Saves the user page's form; returns the user as now stored.
#[server(name = UpdateUser, prefix = "/api", endpoint = "update_user", input = server_fn::codec::Json)]
pub async fn update_user(edit: UserEdit) -> Result<UserDetails, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{auth_state, authorized, request_context};
    use crate::effects::AfterCommit;
    authorized(Permission::EditUsers, |call| async move {
        if edit.id == call.caller.user_id
            && !edit
                .email
                .trim()
                .eq_ignore_ascii_case(call.caller.email.trim())
        {
            crate::auth::guard::only_in_person(&call.caller, "changing the email address")?;
        }
        let auth = auth_state()?;
        let outcome = crate::users::detail::service::save_edit(
            &call.db,
            auth.settings(),
            &request_context().actor(),
            &call.caller,
            &edit,
        )
        .await?;
        let mut after = AfterCommit::none();
        if outcome.sessions_ended {
            after = after.sessions_ended_of(&[edit.id]);
        }
        if outcome.roles_changed {
            after = after.event(crate::live::hub::HubEvent::UserAccessChanged { user_id: edit.id });
        }
        after.users_changed().apply().await;
        crate::users::detail::service::user_details(
            &call.db,
            auth.settings(),
            &outcome.username,
            chrono::Utc::now(),
        )
        .await
    })
    .await
}

/// Ends one session of a user (an administrator's "Sign out" on their page).
#[server(name = EndUserSession, prefix = "/api", endpoint = "end_user_session")]
pub async fn end_user_session(user_id: i64, session_id: i64) -> Result<(), AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{auth_state, authorized, request_context};
    use crate::effects::AfterCommit;
    authorized(Permission::ForceSignOut, |call| async move {
        if user_id == call.caller.user_id {
            crate::auth::guard::only_in_person(&call.caller, "ending their sessions")?;
        }
        crate::auth::service::revoke_session(
            &call.db,
            auth_state()?.settings(),
            &request_context().actor(),
            user_id,
            session_id,
            crate::auth::SessionEndReason::EndedByAdministrator,
        )
        .await?;
        AfterCommit::none()
            .sessions_ended_of(&[user_id])
            .apply()
            .await;
        Ok(())
    })
    .await
}

/// Removes a deleted user's personal data for good. `confirm_username` must
/// be their username, typed.
#[server(name = DeleteUserPermanently, prefix = "/api", endpoint = "delete_user_permanently")]
pub async fn delete_user_permanently(
    user_id: i64,
    confirm_username: String,
) -> Result<(), AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{authorized, request_context};
    use crate::effects::AfterCommit;
    authorized(Permission::DeleteUsers, |call| async move {
        crate::users::detail::service::purge_user(
            &call.db,
            &request_context().actor(),
            user_id,
            &confirm_username,
        )
        .await?;
        AfterCommit::none().users_changed().apply().await;
        Ok(())
    })
    .await
}
