use crate::domain::closed_set;

closed_set! {
    /// Everything the audit log records. `audit_entries.action` holds
    /// [`AuditAction::key`]; the user page's history shows
    /// [`AuditAction::description`].
    ///
    /// Keys are never renamed: entries written by older versions keep theirs.
    /// Adding a variant is one line below, with its key and its description;
    /// `closed_set!` derives the rest, `ALL` included.
    pub enum AuditAction, unknown UnknownAuditAction, text description {
        /// An account with a password, by an administrator or the command line.
        Create = "user.create" => "Created",
        /// An account without a password yet: its owner chooses one by link.
        Invite = "user.invite" => "Invited",
        InvitationAccepted = "user.invitation_accepted" => "Accepted the invitation",
        InvitationResent = "user.invitation_resent" => "Invitation sent again",
        InvitationCancelled = "user.invitation_cancelled" => "Invitation cancelled",
        /// One field changed (`field`, `old_value`, `new_value` say which).
        Update = "user.update" => "Edited",
        Lock = "user.lock" => "Locked",
        Unlock = "user.unlock" => "Unlocked",
        Suspend = "user.suspend" => "Suspended",
        Reinstate = "user.reinstate" => "Reinstated",
        Delete = "user.delete" => "Deleted",
        Restore = "user.restore" => "Restored",
        /// Deleted for good: the account row is gone, its history stays.
        Purge = "user.purge" => "Deleted permanently",
        SetActive = "user.set_active" => "Active/inactive switched",
        /// A password an administrator chose.
        PasswordSet = "user.password_set" => "Password set by an administrator",
        /// The owner changed their password.
        PasswordChange = "user.password_change" => "Changed their password",
        /// The owner gave a wrong current password while changing it.
        PasswordChangeFailed = "user.password_change_failed" => "Password change refused",
        /// The owner chose a new password by a reset link.
        PasswordReset = "user.password_reset" => "Chose a new password by reset link",
        PasswordResetSent = "user.password_reset_sent" => "Sent a password reset link",
        TemporaryLoginSent = "user.temporary_login_sent" => "Sent a temporary login link",
        TemporaryLogin = "auth.temporary_login" => "Signed in with a temporary login link",
        /// Someone asked for a reset link on the Forgot Password page.
        PasswordResetRequested = "auth.password_reset_requested" => "Asked for a password reset link",
        SignIn = "auth.sign_in" => "Signed in",
        SignInFailed = "auth.sign_in_failed" => "Sign-in refused",
        SignOut = "auth.sign_out" => "Signed out",
        /// One session ended by its owner or an administrator.
        SessionRevoke = "auth.session_revoke" => "A session was ended",
        /// Every session of the user ran out (idle timeout or lifetime).
        SessionExpire = "auth.session_expire" => "Session expired",
        ForceSignOut = "auth.force_sign_out" => "Forced to sign out",
        /// "Login as" began: the actor is the administrator, the target the
        /// user; `details` holds the reason, if one was given.
        ImpersonationStart = "auth.impersonation_start" => "Started impersonating",
        /// "Login as" ended: recorded as "ADMIN as USER"; `details` says
        /// how it ended (a session end reason's key).
        ImpersonationEnd = "auth.impersonation_end" => "Stopped impersonating",
        MessageSend = "message.send" => "Sent a message",
        /// New Role or Copy; `details` holds its name and permissions.
        RoleCreate = "role.create" => "Created a role",
        /// One field of a role changed (`field` is name, description or
        /// permissions; old and new permission lists in full).
        RoleUpdate = "role.update" => "Changed a role",
        /// `details` names the role its users moved to.
        RoleDelete = "role.delete" => "Deleted a role",
        TeamCreate = "team.create" => "Created a team",
        /// One field of a team changed (name or description).
        TeamUpdate = "team.update" => "Changed a team",
        /// Its members stay users; `details` says how many it had.
        TeamDelete = "team.delete" => "Deleted a team",
        /// One entry per user added; `new_value` is the team.
        TeamMemberAdd = "team.member_add" => "Added to a team",
        /// One entry per user removed; `old_value` is the team.
        TeamMemberRemove = "team.member_remove" => "Removed from a team",
        /// Entries past `ROSTER_AUDIT_RETENTION` were deleted; `details`
        /// holds how many and the cutoff.
        RetentionDelete = "audit.retention" => "Deleted audit entries past the retention period",
        /// `details` holds its name, prefix, permissions and expiry.
        ApiTokenCreate = "api_token.create" => "Created an API token",
        ApiTokenRevoke = "api_token.revoke" => "Revoked an API token",
        /// A token was used from an address it had not been used from last.
        ApiTokenNewAddress = "api_token.new_address" => "API token used from a new address",
    }
}

/// The Audit page's action filter, grouped: (group, key prefix). Every
/// key starts with one of these prefixes (a test checks).
pub const GROUPS: [(&str, &str); 7] = [
    ("Accounts", "user."),
    ("Sign-in and sessions", "auth."),
    ("Messages", "message."),
    ("Roles", "role."),
    ("Teams", "team."),
    ("Audit log", "audit."),
    ("API tokens", "api_token."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_in_one_group_of_the_filter() {
        for action in AuditAction::ALL {
            let groups = GROUPS
                .iter()
                .filter(|(_, prefix)| action.key().starts_with(prefix))
                .count();
            assert_eq!(groups, 1, "{action:?}");
        }
    }

    #[test]
    fn every_action_has_a_description_of_its_own() {
        for action in AuditAction::ALL {
            let description = action.description();
            assert!(!description.trim().is_empty(), "{action:?}");
            assert_ne!(description, action.key(), "{action:?}");
        }
    }

    /// The keys the database and the API tests already hold.
    #[test]
    fn keys_are_the_stored_strings() {
        assert_eq!(AuditAction::Lock.key(), "user.lock");
        assert_eq!(AuditAction::SignIn.key(), "auth.sign_in");
        assert_eq!(AuditAction::MessageSend.key(), "message.send");
    }
}
