//! `/users/USERNAME` (View in the table): the user's details, edited with
//! validation as you type and again on the server; their open sessions with
//! "Sign out" each; the actions on their account; their change history.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api_tokens::UserTokens;
use crate::auth::current::CurrentUserResource;
use crate::auth::{Permission, use_current_user};
use crate::components::{
    Checkbox, ErrorList, Notice, NoticeKind, PageHeader, ToastKind, error_elsewhere, error_on,
    use_toasts,
};
use crate::components::{SessionRow, SessionTable};
use crate::domain::FormField;
use crate::live::use_live_presence;
use crate::users::detail::actions_ui::UserActions;
use crate::users::detail::api::{
    EndUserSession, HistoryEntry, UpdateUser, UserDetails, UserEdit, get_user,
};
use crate::users::detail::login_as_ui::LoginAs;
use crate::users::profile_fields_ui::{PROFILE_FIELDS, ProfileDraft, ProfileFields, ProfileValues};
use crate::users::status_ui::UserStatus;

#[component]
pub fn UserDetailPage() -> impl IntoView {
    let params = use_params_map();
    let username = move || params.read().get("username").unwrap_or_default();
    // Bumped after every change made here, to show the user as now stored.
    let reload = RwSignal::new(0u32);
    let details = Resource::new(
        move || (username(), reload.get()),
        |(name, _)| get_user(name),
    );
    let me = expect_context::<CurrentUserResource>().0;
    view! {
        <Title text=move || format!("User {}", username())/>
        <Transition fallback=|| view! { <p class="loading">"Loading the user…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    // Which actions and fields are offered depends on who
                    // is looking: known before anything is drawn.
                    let _ = me.await;
                    details.await.map(|details| view! { <UserView details reload/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

#[component]
fn UserView(details: UserDetails, reload: RwSignal<u32>) -> impl IntoView {
    let user = use_current_user();
    let can = move |p: Permission| user.get().is_some_and(|u| u.can(p));
    let row = details.row.clone();
    let dash = || "—".to_owned();
    // Login Status and Last Activity follow the live connection.
    let presence = use_live_presence();
    let (id, loaded_since, loaded_activity) =
        (row.id, row.signed_in_since, row.last_activity.clone());
    let login_status = move || {
        if presence.signed_in_since(id, loaded_since).is_some() {
            "Signed in"
        } else {
            "Signed out"
        }
    };
    let last_activity = move || {
        presence
            .last_activity(id, loaded_activity.clone())
            .unwrap_or_else(dash)
    };
    let suspended_reason = details.suspended_reason.clone();
    let token_owner = row.username.clone();
    view! {
        <PageHeader title=row.name.clone()>
            <A href=crate::components::in_base("/users")>"Back to Users"</A>
        </PageHeader>
        <p class="user-status">
            <span class="muted">{row.username.clone()}</span>
            " "
            <UserStatus active=row.active badges=row.badges.clone()/>
        </p>
        {suspended_reason.map(|reason| view! {
            <Notice kind=NoticeKind::Error>{format!("Suspended: {reason}")}</Notice>
        })}
        <UserActions details=details.clone() reload/>
        <LoginAs username=row.username.clone()/>
        <div class="user-columns">
            <section class="card" aria-labelledby="details-heading">
                <h2 id="details-heading">"Details"</h2>
                {if can(Permission::EditUsers) && !details.deleted {
                    view! { <EditForm details=details.clone() reload/> }.into_any()
                } else {
                    view! { <ReadOnlyDetails details=details.clone()/> }.into_any()
                }}
            </section>
            <section class="card" aria-labelledby="activity-heading">
                <h2 id="activity-heading">"Activity"</h2>
                <dl class="details">
                    <dt>"Login Status"</dt>
                    <dd>{login_status}</dd>
                    <dt>"Last Signin"</dt>
                    <dd>{row.last_signin.clone().unwrap_or_else(dash)}</dd>
                    <dt>"Last Location"</dt>
                    <dd>{row.last_location.clone().unwrap_or_else(dash)}</dd>
                    <dt>"Last Activity"</dt>
                    <dd>{last_activity}</dd>
                    <dt>"Created At"</dt>
                    <dd>{row.created_at.clone()}</dd>
                </dl>
                <Sessions user_id=row.id sessions=details.sessions.clone() reload/>
            </section>
        </div>
        <Show when=move || can(Permission::EditUsers) && can(Permission::ManageApiTokens)>
            <UserTokens user_id=id username=token_owner.clone()/>
        </Show>
        <History entries=details.history.clone() username=row.username.clone()/>
    }
    .into_any()
}

/// The details of a user the viewer may not edit (or who is deleted).
#[component]
fn ReadOnlyDetails(details: UserDetails) -> impl IntoView {
    let row = details.row;
    let dash = || "—".to_owned();
    view! {
        <dl class="details">
            <dt>"Username"</dt>
            <dd>{row.username}</dd>
            <dt>"Email Address"</dt>
            <dd>{row.email}</dd>
            <dt>"Name"</dt>
            <dd>{row.name}</dd>
            <dt>"Phone #"</dt>
            <dd>{row.phone.unwrap_or_else(dash)}</dd>
            <dt>"Phone EXT"</dt>
            <dd>{row.phone_ext.unwrap_or_else(dash)}</dd>
            <dt>"Roles"</dt>
            <dd>{row.roles.join(", ")}</dd>
            <dt>"Teams"</dt>
            <dd>{if details.teams.is_empty() { dash() } else { details.teams.join(", ") }}</dd>
        </dl>
    }
    .into_any()
}

#[component]
fn EditForm(details: UserDetails, reload: RwSignal<u32>) -> impl IntoView {
    let row = details.row.clone();
    let draft = ProfileDraft::new(ProfileValues {
        username: row.username.clone(),
        email: row.email.clone(),
        name: row.name.clone(),
        phone: row.phone.clone().unwrap_or_default(),
        phone_ext: row.phone_ext.clone().unwrap_or_default(),
        roles: row.roles.clone(),
        teams: details.teams.clone(),
    });
    let active = RwSignal::new(row.active);
    let save = ServerAction::<UpdateUser>::new();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let old_username = row.username.clone();
    let server_error = move |field: FormField| error_on(save.value().get(), field);
    let other_error = move || error_elsewhere(save.value().get(), &PROFILE_FIELDS);
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            toasts.show(ToastKind::Success, format!("Saved {}.", saved.row.username));
            if saved.row.username != old_username {
                // The page's address follows the username.
                navigate(
                    &format!("/users/{}", saved.row.username),
                    Default::default(),
                );
            } else {
                reload.update(|n| *n += 1);
            }
        }
    });
    let (id, version) = (row.id, details.version);
    // The server refuses a change to one's own roles; the boxes say so first.
    let me = use_current_user();
    let roles_fixed = Signal::derive(move || {
        me.get()
            .is_some_and(|u| u.user_id == id)
            .then(|| "You cannot change your own roles. Ask another administrator.".to_owned())
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !draft.ready_to_send() {
            return;
        }
        save.dispatch(UpdateUser {
            edit: UserEdit {
                id,
                version,
                username: draft.username.get_untracked(),
                email: draft.email.get_untracked(),
                name: draft.name.get_untracked(),
                phone: draft.phone.get_untracked(),
                phone_ext: draft.phone_ext.get_untracked(),
                active: active.get_untracked(),
                roles: draft.roles.get_untracked(),
                teams: draft.teams.get_untracked(),
            },
        });
    };
    view! {
        <form class="form" on:submit=on_submit novalidate>
            <ProfileFields
                draft
                role_options=details.role_options.clone()
                team_options=details.team_options.clone()
                server_error=server_error
                roles_fixed=roles_fixed
            />
            <div class="field">
                <Checkbox id="field-active" label="Active (inactive users cannot sign in)" checked=active/>
                {move || server_error(FormField::Active).map(|e| view! { <p class="field-error">{e}</p> })}
            </div>
            {move || other_error().map(|e| view! { <Notice kind=NoticeKind::Error>{e}</Notice> })}
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    "Save changes"
                </button>
            </div>
        </form>
    }
    .into_any()
}

#[component]
fn Sessions(user_id: i64, sessions: Vec<SessionRow>, reload: RwSignal<u32>) -> impl IntoView {
    let user = use_current_user();
    let may_end = move || user.get().is_some_and(|u| u.can(Permission::ForceSignOut));
    let end = ServerAction::<EndUserSession>::new();
    let toasts = use_toasts();
    Effect::new(move |_| match end.value().get() {
        Some(Ok(())) => {
            toasts.show(ToastKind::Success, "The session has ended.");
            reload.update(|n| *n += 1);
        }
        Some(Err(error)) => toasts.show(ToastKind::Error, error.to_string()),
        None => {}
    });
    if sessions.is_empty() {
        return view! { <p class="muted">"No open sessions."</p> }.into_any();
    }
    view! {
        <h3>{format!("Open sessions ({})", sessions.len())}</h3>
        <SessionTable
            list=sessions
            can_sign_out=Signal::derive(may_end)
            pending=end.pending()
            on_sign_out=Callback::new(move |(session_id, _)| {
                end.dispatch(EndUserSession { user_id, session_id });
            })
        />
    }
    .into_any()
}

#[component]
fn History(entries: Vec<HistoryEntry>, username: String) -> impl IntoView {
    let dash = || "—".to_owned();
    let user = use_current_user();
    let may_audit = move || user.get().is_some_and(|u| u.can(Permission::ViewAuditLog));
    let audit_href = format!("/audit?target={username}");
    view! {
        <section class="card" aria-labelledby="history-heading">
            <h2 id="history-heading">"Change history"</h2>
            <Show when=may_audit>
                <p><A href=crate::components::in_base(audit_href.clone())>{format!("Every audit entry about {username}")}</A></p>
            </Show>
            {if entries.is_empty() {
                view! { <p class="muted">"Nothing recorded yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">"When"</th>
                                    <th scope="col">"Who"</th>
                                    <th scope="col">"What"</th>
                                    <th scope="col">"Field"</th>
                                    <th scope="col">"From"</th>
                                    <th scope="col">"To"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {entries
                                    .into_iter()
                                    .map(|e| view! {
                                        <tr>
                                            <td class="nowrap">{e.at}</td>
                                            <td>{e.by}</td>
                                            <td>{e.action}</td>
                                            <td>{e.field.unwrap_or_else(dash)}</td>
                                            <td>{e.old_value.unwrap_or_else(dash)}</td>
                                            <td>{e.new_value.unwrap_or_else(dash)}</td>
                                        </tr>
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
    .into_any()
}
