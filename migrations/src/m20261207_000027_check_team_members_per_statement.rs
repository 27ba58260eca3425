//! PostgreSQL: a team membership's references to its user and its team are
//! checked once per statement, not once per row.
//!
//! A foreign key checks each inserted row on its own (two internal queries
//! per row). Adding all of 100,000 users to a team spent about 1 s of its
//! 3.1 s in those checks. The same guarantees, per statement, take about
//! 0.17 s for 100,000 rows:
//! - **Insert:** every user and team the new rows name is locked `FOR KEY
//!   SHARE` until commit, as a foreign key check locks it, so a concurrent
//!   delete waits. A row naming a user or team that does not exist (or was
//!   deleted meanwhile) fails the statement with `foreign_key_violation`,
//!   the foreign key's error.
//! - **Delete:** removing users or teams for good removes their
//!   memberships in the same statement's trigger, as `ON DELETE CASCADE`
//!   did. The member counts stay right: `team_members_user_removed` counts a
//!   removed user before the row goes, and `team_members_removed` skips
//!   memberships whose user is already gone (migration 25).
//!
//! SQLite keeps its foreign keys: they are checked in the process, a few
//! nanoseconds each.

use sea_orm_migration::prelude::*;

use crate::run_per_backend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The statement check as this migration made it: every user and team named
/// locked `FOR KEY SHARE`, then both checked. Migration 28 replaces it and
/// puts it back on the way down.
pub(crate) const REFERENCED_BY_ROW_LOCKS: &str = "CREATE FUNCTION team_memberships_referenced() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN \
        PERFORM 1 FROM users WHERE id IN (SELECT user_id FROM new_memberships) FOR KEY SHARE; \
        PERFORM 1 FROM teams WHERE id IN (SELECT team_id FROM new_memberships) FOR KEY SHARE; \
        IF EXISTS (SELECT 1 FROM new_memberships m \
                   WHERE NOT EXISTS (SELECT 1 FROM users WHERE users.id = m.user_id)) THEN \
            RAISE EXCEPTION 'a team membership names a user who does not exist' \
                USING ERRCODE = 'foreign_key_violation'; \
        END IF; \
        IF EXISTS (SELECT 1 FROM new_memberships m \
                   WHERE NOT EXISTS (SELECT 1 FROM teams WHERE teams.id = m.team_id)) THEN \
            RAISE EXCEPTION 'a team membership names a team that does not exist' \
                USING ERRCODE = 'foreign_key_violation'; \
        END IF; \
        RETURN NULL; \
     END $$";

const POSTGRES_UP: [&str; 9] = [
    "ALTER TABLE user_teams DROP CONSTRAINT user_teams_user_id_fkey",
    "ALTER TABLE user_teams DROP CONSTRAINT user_teams_team_id_fkey",
    REFERENCED_BY_ROW_LOCKS,
    // PostgreSQL allows one event per trigger with transition tables.
    "CREATE TRIGGER team_memberships_inserted AFTER INSERT ON user_teams \
     REFERENCING NEW TABLE AS new_memberships \
     FOR EACH STATEMENT EXECUTE FUNCTION team_memberships_referenced()",
    "CREATE TRIGGER team_memberships_updated AFTER UPDATE ON user_teams \
     REFERENCING NEW TABLE AS new_memberships \
     FOR EACH STATEMENT EXECUTE FUNCTION team_memberships_referenced()",
    "CREATE FUNCTION team_memberships_of_removed_users() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN \
        DELETE FROM user_teams WHERE user_id IN (SELECT id FROM removed_users); \
        RETURN NULL; \
     END $$",
    "CREATE TRIGGER users_removed_leave_teams AFTER DELETE ON users \
     REFERENCING OLD TABLE AS removed_users \
     FOR EACH STATEMENT EXECUTE FUNCTION team_memberships_of_removed_users()",
    "CREATE FUNCTION team_memberships_of_removed_teams() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN \
        DELETE FROM user_teams WHERE team_id IN (SELECT id FROM removed_teams); \
        RETURN NULL; \
     END $$",
    "CREATE TRIGGER teams_removed_lose_members AFTER DELETE ON teams \
     REFERENCING OLD TABLE AS removed_teams \
     FOR EACH STATEMENT EXECUTE FUNCTION team_memberships_of_removed_teams()",
];

const POSTGRES_DOWN: [&str; 9] = [
    "DROP TRIGGER teams_removed_lose_members ON teams",
    "DROP FUNCTION team_memberships_of_removed_teams()",
    "DROP TRIGGER users_removed_leave_teams ON users",
    "DROP FUNCTION team_memberships_of_removed_users()",
    "DROP TRIGGER team_memberships_updated ON user_teams",
    "DROP TRIGGER team_memberships_inserted ON user_teams",
    "DROP FUNCTION team_memberships_referenced()",
    "ALTER TABLE user_teams ADD CONSTRAINT user_teams_team_id_fkey \
     FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE CASCADE",
    "ALTER TABLE user_teams ADD CONSTRAINT user_teams_user_id_fkey \
     FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_per_backend(manager, &[], &POSTGRES_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_per_backend(manager, &[], &POSTGRES_DOWN).await
    }
}
