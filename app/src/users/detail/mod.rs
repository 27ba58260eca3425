//! The user page (`/users/USERNAME`): its data and server functions (`api`),
//! editing, history and permanent deletion (`service`), the page (`ui`) and
//! its one-user actions (`actions_ui`, each a bulk action on one id), and
//! "Login as" (`login_as_ui`, the start of an impersonation), and the
//! user's API tokens for administrators (`tokens_ui`).

mod actions_ui;
pub mod api;
mod login_as_ui;
#[cfg(feature = "ssr")]
pub mod service;
mod tokens_ui;
pub(crate) mod ui;
