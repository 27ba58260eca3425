use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::{EndMySession, MyAccount, get_my_account, get_my_sessions};
use crate::components::go_to;
use crate::components::{ErrorList, Notice, NoticeKind, PageHeader, SessionTable};

/// `/account`: the signed-in user's profile, password and sessions. Every
/// signed-in user has it; users without administration rights land here.
#[component]
pub fn MyAccountPage() -> impl IntoView {
    let query = use_query_map();
    let denied = move || query.read().get("denied");
    let account = Resource::new(|| (), |_| get_my_account());
    view! {
        <Title text="My account"/>
        <PageHeader title="My account"/>
        {move || {
            denied()
                .map(|path| {
                    view! {
                        <Notice kind=NoticeKind::Error>
                            {format!("You do not have permission to open {path}.")}
                        </Notice>
                    }
                })
        }}
        <Transition fallback=|| view! { <p class="loading">"Loading your account…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    account.await.map(|account| view! { <Profile account/> })
                })}
            </ErrorBoundary>
        </Transition>
        <Sessions/>
    }
    .into_any()
}

#[component]
fn Profile(account: MyAccount) -> impl IntoView {
    let user = crate::auth::use_current_user();
    let optional = |value: Option<String>| value.unwrap_or_else(|| "—".to_owned());
    let phone = match (account.phone, account.phone_ext) {
        (Some(phone), Some(ext)) => Some(format!("{phone} ext. {ext}")),
        (phone, _) => phone,
    };
    view! {
        <section class="card" aria-labelledby="profile-heading">
            <h2 id="profile-heading">"Profile"</h2>
            <dl class="details">
                <dt>"Name"</dt>
                <dd>{account.name}</dd>
                <dt>"Username"</dt>
                <dd>{account.username}</dd>
                <dt>"Email Address"</dt>
                <dd>{account.email}</dd>
                <dt>"Phone #"</dt>
                <dd>{optional(phone)}</dd>
                <dt>"Roles"</dt>
                <dd>{account.roles.join(", ")}</dd>
                <dt>"Last Signin"</dt>
                <dd>
                    {optional(account.last_signin_at)}
                    {account.last_signin_from.map(|from| format!(" from {from}"))}
                </dd>
                <dt>"Password"</dt>
                <dd>
                    {account
                        .password_changed_at
                        .map_or_else(|| "Never set".to_owned(), |at| format!("Changed {at}"))}
                    " · "
                    <A href=crate::components::in_base("/account/password")>"Change password"</A>
                </dd>
                {move || {
                    user.get()
                        .filter(|u| u.can(crate::auth::Permission::ManageApiTokens))
                        .map(|_| view! {
                            <dt>"API tokens"</dt>
                            <dd><A href=crate::components::in_base("/account/tokens")>"Manage API tokens"</A></dd>
                        })
                }}
            </dl>
            <p class="muted">"To change your name, email address or roles, ask an administrator."</p>
        </section>
    }
    .into_any()
}

#[component]
fn Sessions() -> impl IntoView {
    let end_session = ServerAction::<EndMySession>::new();
    let sessions = Resource::new(move || end_session.version().get(), |_| get_my_sessions());
    // Ending this browser's own session signs it out: go to the sign-in page.
    let ending_current = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(())) = end_session.value().get()
            && ending_current.get_untracked()
        {
            go_to(&format!(
                "/login?reason={}",
                crate::auth::SessionEndReason::SignedOut.key()
            ));
        }
    });
    let failure = move || end_session.value().get().and_then(Result::err);
    view! {
        <section class="card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Where you are signed in"</h2>
            {move || failure().map(|e| view! { <Notice kind=NoticeKind::Error>{e.to_string()}</Notice> })}
            <Transition fallback=|| view! { <p class="loading">"Loading sessions…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                    {move || Suspend::new(async move {
                        sessions
                            .await
                            .map(|list| {
                                view! {
                                    <SessionTable
                                        list
                                        can_sign_out=true
                                        pending=end_session.pending()
                                        on_sign_out=Callback::new(move |(session_id, is_current)| {
                                            ending_current.set(is_current);
                                            end_session.dispatch(EndMySession { session_id });
                                        })
                                    />
                                }
                            })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
    .into_any()
}
