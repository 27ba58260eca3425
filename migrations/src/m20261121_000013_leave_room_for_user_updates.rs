//! PostgreSQL: leave half of each `users` page free, so that an UPDATE
//! that changes no indexed column (Lock, Unlock, Set Password, Toggle
//! Active…) can write the new row version on the same page as a HOT update
//! and skip every index, the trigram GIN indexes included. Bulk actions
//! rewrite every selected row at once, hence half a page. SQLite has no
//! such setting; this migration does nothing there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE users SET (fillfactor = 50)")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("ALTER TABLE users RESET (fillfactor)")
                .await?;
        }
        Ok(())
    }
}
