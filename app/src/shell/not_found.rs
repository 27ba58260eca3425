use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::PageHeader;

/// The page for any address Roster does not know. During server rendering it
/// also sets the response status to 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <div class="not-found">
            <PageHeader title="Page not found"/>
            <p>"There is no page at this address. It may have moved, or the link may be mistyped."</p>
            <p><A href=crate::components::in_base("/")>"Go to the home page"</A></p>
        </div>
    }
    .into_any()
}
