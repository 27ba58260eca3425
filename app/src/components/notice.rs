use leptos::prelude::*;

/// A static informational box in the page flow (not a toast: it does not go
/// away). Screen readers read it in place, as part of the page.
#[component]
pub fn Notice(children: Children) -> impl IntoView {
    view! { <div class="notice">{children()}</div> }
}
