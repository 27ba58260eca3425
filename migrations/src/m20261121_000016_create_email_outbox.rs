//! Email waiting to be sent, and what became of it. A message is written in
//! the same transaction as what it tells of (a reset token, say), so neither
//! exists without the other; a worker sends it afterwards, off the request
//! path, and retries failures with a growing pause. A message that still
//! fails is kept with its error for the administrator: never lost silently.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EmailOutbox {
    Table,
    Id,
    Recipient,
    Subject,
    TextBody,
    HtmlBody,
    CreatedAt,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    SentAt,
    FailedAt,
    LastError,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EmailOutbox::Table)
                    .col(big_pk_auto(EmailOutbox::Id))
                    .col(string_len(EmailOutbox::Recipient, 254))
                    .col(string_len(EmailOutbox::Subject, 200))
                    .col(text(EmailOutbox::TextBody))
                    .col(text(EmailOutbox::HtmlBody))
                    .col(timestamp_with_time_zone(EmailOutbox::CreatedAt))
                    .col(integer(EmailOutbox::Attempts).default(0))
                    // When the worker may (re)try it; NULL once sent or given up.
                    .col(timestamp_with_time_zone_null(EmailOutbox::NextAttemptAt))
                    // A worker is sending it until then (several instances).
                    .col(timestamp_with_time_zone_null(EmailOutbox::ClaimedUntil))
                    .col(timestamp_with_time_zone_null(EmailOutbox::SentAt))
                    .col(timestamp_with_time_zone_null(EmailOutbox::FailedAt))
                    .col(text_null(EmailOutbox::LastError))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_email_outbox_next_attempt_at",
                EmailOutbox::Table,
                [EmailOutbox::NextAttemptAt],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EmailOutbox::Table).to_owned())
            .await
    }
}
