use leptos::prelude::*;

use super::StatusBadge;

/// A user's status as the table and the user page show it: Active (green) or
/// Inactive (red), then each badge (Locked, Invited, …).
#[component]
pub fn UserStatus(active: bool, badges: Vec<StatusBadge>) -> impl IntoView {
    view! {
        {if active {
            view! { <span class="badge badge-success">"Active"</span> }.into_any()
        } else {
            view! { <span class="badge badge-danger">"Inactive"</span> }.into_any()
        }}
        {badges
            .into_iter()
            .map(|b| view! { " " <span class="badge badge-warning">{b.label()}</span> })
            .collect_view()}
    }
    .into_any()
}
