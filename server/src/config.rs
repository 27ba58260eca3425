//! Configuration from environment variables (and an optional `.env`, loaded
//! by `main` before this runs). Every value has a default that runs Roster on
//! an embedded SQLite file with nothing set. A bad value is reported as one
//! line naming the variable, never a panic.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use app::auth::settings::AuthSettings;
use url::Url;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/roster.db?mode=rwc";
pub const DEFAULT_SITE_ADDR: &str = "127.0.0.1:3000";
pub const DEFAULT_OUTBOX_DIR: &str = "data/outbox";
/// Requests a minute each API token may send, unless `ROSTER_API_RATE_LIMIT` says.
pub const DEFAULT_API_RATE_LIMIT: u32 = 3000;

/// `Debug` is written by hand: the database and SMTP URLs may hold passwords.
#[derive(Clone)]
pub struct Config {
    /// `sqlite://PATH?mode=rwc` (default) or `postgres://USER@HOST/DB`.
    pub database_url: String,
    /// `LEPTOS_SITE_ADDR`: where `roster serve` listens.
    pub site_addr: SocketAddr,
    /// `ROSTER_PUBLIC_URL`: base of links in emails.
    pub public_url: Url,
    /// `SMTP_URL`: when unset, mail is written to `outbox_dir` instead.
    pub smtp_url: Option<Url>,
    /// `ROSTER_OUTBOX_DIR`: one `.eml` file per message when there is no SMTP.
    pub outbox_dir: PathBuf,
    /// `ROSTER_MAIL_FROM`: the sender of Roster's email, as `Name <address>`;
    /// `Roster <noreply@HOST>` with the public URL's host by default.
    pub mail_from: String,
    /// `LEPTOS_SITE_ROOT`: the built site (WASM, JS, CSS, public assets).
    pub site_root: String,
    /// `LEPTOS_OUTPUT_NAME`: the name cargo-leptos gave the WASM and JS.
    pub output_name: String,
    /// `LEPTOS_SITE_PKG_DIR`: the folder under the site root with WASM/JS/CSS.
    pub site_pkg_dir: String,
    /// `LEPTOS_HASH_FILES`: whether cargo-leptos gave the files content hashes.
    pub hash_files: bool,
    /// `LEPTOS_HASH_FILE_NAME`: the file (next to the binary) listing them.
    pub hash_file_name: String,
    /// `LEPTOS_ENV`: `DEV` (cargo leptos watch) or `PROD`.
    pub dev_mode: bool,
    /// `LEPTOS_RELOAD_PORT`: the live-reload port of `cargo leptos watch`.
    pub reload_port: u32,
    /// Sign-in and session rules: `ROSTER_SESSION_IDLE_TIMEOUT`,
    /// `ROSTER_SESSION_LIFETIME`, `ROSTER_LOCKOUT_THRESHOLD`,
    /// `ROSTER_LOCKOUT_DURATION`, `ROSTER_SIGNIN_RATE_LIMIT`,
    /// `ROSTER_MAX_CONCURRENT_HASHES`, `ROSTER_TRUST_PROXY`; "Login as":
    /// `ROSTER_IMPERSONATION`, `ROSTER_IMPERSONATION_REASON`,
    /// `ROSTER_IMPERSONATION_LIFETIME`.
    pub auth: AuthSettings,
    /// `ROSTER_AUDIT_RETENTION`: audit entries older than this are deleted
    /// (in small batches, hourly); unset keeps them forever.
    pub audit_retention: Option<Duration>,
    /// `ROSTER_METRICS_ALLOW`: networks (`127.0.0.1/32,10.0.0.0/8`) from
    /// which `GET /metrics` answers without a session; empty by default.
    pub metrics_allow: Vec<ipnet::IpNet>,
    /// `ROSTER_API_RATE_LIMIT`: requests a minute each API token may send
    /// (3000 by default, in bursts of as many; `off` for no limit).
    pub api_rate_limit: Option<u32>,
    /// `ROSTER_DEV_PAGES`: `on` serves the pages for developers (the
    /// component gallery at `/dev/components`); on in debug builds, off in
    /// release builds unless asked for.
    pub dev_pages: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |url: &Url| {
            let mut url = url.clone();
            if url.password().is_some() {
                let _ = url.set_password(Some("***"));
            }
            url.to_string()
        };
        f.debug_struct("Config")
            .field(
                "database_url",
                &Url::parse(&self.database_url)
                    .map(|u| redact(&u))
                    .unwrap_or_default(),
            )
            .field("site_addr", &self.site_addr)
            .field("public_url", &self.public_url.as_str())
            .field("smtp_url", &self.smtp_url.as_ref().map(redact))
            .field("outbox_dir", &self.outbox_dir)
            .field("site_root", &self.site_root)
            .field("output_name", &self.output_name)
            .field("auth", &self.auth)
            .field("audit_retention", &self.audit_retention)
            .field("metrics_allow", &self.metrics_allow)
            .field("api_rate_limit", &self.api_rate_limit)
            .finish_non_exhaustive()
    }
}

/// A configuration value that cannot be used. Displays as
/// `DATABASE_URL: <what is wrong and what is expected>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    pub var: &'static str,
    pub message: String,
}

impl ConfigError {
    fn new(var: &'static str, message: impl Into<String>) -> Self {
        ConfigError {
            var,
            message: message.into(),
        }
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any source of variables; tests pass a
    /// map instead of touching the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        check_database_url(&database_url)?;

        let site_addr_text =
            get("LEPTOS_SITE_ADDR").unwrap_or_else(|| DEFAULT_SITE_ADDR.to_owned());
        let site_addr: SocketAddr = site_addr_text.parse().map_err(|_| {
            ConfigError::new(
                "LEPTOS_SITE_ADDR",
                format!("'{site_addr_text}' is not an address and port such as 127.0.0.1:3000"),
            )
        })?;

        let public_url = match get("ROSTER_PUBLIC_URL") {
            Some(text) => parse_http_url("ROSTER_PUBLIC_URL", &text)?,
            None => Url::parse(&format!("http://{site_addr}/"))
                .expect("a socket address makes a valid URL"),
        };

        let smtp_url = match get("SMTP_URL") {
            Some(text) => {
                let url = Url::parse(&text).map_err(|e| {
                    ConfigError::new(
                        "SMTP_URL",
                        format!(
                            "not a URL ({e}); expected smtp://HOST:PORT or smtps://USER:PASS@HOST"
                        ),
                    )
                })?;
                if !matches!(url.scheme(), "smtp" | "smtps") || url.host_str().is_none() {
                    return Err(ConfigError::new(
                        "SMTP_URL",
                        "expected smtp://HOST:PORT or smtps://USER:PASS@HOST",
                    ));
                }
                Some(url)
            }
            None => None,
        };

        let hash_files = match get("LEPTOS_HASH_FILES").as_deref() {
            None | Some("true") | Some("1") => true,
            Some("false") | Some("0") => false,
            Some(other) => {
                return Err(ConfigError::new(
                    "LEPTOS_HASH_FILES",
                    format!("'{other}' is not true or false"),
                ));
            }
        };
        let dev_mode = match get("LEPTOS_ENV").as_deref() {
            None => false,
            Some(v) if v.eq_ignore_ascii_case("prod") || v.eq_ignore_ascii_case("production") => {
                false
            }
            Some(v) if v.eq_ignore_ascii_case("dev") || v.eq_ignore_ascii_case("development") => {
                true
            }
            Some(other) => {
                return Err(ConfigError::new(
                    "LEPTOS_ENV",
                    format!("'{other}' is not DEV or PROD"),
                ));
            }
        };
        let reload_port = match get("LEPTOS_RELOAD_PORT") {
            None => 3001,
            Some(text) => text.parse().map_err(|_| {
                ConfigError::new(
                    "LEPTOS_RELOAD_PORT",
                    format!("'{text}' is not a port number"),
                )
            })?,
        };

        let auth = auth_settings(&get, public_url.scheme() == "https")?;
        let mail_from = get("ROSTER_MAIL_FROM").unwrap_or_else(|| {
            let host = match public_url.host() {
                Some(url::Host::Domain(domain)) => domain.to_owned(),
                _ => "localhost".to_owned(),
            };
            format!("Roster <noreply@{host}>")
        });

        let audit_retention = match get("ROSTER_AUDIT_RETENTION") {
            None => None,
            Some(text) if text.eq_ignore_ascii_case("forever") => None,
            Some(text) => match humantime::parse_duration(&text) {
                // Shorter than a day would delete what an administrator is
                // still reading about today.
                Ok(d) if d >= Duration::from_secs(86_400) => Some(d),
                Ok(_) => {
                    return Err(ConfigError::new(
                        "ROSTER_AUDIT_RETENTION",
                        format!("'{text}' is too short; keep entries at least 1d"),
                    ));
                }
                Err(_) => {
                    return Err(ConfigError::new(
                        "ROSTER_AUDIT_RETENTION",
                        format!("'{text}' is not a duration such as 90d or 2years, or forever"),
                    ));
                }
            },
        };

        let metrics_allow = match get("ROSTER_METRICS_ALLOW") {
            None => Vec::new(),
            Some(text) => text
                .split(',')
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .map(|part| {
                    part.parse::<ipnet::IpNet>()
                        .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                        .map_err(|_| {
                            ConfigError::new(
                                "ROSTER_METRICS_ALLOW",
                                format!(
                                    "'{part}' is not an address or network such as 127.0.0.1/32"
                                ),
                            )
                        })
                })
                .collect::<Result<_, _>>()?,
        };

        let api_rate_limit = match get("ROSTER_API_RATE_LIMIT") {
            None => Some(DEFAULT_API_RATE_LIMIT),
            Some(text) if text.eq_ignore_ascii_case("off") => None,
            Some(text) => Some(
                text.trim_end_matches("/min")
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        ConfigError::new(
                            "ROSTER_API_RATE_LIMIT",
                            format!(
                                "'{text}' is not a number of requests a minute such as 3000, or off"
                            ),
                        )
                    })?,
            ),
        };

        let dev_pages = match get("ROSTER_DEV_PAGES") {
            None => cfg!(debug_assertions),
            Some(text) if text == "on" => true,
            Some(text) if text == "off" => false,
            Some(text) => {
                return Err(ConfigError::new(
                    "ROSTER_DEV_PAGES",
                    format!("'{text}' is not on or off"),
                ));
            }
        };

        Ok(Config {
            api_rate_limit,
            dev_pages,
            metrics_allow,
            audit_retention,
            mail_from,
            auth,
            database_url,
            site_addr,
            public_url,
            smtp_url,
            outbox_dir: get("ROSTER_OUTBOX_DIR")
                .unwrap_or_else(|| DEFAULT_OUTBOX_DIR.to_owned())
                .into(),
            site_root: get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".to_owned()),
            output_name: get("LEPTOS_OUTPUT_NAME").unwrap_or_else(|| "roster".to_owned()),
            site_pkg_dir: get("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|| "pkg".to_owned()),
            hash_files,
            hash_file_name: get("LEPTOS_HASH_FILE_NAME").unwrap_or_else(|| "hash.txt".to_owned()),
            dev_mode,
            reload_port,
        })
    }
}

fn auth_settings(
    get: &impl Fn(&str) -> Option<String>,
    https: bool,
) -> Result<AuthSettings, ConfigError> {
    let defaults = AuthSettings::default();
    let duration = |var: &'static str, default: Duration| -> Result<Duration, ConfigError> {
        match get(var) {
            None => Ok(default),
            Some(text) => match humantime::parse_duration(&text) {
                Ok(d) if d >= Duration::from_secs(60) && d <= Duration::from_secs(366 * 86_400) => {
                    Ok(d)
                }
                Ok(_) => Err(ConfigError::new(
                    var,
                    format!("'{text}' is out of range; expected between 1m and 366d"),
                )),
                Err(_) => Err(ConfigError::new(
                    var,
                    format!("'{text}' is not a duration such as 30m, 8h or 7d"),
                )),
            },
        }
    };
    let number = |var: &'static str, default: u32, min: u32| -> Result<u32, ConfigError> {
        match get(var) {
            None => Ok(default),
            Some(text) => match text.parse::<u32>() {
                Ok(n) if n >= min => Ok(n),
                _ => Err(ConfigError::new(
                    var,
                    format!("'{text}' is not a whole number of at least {min}"),
                )),
            },
        }
    };
    let lockout_duration = match get("ROSTER_LOCKOUT_DURATION").as_deref() {
        Some("never") => None,
        _ => Some(duration(
            "ROSTER_LOCKOUT_DURATION",
            defaults
                .lockout_duration
                .unwrap_or(Duration::from_secs(900)),
        )?),
    };
    let trust_proxy = match get("ROSTER_TRUST_PROXY").as_deref() {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(other) => {
            return Err(ConfigError::new(
                "ROSTER_TRUST_PROXY",
                format!("'{other}' is not true or false"),
            ));
        }
    };
    let choice = |var: &'static str, on: &str, off: &str, default: bool| match get(var) {
        None => Ok(default),
        Some(text) if text == on => Ok(true),
        Some(text) if text == off => Ok(false),
        Some(text) => Err(ConfigError::new(
            var,
            format!("'{text}' is not {on} or {off}"),
        )),
    };
    let settings = AuthSettings {
        idle_timeout: duration("ROSTER_SESSION_IDLE_TIMEOUT", defaults.idle_timeout)?,
        session_lifetime: duration("ROSTER_SESSION_LIFETIME", defaults.session_lifetime)?,
        lockout_threshold: number("ROSTER_LOCKOUT_THRESHOLD", defaults.lockout_threshold, 0)?,
        lockout_duration,
        signin_attempts_per_minute: NonZeroU32::new(number(
            "ROSTER_SIGNIN_RATE_LIMIT",
            defaults.signin_attempts_per_minute.get(),
            1,
        )?)
        .expect("at least 1"),
        max_concurrent_hashes: number(
            "ROSTER_MAX_CONCURRENT_HASHES",
            u32::try_from(defaults.max_concurrent_hashes).unwrap_or(2),
            1,
        )? as usize,
        secure_cookies: https,
        trust_proxy,
        invitation_lifetime: duration("ROSTER_INVITATION_LIFETIME", defaults.invitation_lifetime)?,
        reset_link_lifetime: duration("ROSTER_RESET_LINK_LIFETIME", defaults.reset_link_lifetime)?,
        temporary_login_lifetime: duration(
            "ROSTER_TEMPORARY_LOGIN_LIFETIME",
            defaults.temporary_login_lifetime,
        )?,
        impersonation_enabled: choice(
            "ROSTER_IMPERSONATION",
            "on",
            "off",
            defaults.impersonation_enabled,
        )?,
        impersonation_reason_required: choice(
            "ROSTER_IMPERSONATION_REASON",
            "required",
            "optional",
            defaults.impersonation_reason_required,
        )?,
        impersonation_lifetime: duration(
            "ROSTER_IMPERSONATION_LIFETIME",
            defaults.impersonation_lifetime,
        )?,
    };
    if settings.idle_timeout > settings.session_lifetime {
        return Err(ConfigError::new(
            "ROSTER_SESSION_IDLE_TIMEOUT",
            "is longer than ROSTER_SESSION_LIFETIME; the idle timeout must be the shorter",
        ));
    }
    Ok(settings)
}

/// Checks the shape of `DATABASE_URL` before anything tries to connect, so a
/// typo gives a clear message rather than a driver error. The value itself is
/// not echoed: it may hold a password.
fn check_database_url(url: &str) -> Result<(), ConfigError> {
    const EXPECTED: &str = "expected sqlite://PATH (e.g. sqlite://data/roster.db?mode=rwc) \
                            or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE";
    if let Some(rest) = url.strip_prefix("sqlite:") {
        if rest.trim_start_matches('/').is_empty() {
            return Err(ConfigError::new(
                "DATABASE_URL",
                format!("the SQLite URL names no file; {EXPECTED}"),
            ));
        }
        return Ok(());
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let parsed = Url::parse(url).map_err(|e| {
            ConfigError::new(
                "DATABASE_URL",
                format!("cannot parse the PostgreSQL URL ({e}); {EXPECTED}"),
            )
        })?;
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(ConfigError::new(
                "DATABASE_URL",
                format!("the PostgreSQL URL names no host; {EXPECTED}"),
            ));
        }
        if parsed.path().trim_start_matches('/').is_empty() {
            return Err(ConfigError::new(
                "DATABASE_URL",
                format!("the PostgreSQL URL names no database; {EXPECTED}"),
            ));
        }
        return Ok(());
    }
    let scheme = url
        .split_once(':')
        .map(|(s, _)| s)
        .filter(|s| s.chars().all(|c| c.is_ascii_alphanumeric()));
    let what = match scheme {
        Some(s) => format!("unsupported database '{s}'"),
        None => "not a database URL".to_owned(),
    };
    Err(ConfigError::new(
        "DATABASE_URL",
        format!("{what}; {EXPECTED}"),
    ))
}

fn parse_http_url(var: &'static str, text: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(text).map_err(|e| {
        ConfigError::new(
            var,
            format!("'{text}' is not a URL ({e}); expected e.g. https://roster.example.com/"),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError::new(
            var,
            format!("'{text}' must start with http:// or https://"),
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn nothing_set_means_sqlite_under_data() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:3000/");
        assert_eq!(c.outbox_dir, PathBuf::from("data/outbox"));
        assert!(c.smtp_url.is_none());
        assert_eq!(c.mail_from, "Roster <noreply@localhost>");
        assert_eq!(c.auth.reset_link_lifetime, Duration::from_secs(3600));
    }

    #[test]
    fn email_comes_from_the_public_host() {
        let c = config(&[
            ("ROSTER_PUBLIC_URL", "https://roster.example.com/"),
            ("ROSTER_INVITATION_LIFETIME", "2d"),
        ])
        .unwrap();
        assert_eq!(c.mail_from, "Roster <noreply@roster.example.com>");
        assert_eq!(c.auth.invitation_lifetime, Duration::from_secs(2 * 86_400));
    }

    #[test]
    fn impersonation_is_on_without_a_reason_for_30_minutes_unless_configured() {
        let c = config(&[]).unwrap();
        assert!(c.auth.impersonation_enabled);
        assert!(!c.auth.impersonation_reason_required);
        assert_eq!(c.auth.impersonation_lifetime, Duration::from_secs(30 * 60));
        let c = config(&[
            ("ROSTER_IMPERSONATION", "off"),
            ("ROSTER_IMPERSONATION_REASON", "required"),
            ("ROSTER_IMPERSONATION_LIFETIME", "10m"),
        ])
        .unwrap();
        assert!(!c.auth.impersonation_enabled);
        assert!(c.auth.impersonation_reason_required);
        assert_eq!(c.auth.impersonation_lifetime, Duration::from_secs(10 * 60));
    }

    #[test]
    fn postgres_urls_are_accepted() {
        let c = config(&[("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/roster")]).unwrap();
        assert_eq!(c.database_url, "postgres://postgres@127.0.0.1:5432/roster");
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("DATABASE_URL", "mysql://root@localhost/roster"),
            ("DATABASE_URL", "not a url at all"),
            ("DATABASE_URL", "postgres://"),
            ("DATABASE_URL", "postgres://user@host"),
            ("DATABASE_URL", "sqlite://"),
            ("LEPTOS_SITE_ADDR", "localhost"),
            ("ROSTER_PUBLIC_URL", "ftp://example.com"),
            ("ROSTER_PUBLIC_URL", "::"),
            ("SMTP_URL", "http://mail.example.com"),
            ("LEPTOS_HASH_FILES", "maybe"),
            ("LEPTOS_ENV", "staging"),
            ("LEPTOS_RELOAD_PORT", "lots"),
            ("ROSTER_SESSION_IDLE_TIMEOUT", "soon"),
            ("ROSTER_SESSION_IDLE_TIMEOUT", "5s"),
            ("ROSTER_SESSION_LIFETIME", "1000d"),
            ("ROSTER_LOCKOUT_THRESHOLD", "-1"),
            ("ROSTER_LOCKOUT_DURATION", "forever"),
            ("ROSTER_SIGNIN_RATE_LIMIT", "0"),
            ("ROSTER_MAX_CONCURRENT_HASHES", "0"),
            ("ROSTER_TRUST_PROXY", "perhaps"),
            ("ROSTER_IMPERSONATION", "maybe"),
            ("ROSTER_IMPERSONATION_REASON", "yes"),
            ("ROSTER_IMPERSONATION_LIFETIME", "forever"),
            ("ROSTER_AUDIT_RETENTION", "a while"),
            ("ROSTER_AUDIT_RETENTION", "2h"),
            ("ROSTER_METRICS_ALLOW", "127.0.0.1/33"),
            ("ROSTER_METRICS_ALLOW", "localhost"),
        ] {
            let err = config(&[(var, value)]).unwrap_err();
            assert_eq!(err.var, var, "{value}");
            assert!(err.to_string().starts_with(&format!("{var}: ")), "{err}");
        }
    }

    #[test]
    fn session_and_lockout_rules_are_configurable() {
        let c = config(&[]).unwrap();
        assert_eq!(c.auth.idle_timeout, Duration::from_secs(3600));
        assert_eq!(c.auth.lockout_threshold, 5);
        assert!(!c.auth.secure_cookies);
        let c = config(&[
            ("ROSTER_SESSION_IDLE_TIMEOUT", "30m"),
            ("ROSTER_SESSION_LIFETIME", "7d"),
            ("ROSTER_LOCKOUT_THRESHOLD", "3"),
            ("ROSTER_LOCKOUT_DURATION", "never"),
            ("ROSTER_PUBLIC_URL", "https://roster.example.com/"),
        ])
        .unwrap();
        assert_eq!(c.auth.idle_timeout, Duration::from_secs(1800));
        assert_eq!(c.auth.session_lifetime, Duration::from_secs(7 * 86_400));
        assert_eq!(c.auth.lockout_threshold, 3);
        assert_eq!(c.auth.lockout_duration, None);
        assert!(c.auth.secure_cookies, "https means Secure cookies");
        let err = config(&[
            ("ROSTER_SESSION_IDLE_TIMEOUT", "2d"),
            ("ROSTER_SESSION_LIFETIME", "1d"),
        ])
        .unwrap_err();
        assert_eq!(err.var, "ROSTER_SESSION_IDLE_TIMEOUT");
    }

    #[test]
    fn audit_retention_is_forever_unless_set() {
        assert_eq!(config(&[]).unwrap().audit_retention, None);
        let c = config(&[("ROSTER_AUDIT_RETENTION", "400d")]).unwrap();
        assert_eq!(c.audit_retention, Some(Duration::from_secs(400 * 86_400)));
        let c = config(&[("ROSTER_AUDIT_RETENTION", "forever")]).unwrap();
        assert_eq!(c.audit_retention, None);
    }

    #[test]
    fn metrics_are_open_to_no_address_unless_listed() {
        assert!(config(&[]).unwrap().metrics_allow.is_empty());
        let c = config(&[("ROSTER_METRICS_ALLOW", "127.0.0.1/32, 10.0.0.0/8,::1")]).unwrap();
        let shown: Vec<String> = c.metrics_allow.iter().map(|n| n.to_string()).collect();
        assert_eq!(shown, ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]);
    }

    #[test]
    fn passwords_are_never_echoed() {
        let err = config(&[("DATABASE_URL", "postgres://u:s3cret@/x")]).unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
        let ok = config(&[
            ("DATABASE_URL", "postgres://u:s3cret@db.example.com/roster"),
            ("SMTP_URL", "smtps://mailer:hunter2@mail.example.com"),
        ])
        .unwrap();
        let debug = format!("{ok:?}");
        assert!(
            !debug.contains("s3cret") && !debug.contains("hunter2"),
            "{debug}"
        );
        assert!(debug.contains("db.example.com"), "{debug}");
    }
}
