use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::{REQUEST_ANSWER, RequestPasswordReset, ResetPassword, reset_link_status};
use crate::components::go_to;
use crate::components::{
    AuthCard, NewPasswordCheck, NewPasswordFields, Notice, NoticeKind, TextField, error_elsewhere,
    error_on,
};
use crate::domain::FormField;

/// `/forgot-password`: ask for a reset link by username or email.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let request = ServerAction::<RequestPasswordReset>::new();
    let login = RwSignal::new(String::new());
    // Without JavaScript the answer comes back as `?sent=1`.
    let query = use_query_map();
    let sent = move || {
        matches!(request.value().get(), Some(Ok(())))
            || (request.value().get().is_none()
                && query.read().get("sent").is_some_and(|v| v == "1"))
    };
    let error = move |field: bool| {
        request
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| (e.form_field() == Some(FormField::Login)) == field)
            .map(|e| e.to_string())
    };
    view! {
        <Title text="Forgot password"/>
        <AuthCard title="Forgot password?">
                <Show
                    when=sent
                    fallback=move || {
                        view! {
                            <p>"Enter your username or email address. We will email you a link to choose a new password."</p>
                            <ActionForm action=request attr:class="form" attr:novalidate=true>
                                <TextField
                                    label="Username or email"
                                    name="login"
                                    value=login
                                    autocomplete="username"
                                    required=true
                                    maxlength=254
                                    error=Signal::derive(move || error(true))
                                />
                                {move || error(false).map(|e| view! { <Notice kind=NoticeKind::Error>{e}</Notice> })}
                                <button type="submit" class="button button-primary" disabled=move || request.pending().get()>
                                    "Send reset link"
                                </button>
                            </ActionForm>
                        }
                    }
                >
                    <Notice kind=NoticeKind::Success>{REQUEST_ANSWER}</Notice>
                </Show>
        </AuthCard>
    }
    .into_any()
}

/// `/reset-password?token=…`: choose a new password through an emailed link.
/// A link that no longer works says why and offers a new one.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let status = Resource::new(token, reset_link_status);
    let reset = ServerAction::<ResetPassword>::new();
    let check = NewPasswordCheck::new();
    let server_error = move |field: FormField| error_on(reset.value().get(), field);
    let other_error = move || {
        error_elsewhere(
            reset.value().get(),
            &[FormField::NewPassword, FormField::ConfirmPassword],
        )
    };
    Effect::new(move |_| {
        if let Some(Ok(())) = reset.value().get() {
            go_to(&format!(
                "/login?reason={}",
                crate::sign_in::PASSWORD_RESET_REASON
            ));
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if check.has_errors() {
            return;
        }
        reset.dispatch(ResetPassword {
            token: token(),
            new_password: check.new.get_untracked(),
            confirm_password: check.confirm.get_untracked(),
        });
    };
    view! {
        <Title text="Choose a new password"/>
        <AuthCard title="Choose a new password">
                <Suspense fallback=|| view! { <p>"Checking the link…"</p> }>
                    {move || Suspend::new(async move {
                        match status.await {
                            Err(error) => view! {
                                <Notice kind=NoticeKind::Error>{error.to_string()}</Notice>
                                <p class="auth-links"><A href=crate::components::in_base("/forgot-password")>"Ask for a new link"</A></p>
                            }
                            .into_any(),
                            Ok(username) => view! {
                                <p>"For the account " <strong>{username}</strong> "."</p>
                                // Also a plain HTML form (see the change-password page).
                                <form class="form" method="post" action=crate::components::based("/api/reset_password") on:submit=on_submit novalidate>
                                    <input type="hidden" name="token" value=token()/>
                                    <NewPasswordFields check=check server_error=server_error/>
                                    {move || other_error().map(|e| view! { <Notice kind=NoticeKind::Error>{e}</Notice> })}
                                    <button type="submit" class="button button-primary" disabled=move || reset.pending().get()>
                                        "Set new password"
                                    </button>
                                </form>
                            }
                            .into_any(),
                        }
                    })}
                </Suspense>
        </AuthCard>
    }
    .into_any()
}
