//! Roster's shared library: domain types, components, pages and server
//! functions. Compiled twice: with `ssr` into the server, with `hydrate` into
//! the browser's WASM. Server-only code sits behind `#[cfg(feature = "ssr")]`.

pub mod account;
pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod components;
pub mod dev;
pub mod directory;
pub mod domain;
pub mod email;
pub mod error;
pub mod impersonation;
pub mod invitations;
pub mod live;
pub mod password_reset;
pub mod roles;
pub mod shell;
pub mod sign_in;
pub mod statistics;
pub mod teams;
pub mod temporary_login;
pub mod users;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod effects;
#[cfg(feature = "ssr")]
pub mod entities;
#[cfg(feature = "ssr")]
pub mod scim;

pub use shell::{App, shell};
