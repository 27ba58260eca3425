//! `/roles` (the table of roles), `/roles/new` (New Role, and Copy as
//! `/roles/new?from=NAME`) and `/roles/NAME` (its permissions, its
//! members, Save, Copy, Delete Role). Anyone who may view users may read
//! them; only role managers change them, and a permission they do not hold
//! is a box they cannot tick.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::api::{
    CreateRole, DeleteRole, RoleDetails, RoleDraft, RoleEdit, RoleSummary, UpdateRole, get_role,
    list_roles,
};
use crate::auth::{Permission, PermissionGroup, permission_summary, use_current_user};
use crate::components::{
    ConfirmDialog, ErrorList, Notice, NoticeKind, PageHeader, Pager, TextField, ToastKind,
    error_elsewhere, error_on, path_segment, use_toasts,
};
use crate::domain::{Description, FormField, RoleName};
use crate::error::AppError;

/// The role page's address.
pub fn role_href(name: &str) -> String {
    format!("/roles/{}", path_segment(name))
}

/// Whether the signed-in user may change roles.
fn can_manage() -> Signal<bool> {
    let user = use_current_user();
    Signal::derive(move || user.get().is_some_and(|u| u.can(Permission::ManageRoles)))
}

#[component]
pub fn RolesPage() -> impl IntoView {
    let roles = Resource::new(|| (), |_| list_roles());
    let manage = can_manage();
    view! {
        <Title text="Roles"/>
        <PageHeader title="Roles">
            {move || manage.get().then(|| view! {
                <A href=crate::components::in_base("/roles/new") attr:class="button button-primary">"New Role"</A>
            })}
        </PageHeader>
        <p class="muted">"A role is a named set of permissions. Changing a user's access means changing their roles."</p>
        <Transition fallback=|| view! { <p class="loading">"Loading roles…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    roles.await.map(|roles| view! { <RolesTable roles/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

#[component]
fn RolesTable(roles: Vec<RoleSummary>) -> impl IntoView {
    let count = roles.len();
    view! {
        <div class="table-scroll">
            <table class="table roles-table">
                <caption class="visually-hidden">{format!("{count} roles")}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Description"</th>
                        <th scope="col">"Permissions"</th>
                        <th scope="col">"Users"</th>
                        <th scope="col">"Built-in"</th>
                    </tr>
                </thead>
                <tbody>
                    {roles
                        .into_iter()
                        .map(|r| {
                            view! {
                                <tr>
                                    <td><A href=crate::components::in_base(role_href(&r.name))>{r.name.clone()}</A></td>
                                    <td>{r.description}</td>
                                    <td class="permission-summary">{permission_summary(&r.permissions)}</td>
                                    <td class="number">{r.users}</td>
                                    <td>{if r.builtin { "Built-in" } else { "—" }}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// One checkbox per permission, labelled by its description and grouped.
/// A box is disabled when the page is read-only, when the role keeps every
/// permission (Administrator), or when the viewer does not hold that
/// permission: nobody grants, or takes away, what they do not have.
#[component]
fn PermissionBoxes(
    chosen: RwSignal<Vec<Permission>>,
    #[prop(into)] editable: Signal<bool>,
    keeps_everything: bool,
    #[prop(into, optional)] error: MaybeProp<String>,
) -> impl IntoView {
    let user = use_current_user();
    let holds = move |p: Permission| user.get().is_some_and(|u| u.can(p));
    let groups = PermissionGroup::ALL
        .into_iter()
        .map(|group| {
            let boxes = group
                .permissions()
                .map(|p| {
                    let id = format!("permission-{}", p.key().replace('.', "-"));
                    let hint_id = format!("{id}-hint");
                    let disabled = move || !editable.get() || keeps_everything || !holds(p);
                    let hint = move || {
                        (editable.get() && !keeps_everything && !holds(p))
                            .then_some("You do not hold this permission, so you cannot grant or remove it.")
                    };
                    view! {
                        <div class="field-check">
                            <input
                                id=id.clone()
                                type="checkbox"
                                name="permissions"
                                value=p.key()
                                prop:checked=move || chosen.with(|c| c.contains(&p))
                                disabled=disabled
                                aria-describedby=move || hint().map(|_| hint_id.clone())
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| {
                                        c.retain(|x| *x != p);
                                        if on {
                                            c.push(p);
                                        }
                                    });
                                }
                            />
                            <label for=id.clone()>{p.label()}</label>
                            {move || hint().map(|h| view! { <span class="field-hint" id=format!("{id}-hint")>{h}</span> })}
                        </div>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="permission-group">
                    <legend>{group.heading()}</legend>
                    {boxes}
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <fieldset class="field permissions" class:field-invalid=move || error.get().is_some()>
            <legend>"Permissions"</legend>
            {keeps_everything.then(|| view! { <p class="field-hint">"Administrator keeps every permission."</p> })}
            <div class="permission-groups">{groups}</div>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </fieldset>
    }
}

/// Checks of the name and description as you type (the server checks again).
fn name_error(value: String, touched: bool) -> Option<String> {
    (touched || !value.is_empty())
        .then(|| RoleName::parse(&value).err().map(|e| e.to_string()))
        .flatten()
}

fn description_error(value: String) -> Option<String> {
    Description::parse(&value).err().map(|e| e.to_string())
}

const ROLE_FIELDS: [FormField; 3] = [
    FormField::GroupName,
    FormField::Description,
    FormField::Permissions,
];

#[component]
pub fn NewRolePage() -> impl IntoView {
    let query = use_query_map();
    let from = move || query.read().get("from").filter(|f| !f.trim().is_empty());
    // Copy starts from another role's description and permissions.
    let source = Resource::new(from, |from| async move {
        match from {
            Some(name) => get_role(name, 1).await.map(Some),
            None => Ok::<_, AppError>(None),
        }
    });
    view! {
        <Title text="New Role"/>
        <PageHeader title="New Role">
            <A href=crate::components::in_base("/roles")>"Back to Roles"</A>
        </PageHeader>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    source.await.map(|source| {
                        let draft = match source {
                            Some(role) => RoleDraft {
                                name: format!("Copy of {}", role.name),
                                description: role.description,
                                permissions: role.permissions,
                            },
                            None => RoleDraft {
                                name: String::new(),
                                description: String::new(),
                                permissions: Vec::new(),
                            },
                        };
                        view! { <NewRoleForm draft/> }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

#[component]
fn NewRoleForm(draft: RoleDraft) -> impl IntoView {
    let name = RwSignal::new(draft.name);
    let description = RwSignal::new(draft.description);
    // A copy keeps only what the copier may grant.
    let user = use_current_user();
    let permissions = RwSignal::new(
        draft
            .permissions
            .into_iter()
            .filter(|p| user.get_untracked().is_some_and(|u| u.can(*p)))
            .collect::<Vec<_>>(),
    );
    let submitted = RwSignal::new(false);
    let create = ServerAction::<CreateRole>::new();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let server_error = move |field: FormField| error_on(create.value().get(), field);
    Effect::new(move |_| {
        if let Some(Ok(created)) = create.value().get() {
            toasts.show(ToastKind::Success, format!("Created the role {created}."));
            navigate(&role_href(&created), Default::default());
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
        create.dispatch(CreateRole {
            draft: RoleDraft {
                name: name.get_untracked(),
                description: description.get_untracked(),
                permissions: permissions.get_untracked(),
            },
        });
    };
    view! {
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
                <PermissionBoxes
                    chosen=permissions
                    editable=true
                    keeps_everything=false
                    error=Signal::derive(move || server_error(FormField::Permissions))
                />
                {move || error_elsewhere(create.value().get(), &ROLE_FIELDS).map(|e| view! { <Notice kind=NoticeKind::Error>{e}</Notice> })}
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                        "Create role"
                    </button>
                    <a class="button" href=crate::components::based("/roles")>"Cancel"</a>
                </div>
            </form>
        </section>
    }
    .into_any()
}

#[component]
pub fn RoleDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u64>().ok())
            .unwrap_or(1)
    };
    let reload = RwSignal::new(0u32);
    let details = Resource::new(
        move || (name(), page(), reload.get()),
        |(name, page, _)| get_role(name, page),
    );
    let me = expect_context::<crate::auth::current::CurrentUserResource>().0;
    view! {
        <Title text=move || format!("Role {}", name())/>
        <Transition fallback=|| view! { <p class="loading">"Loading the role…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    // What may be changed depends on who is looking.
                    let _ = me.await;
                    details.await.map(|details| view! { <RoleView details reload/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

#[component]
fn RoleView(details: RoleDetails, reload: RwSignal<u32>) -> impl IntoView {
    let manage = can_manage();
    let deleting = RwSignal::new(false);
    let title = details.name.clone();
    let copy_href = format!("/roles/new?from={}", path_segment(&details.name));
    let deletable = !details.builtin;
    view! {
        <PageHeader title=title>
            <A href=crate::components::in_base("/roles")>"Back to Roles"</A>
            {move || manage.get().then(|| view! {
                <A href=crate::components::in_base(copy_href.clone()) attr:class="button">"Copy"</A>
            })}
            {move || (manage.get() && deletable).then(|| view! {
                <button type="button" class="button button-danger" on:click=move |_| deleting.set(true)>
                    "Delete Role"
                </button>
            })}
        </PageHeader>
        <p class="muted">
            {if details.builtin { "Built-in role. " } else { "" }}
            {format!("{} user{} {} it.", details.users, if details.users == 1 { "" } else { "s" }, if details.users == 1 { "has" } else { "have" })}
        </p>
        <section class="card" aria-labelledby="role-heading">
            <h2 id="role-heading">"Role"</h2>
            <RoleForm details=details.clone() reload/>
        </section>
        <Members details=details.clone()/>
        {move || deleting.get().then(|| view! { <DeleteRoleDialog details=details.clone() open=deleting/> })}
    }
    .into_any()
}

#[component]
fn RoleForm(details: RoleDetails, reload: RwSignal<u32>) -> impl IntoView {
    let manage = can_manage();
    let name = RwSignal::new(details.name.clone());
    let description = RwSignal::new(details.description.clone());
    let permissions = RwSignal::new(details.permissions.clone());
    let save = ServerAction::<UpdateRole>::new();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let old_name = details.name.clone();
    let server_error = move |field: FormField| error_on(save.value().get(), field);
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            toasts.show(ToastKind::Success, format!("Saved the role {saved}."));
            if saved != old_name {
                navigate(&role_href(&saved), Default::default());
            } else {
                reload.update(|n| *n += 1);
            }
        }
    });
    let (id, version, builtin, keeps_everything) = (
        details.id,
        details.version,
        details.builtin,
        details.keeps_everything,
    );
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if name_error(name.get_untracked(), true).is_some()
            || description_error(description.get_untracked()).is_some()
        {
            return;
        }
        save.dispatch(UpdateRole {
            edit: RoleEdit {
                id,
                version,
                name: name.get_untracked(),
                description: description.get_untracked(),
                permissions: permissions.get_untracked(),
            },
        });
    };
    let name_field = move || {
        if builtin || !manage.get() {
            view! {
                <div class="field">
                    <span class="field-label">"Name"</span>
                    <p>{name.get_untracked()}{builtin.then_some(" (built-in roles keep their names)")}</p>
                </div>
            }
            .into_any()
        } else {
            view! {
                <TextField
                    label="Name"
                    name="group_name"
                    value=name
                    required=true
                    maxlength=50
                    error=Signal::derive(move || name_error(name.get(), true).or_else(|| server_error(FormField::GroupName)))
                />
            }
            .into_any()
        }
    };
    view! {
        <form class="form" on:submit=on_submit novalidate>
            {name_field}
            {move || if manage.get() {
                view! {
                    <TextField
                        label="Description"
                        name="description"
                        value=description
                        maxlength=500
                        error=Signal::derive(move || description_error(description.get()).or_else(|| server_error(FormField::Description)))
                    />
                }
                .into_any()
            } else {
                view! {
                    <div class="field">
                        <span class="field-label">"Description"</span>
                        <p>{description.get_untracked()}</p>
                    </div>
                }
                .into_any()
            }}
            <PermissionBoxes
                chosen=permissions
                editable=manage
                keeps_everything
                error=Signal::derive(move || server_error(FormField::Permissions))
            />
            {move || error_elsewhere(save.value().get(), &ROLE_FIELDS).map(|e| view! { <Notice kind=NoticeKind::Error>{e}</Notice> })}
            {move || manage.get().then(|| view! {
                <div class="form-actions">
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                        "Save"
                    </button>
                </div>
            })}
        </form>
    }
    .into_any()
}

#[component]
fn Members(details: RoleDetails) -> impl IntoView {
    let base = role_href(&details.name);
    let pager = (details.pages > 1).then(|| {
        view! {
            <Pager
                page=details.page
                pages=details.pages
                label="Pages of members"
                href=Callback::new(move |n: u64| format!("{base}?page={n}"))
            />
        }
    });
    view! {
        <section class="card" aria-labelledby="members-heading">
            <h2 id="members-heading">{format!("Members ({})", details.users)}</h2>
            {if details.members.is_empty() {
                view! { <p class="muted">"Nobody has this role."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">"Username"</th>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"Email Address"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {details
                                    .members
                                    .into_iter()
                                    .map(|m| view! {
                                        <tr>
                                            <td><A href=crate::components::in_base(format!("/users/{}", path_segment(&m.username)))>{m.username.clone()}</A></td>
                                            <td>{m.name}</td>
                                            <td>{m.email}</td>
                                        </tr>
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
            {pager}
        </section>
    }
    .into_any()
}

#[component]
fn DeleteRoleDialog(details: RoleDetails, open: RwSignal<bool>) -> impl IntoView {
    let delete = ServerAction::<DeleteRole>::new();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let preferred = details
        .other_roles
        .iter()
        .find(|r| *r == "User")
        .or(details.other_roles.first())
        .cloned()
        .unwrap_or_default();
    let move_to = RwSignal::new(preferred);
    let users = details.users;
    let name = details.name.clone();
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            let moved = if users > 0 {
                format!(
                    "; its {users} user{} now {} {}",
                    if users == 1 { "" } else { "s" },
                    if users == 1 { "has" } else { "have" },
                    move_to.get_untracked()
                )
            } else {
                String::new()
            };
            toasts.show(
                ToastKind::Success,
                format!("Deleted the role {name}{moved}."),
            );
            open.set(false);
            navigate("/roles", Default::default());
        }
        Some(Err(error)) => toasts.show(ToastKind::Error, error.to_string()),
        None => {}
    });
    let message = if details.held_by_caller {
        "You have this role yourself, and nobody can change their own roles: ask another administrator to delete it.".to_owned()
    } else if users > 0 {
        format!(
            "{users} user{} this role. Choose the role they move to; it is done in one step with the deletion.",
            if users == 1 { " has" } else { "s have" }
        )
    } else {
        "Nobody has this role. It is deleted for good.".to_owned()
    };
    let (id, version) = (details.id, details.version);
    let options = details
        .other_roles
        .iter()
        .map(|r| {
            let value = r.clone();
            let selected = r.clone();
            view! { <option value=value selected=move || move_to.get() == selected>{r.clone()}</option> }
        })
        .collect_view();
    view! {
        <ConfirmDialog
            title=format!("Delete the role {}?", details.name)
            message
            confirm_label="Delete Role".to_owned()
            pending=delete.pending()
            on_confirm=Callback::new(move |_| {
                delete.dispatch(DeleteRole {
                    id,
                    version,
                    move_to: (users > 0).then(|| move_to.get_untracked()),
                });
            })
            on_cancel=Callback::new(move |_| open.set(false))
        >
            {(users > 0).then(|| view! {
                <div class="field">
                    <label for="move-to">"Move its users to"</label>
                    <select id="move-to" on:change=move |ev| move_to.set(event_target_value(&ev))>
                        {options}
                    </select>
                </div>
            })}
        </ConfirmDialog>
    }
    .into_any()
}
