//! The emails Roster sends. Each has a plain-text and an HTML part, names
//! the product, and builds its links from `ROSTER_PUBLIC_URL`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

use super::PRODUCT_NAME;

/// One email, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// `public_url` + `path` + `?token=…`.
pub fn link(public_url: &Url, path: &str, token: &str) -> String {
    let mut url = public_url.join(path).unwrap_or_else(|_| public_url.clone());
    url.query_pairs_mut().append_pair("token", token);
    url.to_string()
}

/// "1 hour", "15 minutes", "7 days".
pub fn lifetime_text(lifetime: Duration) -> String {
    let minutes = lifetime.as_secs() / 60;
    let (n, unit) = if minutes >= 24 * 60 && minutes.is_multiple_of(24 * 60) {
        (minutes / (24 * 60), "day")
    } else if minutes >= 60 && minutes.is_multiple_of(60) {
        (minutes / 60, "hour")
    } else {
        (minutes.max(1), "minute")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// A link to choose a new password (self-service or sent by an administrator).
pub fn password_reset(to: &str, name: &str, link: &str, lifetime: Duration) -> Email {
    let valid = lifetime_text(lifetime);
    compose(
        to,
        &format!("Reset your {PRODUCT_NAME} password"),
        name,
        &[
            &format!("Someone asked to reset the password of your {PRODUCT_NAME} account."),
            &format!("The link works once, for {valid}."),
        ],
        Some(("Choose a new password", link)),
        "If you did not ask for this, ignore this email: your password stays as it is.",
    )
}

/// A reset link an administrator sent (Reset Password in the console).
pub fn password_reset_by_administrator(
    to: &str,
    name: &str,
    link: &str,
    lifetime: Duration,
) -> Email {
    let valid = lifetime_text(lifetime);
    compose(
        to,
        &format!("Choose a new {PRODUCT_NAME} password"),
        name,
        &[
            &format!(
                "An administrator asked {PRODUCT_NAME} to send you a link to choose a new password."
            ),
            &format!(
                "The link works once, for {valid}. Your current password works until you choose a new one."
            ),
        ],
        Some(("Choose a new password", link)),
        "If you did not expect this, tell your administrator.",
    )
}

/// A link that signs the user in once, then asks for a new password.
pub fn temporary_login(to: &str, name: &str, link: &str, lifetime: Duration) -> Email {
    let valid = lifetime_text(lifetime);
    compose(
        to,
        &format!("Your temporary {PRODUCT_NAME} sign-in link"),
        name,
        &[
            &format!("An administrator sent you a link that signs you in to {PRODUCT_NAME} once."),
            &format!(
                "It works once, for {valid}. After signing in you will be asked to choose a new password."
            ),
        ],
        Some(("Sign in", link)),
        "If you did not ask for this, tell your administrator; do not share the link.",
    )
}

/// An invitation to set a password and activate a new account.
pub fn invitation(to: &str, name: &str, username: &str, link: &str, lifetime: Duration) -> Email {
    let valid = lifetime_text(lifetime);
    compose(
        to,
        &format!("You are invited to {PRODUCT_NAME}"),
        name,
        &[
            &format!(
                "An account has been made for you on {PRODUCT_NAME}. Your username is {username}."
            ),
            &format!("Choose a password to activate it. The link works once, for {valid}."),
        ],
        Some(("Choose a password", link)),
        "If you were not expecting this, ignore this email: the account stays inactive.",
    )
}

/// Tells the owner that their password changed, in case it was not them.
pub fn password_changed(to: &str, name: &str, at: DateTime<Utc>, sign_in: &str) -> Email {
    compose(
        to,
        &format!("Your {PRODUCT_NAME} password was changed"),
        name,
        &[&format!(
            "The password of your {PRODUCT_NAME} account was changed on {} UTC.",
            at.format("%m-%d-%Y at %H:%M")
        )],
        Some(("Sign in", sign_in)),
        "If this was not you, ask an administrator to lock your account and reset its password.",
    )
}

/// The shared layout: greeting, paragraphs, one button, a closing note.
fn compose(
    to: &str,
    subject: &str,
    name: &str,
    paragraphs: &[&str],
    action: Option<(&str, &str)>,
    closing: &str,
) -> Email {
    let mut text = format!("Hello {name},\n\n");
    let mut html = format!(
        "<!doctype html><html><body style=\"font-family: sans-serif; color: #1f2937\">\
         <p>Hello {},</p>",
        escape(name)
    );
    for paragraph in paragraphs {
        text.push_str(paragraph);
        text.push_str("\n\n");
        html.push_str(&format!("<p>{}</p>", escape(paragraph)));
    }
    if let Some((label, url)) = action {
        text.push_str(&format!("{label}: {url}\n\n"));
        html.push_str(&format!(
            "<p><a href=\"{0}\" style=\"display: inline-block; padding: 10px 16px; \
             background: #1d4ed8; color: #ffffff; text-decoration: none; border-radius: 6px\">{1}</a></p>\
             <p style=\"font-size: 13px; color: #4b5563\">Or open this address: {0}</p>",
            escape(url),
            escape(label)
        ));
    }
    text.push_str(closing);
    text.push_str(&format!("\n\n— {PRODUCT_NAME}\n"));
    html.push_str(&format!(
        "<p>{}</p><p>— {PRODUCT_NAME}</p></body></html>",
        escape(closing)
    ));
    Email {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text,
        html,
    }
}

/// Text as HTML: names and addresses are people's input.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_token_on_the_public_url() {
        let base = Url::parse("https://roster.example.com/").unwrap();
        assert_eq!(
            link(&base, "/reset-password", "a-b_c"),
            "https://roster.example.com/reset-password?token=a-b_c"
        );
    }

    #[test]
    fn lifetimes_read_naturally() {
        assert_eq!(lifetime_text(Duration::from_secs(3600)), "1 hour");
        assert_eq!(lifetime_text(Duration::from_secs(15 * 60)), "15 minutes");
        assert_eq!(lifetime_text(Duration::from_secs(7 * 86400)), "7 days");
    }

    #[test]
    fn names_are_text_in_the_html_part() {
        let email = password_reset(
            "a@example.com",
            "<b>Eve</b>",
            "https://x/r?token=1",
            Duration::from_secs(3600),
        );
        assert!(email.html.contains("&lt;b&gt;Eve&lt;/b&gt;"));
        assert!(email.text.contains("Hello <b>Eve</b>,"));
        assert!(email.text.contains("https://x/r?token=1"));
        assert!(email.subject.contains(PRODUCT_NAME));
    }

    #[test]
    fn invitations_and_temporary_logins_name_the_account_the_link_and_its_lifetime() {
        let invite = invitation(
            "new@example.com",
            "Nia New",
            "nia",
            "https://x/accept-invitation?token=abc",
            Duration::from_secs(7 * 86400),
        );
        assert_eq!(invite.subject, "You are invited to Roster");
        for part in [&invite.text, &invite.html] {
            assert!(part.contains("Your username is nia"), "{part}");
            assert!(
                part.contains("https://x/accept-invitation?token=abc"),
                "{part}"
            );
            assert!(part.contains("7 days"), "{part}");
        }
        let temporary = temporary_login(
            "ann@example.com",
            "Ann",
            "https://x/temporary-login?token=def",
            Duration::from_secs(15 * 60),
        );
        assert_eq!(temporary.subject, "Your temporary Roster sign-in link");
        assert!(temporary.text.contains("15 minutes"));
        assert!(
            temporary
                .html
                .contains("https://x/temporary-login?token=def")
        );
    }
}
