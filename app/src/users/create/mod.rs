//! New User: the form (`ui`), its server function (`api`), and account
//! creation and invitation (`service`), which the command line shares.

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
pub(crate) mod ui;
