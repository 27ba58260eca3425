use sea_orm_migration::{prelude::*, schema::*};

use crate::{Users, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

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
                    .table(Users::Table)
                    .col(big_pk_auto(Users::Id))
                    // Stored lower-case by the domain types, so a plain unique
                    // index makes them unique case-insensitively.
                    .col(string_len_uniq(Users::Username, 32))
                    .col(string_len_uniq(Users::Email, 254))
                    .col(string_len(Users::Name, 50))
                    .col(string_len_null(Users::Phone, 15))
                    .col(string_len_null(Users::PhoneExt, 6))
                    // NULL: no password set yet (invited, or seeded demo data).
                    .col(text_null(Users::PasswordHash))
                    .col(timestamp_with_time_zone_null(Users::PasswordChangedAt))
                    .col(boolean(Users::MustChangePassword).default(false))
                    .col(boolean(Users::IsActive).default(true))
                    .col(timestamp_with_time_zone_null(Users::LockedAt))
                    // When set, the lock lifts by itself at this time.
                    .col(timestamp_with_time_zone_null(Users::LockedUntil))
                    .col(integer(Users::FailedSigninCount).default(0))
                    .col(timestamp_with_time_zone_null(Users::SuspendedAt))
                    .col(text_null(Users::SuspendedReason))
                    // Set while an invitation is pending; cleared on acceptance.
                    .col(timestamp_with_time_zone_null(Users::InvitedAt))
                    // Soft delete: hidden from the default view, restorable.
                    .col(timestamp_with_time_zone_null(Users::DeletedAt))
                    // Presence, kept here (derived from sessions) so the users
                    // table can sort and filter on it with an index.
                    .col(timestamp_with_time_zone_null(Users::LastSigninAt))
                    .col(string_len_null(Users::LastSigninIp, 45))
                    .col(string_len_null(Users::LastSigninClient, 120))
                    .col(timestamp_with_time_zone_null(Users::LastActivityAt))
                    // Start of the earliest session still open after the last
                    // sign-out: the origin of "Time Logged In". NULL = signed out.
                    .col(timestamp_with_time_zone_null(Users::SignedInSince))
                    .col(timestamp_with_time_zone_null(Users::LastSignedOutAt))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    // Optimistic concurrency: every update bumps it, and an
                    // update that expected another version is refused.
                    .col(integer(Users::Version).default(1))
                    .to_owned(),
            )
            .await?;

        // The columns the users table sorts and filters on.
        for (name, column) in [
            ("idx_users_name", Users::Name),
            ("idx_users_last_signin_at", Users::LastSigninAt),
            ("idx_users_last_activity_at", Users::LastActivityAt),
            ("idx_users_created_at", Users::CreatedAt),
            ("idx_users_deleted_at", Users::DeletedAt),
            ("idx_users_signed_in_since", Users::SignedInSince),
        ] {
            manager
                .create_index(index(name, Users::Table, [column]))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await
    }
}
