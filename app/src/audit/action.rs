use serde::{Deserialize, Serialize};

/// Everything the audit log records. `audit_entries.action` holds
/// [`AuditAction::key`]; the user page's history shows
/// [`AuditAction::description`].
///
/// Keys are never renamed: entries written by older versions keep theirs.
/// Adding a variant: add it to [`AuditAction::ALL`] and give it a key and a
/// description (the tests below do not compile until it is in `ALL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum AuditAction {
    /// An account with a password, by an administrator or the command line.
    Create,
    /// An account without a password yet: its owner chooses one by link.
    Invite,
    InvitationAccepted,
    InvitationResent,
    InvitationCancelled,
    /// One field changed (`field`, `old_value`, `new_value` say which).
    Update,
    Lock,
    Unlock,
    Suspend,
    Reinstate,
    Delete,
    Restore,
    /// Deleted for good: the account row is gone, its history stays.
    Purge,
    SetActive,
    /// A password an administrator chose.
    PasswordSet,
    /// The owner changed their password.
    PasswordChange,
    /// The owner gave a wrong current password while changing it.
    PasswordChangeFailed,
    /// The owner chose a new password by a reset link.
    PasswordReset,
    PasswordResetSent,
    TemporaryLoginSent,
    TemporaryLogin,
    /// Someone asked for a reset link on the Forgot Password page.
    PasswordResetRequested,
    SignIn,
    SignInFailed,
    SignOut,
    /// One session ended by its owner or an administrator.
    SessionRevoke,
    ForceSignOut,
    MessageSend,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown audit action '{0}'")]
pub struct UnknownAuditAction(pub String);

impl AuditAction {
    pub const ALL: [AuditAction; 28] = [
        AuditAction::Create,
        AuditAction::Invite,
        AuditAction::InvitationAccepted,
        AuditAction::InvitationResent,
        AuditAction::InvitationCancelled,
        AuditAction::Update,
        AuditAction::Lock,
        AuditAction::Unlock,
        AuditAction::Suspend,
        AuditAction::Reinstate,
        AuditAction::Delete,
        AuditAction::Restore,
        AuditAction::Purge,
        AuditAction::SetActive,
        AuditAction::PasswordSet,
        AuditAction::PasswordChange,
        AuditAction::PasswordChangeFailed,
        AuditAction::PasswordReset,
        AuditAction::PasswordResetSent,
        AuditAction::TemporaryLoginSent,
        AuditAction::TemporaryLogin,
        AuditAction::PasswordResetRequested,
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::SignOut,
        AuditAction::SessionRevoke,
        AuditAction::ForceSignOut,
        AuditAction::MessageSend,
    ];

    /// The stable key stored in `audit_entries.action`: `user.…` for what
    /// happened to an account, `auth.…` for signing in and out,
    /// `message.…` for messages.
    pub const fn key(self) -> &'static str {
        match self {
            AuditAction::Create => "user.create",
            AuditAction::Invite => "user.invite",
            AuditAction::InvitationAccepted => "user.invitation_accepted",
            AuditAction::InvitationResent => "user.invitation_resent",
            AuditAction::InvitationCancelled => "user.invitation_cancelled",
            AuditAction::Update => "user.update",
            AuditAction::Lock => "user.lock",
            AuditAction::Unlock => "user.unlock",
            AuditAction::Suspend => "user.suspend",
            AuditAction::Reinstate => "user.reinstate",
            AuditAction::Delete => "user.delete",
            AuditAction::Restore => "user.restore",
            AuditAction::Purge => "user.purge",
            AuditAction::SetActive => "user.set_active",
            AuditAction::PasswordSet => "user.password_set",
            AuditAction::PasswordChange => "user.password_change",
            AuditAction::PasswordChangeFailed => "user.password_change_failed",
            AuditAction::PasswordReset => "user.password_reset",
            AuditAction::PasswordResetSent => "user.password_reset_sent",
            AuditAction::TemporaryLoginSent => "user.temporary_login_sent",
            AuditAction::TemporaryLogin => "auth.temporary_login",
            AuditAction::PasswordResetRequested => "auth.password_reset_requested",
            AuditAction::SignIn => "auth.sign_in",
            AuditAction::SignInFailed => "auth.sign_in_failed",
            AuditAction::SignOut => "auth.sign_out",
            AuditAction::SessionRevoke => "auth.session_revoke",
            AuditAction::ForceSignOut => "auth.force_sign_out",
            AuditAction::MessageSend => "message.send",
        }
    }

    /// The action stored as `key`; None for a key this version does not
    /// know (a newer release wrote it).
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    /// What happened, in words, for a user's change history (who did it
    /// and to which field are shown beside it).
    pub const fn description(self) -> &'static str {
        match self {
            AuditAction::Create => "Created",
            AuditAction::Invite => "Invited",
            AuditAction::InvitationAccepted => "Accepted the invitation",
            AuditAction::InvitationResent => "Invitation sent again",
            AuditAction::InvitationCancelled => "Invitation cancelled",
            AuditAction::Update => "Edited",
            AuditAction::Lock => "Locked",
            AuditAction::Unlock => "Unlocked",
            AuditAction::Suspend => "Suspended",
            AuditAction::Reinstate => "Reinstated",
            AuditAction::Delete => "Deleted",
            AuditAction::Restore => "Restored",
            AuditAction::Purge => "Deleted permanently",
            AuditAction::SetActive => "Active/inactive switched",
            AuditAction::PasswordSet => "Password set by an administrator",
            AuditAction::PasswordChange => "Changed their password",
            AuditAction::PasswordChangeFailed => "Password change refused",
            AuditAction::PasswordReset => "Chose a new password by reset link",
            AuditAction::PasswordResetSent => "Sent a password reset link",
            AuditAction::TemporaryLoginSent => "Sent a temporary login link",
            AuditAction::TemporaryLogin => "Signed in with a temporary login link",
            AuditAction::PasswordResetRequested => "Asked for a password reset link",
            AuditAction::SignIn => "Signed in",
            AuditAction::SignInFailed => "Sign-in refused",
            AuditAction::SignOut => "Signed out",
            AuditAction::SessionRevoke => "A session was ended",
            AuditAction::ForceSignOut => "Forced to sign out",
            AuditAction::MessageSend => "Sent a message",
        }
    }
}

impl From<AuditAction> for &'static str {
    fn from(value: AuditAction) -> Self {
        value.key()
    }
}

impl TryFrom<String> for AuditAction {
    type Error = UnknownAuditAction;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::from_key(&value).ok_or(UnknownAuditAction(value))
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `action` is in [`AuditAction::ALL`], in a constant context
    /// (where `==` is not available: the discriminants are compared).
    const fn in_all(action: AuditAction) -> bool {
        let mut i = 0;
        while i < AuditAction::ALL.len() {
            if AuditAction::ALL[i] as usize == action as usize {
                return true;
            }
            i += 1;
        }
        false
    }

    /// Names every variant twice: in an exhaustive `match`, so a new variant
    /// does not compile until it is named here, and in a compile-time
    /// assertion, so it then does not compile until it is in `ALL`.
    macro_rules! every_variant_is_in_all {
        ($($variant:ident),* $(,)?) => {
            $(const _: () = assert!(in_all(AuditAction::$variant));)*

            #[allow(dead_code)]
            fn exhaustive(action: AuditAction) {
                match action {
                    $(AuditAction::$variant => {})*
                }
            }
        };
    }

    every_variant_is_in_all!(
        Create,
        Invite,
        InvitationAccepted,
        InvitationResent,
        InvitationCancelled,
        Update,
        Lock,
        Unlock,
        Suspend,
        Reinstate,
        Delete,
        Restore,
        Purge,
        SetActive,
        PasswordSet,
        PasswordChange,
        PasswordChangeFailed,
        PasswordReset,
        PasswordResetSent,
        TemporaryLoginSent,
        TemporaryLogin,
        PasswordResetRequested,
        SignIn,
        SignInFailed,
        SignOut,
        SessionRevoke,
        ForceSignOut,
        MessageSend,
    );

    #[test]
    fn keys_round_trip_and_are_unique() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::from_key(action.key()), Some(action));
        }
        let mut keys: Vec<_> = AuditAction::ALL.iter().map(|a| a.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), AuditAction::ALL.len());
        assert_eq!(AuditAction::from_key("user.fly"), None);
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

    #[test]
    fn serialises_as_its_key() {
        assert_eq!(
            serde_json::to_string(&AuditAction::ForceSignOut).unwrap(),
            "\"auth.force_sign_out\""
        );
        let a: AuditAction = serde_json::from_str("\"user.purge\"").unwrap();
        assert_eq!(a, AuditAction::Purge);
        assert!(serde_json::from_str::<AuditAction>("\"user.fly\"").is_err());
    }
}
