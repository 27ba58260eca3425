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

/// The headings a role's permissions are grouped under on its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermissionGroup {
    Users,
    Messages,
    RolesAndTeams,
    AuditAndStatistics,
    Api,
}

impl PermissionGroup {
    pub const ALL: [PermissionGroup; 5] = [
        PermissionGroup::Users,
        PermissionGroup::Messages,
        PermissionGroup::RolesAndTeams,
        PermissionGroup::AuditAndStatistics,
        PermissionGroup::Api,
    ];

    pub fn heading(self) -> &'static str {
        match self {
            PermissionGroup::Users => "Users",
            PermissionGroup::Messages => "Messages and email",
            PermissionGroup::RolesAndTeams => "Roles and teams",
            PermissionGroup::AuditAndStatistics => "Audit and statistics",
            PermissionGroup::Api => "API",
        }
    }

    /// Its permissions, in the enum's order.
    pub fn permissions(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .into_iter()
            .filter(move |p| p.group() == self)
    }
}

impl Permission {
    pub fn group(self) -> PermissionGroup {
        use Permission::*;
        match self {
            ViewUsers | CreateUsers | EditUsers | DeleteUsers | LockUsers | ResetPasswords
            | ForceSignOut | Impersonate => PermissionGroup::Users,
            SendMessages | ViewOutbox => PermissionGroup::Messages,
            ManageRoles | ManageTeams => PermissionGroup::RolesAndTeams,
            ViewAuditLog | ViewStatistics => PermissionGroup::AuditAndStatistics,
            ManageApiTokens => PermissionGroup::Api,
        }
    }
}

/// A role's permissions in a line: "Every permission", "None", or their
/// labels in the enum's order.
pub fn summary(permissions: &[Permission]) -> String {
    if Permission::ALL.iter().all(|p| permissions.contains(p)) {
        return "Every permission".to_owned();
    }
    if permissions.is_empty() {
        return "None: their own account only".to_owned();
    }
    Permission::ALL
        .iter()
        .filter(|p| permissions.contains(p))
        .map(|p| p.label())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_permission_is_in_one_group() {
        let grouped: usize = PermissionGroup::ALL
            .iter()
            .map(|g| g.permissions().count())
            .sum();
        assert_eq!(grouped, Permission::ALL.len());
    }

    #[test]
    fn summaries_read_as_words() {
        assert_eq!(summary(&Permission::ALL), "Every permission");
        assert_eq!(summary(&[]), "None: their own account only");
        assert_eq!(
            summary(&[Permission::ViewAuditLog, Permission::ViewUsers]),
            "View users, View the audit log"
        );
    }

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
