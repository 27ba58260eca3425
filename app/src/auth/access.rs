//! Who may open which page. Shared: the server's page guard enforces it on
//! every request for a page; the browser uses it to hide what cannot be
//! opened. Server functions name their permission themselves (see `guard`).

use super::Permission;
use super::sections::SECTIONS;

/// What a page requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (the sign-in page).
    Public,
    /// Any signed-in user, even one who must still change their password
    /// (the change-password page itself).
    SignedInPendingPasswordChange,
    /// Any signed-in user who has no pending password change.
    SignedIn,
    /// A signed-in user with this permission.
    Permission(Permission),
}

/// Pages outside the console's sections.
const PAGES: [(&str, Access); 10] = [
    ("/login", Access::Public),
    ("/forgot-password", Access::Public),
    ("/reset-password", Access::Public),
    ("/accept-invitation", Access::Public),
    ("/temporary-login", Access::Public),
    ("/account/password", Access::SignedInPendingPasswordChange),
    (
        "/account/tokens",
        Access::Permission(Permission::ManageApiTokens),
    ),
    ("/account", Access::SignedIn),
    // The component gallery (served only in debug builds or with
    // ROSTER_DEV_PAGES=on; see the server's request guard).
    ("/dev/components", Access::SignedIn),
    ("/", Access::SignedIn),
];

/// Pages within a section that need more than viewing the section.
const STRICTER_SUBPAGES: [(&str, Access); 3] = [
    ("/users/new", Access::Permission(Permission::CreateUsers)),
    ("/roles/new", Access::Permission(Permission::ManageRoles)),
    ("/teams/new", Access::Permission(Permission::ManageTeams)),
];

/// What `path` requires. A section's sub-pages (`/users/alice`) require what
/// the section does; a page not listed requires signing in.
pub fn page_access(path: &str) -> Access {
    let path = match path.trim_end_matches('/') {
        "" => "/",
        trimmed => trimmed,
    };
    let within = |prefix: &str| {
        path == prefix
            || (prefix != "/"
                && path.starts_with(prefix)
                && path.as_bytes().get(prefix.len()) == Some(&b'/'))
    };
    if let Some((_, access)) = STRICTER_SUBPAGES.iter().find(|(page, _)| *page == path) {
        return *access;
    }
    if let Some(section) = SECTIONS.iter().find(|s| within(s.href)) {
        return Access::Permission(section.permission);
    }
    PAGES
        .iter()
        .find(|(prefix, _)| within(prefix))
        .map_or(Access::SignedIn, |(_, access)| *access)
}

/// Whether a `next` parameter is a path on this site (not `//evil.example`
/// or `https://…`), so a sign-in link cannot send people elsewhere.
/// Backslashes and control characters are refused anywhere: browsers read
/// `/\evil.example` and `/<TAB>/evil.example` as `//evil.example`.
pub fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.chars().any(|c| c == '\\' || c.is_control())
        && next.len() <= 2048
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_their_subpages_need_the_section_permission() {
        assert_eq!(
            page_access("/users"),
            Access::Permission(Permission::ViewUsers)
        );
        assert_eq!(
            page_access("/users/"),
            Access::Permission(Permission::ViewUsers)
        );
        assert_eq!(
            page_access("/users/alice"),
            Access::Permission(Permission::ViewUsers)
        );
        assert_eq!(
            page_access("/audit"),
            Access::Permission(Permission::ViewAuditLog)
        );
        // A different page that merely starts with the same letters.
        assert_eq!(page_access("/usersx"), Access::SignedIn);
        assert_eq!(
            page_access("/users/new"),
            Access::Permission(Permission::CreateUsers)
        );
    }

    #[test]
    fn other_pages() {
        assert_eq!(page_access("/login"), Access::Public);
        assert_eq!(page_access("/"), Access::SignedIn);
        assert_eq!(page_access("/account"), Access::SignedIn);
        assert_eq!(
            page_access("/account/password"),
            Access::SignedInPendingPasswordChange
        );
        assert_eq!(page_access("/nowhere"), Access::SignedIn);
    }

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert!(is_local_path("/users?page=2"));
        assert!(!is_local_path("//evil.example/"));
        assert!(!is_local_path("https://evil.example/"));
        assert!(!is_local_path("/\\evil.example"));
        assert!(!is_local_path("/\t/evil.example"));
        assert!(!is_local_path("/\n/evil.example"));
        assert!(!is_local_path("/users\\x"));
    }
}
