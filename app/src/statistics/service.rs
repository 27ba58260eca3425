//! The Statistics page's figures, computed in the database as index-range
//! counts, three statements in all: the figures (a `COUNT(*)` subquery
//! each, over a small partial index per state, migration `…000020`), the
//! growth series (a range count a month and a day over the `created_at`
//! index) and the sign-ins (a range count a day and an action over the
//! audit log's `(action, occurred_at, id)` index). Nothing is sorted or
//! grouped, no row is loaded, and no SQL differs between SQLite and
//! PostgreSQL.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Asterisk, Expr, Func, IntoIden, Query, SelectStatement, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QuerySelect, TransactionTrait,
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

/// The whole page: three statements, one after the other, in one read
/// transaction, so the figures and the series are of the same moment. (Run
/// at once on separate connections they were no faster on two cores:
/// measured.)
///
/// On PostgreSQL the transaction asks for generic plans. The statements
/// hold a subquery per day, month or figure (115 in the growth statement
/// with two years of users) whose bounds change with every call, so
/// PostgreSQL planned each call anew for its first five runs on every
/// pooled connection, and planning cost more than counting (the 90 days:
/// 7–16 ms planned anew, 1.1–1.4 ms on the kept plan). A generic plan is
/// made once per connection and kept with the prepared statement; every
/// range here is an index range whatever its bounds.
pub async fn statistics(db: &DatabaseConnection, now: DateTime<Utc>) -> AppResult<Statistics> {
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL plan_cache_mode = force_generic_plan")
            .await?;
    }
    let (growth_by_month, growth_by_day) = growth(&txn, now).await?;
    // The months hold every user (not deleted) added up to now: Total
    // needs only those dated later added, not a second pass over everyone.
    let added_until_now = growth_by_month.last().map_or(0, |p| p.total);
    let statistics = Statistics {
        figures: figures_given(&txn, now, Some(added_until_now)).await?,
        sign_ins: sign_ins(&txn, now).await?,
        growth_by_month,
        growth_by_day,
    };
    txn.commit().await?;
    Ok(statistics)
}

/// Every figure in one statement: a `COUNT(*)` subquery each, over the
/// condition its Users table view selects (`directory::filter::matching`),
/// so the figure and the table it links to always agree.
///
/// Active is Total minus Inactive: `is_active` is never NULL, so that is
/// the same set as the view's own condition, counted without stepping
/// over nine users in ten a second time.
pub async fn figures(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> AppResult<Vec<(Figure, u64)>> {
    figures_given(db, now, None).await
}

/// [`figures`], where the users (not deleted) added up to `now` may be
/// known already: Total then counts only those dated after `now`.
async fn figures_given(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    added_until_now: Option<u64>,
) -> AppResult<Vec<(Figure, u64)>> {
    let counted: Vec<Figure> = Figure::ALL
        .into_iter()
        .filter(|figure| *figure != Figure::Active)
        .collect();
    let mut select = Query::select();
    for figure in &counted {
        let mut condition = matching(db, &figure.view(), now).await?;
        if let Some(days) = figure.added_within_days() {
            condition = condition.add(user::Column::CreatedAt.gte(now - Duration::days(days)));
        }
        if *figure == Figure::Total && added_until_now.is_some() {
            condition = condition.add(user::Column::CreatedAt.gte(just_after(now)));
        }
        select.expr(count_of(user::Entity, condition));
    }
    let mut counts = counts(db, &select, counted.len()).await?;
    if let (Some(known), Some(index)) = (
        added_until_now,
        counted.iter().position(|f| *f == Figure::Total),
    ) {
        counts[index] += known;
    }
    let of = |wanted: Figure| {
        counted
            .iter()
            .zip(&counts)
            .find(|(figure, _)| **figure == wanted)
            .map_or(0, |(_, n)| *n)
    };
    Ok(Figure::ALL
        .into_iter()
        .map(|figure| match figure {
            Figure::Active => (
                figure,
                of(Figure::Total).saturating_sub(of(Figure::Inactive)),
            ),
            other => (other, of(other)),
        })
        .collect())
}

/// `(SELECT COUNT(*) FROM table WHERE condition)`.
fn count_of(table: impl IntoIden, condition: Condition) -> SimpleExpr {
    SimpleExpr::SubQuery(
        None,
        Box::new(
            Query::select()
                .expr(Func::count(Expr::col(Asterisk)))
                .from(table)
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

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// From `start`'s midnight up to `next`'s, or to `now` (itself included)
/// if that is sooner: nothing dated in the future is counted.
fn until(start: NaiveDate, next: NaiveDate, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let from = midnight(start);
    (from, midnight(next).min(just_after(now)).max(from))
}

/// The first instant after `now` that the databases tell apart from it.
fn just_after(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::microseconds(1)
}

/// Sign-ins and refused sign-ins per day (UTC), the last [`SIGN_IN_DAYS`]
/// days, today so far included.
pub async fn sign_ins(db: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<Vec<SignInDay>> {
    let first = now.date_naive() - Duration::days(SIGN_IN_DAYS - 1);
    let days: Vec<NaiveDate> = (0..SIGN_IN_DAYS)
        .map(|i| first + Duration::days(i))
        .collect();
    let actions = [AuditAction::SignIn, AuditAction::SignInFailed];
    let mut select = Query::select();
    for day in &days {
        let (from, to) = until(*day, *day + Duration::days(1), now);
        for action in actions {
            select.expr(count_of(
                audit_entry::Entity,
                Condition::all()
                    .add(audit_entry::Column::Action.eq(action.key()))
                    .add(audit_entry::Column::OccurredAt.gte(from))
                    .add(audit_entry::Column::OccurredAt.lt(to)),
            ));
        }
    }
    let counts = counts(db, &select, days.len() * actions.len()).await?;
    Ok(days
        .iter()
        .zip(counts.chunks(actions.len()))
        .map(|(day, pair)| SignInDay {
            day: day.to_string(),
            sign_ins: pair[0],
            failed: pair[1],
        })
        .collect())
}

/// Users (not deleted) at the end of every month since the first user's,
/// and of each of the last [`GROWTH_DAYS`] days, with how many were added
/// in each. One statement of range counts over the `created_at` index (a
/// subquery a month and a day): every user is stepped over about once.
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
    let days: Vec<NaiveDate> = (0..GROWTH_DAYS)
        .map(|i| window + Duration::days(i))
        .collect();

    // Month starts from the first user's month to this one.
    let mut months = Vec::new();
    if let Some(first) = first.map(|t| t.date_naive()).filter(|d| *d <= today) {
        let (mut year, mut month) = (first.year(), first.month());
        while (year, month) <= (today.year(), today.month()) {
            months.extend(NaiveDate::from_ymd_opt(year, month, 1));
            (year, month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
        }
    }
    let next_month = |start: NaiveDate| {
        let (y, m) = if start.month() == 12 {
            (start.year() + 1, 1)
        } else {
            (start.year(), start.month() + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(start)
    };
    let added = |(from, to): (DateTime<Utc>, DateTime<Utc>)| {
        count_of(
            user::Entity,
            live()
                .add(user::Column::CreatedAt.gte(from))
                .add(user::Column::CreatedAt.lt(to)),
        )
    };
    let mut select = Query::select();
    for start in &months {
        select.expr(added(until(*start, next_month(*start), now)));
    }
    for day in &days {
        select.expr(added(until(*day, *day + Duration::days(1), now)));
    }
    let counts = if months.is_empty() {
        vec![0; days.len()]
    } else {
        counts(db, &select, months.len() + days.len()).await?
    };
    let (added_by_month, added_by_day) = counts.split_at(counts.len() - days.len());

    let mut total = 0;
    let by_month = months
        .iter()
        .zip(added_by_month)
        .map(|(start, added)| {
            total += added;
            GrowthPoint {
                period: format!("{:04}-{:02}", start.year(), start.month()),
                total,
                added: *added,
            }
        })
        .collect();
    // Everyone added up to now, less those added inside the window, were
    // there before it.
    let mut total = total - added_by_day.iter().sum::<u64>();
    let by_day = days
        .iter()
        .zip(added_by_day)
        .map(|(day, added)| {
            total += added;
            GrowthPoint {
                period: day.to_string(),
                total,
                added: *added,
            }
        })
        .collect();
    Ok((by_month, by_day))
}
