use leptos::prelude::*;

use crate::components::{Checkbox, TextField};

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
            <Checkbox id="set-password-must-change" label="Must change at next sign-in" checked=must_change/>
        </div>
    }
    .into_any()
}
