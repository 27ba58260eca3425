//! A search's total counted once, not on every page: `user_totals` gains
//! `search_generation`, which moves whenever what a search can find changes
//! (a user added, purged, deleted or restored, or their username, email or
//! name changed), and `database_key`, a random key telling this database
//! apart from any other a process talks to. The server keeps the totals it
//! counted under the key and the generation it read before counting
//! (`app::directory::search_counts`); a total kept under an older
//! generation is never used. Counting a search that matches many users cost
//! 20 ms (a trigram index, 25,000 of 100,000 users) to 100 ms (a text of two
//! letters, which a trigram cannot find: every row is read), on every page.
//!
//! The triggers are transactional like the other counters: readers see the
//! new generation with the change, not before it. SQLite fires per row and
//! only on a real change; PostgreSQL once per statement naming a searched
//! column (an update that sets a column to its old value costs one
//! recount, nothing more).

use sea_orm_migration::prelude::*;

use crate::run_per_backend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const ADD_GENERATION: &str =
    "ALTER TABLE user_totals ADD COLUMN search_generation BIGINT NOT NULL DEFAULT 0";
const ADD_KEY: &str = "ALTER TABLE user_totals ADD COLUMN database_key TEXT NOT NULL DEFAULT ''";

const SQLITE_UP: [&str; 6] = [
    ADD_GENERATION,
    ADD_KEY,
    "UPDATE user_totals SET database_key = lower(hex(randomblob(16)))",
    "CREATE TRIGGER users_search_generation_insert AFTER INSERT ON users BEGIN \
        UPDATE user_totals SET search_generation = search_generation + 1 WHERE id = 1; \
     END",
    "CREATE TRIGGER users_search_generation_delete AFTER DELETE ON users BEGIN \
        UPDATE user_totals SET search_generation = search_generation + 1 WHERE id = 1; \
     END",
    "CREATE TRIGGER users_search_generation_update \
     AFTER UPDATE OF username, email, name, deleted_at ON users \
     WHEN old.username IS NOT new.username OR old.email IS NOT new.email \
        OR old.name IS NOT new.name \
        OR (old.deleted_at IS NULL) <> (new.deleted_at IS NULL) BEGIN \
        UPDATE user_totals SET search_generation = search_generation + 1 WHERE id = 1; \
     END",
];

const SQLITE_DOWN: [&str; 5] = [
    "DROP TRIGGER users_search_generation_update",
    "DROP TRIGGER users_search_generation_delete",
    "DROP TRIGGER users_search_generation_insert",
    "ALTER TABLE user_totals DROP COLUMN database_key",
    "ALTER TABLE user_totals DROP COLUMN search_generation",
];

const POSTGRES_UP: [&str; 7] = [
    ADD_GENERATION,
    ADD_KEY,
    "UPDATE user_totals SET database_key = md5(random()::text || clock_timestamp()::text)",
    "CREATE FUNCTION users_search_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN \
        UPDATE user_totals SET search_generation = search_generation + 1 WHERE id = 1; \
        RETURN NULL; \
     END $$",
    "CREATE TRIGGER users_search_generation_insert AFTER INSERT ON users \
     FOR EACH STATEMENT EXECUTE FUNCTION users_search_generation_bump()",
    "CREATE TRIGGER users_search_generation_delete AFTER DELETE ON users \
     FOR EACH STATEMENT EXECUTE FUNCTION users_search_generation_bump()",
    "CREATE TRIGGER users_search_generation_update \
     AFTER UPDATE OF username, email, name, deleted_at ON users \
     FOR EACH STATEMENT EXECUTE FUNCTION users_search_generation_bump()",
];

const POSTGRES_DOWN: [&str; 6] = [
    "DROP TRIGGER users_search_generation_update ON users",
    "DROP TRIGGER users_search_generation_delete ON users",
    "DROP TRIGGER users_search_generation_insert ON users",
    "DROP FUNCTION users_search_generation_bump()",
    "ALTER TABLE user_totals DROP COLUMN database_key",
    "ALTER TABLE user_totals DROP COLUMN search_generation",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_per_backend(manager, &SQLITE_UP, &POSTGRES_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_per_backend(manager, &SQLITE_DOWN, &POSTGRES_DOWN).await
    }
}
