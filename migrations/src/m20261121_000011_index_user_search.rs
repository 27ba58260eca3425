//! An index for the Users table's search (username, email or name contains
//! the text, any case), which otherwise reads every row.
//!
//! - SQLite: an FTS5 table with the trigram tokenizer over the three
//!   columns, kept in step with `users` by triggers. A phrase of three or
//!   more characters matches exactly the rows containing it, with Unicode
//!   case folding (which SQLite's own `lower()` lacks).
//! - PostgreSQL: `pg_trgm` GIN indexes, which serve `LIKE '%text%'` as is.
//!
//! The triggers fire only when one of the three columns changes, so bulk
//! actions on other columns do not touch the search index.

use sea_orm_migration::prelude::*;

use crate::run_per_backend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: [&str; 5] = [
    "CREATE VIRTUAL TABLE users_search USING fts5(\
        username, email, name, content='users', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN \
        INSERT INTO users_search (rowid, username, email, name) \
        VALUES (new.id, new.username, new.email, new.name); \
     END",
    "CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN \
        INSERT INTO users_search (users_search, rowid, username, email, name) \
        VALUES ('delete', old.id, old.username, old.email, old.name); \
     END",
    "CREATE TRIGGER users_search_update AFTER UPDATE OF username, email, name ON users BEGIN \
        INSERT INTO users_search (users_search, rowid, username, email, name) \
        VALUES ('delete', old.id, old.username, old.email, old.name); \
        INSERT INTO users_search (rowid, username, email, name) \
        VALUES (new.id, new.username, new.email, new.name); \
     END",
    "INSERT INTO users_search (users_search) VALUES ('rebuild')",
];

const SQLITE_DOWN: [&str; 4] = [
    "DROP TRIGGER users_search_update",
    "DROP TRIGGER users_search_delete",
    "DROP TRIGGER users_search_insert",
    "DROP TABLE users_search",
];

const POSTGRES_UP: [&str; 4] = [
    // pg_trgm is a trusted extension: the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX idx_users_search_username ON users USING gin (username gin_trgm_ops)",
    "CREATE INDEX idx_users_search_email ON users USING gin (email gin_trgm_ops)",
    "CREATE INDEX idx_users_search_name ON users USING gin (lower(name) gin_trgm_ops)",
];

// The extension stays: other things may use it.
const POSTGRES_DOWN: [&str; 3] = [
    "DROP INDEX idx_users_search_name",
    "DROP INDEX idx_users_search_email",
    "DROP INDEX idx_users_search_username",
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
