//! Connecting to the database and bringing its schema up to date.

use std::path::Path;
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr,
    TransactionTrait,
};

/// Opens a connection pool. For a SQLite file, creates its folder first and
/// turns on WAL (readers never wait for the writer) with a busy timeout, so
/// concurrent requests queue instead of failing with "database is locked".
pub async fn connect(database_url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(database_url.to_owned());
    // Every statement with its time at DEBUG (`RUST_LOG=sqlx::query=debug`);
    // a statement slower than a second at WARN, whatever the filter.
    options
        .sqlx_logging(true)
        .sqlx_logging_level(log::LevelFilter::Debug)
        .sqlx_slow_statements_logging_settings(log::LevelFilter::Warn, Duration::from_secs(1))
        .connect_timeout(Duration::from_secs(10));
    if database_url.starts_with("sqlite:") {
        create_sqlite_parent_dir(database_url)?;
        // An in-memory database lives in its connections: one connection
        // keeps one database.
        let in_memory = database_url.contains(":memory:");
        options
            .max_connections(if in_memory { 1 } else { 8 })
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    // 16 MiB of pages per connection (SQLite's default is
                    // 2 MiB): a bulk action over thousands of users touches
                    // pages all over the table; with 2 MiB it reads them
                    // again and again (measured: 48 -> 30 ms to lock 4,576
                    // of 100,000 users).
                    .pragma("cache_size", "-16384")
            });
    } else {
        // While PostgreSQL is down, a request waits this long for a
        // connection and then answers 503 (sqlx would wait 30 s); when it
        // is back, the next request connects again.
        options
            .max_connections(20)
            .min_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT);
    }
    Database::connect(options).await
}

/// How long a request waits for a PostgreSQL connection before it is told
/// the database cannot be reached.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// An arbitrary, fixed key for PostgreSQL's advisory lock ("roster" in ASCII).
const MIGRATION_LOCK_KEY: i64 = 0x726f_7374_6572;

/// Applies every pending migration and returns how many. Errors are
/// returned, never swallowed: serving on a half-migrated schema is worse than
/// not starting.
///
/// On PostgreSQL several instances may start at once: the migrations run in
/// one transaction holding an advisory lock, so one instance migrates while
/// the others wait and then find nothing pending. (SQLite serves from one
/// instance; its migrations each run in their own transaction.)
pub async fn migrate(db: &DatabaseConnection) -> Result<usize, DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        let pending = Migrator::get_pending_migrations(db).await?.len();
        Migrator::up(db, None).await?;
        return Ok(pending);
    }
    let txn = db.begin().await?;
    txn.execute_unprepared(&format!(
        "SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"
    ))
    .await?;
    let pending = Migrator::get_pending_migrations(&txn).await?.len();
    Migrator::up(&txn, None).await?;
    txn.commit().await?;
    Ok(pending)
}

fn create_sqlite_parent_dir(database_url: &str) -> Result<(), DbErr> {
    let path = database_url
        .trim_start_matches("sqlite:")
        .trim_start_matches("//")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") {
        return Ok(());
    }
    if let Some(parent) = Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            DbErr::Custom(format!(
                "cannot create the folder {} for the database: {e}",
                parent.display()
            ))
        })?;
    }
    Ok(())
}
