//! The email outbox page needs its own permission ("outbox.view"): the
//! messages hold live sign-in, reset and invitation links. Administrators
//! get it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO role_permissions (role_id, permission) \
                 SELECT id, 'outbox.view' FROM roles WHERE name = 'Administrator' AND is_builtin = TRUE",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM role_permissions WHERE permission = 'outbox.view'")
            .await?;
        Ok(())
    }
}
