//! Database helpers shared by every service. Server-only.

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
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
