//! Which users an action or a message names: ids picked one by one, every
//! user matching a table view (evaluated on the server, never a list the
//! browser loaded), or everyone.

use serde::{Deserialize, Serialize};

/// Which users an action applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Selection {
    /// Users picked one by one (at most 10,000).
    Ids(Vec<i64>),
    /// Every user matching a table view, given as the table's URL query
    /// string; evaluated on the server, never a list the browser loaded.
    Matching(String),
    /// Every user (Force Sign Out All Users only).
    Everyone,
}

#[cfg(feature = "ssr")]
pub use sql::{MAX_IDS, id_among, selected};

#[cfg(feature = "ssr")]
mod sql {
    use chrono::{DateTime, Utc};
    use sea_orm::sea_query::{Expr, SimpleExpr};
    use sea_orm::{Condition, ConnectionTrait, DbBackend};

    use super::Selection;
    use crate::directory::filter::matching;
    use crate::directory::query::UserListQuery;
    use crate::domain::FormField;
    use crate::error::{AppError, AppResult};

    /// Most users a request may name one by one; larger selections use
    /// "all matching".
    pub const MAX_IDS: usize = 10_000;

    /// The users a selection names: explicit ids, or all matching a table view
    /// (its URL query string), evaluated here on the server.
    pub async fn selected(
        conn: &impl ConnectionTrait,
        selection: &Selection,
        now: DateTime<Utc>,
    ) -> AppResult<Condition> {
        match selection {
            Selection::Ids(ids) if ids.is_empty() => Err(AppError::validation(
                FormField::Selection,
                "Select at least one user.",
            )),
            Selection::Ids(ids) if ids.len() > MAX_IDS => Err(AppError::validation(
                FormField::Selection,
                format!("Select at most {MAX_IDS} users one by one, or select all matching users."),
            )),
            Selection::Ids(ids) => {
                Ok(Condition::all().add(id_among(conn.get_database_backend(), ids)))
            }
            Selection::Matching(view) => {
                matching(conn, &UserListQuery::from_query_string(view)?, now).await
            }
            Selection::Everyone => Ok(Condition::all()),
        }
    }

    /// `users.id` is one of `ids`. The ids travel as one JSON array
    /// parameter, not 10,000 placeholders: the action's five or six
    /// statements each bind one value, and the database reads the list as a
    /// table it can join or hash.
    ///
    /// Not `= ANY(CAST($1 AS bigint[]))` on PostgreSQL, though it reads
    /// 98,000 users by id in 96 ms instead of 290: the cast of a parameter is
    /// not folded into a constant, so where the planner filters rows with it
    /// (a sequential scan) it searches the whole array for each row. A
    /// "Lock" on 100,000 users ran for over ten minutes that way.
    pub fn id_among(backend: DbBackend, ids: &[i64]) -> SimpleExpr {
        let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
        // sea-query's custom SQL: `$1` on PostgreSQL, `?` on SQLite.
        let sql = match backend {
            DbBackend::Postgres => {
                r#""users"."id" IN (SELECT value::bigint FROM jsonb_array_elements_text(CAST($1 AS jsonb)))"#
            }
            _ => r#""users"."id" IN (SELECT value FROM json_each(?))"#,
        };
        Expr::cust_with_values(sql, [list])
    }
}
