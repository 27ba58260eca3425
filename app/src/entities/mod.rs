//! sea-orm entities: one module per table created by the `migrations` crate.
//! Server-only. Domain types (`crate::domain`) are what the rest of the app
//! passes around; these are the rows.

pub mod api_token;
pub mod api_token_permission;
pub mod audit_entry;
pub mod email_outbox;
pub mod message;
pub mod message_recipient;
pub mod one_time_token;
pub mod role;
pub mod role_permission;
pub mod session;
pub mod team;
pub mod user;
pub mod user_role;
pub mod user_team;
