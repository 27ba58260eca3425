use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{UseTemporaryLogin, temporary_login_status};
use crate::components::go_to;
use crate::components::{AuthCard, Notice, NoticeKind};

/// `/temporary-login?token=…`: names the account and signs in at the press
/// of a button. A link that no longer works says why and offers nothing else.
#[component]
pub fn TemporaryLoginPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let status = Resource::new(token, temporary_login_status);
    let sign_in = ServerAction::<UseTemporaryLogin>::new();
    Effect::new(move |_| {
        if let Some(Ok(outcome)) = sign_in.value().get() {
            go_to(&outcome.redirect_to);
        }
    });
    let failure = move || {
        sign_in
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <Title text="Temporary sign-in"/>
        <AuthCard title="Temporary sign-in">
            <Suspense fallback=|| view! { <p>"Checking the link…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(error) => view! { <Notice kind=NoticeKind::Error>{error.to_string()}</Notice> }.into_any(),
                        Ok(username) => {
                            let label = format!("Sign in as {username}");
                            view! {
                                <p>
                                    "This link signs you in once as " <strong>{username}</strong>
                                    ". You will then choose a new password."
                                </p>
                                {move || failure().map(|e| view! { <Notice kind=NoticeKind::Error>{e}</Notice> })}
                                <button
                                    type="button"
                                    class="button button-primary"
                                    disabled=move || sign_in.pending().get()
                                    on:click=move |_| {
                                        sign_in.dispatch(UseTemporaryLogin { token: token() });
                                    }
                                >
                                    {label}
                                </button>
                            }
                            .into_any()
                        }
                    }
                })}
            </Suspense>
        </AuthCard>
    }
    .into_any()
}
