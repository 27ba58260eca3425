//! The user page's work: reading one user with their sessions and history,
//! saving an edit (validated again here, refused when someone else saved
//! first), and deleting a user for good.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
};

use crate::audit::AuditAction;
use crate::audit::service::{Actor, AuditEvent, record};
use crate::auth::service::{SessionUser, live_session, revoke_other_sessions};
use crate::auth::settings::AuthSettings;
use crate::auth::{Permission, SessionEndReason};
use crate::db::begin_write;
use crate::domain::{FormField, table_time};
use crate::entities::{
    audit_entry, email_outbox, role, role_permission, session, team, user, user_role, user_team,
};
use crate::error::{AppError, AppResult};
use crate::users::create::service::{
    NewProfile, ensure_unique, find_roles_by_name, find_teams_by_name, map_unique_violation,
};
use crate::users::detail::api::{HistoryEntry, UserDetails, UserEdit};
use crate::users::table::service::{filter_options, row};

/// How many history entries the page shows.
const HISTORY: u64 = 100;

/// The user named `username` (any case), deleted or not.
pub async fn find_by_username(
    conn: &impl ConnectionTrait,
    username: &str,
) -> AppResult<user::Model> {
    user::Entity::find()
        .filter(
            Expr::expr(Func::lower(Expr::col(user::Column::Username)))
                .eq(username.trim().to_lowercase()),
        )
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// The user `key` names, deleted or not (the REST API's `{user}`): a key
/// of digits alone is an id, anything else a username. Never both, so a
/// user named "17" cannot stand in for the user whose id is 17.
pub async fn find_by_key(conn: &impl ConnectionTrait, key: &str) -> AppResult<user::Model> {
    let key = key.trim();
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
        let id = key.parse::<i64>().map_err(|_| AppError::NotFound)?;
        return user::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or(AppError::NotFound);
    }
    find_by_username(conn, key).await
}

pub(crate) async fn names_of_roles(
    conn: &impl ConnectionTrait,
    user_id: i64,
) -> AppResult<Vec<String>> {
    Ok(role::Entity::find()
        .select_only()
        .column(role::Column::Name)
        .join(sea_orm::JoinType::InnerJoin, role::Relation::UserRole.def())
        .filter(user_role::Column::UserId.eq(user_id))
        .order_by_asc(role::Column::Name)
        .into_tuple()
        .all(conn)
        .await?)
}

pub(crate) async fn names_of_teams(
    conn: &impl ConnectionTrait,
    user_id: i64,
) -> AppResult<Vec<String>> {
    Ok(team::Entity::find()
        .select_only()
        .column(team::Column::Name)
        .join(sea_orm::JoinType::InnerJoin, team::Relation::UserTeam.def())
        .filter(user_team::Column::UserId.eq(user_id))
        .order_by_asc(team::Column::Name)
        .into_tuple()
        .all(conn)
        .await?)
}

/// Everything the user page shows about `username`.
pub async fn user_details(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    username: &str,
    now: DateTime<Utc>,
) -> AppResult<UserDetails> {
    let account = find_by_username(db, username).await?;
    let roles = names_of_roles(db, account.id).await?;
    let teams = names_of_teams(db, account.id).await?;
    let sessions = session::Entity::find()
        .filter(session::Column::UserId.eq(account.id))
        // An impersonation is not one of the user's devices.
        .filter(session::Column::ImpersonatorSessionId.is_null())
        .filter(live_session(settings, now))
        .order_by_desc(session::Column::LastSeenAt)
        .all(db)
        .await?
        .into_iter()
        .map(|s| crate::components::SessionRow {
            id: s.id,
            started_at: table_time(s.created_at),
            last_seen_at: table_time(s.last_seen_at),
            ip: s.ip,
            client: s.client.unwrap_or_else(|| "Unknown client".to_owned()),
            is_current: false,
        })
        .collect();
    let history = audit_entry::Entity::find()
        .filter(audit_entry::Column::TargetUserId.eq(account.id))
        .order_by_desc(audit_entry::Column::OccurredAt)
        .order_by_desc(audit_entry::Column::Id)
        .limit(HISTORY)
        .all(db)
        .await?
        .into_iter()
        .map(history_entry)
        .collect();
    let options = filter_options(db).await?;
    let state = crate::domain::AccountState::of(&account, now);
    Ok(UserDetails {
        teams,
        version: account.version,
        suspended_reason: account.suspended_reason.clone(),
        invited: state.invited,
        deleted: state.deleted,
        locked: state.locked,
        suspended: state.suspended,
        sessions,
        history,
        role_options: options.roles,
        team_options: options.teams,
        row: row(account, roles, now),
    })
}

fn history_entry(entry: audit_entry::Model) -> HistoryEntry {
    let by = match (entry.actor_username, entry.impersonator_username) {
        (Some(actor), Some(impersonator)) => format!("{impersonator} as {actor}"),
        (Some(actor), None) => actor,
        (None, _) => entry.client.unwrap_or_else(|| "Roster".to_owned()),
    };
    HistoryEntry {
        at: table_time(entry.occurred_at),
        by,
        action: describe_action(&entry.action),
        field: entry.field,
        old_value: entry.old_value,
        new_value: entry.new_value,
    }
}

/// What a stored audit action means, in words. A key this version does not
/// know (written by another release) is shown as it is stored rather than
/// hidden: the entry still happened.
pub fn describe_action(key: &str) -> String {
    AuditAction::from_key(key).map_or_else(|| key.to_owned(), |a| a.description().to_owned())
}

/// What saving an edit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Updated {
    /// The username now (it may have changed: the page moves with it).
    pub username: String,
    /// The user was made inactive and signed out.
    pub sessions_ended: bool,
    /// Their roles changed: their open tabs learn their new permissions.
    pub roles_changed: bool,
}

/// One changed field: its name, old and new value as the history shows.
struct Change {
    field: &'static str,
    old: String,
    new: String,
}

/// Saves `edit` for `caller`. Every field is checked again by the shared
/// domain rules; a duplicate username or email is reported on its field;
/// an edit made against an older version is refused (nothing is written);
/// roles with permissions the caller lacks can be neither given nor taken.
#[tracing::instrument(skip_all, fields(user_id = edit.id))]
pub async fn save_edit(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    actor: &Actor,
    caller: &SessionUser,
    edit: &UserEdit,
) -> AppResult<Updated> {
    let txn = begin_write(db).await?;
    let updated = save_edit_in(&txn, settings, actor, caller, edit).await?;
    txn.commit().await?;
    Ok(updated)
}

/// [`save_edit`] inside the caller's transaction (SCIM writes its own
/// fields in the same one).
pub async fn save_edit_in(
    txn: &DatabaseTransaction,
    settings: &AuthSettings,
    actor: &Actor,
    caller: &SessionUser,
    edit: &UserEdit,
) -> AppResult<Updated> {
    let NewProfile {
        username,
        email,
        name,
        phone,
        phone_ext,
        ..
    } = NewProfile::parse(
        &edit.username,
        &edit.email,
        &edit.name,
        &edit.phone,
        &edit.phone_ext,
        edit.roles.clone(),
        edit.teams.clone(),
    )?;
    if edit.roles.iter().all(|r| r.trim().is_empty()) {
        return Err(AppError::validation(
            FormField::Roles,
            "Choose at least one role.",
        ));
    }
    if edit.id == caller.user_id && !edit.active {
        return Err(AppError::validation(
            FormField::Active,
            "You cannot make your own account inactive.",
        ));
    }

    let current = user::Entity::find_by_id(edit.id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if current.deleted_at.is_some() {
        return Err(AppError::Conflict {
            field: None,
            message: "This user is deleted. Restore them before editing.".to_owned(),
        });
    }
    if current.version != edit.version {
        return Err(stale());
    }
    let roles = find_roles_by_name(txn, &edit.roles).await?;
    let teams = find_teams_by_name(txn, &edit.teams).await?;
    ensure_unique(txn, &username, &email, Some(edit.id)).await?;

    let old_roles = names_of_roles(txn, edit.id).await?;
    let old_teams = names_of_teams(txn, edit.id).await?;
    let mut new_roles: Vec<String> = roles.iter().map(|r| r.name.clone()).collect();
    new_roles.sort();
    let mut new_teams: Vec<String> = teams.iter().map(|t| t.name.clone()).collect();
    new_teams.sort();
    let roles_changed = new_roles != old_roles;
    let control = if roles_changed {
        if edit.id == caller.user_id {
            return Err(AppError::validation(
                FormField::Roles,
                "You cannot change your own roles. Ask another administrator.",
            ));
        }
        check_role_changes(txn, caller, &old_roles, &new_roles).await?;
        Some(crate::roles::service::Control::count(txn).await?)
    } else {
        None
    };

    let text = |value: Option<&str>| value.unwrap_or("").to_owned();
    let active = |on: bool| if on { "active" } else { "inactive" }.to_owned();
    let mut changes = Vec::new();
    let mut push = |field, old: String, new: String| {
        if old != new {
            changes.push(Change { field, old, new });
        }
    };
    push("username", current.username.clone(), username.to_string());
    push("email", current.email.clone(), email.to_string());
    push("name", current.name.clone(), name.to_string());
    push(
        "phone",
        text(current.phone.as_deref()),
        text(phone.as_ref().map(|p| p.as_str())),
    );
    push(
        "phone_ext",
        text(current.phone_ext.as_deref()),
        text(phone_ext.as_ref().map(|p| p.as_str())),
    );
    push("is_active", active(current.is_active), active(edit.active));
    push("roles", old_roles.join(", "), new_roles.join(", "));
    push("teams", old_teams.join(", "), new_teams.join(", "));
    if changes.is_empty() {
        return Ok(Updated {
            username: current.username,
            sessions_ended: false,
            roles_changed: false,
        });
    }

    let now = Utc::now();
    let written = user::Entity::update_many()
        .col_expr(user::Column::Username, Expr::value(username.as_str()))
        .col_expr(user::Column::Email, Expr::value(email.as_str()))
        .col_expr(user::Column::Name, Expr::value(name.as_str()))
        .col_expr(
            user::Column::Phone,
            Expr::value(phone.as_ref().map(|p| p.to_string())),
        )
        .col_expr(
            user::Column::PhoneExt,
            Expr::value(phone_ext.as_ref().map(|p| p.to_string())),
        )
        .col_expr(user::Column::IsActive, Expr::value(edit.active))
        .col_expr(
            user::Column::ScimAttributes,
            Expr::value(crate::scim::users_service::kept_after_console_edit(
                &current,
                name.as_str(),
                email.as_str(),
                phone.as_ref().map(|p| p.as_str()),
                phone_ext.as_ref().map(|p| p.as_str()),
            )),
        )
        // SCIM's copies of the username and name parts describe the old
        // ones once these change in Roster: drop them.
        .col_expr(
            user::Column::ScimUserName,
            if current.username == username.as_str() {
                Expr::col(user::Column::ScimUserName)
            } else {
                Expr::value(Option::<String>::None)
            },
        )
        .col_expr(
            user::Column::GivenName,
            if current.name == name.as_str() {
                Expr::col(user::Column::GivenName)
            } else {
                Expr::value(Option::<String>::None)
            },
        )
        .col_expr(
            user::Column::FamilyName,
            if current.name == name.as_str() {
                Expr::col(user::Column::FamilyName)
            } else {
                Expr::value(Option::<String>::None)
            },
        )
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            user::Column::Version,
            Expr::col(user::Column::Version).add(1),
        )
        .filter(user::Column::Id.eq(edit.id))
        .filter(user::Column::Version.eq(edit.version))
        .exec(txn)
        .await
        .map_err(map_unique_violation)?;
    if written.rows_affected == 0 {
        return Err(stale());
    }
    if new_roles != old_roles {
        user_role::Entity::delete_many()
            .filter(user_role::Column::UserId.eq(edit.id))
            .exec(txn)
            .await?;
        user_role::Entity::insert_many(roles.iter().map(|r| user_role::ActiveModel {
            user_id: Set(edit.id),
            role_id: Set(r.id),
        }))
        .exec(txn)
        .await?;
    }
    if new_teams != old_teams {
        user_team::Entity::delete_many()
            .filter(user_team::Column::UserId.eq(edit.id))
            .exec(txn)
            .await?;
        if !teams.is_empty() {
            user_team::Entity::insert_many(teams.iter().map(|t| user_team::ActiveModel {
                user_id: Set(edit.id),
                team_id: Set(t.id),
            }))
            .exec(txn)
            .await?;
        }
    }
    for change in &changes {
        record(
            txn,
            actor,
            AuditEvent {
                target_user_id: Some(edit.id),
                target_username: Some(username.to_string()),
                field: Some(change.field),
                old_value: Some(change.old.clone()),
                new_value: Some(change.new.clone()),
                ..AuditEvent::new(AuditAction::Update)
            },
        )
        .await?;
    }
    let sessions_ended = current.is_active && !edit.active;
    if sessions_ended {
        revoke_other_sessions(
            txn,
            settings,
            edit.id,
            None,
            SessionEndReason::Deactivated,
            now,
        )
        .await?;
    }
    if let Some(control) = control {
        control.ensure_kept(txn).await?;
    }
    tracing::info!(changed = changes.len(), "user edited");
    Ok(Updated {
        username: username.to_string(),
        sessions_ended,
        roles_changed,
    })
}

fn stale() -> AppError {
    AppError::Conflict {
        field: None,
        message: "Someone else changed this user after you opened the page, so your changes were not saved. \
                  They are still in the form: reload the page to see the current details, then make your changes again."
            .to_owned(),
    }
}

/// Refuses giving a new user a role with a permission the caller lacks.
pub async fn check_role_grant(
    conn: &impl ConnectionTrait,
    caller: &SessionUser,
    roles: &[String],
) -> AppResult<()> {
    let roles: Vec<String> = find_roles_by_name(conn, roles)
        .await?
        .into_iter()
        .map(|r| r.name)
        .collect();
    check_role_changes(conn, caller, &[], &roles).await
}

/// Refuses giving or taking a role with a permission the caller lacks, so
/// nobody can hand out (or strip) more power than they have.
async fn check_role_changes(
    conn: &impl ConnectionTrait,
    caller: &SessionUser,
    old_roles: &[String],
    new_roles: &[String],
) -> AppResult<()> {
    let changed: Vec<&str> = old_roles
        .iter()
        .filter(|r| !new_roles.contains(r))
        .chain(new_roles.iter().filter(|r| !old_roles.contains(r)))
        .map(String::as_str)
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    // Every permission of every changed role, in one query.
    let granted: Vec<(String, String)> = role_permission::Entity::find()
        .select_only()
        .column(role::Column::Name)
        .column(role_permission::Column::Permission)
        .join(
            sea_orm::JoinType::InnerJoin,
            role_permission::Relation::Role.def(),
        )
        .filter(role::Column::Name.is_in(changed))
        .into_tuple()
        .all(conn)
        .await?;
    let beyond = granted.iter().find(|(_, key)| {
        Permission::from_key(key).is_some_and(|permission| !caller.can(permission))
    });
    if let Some((name, _)) = beyond {
        return Err(AppError::validation(
            FormField::Roles,
            format!(
                "You cannot give or take the role '{name}': it allows things you may not do yourself."
            ),
        ));
    }
    Ok(())
}

/// Deletes a soft-deleted user for good: their row, roles, teams, sessions
/// and links go; their history stays, without the personal data it held, and
/// a last entry records the deletion (the tombstone).
pub async fn purge_user(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: i64,
    confirm_username: &str,
) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let account = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if account.deleted_at.is_none() {
        return Err(AppError::validation(
            FormField::ConfirmUsername,
            "Only deleted users can be deleted permanently. Delete the user first.",
        ));
    }
    if confirm_username.trim().to_lowercase() != account.username {
        return Err(AppError::validation(
            FormField::ConfirmUsername,
            format!(
                "Type the username '{}' exactly to confirm.",
                account.username
            ),
        ));
    }
    // The history keeps what happened, not who the person was.
    audit_entry::Entity::update_many()
        .col_expr(audit_entry::Column::OldValue, Expr::value(None::<String>))
        .col_expr(audit_entry::Column::NewValue, Expr::value(None::<String>))
        .filter(audit_entry::Column::TargetUserId.eq(user_id))
        .filter(audit_entry::Column::Field.is_in(["email", "name", "phone", "phone_ext"]))
        .exec(&txn)
        .await?;
    audit_entry::Entity::update_many()
        .col_expr(audit_entry::Column::Details, Expr::value(None::<String>))
        .filter(audit_entry::Column::TargetUserId.eq(user_id))
        .filter(
            audit_entry::Column::Action
                .is_in([AuditAction::Create.key(), AuditAction::Invite.key()]),
        )
        .exec(&txn)
        .await?;
    email_outbox::Entity::delete_many()
        .filter(email_outbox::Column::Recipient.eq(account.email.as_str()))
        .exec(&txn)
        .await?;
    user::Entity::delete_by_id(user_id).exec(&txn).await?;
    record(
        &txn,
        actor,
        AuditEvent {
            target_user_id: Some(user_id),
            target_username: Some(account.username.clone()),
            ..AuditEvent::new(AuditAction::Purge)
        },
    )
    .await?;
    txn.commit().await?;
    tracing::info!(user_id, "user deleted permanently");
    Ok(())
}
