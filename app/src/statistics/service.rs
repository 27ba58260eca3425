//! The Statistics page's figures, computed in the database: one statement
//! of index-range counts for the figures, one for both growth series (a
//! range count a month and a day over the `created_at` index), and one
//! `GROUP BY` day over the audit log's sign-in entries of the last 30 days
//! (an index range on `(action, occurred_at, id)`). Never users loaded
//! into memory.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, Func, Query, SelectStatement, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect,
};

use super::Figure;
use super::api::{GrowthPoint, SignInDay, Statistics};
use crate::audit::AuditAction;
use crate::directory::filter::matching;
use crate::entities::{audit_entry, user};
use crate::error::AppResult;

/// Days of sign-ins shown, today included.
pub const SIGN_IN_DAYS: i64 = 30;
/// Days of the daily growth series, today included.
pub const GROWTH_DAYS: i64 = 90;

pub async fn statistics(db: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<Statistics> {
    let (growth_by_month, growth_by_day) = growth(db, now).await?;
    Ok(Statistics {
        figures: figures(db, now).await?,
        sign_ins: sign_ins(db, now).await?,
        growth_by_month,
        growth_by_day,
    })
}

/// Every figure in one statement: a `COUNT(*)` subquery each, over the
/// condition its Users table view selects (`directory::filter::matching`),
/// so the figure and the table it links to always agree. Each subquery
/// reads its own small index (migration `…000020`), not every row.
pub async fn figures(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> AppResult<Vec<(Figure, u64)>> {
    let mut select = Query::select();
    for figure in Figure::ALL {
        let mut condition = matching(db, &figure.view(), now).await?;
        if let Some(days) = figure.added_within_days() {
            condition = condition.add(user::Column::CreatedAt.gte(now - Duration::days(days)));
        }
        select.expr(count_of(condition));
    }
    counts(db, &select, Figure::ALL.len())
        .await
        .map(|counts| Figure::ALL.into_iter().zip(counts).collect())
}

/// `(SELECT COUNT(*) FROM users WHERE condition)`.
fn count_of(condition: Condition) -> SimpleExpr {
    SimpleExpr::SubQuery(
        None,
        Box::new(
            Query::select()
                .expr(Func::count(Expr::col(user::Column::Id)))
                .from(user::Entity)
                .cond_where(condition)
                .to_owned()
                .into(),
        ),
    )
}

/// Runs a one-row `select` of `n` counts.
async fn counts(
    db: &impl ConnectionTrait,
    select: &SelectStatement,
    n: usize,
) -> AppResult<Vec<u64>> {
    let row = db.query_one(select).await?;
    (0..n)
        .map(|index| match &row {
            Some(row) => Ok(row.try_get_by_index::<i64>(index)?.max(0) as u64),
            None => Ok(0),
        })
        .collect()
}

/// The UTC day (`YYYY-MM-DD`) of a timestamp column, as SQL. SQLite keeps
/// UTC timestamps as text that starts with the day.
fn day_of(backend: DbBackend, column: &str) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => Expr::cust(format!(
            "to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        )),
        _ => Expr::cust(format!("substr({column}, 1, 10)")),
    }
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// Sign-ins and refused sign-ins per day, the last [`SIGN_IN_DAYS`] days.
pub async fn sign_ins(db: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<Vec<SignInDay>> {
    let today = now.date_naive();
    let first = today - Duration::days(SIGN_IN_DAYS - 1);
    let day = Alias::new("day");
    let select = Query::select()
        .expr_as(
            day_of(db.get_database_backend(), "occurred_at"),
            day.clone(),
        )
        .column(audit_entry::Column::Action)
        .expr(Func::count(Expr::col(audit_entry::Column::Id)))
        .from(audit_entry::Entity)
        .and_where(
            audit_entry::Column::Action
                .is_in([AuditAction::SignIn.key(), AuditAction::SignInFailed.key()]),
        )
        .and_where(audit_entry::Column::OccurredAt.gte(midnight(first)))
        .group_by_col(day)
        .group_by_col(audit_entry::Column::Action)
        .to_owned();
    let mut days: BTreeMap<String, SignInDay> = (0..SIGN_IN_DAYS)
        .map(|i| {
            let day = (first + Duration::days(i)).to_string();
            let entry = SignInDay {
                day: day.clone(),
                sign_ins: 0,
                failed: 0,
            };
            (day, entry)
        })
        .collect();
    for row in db.query_all(&select).await? {
        let day: String = row.try_get_by_index(0)?;
        let action: String = row.try_get_by_index(1)?;
        let n = row.try_get_by_index::<i64>(2)?.max(0) as u64;
        if let Some(entry) = days.get_mut(&day) {
            if action == AuditAction::SignIn.key() {
                entry.sign_ins += n;
            } else {
                entry.failed += n;
            }
        }
    }
    Ok(days.into_values().collect())
}

/// Users (not deleted) at the end of every month since the first user's,
/// and of each of the last [`GROWTH_DAYS`] days, with how many were added
/// in each. One statement of range counts over the `created_at` index
/// (a subquery a month and a day): every user is stepped over about once,
/// nothing is sorted, nothing is loaded.
pub async fn growth(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> AppResult<(Vec<GrowthPoint>, Vec<GrowthPoint>)> {
    let live = || Condition::all().add(user::Column::DeletedAt.is_null());
    let first: Option<DateTime<Utc>> = user::Entity::find()
        .select_only()
        .expr(Func::min(Expr::col(user::Column::CreatedAt)))
        .filter(live())
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(db)
        .await?
        .flatten();
    let today = now.date_naive();
    let window = today - Duration::days(GROWTH_DAYS - 1);
    let Some(first) = first.map(|t| t.date_naive()) else {
        let empty = (0..GROWTH_DAYS)
            .map(|i| GrowthPoint {
                period: (window + Duration::days(i)).to_string(),
                total: 0,
                added: 0,
            })
            .collect();
        return Ok((Vec::new(), empty));
    };

    // Month starts from the first user's month to this one.
    let mut months = Vec::new();
    let (mut year, mut month) = (first.year(), first.month());
    while (year, month) <= (today.year(), today.month()) {
        months.push(NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(first));
        (year, month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
    }
    let end_of = |start: NaiveDate, next: Option<NaiveDate>| {
        next.map(midnight)
            .unwrap_or(now)
            .min(now)
            .max(midnight(start))
    };
    let added_between = |from: DateTime<Utc>, to: DateTime<Utc>| {
        count_of(
            live()
                .add(user::Column::CreatedAt.gte(from))
                .add(user::Column::CreatedAt.lt(to)),
        )
    };
    let mut select = Query::select();
    // Before the first month: none, by definition; added in each month.
    for (i, start) in months.iter().enumerate() {
        select.expr(added_between(
            midnight(*start),
            end_of(*start, months.get(i + 1).copied()),
        ));
    }
    // Before the daily window, then added on each day of it.
    select.expr(count_of(
        live().add(user::Column::CreatedAt.lt(midnight(window))),
    ));
    for i in 0..GROWTH_DAYS {
        let day = window + Duration::days(i);
        let next = day + Duration::days(1);
        select.expr(added_between(midnight(day), end_of(day, Some(next))));
    }
    let counts = counts(db, &select, months.len() + 1 + GROWTH_DAYS as usize).await?;
    let (by_month_added, rest) = counts.split_at(months.len());

    let mut total = 0;
    let by_month = months
        .iter()
        .zip(by_month_added)
        .map(|(start, added)| {
            total += added;
            GrowthPoint {
                period: format!("{:04}-{:02}", start.year(), start.month()),
                total,
                added: *added,
            }
        })
        .collect();
    let mut total = rest[0];
    let by_day = rest[1..]
        .iter()
        .enumerate()
        .map(|(i, added)| {
            total += added;
            GrowthPoint {
                period: (window + Duration::days(i as i64)).to_string(),
                total,
                added: *added,
            }
        })
        .collect();
    Ok((by_month, by_day))
}
