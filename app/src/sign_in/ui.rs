//! The sign-in page, with the notice saying why it was shown, and the
//! sign-out button of the layout.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::api::{SignIn, SignOut};
use crate::auth::SessionEndReason;
use crate::components::{Notice, NoticeKind, TextField, go_to};

/// The sign-in page's `reason` after a new password was chosen by a reset
/// link. Not a [`SessionEndReason`]: no session of this browser ended, the
/// user is sent here to sign in with the new password.
pub const PASSWORD_RESET_REASON: &str = "password_reset";

/// Why the sign-in page was shown, from its `reason` parameter: mostly why
/// the tab's session ended. None for a value nobody sends (a hand-edited
/// address), which shows no notice.
fn reason_text(reason: &str) -> Option<&'static str> {
    if reason == PASSWORD_RESET_REASON {
        return Some("Your new password is set. Sign in with it.");
    }
    SessionEndReason::from_key(reason).map(SessionEndReason::sign_in_notice)
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
                    <A href=crate::components::in_base("/forgot-password")>"Forgot password?"</A>
                </p>
            </div>
        </main>
    }
    .into_any()
}

/// The header's "Sign out" button. Works without WebAssembly too: it is a
/// real form posting to the server function.
#[component]
pub fn SignOutButton() -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            go_to(&format!(
                "/login?reason={}",
                SessionEndReason::SignedOut.key()
            ));
        }
    });
    view! {
        <ActionForm action=sign_out attr:class="sign-out-form">
            <button type="submit" class="button button-quiet" disabled=move || sign_out.pending().get()>
                "Sign out"
            </button>
        </ActionForm>
    }
    .into_any()
}
