//! How many open tabs of each recipient showed a message, so the sender's
//! result can say it, whichever server instance the tabs were connected to.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MessageRecipients {
    Table,
    Tabs,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(MessageRecipients::Table)
                    .add_column(integer(MessageRecipients::Tabs).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(MessageRecipients::Table)
                    .drop_column(MessageRecipients::Tabs)
                    .to_owned(),
            )
            .await
    }
}
