//! Secret tokens (sessions now; invitations, resets and API tokens later) and
//! the session cookie. A token is 256 random bits, given to the browser once;
//! the database keeps only its SHA-256, so a leaked database or backup holds
//! nothing that signs anyone in.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cookie::{Cookie, SameSite};
use rand::RngCore as _;
use sha2::{Digest, Sha256};

/// A freshly generated secret. Its `Debug` output is redacted.
pub struct SecretToken(String);

impl SecretToken {
    pub fn generate() -> Self {
        // ThreadRng is a CSPRNG (ChaCha12) seeded from the operating system.
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SecretToken(URL_SAFE_NO_PAD.encode(bytes))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        hash_token(&self.0)
    }
}

impl std::fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretToken(***)")
    }
}

/// The stored form of a token: lower-case hex SHA-256 (64 characters). A
/// plain hash suffices because the token is 256 random bits, not a password.
pub fn hash_token(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// The session cookie's name. Over HTTPS it carries the `__Host-` prefix,
/// which makes browsers refuse it unless it is Secure, has `Path=/` and no
/// Domain: a subdomain cannot plant or overwrite it.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-roster_session"
    } else {
        "roster_session"
    }
}

/// A session-carrying cookie called `name`: HttpOnly (no script can read
/// it), SameSite=Lax (not sent with cross-site POSTs), on the whole site.
fn session_like(name: String, value: String, secure: bool) -> cookie::CookieBuilder<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
}

/// `Set-Cookie` value that gives the browser its session token: a
/// browser-session cookie (gone when the browser closes; the server's idle
/// and absolute expiry apply in any case).
pub fn session_cookie(token: &SecretToken, secure: bool) -> String {
    session_like(
        session_cookie_name(secure).to_owned(),
        token.expose().to_owned(),
        secure,
    )
    .build()
    .to_string()
}

/// `Set-Cookie` value that removes the session-carrying cookie called
/// `name` (the session cookie, or an impersonation's).
pub fn clear_cookie_named(name: &str, secure: bool) -> String {
    session_like(name.to_owned(), String::new(), secure)
        .max_age(cookie::time::Duration::ZERO)
        .expires(cookie::Expiration::from(
            cookie::time::OffsetDateTime::UNIX_EPOCH,
        ))
        .build()
        .to_string()
}

/// `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> String {
    clear_cookie_named(session_cookie_name(secure), secure)
}

/// The cookie of impersonation session `session_id` ("Login as"): named
/// after the session, so that the administrator's own cookie, and other
/// impersonations in other tabs, are left alone.
pub fn impersonation_cookie_name(session_id: i64, secure: bool) -> String {
    let prefix = if secure {
        "__Host-roster_as_"
    } else {
        "roster_as_"
    };
    format!("{prefix}{session_id}")
}

/// `Set-Cookie` value that gives an impersonation tab its session token;
/// like the session cookie, and gone once the impersonation's time is up.
pub fn impersonation_cookie(
    session_id: i64,
    token: &SecretToken,
    secure: bool,
    lifetime: std::time::Duration,
) -> String {
    session_like(
        impersonation_cookie_name(session_id, secure),
        token.expose().to_owned(),
        secure,
    )
    .max_age(cookie::time::Duration::seconds(
        i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX),
    ))
    .build()
    .to_string()
}

/// `Set-Cookie` value that removes impersonation session `session_id`'s cookie.
pub fn clear_impersonation_cookie(session_id: i64, secure: bool) -> String {
    clear_cookie_named(&impersonation_cookie_name(session_id, secure), secure)
}

/// The session token from a request's `Cookie` headers, if any.
pub fn session_token_from_headers(headers: &http::HeaderMap, secure: bool) -> Option<String> {
    cookie_from_headers(headers, session_cookie_name(secure))
}

/// The value of the cookie called `name` in a request's `Cookie` headers,
/// if it has one that is not empty.
pub fn cookie_from_headers(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name && !c.value().is_empty())
        .map(|c| c.value().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_and_differ() {
        let a = SecretToken::generate();
        let b = SecretToken::generate();
        assert_eq!(a.expose().len(), 43);
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.hash().len(), 64);
        assert_ne!(a.hash(), a.expose());
        assert_eq!(format!("{a:?}"), "SecretToken(***)");
    }

    #[test]
    fn cookies_are_http_only_and_lax_and_secure_over_https() {
        let token = SecretToken::generate();
        let plain = session_cookie(&token, false);
        assert!(plain.starts_with("roster_session="), "{plain}");
        assert!(
            plain.contains("HttpOnly") && plain.contains("SameSite=Lax"),
            "{plain}"
        );
        assert!(!plain.contains("Secure"), "{plain}");
        let secure = session_cookie(&token, true);
        assert!(secure.starts_with("__Host-roster_session="), "{secure}");
        assert!(
            secure.contains("Secure") && secure.contains("Path=/"),
            "{secure}"
        );
    }

    #[test]
    fn the_token_is_read_back_from_cookie_headers() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            "theme=dark; roster_session=abc123; other=1"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            session_token_from_headers(&headers, false).as_deref(),
            Some("abc123")
        );
        assert_eq!(session_token_from_headers(&headers, true), None);
    }
}
