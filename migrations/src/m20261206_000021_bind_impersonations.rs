//! "Login as" opens a separate, short-lived session for the user, bound to
//! the administrator's own session: when that one ends (sign-out, lock,
//! expiry), the impersonation ends with it. `impersonator_session_id` is
//! that binding; only impersonation sessions have it, so its index holds
//! only them and finding the ones to end reads a few entries.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // Raw SQL: sea-query cannot add a column with a foreign key on
        // SQLite, which accepts one in ADD COLUMN when its default is NULL.
        db.execute_unprepared(
            "ALTER TABLE sessions ADD COLUMN impersonator_session_id BIGINT NULL \
             REFERENCES sessions (id) ON DELETE CASCADE",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_sessions_impersonations ON sessions (impersonator_session_id) \
             WHERE impersonator_session_id IS NOT NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS idx_sessions_impersonations")
            .await?;
        db.execute_unprepared("ALTER TABLE sessions DROP COLUMN impersonator_session_id")
            .await?;
        Ok(())
    }
}
