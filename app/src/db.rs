//! Database helpers shared by every service. Server-only.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

/// Begins a transaction that is going to write.
///
/// On SQLite it takes the write lock at `BEGIN IMMEDIATE`: two writers then
/// queue (up to the busy timeout) instead of the second failing with
/// "database is locked" when its read snapshot tries to become a write. Its
/// reads also see every committed write, so a uniqueness check inside it is
/// reliable. PostgreSQL ignores the mode; its unique indexes settle races.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// PostgreSQL: lets the rest of this transaction sort and hash a bulk
/// action's rows in memory. With the default 4 MB, the ids of 100,000
/// users being added to a team were hashed and sorted on disk.
pub async fn room_for_bulk_work(txn: &DatabaseTransaction) -> Result<(), DbErr> {
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL work_mem = '64MB'")
            .await?;
    }
    Ok(())
}

/// Rows `offset..offset + limit` of `total` ordered rows, as read from the
/// nearer end: an offset makes the database step over every entry before
/// it, so a page in the second half is read in the reverse order, skipping
/// from the end (`reversed`), and turned around afterwards. Empty (`take`
/// 0) past the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub skip: u64,
    pub take: u64,
    pub reversed: bool,
}

impl Window {
    pub fn nearer_end(total: u64, offset: u64, limit: u64) -> Self {
        let until = offset.saturating_add(limit).min(total);
        let take = until.saturating_sub(offset);
        if offset > total / 2 {
            Window {
                skip: total - until,
                take,
                reversed: true,
            }
        } else {
            Window {
                skip: offset,
                take,
                reversed: false,
            }
        }
    }
}

/// The one number a `SELECT COUNT(*)`-like statement answers (`None`
/// without a row).
pub async fn single_count(
    conn: &impl sea_orm::ConnectionTrait,
    statement: sea_orm::Statement,
) -> Result<Option<u64>, DbErr> {
    Ok(match conn.query_one_raw(statement).await? {
        Some(row) => Some(u64::try_from(row.try_get_by_index::<i64>(0)?).unwrap_or(0)),
        None => None,
    })
}

/// SQLite: `statement` (a select from `users`) reads through `index`, which
/// the planner would not pick by itself.
pub fn sqlite_users_index(statement: &mut sea_orm::Statement, index: &str) {
    statement.sql = statement.sql.replacen(
        r#"FROM "users" WHERE"#,
        &format!(r#"FROM "users" INDEXED BY {index} WHERE"#),
        1,
    );
}

#[cfg(test)]
mod tests {
    use super::Window;

    #[test]
    fn a_window_is_read_from_the_nearer_end() {
        let first = Window::nearer_end(23, 0, 10);
        assert_eq!((first.skip, first.take, first.reversed), (0, 10, false));
        // Rows 20..23 of 23 are the first three from the end.
        let last = Window::nearer_end(23, 20, 10);
        assert_eq!((last.skip, last.take, last.reversed), (0, 3, true));
        let second = Window::nearer_end(23, 10, 10);
        assert_eq!((second.skip, second.take, second.reversed), (10, 10, false));
        let beyond = Window::nearer_end(23, 30, 10);
        assert_eq!(beyond.take, 0);
    }
}
