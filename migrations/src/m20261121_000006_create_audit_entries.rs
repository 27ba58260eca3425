use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEntries {
    Table,
    Id,
    OccurredAt,
    ActorId,
    ActorUsername,
    ImpersonatorId,
    ImpersonatorUsername,
    Action,
    TargetUserId,
    TargetUsername,
    Field,
    OldValue,
    NewValue,
    Ip,
    Client,
    Details,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on SQLite too (PostgreSQL gets a transaction by default).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // No foreign keys on purpose: the audit log outlives the users it
        // mentions (permanent delete keeps a tombstone), so ids are kept as
        // plain numbers and usernames are copied at the time of the event.
        manager
            .create_table(
                Table::create()
                    .table(AuditEntries::Table)
                    .col(big_pk_auto(AuditEntries::Id))
                    .col(timestamp_with_time_zone(AuditEntries::OccurredAt))
                    // NULL actor: the system itself (e.g. an automatic lockout)
                    // or an anonymous caller (a failed sign-in).
                    .col(big_integer_null(AuditEntries::ActorId))
                    .col(string_len_null(AuditEntries::ActorUsername, 32))
                    .col(big_integer_null(AuditEntries::ImpersonatorId))
                    .col(string_len_null(AuditEntries::ImpersonatorUsername, 32))
                    // e.g. "user.lock", "user.update", "signin.failed".
                    .col(string_len(AuditEntries::Action, 64))
                    .col(big_integer_null(AuditEntries::TargetUserId))
                    .col(string_len_null(AuditEntries::TargetUsername, 32))
                    .col(string_len_null(AuditEntries::Field, 64))
                    .col(text_null(AuditEntries::OldValue))
                    .col(text_null(AuditEntries::NewValue))
                    .col(string_len_null(AuditEntries::Ip, 45))
                    .col(string_len_null(AuditEntries::Client, 120))
                    // Anything else worth keeping, as JSON text.
                    .col(text_null(AuditEntries::Details))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_audit_entries_occurred_at", AuditEntries::OccurredAt),
            ("idx_audit_entries_actor_id", AuditEntries::ActorId),
            (
                "idx_audit_entries_target_user_id",
                AuditEntries::TargetUserId,
            ),
            ("idx_audit_entries_action", AuditEntries::Action),
        ] {
            manager
                .create_index(index(name, AuditEntries::Table, [column]))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditEntries::Table).to_owned())
            .await
    }
}
