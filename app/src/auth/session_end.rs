use serde::{Deserialize, Serialize};

/// Why a session ended. `sessions.revoked_reason` holds
/// [`SessionEndReason::key`], and the same key is the sign-in page's
/// `?reason=` when a tab of that session is sent there, so the page can say
/// why ([`SessionEndReason::sign_in_notice`]).
///
/// Keys are never renamed: sessions ended by older versions keep theirs.
/// Adding a variant: add it to [`SessionEndReason::ALL`] and give it a key
/// and a notice (the tests below do not compile until it is in `ALL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum SessionEndReason {
    /// Ended without a reason the tab is told: it expired or sat idle, its
    /// row is gone, or it was ended for a reason this version does not
    /// know. Not written to `revoked_reason`; the sign-in page's generic
    /// notice.
    Ended,
    /// Its owner signed out on that device.
    SignedOut,
    /// Its owner ended it from My account on another device.
    EndedByUser,
    /// An administrator ended this one session from the user's page.
    EndedByAdministrator,
    /// Force Sign Out: an administrator ended all of the user's sessions.
    ForcedSignOut,
    Locked,
    Deactivated,
    Suspended,
    Deleted,
    /// An administrator set the user's password.
    PasswordSet,
    /// The owner changed their password (here or by a reset link): their
    /// other sessions end.
    PasswordChanged,
    /// The browser signed in again, which ends the session it had.
    Replaced,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown session end reason '{0}'")]
pub struct UnknownSessionEndReason(pub String);

impl SessionEndReason {
    pub const ALL: [SessionEndReason; 12] = [
        SessionEndReason::Ended,
        SessionEndReason::SignedOut,
        SessionEndReason::EndedByUser,
        SessionEndReason::EndedByAdministrator,
        SessionEndReason::ForcedSignOut,
        SessionEndReason::Locked,
        SessionEndReason::Deactivated,
        SessionEndReason::Suspended,
        SessionEndReason::Deleted,
        SessionEndReason::PasswordSet,
        SessionEndReason::PasswordChanged,
        SessionEndReason::Replaced,
    ];

    /// The stable key stored in `sessions.revoked_reason`, and the sign-in
    /// page's `?reason=` value.
    pub const fn key(self) -> &'static str {
        match self {
            SessionEndReason::Ended => "session_ended",
            SessionEndReason::SignedOut => "signed_out",
            SessionEndReason::EndedByUser => "ended_by_user",
            SessionEndReason::EndedByAdministrator => "ended_by_administrator",
            SessionEndReason::ForcedSignOut => "forced_sign_out",
            SessionEndReason::Locked => "locked",
            SessionEndReason::Deactivated => "deactivated",
            SessionEndReason::Suspended => "suspended",
            SessionEndReason::Deleted => "deleted",
            SessionEndReason::PasswordSet => "password_set",
            SessionEndReason::PasswordChanged => "password_changed",
            SessionEndReason::Replaced => "replaced",
        }
    }

    /// The reason stored (or sent) as `key`; None for one this version does
    /// not know, which callers treat as [`SessionEndReason::Ended`].
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }

    /// What the sign-in page says to a tab whose session ended for this
    /// reason.
    pub const fn sign_in_notice(self) -> &'static str {
        match self {
            SessionEndReason::Ended => "Your session has ended. Please sign in again.",
            SessionEndReason::SignedOut => "You have signed out.",
            SessionEndReason::EndedByUser => {
                "You signed this device out from another one. Please sign in again."
            }
            SessionEndReason::EndedByAdministrator => "An administrator ended this session.",
            SessionEndReason::ForcedSignOut => "An administrator signed you out.",
            SessionEndReason::Locked => "Your account has been locked. Contact an administrator.",
            SessionEndReason::Deactivated => {
                "Your account has been deactivated. Contact an administrator."
            }
            SessionEndReason::Suspended => {
                "Your account has been suspended. Contact an administrator."
            }
            SessionEndReason::Deleted => "Your account has been deleted.",
            SessionEndReason::PasswordSet => {
                "An administrator set a new password for your account."
            }
            SessionEndReason::PasswordChanged => "Your password was changed. Please sign in again.",
            SessionEndReason::Replaced => {
                "You signed in again in this browser, which ended this session."
            }
        }
    }
}

impl From<SessionEndReason> for &'static str {
    fn from(value: SessionEndReason) -> Self {
        value.key()
    }
}

impl TryFrom<String> for SessionEndReason {
    type Error = UnknownSessionEndReason;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::from_key(&value).ok_or(UnknownSessionEndReason(value))
    }
}

impl std::fmt::Display for SessionEndReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `reason` is in [`SessionEndReason::ALL`], in a constant
    /// context (where `==` is not available: the discriminants are compared).
    const fn in_all(reason: SessionEndReason) -> bool {
        let mut i = 0;
        while i < SessionEndReason::ALL.len() {
            if SessionEndReason::ALL[i] as usize == reason as usize {
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
            $(const _: () = assert!(in_all(SessionEndReason::$variant));)*

            #[allow(dead_code)]
            fn exhaustive(reason: SessionEndReason) {
                match reason {
                    $(SessionEndReason::$variant => {})*
                }
            }
        };
    }

    every_variant_is_in_all!(
        Ended,
        SignedOut,
        EndedByUser,
        EndedByAdministrator,
        ForcedSignOut,
        Locked,
        Deactivated,
        Suspended,
        Deleted,
        PasswordSet,
        PasswordChanged,
        Replaced,
    );

    #[test]
    fn keys_round_trip_and_are_unique() {
        for reason in SessionEndReason::ALL {
            assert_eq!(SessionEndReason::from_key(reason.key()), Some(reason));
        }
        let mut keys: Vec<_> = SessionEndReason::ALL.iter().map(|r| r.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), SessionEndReason::ALL.len());
        assert_eq!(SessionEndReason::from_key("abducted"), None);
    }

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

    #[test]
    fn serialises_as_its_key() {
        assert_eq!(
            serde_json::to_string(&SessionEndReason::PasswordSet).unwrap(),
            "\"password_set\""
        );
        let r: SessionEndReason = serde_json::from_str("\"locked\"").unwrap();
        assert_eq!(r, SessionEndReason::Locked);
    }
}
