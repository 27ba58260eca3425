//! Roster's schema, as sea-orm migrations. They run at start (`roster serve`)
//! and with `roster migrate`, on SQLite and PostgreSQL alike; every one has a
//! working `down`.
//!
//! The schema covers the whole product (PRODUCT.md), even where a later piece
//! of work fills in the behaviour, so that the tables do not have to be
//! reshaped as features land.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_create_users;
mod m20261121_000002_create_roles;
mod m20261121_000003_create_teams;
mod m20261121_000004_create_sessions;
mod m20261121_000005_create_one_time_tokens;
mod m20261121_000006_create_audit_entries;
mod m20261121_000007_create_messages;
mod m20261121_000008_create_api_tokens;
mod m20261121_000009_seed_builtin_roles;
mod m20261121_000010_index_users_table_views;
mod m20261121_000011_index_user_search;
mod m20261121_000012_count_message_tabs;
mod m20261121_000013_leave_room_for_user_updates;
mod m20261121_000014_count_live_users;
mod m20261121_000015_index_recent_first_on_postgres;
mod m20261121_000016_create_email_outbox;
mod m20261201_000017_grant_outbox_to_administrators;
mod m20261202_000018_version_roles_and_teams;
mod m20261202_000019_index_audit_log_by_keyset;
mod m20261206_000020_index_user_states;
mod m20261206_000021_bind_impersonations;
mod m20261206_000022_scope_api_tokens;
mod m20261206_000023_index_deleted_user_search;
mod m20261206_000024_scim_identities;
mod m20261206_000025_count_team_members;
mod m20261207_000026_count_searches_once;
mod m20261207_000027_check_team_members_per_statement;
mod m20261207_000028_hold_users_for_memberships_by_one_lock;
mod m20261207_000029_index_names_without_accounts;
mod m20261207_000030_index_actor_names_without_accounts;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_users::Migration),
            Box::new(m20261121_000002_create_roles::Migration),
            Box::new(m20261121_000003_create_teams::Migration),
            Box::new(m20261121_000004_create_sessions::Migration),
            Box::new(m20261121_000005_create_one_time_tokens::Migration),
            Box::new(m20261121_000006_create_audit_entries::Migration),
            Box::new(m20261121_000007_create_messages::Migration),
            Box::new(m20261121_000008_create_api_tokens::Migration),
            Box::new(m20261121_000009_seed_builtin_roles::Migration),
            Box::new(m20261121_000010_index_users_table_views::Migration),
            Box::new(m20261121_000011_index_user_search::Migration),
            Box::new(m20261121_000012_count_message_tabs::Migration),
            Box::new(m20261121_000013_leave_room_for_user_updates::Migration),
            Box::new(m20261121_000014_count_live_users::Migration),
            Box::new(m20261121_000015_index_recent_first_on_postgres::Migration),
            Box::new(m20261121_000016_create_email_outbox::Migration),
            Box::new(m20261201_000017_grant_outbox_to_administrators::Migration),
            Box::new(m20261202_000018_version_roles_and_teams::Migration),
            Box::new(m20261202_000019_index_audit_log_by_keyset::Migration),
            Box::new(m20261206_000020_index_user_states::Migration),
            Box::new(m20261206_000021_bind_impersonations::Migration),
            Box::new(m20261206_000022_scope_api_tokens::Migration),
            Box::new(m20261206_000023_index_deleted_user_search::Migration),
            Box::new(m20261206_000024_scim_identities::Migration),
            Box::new(m20261206_000025_count_team_members::Migration),
            Box::new(m20261207_000026_count_searches_once::Migration),
            Box::new(m20261207_000027_check_team_members_per_statement::Migration),
            Box::new(m20261207_000028_hold_users_for_memberships_by_one_lock::Migration),
            Box::new(m20261207_000029_index_names_without_accounts::Migration),
            Box::new(m20261207_000030_index_actor_names_without_accounts::Migration),
        ]
    }
}

/// The `users` table's identifiers, shared by the migrations that refer to it.
#[derive(DeriveIden)]
pub(crate) enum Users {
    Table,
    Id,
    Username,
    Email,
    Name,
    Phone,
    PhoneExt,
    PasswordHash,
    PasswordChangedAt,
    MustChangePassword,
    IsActive,
    LockedAt,
    LockedUntil,
    FailedSigninCount,
    SuspendedAt,
    SuspendedReason,
    InvitedAt,
    DeletedAt,
    LastSigninAt,
    LastSigninIp,
    LastSigninClient,
    LastActivityAt,
    SignedInSince,
    LastSignedOutAt,
    CreatedAt,
    UpdatedAt,
    Version,
}

/// A foreign key from `from_table.from_col` to `users.id`.
pub(crate) fn user_fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(Users::Table, Users::Id)
        .on_delete(on_delete)
        .to_owned()
}

/// Runs the SQL statements written for the connected database, one after
/// another (in the migration's transaction): `sqlite` on SQLite, `postgres`
/// on PostgreSQL.
pub(crate) async fn run_per_backend(
    manager: &SchemaManager<'_>,
    sqlite: &[&str],
    postgres: &[&str],
) -> Result<(), DbErr> {
    let statements = match manager.get_database_backend() {
        sea_orm_migration::sea_orm::DbBackend::Sqlite => sqlite,
        _ => postgres,
    };
    let db = manager.get_connection();
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

/// `CREATE INDEX name ON table (columns...)`.
pub(crate) fn index<C: IntoIden>(
    name: &str,
    table: impl IntoIden,
    columns: impl IntoIterator<Item = C>,
) -> IndexCreateStatement {
    let mut statement = Index::create();
    statement.name(name).table(table);
    for column in columns {
        statement.col(column);
    }
    statement
}
