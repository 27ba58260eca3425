use leptos::prelude::*;
use leptos_meta::Title;

use super::{ChangePassword, get_my_account};
use crate::components::go_to;
use crate::components::{
    NewPasswordCheck, NewPasswordFields, Notice, NoticeKind, PageHeader, TextField,
    error_elsewhere, error_on,
};
use crate::domain::FormField;

/// `/account/password`: change one's own password. Users who must change it
/// are sent here after signing in and can open nothing else until they have.
#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let account = Resource::new(|| (), |_| get_my_account());
    let change = ServerAction::<ChangePassword>::new();
    let current = RwSignal::new(String::new());
    let check = NewPasswordCheck::new();

    let server_error = move |field: FormField| error_on(change.value().get(), field);
    let general_error = move || {
        error_elsewhere(
            change.value().get(),
            &[
                FormField::CurrentPassword,
                FormField::NewPassword,
                FormField::ConfirmPassword,
            ],
        )
    };
    let done = move || change.value().get().and_then(Result::ok);
    // A plain form's success comes back as `?changed=1`.
    let query = leptos_router::hooks::use_query_map();
    let changed_without_script =
        move || done().is_none() && query.read().get("changed").is_some_and(|v| v == "1");
    // A required change done, the user goes straight on to where they were
    // headed; otherwise they stay and read the confirmation.
    Effect::new(move |_| {
        let required = account
            .get_untracked()
            .and_then(Result::ok)
            .is_some_and(|a| a.must_change_password);
        if let Some(outcome) = done()
            && required
        {
            go_to(&outcome.redirect_to);
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if check.has_errors() {
            return;
        }
        change.dispatch(ChangePassword {
            current_password: current.get_untracked(),
            new_password: check.new.get_untracked(),
            confirm_password: check.confirm.get_untracked(),
        });
    };

    view! {
        <Title text="Change password"/>
        <PageHeader title="Change password"/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                account
                    .await
                    .ok()
                    .filter(|a| a.must_change_password)
                    .map(|_| {
                        view! {
                            <Notice kind=NoticeKind::Error>
                                "You must choose a new password before you continue."
                            </Notice>
                        }
                    })
            })}
        </Transition>
        {move || {
            done()
                .map(|outcome| {
                    let ended = outcome.other_sessions_ended;
                    let sessions = match ended {
                        0 => String::new(),
                        1 => " Your other session was signed out.".to_owned(),
                        n => format!(" Your {n} other sessions were signed out."),
                    };
                    let target = outcome.redirect_to.clone();
                    view! {
                        <Notice kind=NoticeKind::Success>
                            {format!("Your password was changed.{sessions}")} " "
                            <a href=crate::components::based(&target)>"Continue"</a>
                        </Notice>
                    }
                })
        }}
        // Also a plain HTML form: posted before the WebAssembly arrives (or
        // with JavaScript off) it goes to the server function itself, never
        // into the address bar, and a refusal comes back to this page with
        // its message next to the field.
        {move || {
            changed_without_script()
                .then(|| {
                    view! { <Notice kind=NoticeKind::Success>"Your password was changed."</Notice> }
                })
        }}
        <form
            class="form card narrow"
            method="post"
            action=crate::components::based("/api/change_password")
            on:submit=on_submit
            novalidate
        >
            // Asked for unless the account has none (after a temporary login).
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let has_password = account.await.map_or(true, |a| a.has_password);
                    if has_password {
                        view! {
                            <TextField
                                label="Current password"
                                name="current_password"
                                value=current
                                input_type="password"
                                autocomplete="current-password"
                                required=true
                                error=Signal::derive(move || server_error(FormField::CurrentPassword))
                            />
                        }
                        .into_any()
                    } else {
                        view! { <input type="hidden" name="current_password" value=""/> }.into_any()
                    }
                })}
            </Transition>
            <NewPasswordFields check=check server_error=server_error/>
            {move || general_error().map(|e| view! { <Notice kind=NoticeKind::Error>{e}</Notice> })}
            <button type="submit" class="button button-primary" disabled=move || change.pending().get()>
                "Change password"
            </button>
        </form>
    }
    .into_any()
}
