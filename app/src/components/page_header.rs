use leptos::prelude::*;

/// The heading of a page: one `<h1>` per page, with an optional area for the
/// page's main actions on the right.
///
/// ```ignore
/// view! {
///     <PageHeader title="Teams">
///         <A href=in_base("/teams/new") attr:class="button button-primary">"New Team"</A>
///     </PageHeader>
/// }
/// ```
#[component]
pub fn PageHeader(
    #[prop(into)] title: String,
    /// Buttons or links shown beside the title.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="page-header">
            <h1>{title}</h1>
            {children.map(|c| view! { <div class="page-actions">{c()}</div> })}
        </div>
    }
}
