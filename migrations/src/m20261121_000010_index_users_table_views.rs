//! Indexes for the Users table at 100,000 users. The table hides deleted
//! users by default, so its sort indexes are partial (`WHERE deleted_at IS
//! NULL`) and end in `id`, the tie-breaker: a page, even a deep one, is read
//! from the index alone. The index on `deleted_at` itself only holds deleted
//! users, so the planner never prefers it for "not deleted" (nearly all);
//! `idx_users_live` holds exactly the users not deleted, which counts them
//! from the index alone.
//! Partial indexes read the same on SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index, column) of every partial sort index.
const SORT_INDEXES: [(&str, &str); 8] = [
    ("idx_users_live_username", "username"),
    ("idx_users_live_email", "email"),
    ("idx_users_live_name", "name"),
    ("idx_users_live_created_at", "created_at"),
    ("idx_users_live_last_activity_at", "last_activity_at"),
    ("idx_users_live_last_signin_at", "last_signin_at"),
    ("idx_users_live_signed_in_since", "signed_in_since"),
    ("idx_users_live_last_signin_client", "last_signin_client"),
];

/// The plain indexes of the first migration that these replace.
const REPLACED: [(&str, &str); 6] = [
    ("idx_users_name", "name"),
    ("idx_users_last_signin_at", "last_signin_at"),
    ("idx_users_last_activity_at", "last_activity_at"),
    ("idx_users_created_at", "created_at"),
    ("idx_users_deleted_at", "deleted_at"),
    ("idx_users_signed_in_since", "signed_in_since"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in REPLACED {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        db.execute_unprepared(
            "CREATE INDEX idx_users_deleted ON users (deleted_at) WHERE deleted_at IS NOT NULL",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_users_live ON users (deleted_at) WHERE deleted_at IS NULL",
        )
        .await?;
        for (name, column) in SORT_INDEXES {
            db.execute_unprepared(&format!(
                "CREATE INDEX {name} ON users ({column}, id) WHERE deleted_at IS NULL"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in SORT_INDEXES {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        db.execute_unprepared("DROP INDEX idx_users_deleted")
            .await?;
        db.execute_unprepared("DROP INDEX idx_users_live").await?;
        for (name, column) in REPLACED {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON users ({column})"))
                .await?;
        }
        Ok(())
    }
}
