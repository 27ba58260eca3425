//! The user page (`/users/USERNAME`): its data and server functions (`api`),
//! editing, history and permanent deletion (`service`), the page (`ui`) and
//! its one-user actions (`actions_ui`, each a bulk action on one id), and
//! "Login as" (`login_as_ui`, the start of an impersonation). The user's
//! API tokens are `api_tokens::UserTokens`, the same list as the tokens
//! page's.

mod actions_ui;
pub mod api;
mod login_as_ui;
#[cfg(feature = "ssr")]
pub mod service;
pub(crate) mod ui;
