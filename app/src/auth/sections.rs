//! The console's sections and who may open each. They sit here, below the
//! shell, because the page access rules (`access`) are built from them; the
//! shell's navigation and home page read the same list.

use super::Permission;

/// One section of the administration console.
#[derive(Debug, Clone, Copy)]
pub struct Section {
    pub href: &'static str,
    pub name: &'static str,
    pub purpose: &'static str,
    /// Who may open it (and its sub-pages); see `auth::access`.
    pub permission: Permission,
}

/// The console's sections, in navigation order. The left navigation, the
/// home page and the page access rules are all built from this list.
pub const SECTIONS: [Section; 6] = [
    Section {
        href: "/users",
        name: "Users",
        purpose: "Every account in one table: search, filter, select, and act on thousands at once.",
        permission: Permission::ViewUsers,
    },
    Section {
        href: "/roles",
        name: "Roles",
        purpose: "Named sets of permissions. Changing a user's access means changing their roles.",
        // Readable by everyone who sees users (the roles are on every
        // user); only role managers change them.
        permission: Permission::ViewUsers,
    },
    Section {
        href: "/teams",
        name: "Teams",
        purpose: "Groups of users; a user can be in several.",
        permission: Permission::ManageTeams,
    },
    Section {
        href: "/audit",
        name: "Audit",
        purpose: "Who changed what, for whom, when and from where.",
        permission: Permission::ViewAuditLog,
    },
    Section {
        href: "/statistics",
        name: "Statistics",
        purpose: "How many users are active, locked and signed in, and how that changes.",
        permission: Permission::ViewStatistics,
    },
    Section {
        href: "/outbox",
        name: "Outbox",
        purpose: "The email Roster sends: read it and open its links without a mail server, and see what failed.",
        permission: Permission::ViewOutbox,
    },
];
