//! Selecting users and acting on them: what the browser asks for (`api`),
//! the set-based work in one transaction (`service`, with the emailed links
//! in `email_service`), and the selection bar with its confirmations (`ui`).

pub mod api;
#[cfg(feature = "ssr")]
pub mod email_service;
#[cfg(feature = "ssr")]
pub mod service;
mod team_ui;
pub(crate) mod ui;
