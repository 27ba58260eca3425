//! "Add to Team" and "Remove from Team" on the Users table's selection (or
//! on all matching users): pick the team, confirm, read how many changed
//! and who was skipped. The work is `teams::service::change_members`.

use leptos::prelude::*;

use crate::components::{ConfirmDialog, ToastKind, use_toasts};
use crate::teams::api::ChangeMembers;
use crate::users::bulk::api::Selection;
use crate::users::table::api::user_filter_options;

/// A team change about to be confirmed.
#[derive(Clone)]
pub struct TeamChange {
    pub add: bool,
    pub selection: Selection,
    /// "48 users", for the confirmation.
    pub whom: String,
}

#[component]
pub fn TeamChangeDialog(
    change: TeamChange,
    /// Closes the dialog (after a result, or on Cancel).
    on_close: Callback<()>,
    /// Called after the change ran, to clear the selection and reload.
    on_done: Callback<()>,
) -> impl IntoView {
    let teams = Resource::new(|| (), |_| user_filter_options());
    let team = RwSignal::new(String::new());
    let run = ServerAction::<ChangeMembers>::new();
    let toasts = use_toasts();
    let add = change.add;
    Effect::new(move |_| match run.value().get() {
        Some(Ok(outcome)) => {
            let team = team.get_untracked();
            let text = if add {
                outcome.describe("Added", &format!(" to {team}"))
            } else {
                outcome.describe("Removed", &format!(" from {team}"))
            };
            toasts.show(ToastKind::Success, text);
            on_close.run(());
            on_done.run(());
        }
        Some(Err(error)) => toasts.show(ToastKind::Error, error.to_string()),
        None => {}
    });
    let label = if add {
        "Add to Team"
    } else {
        "Remove from Team"
    };
    let message = if add {
        format!(
            "Add {} to the team below. Those already in it are skipped.",
            change.whom
        )
    } else {
        format!(
            "Remove {} from the team below. They stay users.",
            change.whom
        )
    };
    let selection = change.selection.clone();
    let picker = move || {
        Suspend::new(async move {
            let names = teams.await.map(|o| o.teams).unwrap_or_default();
            if team.get_untracked().is_empty()
                && let Some(first) = names.first()
            {
                team.set(first.clone());
            }
            if names.is_empty() {
                return view! { <p class="muted">"There are no teams yet: make one on the Teams page."</p> }
                    .into_any();
            }
            view! {
                <div class="field">
                    <label for="bulk-team">"Team"</label>
                    <select id="bulk-team" on:change=move |ev| team.set(event_target_value(&ev))>
                        {names
                            .into_iter()
                            .map(|name| {
                                let (current, value) = (name.clone(), name.clone());
                                view! {
                                    <option value=value selected=move || team.get() == current>
                                        {name}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
            }
            .into_any()
        })
    };
    view! {
        <ConfirmDialog
            title=label.to_owned()
            message
            confirm_label=label.to_owned()
            pending=run.pending()
            working=format!("Working on {}…", change.whom)
            on_confirm=Callback::new(move |_| {
                run.dispatch(ChangeMembers {
                    team: team.get_untracked(),
                    add,
                    selection: selection.clone(),
                });
            })
            on_cancel=on_close
        >
            <Transition fallback=|| view! { <p class="loading">"Loading teams…"</p> }>{picker}</Transition>
        </ConfirmDialog>
    }
    .into_any()
}
