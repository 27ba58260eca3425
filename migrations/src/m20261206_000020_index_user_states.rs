//! The Statistics page (and `/metrics`) count users in each state many
//! times a minute. Each state gets a small index over the users who are
//! not deleted, so every figure is an index range, not a pass over every
//! row: active/inactive by `is_active`, and the rare states (locked,
//! suspended, invited) by their timestamp, which is NULL for almost
//! everyone.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str); 4] = [
    ("idx_users_live_is_active", "is_active, id"),
    ("idx_users_live_locked", "locked_at, locked_until"),
    ("idx_users_live_suspended", "suspended_at"),
    ("idx_users_live_invited", "invited_at"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, columns) in INDEXES {
            db.execute_unprepared(&format!(
                "CREATE INDEX {name} ON users ({columns}) WHERE deleted_at IS NULL"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }
}
