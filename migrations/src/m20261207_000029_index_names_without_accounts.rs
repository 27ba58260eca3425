//! The audit log's "target" index by name holds only the entries a name is
//! the way to find: those with no account id, and each account's purge.
//!
//! A target name that belongs to an account is looked up by the account's
//! id (`idx_audit_entries_target_time`); the name index served only names
//! with no account now. Yet every entry went into it, in username order,
//! so a bulk action wrote each of its entries to a random place of it:
//! adding 98,000 users to a team spent 0.36 s of 1.47 s on this index
//! alone (PostgreSQL). A name with no account now is found instead
//! through the accounts that had it (`audit::log_service::filter`):
//! - a purged account, by its purge entry (in the partial index below);
//! - a renamed one, by its rename entries (`field = 'username'`, whose old
//!   and new names get their own small partial indexes);
//! - and entries with no account id at all (a sign-in attempt on a name
//!   that never existed), by name, in the partial index.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: [&str; 4] = [
    "DROP INDEX IF EXISTS idx_audit_entries_target_name_time",
    "CREATE INDEX idx_audit_entries_target_name_time \
     ON audit_entries (target_username, occurred_at, id) \
     WHERE target_user_id IS NULL OR action = 'user.purge'",
    "CREATE INDEX idx_audit_entries_renamed_from ON audit_entries (old_value) \
     WHERE field = 'username'",
    "CREATE INDEX idx_audit_entries_renamed_to ON audit_entries (new_value) \
     WHERE field = 'username'",
];

const DOWN: [&str; 4] = [
    "DROP INDEX IF EXISTS idx_audit_entries_renamed_to",
    "DROP INDEX IF EXISTS idx_audit_entries_renamed_from",
    "DROP INDEX IF EXISTS idx_audit_entries_target_name_time",
    "CREATE INDEX idx_audit_entries_target_name_time \
     ON audit_entries (target_username, occurred_at, id)",
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
