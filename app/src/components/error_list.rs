use leptos::prelude::*;

use super::{Notice, NoticeKind};

/// The messages of the errors an `ErrorBoundary` caught.
///
/// ```ignore
/// view! {
///     <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
///         {move || page.get()}
///     </ErrorBoundary>
/// }
/// ```
#[component]
pub fn ErrorList(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <Notice kind=NoticeKind::Error>
            {move || {
                errors
                    .get()
                    .into_iter()
                    .map(|(_, e)| view! { <p>{e.to_string()}</p> })
                    .collect_view()
            }}
        </Notice>
    }
}
