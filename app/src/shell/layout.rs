use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

use super::SECTIONS;
use crate::auth::use_current_user;
use crate::components::ToastRegion;
use crate::impersonation::ImpersonationBanner;
use crate::live::LiveConnection;
use crate::sign_in::SignOutButton;

/// The layout of every routed page: the frame around the matched child route.
#[component]
pub fn AppLayout() -> impl IntoView {
    view! {
        <AppFrame>
            <Outlet/>
        </AppFrame>
    }
    .into_any()
}

/// The page frame: a header with the product name and the signed-in user, a
/// left navigation that can be hidden, and the page itself (`children`).
#[component]
pub fn AppFrame(children: Children) -> impl IntoView {
    // None until the page is live: the CSS then shows the navigation on a
    // wide window and keeps it folded on a phone, so a phone's first screen
    // is the page, not the menu.
    let (nav_open, set_nav_open) = signal(None::<bool>);
    Effect::new(move |_| set_nav_open.set(Some(!narrow_window())));
    // On a phone, choosing a page folds the navigation away again.
    let location = leptos_router::hooks::use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        if previous.is_some_and(|p| p != path) && narrow_window() {
            set_nav_open.set(Some(false));
        }
        path
    });
    let expanded = move || nav_open.get().unwrap_or(true);
    let user = use_current_user();
    view! {
        <div
            class="app"
            class:nav-hidden=move || nav_open.get() == Some(false)
            class:nav-shown=move || nav_open.get() == Some(true)
        >
            <a class="skip-link" href="#main">"Skip to content"</a>
            <ImpersonationBanner/>
            <header class="app-header">
                <button
                    type="button"
                    class="nav-toggle"
                    aria-controls="primary-nav"
                    aria-expanded=move || expanded().to_string()
                    aria-label=move || if expanded() { "Hide navigation" } else { "Show navigation" }
                    on:click=move |_| set_nav_open.set(Some(!expanded()))
                >
                    <span aria-hidden="true">"☰"</span>
                </button>
                <A href=crate::components::in_base("/") attr:class="brand">"Roster"</A>
                <div class="session-info">
                    <Transition fallback=|| ()>
                        {move || match user.get() {
                            Some(user) => {
                                view! {
                                    <A href=crate::components::in_base("/account") attr:class="account-link">
                                        <span class="visually-hidden">"Signed in as "</span>
                                        {user.name.clone()}
                                        <span class="username">{format!(" ({})", user.username)}</span>
                                    </A>
                                    // An impersonation tab stops from its banner.
                                    {user.impersonation.is_none().then(|| view! { <SignOutButton/> })}
                                }
                                    .into_any()
                            }
                            None => view! { <A href=crate::components::in_base("/login") attr:class="account-link">"Sign in"</A> }.into_any(),
                        }}
                    </Transition>
                </div>
            </header>
            <nav id="primary-nav" class="app-nav" aria-label="Main">
                <Transition fallback=|| ()>
                    <ul>
                        {move || {
                            let user = user.get();
                            let sections = SECTIONS
                                .iter()
                                .filter(|s| {
                                    user.as_ref()
                                        .is_some_and(|u| u.can(s.permission) && !u.must_change_password)
                                })
                                .map(|s| view! { <li><A href=crate::components::in_base(s.href)>{s.name}</A></li> })
                                .collect_view();
                            view! {
                                {sections}
                                {user.is_some().then(|| view! { <li class="nav-own"><A href=crate::components::in_base("/account")>"My account"</A></li> })}
                            }
                        }}
                    </ul>
                </Transition>
            </nav>
            <main id="main" class="app-main" tabindex="-1">
                {children()}
            </main>
            <ToastRegion/>
            <LiveConnection/>
        </div>
    }
    .into_any()
}

/// Whether the window is as narrow as a phone (the CSS's breakpoint).
fn narrow_window() -> bool {
    #[cfg(feature = "hydrate")]
    {
        window()
            .match_media("(max-width: 40rem)")
            .ok()
            .flatten()
            .is_some_and(|query| query.matches())
    }
    #[cfg(not(feature = "hydrate"))]
    false
}
