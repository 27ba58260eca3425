//! The Statistics page's figures, computed in the database: one pass over
//! `users` for every figure (a `COUNT(CASE …)` each), one `GROUP BY` day
//! over `users.created_at` for both growth series, and one over the audit
//! log's sign-in entries of the last 30 days (an index range on
//! `(action, occurred_at, id)`). Never users loaded into memory.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, Func, Query, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend};

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

/// Every figure in one pass over `users`: each counts the rows its Users
/// table view's own condition (`directory::filter::matching`) selects, so
/// the figure and the table it links to always agree.
pub async fn figures(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> AppResult<Vec<(Figure, u64)>> {
    let mut select = Query::select();
    select.from(user::Entity);
    for figure in Figure::ALL {
        let mut condition = matching(db, &figure.view(), now).await?;
        if let Some(days) = figure.added_within_days() {
            condition = condition.add(user::Column::CreatedAt.gte(now - Duration::days(days)));
        }
        let counted: SimpleExpr = Expr::case(condition, 1).into();
        select.expr(Func::count(counted));
    }
    let row = db.query_one(&select).await?;
    let mut figures = Vec::with_capacity(Figure::ALL.len());
    for (index, figure) in Figure::ALL.into_iter().enumerate() {
        let n = match &row {
            Some(row) => row.try_get_by_index::<i64>(index)?,
            None => 0,
        };
        figures.push((figure, n.max(0) as u64));
    }
    Ok(figures)
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

/// Users (not deleted) by the day they were added, from one `GROUP BY`:
/// the total at the end of every month since the first user's, and of
/// each of the last [`GROWTH_DAYS`] days.
pub async fn growth(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> AppResult<(Vec<GrowthPoint>, Vec<GrowthPoint>)> {
    let day = Alias::new("day");
    let select = Query::select()
        .expr_as(day_of(db.get_database_backend(), "created_at"), day.clone())
        .expr(Func::count(Expr::col(user::Column::Id)))
        .from(user::Entity)
        .and_where(user::Column::DeletedAt.is_null())
        .and_where(user::Column::CreatedAt.lte(now))
        .group_by_col(day.clone())
        .order_by(day, sea_orm::Order::Asc)
        .to_owned();
    let mut added_by_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for row in db.query_all(&select).await? {
        let text: String = row.try_get_by_index(0)?;
        let n = row.try_get_by_index::<i64>(1)?.max(0) as u64;
        if let Ok(date) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            *added_by_day.entry(date).or_default() += n;
        }
    }
    let today = now.date_naive();

    // By month, from the first user's month to this one, gaps included.
    let mut by_month = Vec::new();
    if let Some(first) = added_by_day.keys().next().copied() {
        let mut added_by_month: BTreeMap<(i32, u32), u64> = BTreeMap::new();
        for (date, n) in &added_by_day {
            *added_by_month
                .entry((date.year(), date.month()))
                .or_default() += n;
        }
        let (mut year, mut month) = (first.year(), first.month());
        let mut total = 0;
        while (year, month) <= (today.year(), today.month()) {
            let added = added_by_month.get(&(year, month)).copied().unwrap_or(0);
            total += added;
            by_month.push(GrowthPoint {
                period: format!("{year:04}-{month:02}"),
                total,
                added,
            });
            (year, month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
        }
    }

    // By day, the last GROWTH_DAYS, starting from those added before them.
    let first = today - Duration::days(GROWTH_DAYS - 1);
    let in_window: u64 = added_by_day.range(first..).map(|(_, n)| n).sum();
    let mut total = added_by_day.values().sum::<u64>() - in_window;
    let by_day = (0..GROWTH_DAYS)
        .map(|i| {
            let date = first + Duration::days(i);
            let added = added_by_day.get(&date).copied().unwrap_or(0);
            total += added;
            GrowthPoint {
                period: date.to_string(),
                total,
                added,
            }
        })
        .collect();
    Ok((by_month, by_day))
}
