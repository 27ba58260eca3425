//! Password hashing (Argon2id, OWASP parameters) and the strength rule.
//! Server-only: the dictionaries behind the strength check are too large to
//! ship to the browser, which checks only the length rule of `NewPassword`.

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::domain::{FormField, NewPassword, PasswordError};

/// zxcvbn scores 0–4; 3 is "safely unguessable: moderate protection from an
/// offline slow-hash scenario", the level most password policies require.
const MIN_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

/// Rejects weak and common passwords, saying why. `user_inputs` are the
/// account's own words (username, email, name): a password built from them is
/// weak however long it is.
/// A new password as typed twice in a form (`new_password` and
/// `confirm_password` fields).
#[derive(Debug, Clone, Copy)]
pub struct ChosenPassword<'a> {
    pub new: &'a str,
    pub confirm: &'a str,
}

impl ChosenPassword<'_> {
    /// The password, if it follows the rule and both copies are the same;
    /// otherwise the error, on its field.
    pub fn parse(&self) -> crate::error::AppResult<NewPassword> {
        use crate::error::AppError;
        let new = NewPassword::parse(self.new)
            .map_err(|e| AppError::validation(FormField::NewPassword, e))?;
        if self.new != self.confirm {
            return Err(AppError::validation(
                FormField::ConfirmPassword,
                "The two new passwords are not the same.",
            ));
        }
        Ok(new)
    }
}

pub fn check_strength(password: &NewPassword, user_inputs: &[&str]) -> Result<(), PasswordError> {
    let estimate = zxcvbn::zxcvbn(password.expose(), user_inputs);
    if estimate.score() >= MIN_SCORE {
        return Ok(());
    }
    let reason = estimate
        .feedback()
        .and_then(|f| {
            f.warning()
                .map(|w| w.to_string())
                .or_else(|| f.suggestions().first().map(|s| s.to_string()))
        })
        .unwrap_or_else(|| "it would be easy to guess.".to_owned());
    Err(PasswordError::Weak(reason))
}

/// Argon2id with the OWASP-recommended parameters: m=19456 KiB, t=2, p=1.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("constant Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// A failed hash is the server's fault: logged here, and the caller answers
/// with a plain internal error.
impl From<HashError> for crate::error::AppError {
    fn from(error: HashError) -> Self {
        tracing::error!(%error, "password hashing failed");
        crate::error::AppError::Internal
    }
}

/// Runs Argon2 off the async runtime, on `permits` threads of its own. Each
/// hash takes tens of milliseconds of a core and 19 MiB of memory: without a
/// bound, fifty simultaneous sign-ins would occupy every core, and every
/// other request would wait behind them.
///
/// The threads also run at a lower CPU priority ([`HASHING_NICENESS`]): a
/// sign-in then waits a little longer while pages are being served, rather
/// than pages waiting behind hashes. Under the load bench (200 requests/s,
/// four sign-ins arriving together each second, two cores) the four hashes
/// took one core for about 180 ms of every second, and the pages served
/// meanwhile were the slow ones.
#[derive(Debug, Clone)]
pub struct PasswordHashing {
    /// One per hashing thread: a hash waits here, not in the threads' queue.
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    jobs: std::sync::mpsc::Sender<HashJob>,
    /// Hashes computed so far (the `/metrics` counter).
    computed: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// A real hash of a random password. Sign-ins for unknown accounts are
    /// checked against it, so they take as long as those for real ones.
    dummy_hash: std::sync::Arc<str>,
}

impl PasswordHashing {
    pub fn new(permits: usize) -> Self {
        let random = NewPassword::parse(&format!("{:032x}", rand::random::<u128>()))
            .expect("32 hex digits are a valid password");
        let dummy_hash = hash_password(&random).expect("hashing a generated password succeeds");
        PasswordHashing {
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(permits.max(1))),
            jobs: spawn_hashing_threads(permits.max(1)),
            computed: Default::default(),
            dummy_hash: dummy_hash.into(),
        }
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: &NewPassword) -> Result<String, HashError> {
        let password = password.clone();
        self.run(move || hash_password(&password))
            .await
            .and_then(|r| r)
    }

    /// Checks `candidate` against `stored_hash`; with no stored hash (unknown
    /// account, or one that never set a password) it checks against a dummy
    /// hash and answers false, taking the same time.
    ///
    /// A candidate longer than any password can be ([`MAX_CANDIDATE_BYTES`])
    /// is wrong without hashing: a megabyte of "password" must not cost a
    /// core. Only its length decides, so this tells nothing of the account.
    pub async fn verify(&self, candidate: &str, stored_hash: Option<&str>) -> bool {
        if candidate.len() > MAX_CANDIDATE_BYTES {
            tracing::warn!(
                bytes = candidate.len(),
                "refused an overlong password unhashed"
            );
            return false;
        }
        let candidate = candidate.to_owned();
        let (hash, real) = match stored_hash {
            Some(h) => (h.to_owned(), true),
            None => (self.dummy_hash.to_string(), false),
        };
        let matched = self
            .run(move || verify_password(&candidate, &hash))
            .await
            .unwrap_or(false);
        matched && real
    }

    /// Runs `work` on a hashing thread once one is free, and waits for its
    /// result without holding a runtime thread.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError(e.to_string()))?;
        self.computed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (done, result) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                // The caller may have gone (a closed connection): nobody to
                // tell.
                let _ = done.send(work());
            }))
            .map_err(|_| HashError("the hashing threads have stopped".to_owned()))?;
        result
            .await
            .map_err(|_| HashError("a hashing thread stopped mid-hash".to_owned()))
    }

    /// How many hashes this process has computed.
    pub fn computed(&self) -> u64 {
        self.computed.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// A hash to compute on one of the hashing threads.
type HashJob = Box<dyn FnOnce() + Send>;

/// How much lower than the rest of the server the hashing threads run
/// (added to the Linux `nice` value, which stops at 19). At 10, a thread serving pages gets about nine
/// tenths of a core it shares with a hash; on an idle machine a hash still
/// runs at full speed.
pub const HASHING_NICENESS: i32 = 10;

/// Starts `count` hashing threads at [`HASHING_NICENESS`], taking jobs from
/// one queue; they end when every [`PasswordHashing`] holding it is gone.
fn spawn_hashing_threads(count: usize) -> std::sync::mpsc::Sender<HashJob> {
    let (jobs, queue) = std::sync::mpsc::channel::<HashJob>();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
    for n in 0..count {
        let queue = queue.clone();
        std::thread::Builder::new()
            .name(format!("password-hash-{n}"))
            .spawn(move || {
                lower_this_threads_priority();
                loop {
                    // The lock is held while waiting for a job, not while
                    // hashing one.
                    let job = match queue.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            })
            .expect("starting a password hashing thread");
    }
    jobs
}

/// Lowers the calling thread's CPU priority by [`HASHING_NICENESS`] (to at
/// most 19), whatever the server's own. On Linux the nice value belongs to
/// each thread, so the rest of the server keeps its own. Elsewhere, or if
/// refused, hashing runs at the server's priority.
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: getpriority and setpriority take plain integers and read
        // or change only the calling thread's nice value (`who` 0 is this
        // thread on Linux).
        let now = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
        let lower = (now + HASHING_NICENESS).min(19);
        let refused = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, lower) } != 0;
        if refused {
            tracing::warn!(
                error = %std::io::Error::last_os_error(),
                "could not lower the password hashing threads' priority"
            );
        }
    }
}

/// The longest candidate password worth hashing: [`NewPassword::MAX_LEN`]
/// characters of four bytes each, with room to spare for passwords set
/// before the limit.
pub const MAX_CANDIDATE_BYTES: usize = 1024;

/// Hashes a password into a PHC string. CPU-heavy (tens of milliseconds): use
/// [`PasswordHashing::hash`], never call it directly on the async runtime.
pub fn hash_password(password: &NewPassword) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Checks a password against a stored PHC string. A malformed stored hash
/// verifies as false (and is logged), never panics.
pub fn verify_password(candidate: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => hasher()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok(),
        Err(error) => {
            tracing::error!(%error, "stored password hash is malformed");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> NewPassword {
        NewPassword::parse(s).unwrap()
    }

    /// Hashes run on threads that yield to the ones serving pages, and the
    /// server's own threads keep their priority.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashes_run_at_a_lower_priority_than_the_server() {
        let hashing = PasswordHashing::new(2);
        // SAFETY: getpriority reads the calling thread's nice value.
        let nice_here = || unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
        let while_hashing = hashing.run(nice_here).await.unwrap();
        assert_eq!(while_hashing, (nice_here() + HASHING_NICENESS).min(19));
        let hashed = hashing.hash(&pw("correct horse battery staple")).await;
        assert!(verify_password(
            "correct horse battery staple",
            &hashed.unwrap()
        ));
    }

    #[test]
    fn common_passwords_are_rejected_with_a_reason() {
        for weak in ["password123", "qwertyuiop", "1234567890", "iloveyou12"] {
            match check_strength(&pw(weak), &[]) {
                Err(PasswordError::Weak(reason)) => assert!(!reason.is_empty()),
                other => panic!("{weak}: {other:?}"),
            }
        }
    }

    #[test]
    fn passwords_made_of_the_users_own_words_are_rejected() {
        assert!(
            check_strength(
                &pw("alice.smith2024"),
                &["alice.smith", "alice@example.com"]
            )
            .is_err()
        );
    }

    #[test]
    fn strong_passwords_pass() {
        assert!(check_strength(&pw("correct-Horse-battery-staple-91"), &[]).is_ok());
    }

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let hash = hash_password(&pw("tr0ub4dor&3-extended")).unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("tr0ub4dor&3-extended", &hash));
        assert!(!verify_password("tr0ub4dor&3-extendeD", &hash));
        assert!(!verify_password("anything", "not a phc string"));
    }
}
