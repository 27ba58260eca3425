use crate::domain::closed_set;

closed_set! {
    /// Everything a role can allow. Roles are named sets of these, stored in
    /// the database (`role_permissions.permission` holds [`Permission::key`]);
    /// the label is what the roles page shows.
    ///
    /// Adding a variant is one line below; the Administrator role gets it
    /// through a migration.
    #[derive(PartialOrd, Ord)]
    pub enum Permission, unknown UnknownPermission, text label {
        ViewUsers = "users.view" => "View users",
        CreateUsers = "users.create" => "Create and invite users",
        EditUsers = "users.edit" => "Edit users",
        DeleteUsers = "users.delete" => "Delete and restore users",
        LockUsers = "users.lock" => "Lock, unlock, activate and suspend users",
        ResetPasswords = "users.reset_password" => "Reset and set passwords, send temporary logins",
        ForceSignOut = "users.force_sign_out" => "Force sign out",
        SendMessages = "messages.send" => "Send messages",
        Impersonate = "users.impersonate" => "Log in as another user",
        ManageRoles = "roles.manage" => "Manage roles",
        ManageTeams = "teams.manage" => "Manage teams",
        ViewAuditLog = "audit.view" => "View the audit log",
        ViewStatistics = "statistics.view" => "View statistics",
        ManageApiTokens = "api_tokens.manage" => "Manage API tokens",
        ViewOutbox = "outbox.view" => "Read the email outbox",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_are_unique() {
        let mut keys: Vec<_> = Permission::ALL.iter().map(|p| p.key()).collect();
        for p in Permission::ALL {
            assert_eq!(Permission::from_key(p.key()), Some(p));
        }
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Permission::ALL.len());
        assert!(Permission::from_key("users.fly").is_none());
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
