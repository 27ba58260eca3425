//! The audit log's "actor" index by name holds only entries with no actor
//! id, as migration 29 did for targets.
//!
//! An actor name that belongs to an account is looked up by the account's
//! id (`idx_audit_entries_actor_time`), and a name with no account now
//! through the accounts that had it (`audit::log_service::filter`), so the
//! name index is needed only for entries that carry a name and no id. Yet
//! every entry went into it: a bulk action of 98,000 users wrote 98,000
//! entries to it (PostgreSQL: 8 MB of WAL, one index of the five it
//! updated per entry).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: [&str; 2] = [
    "DROP INDEX IF EXISTS idx_audit_entries_actor_name_time",
    "CREATE INDEX idx_audit_entries_actor_name_time \
     ON audit_entries (actor_username, occurred_at, id) \
     WHERE actor_id IS NULL",
];

const DOWN: [&str; 2] = [
    "DROP INDEX IF EXISTS idx_audit_entries_actor_name_time",
    "CREATE INDEX idx_audit_entries_actor_name_time \
     ON audit_entries (actor_username, occurred_at, id)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_per_backend(manager, &UP, &UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_per_backend(manager, &DOWN, &DOWN).await
    }
}
