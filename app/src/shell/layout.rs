use leptos::prelude::*;
use leptos_router::components::{A, Outlet};

use super::SECTIONS;

/// The layout of every routed page: the frame around the matched child route.
#[component]
pub fn AppLayout() -> impl IntoView {
    view! {
        <AppFrame>
            <Outlet/>
        </AppFrame>
    }
}

/// The page frame: a header with the product name and the signed-in user, a
/// left navigation that can be hidden, and the page itself (`children`).
#[component]
pub fn AppFrame(children: Children) -> impl IntoView {
    let (nav_open, set_nav_open) = signal(true);
    view! {
        <div class="app" class:nav-hidden=move || !nav_open.get()>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="app-header">
                <button
                    type="button"
                    class="nav-toggle"
                    aria-controls="primary-nav"
                    aria-expanded=move || nav_open.get().to_string()
                    aria-label=move || if nav_open.get() { "Hide navigation" } else { "Show navigation" }
                    on:click=move |_| set_nav_open.update(|open| *open = !*open)
                >
                    <span aria-hidden="true">"☰"</span>
                </button>
                <A href="/" attr:class="brand">"Roster"</A>
                <div class="session-info">
                    // Sign-in lands with its own piece of work; until then
                    // nobody can be signed in, and the header says so.
                    <span class="signed-out">"Not signed in"</span>
                </div>
            </header>
            <nav id="primary-nav" class="app-nav" aria-label="Main">
                <ul>
                    {SECTIONS
                        .iter()
                        .map(|(href, name, _)| view! { <li><A href=*href>{*name}</A></li> })
                        .collect_view()}
                </ul>
            </nav>
            <main id="main" class="app-main" tabindex="-1">
                {children()}
            </main>
        </div>
    }
}
