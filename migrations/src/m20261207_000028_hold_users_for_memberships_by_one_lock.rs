//! PostgreSQL: a statement adding team memberships no longer locks every
//! user it names. One advisory lock stands in for those row locks.
//!
//! Migration 27 locked each named user `FOR KEY SHARE`, as a foreign key
//! does, so that nobody could remove a user between the check and the
//! commit. A row lock writes to the user's row: adding 98,000 users to a
//! team spent 0.4 s of its 1.1 s insert on them. What the row locks kept
//! out is one kind of statement, removing users for good, which is rare.
//! So both now take one advisory lock before they start:
//! - **Adding or changing memberships** takes it shared (statements adding
//!   memberships never wait for each other), before any row is written.
//!   The check after the statement then reads, in a snapshot taken after
//!   the lock, the users as every finished removal left them: a user
//!   removed before is missing and the statement fails with
//!   `foreign_key_violation`, as before.
//! - **Removing users** takes it exclusive: it waits until every
//!   transaction adding memberships has ended, and its own trigger then
//!   sees their memberships and removes them with their users.
//!
//! Both take it before their rows are written, so neither can hold a row
//! the other waits for while waiting for the lock. Teams are few: they are
//! still locked `FOR KEY SHARE`, once each, not once per membership.

use sea_orm_migration::prelude::*;

use crate::m20261207_000027_check_team_members_per_statement::REFERENCED_BY_ROW_LOCKS;
use crate::run_per_backend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: [&str; 5] = [
    // The key is "rost" 1 in PostgreSQL's two-number key space, apart from
    // the migrations' own lock (db.rs), which uses the one-number space.
    "CREATE FUNCTION team_memberships_hold_users() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN \
        PERFORM pg_advisory_xact_lock_shared(1919906676, 1); \
        RETURN NULL; \
     END $$",
    "CREATE TRIGGER team_memberships_writing BEFORE INSERT OR UPDATE ON user_teams \
     FOR EACH STATEMENT EXECUTE FUNCTION team_memberships_hold_users()",
    "CREATE FUNCTION users_removing_hold_memberships() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN \
        PERFORM pg_advisory_xact_lock(1919906676, 1); \
        RETURN NULL; \
     END $$",
    "CREATE TRIGGER users_removing BEFORE DELETE ON users \
     FOR EACH STATEMENT EXECUTE FUNCTION users_removing_hold_memberships()",
    // Users checked without locks (the advisory lock keeps removals out);
    // teams locked and checked once each.
    "CREATE OR REPLACE FUNCTION team_memberships_referenced() RETURNS trigger \
     LANGUAGE plpgsql AS $$ \
     BEGIN \
        IF EXISTS (SELECT 1 FROM new_memberships m \
                   WHERE NOT EXISTS (SELECT 1 FROM users WHERE users.id = m.user_id)) THEN \
            RAISE EXCEPTION 'a team membership names a user who does not exist' \
                USING ERRCODE = 'foreign_key_violation'; \
        END IF; \
        PERFORM 1 FROM teams WHERE id IN (SELECT DISTINCT team_id FROM new_memberships) \
            FOR KEY SHARE; \
        IF EXISTS (SELECT 1 FROM (SELECT DISTINCT team_id FROM new_memberships) m \
                   WHERE NOT EXISTS (SELECT 1 FROM teams WHERE teams.id = m.team_id)) THEN \
            RAISE EXCEPTION 'a team membership names a team that does not exist' \
                USING ERRCODE = 'foreign_key_violation'; \
        END IF; \
        RETURN NULL; \
     END $$",
];

const POSTGRES_DOWN: [&str; 4] = [
    "DROP TRIGGER users_removing ON users",
    "DROP FUNCTION users_removing_hold_memberships()",
    "DROP TRIGGER team_memberships_writing ON user_teams",
    "DROP FUNCTION team_memberships_hold_users()",
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
        run_per_backend(manager, &[], &POSTGRES_DOWN).await?;
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
            let previous = REFERENCED_BY_ROW_LOCKS.replacen(
                "CREATE FUNCTION",
                "CREATE OR REPLACE FUNCTION",
                1,
            );
            manager
                .get_connection()
                .execute_unprepared(&previous)
                .await?;
        }
        Ok(())
    }
}
