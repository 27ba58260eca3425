//! Selecting users in the table and acting on them: the row checkboxes'
//! state, "Select All" / "Select None" / "all N matching", and the bulk
//! action buttons with their confirmation and result.

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::auth::{Permission, use_current_user};
use crate::components::{ConfirmDialog, ToastKind, use_toasts};
use crate::domain::{FormField, NewPassword};
use crate::live::{MessageDialog, Recipients};
use crate::users::bulk::api::{BulkAction, RunBulkAction, Selection};
use crate::users::bulk::team_ui::{TeamChange, TeamChangeDialog};
use crate::users::set_password_fields_ui::SetPasswordFields;

/// What is selected. Explicit ids survive paging and new searches; "all
/// matching" means every user of the current view and ends when it changes.
#[derive(Clone, Copy)]
pub struct TableSelection {
    pub ids: RwSignal<BTreeSet<i64>>,
    pub all_matching: RwSignal<bool>,
}

impl TableSelection {
    pub fn new() -> Self {
        TableSelection {
            ids: RwSignal::new(BTreeSet::new()),
            all_matching: RwSignal::new(false),
        }
    }

    pub fn is_selected(&self, id: i64) -> bool {
        self.all_matching.get() || self.ids.with(|ids| ids.contains(&id))
    }

    /// Ticks or unticks one row. Unticking a row while "all matching" is on
    /// turns it into the rows of this page minus that one.
    pub fn set(&self, id: i64, selected: bool, page_ids: &[i64]) {
        if self.all_matching.get_untracked() && !selected {
            self.all_matching.set(false);
            self.ids.update(|ids| ids.extend(page_ids.iter().copied()));
        }
        self.ids.update(|ids| {
            if selected {
                ids.insert(id);
            } else {
                ids.remove(&id);
            }
        });
    }

    pub fn clear(&self) {
        self.all_matching.set(false);
        self.ids.update(BTreeSet::clear);
    }
}

/// A confirmed-to-be action: what it does, to whom, and how it is described.
#[derive(Clone)]
struct Pending {
    action: BulkAction,
    selection: Selection,
    title: &'static str,
    message: String,
    /// Shown while it runs.
    working: String,
}

/// A bulk action button.
struct ActionButton {
    label: &'static str,
    action: fn() -> BulkAction,
    permission: Permission,
    /// Applies to the selection (false: to every user).
    on_selection: bool,
    /// What it does, for the confirmation.
    explanation: &'static str,
}

const ACTIONS: [ActionButton; 14] = [
    ActionButton {
        label: "Force Sign Out User(s)",
        action: || BulkAction::ForceSignOut,
        permission: Permission::ForceSignOut,
        on_selection: true,
        explanation: "Their sessions end at once; they must sign in again.",
    },
    ActionButton {
        label: "Force Sign Out All Users",
        action: || BulkAction::ForceSignOut,
        permission: Permission::ForceSignOut,
        on_selection: false,
        explanation: "Every session of every user ends at once, except yours.",
    },
    ActionButton {
        label: "Lock User(s)",
        action: || BulkAction::Lock,
        permission: Permission::LockUsers,
        on_selection: true,
        explanation: "They cannot sign in until unlocked, and their sessions end.",
    },
    ActionButton {
        label: "Unlock User(s)",
        action: || BulkAction::Unlock,
        permission: Permission::LockUsers,
        on_selection: true,
        explanation: "They can sign in again; their failed sign-in count is cleared.",
    },
    ActionButton {
        label: "Toggle Active/Inactive",
        action: || BulkAction::ToggleActive,
        permission: Permission::EditUsers,
        on_selection: true,
        explanation: "Active users become inactive (their sessions end) and inactive ones active.",
    },
    ActionButton {
        label: "Set Password",
        // The password itself is typed into the confirmation.
        action: || BulkAction::SetPassword {
            password: crate::domain::Secret::default(),
            must_change_password: true,
        },
        permission: Permission::ResetPasswords,
        on_selection: true,
        explanation: "Each gets the password below, and their sessions end.",
    },
    ActionButton {
        label: "Reset Password",
        action: || BulkAction::ResetPassword,
        permission: Permission::ResetPasswords,
        on_selection: true,
        explanation: "Each gets an email with a single-use link to choose a new password.",
    },
    ActionButton {
        label: "Send Temporary Login",
        action: || BulkAction::SendTemporaryLogin,
        permission: Permission::ResetPasswords,
        on_selection: true,
        explanation: "Each gets an email with a single-use, short-lived link that signs them in once; then they must choose a new password.",
    },
    ActionButton {
        label: "Suspend User(s)",
        action: || BulkAction::Suspend {
            reason: String::new(),
        },
        permission: Permission::LockUsers,
        on_selection: true,
        explanation: "They cannot sign in and their sessions end; everything is kept.",
    },
    ActionButton {
        label: "Reinstate User(s)",
        action: || BulkAction::Reinstate,
        permission: Permission::LockUsers,
        on_selection: true,
        explanation: "Suspended users can sign in again.",
    },
    ActionButton {
        label: "Resend Invitation",
        action: || BulkAction::ResendInvitation,
        permission: Permission::CreateUsers,
        on_selection: true,
        explanation: "Invited users get a new invitation email; their old links stop working.",
    },
    ActionButton {
        label: "Cancel Invitation",
        action: || BulkAction::CancelInvitation,
        permission: Permission::CreateUsers,
        on_selection: true,
        explanation: "Their invitation links stop working and the pending accounts are deleted (they can be restored).",
    },
    ActionButton {
        label: "Delete User(s)",
        action: || BulkAction::Delete,
        permission: Permission::DeleteUsers,
        on_selection: true,
        explanation: "They are hidden from the table and signed out; their history is kept and they can be restored.",
    },
    ActionButton {
        label: "Restore User(s)",
        action: || BulkAction::Restore,
        permission: Permission::DeleteUsers,
        on_selection: true,
        explanation: "Deleted users are shown again and can sign in as before.",
    },
];

/// The bar above the table: the selection, "Select All"/"Select None", and
/// the actions this administrator may take.
#[component]
pub fn BulkBar(
    selection: TableSelection,
    /// The current view (the URL's query string), for "all matching".
    #[prop(into)]
    view: Signal<String>,
    /// Ids of the rows on this page.
    #[prop(into)]
    page_ids: Signal<Vec<i64>>,
    /// How many users match the view in all.
    #[prop(into)]
    total: Signal<u64>,
    /// Called after an action ran, to reload the table.
    on_done: Callback<()>,
) -> impl IntoView {
    let user = use_current_user();
    let pending = RwSignal::new(None::<Pending>);
    let run = ServerAction::<RunBulkAction>::new();
    let toasts = use_toasts();
    // "Add to Team" / "Remove from Team", once chosen.
    let team_change = RwSignal::new(None::<TeamChange>);
    // "Send Message to …": who to, and how the dialog names them.
    let message_to = RwSignal::new(None::<(Recipients, String)>);
    // Set Password's own fields.
    let new_password = RwSignal::new(String::new());
    let must_change = RwSignal::new(true);
    let password_error = RwSignal::new(None::<String>);

    Effect::new(move |_| {
        if let Some(outcome) = run.value().get() {
            let action = pending.get_untracked().map(|p| p.action);
            // A refused password keeps the dialog open, with the reason.
            if let Err(error) = &outcome
                && error.form_field() == Some(FormField::Password)
            {
                password_error.set(Some(error.to_string()));
                return;
            }
            match (outcome, action) {
                (Ok(outcome), Some(action)) => {
                    toasts.show(ToastKind::Success, outcome.message(&action))
                }
                (Ok(outcome), None) => toasts.show(
                    ToastKind::Success,
                    format!("Done: {} users.", outcome.succeeded),
                ),
                (Err(error), _) => toasts.show(ToastKind::Error, error.to_string()),
            }
            pending.set(None);
            selection.clear();
            on_done.run(());
        }
    });

    let count = move || {
        if selection.all_matching.get() {
            total.get()
        } else {
            selection.ids.with(|ids| ids.len() as u64)
        }
    };
    let current_selection = move || {
        if selection.all_matching.get_untracked() {
            Selection::Matching(view.get_untracked())
        } else {
            Selection::Ids(selection.ids.get_untracked().into_iter().collect())
        }
    };
    let page_all_selected = move || {
        let ids = page_ids.get();
        !ids.is_empty() && ids.iter().all(|id| selection.is_selected(*id))
    };
    let users = |n: u64| {
        if n == 1 {
            "1 user".to_owned()
        } else {
            format!("{n} users")
        }
    };

    let buttons = move || {
        let user = user.get();
        ACTIONS
            .iter()
            .filter(|b| user.as_ref().is_some_and(|u| u.can(b.permission)))
            .map(|b| {
                let (label, make, on_selection, explanation) =
                    (b.label, b.action, b.on_selection, b.explanation);
                let open = move |_| {
                    new_password.set(String::new());
                    must_change.set(true);
                    password_error.set(None);
                    let (selection_arg, whom) = if on_selection {
                        (current_selection(), users(count()))
                    } else {
                        (Selection::Everyone, "every user".to_owned())
                    };
                    pending.set(Some(Pending {
                        action: make(),
                        selection: selection_arg,
                        title: label,
                        message: format!("{label}: {whom}. {explanation}"),
                        working: format!("Working on {whom}…"),
                    }));
                };
                view! {
                    <button
                        type="button"
                        class="button button-small"
                        disabled=move || on_selection && count() == 0
                        on:click=open
                    >
                        {label}
                    </button>
                }
            })
            .collect_view()
    };

    view! {
        <div class="bulk-bar" role="group" aria-label="Selection">
            <p class="selection-count" role="status" aria-live="polite">
                {move || {
                    if selection.all_matching.get() {
                        format!("All {} matching selected", users(total.get()))
                    } else {
                        format!("{} selected", users(count()))
                    }
                }}
            </p>
            <button
                type="button"
                class="button button-small"
                on:click=move |_| selection.ids.update(|ids| ids.extend(page_ids.get_untracked()))
            >
                "Select All"
            </button>
            {move || {
                (page_all_selected() && !selection.all_matching.get()
                    && total.get() > page_ids.with(|ids| ids.len() as u64))
                    .then(|| {
                        let label = format!("Select all {} matching", users(total.get()));
                        view! {
                            <button
                                type="button"
                                class="button button-small"
                                on:click=move |_| selection.all_matching.set(true)
                            >
                                {label}
                            </button>
                        }
                    })
            }}
            <button type="button" class="button button-small" on:click=move |_| selection.clear()>
                "Select None"
            </button>
            <span class="bulk-actions">
                {buttons}
                {move || {
                    user.get()
                        .is_some_and(|u| u.can(Permission::ManageTeams))
                        .then(|| {
                            let open = move |add: bool| {
                                team_change.set(Some(TeamChange {
                                    add,
                                    selection: current_selection(),
                                    whom: users(count()),
                                }))
                            };
                            view! {
                                <button
                                    type="button"
                                    class="button button-small"
                                    disabled=move || count() == 0
                                    on:click=move |_| open(true)
                                >
                                    "Add to Team"
                                </button>
                                <button
                                    type="button"
                                    class="button button-small"
                                    disabled=move || count() == 0
                                    on:click=move |_| open(false)
                                >
                                    "Remove from Team"
                                </button>
                            }
                        })
                }}
                {move || {
                    user.get()
                        .is_some_and(|u| u.can(Permission::SendMessages))
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="button button-small"
                                    disabled=move || count() == 0
                                    on:click=move |_| {
                                        message_to.set(Some((Recipients::Selected(current_selection()), users(count()))))
                                    }
                                >
                                    "Send Message to User(s)"
                                </button>
                                <button
                                    type="button"
                                    class="button button-small"
                                    on:click=move |_| {
                                        message_to.set(Some((Recipients::SignedIn, "every signed-in user but you".to_owned())))
                                    }
                                >
                                    "Send Message to All Logged In Users"
                                </button>
                            }
                        })
                }}
            </span>
        </div>
        {move || {
            team_change
                .get()
                .map(|change| {
                    view! {
                        <TeamChangeDialog
                            change
                            on_close=Callback::new(move |_| team_change.set(None))
                            on_done=Callback::new(move |_| {
                                selection.clear();
                                on_done.run(());
                            })
                        />
                    }
                })
        }}
        {move || {
            message_to
                .get()
                .map(|(recipients, whom)| {
                    view! { <MessageDialog whom recipients on_close=Callback::new(move |_| message_to.set(None))/> }
                })
        }}
        {move || {
            pending
                .get()
                .map(|p| {
                    let (action, selection_arg) = (p.action.clone(), p.selection.clone());
                    let sets_password = matches!(action, BulkAction::SetPassword { .. });
                    let confirm = move |_| {
                        let action = match &action {
                            BulkAction::SetPassword { .. } => {
                                let password = new_password.get_untracked();
                                if let Err(error) = NewPassword::parse(&password) {
                                    password_error.set(Some(error.to_string()));
                                    return;
                                }
                                BulkAction::SetPassword {
                                    password: crate::domain::Secret::new(password),
                                    must_change_password: must_change.get_untracked(),
                                }
                            }
                            other => other.clone(),
                        };
                        run.dispatch(RunBulkAction {
                            action,
                            selection: selection_arg.clone(),
                        });
                    };
                    view! {
                        <ConfirmDialog
                            title=p.title.to_owned()
                            message=p.message.clone()
                            confirm_label=p.title.to_owned()
                            pending=run.pending()
                            working=p.working.clone()
                            on_confirm=Callback::new(confirm)
                            on_cancel=Callback::new(move |_| pending.set(None))
                        >
                            {sets_password
                                .then(|| {
                                    view! {
                                        <SetPasswordFields
                                            password=new_password
                                            must_change
                                            error=Signal::derive(move || password_error.get())
                                        />
                                    }
                                })}
                        </ConfirmDialog>
                    }
                })
        }}
    }
    .into_any()
}
