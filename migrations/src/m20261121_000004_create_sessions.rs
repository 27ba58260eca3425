use sea_orm_migration::{prelude::*, schema::*};

use crate::{index, user_fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    TokenHash,
    ImpersonatorId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    Ip,
    UserAgent,
    Client,
    RevokedAt,
    RevokedReason,
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
                    .table(Sessions::Table)
                    .col(big_pk_auto(Sessions::Id))
                    .col(big_integer(Sessions::UserId))
                    // SHA-256 of the cookie's random token, hex: the token
                    // itself is never stored.
                    .col(string_len_uniq(Sessions::TokenHash, 64))
                    // Set when an administrator is logged in as this user.
                    .col(big_integer_null(Sessions::ImpersonatorId))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    // Written at most once a minute per session.
                    .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                    // Absolute expiry; idle expiry is last_seen_at + the idle
                    // timeout from configuration.
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .col(string_len_null(Sessions::Ip, 45))
                    .col(text_null(Sessions::UserAgent))
                    // Readable client parsed from the User-Agent, e.g.
                    // "Firefox on Linux".
                    .col(string_len_null(Sessions::Client, 120))
                    .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                    .col(string_len_null(Sessions::RevokedReason, 64))
                    .foreign_key(&mut user_fk(
                        Sessions::Table,
                        Sessions::UserId,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut user_fk(
                        Sessions::Table,
                        Sessions::ImpersonatorId,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_sessions_user_id",
                Sessions::Table,
                [Sessions::UserId],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_sessions_expires_at",
                Sessions::Table,
                [Sessions::ExpiresAt],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Sessions::Table).to_owned())
            .await
    }
}
