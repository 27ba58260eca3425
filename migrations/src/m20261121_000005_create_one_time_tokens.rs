use sea_orm_migration::{prelude::*, schema::*};

use crate::{index, user_fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OneTimeTokens {
    Table,
    Id,
    UserId,
    Kind,
    TokenHash,
    CreatedById,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    CancelledAt,
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
                    .table(OneTimeTokens::Table)
                    .col(big_pk_auto(OneTimeTokens::Id))
                    .col(big_integer(OneTimeTokens::UserId))
                    // "invite", "reset" or "temp_login".
                    .col(string_len(OneTimeTokens::Kind, 16))
                    // SHA-256 of the token in the emailed link, hex.
                    .col(string_len_uniq(OneTimeTokens::TokenHash, 64))
                    .col(big_integer_null(OneTimeTokens::CreatedById))
                    .col(timestamp_with_time_zone(OneTimeTokens::CreatedAt))
                    .col(timestamp_with_time_zone(OneTimeTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(OneTimeTokens::UsedAt))
                    // A newer token of the same kind cancels older ones.
                    .col(timestamp_with_time_zone_null(OneTimeTokens::CancelledAt))
                    .foreign_key(&mut user_fk(
                        OneTimeTokens::Table,
                        OneTimeTokens::UserId,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut user_fk(
                        OneTimeTokens::Table,
                        OneTimeTokens::CreatedById,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_one_time_tokens_user_kind",
                OneTimeTokens::Table,
                [OneTimeTokens::UserId, OneTimeTokens::Kind],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OneTimeTokens::Table).to_owned())
            .await
    }
}
