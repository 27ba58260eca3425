//! Leaving the page from code.

use leptos::prelude::window;

/// Sends the whole page to `path` (a full load, so every part of the page
/// learns who is now signed in).
pub fn go_to(path: &str) {
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
    use super::path_segment;

    #[test]
    fn segments_escape_everything_but_the_unreserved() {
        assert_eq!(path_segment("User Manager"), "User%20Manager");
        assert_eq!(path_segment("Ops & Support"), "Ops%20%26%20Support");
        assert_eq!(path_segment("Équipe"), "%C3%89quipe");
        assert_eq!(path_segment("a-b_c.d~e"), "a-b_c.d~e");
    }
}
