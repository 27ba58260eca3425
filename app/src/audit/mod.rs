//! The audit log: who did what, to whom, when, from where. The Audit page
//! comes with its own piece of work; recording starts here because every
//! administrative action, the CLI's included, must leave an entry.

#[cfg(feature = "ssr")]
pub mod service;
