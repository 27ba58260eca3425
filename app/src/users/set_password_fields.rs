use leptos::prelude::*;

use crate::components::TextField;

/// What Set Password asks for, in the table's and the user page's
/// confirmation: the new password and whether it must be changed at next
/// sign-in.
#[component]
pub fn SetPasswordFields(
    password: RwSignal<String>,
    must_change: RwSignal<bool>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="form">
            <TextField
                label="New password"
                name="set_password"
                value=password
                input_type="password"
                autocomplete="new-password"
                maxlength=128
                error=error
            />
            <div class="field-check">
                <input
                    id="set-password-must-change"
                    type="checkbox"
                    prop:checked=must_change
                    on:change=move |ev| must_change.set(event_target_checked(&ev))
                />
                <label for="set-password-must-change">"Must change at next sign-in"</label>
            </div>
        </div>
    }
}
