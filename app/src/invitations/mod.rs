//! Invitations: an administrator invites someone by email (New User, "send
//! an invitation instead"); the account shows as Invited until its owner
//! follows the link, chooses a password, and is signed in. Administrators can
//! resend or cancel an invitation (bulk actions on the Users table and the
//! user page). A link works once and expires (7 days by default).

#[cfg(feature = "ssr")]
pub mod service;
mod ui;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::sign_in::SignInOutcome;

pub use ui::AcceptInvitationPage;

/// Who an invitation is for, as its page greets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationInfo {
    pub username: String,
    pub name: String,
}

/// Whom an invitation link is for; a `token` field error saying why the
/// link no longer works otherwise.
#[server(name = InvitationStatus, prefix = "/api", endpoint = "invitation_status")]
pub async fn invitation_status(token: String) -> Result<InvitationInfo, AppError> {
    use crate::auth::guard::database;
    use crate::domain::FormField;
    use crate::error::with_status;
    with_status(
        async move {
            service::invitation_status(&database()?, &token, chrono::Utc::now())
                .await?
                .map_err(|problem| AppError::validation(FormField::Token, problem))
        }
        .await,
    )
}

/// Accepts an invitation: sets the chosen password, activates the account
/// and signs its owner in.
#[server(name = AcceptInvitation, prefix = "/api", endpoint = "accept_invitation")]
pub async fn accept_invitation(
    token: String,
    new_password: String,
    confirm_password: String,
) -> Result<SignInOutcome, AppError> {
    use crate::auth::guard::{auth_state, database, request_context};
    use crate::error::with_status;
    use crate::sign_in::finish_sign_in;
    with_status(
        async move {
            let (auth, ctx) = (auth_state()?, request_context());
            let signed_in = service::accept_invitation(
                &database()?,
                &auth,
                &token,
                crate::auth::password::ChosenPassword {
                    new: &new_password,
                    confirm: &confirm_password,
                },
                &ctx.session_start(),
                chrono::Utc::now(),
            )
            .await?;
            // No longer Invited in the Users table.
            finish_sign_in(
                &signed_in,
                ctx.session.is_some(),
                auth.settings().secure_cookies,
            )
            .users_changed()
            .apply()
            .await;
            crate::auth::guard::after_plain_form_go_to(&signed_in.redirect_to);
            Ok(SignInOutcome {
                redirect_to: signed_in.redirect_to,
            })
        }
        .await,
    )
}
