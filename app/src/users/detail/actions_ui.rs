//! The actions on one user's page: the table's bulk actions applied to this
//! user alone (each confirmed first), and Delete permanently.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::auth::{Permission, use_current_user};
use crate::components::{ConfirmDialog, TextField, ToastKind, use_toasts};
use crate::domain::{FormField, NewPassword};
use crate::users::bulk::api::{BulkAction, RunBulkAction, Selection};
use crate::users::detail::api::{DeleteUserPermanently, UserDetails};
use crate::users::set_password_fields_ui::SetPasswordFields;

/// One button: its label, the action, who may, and what the confirmation says.
#[derive(Clone)]
struct Choice {
    label: &'static str,
    action: BulkAction,
    explanation: &'static str,
}

/// The actions that apply to the user as they are now.
fn choices(details: &UserDetails) -> Vec<Choice> {
    let choice = |label, action, explanation| Choice {
        label,
        action,
        explanation,
    };
    if details.deleted {
        return vec![choice(
            "Restore",
            BulkAction::Restore,
            "They are shown again and can sign in as before.",
        )];
    }
    let mut list = Vec::new();
    list.push(if details.locked {
        choice("Unlock", BulkAction::Unlock, "They can sign in again.")
    } else {
        choice(
            "Lock",
            BulkAction::Lock,
            "They cannot sign in until unlocked, and their sessions end.",
        )
    });
    list.push(if details.suspended {
        choice(
            "Reinstate",
            BulkAction::Reinstate,
            "They can sign in again.",
        )
    } else {
        choice(
            "Suspend",
            BulkAction::Suspend {
                reason: String::new(),
            },
            "They cannot sign in and their sessions end; everything is kept.",
        )
    });
    if details.invited {
        list.push(choice(
            "Resend Invitation",
            BulkAction::ResendInvitation,
            "They get a new invitation email; the old link stops working.",
        ));
        list.push(choice(
            "Cancel Invitation",
            BulkAction::CancelInvitation,
            "The invitation link stops working and the pending account is deleted (it can be restored).",
        ));
    } else {
        list.push(choice(
            "Reset Password",
            BulkAction::ResetPassword,
            "They get an email with a single-use link to choose a new password.",
        ));
        list.push(choice(
            "Send Temporary Login",
            BulkAction::SendTemporaryLogin,
            "They get an email with a single-use, short-lived link that signs them in once; then they must choose a new password.",
        ));
    }
    list.push(choice(
        "Set Password",
        BulkAction::SetPassword {
            password: crate::domain::Secret::default(),
            must_change_password: true,
        },
        "They get the password below, and their sessions end.",
    ));
    if details.row.signed_in {
        list.push(choice(
            "Force Sign Out",
            BulkAction::ForceSignOut,
            "Their sessions end at once; they must sign in again.",
        ));
    }
    list.push(choice(
        "Delete",
        BulkAction::Delete,
        "They are hidden from the Users table and signed out; their history is kept and they can be restored.",
    ));
    list
}

#[component]
pub fn UserActions(details: UserDetails, reload: RwSignal<u32>) -> impl IntoView {
    let user = use_current_user();
    let toasts = use_toasts();
    let run = ServerAction::<RunBulkAction>::new();
    let pending = RwSignal::new(None::<Choice>);
    let password = RwSignal::new(String::new());
    let must_change = RwSignal::new(true);
    let reason = RwSignal::new(String::new());
    let field_error = RwSignal::new(None::<String>);
    let purging = RwSignal::new(false);
    let (id, username, name) = (
        details.row.id,
        details.row.username.clone(),
        details.row.name.clone(),
    );

    Effect::new(move |_| {
        let Some(result) = run.value().get() else {
            return;
        };
        let Some(choice) = pending.get_untracked() else {
            return;
        };
        match result {
            Err(error) if error.form_field() == Some(FormField::Password) => {
                field_error.set(Some(error.to_string()));
                return;
            }
            Err(error) => toasts.show(ToastKind::Error, error.to_string()),
            Ok(outcome) if outcome.succeeded == 0 => {
                toasts.show(ToastKind::Error, outcome.message(&choice.action))
            }
            Ok(outcome) => toasts.show(ToastKind::Success, outcome.message(&choice.action)),
        }
        pending.set(None);
        reload.update(|n| *n += 1);
    });

    let buttons = choices(&details)
        .into_iter()
        .map(|choice| {
            let permission = choice.action.permission();
            let label = choice.label;
            let open = move |_| {
                password.set(String::new());
                must_change.set(true);
                reason.set(String::new());
                field_error.set(None);
                pending.set(Some(choice.clone()));
            };
            view! {
                <Show when=move || user.get().is_some_and(|u| u.can(permission))>
                    <button type="button" class="button button-small" on:click=open.clone()>
                        {label}
                    </button>
                </Show>
            }
        })
        .collect_view();

    let deleted = details.deleted;
    view! {
        <div class="user-actions" role="group" aria-label="Actions on this user">
            {buttons}
            <Show when=move || deleted && user.get().is_some_and(|u| u.can(Permission::DeleteUsers))>
                <button type="button" class="button button-small button-danger" on:click=move |_| purging.set(true)>
                    "Delete permanently"
                </button>
            </Show>
        </div>
        {move || {
            pending
                .get()
                .map(|choice| {
                    let action = choice.action.clone();
                    let asks_password = matches!(action, BulkAction::SetPassword { .. });
                    let asks_reason = matches!(action, BulkAction::Suspend { .. });
                    let confirm = move |_| {
                        let action = match &action {
                            BulkAction::SetPassword { .. } => {
                                let typed = password.get_untracked();
                                if let Err(error) = NewPassword::parse(&typed) {
                                    field_error.set(Some(error.to_string()));
                                    return;
                                }
                                BulkAction::SetPassword {
                                    password: crate::domain::Secret::new(typed),
                                    must_change_password: must_change.get_untracked(),
                                }
                            }
                            BulkAction::Suspend { .. } => BulkAction::Suspend {
                                reason: reason.get_untracked(),
                            },
                            other => other.clone(),
                        };
                        run.dispatch(RunBulkAction {
                            action,
                            selection: Selection::Ids(vec![id]),
                        });
                    };
                    view! {
                        <ConfirmDialog
                            title=format!("{} {}", choice.label, name)
                            message=choice.explanation.to_owned()
                            confirm_label=choice.label.to_owned()
                            pending=run.pending()
                            on_confirm=Callback::new(confirm)
                            on_cancel=Callback::new(move |_| pending.set(None))
                        >
                            {asks_password.then(|| view! {
                                <SetPasswordFields password must_change error=Signal::derive(move || field_error.get())/>
                            })}
                            {asks_reason.then(|| view! {
                                <div class="form">
                                    <TextField
                                        label="Reason (shown on their page)"
                                        name="suspend_reason"
                                        value=reason
                                        maxlength=200
                                    />
                                </div>
                            })}
                        </ConfirmDialog>
                    }
                })
        }}
        {move || purging.get().then(|| view! { <PurgeDialog id username=username.clone() on_close=Callback::new(move |_| purging.set(false))/> })}
    }
    .into_any()
}

/// Delete permanently: the username must be typed to confirm.
#[component]
fn PurgeDialog(id: i64, username: String, on_close: Callback<()>) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let purge = ServerAction::<DeleteUserPermanently>::new();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let error = move || {
        purge
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    let done_name = username.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = purge.value().get() {
            toasts.show(
                ToastKind::Success,
                format!("Deleted {done_name} permanently."),
            );
            navigate("/users", Default::default());
        }
    });
    let expected = username.clone();
    let confirm = move |_| {
        let value = typed.get_untracked();
        if value.trim() != expected {
            return;
        }
        purge.dispatch(DeleteUserPermanently {
            user_id: id,
            confirm_username: value,
        });
    };
    view! {
        <ConfirmDialog
            title=format!("Delete {username} permanently")
            message=format!(
                "This cannot be undone. {username}'s personal data is removed; the audit log keeps a record that the account existed. Type {username} to confirm."
            )
            confirm_label="Delete permanently".to_owned()
            pending=purge.pending()
            on_confirm=Callback::new(confirm)
            on_cancel=on_close
        >
            <div class="form">
                <TextField
                    label="Username"
                    name="confirm_username"
                    value=typed
                    autocomplete="off"
                    error=Signal::derive(error)
                />
            </div>
        </ConfirmDialog>
    }
    .into_any()
}
