//! A readable client ("Firefox on Linux") from a User-Agent header, using the
//! ua-parser project's regular expressions (uap-core, vendored as JSON in
//! `uap_core/`, Apache-2.0) through the `ua-parser` crate.

use std::sync::LazyLock;

use ua_parser::{os, user_agent};

/// Browser and operating-system extractors, built once (a few milliseconds)
/// on first use. Device rules are left out: the client name does not use them.
static EXTRACTORS: LazyLock<Option<(user_agent::Extractor<'static>, os::Extractor<'static>)>> =
    LazyLock::new(|| {
        let regexes: ua_parser::Regexes<'static> =
            match serde_json::from_str(include_str!("uap_core/regexes.json")) {
                Ok(r) => r,
                Err(error) => {
                    tracing::error!(%error, "cannot read the vendored user-agent rules");
                    return None;
                }
            };
        let ua = user_agent::Builder::new()
            .push_all(regexes.user_agent_parsers)
            .and_then(|b| b.build().map_err(ua_parser::Error::from));
        let os = os::Builder::new()
            .push_all(regexes.os_parsers)
            .map_err(ua_parser::Error::from)
            .and_then(|b| b.build().map_err(ua_parser::Error::from));
        match (ua, os) {
            (Ok(ua), Ok(os)) => Some((ua, os)),
            (Err(error), _) | (_, Err(error)) => {
                tracing::error!(%error, "cannot compile the vendored user-agent rules");
                None
            }
        }
    });

/// "Firefox 121 on Linux", "Chrome 120 on Windows 10", "curl 8.5"; "Unknown
/// client" when nothing matches. Bounded to 120 characters.
pub fn describe_client(user_agent: &str) -> String {
    let user_agent = user_agent.trim();
    if user_agent.is_empty() {
        return "Unknown client".to_owned();
    }
    let Some((ua_rules, os_rules)) = EXTRACTORS.as_ref() else {
        return "Unknown client".to_owned();
    };
    let browser = ua_rules
        .extract(user_agent)
        .filter(|v| v.family != "Other")
        .map(|v| match v.major {
            Some(major) => format!("{} {major}", v.family),
            None => v.family.to_string(),
        });
    let system = os_rules
        .extract(user_agent)
        .filter(|v| v.os != "Other")
        .map(|v| match v.major.as_deref() {
            // Windows and macOS read better with their version; Linux does not have one.
            Some(major) if !major.is_empty() && v.os != "Linux" => format!("{} {major}", v.os),
            _ => v.os.to_string(),
        });
    let text = match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b,
        (None, Some(s)) => format!("Unknown browser on {s}"),
        (None, None) => "Unknown client".to_owned(),
    };
    text.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::describe_client;

    #[test]
    fn common_browsers_read_as_browser_on_system() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
                "Firefox 121 on Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
                "Chrome 120 on Windows 10",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
                "Mobile Safari 17 on iOS 17",
            ),
            ("curl/8.5.0", "curl 8"),
            ("", "Unknown client"),
            ("something odd", "Unknown client"),
        ];
        for (ua, expected) in cases {
            assert_eq!(describe_client(ua), expected, "{ua}");
        }
    }
}
