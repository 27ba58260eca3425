//! Reading the audit log: the Audit page's pages and one entry's details.
//!
//! Pages are found by keyset, never by OFFSET: entries are ordered newest
//! first by (occurred_at, id), and a page starts just before or after the
//! (occurred_at, id) of an entry of its neighbour. Each filter has an index
//! that ends in (occurred_at, id) (migration `…000019`), so every page, the
//! last of millions included, is an index range of one page's length.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Statement, Value,
};

use super::action::AuditAction;
use super::api::{AuditEntryDetails, AuditPage, AuditRow, EntryCount};
use super::query::{AUDIT_PAGE_SIZE, AuditQuery, Day, Position};
use crate::domain::{FormField, table_time};
use crate::entities::{audit_entry, user};
use crate::error::{AppError, AppResult};
use crate::users::detail::service::describe_action;

/// Up to this many matching entries are counted exactly; past it the page
/// says "More than 1000 entries" rather than count a million on each page.
pub const EXACT_COUNT_LIMIT: u64 = 1000;

/// A details column longer than this is cut (the entry's page shows it all).
const DETAILS_SHOWN: usize = 120;

/// One page of the entries `query` matches.
pub async fn page(db: &impl ConnectionTrait, query: &AuditQuery) -> AppResult<AuditPage> {
    let filter = filter(db, query).await?;
    let matching = || audit_entry::Entity::find().filter(filter.clone());
    let limit = AUDIT_PAGE_SIZE + 1;
    let (mut rows, newer, older) = match query.position {
        Position::Newest => {
            let rows = newest_first(matching()).limit(limit).all(db).await?;
            let older = rows.len() as u64 > AUDIT_PAGE_SIZE;
            (rows, false, older)
        }
        Position::Oldest => {
            let mut rows = oldest_first(matching()).limit(limit).all(db).await?;
            let newer = rows.len() as u64 > AUDIT_PAGE_SIZE;
            rows.truncate(AUDIT_PAGE_SIZE as usize);
            rows.reverse();
            (rows, newer, false)
        }
        Position::Before(id) => {
            let edge = edge(db, id, FormField::Before).await?;
            let rows = newest_first(matching().filter(beyond(edge, Side::Older)))
                .limit(limit)
                .all(db)
                .await?;
            let older = rows.len() as u64 > AUDIT_PAGE_SIZE;
            let newer = any(db, matching().filter(beyond(edge, Side::NewerOrAt))).await?;
            (rows, newer, older)
        }
        Position::After(id) => {
            let edge = edge(db, id, FormField::After).await?;
            let mut rows = oldest_first(matching().filter(beyond(edge, Side::Newer)))
                .limit(limit)
                .all(db)
                .await?;
            let newer = rows.len() as u64 > AUDIT_PAGE_SIZE;
            rows.truncate(AUDIT_PAGE_SIZE as usize);
            rows.reverse();
            let older = any(db, matching().filter(beyond(edge, Side::OlderOrAt))).await?;
            (rows, newer, older)
        }
    };
    rows.truncate(AUDIT_PAGE_SIZE as usize);
    let counted = matching()
        .select_only()
        .column(audit_entry::Column::Id)
        .limit(EXACT_COUNT_LIMIT + 1)
        .into_tuple::<i64>()
        .all(db)
        .await?
        .len() as u64;
    let count = if counted > EXACT_COUNT_LIMIT {
        EntryCount::MoreThan(EXACT_COUNT_LIMIT)
    } else {
        EntryCount::Exact(counted)
    };
    Ok(AuditPage {
        rows: rows.into_iter().map(row).collect(),
        count,
        newer,
        older,
    })
}

/// The entries matching `filter` just older than `edge` (from the newest
/// without one), newest first, at most `batch`: CSV export reads the whole
/// filtered log this way, one keyset batch at a time.
pub async fn batch(
    db: &impl ConnectionTrait,
    filter: &Condition,
    edge: Option<(DateTime<Utc>, i64)>,
    batch: u64,
) -> AppResult<Vec<audit_entry::Model>> {
    let mut select = audit_entry::Entity::find().filter(filter.clone());
    if let Some(edge) = edge {
        select = select.filter(beyond(edge, Side::Older));
    }
    Ok(newest_first(select).limit(batch).all(db).await?)
}

/// The CSV export's header line.
pub fn csv_header() -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = writer.write_record([
        "Entry",
        "When (UTC)",
        "Actor",
        "Impersonator",
        "Action",
        "Action key",
        "Target",
        "Field",
        "Old value",
        "New value",
        "IP address",
        "Client",
        "Details",
    ]);
    writer.into_inner().unwrap_or_default()
}

/// CSV lines for these entries, every stored field in full.
pub fn csv_lines(entries: &[audit_entry::Model]) -> Vec<u8> {
    use crate::users::table::export_service::defuse;
    let mut writer = csv::Writer::from_writer(Vec::new());
    for entry in entries {
        let text = |value: &Option<String>| defuse(value.as_deref().unwrap_or_default());
        let _ = writer.write_record([
            entry.id.to_string(),
            entry.occurred_at.to_rfc3339(),
            text(&entry.actor_username),
            text(&entry.impersonator_username),
            describe_action(&entry.action),
            entry.action.clone(),
            text(&entry.target_username),
            text(&entry.field),
            text(&entry.old_value),
            text(&entry.new_value),
            text(&entry.ip),
            text(&entry.client),
            text(&entry.details),
        ]);
    }
    writer.into_inner().unwrap_or_default()
}

/// One entry with everything it holds.
pub async fn entry(db: &impl ConnectionTrait, id: i64) -> AppResult<AuditEntryDetails> {
    let entry = audit_entry::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let target_exists = match entry.target_user_id {
        Some(target) => user::Entity::find_by_id(target).one(db).await?.is_some(),
        None => false,
    };
    let details = entry.details.as_deref().map(|text| {
        serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|value| serde_json::to_string_pretty(&value).ok())
            .unwrap_or_else(|| text.to_owned())
    });
    Ok(AuditEntryDetails {
        action_key: entry.action.clone(),
        actor_username: entry.actor_username.clone(),
        actor_id: entry.actor_id,
        impersonator_username: entry.impersonator_username.clone(),
        target_user_id: entry.target_user_id,
        target_exists,
        field: entry.field.clone(),
        old_value: entry.old_value.clone(),
        new_value: entry.new_value.clone(),
        ip: entry.ip.clone(),
        client: entry.client.clone(),
        details,
        row: row(entry),
    })
}

/// The entry as a row of the table.
pub fn row(entry: audit_entry::Model) -> AuditRow {
    let actor = match (&entry.actor_username, &entry.impersonator_username) {
        (Some(actor), Some(impersonator)) => format!("{impersonator} as {actor}"),
        (Some(actor), None) => actor.clone(),
        // No account and no address: Roster itself (a background task or
        // the command line, named by its client).
        (None, _) if entry.ip.is_none() => {
            entry.client.clone().unwrap_or_else(|| "Roster".to_owned())
        }
        // An address but no account: someone not signed in (a refused
        // sign-in, a reset requested).
        (None, _) => "Anonymous".to_owned(),
    };
    let from = match (&entry.ip, &entry.client) {
        (Some(ip), Some(client)) => format!("{ip} · {client}"),
        (Some(ip), None) => ip.clone(),
        (None, Some(client)) => client.clone(),
        (None, None) => "—".to_owned(),
    };
    AuditRow {
        id: entry.id,
        when: table_time(entry.occurred_at),
        when_iso: entry.occurred_at.to_rfc3339(),
        actor,
        action: describe_action(&entry.action),
        target: entry.target_username.clone(),
        details: summary(&entry),
        from,
    }
}

/// One line of what changed: "email: a@x → b@x", else the details' fields.
fn summary(entry: &audit_entry::Model) -> String {
    let text = match (&entry.field, &entry.old_value, &entry.new_value) {
        (Some(field), old, new) => format!(
            "{field}: {} → {}",
            old.as_deref().unwrap_or("—"),
            new.as_deref().unwrap_or("—")
        ),
        (None, None, Some(new)) => new.clone(),
        (None, Some(old), None) => old.clone(),
        (None, old, new) => match entry.details.as_deref().map(serde_json::from_str) {
            Some(Ok(serde_json::Value::Object(map))) => map
                .iter()
                .map(|(key, value)| match value {
                    serde_json::Value::String(s) => format!("{key}: {s}"),
                    other => format!("{key}: {other}"),
                })
                .collect::<Vec<_>>()
                .join(", "),
            Some(_) => entry.details.clone().unwrap_or_default(),
            None => match (old, new) {
                (Some(old), Some(new)) => format!("{old} → {new}"),
                _ => String::new(),
            },
        },
    };
    if text.chars().count() > DETAILS_SHOWN {
        let cut: String = text.chars().take(DETAILS_SHOWN - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// What the filters of `query` select. A username is looked up first: the
/// entries about (or by) that account are found by its id, whatever name
/// it had when they were written. A name with no account now, as actor or
/// as target, finds every entry by (or about) the accounts that had it
/// (purged under it, or renamed from or to it), and the entries naming it
/// with no account at all (a sign-in attempt on a name that never existed).
/// So the name indexes hold only entries with no account id (and purges):
/// a bulk action's entries never go into them (migrations 29 and 30).
pub async fn filter(db: &impl ConnectionTrait, query: &AuditQuery) -> AppResult<Condition> {
    let mut condition = Condition::all();
    let names = [
        (
            &query.actor,
            audit_entry::Column::ActorId,
            audit_entry::Column::ActorUsername,
        ),
        (
            &query.target,
            audit_entry::Column::TargetUserId,
            audit_entry::Column::TargetUsername,
        ),
    ];
    for (name, id, username) in names {
        if let Some(name) = name {
            condition = condition.add(by_name(db, name, id, username).await?);
        }
    }
    if let Some(action) = query.action {
        condition = condition.add(audit_entry::Column::Action.eq(action.key()));
    }
    if let Some(since) = query.since {
        condition = condition.add(audit_entry::Column::OccurredAt.gte(start_of(since)));
    }
    if let Some(until) = query.until {
        let next = start_of(until) + chrono::Duration::days(1);
        condition = condition.add(audit_entry::Column::OccurredAt.lt(next));
    }
    if query.impersonated {
        condition = condition.add(audit_entry::Column::ImpersonatorId.is_not_null());
    }
    Ok(condition)
}

/// The entries whose actor (or target) is `name`: by the id of its account,
/// or, with no account now, by the ids of the accounts that had the name
/// and by the name itself on entries with no account id.
async fn by_name(
    db: &impl ConnectionTrait,
    name: &str,
    id: audit_entry::Column,
    username: audit_entry::Column,
) -> AppResult<Condition> {
    if let Some(account) = account_id(db, name).await? {
        return Ok(Condition::all().add(id.eq(account)));
    }
    let name = name.trim().to_lowercase();
    let without_account = Condition::all()
        .add(id.is_null())
        .add(username.eq(name.clone()));
    let accounts = accounts_once_named(db, &name).await?;
    Ok(if accounts.is_empty() {
        without_account
    } else {
        Condition::any()
            .add(id.is_in(accounts))
            .add(without_account)
    })
}

async fn account_id(db: &impl ConnectionTrait, username: &str) -> AppResult<Option<i64>> {
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Username.eq(username.trim().to_lowercase()))
        .into_tuple::<i64>()
        .one(db)
        .await?)
}

/// The accounts that were called `name` at some time: purged under it, or
/// renamed from or to it. Each part reads a small partial index (migration
/// `…000029`), which is why the constants are written into the statement
/// rather than bound: a database uses a partial index only when it can see
/// that the query implies the index's condition.
async fn accounts_once_named(db: &impl ConnectionTrait, name: &str) -> AppResult<Vec<i64>> {
    let backend = db.get_database_backend();
    let [first, second, third] = match backend {
        DbBackend::Postgres => ["$1", "$2", "$3"],
        _ => ["?", "?", "?"],
    };
    let sql = format!(
        "SELECT target_user_id FROM audit_entries \
         WHERE action = '{purge}' AND target_username = {first} AND target_user_id IS NOT NULL \
         UNION SELECT target_user_id FROM audit_entries \
         WHERE field = 'username' AND old_value = {second} AND target_user_id IS NOT NULL \
         UNION SELECT target_user_id FROM audit_entries \
         WHERE field = 'username' AND new_value = {third} AND target_user_id IS NOT NULL",
        purge = AuditAction::Purge.key(),
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [name, name, name].map(|n| Value::from(n.to_owned())),
        ))
        .await?;
    Ok(rows
        .iter()
        .map(|row| row.try_get_by_index::<i64>(0))
        .collect::<Result<_, _>>()?)
}

fn start_of(day: Day) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(day.year, day.month, day.day)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        // `Day::parse` admits only real days.
        .unwrap_or_default()
}

/// The (time, id) of entry `id`, where a page next to it starts.
async fn edge(
    db: &impl ConnectionTrait,
    id: i64,
    field: FormField,
) -> AppResult<(DateTime<Utc>, i64)> {
    let at = audit_entry::Entity::find_by_id(id)
        .select_only()
        .column(audit_entry::Column::OccurredAt)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::validation(
                field,
                format!("Entry {id} is no longer in the log; start again from the newest entries."),
            )
        })?;
    Ok((at, id))
}

/// Which side of an edge a page reads.
#[derive(Clone, Copy)]
enum Side {
    /// Strictly older.
    Older,
    /// The edge and older.
    OlderOrAt,
    /// Strictly newer.
    Newer,
    /// The edge and newer.
    NewerOrAt,
}

/// Entries on one side of `edge` in the log's order.
fn beyond((at, id): (DateTime<Utc>, i64), side: Side) -> SimpleExpr {
    // A row-value comparison: one index range on (occurred_at, id) in both
    // SQLite and PostgreSQL, and exact when several entries share a time.
    let left = Expr::tuple([
        Expr::col(audit_entry::Column::OccurredAt),
        Expr::col(audit_entry::Column::Id),
    ]);
    let right = Expr::tuple([Expr::value(at), Expr::value(id)]);
    match side {
        Side::Older => left.lt(right),
        Side::OlderOrAt => left.lte(right),
        Side::Newer => left.gt(right),
        Side::NewerOrAt => left.gte(right),
    }
}

fn newest_first(select: Select<audit_entry::Entity>) -> Select<audit_entry::Entity> {
    select
        .order_by_desc(audit_entry::Column::OccurredAt)
        .order_by_desc(audit_entry::Column::Id)
}

fn oldest_first(select: Select<audit_entry::Entity>) -> Select<audit_entry::Entity> {
    select
        .order_by_asc(audit_entry::Column::OccurredAt)
        .order_by_asc(audit_entry::Column::Id)
}

async fn any(db: &impl ConnectionTrait, select: Select<audit_entry::Entity>) -> AppResult<bool> {
    Ok(select
        .select_only()
        .column(audit_entry::Column::Id)
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_some())
}
