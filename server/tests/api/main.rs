//! Integration tests: one binary (one link step) gathering every test file.
//! They drive the real router over HTTP and the real `roster` binary, against
//! real SQLite files and real PostgreSQL databases.

mod cli;
mod config;
mod health;
mod helpers;
mod migrations;
mod seed;
mod users_service;
