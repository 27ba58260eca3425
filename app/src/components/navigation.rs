//! Leaving the page from code, and the base path every link of a page is
//! under.
//!
//! An impersonation ("Login as") runs in its own tab beside the
//! administrator's, so its pages live under their own path, `/as/ID/…`
//! (ID: the impersonation's session), and its session cookie is told apart
//! by that path. The router gets the base (`<Router base>`), so `<A>` links
//! and `navigate` stay inside it; plain links and full loads go through
//! [`based`] and [`go_to`].

use leptos::prelude::window;
use leptos_router::components::ToHref;

/// The start of every impersonation tab's path.
pub const IMPERSONATION_PATH: &str = "/as/";

/// The impersonation session and the path inside it, for a path under
/// [`IMPERSONATION_PATH`]: `/as/7/users` is `(7, "/users")`, `/as/7` is
/// `(7, "/")`.
pub fn split_impersonation_path(path: &str) -> Option<(i64, &str)> {
    let rest = path.strip_prefix(IMPERSONATION_PATH)?;
    let (id, inner) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, "/"),
    };
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((id.parse().ok()?, inner))
}

/// The base path of an impersonation session's pages: `/as/7`.
pub fn impersonation_base(session_id: i64) -> String {
    format!("{IMPERSONATION_PATH}{session_id}")
}

/// What the server's middleware leaves in a request's extensions: the base
/// path of the page being served ("" outside an impersonation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BasePath(pub String);

/// The base path of this page: "" normally, `/as/ID` in an impersonation
/// tab (from the request on the server, from the address in the browser).
pub fn base_path() -> String {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<BasePath>().cloned())
            .map(|base| base.0)
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        window()
            .location()
            .pathname()
            .ok()
            .and_then(|path| split_impersonation_path(&path).map(|(id, _)| impersonation_base(id)))
            .unwrap_or_default()
    }
}

/// `path` (absolute, `/users`) under this page's base path.
pub fn based(path: &str) -> String {
    format!("{}{path}", base_path())
}

/// An `<A>` link's address under this page's base path:
/// `<A href=in_base("/users")>`. (The router's `<A>` leaves an absolute
/// address as it is; `navigate` and `<Form>` apply the base themselves.)
pub fn in_base<H: ToHref>(href: H) -> Based<H> {
    Based {
        base: base_path(),
        href,
    }
}

/// An address under a base path, as [`in_base`] makes it.
pub struct Based<H> {
    base: String,
    href: H,
}

impl<H: ToHref> ToHref for Based<H> {
    fn to_href(&self) -> Box<dyn Fn() -> String + '_> {
        let href = self.href.to_href();
        Box::new(move || format!("{}{}", self.base, href()))
    }
}

/// Sends the whole page to `path` under this page's base path (a full
/// load, so every part of the page learns who is now signed in).
pub fn go_to(path: &str) {
    go_to_outside(&based(path));
}

/// Sends the whole page to `path` as it is, outside any impersonation:
/// where an impersonation tab goes once it has ended.
pub fn go_to_outside(path: &str) {
    if let Err(error) = window().location().set_href(path) {
        leptos::logging::error!("navigation failed: {error:?}");
    }
}

/// `text` as one segment of a path: every byte but letters, digits and
/// `-._~` percent-encoded, so a role called "Ops & Support" links to
/// `/roles/Ops%20%26%20Support` (the router decodes it once).
pub fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{path_segment, split_impersonation_path};

    #[test]
    fn an_impersonation_base_splits_back_into_its_session() {
        let base = super::impersonation_base(42);
        assert_eq!(base, "/as/42");
        assert_eq!(
            split_impersonation_path(&format!("{base}/users")),
            Some((42, "/users"))
        );
    }

    #[test]
    fn impersonation_paths_split_into_session_and_inner_path() {
        assert_eq!(split_impersonation_path("/as/7/users"), Some((7, "/users")));
        assert_eq!(split_impersonation_path("/as/7/"), Some((7, "/")));
        assert_eq!(split_impersonation_path("/as/7"), Some((7, "/")));
        assert_eq!(
            split_impersonation_path("/as/12/api/x"),
            Some((12, "/api/x"))
        );
        assert_eq!(split_impersonation_path("/as/"), None);
        assert_eq!(split_impersonation_path("/as/x/users"), None);
        assert_eq!(split_impersonation_path("/as/-1/users"), None);
        assert_eq!(split_impersonation_path("/assets/a.css"), None);
        assert_eq!(split_impersonation_path("/users"), None);
        assert_eq!(
            split_impersonation_path("/as/99999999999999999999999/"),
            None
        );
    }

    #[test]
    fn segments_escape_everything_but_the_unreserved() {
        assert_eq!(path_segment("User Manager"), "User%20Manager");
        assert_eq!(path_segment("Ops & Support"), "Ops%20%26%20Support");
        assert_eq!(path_segment("Équipe"), "%C3%89quipe");
        assert_eq!(path_segment("a-b_c.d~e"), "a-b_c.d~e");
    }
}
