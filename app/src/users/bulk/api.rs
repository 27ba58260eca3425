//! Bulk actions on the Users table: what the browser asks for, and what it
//! is told back. The work itself is in `bulk` (server-only).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::{Permission, SessionEndReason};
pub use crate::directory::Selection;
use crate::error::AppError;

/// A bulk action and its arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkAction {
    ForceSignOut,
    Lock,
    Unlock,
    ToggleActive,
    SetPassword {
        /// Redacted in `Debug`, so the action can be logged.
        password: crate::domain::Secret,
        must_change_password: bool,
    },
    /// Blocks sign-in at once and keeps everything; `reason` is shown on the
    /// user's page.
    Suspend {
        reason: String,
    },
    Reinstate,
    /// Soft delete: hidden from the default view, sessions ended, history
    /// kept; undone by Restore.
    Delete,
    Restore,
    /// Emails each user a single-use link to choose a new password.
    ResetPassword,
    /// Emails each user a single-use, short-lived link that signs them in
    /// once and then asks for a new password.
    SendTemporaryLogin,
    /// Emails a new invitation link (the old one stops working).
    ResendInvitation,
    /// The invitation link stops working and the pending account is deleted
    /// (it can be restored).
    CancelInvitation,
}

impl BulkAction {
    /// The permission the action needs.
    pub fn permission(&self) -> Permission {
        match self {
            BulkAction::ForceSignOut => Permission::ForceSignOut,
            BulkAction::Lock | BulkAction::Unlock => Permission::LockUsers,
            BulkAction::ToggleActive => Permission::EditUsers,
            BulkAction::SetPassword { .. }
            | BulkAction::ResetPassword
            | BulkAction::SendTemporaryLogin => Permission::ResetPasswords,
            BulkAction::Suspend { .. } | BulkAction::Reinstate => Permission::LockUsers,
            BulkAction::Delete | BulkAction::Restore => Permission::DeleteUsers,
            BulkAction::ResendInvitation | BulkAction::CancelInvitation => Permission::CreateUsers,
        }
    }

    /// Why the sessions of the users it changes end, if the action ends
    /// them (stored on each session, and the sign-in page's notice).
    pub fn session_end_reason(&self) -> Option<SessionEndReason> {
        match self {
            BulkAction::Lock => Some(SessionEndReason::Locked),
            BulkAction::ForceSignOut => Some(SessionEndReason::ForcedSignOut),
            BulkAction::ToggleActive => Some(SessionEndReason::Deactivated),
            BulkAction::SetPassword { .. } => Some(SessionEndReason::PasswordSet),
            BulkAction::Suspend { .. } => Some(SessionEndReason::Suspended),
            BulkAction::Delete | BulkAction::CancelInvitation => Some(SessionEndReason::Deleted),
            BulkAction::Unlock
            | BulkAction::Reinstate
            | BulkAction::Restore
            | BulkAction::ResetPassword
            | BulkAction::SendTemporaryLogin
            | BulkAction::ResendInvitation => None,
        }
    }

    /// Whether the action ends the sessions of the users it changes.
    pub fn ends_sessions(&self) -> bool {
        self.session_end_reason().is_some()
    }

    /// Whether the acting administrator is left out of it: nobody locks,
    /// suspends, deletes or signs out themself by selecting everyone.
    pub fn spares_the_caller(&self) -> bool {
        self.ends_sessions()
    }

    /// Whether the action sends each user an email.
    pub fn sends_email(&self) -> bool {
        matches!(
            self,
            BulkAction::ResetPassword
                | BulkAction::SendTemporaryLogin
                | BulkAction::ResendInvitation
        )
    }

    /// Whether the action queues email: its links, or the notice that an
    /// administrator set the password.
    pub fn queues_email(&self) -> bool {
        self.sends_email() || matches!(self, BulkAction::SetPassword { .. })
    }

    pub fn label(&self) -> &'static str {
        match self {
            BulkAction::ForceSignOut => "force sign out",
            BulkAction::Lock => "lock",
            BulkAction::Unlock => "unlock",
            BulkAction::ToggleActive => "toggle active/inactive",
            BulkAction::SetPassword { .. } => "set password",
            BulkAction::Suspend { .. } => "suspend",
            BulkAction::Reinstate => "reinstate",
            BulkAction::Delete => "delete",
            BulkAction::Restore => "restore",
            BulkAction::ResetPassword => "reset password",
            BulkAction::SendTemporaryLogin => "send temporary login",
            BulkAction::ResendInvitation => "resend invitation",
            BulkAction::CancelInvitation => "cancel invitation",
        }
    }

    /// "Locked", "Signed out"…: the start of the result message.
    fn done(&self) -> &'static str {
        match self {
            BulkAction::ForceSignOut => "Signed out",
            BulkAction::Lock => "Locked",
            BulkAction::Unlock => "Unlocked",
            BulkAction::ToggleActive => "Switched active/inactive for",
            BulkAction::SetPassword { .. } => "Set the password of",
            BulkAction::Suspend { .. } => "Suspended",
            BulkAction::Reinstate => "Reinstated",
            BulkAction::Delete => "Deleted",
            BulkAction::Restore => "Restored",
            BulkAction::ResetPassword => "Sent a password reset link to",
            BulkAction::SendTemporaryLogin => "Sent a temporary login link to",
            BulkAction::ResendInvitation => "Sent a new invitation to",
            BulkAction::CancelInvitation => "Cancelled the invitation of",
        }
    }
}

/// Users an action left alone, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Skipped {
    pub reason: String,
    pub count: u64,
    /// A few of their usernames.
    pub examples: Vec<String>,
}

/// What a bulk action did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BulkOutcome {
    pub action: String,
    pub succeeded: u64,
    pub skipped: Vec<Skipped>,
}

impl BulkOutcome {
    /// "Locked 48 users; 2 skipped: ann (that is you); bob, cy (already locked)."
    pub fn message(&self, action: &BulkAction) -> String {
        self.describe(action.done(), "")
    }

    /// "{done} 48 users{rest}; 2 skipped: …": "Added 48 users to Support;
    /// 2 skipped: ann, bob (already members)."
    pub fn describe(&self, done: &str, rest: &str) -> String {
        let users = |n: u64| {
            if n == 1 {
                "1 user".to_owned()
            } else {
                format!("{n} users")
            }
        };
        let mut text = format!("{done} {}{rest}", users(self.succeeded));
        let skipped: u64 = self.skipped.iter().map(|s| s.count).sum();
        if skipped > 0 {
            let reasons: Vec<String> = self
                .skipped
                .iter()
                .map(|s| {
                    let more = s.count.saturating_sub(s.examples.len() as u64);
                    let names = if more > 0 {
                        format!("{} and {more} more", s.examples.join(", "))
                    } else {
                        s.examples.join(", ")
                    };
                    format!("{names} ({})", s.reason)
                })
                .collect();
            text.push_str(&format!("; {skipped} skipped: {}", reasons.join("; ")));
        }
        text.push('.');
        text
    }
}

/// Runs a bulk action on a selection of users.
#[server(name = RunBulkAction, prefix = "/api", endpoint = "bulk_action", input = server_fn::codec::Json)]
pub async fn run_bulk_action(
    action: BulkAction,
    selection: Selection,
) -> Result<BulkOutcome, AppError> {
    use crate::auth::guard::{auth_state, authorized, request_context};
    use crate::domain::FormField;
    use crate::email::outbox::Outbox;
    authorized(action.permission(), |call| async move {
        if selection == Selection::Everyone && action != BulkAction::ForceSignOut {
            return Err(AppError::validation(
                FormField::Selection,
                "Only Force Sign Out applies to every user at once.",
            ));
        }
        let (outcome, after) = crate::users::bulk::service::run(
            &call.db,
            &auth_state()?,
            &Outbox::from_context()?,
            &request_context().actor(),
            &action,
            &selection,
        )
        .await?;
        after.apply().await;
        Ok(outcome)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_say_how_many_and_who_was_skipped_and_why() {
        let outcome = BulkOutcome {
            action: "lock".into(),
            succeeded: 48,
            skipped: vec![
                Skipped {
                    reason: "that is you".into(),
                    count: 1,
                    examples: vec!["ann".into()],
                },
                Skipped {
                    reason: "already locked".into(),
                    count: 7,
                    examples: vec!["bob".into(), "cy".into()],
                },
            ],
        };
        assert_eq!(
            outcome.message(&BulkAction::Lock),
            "Locked 48 users; 8 skipped: ann (that is you); bob, cy and 5 more (already locked)."
        );
    }
}
