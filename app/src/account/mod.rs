//! "My account": every signed-in user's own page — their profile, their
//! password, and their sessions with a "Sign out" for each.

mod password_ui;
#[cfg(feature = "ssr")]
pub mod service;
mod ui;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

use crate::components::SessionRow;
pub use password_ui::ChangePasswordPage;
pub use ui::MyAccountPage;

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
pub async fn get_my_sessions() -> Result<Vec<SessionRow>, AppError> {
    use crate::auth::guard::{auth_state, signed_in};
    signed_in(|call| async move {
        service::my_sessions(
            &call.db,
            auth_state()?.settings(),
            call.caller.user_id,
            call.caller.session_id,
        )
        .await
    })
    .await
}

/// Ends one of the caller's own sessions (another device, or this one).
#[server(name = EndMySession, prefix = "/api", endpoint = "end_my_session")]
pub async fn end_my_session(session_id: i64) -> Result<(), AppError> {
    use crate::auth::SessionEndReason;
    use crate::auth::guard::{auth_state, request_context, set_cookie, signed_in};
    use crate::auth::token::clear_session_cookie;
    use crate::effects::AfterCommit;
    signed_in(|call| async move {
        let session = call.caller;
        crate::auth::guard::only_in_person(&session, "ending their sessions")?;
        let auth = auth_state()?;
        crate::auth::service::revoke_session(
            &call.db,
            auth.settings(),
            &request_context().actor(),
            session.user_id,
            session_id,
            if session_id == session.session_id {
                SessionEndReason::SignedOut
            } else {
                SessionEndReason::EndedByUser
            },
        )
        .await?;
        if session_id == session.session_id {
            set_cookie(&clear_session_cookie(auth.settings().secure_cookies));
        }
        AfterCommit::none()
            .sessions_ended_of(&[session.user_id])
            .apply()
            .await;
        Ok(())
    })
    .await
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
            crate::auth::guard::only_in_person(&session, "changing the password")?;
            let (changed, after) = service::change_own_password(
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
            after.apply().await;
            let redirect_to = landing_path(false, !session.permissions.is_empty()).to_owned();
            // Without JavaScript: a required change goes on to the console,
            // a chosen one back to the page, which then says it is done.
            crate::auth::guard::after_plain_form_go_to(if session.must_change_password {
                &redirect_to
            } else {
                "/account/password?changed=1"
            });
            Ok(PasswordChangeOutcome {
                other_sessions_ended: changed.other_sessions_ended,
                redirect_to,
            })
        }
        .await,
    )
}
