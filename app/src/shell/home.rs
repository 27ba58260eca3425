use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::SECTIONS;
use crate::auth::use_current_user;
use crate::components::PageHeader;

/// The console's start page: the sections this user may open. (Users with
/// no administration rights are sent to their account page instead, by the
/// server's page guard.)
#[component]
pub fn HomePage() -> impl IntoView {
    let user = use_current_user();
    // Reached by a link inside the app (the server guards full page loads).
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(user) = user.get()
            && !user.is_administrator()
        {
            navigate(user.landing_path(), Default::default());
        }
    });
    view! {
        <Title text=""/>
        <PageHeader title="Welcome to Roster"/>
        <p class="lead">
            "Roster is the directory of every account in your organisation and the console to administer them: "
            "find users, change their roles and teams, lock or sign them out, and reach signed-in users live."
        </p>
        <Transition fallback=|| ()>
            <ul class="card-grid">
                {move || {
                    let user = user.get();
                    SECTIONS
                        .iter()
                        .filter(|s| {
                                    user.as_ref()
                                        .is_some_and(|u| u.can(s.permission) && !u.must_change_password)
                                })
                        .map(|s| {
                            view! {
                                <li class="card">
                                    <h2><A href=crate::components::in_base(s.href)>{s.name}</A></h2>
                                    <p>{s.purpose}</p>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </Transition>
    }
    .into_any()
}
