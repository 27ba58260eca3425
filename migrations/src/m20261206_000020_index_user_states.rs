//! The Statistics page (and `/metrics`) count users in each state many
//! times a minute. Each state gets a small index over the users who are
//! not deleted, so every figure is an index range, not a pass over every
//! row: active/inactive by `is_active`, and the rare states (locked,
//! suspended, invited) by their timestamp, which is NULL for almost
//! everyone.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (name, columns, the users it holds besides "not deleted"). The rare
/// states' indexes hold only their users, so a count reads a few entries;
/// their column is `deleted_at` so that SQLite picks them by the same
/// equality it would use on `idx_users_live`, with or without statistics.
const INDEXES: [(&str, &str, &str); 5] = [
    ("idx_users_live_is_active", "is_active, id", ""),
    (
        "idx_users_live_locked",
        "deleted_at",
        "AND locked_at IS NOT NULL",
    ),
    (
        "idx_users_live_suspended",
        "deleted_at",
        "AND suspended_at IS NOT NULL",
    ),
    (
        "idx_users_live_invited",
        "deleted_at",
        "AND invited_at IS NOT NULL AND password_hash IS NULL",
    ),
    (
        "idx_users_live_signed_in",
        "deleted_at",
        "AND signed_in_since IS NOT NULL",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == sea_orm::DbBackend::Postgres;
        for (name, columns, only) in INDEXES {
            // PostgreSQL reads `locked_until` from the index itself (an
            // index-only count, not a visit to each locked user's row);
            // SQLite without statistics would pass over that index.
            let columns = if postgres && name == "idx_users_live_locked" {
                "deleted_at, locked_until"
            } else {
                columns
            };
            db.execute_unprepared(&format!(
                "CREATE INDEX {name} ON users ({columns}) WHERE deleted_at IS NULL {only}"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, ..) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }
}
