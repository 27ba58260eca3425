use leptos::prelude::*;

use super::TextField;
use crate::domain::{FormField, NewPassword};

/// What is wrong, as typed, with a new password and its confirmation: the
/// shared [`NewPassword`] rule and "the same twice". The server checks both
/// again and adds the strength check (its dictionaries are too big for the
/// browser).
#[derive(Clone, Copy)]
pub struct NewPasswordCheck {
    pub new: RwSignal<String>,
    pub confirm: RwSignal<String>,
    new_error: Memo<Option<String>>,
    confirm_error: Memo<Option<String>>,
}

impl NewPasswordCheck {
    pub fn new() -> Self {
        let new = RwSignal::new(String::new());
        let confirm = RwSignal::new(String::new());
        let new_error = Memo::new(move |_| {
            let value = new.get();
            (!value.is_empty())
                .then(|| NewPassword::parse(&value).err().map(|e| e.to_string()))
                .flatten()
        });
        let confirm_error = Memo::new(move |_| {
            let value = confirm.get();
            (!value.is_empty() && value != new.get())
                .then(|| "The two new passwords are not the same.".to_owned())
        });
        NewPasswordCheck {
            new,
            confirm,
            new_error,
            confirm_error,
        }
    }

    /// Whether the form must not be sent as it is.
    pub fn has_errors(&self) -> bool {
        self.new_error.get_untracked().is_some() || self.confirm_error.get_untracked().is_some()
    }
}

impl Default for NewPasswordCheck {
    fn default() -> Self {
        Self::new()
    }
}

/// The "New password" and "Confirm new password" fields (`new_password`,
/// `confirm_password`), with the errors of `check` as you type and, after
/// sending, the server's (`server_error` of a field).
///
/// ```ignore
/// let check = NewPasswordCheck::new();
/// view! {
///     <NewPasswordFields check server_error=Callback::new(move |field| error_on(action.value().get(), field))/>
/// }
/// // On submit: `if check.has_errors() { return; }`, then send
/// // `check.new` and `check.confirm`.
/// ```
#[component]
pub fn NewPasswordFields(
    check: NewPasswordCheck,
    #[prop(into)] server_error: Callback<FormField, Option<String>>,
) -> impl IntoView {
    view! {
        <TextField
            label="New password"
            name="new_password"
            value=check.new
            input_type="password"
            autocomplete="new-password"
            hint="At least 10 characters. Long phrases are strongest; common passwords and your own name are refused."
            required=true
            maxlength=128
            error=Signal::derive(move || {
                check.new_error.get().or_else(|| server_error.run(FormField::NewPassword))
            })
        />
        <TextField
            label="Confirm new password"
            name="confirm_password"
            value=check.confirm
            input_type="password"
            autocomplete="new-password"
            required=true
            maxlength=128
            error=Signal::derive(move || {
                check
                    .confirm_error
                    .get()
                    .or_else(|| server_error.run(FormField::ConfirmPassword))
            })
        />
    }
}
