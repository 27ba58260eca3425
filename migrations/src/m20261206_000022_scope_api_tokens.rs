//! API tokens carry a set of permissions chosen from their owner's (a
//! token acts with those its owner still holds), and remember the address
//! they were last used from, so a use from a new one is audited.

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
        db.execute_unprepared(
            "CREATE TABLE api_token_permissions (\
             token_id BIGINT NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE, \
             permission VARCHAR(64) NOT NULL, \
             PRIMARY KEY (token_id, permission))",
        )
        .await?;
        db.execute_unprepared("ALTER TABLE api_tokens ADD COLUMN last_used_ip VARCHAR(64) NULL")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP TABLE api_token_permissions")
            .await?;
        db.execute_unprepared("ALTER TABLE api_tokens DROP COLUMN last_used_ip")
            .await?;
        Ok(())
    }
}
