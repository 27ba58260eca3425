use crate::domain::closed_set;

closed_set! {
    /// Why a session ended. `sessions.revoked_reason` holds
    /// [`SessionEndReason::key`], and the same key is the sign-in page's
    /// `?reason=` when a tab of that session is sent there, so the page can say
    /// why ([`SessionEndReason::sign_in_notice`]).
    ///
    /// Keys are never renamed: sessions ended by older versions keep theirs.
    /// Adding a variant is one line below, with its key and its notice;
    /// `closed_set!` derives the rest, `ALL` included.
    pub enum SessionEndReason, unknown UnknownSessionEndReason, text sign_in_notice {
        /// Ended without a reason the tab is told: it expired or sat idle, its
        /// row is gone, or it was ended for a reason this version does not
        /// know. Not written to `revoked_reason`; the sign-in page's generic
        /// notice.
        Ended = "session_ended" => "Your session has ended. Please sign in again.",
        /// Its owner signed out on that device.
        SignedOut = "signed_out" => "You have signed out.",
        /// Its owner ended it from My account on another device.
        EndedByUser = "ended_by_user" => "You signed this device out from another one. Please sign in again.",
        /// An administrator ended this one session from the user's page.
        EndedByAdministrator = "ended_by_administrator" => "An administrator ended this session.",
        /// Force Sign Out: an administrator ended all of the user's sessions.
        ForcedSignOut = "forced_sign_out" => "An administrator signed you out.",
        Locked = "locked" => "Your account has been locked. Contact an administrator.",
        Deactivated = "deactivated" => "Your account has been deactivated. Contact an administrator.",
        Suspended = "suspended" => "Your account has been suspended. Contact an administrator.",
        Deleted = "deleted" => "Your account has been deleted.",
        /// An administrator set the user's password.
        PasswordSet = "password_set" => "An administrator set a new password for your account.",
        /// The owner changed their password (here or by a reset link): their
        /// other sessions end.
        PasswordChanged = "password_changed" => "Your password was changed. Please sign in again.",
        /// The browser signed in again, which ends the session it had.
        Replaced = "replaced" => "You signed in again in this browser, which ended this session.",
        /// "Login as": the administrator chose "Stop impersonating".
        ImpersonationStopped = "impersonation_stopped" => "You stopped impersonating.",
        /// "Login as": its lifetime (`ROSTER_IMPERSONATION_LIFETIME`) ran out.
        ImpersonationExpired = "impersonation_expired" => "The impersonation reached its time limit and has ended.",
        /// "Login as": the administrator's own session ended (sign-out,
        /// lock, expiry), or they may no longer impersonate.
        ImpersonatorSessionEnded = "impersonator_session_ended" => "The impersonation ended because the administrator's own session ended.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_a_notice_of_its_own() {
        let generic = SessionEndReason::Ended.sign_in_notice();
        let mut notices = Vec::new();
        for reason in SessionEndReason::ALL {
            let notice = reason.sign_in_notice();
            assert!(!notice.trim().is_empty(), "{reason:?}");
            if reason != SessionEndReason::Ended {
                assert_ne!(notice, generic, "{reason:?} has only the generic notice");
            }
            notices.push(notice);
        }
        notices.sort_unstable();
        notices.dedup();
        assert_eq!(notices.len(), SessionEndReason::ALL.len());
    }

    /// The keys sessions, links and the API tests already hold.
    #[test]
    fn keys_are_the_stored_strings() {
        assert_eq!(SessionEndReason::Ended.key(), "session_ended");
        assert_eq!(SessionEndReason::ForcedSignOut.key(), "forced_sign_out");
        assert_eq!(SessionEndReason::SignedOut.key(), "signed_out");
        assert_eq!(SessionEndReason::Replaced.key(), "replaced");
    }
}
