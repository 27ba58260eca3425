//! The real `roster` binary as users run it (`roster serve` in a process of
//! its own, killed like a power cut), and a PostgreSQL server of the test's
//! own that it can stop and start again: for the tests of what happens when
//! the process or its database goes away.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Prepares the database at `url` with the real binary, as an operator
/// would: `roster migrate`, then an administrator and plain users, each
/// `NAME@example.com` with `password`.
pub fn prepare_accounts(dir: &Path, url: &str, password: &str, admin: &str, users: &[&str]) {
    let env = [("DATABASE_URL", url), ("ROSTER_PASSWORD", password)];
    let output = crate::helpers::roster(dir, &["migrate"], &env, None);
    assert!(output.status.success(), "roster migrate: {output:?}");
    let accounts = std::iter::once(("create-admin", admin))
        .chain(users.iter().map(|user| ("create-user", *user)));
    for (command, username) in accounts {
        let email = format!("{username}@example.com");
        let args = [command, "--username", username, "--email", &email];
        let output = crate::helpers::roster(dir, &args, &env, None);
        assert!(output.status.success(), "roster {args:?}: {output:?}");
    }
}

/// A free port on the loopback interface, as of now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// `roster serve` on a port of its own, answering `/healthz`; what it logs
/// goes to a file the test can read.
pub struct Served {
    child: Child,
    pub base: String,
    log: PathBuf,
}

impl Served {
    /// Starts `roster serve` in `dir` on the database at `url`, with
    /// `settings` on top of the defaults (a folder for email when no SMTP
    /// server is set, no API rate limit), and waits until it is up.
    pub async fn start(dir: &Path, url: &str, settings: &[(&str, &str)]) -> Served {
        let port = free_port();
        let log = dir.join(format!("roster-{port}.log"));
        let log_file = std::fs::File::create(&log).expect("log file");
        let mut command = Command::new(env!("CARGO_BIN_EXE_roster"));
        command
            .arg("serve")
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn")
            .env("DATABASE_URL", url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("ROSTER_OUTBOX_DIR", dir.join("outbox"))
            .env("ROSTER_API_RATE_LIMIT", "off")
            .env("ROSTER_SIGNIN_RATE_LIMIT", "1000");
        for (key, value) in settings {
            command.env(key, value);
        }
        let child = command
            .stdout(Stdio::from(log_file.try_clone().expect("log file")))
            .stderr(Stdio::from(log_file))
            .spawn()
            .expect("start roster serve");
        let served = Served {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        served.wait_until_healthy(Duration::from_secs(60)).await;
        served
    }

    /// Waits for `/healthz` to answer 200; returns how long that took.
    pub async fn wait_until_healthy(&self, limit: Duration) -> Duration {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("client");
        let start = Instant::now();
        loop {
            if let Ok(response) = client.get(format!("{}/healthz", self.base)).send().await
                && response.status() == 200
            {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < limit,
                "roster serve was not healthy within {limit:?}; its log:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// What it has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Fails the test if the server panicked anywhere (a panic in a request
    /// is caught per connection and would otherwise only show as a dropped
    /// answer).
    pub fn assert_no_panic(&self) {
        let log = self.log();
        assert!(
            !log.contains("panicked"),
            "roster serve panicked; its log:\n{log}"
        );
    }

    /// SIGKILL: no shutdown, no cleanup, as in a power cut.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A PostgreSQL server of the test's own (`initdb` into a temporary folder,
/// `pg_ctl` on a port of its own), never the shared one: the test stops it
/// and starts it again while Roster uses it.
pub struct PgCluster {
    dir: TempDir,
    bin: PathBuf,
    pub port: u16,
}

impl PgCluster {
    /// Creates and starts the cluster.
    pub fn start() -> PgCluster {
        let bin = postgres_bin_dir();
        let dir = tempfile::tempdir().expect("temp dir");
        // The server runs as `postgres` when the tests run as root (it
        // refuses to run as root): the folder must be its to write.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777))
            .expect("chmod");
        let cluster = PgCluster {
            dir,
            bin,
            port: free_port(),
        };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        cluster.resume();
        cluster
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// Stops the server the way an administrator or a failover does
    /// (`pg_ctl stop -m fast`: open connections are cut), and waits until
    /// it is down.
    pub fn stop(&self) {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]);
    }

    /// Starts the (stopped) server again and waits until it takes
    /// connections.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
    }

    fn run(&self, program: &str, args: &[&str]) {
        if let Err(error) = self.try_run(program, args) {
            panic!("{error}");
        }
    }

    fn try_run(&self, program: &str, args: &[&str]) -> Result<(), String> {
        let program = self.bin.join(program);
        let as_root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let mut command = if as_root {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&program);
            command
        } else {
            Command::new(&program)
        };
        let output = command
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .map_err(|e| format!("{}: {e}", program.display()))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} {args:?}: {}{}",
                program.display(),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self.try_run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
    }
}

/// Where Debian keeps the server's programs (`/usr/lib/postgresql/N/bin`),
/// the newest version if there are several; `PG_BIN_DIR` overrides it.
fn postgres_bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("PG_BIN_DIR") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's programs in /usr/lib/postgresql (or set PG_BIN_DIR)")
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().expect("an initdb under /usr/lib/postgresql").1
}
