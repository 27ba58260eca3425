use leptos::prelude::*;

/// A checkbox with its label beside it, bound to `checked`.
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
