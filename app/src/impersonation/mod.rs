//! "Login as" (impersonation): an administrator opens a user's view in a
//! new tab, beside their own, which is never replaced.
//!
//! - The impersonation is a separate, short-lived session of the user,
//!   bound to the administrator's own session (`impersonator_session_id`):
//!   it ends when that one does, when its time runs out
//!   (`ROSTER_IMPERSONATION_LIFETIME`), or on "Stop impersonating".
//! - Its pages live under `/as/ID/…` (see `components::navigation`), and its
//!   cookie is named after its session, so both tabs keep their own user.
//! - Nobody impersonates themself, someone holding a permission they lack,
//!   someone who cannot sign in, or while impersonating ([`LoginAsRefusal`]);
//!   the same check greys out the button and refuses on the server.
//! - Everything done meanwhile is recorded as "ADMIN as USER", and it never
//!   changes the user's presence (it is not their sign-in).
//!
//! `api` has the server functions, `service` (server-only) the work, `ui`
//! the banner of an impersonation tab. The "Login as" button is the user
//! page's (`users/detail/login_as_ui.rs`).

pub mod api;
#[cfg(feature = "ssr")]
pub mod service;
mod ui;

use serde::{Deserialize, Serialize};

use crate::auth::Permission;
pub use ui::ImpersonationBanner;

/// The longest reason for an impersonation kept, in characters.
pub const MAX_REASON_LEN: usize = 500;

/// Why "Login as" is refused, for this administrator and this user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginAsRefusal {
    /// `ROSTER_IMPERSONATION=off`.
    Disabled,
    /// The caller lacks the Impersonate permission.
    NotPermitted,
    Yourself,
    /// The caller is impersonating someone already (no nesting).
    Nested,
    Deleted,
    Suspended,
    Inactive,
    Locked,
    /// Invited and not yet accepted: the account has never signed in.
    Invited,
    /// The user holds these permissions, which the caller does not.
    HoldsMore(Vec<Permission>),
}

impl LoginAsRefusal {
    /// What the disabled button and the server's refusal say.
    pub fn message(&self, username: &str) -> String {
        match self {
            LoginAsRefusal::Disabled => "Login as is switched off on this server.".to_owned(),
            LoginAsRefusal::NotPermitted => {
                "You do not have the permission to log in as other users.".to_owned()
            }
            LoginAsRefusal::Yourself => "You cannot log in as yourself.".to_owned(),
            LoginAsRefusal::Nested => {
                "You are impersonating someone already: stop that first.".to_owned()
            }
            LoginAsRefusal::Deleted => format!("{username} is deleted and cannot sign in."),
            LoginAsRefusal::Suspended => format!("{username} is suspended and cannot sign in."),
            LoginAsRefusal::Inactive => format!("{username} is inactive and cannot sign in."),
            LoginAsRefusal::Locked => format!("{username} is locked and cannot sign in."),
            LoginAsRefusal::Invited => {
                format!("{username} has not accepted their invitation yet and cannot sign in.")
            }
            LoginAsRefusal::HoldsMore(lacking) => {
                let names: Vec<&str> = lacking.iter().map(|p| p.label()).collect();
                format!(
                    "{username} holds permissions you do not have: {}.",
                    names.join("; ")
                )
            }
        }
    }
}
