//! "Login as", what the browser sees: whether the user page offers it, and
//! the server functions that start and stop an impersonation. Both also
//! work as plain HTML forms: starting opens the impersonation in the tab
//! the form targets, stopping returns to the administrator's own view.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What the user page's "Login as" offers the caller for one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginAsOffer {
    /// Why the button is greyed out, if it is.
    pub refusal: Option<String>,
    /// `ROSTER_IMPERSONATION_REASON=required`: the form asks for a reason.
    pub reason_required: bool,
}

/// Whether the user page shows "Login as" for `username`, and whether it
/// is refused: `None` (no button) when the caller lacks the permission or
/// impersonation is switched off.
#[server(name = GetLoginAsOffer, prefix = "/api", endpoint = "login_as_offer")]
pub async fn login_as_offer(username: String) -> Result<Option<LoginAsOffer>, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{auth_state, authorized};
    authorized(Permission::ViewUsers, |call| async move {
        let auth = auth_state()?;
        let settings = auth.settings();
        if !settings.impersonation_enabled || !call.caller.can(Permission::Impersonate) {
            return Ok(None);
        }
        let now = chrono::Utc::now();
        let target = crate::users::detail::service::find_by_username(&call.db, &username).await?;
        let refusal = super::service::refusal(&call.db, settings, &call.caller, &target, now)
            .await?
            .map(|r| r.message(&target.username));
        Ok(Some(LoginAsOffer {
            refusal,
            reason_required: settings.impersonation_reason_required,
        }))
    })
    .await
}

/// Starts impersonating `username`; returns the address of the
/// impersonation's pages (`/as/ID/`). From a plain form (the user page's
/// "Login as", which opens a new tab) it answers with a redirect there,
/// or, refused, back to the user page, which says why.
#[server(name = StartImpersonation, prefix = "/api", endpoint = "start_impersonation")]
pub async fn start_impersonation(
    username: String,
    #[server(default)] reason: Option<String>,
) -> Result<String, AppError> {
    use super::service::{StartRequest, start};
    use crate::auth::Permission;
    use crate::auth::guard::{auth_state, authorized, request_context, set_cookie};
    use crate::auth::token::impersonation_cookie;
    use crate::components::{impersonation_base, path_segment};

    let target = username.clone();
    let outcome = authorized(Permission::Impersonate, |call| async move {
        let auth = auth_state()?;
        let settings = auth.settings();
        let context = request_context();
        let started = start(
            &call.db,
            settings,
            &call.caller,
            &context.actor(),
            StartRequest {
                username: &username,
                reason: reason.as_deref(),
                user_agent: &context.user_agent,
            },
            chrono::Utc::now(),
        )
        .await?;
        set_cookie(&impersonation_cookie(
            started.session_id,
            &started.token,
            settings.secure_cookies,
            settings.impersonation_lifetime,
        ));
        Ok(format!("{}/", impersonation_base(started.session_id)))
    })
    .await;
    if plain_form_post() {
        match &outcome {
            Ok(address) => leptos_axum::redirect(address),
            Err(_) => see_other(&format!(
                "/users/{}?login_as=refused",
                path_segment(&target)
            )),
        }
    }
    outcome
}

/// Ends the caller's impersonation ("Stop impersonating"); returns where
/// the administrator goes now: the user's page in their own view. From a
/// plain form it answers with a redirect there.
#[server(name = StopImpersonation, prefix = "/api", endpoint = "stop_impersonation")]
pub async fn stop_impersonation() -> Result<String, AppError> {
    use crate::auth::guard::{auth_state, database, request_context, require_session, set_cookie};
    use crate::auth::token::clear_impersonation_cookie;
    use crate::components::path_segment;
    use crate::effects::AfterCommit;
    use crate::error::with_status;

    let outcome = with_status(
        async move {
            let caller = require_session()?;
            let auth = auth_state()?;
            let username = super::service::stop(
                &database()?,
                &caller,
                &request_context().actor(),
                chrono::Utc::now(),
            )
            .await?;
            set_cookie(&clear_impersonation_cookie(
                caller.session_id,
                auth.settings().secure_cookies,
            ));
            AfterCommit::none().sessions_ended().apply().await;
            Ok(format!("/users/{}", path_segment(&username)))
        }
        .await,
    );
    if plain_form_post()
        && let Ok(address) = &outcome
    {
        leptos_axum::redirect(address);
    }
    outcome
}

/// Whether this request is a plain HTML form's (no WebAssembly): it wants a
/// page back, so it gets a redirect rather than data.
#[cfg(feature = "ssr")]
fn plain_form_post() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

/// Answers with "303 See Other" to `path`, whatever the error's status: a
/// browser follows it, and the page there says what went wrong.
#[cfg(feature = "ssr")]
fn see_other(path: &str) {
    leptos_axum::redirect(path);
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::SEE_OTHER);
    }
}
