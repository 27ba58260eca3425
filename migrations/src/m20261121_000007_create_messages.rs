use sea_orm_migration::{prelude::*, schema::*};

use crate::{index, user_fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    SenderId,
    SenderName,
    Body,
    IsBroadcast,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MessageRecipients {
    Table,
    MessageId,
    UserId,
    DeliveredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on SQLite too (PostgreSQL gets a transaction by default).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .col(big_pk_auto(Messages::Id))
                    .col(big_integer_null(Messages::SenderId))
                    // Copied so the message still says who sent it after the
                    // sender's account is gone.
                    .col(string_len(Messages::SenderName, 50))
                    // Plain text, never rendered as HTML.
                    .col(text(Messages::Body))
                    // "Send Message to All Logged In Users".
                    .col(boolean(Messages::IsBroadcast).default(false))
                    .col(timestamp_with_time_zone(Messages::CreatedAt))
                    .foreign_key(&mut user_fk(
                        Messages::Table,
                        Messages::SenderId,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MessageRecipients::Table)
                    .col(big_integer(MessageRecipients::MessageId))
                    .col(big_integer(MessageRecipients::UserId))
                    // NULL until a tab of the recipient has shown it; an
                    // offline recipient gets it at their next sign-in.
                    .col(timestamp_with_time_zone_null(
                        MessageRecipients::DeliveredAt,
                    ))
                    .primary_key(
                        Index::create()
                            .col(MessageRecipients::MessageId)
                            .col(MessageRecipients::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(MessageRecipients::Table, MessageRecipients::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut user_fk(
                        MessageRecipients::Table,
                        MessageRecipients::UserId,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_message_recipients_user_delivered",
                MessageRecipients::Table,
                [MessageRecipients::UserId, MessageRecipients::DeliveredAt],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MessageRecipients::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Messages::Table).to_owned())
            .await
    }
}
