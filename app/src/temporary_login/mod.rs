//! Temporary logins: an administrator sends a user who forgot their password
//! a link (Send Temporary Login) that signs them in once, for a short time
//! (15 minutes by default), and then requires a new password. The link's
//! page asks before using it, so mail scanners that open links do not use it
//! up.

#[cfg(feature = "ssr")]
pub mod service;
mod ui;

use leptos::prelude::*;

use crate::error::AppError;
use crate::sign_in::SignInOutcome;

pub use ui::TemporaryLoginPage;

/// The username a temporary login link is for; a `token` field error saying
/// why it no longer works otherwise.
#[server(name = TemporaryLoginStatus, prefix = "/api", endpoint = "temporary_login_status")]
pub async fn temporary_login_status(token: String) -> Result<String, AppError> {
    use crate::auth::guard::database;
    use crate::domain::FormField;
    use crate::error::with_status;
    with_status(
        async move {
            service::link_status(&database()?, &token, chrono::Utc::now())
                .await?
                .map_err(|problem| AppError::validation(FormField::Token, problem))
        }
        .await,
    )
}

/// Uses a temporary login link: signs its owner in and marks the account
/// "must change password".
#[server(name = UseTemporaryLogin, prefix = "/api", endpoint = "use_temporary_login")]
pub async fn use_temporary_login(token: String) -> Result<SignInOutcome, AppError> {
    use crate::auth::guard::{auth_state, database, request_context};
    use crate::error::with_status;
    use crate::sign_in::finish_sign_in;
    with_status(
        async move {
            let (auth, ctx) = (auth_state()?, request_context());
            let signed_in = service::sign_in_with_link(
                &database()?,
                &auth,
                &token,
                &ctx.session_start(),
                chrono::Utc::now(),
            )
            .await?;
            finish_sign_in(
                &signed_in,
                ctx.session.is_some(),
                auth.settings().secure_cookies,
            )
            .apply()
            .await;
            Ok(SignInOutcome {
                redirect_to: signed_in.redirect_to,
            })
        }
        .await,
    )
}
