use leptos::prelude::*;
use leptos_router::components::A;

/// "Previous · Page 3 of 12 · Next" for a list paged on the server. `href`
/// gives the address of page n (1-based); the links are real links, so
/// they work before the WebAssembly arrives.
///
/// ```ignore
/// <Pager page=2 pages=5 href=Callback::new(|n| format!("/teams/Sales?page={n}"))/>
/// ```
#[component]
pub fn Pager(
    page: u64,
    pages: u64,
    /// The address of page n.
    href: Callback<u64, String>,
    /// Names the navigation, e.g. "Pages of members".
    #[prop(default = "Pages")]
    label: &'static str,
) -> impl IntoView {
    let previous = (page > 1).then(|| href.run(page - 1));
    let next = (page < pages).then(|| href.run(page + 1));
    view! {
        <nav class="pager" aria-label=label>
            {match previous {
                Some(href) => view! { <A href=crate::components::in_base(href) attr:rel="prev">"Previous"</A> }.into_any(),
                None => view! { <span class="disabled">"Previous"</span> }.into_any(),
            }}
            <span>{format!("Page {page} of {pages}")}</span>
            {match next {
                Some(href) => view! { <A href=crate::components::in_base(href) attr:rel="next">"Next"</A> }.into_any(),
                None => view! { <span class="disabled">"Next"</span> }.into_any(),
            }}
        </nav>
    }
}
