//! The audit log: who did what, to whom, when, from where. Every
//! administrative action, the CLI's included, leaves an entry (`service`);
//! the Audit page reads them (`log_service`, `api`, `ui`), filtered and
//! paged by keyset through the URL (`query`).

pub mod action;
pub mod api;
#[cfg(feature = "ssr")]
pub mod log_service;
pub mod query;
#[cfg(feature = "ssr")]
pub mod retention_service;
#[cfg(feature = "ssr")]
pub mod service;
mod ui;

pub use action::{AuditAction, UnknownAuditAction};
pub use query::{AuditQuery, Position};
pub use ui::{AuditEntryPage, AuditLogPage};
