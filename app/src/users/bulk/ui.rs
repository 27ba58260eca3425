//! Selecting users in the table and acting on them: the row checkboxes'
//! state, "Select All" / "Select None" / "all N matching", and the bulk
//! actions (a few as buttons, the rest in "More actions", those for every
//! user in "All users") with their confirmation and result.

use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::auth::{Permission, use_current_user};
use crate::components::{ConfirmDialog, MenuButton, MenuItem, ToastKind, use_toasts};
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

/// Where an action is offered: a few common ones as buttons, the rest in
/// "More actions", and those for every user apart in "All users".
#[derive(Clone, Copy, PartialEq, Eq)]
enum Placement {
    Primary,
    More,
    /// Applies to every user, not to the selection.
    Everyone,
}

/// What choosing an action opens.
#[derive(Clone, Copy)]
enum Opens {
    /// A confirmation, then the bulk action.
    Confirm {
        action: fn() -> BulkAction,
        /// What it does, for the confirmation.
        explanation: &'static str,
    },
    /// The team picker (true: add, false: remove).
    Team(bool),
    /// The message dialog (true: to the selection, false: to everyone
    /// signed in).
    Message(bool),
}

/// A bulk action: its name (PRODUCT.md section 9), who may, where it is
/// offered and what it opens.
struct ActionButton {
    label: &'static str,
    permission: Permission,
    placement: Placement,
    opens: Opens,
}

const fn confirm(
    label: &'static str,
    permission: Permission,
    placement: Placement,
    action: fn() -> BulkAction,
    explanation: &'static str,
) -> ActionButton {
    ActionButton {
        label,
        permission,
        placement,
        opens: Opens::Confirm {
            action,
            explanation,
        },
    }
}

/// In the order they are offered.
const ACTIONS: [ActionButton; 18] = [
    confirm(
        "Lock User(s)",
        Permission::LockUsers,
        Placement::Primary,
        || BulkAction::Lock,
        "They cannot sign in until unlocked, and their sessions end.",
    ),
    confirm(
        "Force Sign Out User(s)",
        Permission::ForceSignOut,
        Placement::Primary,
        || BulkAction::ForceSignOut,
        "Their sessions end at once; they must sign in again.",
    ),
    ActionButton {
        label: "Send Message to User(s)",
        permission: Permission::SendMessages,
        placement: Placement::Primary,
        opens: Opens::Message(true),
    },
    confirm(
        "Unlock User(s)",
        Permission::LockUsers,
        Placement::More,
        || BulkAction::Unlock,
        "They can sign in again; their failed sign-in count is cleared.",
    ),
    confirm(
        "Toggle Active/Inactive",
        Permission::EditUsers,
        Placement::More,
        || BulkAction::ToggleActive,
        "Active users become inactive (their sessions end) and inactive ones active.",
    ),
    confirm(
        "Set Password",
        Permission::ResetPasswords,
        Placement::More,
        // The password itself is typed into the confirmation.
        || BulkAction::SetPassword {
            password: crate::domain::Secret::default(),
            must_change_password: true,
        },
        "Each gets the password below, and their sessions end.",
    ),
    confirm(
        "Reset Password",
        Permission::ResetPasswords,
        Placement::More,
        || BulkAction::ResetPassword,
        "Each gets an email with a single-use link to choose a new password.",
    ),
    confirm(
        "Send Temporary Login",
        Permission::ResetPasswords,
        Placement::More,
        || BulkAction::SendTemporaryLogin,
        "Each gets an email with a single-use, short-lived link that signs them in once; then they must choose a new password.",
    ),
    confirm(
        "Suspend User(s)",
        Permission::LockUsers,
        Placement::More,
        || BulkAction::Suspend {
            reason: String::new(),
        },
        "They cannot sign in and their sessions end; everything is kept.",
    ),
    confirm(
        "Reinstate User(s)",
        Permission::LockUsers,
        Placement::More,
        || BulkAction::Reinstate,
        "Suspended users can sign in again.",
    ),
    ActionButton {
        label: "Add to Team",
        permission: Permission::ManageTeams,
        placement: Placement::More,
        opens: Opens::Team(true),
    },
    ActionButton {
        label: "Remove from Team",
        permission: Permission::ManageTeams,
        placement: Placement::More,
        opens: Opens::Team(false),
    },
    confirm(
        "Resend Invitation",
        Permission::CreateUsers,
        Placement::More,
        || BulkAction::ResendInvitation,
        "Invited users get a new invitation email; their old links stop working.",
    ),
    confirm(
        "Cancel Invitation",
        Permission::CreateUsers,
        Placement::More,
        || BulkAction::CancelInvitation,
        "Their invitation links stop working and the pending accounts are deleted (they can be restored).",
    ),
    confirm(
        "Delete User(s)",
        Permission::DeleteUsers,
        Placement::More,
        || BulkAction::Delete,
        "They are hidden from the table and signed out; their history is kept and they can be restored.",
    ),
    confirm(
        "Restore User(s)",
        Permission::DeleteUsers,
        Placement::More,
        || BulkAction::Restore,
        "Deleted users are shown again and can sign in as before.",
    ),
    confirm(
        "Force Sign Out All Users",
        Permission::ForceSignOut,
        Placement::Everyone,
        || BulkAction::ForceSignOut,
        "Every session of every user ends at once, except yours.",
    ),
    ActionButton {
        label: "Send Message to All Logged In Users",
        permission: Permission::SendMessages,
        placement: Placement::Everyone,
        opens: Opens::Message(false),
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

    // Opens what `b` asks for: its confirmation, the team picker or the
    // message dialog.
    let open = move |b: &'static ActionButton| {
        let on_selection = b.placement != Placement::Everyone;
        match b.opens {
            Opens::Confirm {
                action,
                explanation,
            } => {
                new_password.set(String::new());
                must_change.set(true);
                password_error.set(None);
                let (selection_arg, whom) = if on_selection {
                    (current_selection(), users(count()))
                } else {
                    (Selection::Everyone, "every user".to_owned())
                };
                pending.set(Some(Pending {
                    action: action(),
                    selection: selection_arg,
                    title: b.label,
                    message: format!("{}: {whom}. {explanation}", b.label),
                    working: format!("Working on {whom}…"),
                }));
            }
            Opens::Team(add) => team_change.set(Some(TeamChange {
                add,
                selection: current_selection(),
                whom: users(count()),
            })),
            Opens::Message(true) => message_to.set(Some((
                Recipients::Selected(current_selection()),
                users(count()),
            ))),
            Opens::Message(false) => message_to.set(Some((
                Recipients::SignedIn,
                "every signed-in user but you".to_owned(),
            ))),
        }
    };
    // The actions this administrator may take, offered at `placement`.
    let allowed = move |placement: Placement| {
        let user = user.get();
        ACTIONS
            .iter()
            .filter(move |b| b.placement == placement)
            .filter(move |b| user.as_ref().is_some_and(|u| u.can(b.permission)))
    };
    let nothing_selected = Signal::derive(move || count() == 0);
    let primary = move || {
        allowed(Placement::Primary)
            .map(|b| {
                view! {
                    <button
                        type="button"
                        class="button button-small"
                        disabled=move || nothing_selected.get()
                        on:click=move |_| open(b)
                    >
                        {b.label}
                    </button>
                }
            })
            .collect_view()
    };
    let menu_items = move |placement: Placement| {
        allowed(placement)
            .map(|b| MenuItem {
                label: b.label,
                disabled: if placement == Placement::Everyone {
                    Signal::stored(false)
                } else {
                    nothing_selected
                },
                on_select: Callback::new(move |_| open(b)),
            })
            .collect::<Vec<_>>()
    };
    let more = Signal::derive(move || menu_items(Placement::More));
    let everyone = Signal::derive(move || menu_items(Placement::Everyone));

    view! {
        <div class="bulk-bar">
            <div class="bulk-selection" role="group" aria-label="Selection">
                <button
                    type="button"
                    class="button button-small button-link"
                    on:click=move |_| selection.ids.update(|ids| ids.extend(page_ids.get_untracked()))
                >
                    "Select All"
                </button>
                <button
                    type="button"
                    class="button button-small button-link"
                    on:click=move |_| selection.clear()
                >
                    "Select None"
                </button>
                // Always in the page, so that screen readers announce each
                // change; empty (and out of the way) while nothing is
                // selected.
                <p class="selection-count" role="status" aria-live="polite">
                    {move || {
                        if selection.all_matching.get() {
                            format!("All {} matching selected", users(total.get()))
                        } else {
                            match count() {
                                0 => String::new(),
                                n => format!("{} selected", users(n)),
                            }
                        }
                    }}
                </p>
                {move || {
                    (page_all_selected() && !selection.all_matching.get()
                        && total.get() > page_ids.with(|ids| ids.len() as u64))
                        .then(|| {
                            let label = format!("Select all {} matching", users(total.get()));
                            view! {
                                <button
                                    type="button"
                                    class="button button-small button-link"
                                    on:click=move |_| selection.all_matching.set(true)
                                >
                                    {label}
                                </button>
                            }
                        })
                }}
            </div>
            <div class="bulk-actions" role="group" aria-label="Actions on the selected users">
                {primary}
                {move || {
                    (!more.with(Vec::is_empty))
                        .then(|| view! { <MenuButton label="More actions" items=more class="button-small"/> })
                }}
            </div>
            <div class="bulk-everyone" role="group" aria-label="Actions on every user">
                {move || {
                    (!everyone.with(Vec::is_empty))
                        .then(|| {
                            view! {
                                <MenuButton label="All users" items=everyone class="button-small" align_end=true/>
                            }
                        })
                }}
            </div>
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
