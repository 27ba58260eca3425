//! SQLite: drop `idx_users_live`, the partial index on `deleted_at` of the
//! users not deleted. Without statistics SQLite's planner takes its
//! `deleted_at IS NULL` for a selective equality, reads every live user
//! through it and sorts them in a temporary B-tree: a deep page of 100,000
//! users took 350 ms. Without it the planner walks the partial sort index
//! of the requested column (`idx_users_live_username`…), which also covers
//! `deleted_at IS NULL`, and a deep page takes about 10 ms; counting uses
//! one of those indexes too. PostgreSQL keeps the index: its planner has
//! statistics and counts from it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            manager
                .get_connection()
                .execute_unprepared("DROP INDEX idx_users_live")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE INDEX idx_users_live ON users (deleted_at) WHERE deleted_at IS NULL",
                )
                .await?;
        }
        Ok(())
    }
}
