//! Leaving the page from code.

use leptos::prelude::window;

/// Sends the whole page to `path` (a full load, so every part of the page
/// learns who is now signed in).
pub fn go_to(path: &str) {
    if let Err(error) = window().location().set_href(path) {
        leptos::logging::error!("navigation failed: {error:?}");
    }
}
