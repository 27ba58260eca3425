use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::SECTIONS;
use crate::components::PageHeader;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text=""/>
        <PageHeader title="Welcome to Roster"/>
        <p class="lead">
            "Roster is the directory of every account in your organisation and the console to administer them: "
            "find users, change their roles and teams, lock or sign them out, and reach signed-in users live."
        </p>
        <ul class="card-grid">
            {SECTIONS
                .iter()
                .map(|(href, name, purpose)| {
                    view! {
                        <li class="card">
                            <h2><A href=*href>{*name}</A></h2>
                            <p>{*purpose}</p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
