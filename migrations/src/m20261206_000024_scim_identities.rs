//! What SCIM provisioning keeps beside Roster's own fields: the identity
//! provider's `externalId` of users and teams, the `userName` it sent when
//! that is not a Roster username as written (an email address, say), the
//! parts of a name, and the other attributes it sends that Roster keeps
//! and returns (title, the enterprise extension…) as one JSON text.
//!
//! `userName` lookups (`filter=userName eq "…"`, what every provider sends
//! before creating a user) go through an index on exactly the expression
//! the filter compares: `lower(coalesce(scim_user_name, username))`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: [&str; 9] = [
    "ALTER TABLE users ADD COLUMN external_id VARCHAR(255) NULL",
    "ALTER TABLE users ADD COLUMN scim_user_name VARCHAR(255) NULL",
    "ALTER TABLE users ADD COLUMN given_name VARCHAR(100) NULL",
    "ALTER TABLE users ADD COLUMN family_name VARCHAR(100) NULL",
    "ALTER TABLE users ADD COLUMN scim_attributes TEXT NULL",
    "ALTER TABLE teams ADD COLUMN external_id VARCHAR(255) NULL",
    "CREATE INDEX idx_users_scim_user_name ON users (lower(coalesce(scim_user_name, username)))",
    "CREATE INDEX idx_users_external_id ON users (external_id)",
    "CREATE INDEX idx_teams_external_id ON teams (external_id)",
];

const DOWN: [&str; 9] = [
    "DROP INDEX idx_teams_external_id",
    "DROP INDEX idx_users_external_id",
    "DROP INDEX idx_users_scim_user_name",
    "ALTER TABLE teams DROP COLUMN external_id",
    "ALTER TABLE users DROP COLUMN scim_attributes",
    "ALTER TABLE users DROP COLUMN family_name",
    "ALTER TABLE users DROP COLUMN given_name",
    "ALTER TABLE users DROP COLUMN scim_user_name",
    "ALTER TABLE users DROP COLUMN external_id",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in UP {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in DOWN {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}
