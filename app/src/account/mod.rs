//! "My account": every signed-in user's own page — their profile, their
//! password, and their sessions with a "Sign out" for each.

mod page;
mod password_page;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub use page::{MyAccountPage, SessionTable};
pub use password_page::ChangePasswordPage;

/// The signed-in user's own profile, as shown on their account page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAccount {
    pub username: String,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub phone_ext: Option<String>,
    pub roles: Vec<String>,
    pub must_change_password: bool,
    pub password_changed_at: Option<String>,
    /// False after a temporary login, until a new password is chosen: the
    /// change-password form then asks for no current password.
    pub has_password: bool,
    pub last_signin_at: Option<String>,
    pub last_signin_from: Option<String>,
}

/// One open session of the signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MySession {
    pub id: i64,
    pub started_at: String,
    pub last_seen_at: String,
    pub ip: Option<String>,
    pub client: String,
    /// The session of the browser asking.
    pub is_current: bool,
}

/// Where the browser goes after a password change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChangeOutcome {
    pub other_sessions_ended: u64,
    pub redirect_to: String,
}

#[server(name = GetMyAccount, prefix = "/api", endpoint = "my_account")]
pub async fn get_my_account() -> Result<MyAccount, AppError> {
    use crate::auth::guard::{database, require_session};
    use crate::error::with_status;
    with_status(
        async move {
            // Allowed while a password change is pending: the change-password
            // page shows who is changing it.
            let session = require_session()?;
            service::my_account(&database()?, session.user_id).await
        }
        .await,
    )
}

#[server(name = GetMySessions, prefix = "/api", endpoint = "my_sessions")]
pub async fn get_my_sessions() -> Result<Vec<MySession>, AppError> {
    use crate::auth::guard::{auth_state, database, require_signed_in};
    use crate::error::with_status;
    with_status(
        async move {
            let session = require_signed_in()?;
            service::my_sessions(
                &database()?,
                auth_state()?.settings(),
                session.user_id,
                session.session_id,
            )
            .await
        }
        .await,
    )
}

/// Ends one of the caller's own sessions (another device, or this one).
#[server(name = EndMySession, prefix = "/api", endpoint = "end_my_session")]
pub async fn end_my_session(session_id: i64) -> Result<(), AppError> {
    use crate::auth::guard::{
        auth_state, database, request_context, require_signed_in, set_cookie,
    };
    use crate::auth::token::clear_session_cookie;
    use crate::error::with_status;
    with_status(
        async move {
            let session = require_signed_in()?;
            let auth = auth_state()?;
            crate::auth::service::revoke_session(
                &database()?,
                auth.settings(),
                &request_context().actor(),
                session.user_id,
                session_id,
                if session_id == session.session_id {
                    "signed_out"
                } else {
                    "ended_by_user"
                },
            )
            .await?;
            if session_id == session.session_id {
                set_cookie(&clear_session_cookie(auth.settings().secure_cookies));
            }
            if let Some(hub) = crate::live::hub::LiveHub::from_context() {
                hub.sessions_ended(&[session.user_id]).await;
            }
            Ok(())
        }
        .await,
    )
}

/// Changes the caller's own password (also when a change is required).
#[server(name = ChangePassword, prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<PasswordChangeOutcome, AppError> {
    use crate::auth::current::landing_path;
    use crate::auth::guard::{auth_state, database, request_context, require_session};
    use crate::error::with_status;
    with_status(
        async move {
            let session = require_session()?;
            let changed = service::change_own_password(
                &database()?,
                &auth_state()?,
                &crate::email::outbox::Outbox::from_context()?,
                &request_context().actor(),
                &session,
                &current_password,
                crate::auth::password::ChosenPassword {
                    new: &new_password,
                    confirm: &confirm_password,
                },
            )
            .await?;
            if changed.other_sessions_ended > 0
                && let Some(hub) = crate::live::hub::LiveHub::from_context()
            {
                hub.sessions_ended(&[session.user_id]).await;
            }
            Ok(PasswordChangeOutcome {
                other_sessions_ended: changed.other_sessions_ended,
                redirect_to: landing_path(false, !session.permissions.is_empty()).to_owned(),
            })
        }
        .await,
    )
}
