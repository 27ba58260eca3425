use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{Notice, PageHeader};

/// A page whose feature is not built yet. It says so plainly instead of
/// pretending: no fake data, no buttons that do nothing.
#[component]
pub fn Placeholder(title: &'static str, feature: &'static str) -> impl IntoView {
    view! {
        <Title text=title/>
        <PageHeader title=title/>
        <Notice>
            <strong>"Not built yet. "</strong>
            {format!("This page will hold {feature}; it arrives in a coming release of Roster.")}
        </Notice>
    }
    .into_any()
}
