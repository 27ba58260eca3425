//! The Audit page pages by keyset: newest first by (occurred_at, id), each
//! page an index range after its neighbour's edge. Every filter gets an
//! index ending in (occurred_at, id), so a filtered page, its last one
//! included, reads one page of index entries and no more. "While
//! impersonating" is rare: a partial index holds only those entries.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The single-column index replaced (name, column), and its replacement
/// (name, columns).
type Index = (&'static str, &'static str);
const REPLACED: [(Index, Index); 4] = [
    (
        ("idx_audit_entries_occurred_at", "occurred_at"),
        ("idx_audit_entries_time", "occurred_at, id"),
    ),
    (
        ("idx_audit_entries_actor_id", "actor_id"),
        ("idx_audit_entries_actor_time", "actor_id, occurred_at, id"),
    ),
    (
        ("idx_audit_entries_target_user_id", "target_user_id"),
        (
            "idx_audit_entries_target_time",
            "target_user_id, occurred_at, id",
        ),
    ),
    (
        ("idx_audit_entries_action", "action"),
        ("idx_audit_entries_action_time", "action, occurred_at, id"),
    ),
];

/// Names written before an account had a row now (purged users, or a
/// username that never existed) are matched as written.
const BY_NAME: [(&str, &str); 2] = [
    (
        "idx_audit_entries_actor_name_time",
        "actor_username, occurred_at, id",
    ),
    (
        "idx_audit_entries_target_name_time",
        "target_username, occurred_at, id",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for ((old, _), (new, columns)) in REPLACED {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {old}"))
                .await?;
            db.execute_unprepared(&format!("CREATE INDEX {new} ON audit_entries ({columns})"))
                .await?;
        }
        for (name, columns) in BY_NAME {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON audit_entries ({columns})"))
                .await?;
        }
        db.execute_unprepared(
            "CREATE INDEX idx_audit_entries_impersonated_time ON audit_entries (occurred_at, id) \
             WHERE impersonator_id IS NOT NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS idx_audit_entries_impersonated_time")
            .await?;
        for (name, _) in BY_NAME {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        for ((old, column), (new, _)) in REPLACED {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {new}"))
                .await?;
            db.execute_unprepared(&format!("CREATE INDEX {old} ON audit_entries ({column})"))
                .await?;
        }
        Ok(())
    }
}
