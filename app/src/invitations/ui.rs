use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{AcceptInvitation, invitation_status};
use crate::components::go_to;
use crate::components::{
    AuthCard, NewPasswordCheck, NewPasswordFields, Notice, NoticeKind, error_elsewhere, error_on,
};
use crate::domain::FormField;

/// `/accept-invitation?token=…`: the invited person chooses a password,
/// which activates the account and signs them in. A link that no longer
/// works says why and offers nothing else.
#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let status = Resource::new(token, invitation_status);
    let accept = ServerAction::<AcceptInvitation>::new();
    let check = NewPasswordCheck::new();
    let server_error = move |field: FormField| error_on(accept.value().get(), field);
    let other_error = move || {
        error_elsewhere(
            accept.value().get(),
            &[FormField::NewPassword, FormField::ConfirmPassword],
        )
    };
    Effect::new(move |_| {
        if let Some(Ok(outcome)) = accept.value().get() {
            go_to(&outcome.redirect_to);
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if check.has_errors() {
            return;
        }
        accept.dispatch(AcceptInvitation {
            token: token(),
            new_password: check.new.get_untracked(),
            confirm_password: check.confirm.get_untracked(),
        });
    };
    view! {
        <Title text="Accept your invitation"/>
        <AuthCard title="Welcome to Roster">
            <Suspense fallback=|| view! { <p>"Checking the invitation…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(error) => view! { <Notice kind=NoticeKind::Error>{error.to_string()}</Notice> }.into_any(),
                        Ok(info) => view! {
                            <p>
                                "Hello " {info.name} ". Choose a password for your account "
                                <strong>{info.username}</strong> " to activate it."
                            </p>
                            // Also a plain HTML form (see the change-password page).
                            <form class="form" method="post" action=crate::components::based("/api/accept_invitation") on:submit=on_submit novalidate>
                                <input type="hidden" name="token" value=token()/>
                                <NewPasswordFields check=check server_error=server_error/>
                                {move || other_error().map(|e| view! { <Notice kind=NoticeKind::Error>{e}</Notice> })}
                                <button type="submit" class="button button-primary" disabled=move || accept.pending().get()>
                                    "Activate account"
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
