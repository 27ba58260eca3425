//! Integration tests: one binary (one link step) gathering every test file.
//! They drive the real router over HTTP and the real `roster` binary, against
//! real SQLite files and real PostgreSQL databases.

/// Runs an `async fn(Backend)` test once on SQLite and once on PostgreSQL,
/// as two tests named `<name>::sqlite` and `<name>::postgres`.
macro_rules! both_backends {
    ($test:ident) => {
        mod $test {
            #[tokio::test]
            async fn sqlite() {
                super::$test(crate::helpers::Backend::Sqlite).await;
            }

            #[tokio::test]
            async fn postgres() {
                super::$test(crate::helpers::Backend::Postgres).await;
            }
        }
    };
}

mod account_state;
mod accounts;
mod api_tokens;
mod audit_log;
mod auth;
mod authorization;
mod cli;
mod config;
mod crash;
mod database_outage;
mod health;
mod helpers;
mod hostile_requests;
mod impersonation;
mod live;
mod mail_listener;
mod metrics;
mod migrations;
mod password_reset;
mod rest_authorization;
mod rest_users;
mod roles_escalation;
mod roles_service;
mod scim;
mod seed;
mod served;
mod session_safety;
mod smtp_outage;
mod statistics;
mod teams_service;
mod two_instances;
mod users_bulk;
mod users_bulk_matching;
mod users_list;
mod users_service;
