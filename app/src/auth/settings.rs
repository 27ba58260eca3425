//! The rules of sign-in and sessions (from configuration), and the shared,
//! process-wide state they need: the bound on concurrent password hashes and
//! the per-IP sign-in rate limiter.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::password::PasswordHashing;

/// Sign-in and session rules. Defaults suit an administration console: a
/// session ends after an hour without a request or twelve hours after sign-in,
/// five wrong passwords in a row lock the account for fifteen minutes.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// A session not used for this long has ended (`ROSTER_SESSION_IDLE_TIMEOUT`).
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, used or not (`ROSTER_SESSION_LIFETIME`).
    pub session_lifetime: Duration,
    /// Consecutive wrong passwords that lock an account (`ROSTER_LOCKOUT_THRESHOLD`).
    pub lockout_threshold: u32,
    /// How long an automatic lock lasts; `None`: until an administrator
    /// unlocks the account (`ROSTER_LOCKOUT_DURATION`, "never").
    pub lockout_duration: Option<Duration>,
    /// Sign-in attempts allowed per client IP address per minute
    /// (`ROSTER_SIGNIN_RATE_LIMIT`).
    pub signin_attempts_per_minute: NonZeroU32,
    /// Password hashes computed at once (`ROSTER_MAX_CONCURRENT_HASHES`);
    /// more wait their turn so a storm of sign-ins cannot take every core.
    pub max_concurrent_hashes: usize,
    /// Mark the session cookie `Secure` (and give it the `__Host-` prefix):
    /// true when `ROSTER_PUBLIC_URL` is https.
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (behind a reverse
    /// proxy; `ROSTER_TRUST_PROXY`). Off by default: the header is forgeable.
    pub trust_proxy: bool,
    /// How long an invitation link works (`ROSTER_INVITATION_LIFETIME`).
    pub invitation_lifetime: Duration,
    /// How long a password reset link works (`ROSTER_RESET_LINK_LIFETIME`).
    pub reset_link_lifetime: Duration,
    /// How long a temporary login link works (`ROSTER_TEMPORARY_LOGIN_LIFETIME`).
    pub temporary_login_lifetime: Duration,
    /// Whether "Login as" is allowed at all (`ROSTER_IMPERSONATION`, on/off).
    pub impersonation_enabled: bool,
    /// Whether starting one asks for a reason, which is recorded
    /// (`ROSTER_IMPERSONATION_REASON`, required/optional).
    pub impersonation_reason_required: bool,
    /// How long an impersonation lasts at most (`ROSTER_IMPERSONATION_LIFETIME`).
    pub impersonation_lifetime: Duration,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            idle_timeout: Duration::from_secs(60 * 60),
            session_lifetime: Duration::from_secs(12 * 60 * 60),
            lockout_threshold: 5,
            lockout_duration: Some(Duration::from_secs(15 * 60)),
            signin_attempts_per_minute: NonZeroU32::new(10).expect("10 is not zero"),
            // Half the cores: a burst of sign-ins (fifty administrators at
            // nine, each hash 25 ms of a core) queues for its turn instead of
            // taking every core, which held every page up behind it (the
            // load bench, its fifty administrators signing in at once: Users
            // page p99 87 -> 55 ms, searches 130 -> 75 ms, with one of two
            // cores left to pages).
            max_concurrent_hashes: std::thread::available_parallelism()
                .map(|cores| usize::from(cores).div_ceil(2))
                .unwrap_or(1),
            secure_cookies: false,
            trust_proxy: false,
            invitation_lifetime: Duration::from_secs(7 * 24 * 60 * 60),
            reset_link_lifetime: Duration::from_secs(60 * 60),
            temporary_login_lifetime: Duration::from_secs(15 * 60),
            impersonation_enabled: true,
            impersonation_reason_required: false,
            impersonation_lifetime: Duration::from_secs(30 * 60),
        }
    }
}

/// Process-wide authentication state, cheap to clone. Provided to server
/// functions through context and to middleware through the router state.
#[derive(Clone)]
pub struct AuthState {
    inner: Arc<Inner>,
}

struct Inner {
    settings: AuthSettings,
    hashing: PasswordHashing,
    signin_limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl AuthState {
    pub fn new(settings: AuthSettings) -> Self {
        let quota = Quota::per_minute(settings.signin_attempts_per_minute);
        AuthState {
            inner: Arc::new(Inner {
                hashing: PasswordHashing::new(settings.max_concurrent_hashes),
                signin_limiter: RateLimiter::keyed(quota),
                settings,
            }),
        }
    }

    pub fn settings(&self) -> &AuthSettings {
        &self.inner.settings
    }

    pub fn hashing(&self) -> &PasswordHashing {
        &self.inner.hashing
    }

    /// Counts a sign-in attempt from `ip`; false when it is over the limit.
    /// Attempts without a known address share one bucket.
    pub fn allow_signin_attempt(&self, ip: Option<IpAddr>) -> bool {
        let key = ip.unwrap_or(IpAddr::from([0, 0, 0, 0]));
        self.inner.signin_limiter.check_key(&key).is_ok()
    }

    /// Counts a "Forgot password?" request from `ip` against the same
    /// per-address limit as sign-in attempts; false when it is over.
    pub fn allow_reset_request(&self, ip: Option<IpAddr>) -> bool {
        self.allow_signin_attempt(ip)
    }

    /// Forgets rate-limit state of addresses that have been quiet, so the
    /// limiter's memory does not grow with every address ever seen.
    pub fn forget_quiet_addresses(&self) {
        self.inner.signin_limiter.retain_recent();
        self.inner.signin_limiter.shrink_to_fit();
    }
}

impl std::fmt::Debug for AuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthState")
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}
