//! `/teams` (the table of teams), `/teams/new` (New Team) and
//! `/teams/NAME`: rename, describe, delete (members stay users), and its
//! members, paged and searched on the server, with "Add Members" (a
//! search-as-you-type picker, several at once) and "Remove from Team" on
//! the selected members.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::api::{
    ChangeMembers, CreateTeam, DeleteTeam, TeamDetails, TeamSummary, UpdateTeam, find_candidates,
    get_team, list_teams,
};
use crate::components::{
    ConfirmDialog, ErrorList, Notice, NoticeKind, PageHeader, Pager, TextField, ToastKind,
    error_elsewhere, error_on, path_segment, use_toasts,
};
use crate::domain::{Description, FormField, TeamName};
use crate::users::bulk::api::Selection;

/// The team page's address.
pub fn team_href(name: &str) -> String {
    format!("/teams/{}", path_segment(name))
}

fn users(n: u64) -> String {
    if n == 1 {
        "1 user".to_owned()
    } else {
        format!("{n} users")
    }
}

#[component]
pub fn TeamsPage() -> impl IntoView {
    let teams = Resource::new(|| (), |_| list_teams());
    view! {
        <Title text="Teams"/>
        <PageHeader title="Teams">
            <A href=crate::components::in_base("/teams/new") attr:class="button button-primary">"New Team"</A>
        </PageHeader>
        <Transition fallback=|| view! { <p class="loading">"Loading teams…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    teams.await.map(|teams| view! { <TeamsTable teams/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

#[component]
fn TeamsTable(teams: Vec<TeamSummary>) -> impl IntoView {
    if teams.is_empty() {
        return view! { <p class="muted">"No teams yet. New Team makes one."</p> }.into_any();
    }
    let count = teams.len();
    view! {
        <div class="table-scroll">
            <table class="table">
                <caption class="visually-hidden">{format!("{count} teams")}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Description"</th>
                        <th scope="col">"Members"</th>
                    </tr>
                </thead>
                <tbody>
                    {teams
                        .into_iter()
                        .map(|t| view! {
                            <tr>
                                <td><A href=crate::components::in_base(team_href(&t.name))>{t.name.clone()}</A></td>
                                <td>{t.description}</td>
                                <td class="number">{t.members}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

fn name_error(value: String, touched: bool) -> Option<String> {
    (touched || !value.is_empty())
        .then(|| TeamName::parse(&value).err().map(|e| e.to_string()))
        .flatten()
}

fn description_error(value: String) -> Option<String> {
    Description::parse(&value).err().map(|e| e.to_string())
}

const TEAM_FIELDS: [FormField; 2] = [FormField::GroupName, FormField::Description];

#[component]
pub fn NewTeamPage() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let create = ServerAction::<CreateTeam>::new();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let server_error = move |field: FormField| error_on(create.value().get(), field);
    Effect::new(move |_| {
        if let Some(Ok(created)) = create.value().get() {
            toasts.show(ToastKind::Success, format!("Created the team {created}."));
            navigate(&team_href(&created), Default::default());
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if name_error(name.get_untracked(), true).is_some()
            || description_error(description.get_untracked()).is_some()
        {
            return;
        }
        create.dispatch(CreateTeam {
            name: name.get_untracked(),
            description: description.get_untracked(),
        });
    };
    view! {
        <Title text="New Team"/>
        <PageHeader title="New Team">
            <A href=crate::components::in_base("/teams")>"Back to Teams"</A>
        </PageHeader>
        <section class="card">
            <form class="form" on:submit=on_submit novalidate>
                <TextField
                    label="Name"
                    name="group_name"
                    value=name
                    required=true
                    maxlength=50
                    error=Signal::derive(move || name_error(name.get(), submitted.get()).or_else(|| server_error(FormField::GroupName)))
                />
                <TextField
                    label="Description"
                    name="description"
                    value=description
                    maxlength=500
                    error=Signal::derive(move || description_error(description.get()).or_else(|| server_error(FormField::Description)))
                />
                {move || error_elsewhere(create.value().get(), &TEAM_FIELDS).map(|e| view! { <Notice kind=NoticeKind::Error>{e}</Notice> })}
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                        "Create team"
                    </button>
                    <a class="button" href=crate::components::based("/teams")>"Cancel"</a>
                </div>
            </form>
        </section>
    }
    .into_any()
}

#[component]
pub fn TeamDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let q = move || query.read().get("q").unwrap_or_default();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u64>().ok())
            .unwrap_or(1)
    };
    let reload = RwSignal::new(0u32);
    let details = Resource::new(
        move || (name(), q(), page(), reload.get()),
        |(name, q, page, _)| get_team(name, q, page),
    );
    view! {
        <Title text=move || format!("Team {}", name())/>
        <Transition fallback=|| view! { <p class="loading">"Loading the team…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    details.await.map(|details| view! { <TeamView details q=q() reload/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

#[component]
fn TeamView(details: TeamDetails, q: String, reload: RwSignal<u32>) -> impl IntoView {
    let deleting = RwSignal::new(false);
    view! {
        <PageHeader title=details.name.clone()>
            <A href=crate::components::in_base("/teams")>"Back to Teams"</A>
            <button type="button" class="button button-danger" on:click=move |_| deleting.set(true)>
                "Delete Team"
            </button>
        </PageHeader>
        <section class="card" aria-labelledby="team-heading">
            <h2 id="team-heading">"Team"</h2>
            <TeamForm details=details.clone() reload/>
        </section>
        <Members details=details.clone() q reload/>
        {move || deleting.get().then(|| view! { <DeleteTeamDialog details=details.clone() open=deleting/> })}
    }
    .into_any()
}

#[component]
fn TeamForm(details: TeamDetails, reload: RwSignal<u32>) -> impl IntoView {
    let name = RwSignal::new(details.name.clone());
    let description = RwSignal::new(details.description.clone());
    let save = ServerAction::<UpdateTeam>::new();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let old_name = details.name.clone();
    let server_error = move |field: FormField| error_on(save.value().get(), field);
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            toasts.show(ToastKind::Success, format!("Saved the team {saved}."));
            if saved != old_name {
                navigate(&team_href(&saved), Default::default());
            } else {
                reload.update(|n| *n += 1);
            }
        }
    });
    let (id, version) = (details.id, details.version);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if name_error(name.get_untracked(), true).is_some()
            || description_error(description.get_untracked()).is_some()
        {
            return;
        }
        save.dispatch(UpdateTeam {
            id,
            version,
            name: name.get_untracked(),
            description: description.get_untracked(),
        });
    };
    view! {
        <form class="form" on:submit=on_submit novalidate>
            <TextField
                label="Name"
                name="group_name"
                value=name
                required=true
                maxlength=50
                error=Signal::derive(move || name_error(name.get(), true).or_else(|| server_error(FormField::GroupName)))
            />
            <TextField
                label="Description"
                name="description"
                value=description
                maxlength=500
                error=Signal::derive(move || description_error(description.get()).or_else(|| server_error(FormField::Description)))
            />
            {move || error_elsewhere(save.value().get(), &TEAM_FIELDS).map(|e| view! { <Notice kind=NoticeKind::Error>{e}</Notice> })}
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    "Save"
                </button>
            </div>
        </form>
    }
    .into_any()
}

#[component]
fn Members(details: TeamDetails, q: String, reload: RwSignal<u32>) -> impl IntoView {
    let selected = RwSignal::new(BTreeMap::<i64, String>::new());
    let adding = RwSignal::new(false);
    let removing = RwSignal::new(false);
    let base = team_href(&details.name);
    let pager = {
        let (base, q) = (base.clone(), q.clone());
        (details.pages > 1).then(|| {
            let q = path_segment(&q);
            view! {
                <Pager
                    page=details.page
                    pages=details.pages
                    label="Pages of members"
                    href=Callback::new(move |n: u64| format!("{base}?q={q}&page={n}"))
                />
            }
        })
    };
    let count_text = if q.trim().is_empty() {
        format!("{} in the team", users(details.members_total))
    } else {
        format!(
            "{} of {} match \u{201c}{}\u{201d}",
            details.matching,
            details.members_total,
            q.trim()
        )
    };
    let rows = details
        .members
        .iter()
        .cloned()
        .map(|m| {
            let (id, username) = (m.id, m.username.clone());
            let label = format!("Select {}", m.username);
            view! {
                <tr>
                    <td>
                        <input
                            type="checkbox"
                            aria-label=label
                            prop:checked=move || selected.with(|s| s.contains_key(&id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                selected.update(|s| {
                                    if on {
                                        s.insert(id, username.clone());
                                    } else {
                                        s.remove(&id);
                                    }
                                });
                            }
                        />
                    </td>
                    <td><A href=crate::components::in_base(format!("/users/{}", path_segment(&m.username)))>{m.username.clone()}</A></td>
                    <td>{m.name}</td>
                    <td>{m.email}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = details.members.is_empty();
    let team_name = details.name.clone();
    let team_for_add = details.name.clone();
    let team_id = details.id;
    view! {
        <section class="card" aria-labelledby="members-heading">
            <h2 id="members-heading">"Members"</h2>
            <div class="members-toolbar">
                <Form method="GET" action=base.clone() attr:class="search-form" attr:role="search">
                    <label for="member-search">"Search members"</label>
                    <input id="member-search" type="search" name="q" value=q.clone()/>
                    <button type="submit" class="button button-small">"Search"</button>
                </Form>
                <p class="selection-count" role="status" aria-live="polite">
                    {count_text} " · " {move || format!("{} selected", users(selected.with(|s| s.len() as u64)))}
                </p>
                <button type="button" class="button button-small button-primary" on:click=move |_| adding.set(true)>
                    "Add Members"
                </button>
                <button
                    type="button"
                    class="button button-small"
                    disabled=move || selected.with(|s| s.is_empty())
                    on:click=move |_| removing.set(true)
                >
                    "Remove from Team"
                </button>
            </div>
            {if empty {
                view! { <p class="muted">"No members to show."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col"><span class="visually-hidden">"Selected"</span></th>
                                    <th scope="col">"Username"</th>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"Email Address"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            {pager}
        </section>
        {move || adding.get().then(|| view! {
            <AddMembersDialog team=team_for_add.clone() team_id open=adding selected_ids=selected reload/>
        })}
        {move || removing.get().then(|| view! {
            <RemoveMembersDialog team=team_name.clone() open=removing selected reload/>
        })}
    }
    .into_any()
}

#[component]
fn RemoveMembersDialog(
    team: String,
    open: RwSignal<bool>,
    selected: RwSignal<BTreeMap<i64, String>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let change = ServerAction::<ChangeMembers>::new();
    let toasts = use_toasts();
    let count = selected.with_untracked(|s| s.len() as u64);
    let team_for_message = team.clone();
    Effect::new(move |_| match change.value().get() {
        Some(Ok(outcome)) => {
            toasts.show(
                ToastKind::Success,
                outcome.describe("Removed", &format!(" from {team_for_message}")),
            );
            selected.update(BTreeMap::clear);
            open.set(false);
            reload.update(|n| *n += 1);
        }
        Some(Err(error)) => toasts.show(ToastKind::Error, error.to_string()),
        None => {}
    });
    let confirm_team = team.clone();
    view! {
        <ConfirmDialog
            title=format!("Remove {} from {team}?", users(count))
            message="They stay users with all their other teams and roles; only this membership ends.".to_owned()
            confirm_label="Remove from Team".to_owned()
            pending=change.pending()
            working=format!("Removing {}…", users(count))
            on_confirm=Callback::new(move |_| {
                change.dispatch(ChangeMembers {
                    team: confirm_team.clone(),
                    add: false,
                    selection: Selection::Ids(selected.with_untracked(|s| s.keys().copied().collect())),
                });
            })
            on_cancel=Callback::new(move |_| open.set(false))
        />
    }
    .into_any()
}

/// "Add Members": search as you type, tick several people (the choice
/// survives new searches), add them in one go.
#[component]
fn AddMembersDialog(
    team: String,
    team_id: i64,
    open: RwSignal<bool>,
    /// The page's selection, cleared once members change.
    selected_ids: RwSignal<BTreeMap<i64, String>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let search = RwSignal::new(String::new());
    let chosen = RwSignal::new(BTreeMap::<i64, String>::new());
    let found = Resource::new(move || search.get(), move |q| find_candidates(team_id, q));
    let change = ServerAction::<ChangeMembers>::new();
    let toasts = use_toasts();
    let team_for_message = team.clone();
    Effect::new(move |_| match change.value().get() {
        Some(Ok(outcome)) => {
            toasts.show(
                ToastKind::Success,
                outcome.describe("Added", &format!(" to {team_for_message}")),
            );
            selected_ids.update(BTreeMap::clear);
            open.set(false);
            reload.update(|n| *n += 1);
        }
        Some(Err(error)) => toasts.show(ToastKind::Error, error.to_string()),
        None => {}
    });
    let confirm_team = team.clone();
    let results = move || {
        found.get().map(|result| match result {
            Err(error) => view! { <p class="field-error">{error.to_string()}</p> }.into_any(),
            Ok(list) if list.is_empty() => {
                let text = if search.with(|s| s.trim().is_empty()) {
                    "Type part of a username, name or email address."
                } else {
                    "Nobody matches."
                };
                view! { <p class="muted">{text}</p> }.into_any()
            }
            Ok(list) => view! {
                <ul class="candidates">
                    {list
                        .into_iter()
                        .map(|c| {
                            let id = c.id;
                            let username = c.username.clone();
                            let box_id = format!("candidate-{id}");
                            let label = if c.member {
                                format!("{} ({}, already a member)", c.username, c.name)
                            } else {
                                format!("{} ({})", c.username, c.name)
                            };
                            view! {
                                <li class="field-check">
                                    <input
                                        id=box_id.clone()
                                        type="checkbox"
                                        disabled=c.member
                                        prop:checked=move || c.member || chosen.with(|s| s.contains_key(&id))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            chosen.update(|s| {
                                                if on {
                                                    s.insert(id, username.clone());
                                                } else {
                                                    s.remove(&id);
                                                }
                                            });
                                        }
                                    />
                                    <label for=box_id>{label}</label>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any(),
        })
    };
    view! {
        <ConfirmDialog
            title=format!("Add members to {team}")
            message="Find people by username, name or email address and tick everyone to add; your choice stays while you search again.".to_owned()
            confirm_label="Add Members".to_owned()
            pending=change.pending()
            working="Adding…".to_owned()
            on_confirm=Callback::new(move |_| {
                change.dispatch(ChangeMembers {
                    team: confirm_team.clone(),
                    add: true,
                    selection: Selection::Ids(chosen.with_untracked(|s| s.keys().copied().collect())),
                });
            })
            on_cancel=Callback::new(move |_| open.set(false))
        >
            <div class="field">
                <label for="candidate-search">"Find users"</label>
                <input
                    id="candidate-search"
                    type="search"
                    autocomplete="off"
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
            </div>
            <Transition fallback=|| view! { <p class="loading">"Searching…"</p> }>{results}</Transition>
            <p class="muted" role="status" aria-live="polite">
                {move || chosen.with(|s| {
                    if s.is_empty() {
                        "Nobody chosen yet.".to_owned()
                    } else {
                        format!("Chosen: {}", s.values().cloned().collect::<Vec<_>>().join(", "))
                    }
                })}
            </p>
        </ConfirmDialog>
    }
    .into_any()
}

#[component]
fn DeleteTeamDialog(details: TeamDetails, open: RwSignal<bool>) -> impl IntoView {
    let delete = ServerAction::<DeleteTeam>::new();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let name = details.name.clone();
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            toasts.show(ToastKind::Success, format!("Deleted the team {name}."));
            open.set(false);
            navigate("/teams", Default::default());
        }
        Some(Err(error)) => toasts.show(ToastKind::Error, error.to_string()),
        None => {}
    });
    let (id, version) = (details.id, details.version);
    view! {
        <ConfirmDialog
            title=format!("Delete the team {}?", details.name)
            message=format!(
                "Its {} stay users; only their membership of this team ends.",
                users(details.members_total)
            )
            confirm_label="Delete Team".to_owned()
            pending=delete.pending()
            on_confirm=Callback::new(move |_| { delete.dispatch(DeleteTeam { id, version }); })
            on_cancel=Callback::new(move |_| open.set(false))
        />
    }
    .into_any()
}
