//! `/users/new`: create a user with a temporary password (to be changed at
//! first sign-in), or send them an invitation instead.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use crate::components::{
    ErrorList, Notice, NoticeKind, PageHeader, TextField, ToastKind, error_elsewhere, error_on,
    use_toasts,
};
use crate::domain::{FormField, NewPassword};
use crate::users::create::api::{AccountSetup, CreateUser, NewAccount};
use crate::users::profile_fields_ui::{PROFILE_FIELDS, ProfileDraft, ProfileFields, ProfileValues};
use crate::users::table::api::user_filter_options;

#[component]
pub fn NewUserPage() -> impl IntoView {
    let options = Resource::new(|| (), |_| user_filter_options());
    view! {
        <Title text="New User"/>
        <PageHeader title="New User"/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    options
                        .await
                        .map(|options| view! { <NewUserForm roles=options.roles teams=options.teams/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

#[component]
fn NewUserForm(roles: Vec<String>, teams: Vec<String>) -> impl IntoView {
    // Most accounts are plain users: "User" starts ticked when it exists.
    let preset: Vec<String> = roles.iter().filter(|r| *r == "User").cloned().collect();
    let draft = ProfileDraft::new(ProfileValues {
        roles: preset,
        ..Default::default()
    });
    let invite = RwSignal::new(false);
    let password = RwSignal::new(String::new());
    let create = ServerAction::<CreateUser>::new();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let password_error = Memo::new(move |_| {
        let value = password.get();
        (!invite.get() && (draft.submitted.get() || !value.is_empty()))
            .then(|| NewPassword::parse(&value).err().map(|e| e.to_string()))
            .flatten()
    });
    let server_error = move |field: FormField| error_on(create.value().get(), field);
    let other_error = move || error_elsewhere(create.value().get(), &PROFILE_FIELDS);
    Effect::new(move |_| {
        if let Some(Ok(username)) = create.value().get() {
            let text = if invite.get_untracked() {
                format!("Invited {username}: the invitation is on its way.")
            } else {
                format!(
                    "Created {username}. They must change the temporary password at first sign-in."
                )
            };
            toasts.show(ToastKind::Success, text);
            navigate(&format!("/users/{username}"), Default::default());
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let profile_ok = draft.ready_to_send();
        if !profile_ok || password_error.get_untracked().is_some() {
            return;
        }
        create.dispatch(CreateUser {
            account: NewAccount {
                username: draft.username.get_untracked(),
                email: draft.email.get_untracked(),
                name: draft.name.get_untracked(),
                phone: draft.phone.get_untracked(),
                phone_ext: draft.phone_ext.get_untracked(),
                roles: draft.roles.get_untracked(),
                teams: draft.teams.get_untracked(),
                setup: if invite.get_untracked() {
                    AccountSetup::Invitation
                } else {
                    AccountSetup::TemporaryPassword(password.get_untracked())
                },
            },
        });
    };
    view! {
        <section class="card">
            <form class="form" on:submit=on_submit novalidate>
                <ProfileFields draft role_options=roles team_options=teams server_error=server_error/>
                <fieldset class="field radio-group">
                    <legend>"How they get in"</legend>
                    <div class="field-check">
                        <input
                            id="setup-password"
                            type="radio"
                            name="setup"
                            prop:checked=move || !invite.get()
                            on:change=move |_| invite.set(false)
                        />
                        <label for="setup-password">"Set a temporary password (must be changed at first sign-in)"</label>
                    </div>
                    <div class="field-check">
                        <input
                            id="setup-invite"
                            type="radio"
                            name="setup"
                            prop:checked=move || invite.get()
                            on:change=move |_| invite.set(true)
                        />
                        <label for="setup-invite">"Send an invitation instead"</label>
                    </div>
                </fieldset>
                <Show
                    when=move || !invite.get()
                    fallback=|| view! { <p class="muted">"They will get an email with a link to choose their password. Until then their status is Invited."</p> }
                >
                    <TextField
                        label="Temporary password"
                        name="password"
                        value=password
                        input_type="password"
                        autocomplete="new-password"
                        hint="At least 10 characters; common passwords are refused. Pass it on safely."
                        maxlength=128
                        error=Signal::derive(move || password_error.get().or_else(|| server_error(FormField::Password)))
                    />
                </Show>
                {move || other_error().map(|e| view! { <Notice kind=NoticeKind::Error>{e}</Notice> })}
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                        {move || if invite.get() { "Send invitation" } else { "Create user" }}
                    </button>
                    <a class="button" href=crate::components::based("/users")>"Cancel"</a>
                </div>
            </form>
        </section>
    }
    .into_any()
}
