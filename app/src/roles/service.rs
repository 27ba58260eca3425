//! Roles: listing them with their member counts, one role's page, and
//! creating, changing and deleting them, each in one transaction with its
//! audit entries.
//!
//! The rules that keep anyone from gaining power they were not given:
//! - nobody adds to (or takes from) a role a permission they do not hold
//!   ([`check_grants`]);
//! - Administrator keeps every permission; built-in roles keep their names
//!   and cannot be deleted;
//! - nobody deletes a role they have themselves (that would change their
//!   own roles);
//! - no change may leave nobody who can manage roles, or no Administrator
//!   ([`Control`]).
//!
//! Giving users roles is the user page's business
//! (`users::detail::service`), under the same rules.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
};

use super::api::{RoleDetails, RoleDraft, RoleEdit, RoleMember, RoleSummary};
use super::{ADMINISTRATOR, MEMBERS_PER_PAGE};
use crate::audit::AuditAction;
use crate::audit::service::{Actor, AuditEvent, record};
use crate::auth::Permission;
use crate::auth::service::SessionUser;
use crate::db::begin_write;
use crate::domain::{Description, FormField, RoleName};
use crate::effects::AfterCommit;
use crate::entities::{role, role_permission, user, user_role};
use crate::error::{AppError, AppResult};
use crate::live::hub::HubEvent;

/// The permissions of every role, by role id, sorted: one query. Keys no
/// longer known (written by another release) are left out.
async fn permissions_by_role(
    conn: &impl ConnectionTrait,
) -> AppResult<HashMap<i64, Vec<Permission>>> {
    let rows: Vec<(i64, String)> = role_permission::Entity::find()
        .select_only()
        .column(role_permission::Column::RoleId)
        .column(role_permission::Column::Permission)
        .into_tuple()
        .all(conn)
        .await?;
    let mut by_role: HashMap<i64, Vec<Permission>> = HashMap::new();
    for (role_id, key) in rows {
        if let Some(permission) = Permission::from_key(&key) {
            by_role.entry(role_id).or_default().push(permission);
        }
    }
    for permissions in by_role.values_mut() {
        permissions.sort();
    }
    Ok(by_role)
}

/// The permissions of one role, sorted.
async fn permissions_of_role(
    conn: &impl ConnectionTrait,
    role_id: i64,
) -> AppResult<Vec<Permission>> {
    let keys: Vec<String> = role_permission::Entity::find()
        .select_only()
        .column(role_permission::Column::Permission)
        .filter(role_permission::Column::RoleId.eq(role_id))
        .into_tuple()
        .all(conn)
        .await?;
    let mut permissions: Vec<Permission> = keys
        .iter()
        .filter_map(|k| Permission::from_key(k))
        .collect();
    permissions.sort();
    Ok(permissions)
}

/// Users who are not deleted, per role: one `GROUP BY`, not a query a role.
async fn users_by_role(conn: &impl ConnectionTrait) -> AppResult<HashMap<i64, u64>> {
    let rows: Vec<(i64, i64)> = user_role::Entity::find()
        .select_only()
        .column(user_role::Column::RoleId)
        .column_as(user_role::Column::UserId.count(), "users")
        .join(
            sea_orm::JoinType::InnerJoin,
            user_role::Relation::User.def(),
        )
        .filter(user::Column::DeletedAt.is_null())
        .group_by(user_role::Column::RoleId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(role_id, users)| (role_id, Ord::max(users, 0) as u64))
        .collect())
}

/// Every role by name, with its permissions and member count: three
/// queries whatever the number of roles.
pub async fn list_roles(conn: &impl ConnectionTrait) -> AppResult<Vec<RoleSummary>> {
    let roles = role::Entity::find()
        .order_by_asc(role::Column::Name)
        .all(conn)
        .await?;
    let mut permissions = permissions_by_role(conn).await?;
    let users = users_by_role(conn).await?;
    Ok(roles
        .into_iter()
        .map(|r| RoleSummary {
            users: users.get(&r.id).copied().unwrap_or(0),
            permissions: permissions.remove(&r.id).unwrap_or_default(),
            name: r.name,
            description: r.description,
            builtin: r.is_builtin,
        })
        .collect())
}

/// The role called `name`, in any case.
pub async fn find_by_name(
    conn: &impl ConnectionTrait,
    name: &str,
) -> AppResult<Option<role::Model>> {
    Ok(role::Entity::find()
        .filter(
            Expr::expr(Func::lower(Expr::col(role::Column::Name))).eq(name.trim().to_lowercase()),
        )
        .one(conn)
        .await?)
}

/// Whether this is the built-in Administrator, which keeps every permission.
fn keeps_everything(role: &role::Model) -> bool {
    role.is_builtin && role.name == ADMINISTRATOR
}

/// `/roles/NAME`: the role and page `page` (1-based, clamped) of its members.
pub async fn role_details(
    conn: &impl ConnectionTrait,
    caller: &SessionUser,
    name: &str,
    page: u64,
) -> AppResult<RoleDetails> {
    let role = find_by_name(conn, name).await?.ok_or(AppError::NotFound)?;
    let members = user::Entity::find()
        .join(sea_orm::JoinType::InnerJoin, user::Relation::UserRole.def())
        .filter(user_role::Column::RoleId.eq(role.id))
        .filter(user::Column::DeletedAt.is_null());
    let users = members.clone().count(conn).await?;
    let pages = Ord::max(users.div_ceil(MEMBERS_PER_PAGE), 1);
    let page = page.clamp(1, pages);
    let rows: Vec<(String, String, String)> = members
        .select_only()
        .column(user::Column::Username)
        .column(user::Column::Name)
        .column(user::Column::Email)
        .order_by_asc(user::Column::Username)
        .offset((page - 1) * MEMBERS_PER_PAGE)
        .limit(MEMBERS_PER_PAGE)
        .into_tuple()
        .all(conn)
        .await?;
    let other_roles: Vec<String> = role::Entity::find()
        .select_only()
        .column(role::Column::Name)
        .filter(role::Column::Id.ne(role.id))
        .order_by_asc(role::Column::Name)
        .into_tuple()
        .all(conn)
        .await?;
    let held_by_caller = user_role::Entity::find_by_id((caller.user_id, role.id))
        .one(conn)
        .await?
        .is_some();
    Ok(RoleDetails {
        id: role.id,
        permissions: permissions_of_role(conn, role.id).await?,
        keeps_everything: keeps_everything(&role),
        name: role.name,
        description: role.description,
        builtin: role.is_builtin,
        version: role.version,
        users,
        members: rows
            .into_iter()
            .map(|(username, name, email)| RoleMember {
                username,
                name,
                email,
            })
            .collect(),
        page,
        pages,
        other_roles,
        held_by_caller,
    })
}

/// Refuses a change from `old` to `new` permissions that adds or removes
/// one `caller` does not hold: nobody hands out, or strips, more power than
/// they have.
pub fn check_grants(
    caller: &[Permission],
    old: &[Permission],
    new: &[Permission],
) -> AppResult<()> {
    let added = new.iter().find(|p| !old.contains(p) && !caller.contains(p));
    if let Some(p) = added {
        return Err(AppError::validation(
            FormField::Permissions,
            format!(
                "You cannot grant \u{201c}{}\u{201d}: you do not hold it yourself.",
                p.label()
            ),
        ));
    }
    let removed = old.iter().find(|p| !new.contains(p) && !caller.contains(p));
    if let Some(p) = removed {
        return Err(AppError::validation(
            FormField::Permissions,
            format!(
                "You cannot remove \u{201c}{}\u{201d}: you do not hold it yourself.",
                p.label()
            ),
        ));
    }
    Ok(())
}

/// How many users (not deleted) can manage roles, and how many are
/// Administrators. A change that takes either from some to none is refused:
/// nobody would be left to undo it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Control {
    pub role_managers: i64,
    pub administrators: i64,
}

/// Users (not deleted) who can manage roles, or who are Administrators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InControl {
    RoleManagers,
    Administrators,
}

impl InControl {
    fn condition(self) -> sea_orm::Condition {
        let roles = match self {
            InControl::RoleManagers => Query::select()
                .column(role_permission::Column::RoleId)
                .from(role_permission::Entity)
                .and_where(role_permission::Column::Permission.eq(Permission::ManageRoles.key()))
                .to_owned(),
            InControl::Administrators => Query::select()
                .column(role::Column::Id)
                .from(role::Entity)
                .and_where(role::Column::Name.eq(ADMINISTRATOR))
                .and_where(role::Column::IsBuiltin.eq(true))
                .to_owned(),
        };
        sea_orm::Condition::all()
            .add(user::Column::DeletedAt.is_null())
            .add(
                user::Column::Id.in_subquery(
                    Query::select()
                        .column(user_role::Column::UserId)
                        .from(user_role::Entity)
                        .and_where(user_role::Column::RoleId.in_subquery(roles))
                        .to_owned(),
                ),
            )
    }

    async fn count(self, conn: &impl ConnectionTrait) -> AppResult<i64> {
        Ok(user::Entity::find()
            .filter(self.condition())
            .count(conn)
            .await? as i64)
    }

    async fn ids(self, conn: &impl ConnectionTrait) -> AppResult<Vec<i64>> {
        Ok(user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(self.condition())
            .order_by_asc(user::Column::Id)
            .into_tuple()
            .all(conn)
            .await?)
    }
}

/// Of `ids` (sorted; users about to be deleted), those to keep so that
/// someone who can manage roles, and an Administrator, remain: all of a
/// group when the deletion would take every one of them.
pub async fn last_in_control(conn: &impl ConnectionTrait, ids: &[i64]) -> AppResult<Vec<i64>> {
    let mut keep = Vec::new();
    for group in [InControl::RoleManagers, InControl::Administrators] {
        let holders = group.ids(conn).await?;
        if !holders.is_empty() && holders.iter().all(|id| ids.binary_search(id).is_ok()) {
            keep.extend(holders);
        }
    }
    keep.sort_unstable();
    keep.dedup();
    Ok(keep)
}

impl Control {
    pub async fn count(conn: &impl ConnectionTrait) -> AppResult<Self> {
        Ok(Control {
            role_managers: InControl::RoleManagers.count(conn).await?,
            administrators: InControl::Administrators.count(conn).await?,
        })
    }

    /// Refuses the change just made (the caller rolls back) if it left
    /// nobody who can manage roles, or no Administrator, where there were.
    pub async fn ensure_kept(self, conn: &impl ConnectionTrait) -> AppResult<()> {
        let now = Control::count(conn).await?;
        if self.role_managers > 0 && now.role_managers == 0 {
            return Err(AppError::Conflict {
                field: None,
                message: "This would leave nobody who can manage roles, so it was not done."
                    .to_owned(),
            });
        }
        if self.administrators > 0 && now.administrators == 0 {
            return Err(AppError::Conflict {
                field: None,
                message: "This would leave no Administrator, so it was not done.".to_owned(),
            });
        }
        Ok(())
    }
}

fn stale() -> AppError {
    AppError::Conflict {
        field: None,
        message: "Someone else changed this role after you opened the page, so your changes were not saved. \
                  Reload the page to see the role as it is now, then make your changes again."
            .to_owned(),
    }
}

fn parse_name(name: &str) -> AppResult<RoleName> {
    RoleName::parse(name).map_err(|e| AppError::validation(FormField::GroupName, e))
}

fn parse_description(description: &str) -> AppResult<Description> {
    Description::parse(description).map_err(|e| AppError::validation(FormField::Description, e))
}

/// Sorted, each once.
fn normalised(permissions: &[Permission]) -> Vec<Permission> {
    let mut permissions = permissions.to_vec();
    permissions.sort();
    permissions.dedup();
    permissions
}

fn keys(permissions: &[Permission]) -> Vec<&'static str> {
    permissions.iter().map(|p| p.key()).collect()
}

/// Refuses a name another role has (any case), except role `except`.
async fn ensure_unique(
    conn: &impl ConnectionTrait,
    name: &RoleName,
    except: Option<i64>,
) -> AppResult<()> {
    if let Some(existing) = find_by_name(conn, name.as_str()).await?
        && Some(existing.id) != except
    {
        return Err(AppError::conflict(
            FormField::GroupName,
            format!(
                "There is already a role called \u{201c}{}\u{201d}.",
                existing.name
            ),
        ));
    }
    Ok(())
}

async fn write_permissions(
    conn: &impl ConnectionTrait,
    role_id: i64,
    old: &[Permission],
    new: &[Permission],
) -> AppResult<()> {
    let removed: Vec<&str> = old
        .iter()
        .filter(|p| !new.contains(p))
        .map(|p| p.key())
        .collect();
    if !removed.is_empty() {
        role_permission::Entity::delete_many()
            .filter(role_permission::Column::RoleId.eq(role_id))
            .filter(role_permission::Column::Permission.is_in(removed))
            .exec(conn)
            .await?;
    }
    let added: Vec<role_permission::ActiveModel> = new
        .iter()
        .filter(|p| !old.contains(p))
        .map(|p| role_permission::ActiveModel {
            role_id: Set(role_id),
            permission: Set(p.key().to_owned()),
        })
        .collect();
    if !added.is_empty() {
        role_permission::Entity::insert_many(added)
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// New Role (and Copy, which starts from another role's permissions).
/// Returns the new role's name.
#[tracing::instrument(skip_all)]
pub async fn create_role(
    db: &DatabaseConnection,
    actor: &Actor,
    caller: &SessionUser,
    draft: &RoleDraft,
) -> AppResult<String> {
    let name = parse_name(&draft.name)?;
    let description = parse_description(&draft.description)?;
    let permissions = normalised(&draft.permissions);
    check_grants(&caller.permissions, &[], &permissions)?;
    let txn = begin_write(db).await?;
    ensure_unique(&txn, &name, None).await?;
    let now = Utc::now();
    let created = role::ActiveModel {
        name: Set(name.as_str().to_owned()),
        description: Set(description.as_str().to_owned()),
        is_builtin: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| unique_violation(e, &name))?;
    write_permissions(&txn, created.id, &[], &permissions).await?;
    record(
        &txn,
        actor,
        AuditEvent {
            field: Some("permissions"),
            new_value: Some(keys(&permissions).join(", ")),
            details: Some(serde_json::json!({
                "role": created.name,
                "description": created.description,
                "permissions": keys(&permissions),
            })),
            ..AuditEvent::new(AuditAction::RoleCreate)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(created.name)
}

/// A concurrent New Role with the same name loses at the unique index.
fn unique_violation(error: sea_orm::DbErr, name: &RoleName) -> AppError {
    if matches!(
        error.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    ) {
        AppError::conflict(
            FormField::GroupName,
            format!("There is already a role called \u{201c}{name}\u{201d}."),
        )
    } else {
        error.into()
    }
}

/// Saves the role page: name, description, permissions. Returns the name
/// as stored and, when the permissions changed, the news for its holders'
/// open tabs.
#[tracing::instrument(skip_all, fields(role_id = edit.id))]
pub async fn update_role(
    db: &DatabaseConnection,
    actor: &Actor,
    caller: &SessionUser,
    edit: &RoleEdit,
) -> AppResult<(String, AfterCommit)> {
    let name = parse_name(&edit.name)?;
    let description = parse_description(&edit.description)?;
    let permissions = normalised(&edit.permissions);
    let txn = begin_write(db).await?;
    let current = role::Entity::find_by_id(edit.id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if current.version != edit.version {
        return Err(stale());
    }
    if current.is_builtin && name.as_str() != current.name {
        return Err(AppError::validation(
            FormField::GroupName,
            "Built-in roles keep their names. Copy it to make a role of your own.",
        ));
    }
    if keeps_everything(&current) && permissions != Permission::ALL.to_vec() {
        return Err(AppError::validation(
            FormField::Permissions,
            "Administrator keeps every permission.",
        ));
    }
    let old = permissions_of_role(&txn, current.id).await?;
    check_grants(&caller.permissions, &old, &permissions)?;
    ensure_unique(&txn, &name, Some(current.id)).await?;
    let control = Control::count(&txn).await?;

    let mut changes: Vec<(&'static str, String, String)> = Vec::new();
    if name.as_str() != current.name {
        changes.push(("name", current.name.clone(), name.as_str().to_owned()));
    }
    if description.as_str() != current.description {
        changes.push((
            "description",
            current.description.clone(),
            description.as_str().to_owned(),
        ));
    }
    let permissions_changed = old != permissions;
    if permissions_changed {
        changes.push((
            "permissions",
            keys(&old).join(", "),
            keys(&permissions).join(", "),
        ));
    }
    if changes.is_empty() {
        return Ok((current.name, AfterCommit::none()));
    }
    let role_id = current.id;
    let old_name = current.name.clone();
    let mut active: role::ActiveModel = current.into();
    active.name = Set(name.as_str().to_owned());
    active.description = Set(description.as_str().to_owned());
    active.version = Set(edit.version + 1);
    active.updated_at = Set(Utc::now());
    active
        .update(&txn)
        .await
        .map_err(|e| unique_violation(e, &name))?;
    if permissions_changed {
        write_permissions(&txn, role_id, &old, &permissions).await?;
    }
    for (field, old_value, new_value) in changes {
        record(
            &txn,
            actor,
            AuditEvent {
                field: Some(field),
                old_value: Some(old_value),
                new_value: Some(new_value),
                details: Some(serde_json::json!({
                    "role": old_name,
                    "old_permissions": keys(&old),
                    "new_permissions": keys(&permissions),
                })),
                ..AuditEvent::new(AuditAction::RoleUpdate)
            },
        )
        .await?;
    }
    control.ensure_kept(&txn).await?;
    txn.commit().await?;
    let after = if permissions_changed {
        AfterCommit::none().event(HubEvent::RoleChanged { role_id })
    } else {
        AfterCommit::none()
    };
    Ok((name.into_inner(), after))
}

/// Deletes a role that is not built in; its users (if any) move to
/// `move_to` in the same transaction.
#[tracing::instrument(skip_all, fields(role_id = id))]
pub async fn delete_role(
    db: &DatabaseConnection,
    actor: &Actor,
    caller: &SessionUser,
    id: i64,
    version: i32,
    move_to: Option<&str>,
) -> AppResult<AfterCommit> {
    let txn = begin_write(db).await?;
    let current = role::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if current.version != version {
        return Err(stale());
    }
    if current.is_builtin {
        return Err(AppError::Conflict {
            field: None,
            message: format!("{} is a built-in role and cannot be deleted.", current.name),
        });
    }
    if user_role::Entity::find_by_id((caller.user_id, id))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict {
            field: None,
            message: "You have this role yourself, and nobody can change their own roles. \
                      Ask another administrator to delete it."
                .to_owned(),
        });
    }
    let permissions = permissions_of_role(&txn, id).await?;
    // Taking the role from its users: the caller must hold what it allows.
    check_grants(&caller.permissions, &permissions, &[])?;
    let holders = user_role::Entity::find()
        .filter(user_role::Column::RoleId.eq(id))
        .count(&txn)
        .await?;
    let control = Control::count(&txn).await?;
    let mut moved_to = None;
    if holders > 0 {
        let wanted = move_to
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .ok_or_else(|| {
                AppError::validation(
                    FormField::MoveTo,
                    format!(
                        "{holders} {} this role: choose the role they move to.",
                        if holders == 1 {
                            "user has"
                        } else {
                            "users have"
                        }
                    ),
                )
            })?;
        let target = find_by_name(&txn, wanted).await?.ok_or_else(|| {
            AppError::validation(
                FormField::MoveTo,
                format!("There is no role \u{201c}{wanted}\u{201d}."),
            )
        })?;
        if target.id == id {
            return Err(AppError::validation(
                FormField::MoveTo,
                "Choose another role for its users.",
            ));
        }
        // Giving them the other role: the caller must hold what it allows.
        let target_permissions = permissions_of_role(&txn, target.id).await?;
        check_grants(&caller.permissions, &[], &target_permissions).map_err(|_| {
            AppError::validation(
                FormField::MoveTo,
                format!(
                    "You cannot give users the role \u{201c}{}\u{201d}: it allows things you may not do yourself.",
                    target.name
                ),
            )
        })?;
        let already = Query::select()
            .column(user_role::Column::UserId)
            .from(user_role::Entity)
            .and_where(user_role::Column::RoleId.eq(target.id))
            .to_owned();
        let moving = Query::select()
            .column(user_role::Column::UserId)
            .expr(Expr::value(target.id))
            .from(user_role::Entity)
            .and_where(user_role::Column::RoleId.eq(id))
            .and_where(user_role::Column::UserId.not_in_subquery(already))
            .to_owned();
        let insert = Query::insert()
            .into_table(user_role::Entity)
            .columns([user_role::Column::UserId, user_role::Column::RoleId])
            .select_from(moving)
            .map_err(|e| {
                tracing::error!(error = %e, "building the role move failed");
                AppError::Internal
            })?
            .to_owned();
        txn.execute(&insert).await?;
        moved_to = Some(target);
    }
    user_role::Entity::delete_many()
        .filter(user_role::Column::RoleId.eq(id))
        .exec(&txn)
        .await?;
    role_permission::Entity::delete_many()
        .filter(role_permission::Column::RoleId.eq(id))
        .exec(&txn)
        .await?;
    role::Entity::delete_by_id(id).exec(&txn).await?;
    record(
        &txn,
        actor,
        AuditEvent {
            field: Some("permissions"),
            old_value: Some(keys(&permissions).join(", ")),
            details: Some(serde_json::json!({
                "role": current.name,
                "permissions": keys(&permissions),
                "users_moved": holders,
                "moved_to": moved_to.as_ref().map(|t| t.name.clone()),
            })),
            ..AuditEvent::new(AuditAction::RoleDelete)
        },
    )
    .await?;
    control.ensure_kept(&txn).await?;
    txn.commit().await?;
    Ok(match moved_to {
        Some(target) => AfterCommit::none().event(HubEvent::RoleChanged { role_id: target.id }),
        None => AfterCommit::none(),
    })
}
