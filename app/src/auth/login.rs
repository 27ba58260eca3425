//! The sign-in page, signing in and signing out.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::components::{Notice, NoticeKind, TextField};
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
    use super::guard::{auth_state, database, request_context};
    use super::signin::SignInAttempt;
    use crate::error::with_status;

    with_status(
        async move {
            let (db, auth, ctx) = (database()?, auth_state()?, request_context());
            let signed_in = super::signin::sign_in(
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
            .await;
            Ok(SignInOutcome {
                redirect_to: signed_in.redirect_to,
            })
        }
        .await,
    )
}

/// After a session was opened (by password or by a one-time link): sets
/// the cookie, and tells live tabs that this browser's previous session is
/// over and that the user is signed in.
#[cfg(feature = "ssr")]
pub async fn finish_sign_in(
    signed_in: &super::signin::SignedIn,
    replaced_a_session: bool,
    secure_cookies: bool,
) {
    super::guard::set_cookie(&super::token::session_cookie(
        &signed_in.token,
        secure_cookies,
    ));
    if let Some(hub) = crate::live::hub::LiveHub::from_context() {
        if replaced_a_session {
            hub.publish(crate::live::hub::Signal::SessionsEnded).await;
        }
        hub.presence_changed(signed_in.user_id).await;
    }
}

/// Ends the caller's session and removes the cookie. Signing out when
/// already signed out is not an error.
#[server(name = SignOut, prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use super::guard::{auth_state, database, request_context, set_cookie};
    use super::token::clear_session_cookie;
    use crate::error::with_status;

    with_status(
        async move {
            let (db, auth, ctx) = (database()?, auth_state()?, request_context());
            set_cookie(&clear_session_cookie(auth.settings().secure_cookies));
            let Some(session) = ctx.session.clone() else {
                return Ok(());
            };
            match super::service::revoke_session(
                &db,
                auth.settings(),
                &ctx.actor(),
                session.user_id,
                session.session_id,
                "signed_out",
            )
            .await
            {
                Ok(()) | Err(AppError::NotFound) => {
                    // Other tabs of this browser follow.
                    if let Some(hub) = crate::live::hub::LiveHub::from_context() {
                        hub.sessions_ended(&[session.user_id]).await;
                    }
                    Ok(())
                }
                Err(other) => Err(other),
            }
        }
        .await,
    )
}

/// Why the sign-in page was shown, from its `reason` parameter.
fn reason_text(reason: &str) -> Option<&'static str> {
    match reason {
        "signed_out" => Some("You have signed out."),
        "session_ended" => Some("Your session has ended. Please sign in again."),
        "password_changed" => Some("Your password was changed. Please sign in again."),
        "password_reset" => Some("Your new password is set. Sign in with it."),
        "forced_sign_out" => Some("An administrator signed you out."),
        "locked" => Some("Your account has been locked. Contact an administrator."),
        "deactivated" => Some("Your account has been deactivated. Contact an administrator."),
        "suspended" => Some("Your account has been suspended. Contact an administrator."),
        "deleted" => Some("Your account has been deleted."),
        "password_set" => Some("An administrator set a new password for your account."),
        "ended_by_administrator" => Some("An administrator ended this session."),
        _ => None,
    }
}

/// Sends the whole page to `path` (a full load, so every part of the page
/// learns who is now signed in).
pub fn go_to(path: &str) {
    if let Err(error) = window().location().set_href(path) {
        leptos::logging::error!("navigation failed: {error:?}");
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let reason = move || query.read().get("reason").as_deref().and_then(reason_text);

    let sign_in = ServerAction::<SignIn>::new();
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(outcome)) = sign_in.value().get() {
            go_to(&outcome.redirect_to);
        }
    });
    let failure = move || sign_in.value().get().and_then(Result::err);

    view! {
        <Title text="Sign in"/>
        <main id="main" class="auth-page">
            <div class="card auth-card">
                <p class="auth-brand">"Roster"</p>
                <h1>"Sign in"</h1>
                {move || reason().map(|text| view! { <Notice>{text}</Notice> })}
                <ActionForm action=sign_in attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="next" value=next/>
                    <TextField
                        label="Username or email"
                        name="login"
                        value=login
                        autocomplete="username"
                        required=true
                        autofocus=true
                        maxlength=254
                    />
                    <TextField
                        label="Password"
                        name="password"
                        value=password
                        input_type="password"
                        autocomplete="current-password"
                        required=true
                        maxlength=128
                    />
                    {move || {
                        failure()
                            .map(|error| {
                                view! { <Notice kind=NoticeKind::Error>{error.to_string()}</Notice> }
                            })
                    }}
                    <button
                        type="submit"
                        class="button button-primary"
                        disabled=move || sign_in.pending().get()
                    >
                        "Sign in"
                    </button>
                </ActionForm>
                <p class="auth-links">
                    <A href="/forgot-password">"Forgot password?"</A>
                </p>
            </div>
        </main>
    }
}

/// The header's "Sign out" button. Works without WebAssembly too: it is a
/// real form posting to the server function.
#[component]
pub fn SignOutButton() -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            go_to("/login?reason=signed_out");
        }
    });
    view! {
        <ActionForm action=sign_out attr:class="sign-out-form">
            <button type="submit" class="button button-quiet" disabled=move || sign_out.pending().get()>
                "Sign out"
            </button>
        </ActionForm>
    }
}
