//! The Users table: the view in the URL (`query`), the listing and the CSV
//! export (server-only services), and the page.

pub mod api;
#[cfg(feature = "ssr")]
pub mod export_service;
mod preferences_ui;
#[cfg(feature = "ssr")]
pub mod service;
pub(crate) mod ui;
