//! Teams: the list with member counts, one team's page (its members paged
//! and searched on the server, never all loaded), creating, renaming and
//! deleting teams. Adding or removing members in sets is in
//! `members_service` (re-exported at the end): one transaction, one
//! `INSERT … SELECT` (or `DELETE`) and one audit entry per user changed,
//! whether it is three users picked on the team page or every user matching
//! a Users table view.

use chrono::Utc;
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, EntityTrait, ExprTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};

use super::api::{Candidate, TeamDetails, TeamMember, TeamSummary};
use super::{CANDIDATES, MEMBERS_PER_PAGE};
use crate::audit::AuditAction;
use crate::audit::service::{Actor, AuditEvent, record};
use crate::db::{Window, begin_write, sqlite_users_index};
use crate::directory::filter::search_condition;
use crate::domain::{Description, FormField, TeamName};
use crate::entities::{team, user, user_team};
use crate::error::{AppError, AppResult};

/// Every team by name with its members (not deleted): one query, the
/// counts kept by triggers (migration 25).
pub async fn list_teams(conn: &impl ConnectionTrait) -> AppResult<Vec<TeamSummary>> {
    let teams = team::Entity::find()
        .order_by_asc(team::Column::Name)
        .all(conn)
        .await?;
    Ok(teams
        .into_iter()
        .map(|t| TeamSummary {
            members: Ord::max(t.member_count, 0) as u64,
            name: t.name,
            description: t.description,
        })
        .collect())
}

/// The team called `name`, in any case.
pub async fn find_by_name(
    conn: &impl ConnectionTrait,
    name: &str,
) -> AppResult<Option<team::Model>> {
    // The exact name first: SQLite's lower() folds ASCII only, so a name
    // such as "Équipe" is found as written wherever case folding differs.
    let exact = team::Entity::find()
        .filter(team::Column::Name.eq(name.trim()))
        .one(conn)
        .await?;
    if exact.is_some() {
        return Ok(exact);
    }
    Ok(team::Entity::find()
        .filter(
            Expr::expr(Func::lower(Expr::col(team::Column::Name))).eq(name.trim().to_lowercase()),
        )
        .one(conn)
        .await?)
}

/// `/teams/NAME`: the team and page `page` (1-based, clamped) of its
/// members whose username, email or name contains `q`.
///
/// Neither the count nor the page reads the whole team: the count is kept
/// on the team's row by triggers (migration 25), and the page walks the
/// users in username order, asking `user_teams` about each until it has a
/// page. A page in the second half is walked from the other end, so the
/// last page is as quick as the first.
pub async fn team_details(
    conn: &impl ConnectionTrait,
    name: &str,
    q: &str,
    page: u64,
) -> AppResult<TeamDetails> {
    let team = find_by_name(conn, name).await?.ok_or(AppError::NotFound)?;
    let members_total = Ord::max(team.member_count, 0) as u64;
    let q = q.trim();
    let backend = conn.get_database_backend();
    let mut members = user::Entity::find()
        .filter(user::Column::DeletedAt.is_null())
        .filter(in_team(team.id));
    let matching = if q.is_empty() {
        members_total
    } else {
        members = members.filter(search_condition(backend, q));
        members.clone().count(conn).await?
    };
    let pages = Ord::max(matching.div_ceil(MEMBERS_PER_PAGE), 1);
    let page = page.clamp(1, pages);
    let window = Window::nearer_end(matching, (page - 1) * MEMBERS_PER_PAGE, MEMBERS_PER_PAGE);
    let order = if window.reversed {
        Order::Desc
    } else {
        Order::Asc
    };
    let mut statement = members
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Username)
        .column(user::Column::Name)
        .column(user::Column::Email)
        .order_by(user::Column::Username, order)
        .offset(window.skip)
        .limit(window.take)
        .build(backend);
    if backend == DbBackend::Sqlite && q.is_empty() {
        // Left to itself SQLite reads the whole team from `user_teams` and
        // sorts it; the live users' username index is already in order.
        sqlite_users_index(&mut statement, "idx_users_live_username");
    }
    let mut rows = Vec::new();
    for row in conn.query_all_raw(statement).await? {
        rows.push(TeamMember {
            id: row.try_get_by_index(0)?,
            username: row.try_get_by_index(1)?,
            name: row.try_get_by_index(2)?,
            email: row.try_get_by_index(3)?,
        });
    }
    if window.reversed {
        rows.reverse();
    }
    Ok(TeamDetails {
        id: team.id,
        name: team.name,
        description: team.description,
        version: team.version,
        members_total,
        matching,
        members: rows,
        page,
        pages,
    })
}

/// "This user is in team `team_id`", asked of one user at a time (a
/// primary-key lookup in `user_teams`), so a walk in username order stops
/// as soon as it has a page.
fn in_team(team_id: i64) -> sea_orm::sea_query::SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(user_team::Entity)
            .and_where(
                Expr::col((user_team::Entity, user_team::Column::UserId))
                    .equals((user::Entity, user::Column::Id)),
            )
            .and_where(Expr::col((user_team::Entity, user_team::Column::TeamId)).eq(team_id))
            .to_owned(),
    )
}

/// "Add Members": up to [`CANDIDATES`] users (not deleted) matching `q`,
/// by username, each saying whether they are in the team already.
pub async fn candidates(
    conn: &impl ConnectionTrait,
    team_id: i64,
    q: &str,
) -> AppResult<Vec<Candidate>> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, String, String, String, bool)> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Username)
        .column(user::Column::Name)
        .column(user::Column::Email)
        .expr(member_of_team(team_id))
        .filter(user::Column::DeletedAt.is_null())
        .filter(search_condition(conn.get_database_backend(), q))
        .order_by_asc(user::Column::Username)
        .limit(CANDIDATES)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, username, name, email, member)| Candidate {
            id,
            username,
            name,
            email,
            member,
        })
        .collect())
}

/// `users.id` is a member of team `team_id`.
pub(super) fn member_of_team(team_id: i64) -> sea_orm::sea_query::SimpleExpr {
    user::Column::Id.in_subquery(
        Query::select()
            .column(user_team::Column::UserId)
            .from(user_team::Entity)
            .and_where(user_team::Column::TeamId.eq(team_id))
            .to_owned(),
    )
}

fn parse_name(name: &str) -> AppResult<TeamName> {
    TeamName::parse(name).map_err(|e| AppError::validation(FormField::GroupName, e))
}

fn parse_description(description: &str) -> AppResult<Description> {
    Description::parse(description).map_err(|e| AppError::validation(FormField::Description, e))
}

fn taken(name: &str) -> AppError {
    AppError::conflict(
        FormField::GroupName,
        format!("There is already a team called \u{201c}{name}\u{201d}."),
    )
}

/// Refuses a name another team has (any case), except team `except`.
async fn ensure_unique(
    conn: &impl ConnectionTrait,
    name: &TeamName,
    except: Option<i64>,
) -> AppResult<()> {
    match find_by_name(conn, name.as_str()).await? {
        Some(existing) if Some(existing.id) != except => Err(taken(&existing.name)),
        _ => Ok(()),
    }
}

/// A concurrent New Team with the same name loses at the unique index.
fn unique_violation(error: sea_orm::DbErr, name: &TeamName) -> AppError {
    if matches!(
        error.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    ) {
        taken(name.as_str())
    } else {
        error.into()
    }
}

fn stale() -> AppError {
    AppError::Conflict {
        field: None,
        message: "Someone else changed this team after you opened the page, so your changes were not saved. \
                  Reload the page to see the team as it is now, then make your changes again."
            .to_owned(),
    }
}

/// New Team; returns its name.
pub async fn create_team(
    db: &DatabaseConnection,
    actor: &Actor,
    name: &str,
    description: &str,
) -> AppResult<String> {
    let txn = begin_write(db).await?;
    let done = create_team_in(&txn, actor, name, description).await?;
    txn.commit().await?;
    Ok(done)
}

/// [`create_team`] inside the caller's transaction.
pub async fn create_team_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    name: &str,
    description: &str,
) -> AppResult<String> {
    let name = parse_name(name)?;
    let description = parse_description(description)?;
    ensure_unique(txn, &name, None).await?;
    let now = Utc::now();
    let created = team::ActiveModel {
        name: Set(name.as_str().to_owned()),
        description: Set(description.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|e| unique_violation(e, &name))?;
    record(
        txn,
        actor,
        AuditEvent {
            new_value: Some(created.name.clone()),
            details: Some(serde_json::json!({
                "team": created.name,
                "description": created.description,
            })),
            ..AuditEvent::new(AuditAction::TeamCreate)
        },
    )
    .await?;
    Ok(created.name)
}

/// Renames or describes a team; returns its name as now stored.
pub async fn update_team(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    version: i32,
    name: &str,
    description: &str,
) -> AppResult<String> {
    let txn = begin_write(db).await?;
    let done = update_team_in(&txn, actor, id, version, name, description).await?;
    txn.commit().await?;
    Ok(done)
}

/// [`update_team`] inside the caller's transaction.
pub async fn update_team_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: i64,
    version: i32,
    name: &str,
    description: &str,
) -> AppResult<String> {
    let name = parse_name(name)?;
    let description = parse_description(description)?;
    let current = team::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if current.version != version {
        return Err(stale());
    }
    ensure_unique(txn, &name, Some(id)).await?;
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
    if changes.is_empty() {
        return Ok(current.name);
    }
    let old_name = current.name.clone();
    let mut active: team::ActiveModel = current.into();
    active.name = Set(name.as_str().to_owned());
    active.description = Set(description.as_str().to_owned());
    active.version = Set(version + 1);
    active.updated_at = Set(Utc::now());
    active
        .update(txn)
        .await
        .map_err(|e| unique_violation(e, &name))?;
    for (field, old_value, new_value) in changes {
        record(
            txn,
            actor,
            AuditEvent {
                field: Some(field),
                old_value: Some(old_value),
                new_value: Some(new_value),
                details: Some(serde_json::json!({ "team": old_name })),
                ..AuditEvent::new(AuditAction::TeamUpdate)
            },
        )
        .await?;
    }
    Ok(name.into_inner())
}

/// Deletes a team; its members stay users, only their membership goes.
pub async fn delete_team(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    version: i32,
) -> AppResult<()> {
    let txn = begin_write(db).await?;
    delete_team_in(&txn, actor, id, version).await?;
    txn.commit().await?;
    Ok(())
}

/// [`delete_team`] inside the caller's transaction.
pub async fn delete_team_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: i64,
    version: i32,
) -> AppResult<()> {
    let current = team::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if current.version != version {
        return Err(stale());
    }
    let removed = user_team::Entity::delete_many()
        .filter(user_team::Column::TeamId.eq(id))
        .exec(txn)
        .await?
        .rows_affected;
    team::Entity::delete_by_id(id).exec(txn).await?;
    record(
        txn,
        actor,
        AuditEvent {
            old_value: Some(current.name.clone()),
            details: Some(serde_json::json!({
                "team": current.name,
                "members": removed,
            })),
            ..AuditEvent::new(AuditAction::TeamDelete)
        },
    )
    .await?;
    Ok(())
}

// Callers name one service for teams; the set-based membership changes
// live in their own file.
pub use super::members_service::{Membership, change_members, change_members_in};
