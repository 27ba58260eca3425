use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

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
            <li class="card">
                <h2><A href="/users">"Users"</A></h2>
                <p>"Every account in one table: search, filter, select, and act on thousands at once."</p>
            </li>
            <li class="card">
                <h2><A href="/roles">"Roles"</A></h2>
                <p>"Named sets of permissions. Changing a user's access means changing their roles."</p>
            </li>
            <li class="card">
                <h2><A href="/teams">"Teams"</A></h2>
                <p>"Groups of users; a user can be in several."</p>
            </li>
            <li class="card">
                <h2><A href="/audit">"Audit"</A></h2>
                <p>"Who changed what, for whom, when and from where."</p>
            </li>
            <li class="card">
                <h2><A href="/statistics">"Statistics"</A></h2>
                <p>"How many users are active, locked and signed in, and how that changes."</p>
            </li>
        </ul>
    }
}
