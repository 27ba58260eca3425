//! The Roster server: the axum host, configuration, database set-up and the
//! `roster` command line. `main.rs` is a thin wrapper so that integration
//! tests can build the same application in-process.

pub mod body_limit;
pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod export;
pub mod live;
pub mod metrics;
pub mod middleware;
pub mod page_stream;
pub mod rest;
pub mod scim;
pub mod server_fn_status;
pub mod site_files;
pub mod startup;
pub mod telemetry;
