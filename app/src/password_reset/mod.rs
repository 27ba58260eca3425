//! "Forgot password?": anyone may ask for a reset link for their account by
//! username or email; the answer is the same whether or not there is one.
//! The link (valid for an hour by default, once) opens `/reset-password`,
//! where the owner chooses a new password.

#[cfg(feature = "ssr")]
pub mod service;
mod ui;

use leptos::prelude::*;

use crate::error::AppError;

pub use ui::{ForgotPasswordPage, ResetPasswordPage};

/// What the page says after any request, known address or not.
pub const REQUEST_ANSWER: &str = "If an account matches, we have sent its email address a link to choose a new password. \
     It works once, for a limited time. Check your spam folder if nothing arrives.";

#[server(name = RequestPasswordReset, prefix = "/api", endpoint = "request_password_reset")]
pub async fn request_password_reset(login: String) -> Result<(), AppError> {
    use crate::auth::guard::{auth_state, database, request_context};
    use crate::domain::FormField;
    use crate::email::outbox::Outbox;
    use crate::error::with_status;
    use crate::live::hub::LiveHub;
    with_status(
        async move {
            if login.trim().is_empty() {
                return Err(AppError::validation(
                    FormField::Login,
                    "Enter your username or email address.",
                ));
            }
            let auth = auth_state()?;
            let context = request_context();
            if !auth.allow_reset_request(context.ip) {
                return Err(AppError::RateLimited);
            }
            let (db, outbox, actor) = (database()?, Outbox::from_context()?, context.actor());
            // The spawned task no longer sees the request's context.
            let hub = LiveHub::from_context();
            // Off the request path, so that how long the answer takes does
            // not tell whether the account exists.
            tokio::spawn(async move {
                let now = chrono::Utc::now();
                match service::request_reset(&db, &auth, &outbox, &actor, &login, now).await {
                    Ok(after) => after.apply_to(hub.as_ref(), Some(&outbox)).await,
                    Err(error) => tracing::error!(%error, "password reset request failed"),
                }
            });
            crate::auth::guard::after_plain_form_go_to("/forgot-password?sent=1");
            Ok(())
        }
        .await,
    )
}

/// The username a reset link is for; a `token` field error saying why the
/// link no longer works otherwise.
#[server(name = ResetLinkStatus, prefix = "/api", endpoint = "reset_link_status")]
pub async fn reset_link_status(token: String) -> Result<String, AppError> {
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

#[server(name = ResetPassword, prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(
    token: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    use crate::auth::guard::{auth_state, database, request_context};
    use crate::email::outbox::Outbox;
    use crate::error::with_status;
    with_status(
        async move {
            let (_, after) = service::reset_password(
                &database()?,
                &auth_state()?,
                &Outbox::from_context()?,
                &request_context().actor(),
                &token,
                crate::auth::password::ChosenPassword {
                    new: &new_password,
                    confirm: &confirm_password,
                },
                chrono::Utc::now(),
            )
            .await?;
            after.apply().await;
            crate::auth::guard::after_plain_form_go_to(&format!(
                "/login?reason={}",
                crate::sign_in::PASSWORD_RESET_REASON
            ));
            Ok(())
        }
        .await,
    )
}
