use serde::{Deserialize, Serialize};

/// Everything a role can allow. Roles are named sets of these, stored in the
/// database (`role_permissions.permission` holds [`Permission::key`]).
///
/// Adding a variant: add it to [`Permission::ALL`] and give it a key; the
/// Administrator role gets it through a migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum Permission {
    ViewUsers,
    CreateUsers,
    EditUsers,
    DeleteUsers,
    LockUsers,
    ResetPasswords,
    ForceSignOut,
    SendMessages,
    Impersonate,
    ManageRoles,
    ManageTeams,
    ViewAuditLog,
    ViewStatistics,
    ManageApiTokens,
    ViewOutbox,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown permission '{0}'")]
pub struct UnknownPermission(pub String);

impl Permission {
    pub const ALL: [Permission; 15] = [
        Permission::ViewUsers,
        Permission::CreateUsers,
        Permission::EditUsers,
        Permission::DeleteUsers,
        Permission::LockUsers,
        Permission::ResetPasswords,
        Permission::ForceSignOut,
        Permission::SendMessages,
        Permission::Impersonate,
        Permission::ManageRoles,
        Permission::ManageTeams,
        Permission::ViewAuditLog,
        Permission::ViewStatistics,
        Permission::ManageApiTokens,
        Permission::ViewOutbox,
    ];

    /// The stable key stored in the database and used in the API.
    pub const fn key(self) -> &'static str {
        match self {
            Permission::ViewUsers => "users.view",
            Permission::CreateUsers => "users.create",
            Permission::EditUsers => "users.edit",
            Permission::DeleteUsers => "users.delete",
            Permission::LockUsers => "users.lock",
            Permission::ResetPasswords => "users.reset_password",
            Permission::ForceSignOut => "users.force_sign_out",
            Permission::SendMessages => "messages.send",
            Permission::Impersonate => "users.impersonate",
            Permission::ManageRoles => "roles.manage",
            Permission::ManageTeams => "teams.manage",
            Permission::ViewAuditLog => "audit.view",
            Permission::ViewStatistics => "statistics.view",
            Permission::ManageApiTokens => "api_tokens.manage",
            Permission::ViewOutbox => "outbox.view",
        }
    }

    /// A label for the roles page.
    pub const fn label(self) -> &'static str {
        match self {
            Permission::ViewUsers => "View users",
            Permission::CreateUsers => "Create and invite users",
            Permission::EditUsers => "Edit users",
            Permission::DeleteUsers => "Delete and restore users",
            Permission::LockUsers => "Lock, unlock, activate and suspend users",
            Permission::ResetPasswords => "Reset and set passwords, send temporary logins",
            Permission::ForceSignOut => "Force sign out",
            Permission::SendMessages => "Send messages",
            Permission::Impersonate => "Log in as another user",
            Permission::ManageRoles => "Manage roles",
            Permission::ManageTeams => "Manage teams",
            Permission::ViewAuditLog => "View the audit log",
            Permission::ViewStatistics => "View statistics",
            Permission::ManageApiTokens => "Manage API tokens",
            Permission::ViewOutbox => "Read the email outbox",
        }
    }

    pub fn parse(key: &str) -> Result<Self, UnknownPermission> {
        Self::ALL
            .into_iter()
            .find(|p| p.key() == key)
            .ok_or_else(|| UnknownPermission(key.to_owned()))
    }
}

impl From<Permission> for &'static str {
    fn from(value: Permission) -> Self {
        value.key()
    }
}

impl TryFrom<String> for Permission {
    type Error = UnknownPermission;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_unique() {
        let mut keys: Vec<_> = Permission::ALL.iter().map(|p| p.key()).collect();
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.key()), Ok(p));
        }
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Permission::ALL.len());
        assert!(Permission::parse("users.fly").is_err());
    }

    #[test]
    fn serialises_as_its_key() {
        assert_eq!(
            serde_json::to_string(&Permission::LockUsers).unwrap(),
            "\"users.lock\""
        );
        let p: Permission = serde_json::from_str("\"audit.view\"").unwrap();
        assert_eq!(p, Permission::ViewAuditLog);
    }
}
