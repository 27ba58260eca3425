//! The SQL form of a table view: the condition selecting the users its
//! search and filters match. The Users table lists from it; bulk actions
//! and messages on "all matching users" evaluate it. Server-only.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func, LikeExpr, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, ExprTrait, QueryFilter,
    QuerySelect,
};

use super::query::{StatusFilter, UserListQuery};
use crate::db::single_count;
use crate::domain::{FormField, shown};
use crate::entities::{role, team, user, user_role, user_team};
use crate::error::{AppError, AppResult};

/// The condition selecting the users a query's search and filters match.
/// Also what bulk actions on "all matching users" evaluate.
pub async fn matching(
    conn: &impl ConnectionTrait,
    query: &UserListQuery,
    now: DateTime<Utc>,
) -> AppResult<Condition> {
    let mut condition = Condition::all();
    if let Some(q) = &query.q {
        condition = condition.add(search_condition(conn.get_database_backend(), q));
    }
    let deleted_wanted = query.include_deleted || query.status == Some(StatusFilter::Deleted);
    if !deleted_wanted {
        condition = condition.add(user::Column::DeletedAt.is_null());
    }
    if let Some(status) = query.status {
        condition = condition.add(crate::domain::account_state::condition(status, now));
    }
    if let Some(signed_in) = query.signed_in {
        condition = condition.add(if signed_in {
            user::Column::SignedInSince.is_not_null()
        } else {
            user::Column::SignedInSince.is_null()
        });
    }
    if let Some(name) = &query.role {
        let role = id_by_name::<role::Entity>(
            conn,
            role::Column::Id,
            role::Column::Name,
            FormField::Role,
            name,
        )
        .await?;
        condition = condition.add(member_of(
            user_role::Entity,
            user_role::Column::UserId,
            user_role::Column::RoleId,
            role,
        ));
    }
    if let Some(name) = &query.team {
        let team = id_by_name::<team::Entity>(
            conn,
            team::Column::Id,
            team::Column::Name,
            FormField::Team,
            name,
        )
        .await?;
        condition = condition.add(member_of(
            user_team::Entity,
            user_team::Column::UserId,
            user_team::Column::TeamId,
            team,
        ));
    }
    Ok(condition)
}

/// Username, email or name contains `q`, in any case. On SQLite a text of
/// three or more characters is looked up in the trigram index
/// (`users_search`); shorter ones, which a trigram cannot find, scan. On
/// PostgreSQL `pg_trgm` indexes serve the `LIKE`s directly.
pub(crate) fn search_condition(backend: DbBackend, q: &str) -> Condition {
    let q = searchable(q);
    if backend == DbBackend::Sqlite
        && let Some(phrase) = fts_phrase(&q)
    {
        return Condition::all().add(Expr::cust_with_values(
            r#""users"."id" IN (SELECT rowid FROM users_search WHERE users_search MATCH ?)"#,
            [phrase],
        ));
    }
    row_search_condition(&q)
}

/// Username, email or name contains `q`, tested on each row read (`LIKE`)
/// rather than looked up in an index. What a walk along a sort index asks
/// of each user it passes ([`walked_search_condition`]).
fn row_search_condition(q: &str) -> Condition {
    let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
    let like = |expr: SimpleExpr| expr.like(LikeExpr::new(pattern.clone()).escape('\\'));
    Condition::any()
        .add(like(Expr::col(user::Column::Username)))
        .add(like(Expr::col(user::Column::Email)))
        .add(like(Func::lower(Expr::col(user::Column::Name)).into()))
}

/// SQLite, a search walked along the live users' sort index: the users not
/// deleted whose username, email or name contains `q`, asked of each user
/// passed. Asking the trigram index instead made SQLite read every match
/// first (all 100,000 for "example": 54 ms for page 1, against well under
/// one for 50 rows tested as they come). `None` when `q` is not ASCII:
/// SQLite's `LIKE` and `lower()` fold ASCII letters only, the trigram index
/// every letter, and the page must agree with the total counted there.
pub(crate) fn walked_search_condition(q: &str) -> Option<Condition> {
    let q = searchable(q);
    q.is_ascii().then(|| {
        Condition::all()
            .add(row_search_condition(&q))
            .add(user::Column::DeletedAt.is_null())
    })
}

/// The search text without control characters. No username, email
/// address or name holds one, and a NUL ends FTS5's query string (SQLite)
/// or is refused outright (PostgreSQL): searching without them finds the
/// same users.
fn searchable(q: &str) -> String {
    q.chars().filter(|c| !c.is_control()).collect()
}

/// SQLite: the FTS5 query finding `q` in the trigram index `users_search`
/// (a phrase in double quotes, its own quotes doubled), or `None` when `q`
/// is shorter than a trigram and must be scanned for.
fn fts_phrase(q: &str) -> Option<String> {
    (q.chars().count() >= 3).then(|| format!("\"{}\"", q.replace('"', "\"\"")))
}

/// SQLite: how many users (`include_deleted`) or users not deleted contain
/// `q`, counted in the trigram indexes without reading a user row: the
/// matches in `users_search` (everyone) less those in
/// `users_search_deleted` (the deleted users). `None` when `q` is too short
/// for a trigram. Counting through `users` read a row per match: 4 ms for
/// the 5,000 users of 100,000 containing "ann"; this takes 0.2 ms.
pub(crate) async fn sqlite_search_count(
    conn: &impl ConnectionTrait,
    q: &str,
    include_deleted: bool,
) -> AppResult<Option<u64>> {
    let Some(phrase) = fts_phrase(&searchable(q)) else {
        return Ok(None);
    };
    let count = |sql: &str| {
        sea_orm::Statement::from_sql_and_values(DbBackend::Sqlite, sql, [phrase.clone().into()])
    };
    let everyone = single_count(
        conn,
        count("SELECT COUNT(*) FROM users_search WHERE users_search MATCH ?"),
    )
    .await?
    .unwrap_or(0);
    if include_deleted {
        return Ok(Some(everyone));
    }
    let deleted = single_count(
        conn,
        count("SELECT COUNT(*) FROM users_search_deleted WHERE users_search_deleted MATCH ?"),
    )
    .await?
    .unwrap_or(0);
    Ok(Some(everyone.saturating_sub(deleted)))
}

/// The id of the role or team called `name` (any case); a field error
/// naming `field` when there is none.
async fn id_by_name<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    id_column: E::Column,
    name_column: E::Column,
    field: FormField,
    name: &str,
) -> AppResult<i64> {
    let id: Option<i64> = E::find()
        .select_only()
        .column(id_column)
        .filter(Expr::expr(Func::lower(Expr::col(name_column))).eq(name.to_lowercase()))
        .into_tuple()
        .one(conn)
        .await?;
    id.ok_or_else(|| {
        AppError::validation(
            field,
            format!("There is no {} '{}'.", field.key(), shown(name)),
        )
    })
}

/// "The user is in group `group_id`" through a link table such as
/// `user_roles` or `user_teams`.
fn member_of<L: EntityTrait>(
    link: L,
    user_column: L::Column,
    group_column: L::Column,
    group_id: i64,
) -> SimpleExpr {
    user::Column::Id.in_subquery(
        Query::select()
            .column(user_column)
            .from(link)
            .and_where(Expr::col(group_column).eq(group_id))
            .to_owned(),
    )
}

/// `%` and `_` typed into the search box are searched for, not wildcards.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::escape_like;

    #[test]
    fn like_wildcards_typed_by_people_are_literal() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }
}
