//! PostgreSQL: the Users table's nullable sort columns read newest first.
//!
//! Users without a value sort last both ways (`NULLS LAST`). The partial
//! sort indexes (`idx_users_live_*`) are ascending with NULLs last, which
//! serves A–Z; read backwards they give "descending, NULLs first", which is
//! not the order shown newest first, so PostgreSQL sorted all 100,000 users
//! for "sort by Last Activity" (27 ms a page). These indexes hold that order
//! (and, read backwards, the reverse that later pages use).
//!
//! SQLite needs none: its indexes put NULLs first, and its planner reads the
//! ascending index for both orders.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index, column) of each nullable column with a partial sort index.
const COLUMNS: [(&str, &str); 4] = [
    ("idx_users_live_last_activity_at_desc", "last_activity_at"),
    ("idx_users_live_last_signin_at_desc", "last_signin_at"),
    ("idx_users_live_signed_in_since_desc", "signed_in_since"),
    (
        "idx_users_live_last_signin_client_desc",
        "last_signin_client",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for (name, column) in COLUMNS {
            db.execute_unprepared(&format!(
                "CREATE INDEX {name} ON users ({column} DESC NULLS LAST, id DESC) \
                 WHERE deleted_at IS NULL"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for (name, _) in COLUMNS {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
