//! Teams: the list with member counts, one team's page (its members paged
//! and searched on the server, never all loaded), creating, renaming and
//! deleting teams, and adding or removing members in sets: one transaction,
//! one `INSERT … SELECT` (or `DELETE`) and one audit entry per user changed,
//! whether it is three users picked on the team page or every user matching
//! a Users table view.

use chrono::Utc;
use sea_orm::sea_query::{
    Alias, Asterisk, CommonTableExpression, Expr, Func, InsertStatement, OnConflict, Query,
    SelectStatement, SimpleExpr, WithClause, WithQuery,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait, ExprTrait, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, SqlErr, StatementBuilder,
    TransactionTrait,
};

use super::api::{Candidate, TeamDetails, TeamMember, TeamSummary};
use super::{CANDIDATES, MEMBERS_PER_PAGE};
use crate::audit::AuditAction;
use crate::audit::service::{
    Actor, AuditEvent, audit_insert, entries_per_user, record, record_rows,
};
use crate::db::{Window, begin_write, sqlite_users_index};
use crate::directory::Selection;
use crate::directory::filter::search_condition;
use crate::directory::selection::{id_among, selected};
use crate::domain::{Description, FormField, TeamName};
use crate::entities::{audit_entry, team, user, user_team};
use crate::error::{AppError, AppResult};
use crate::users::bulk::api::{BulkOutcome, Skipped};

/// How many skipped usernames a result names (the rest are counted).
const EXAMPLES: usize = 5;

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
fn member_of_team(team_id: i64) -> sea_orm::sea_query::SimpleExpr {
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

/// Whether users join or leave the team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    Add,
    Remove,
}

impl Membership {
    /// "Added 48 users to Support", "Removed 3 users from Support".
    fn done(self, team: &str) -> (&'static str, String) {
        match self {
            Membership::Add => ("Added", format!(" to {team}")),
            Membership::Remove => ("Removed", format!(" from {team}")),
        }
    }
}

/// Adds the selected users to team `team_name`, or removes them: one
/// transaction, set-based, one audit entry per user changed. Users already
/// in (or not in) the team, and deleted users when adding, are skipped and
/// named in the result.
#[tracing::instrument(skip_all, fields(team = team_name, change = ?change))]
pub async fn change_members(
    db: &DatabaseConnection,
    actor: &Actor,
    team_name: &str,
    change: Membership,
    selection: &Selection,
) -> AppResult<BulkOutcome> {
    let txn = begin_write(db).await?;
    let done = change_members_in(&txn, actor, team_name, change, selection).await?;
    txn.commit().await?;
    Ok(done)
}

/// [`change_members`] inside the caller's transaction.
pub async fn change_members_in(
    txn: &DatabaseTransaction,
    actor: &Actor,
    team_name: &str,
    change: Membership,
    selection: &Selection,
) -> AppResult<BulkOutcome> {
    if selection == &Selection::Everyone {
        return Err(AppError::validation(
            FormField::Selection,
            "Select the users to change, or all matching a view.",
        ));
    }
    let now = Utc::now();
    let team = find_by_name(txn, team_name).await?.ok_or_else(|| {
        AppError::validation(
            FormField::Team,
            format!("There is no team \u{201c}{}\u{201d}.", team_name.trim()),
        )
    })?;
    // Set-based from here on: the selection is never sent to this process
    // whole. One pass counts who is skipped and why (a few names each); one
    // statement then adds (or removes) the rest and says whom it changed.
    crate::db::room_for_bulk_work(txn).await?;
    let chosen = selected(txn, selection, now).await?;
    let member = member_of_team(team.id);
    let deleted = user::Column::DeletedAt.is_not_null();
    let (rules, changing) = match change {
        Membership::Add => (
            vec![
                ("already members", member.clone()),
                ("deleted", member.clone().not().and(deleted.clone())),
            ],
            member.not().and(deleted.not()),
        ),
        Membership::Remove => (vec![("not members", member.clone().not())], member),
    };
    let skipped = skipped_by(txn, &chosen, &rules).await?;
    let changing = Query::select()
        .column(user::Column::Id)
        .from(user::Entity)
        .cond_where(chosen)
        .and_where(changing)
        .to_owned();
    let backend = txn.get_database_backend();
    let action = match change {
        Membership::Add => AuditAction::TeamMemberAdd,
        Membership::Remove => AuditAction::TeamMemberRemove,
    };
    // One audit entry per user changed, in id order (the audit indexes by
    // target then take their entries in order).
    let entries = entries_per_user(
        actor,
        now,
        action,
        Some("team"),
        Expr::value(team.name.clone()),
        Some(serde_json::json!({ "team": team.name }).to_string()),
    )
    .from(user::Entity)
    .order_by(user::Column::Id, Order::Asc)
    .to_owned();
    let changed: Vec<i64> = match change {
        Membership::Add => {
            // In id order: both indexes of `user_teams` and the checks of
            // each membership's user then read their pages in order.
            let mut rows = changing;
            rows.expr(Expr::value(team.id))
                .order_by(user::Column::Id, Order::Asc);
            let mut insert = Query::insert()
                .into_table(user_team::Entity)
                .columns([user_team::Column::UserId, user_team::Column::TeamId])
                .select_from(rows)
                .map_err(|e| {
                    tracing::error!(error = %e, "building the team insert failed");
                    AppError::Internal
                })?
                .returning_col(user_team::Column::UserId)
                .to_owned();
            if backend == DbBackend::Postgres {
                // The memberships and their audit entries in one statement:
                // the ids added never travel to this process and back
                // (98,000 of them cost 0.1 s each way).
                let record = recording_added(entries)?;
                let added = insert_memberships(txn, &mut insert, |insert| {
                    added_and_recorded(insert, &record)
                })
                .await?;
                let succeeded: i64 = match added.first() {
                    Some(row) => row.try_get("", "added")?,
                    None => 0,
                };
                let (done, rest) = change.done(&team.name);
                return Ok(BulkOutcome {
                    action: format!("{done}{rest}"),
                    succeeded: succeeded as u64,
                    skipped,
                });
            }
            ids_of(insert_memberships(txn, &mut insert, Clone::clone).await?)?
        }
        Membership::Remove => {
            let delete = Query::delete()
                .from_table(user_team::Entity)
                .and_where(user_team::Column::TeamId.eq(team.id))
                .and_where(user_team::Column::UserId.in_subquery(changing))
                .returning_col(user_team::Column::UserId)
                .to_owned();
            ids_of(txn.query_all(&delete).await?)?
        }
    };
    if !changed.is_empty() {
        let mut entries = entries;
        entries.and_where(id_among(backend, &changed));
        record_rows(txn, entries).await?;
    }
    let (done, rest) = change.done(&team.name);
    Ok(BulkOutcome {
        action: format!("{done}{rest}"),
        succeeded: changed.len() as u64,
        skipped,
    })
}

/// Runs `insert` of memberships. Someone else may have added one of them
/// since the selection was read (PostgreSQL; SQLite has one writer): then
/// the insert fails on the primary key and runs again skipping those.
/// Not `ON CONFLICT DO NOTHING` from the start: it checks the key before
/// each row and confirms each afterwards, which took 0.2 s of the 1.1 s
/// adding 98,000 members on PostgreSQL.
async fn insert_memberships<S: StatementBuilder>(
    txn: &DatabaseTransaction,
    insert: &mut InsertStatement,
    statement: impl Fn(&InsertStatement) -> S,
) -> AppResult<Vec<sea_orm::QueryResult>> {
    let attempt = txn.begin().await?;
    match attempt.query_all(&statement(insert)).await {
        Ok(rows) => {
            attempt.commit().await?;
            Ok(rows)
        }
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            attempt.rollback().await?;
            insert.on_conflict(
                OnConflict::columns([user_team::Column::UserId, user_team::Column::TeamId])
                    .do_nothing()
                    .to_owned(),
            );
            Ok(txn.query_all(&statement(insert)).await?)
        }
        Err(error) => Err(error.into()),
    }
}

/// PostgreSQL: the audit insert of one entry from `entries` for each
/// user the CTE `added` (below) added.
fn recording_added(entries: SelectStatement) -> AppResult<InsertStatement> {
    let mut entries = entries;
    entries.and_where(
        Expr::col((user::Entity, user::Column::Id)).in_subquery(
            Query::select()
                .column(user_team::Column::UserId)
                .from(Alias::new("added"))
                .to_owned(),
        ),
    );
    let mut record = audit_insert(entries)?;
    record.returning_col(audit_entry::Column::Id);
    Ok(record)
}

/// PostgreSQL: `insert` (memberships, `RETURNING user_id`) as `added`, and
/// `record` (from [`recording_added`]), as one statement saying how many
/// it added.
fn added_and_recorded(insert: &InsertStatement, record: &InsertStatement) -> WithQuery {
    let logged = Alias::new("logged");
    WithClause::new()
        .cte(
            CommonTableExpression::new()
                .query(insert.clone())
                .table_name(Alias::new("added"))
                .to_owned(),
        )
        .cte(
            CommonTableExpression::new()
                .query(record.clone())
                .table_name(logged.clone())
                .to_owned(),
        )
        .to_owned()
        .query(
            Query::select()
                .expr_as(Func::count(Expr::col(Asterisk)), Alias::new("added"))
                .from(logged)
                .to_owned(),
        )
}

/// How many of the selection each rule leaves alone, and the first few of
/// them by id: one pass over the selection, then one short read per rule
/// that left anybody alone. The rules do not overlap.
async fn skipped_by(
    conn: &impl ConnectionTrait,
    chosen: &Condition,
    rules: &[(&str, SimpleExpr)],
) -> AppResult<Vec<Skipped>> {
    let mut counting = Query::select();
    counting.from(user::Entity).cond_where(chosen.clone());
    for (index, (_, rule)) in rules.iter().enumerate() {
        let sum: SimpleExpr = Func::sum(Expr::case(rule.clone(), 1).finally(0)).into();
        counting.expr_as(
            Func::coalesce([sum, Expr::value(0)]),
            Alias::new(format!("rule_{index}")),
        );
    }
    let Some(counts) = conn.query_one(&counting).await? else {
        return Ok(Vec::new());
    };
    let mut skipped = Vec::new();
    for (index, (reason, rule)) in rules.iter().enumerate() {
        let count: i64 = counts.try_get("", &format!("rule_{index}"))?;
        if count > 0 {
            let examples: Vec<String> = user::Entity::find()
                .select_only()
                .column(user::Column::Username)
                .filter(chosen.clone())
                .filter(rule.clone())
                .order_by_asc(user::Column::Id)
                .limit(EXAMPLES as u64)
                .into_tuple()
                .all(conn)
                .await?;
            skipped.push(Skipped {
                reason: (*reason).to_owned(),
                count: count as u64,
                examples,
            });
        }
    }
    Ok(skipped)
}

/// The `user_id` of each row a `RETURNING user_id` gave back, sorted.
fn ids_of(rows: Vec<sea_orm::QueryResult>) -> AppResult<Vec<i64>> {
    let mut ids = rows
        .iter()
        .map(|row| row.try_get::<i64>("", "user_id"))
        .collect::<Result<Vec<_>, _>>()?;
    ids.sort_unstable();
    Ok(ids)
}
