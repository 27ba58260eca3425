//! Adding users to a team, or removing them, in sets ("Add Members", the
//! Users table's "Add to Team" and "Remove from Team", SCIM group changes):
//! one transaction, one pass counting who is skipped and why, one
//! statement changing the rest, and one audit entry per user changed.

use chrono::Utc;
use sea_orm::sea_query::{
    Alias, Asterisk, CommonTableExpression, Expr, Func, InsertStatement, OnConflict, Query,
    SelectStatement, SimpleExpr, WithClause, WithQuery,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    EntityTrait, ExprTrait, Order, QueryFilter, QueryOrder, QuerySelect, SqlErr, StatementBuilder,
    TransactionTrait,
};

use super::service::{find_by_name, member_of_team};
use crate::audit::AuditAction;
use crate::audit::service::{Actor, audit_insert, entries_per_user, record_rows};
use crate::db::begin_write;
use crate::directory::Selection;
use crate::directory::selection::{id_among, selected};
use crate::domain::FormField;
use crate::entities::{audit_entry, user, user_team};
use crate::error::{AppError, AppResult};
use crate::users::bulk::api::{BulkOutcome, Skipped};

/// How many skipped usernames a result names (the rest are counted).
const EXAMPLES: usize = 5;

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
    let succeeded = match change {
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
                match added.first() {
                    Some(row) => Ord::max(row.try_get::<i64>("", "added")?, 0) as u64,
                    None => 0,
                }
            } else {
                let changed = ids_of(insert_memberships(txn, &mut insert, Clone::clone).await?)?;
                record_changed(txn, entries, &changed).await?
            }
        }
        Membership::Remove => {
            let delete = Query::delete()
                .from_table(user_team::Entity)
                .and_where(user_team::Column::TeamId.eq(team.id))
                .and_where(user_team::Column::UserId.in_subquery(changing))
                .returning_col(user_team::Column::UserId)
                .to_owned();
            let changed = ids_of(txn.query_all(&delete).await?)?;
            record_changed(txn, entries, &changed).await?
        }
    };
    let (done, rest) = change.done(&team.name);
    Ok(BulkOutcome {
        action: format!("{done}{rest}"),
        succeeded,
        skipped,
    })
}

/// Writes one audit entry from `entries` for each user in `changed`, and
/// says how many users changed.
async fn record_changed(
    txn: &DatabaseTransaction,
    mut entries: SelectStatement,
    changed: &[i64],
) -> AppResult<u64> {
    if !changed.is_empty() {
        entries.and_where(id_among(txn.get_database_backend(), changed));
        record_rows(txn, entries).await?;
    }
    Ok(changed.len() as u64)
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
