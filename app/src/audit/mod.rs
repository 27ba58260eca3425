//! The audit log: who did what, to whom, when, from where. The Audit page
//! comes with its own piece of work; recording starts here because every
//! administrative action, the CLI's included, must leave an entry.

pub mod action;
#[cfg(feature = "ssr")]
pub mod service;

pub use action::{AuditAction, UnknownAuditAction};
