use leptos::prelude::*;

/// A checkbox with its label beside it, bound to `checked`.
///
/// Props: `id` (also ties the label to the box), `label` (its accessible
/// name), `checked` (read and written as it is ticked).
///
/// ```ignore
/// let notify = RwSignal::new(true);
/// view! { <Checkbox id="notify" label="Email me when my password changes" checked=notify/> }
/// ```
#[component]
pub fn Checkbox(id: &'static str, label: &'static str, checked: RwSignal<bool>) -> impl IntoView {
    view! {
        <div class="field-check">
            <input
                id=id
                type="checkbox"
                prop:checked=checked
                on:change=move |ev| checked.set(event_target_checked(&ev))
            />
            <label for=id>{label}</label>
        </div>
    }
}
