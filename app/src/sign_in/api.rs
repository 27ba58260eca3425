//! Signing in and out: the server functions behind the sign-in page and
//! the sign-out button, and finishing a sign-in (the cookie), which the
//! invitation and temporary-login links share.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Where the browser goes after a successful sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOutcome {
    pub redirect_to: String,
}

/// Signs in with a username or email address and a password, and sets the
/// session cookie. `next` is the page to return to (a local path only).
#[server(name = SignIn, prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(
    login: String,
    password: String,
    #[server(default)] next: Option<String>,
) -> Result<SignInOutcome, AppError> {
    use crate::auth::guard::{auth_state, database, request_context};
    use crate::auth::signin::SignInAttempt;
    use crate::error::with_status;

    with_status(
        async move {
            let (db, auth, ctx) = (database()?, auth_state()?, request_context());
            let signed_in = crate::auth::signin::sign_in(
                &db,
                &auth,
                SignInAttempt {
                    login: &login,
                    password: &password,
                    next: next.as_deref(),
                    ip: ctx.ip,
                    user_agent: &ctx.user_agent,
                    replaces: ctx.session.as_ref().map(|s| (s.user_id, s.session_id)),
                },
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

/// After a session was opened (by password or by a one-time link) and
/// committed: sets the cookie, and returns what live tabs are to be told:
/// that this browser's previous session is over and that the user is
/// signed in.
#[cfg(feature = "ssr")]
pub fn finish_sign_in(
    signed_in: &crate::auth::signin::SignedIn,
    replaced_a_session: bool,
    secure_cookies: bool,
) -> crate::effects::AfterCommit {
    crate::auth::guard::set_cookie(&crate::auth::token::session_cookie(
        &signed_in.token,
        secure_cookies,
    ));
    let mut after = crate::effects::AfterCommit::none();
    if replaced_a_session {
        after = after.sessions_ended();
    }
    after.presence_changed(signed_in.user_id)
}

/// Ends the caller's session and removes the cookie. Signing out when
/// already signed out is not an error.
#[server(name = SignOut, prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::auth::guard::{auth_state, database, request_context, set_cookie};
    use crate::auth::token::clear_session_cookie;
    use crate::effects::AfterCommit;
    use crate::error::with_status;

    with_status(
        async move {
            let (db, auth, ctx) = (database()?, auth_state()?, request_context());
            // "Sign out" in an impersonation tab stops the impersonation;
            // the administrator's own session goes on.
            if let Some(session) = ctx.session.clone().filter(|s| s.is_impersonation()) {
                crate::impersonation::service::stop(
                    &db,
                    &session,
                    &ctx.actor(),
                    chrono::Utc::now(),
                )
                .await?;
                set_cookie(&crate::auth::token::clear_impersonation_cookie(
                    session.session_id,
                    auth.settings().secure_cookies,
                ));
                AfterCommit::none().sessions_ended().apply().await;
                return Ok(());
            }
            set_cookie(&clear_session_cookie(auth.settings().secure_cookies));
            let Some(session) = ctx.session.clone() else {
                return Ok(());
            };
            match crate::auth::service::revoke_session(
                &db,
                auth.settings(),
                &ctx.actor(),
                session.user_id,
                session.session_id,
                crate::auth::SessionEndReason::SignedOut,
            )
            .await
            {
                Ok(()) | Err(AppError::NotFound) => {
                    // Other tabs of this browser follow.
                    AfterCommit::none()
                        .sessions_ended_of(&[session.user_id])
                        .apply()
                        .await;
                    Ok(())
                }
                Err(other) => Err(other),
            }
        }
        .await,
    )
}
