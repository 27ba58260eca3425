//! The test harness: fresh databases (SQLite file or a new PostgreSQL
//! database, dropped afterwards), `spawn_app()` on port 0, and a runner for
//! the `roster` binary.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use app::audit::service::Actor;
use app::auth::password::PasswordHashing;
use app::users::create::service::{NewProfile, NewUser, create_account};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use server::config::Config;
use server::startup::Application;
use tempfile::TempDir;

/// A password that passes the strength rule, for tests that need one.
pub const STRONG_PASSWORD: &str = "Violet-Harbour-Lantern-42";

/// SQL inserting a minimal user row directly, bypassing the service: for
/// tests of the schema itself and of races with another writer.
pub fn insert_bare_user_sql(username: &str, email: &str) -> String {
    format!(
        "INSERT INTO users (username, email, name, must_change_password, is_active, failed_signin_count, \
         created_at, updated_at, version) VALUES ('{username}', '{email}', 'Some One', FALSE, TRUE, 0, \
         '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 1)"
    )
}

/// Where the PostgreSQL server for tests is; the tests create and drop
/// their own databases in it.
pub fn postgres_admin_url() -> String {
    std::env::var("ROSTER_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    /// Holds the SQLite file (and is the working folder for CLI runs).
    pub dir: TempDir,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::sqlite(),
            Backend::Postgres => Self::postgres().await,
        }
    }

    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("roster.db").display()
        );
        TestDb {
            url,
            dir,
            pg_name: None,
        }
    }

    pub async fn postgres() -> Self {
        let name = format!("roster_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(postgres_admin_url())
            .await
            .expect("PostgreSQL must be running for the tests (ROSTER_TEST_POSTGRES_URL)");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create test database");
        admin.close().await.ok();
        let base = postgres_admin_url();
        let url = match base.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => panic!("ROSTER_TEST_POSTGRES_URL must end with /DATABASE"),
        };
        TestDb {
            url,
            dir: tempfile::tempdir().expect("temp dir"),
            pg_name: Some(name),
        }
    }

    pub async fn connect(&self) -> DatabaseConnection {
        server::db::connect(&self.url)
            .await
            .expect("connect to test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        // Drop runs outside async code, maybe while panicking: use a thread
        // with its own runtime, and force out any connection still open.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                if let Ok(admin) = Database::connect(postgres_admin_url()).await {
                    let _ = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    /// The SMTP server the app sends its email to.
    pub mail: crate::mail_listener::MailListener,
    _site: TempDir,
    _test_db: TestDb,
}

/// The longest any one request of a test may take: a request the server
/// never answers fails its test with a message instead of hanging the run.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// The real application on a free port, with a fresh database and an empty
/// site folder holding only a favicon (the WASM is not built for these tests).
/// The sign-in rate limit is raised: tests sign in often from one address.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

/// [`spawn_app`] with extra configuration, e.g. `("ROSTER_LOCKOUT_THRESHOLD", "3")`.
pub async fn spawn_app_with(backend: Backend, settings: &[(&'static str, &str)]) -> TestApp {
    let test_db = TestDb::new(backend).await;
    let mail = crate::mail_listener::MailListener::start().await;
    let smtp_url = format!("smtp://127.0.0.1:{}", mail.port);
    let mut settings = settings.to_vec();
    if !settings.iter().any(|(k, _)| *k == "SMTP_URL") {
        settings.push(("SMTP_URL", &smtp_url));
    }
    let instance = start_instance(&test_db.url, &settings).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("http client");
    TestApp {
        address: instance.address,
        client,
        db: test_db.connect().await,
        mail,
        _site: instance.site,
        _test_db: test_db,
    }
}

/// One running server on a free port, using the database at `url`.
pub struct Instance {
    pub address: String,
    site: TempDir,
}

async fn start_instance(url: &str, settings: &[(&'static str, &str)]) -> Instance {
    let site = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        site.path().join("favicon.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("ROSTER_SIGNIN_RATE_LIMIT", "1000".to_owned()),
        ("DATABASE_URL", url.to_owned()),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
        ("LEPTOS_SITE_ROOT", site.path().display().to_string()),
        (
            "ROSTER_OUTBOX_DIR",
            site.path().join("outbox").display().to_string(),
        ),
    ]);
    vars.extend(settings.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test configuration");
    let app = Application::build(config)
        .await
        .expect("application starts");
    let address = format!("http://{}", app.local_addr());
    tokio::spawn(app.run_until_stopped());
    Instance { address, site }
}

impl TestApp {
    /// A second server instance sharing this app's database (as behind a
    /// load balancer).
    pub async fn another_instance(&self) -> Instance {
        start_instance(&self._test_db.url, &[]).await
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request")
    }

    /// A browser-like visitor: its own cookie jar, no redirects followed.
    pub fn visitor(&self) -> Visitor {
        Visitor::new(&self.address)
    }

    /// Creates an account with the given roles and [`STRONG_PASSWORD`],
    /// through the real service. Returns its id.
    pub async fn create_user(&self, username: &str, roles: &[&str], must_change: bool) -> i64 {
        use app::domain::{EmailAddress, NewPassword, PersonName, Username};
        let new = NewUser {
            profile: NewProfile {
                username: Username::parse(username).unwrap(),
                email: EmailAddress::parse(&format!("{username}@example.com")).unwrap(),
                name: PersonName::parse(&format!("{username} Tester")).unwrap(),
                phone: None,
                phone_ext: None,
                roles: roles.iter().map(|r| r.to_string()).collect(),
                teams: Vec::new(),
            },
            password: NewPassword::parse(STRONG_PASSWORD).unwrap(),
            must_change_password: must_change,
        };
        create_account(
            &self.db,
            &PasswordHashing::new(1),
            &Actor::system("test"),
            new,
        )
        .await
        .expect("user created")
        .id
    }

    /// A visitor signed in as `username` (with [`STRONG_PASSWORD`]).
    pub async fn signed_in(&self, username: &str) -> Visitor {
        let visitor = self.visitor();
        let response = visitor.sign_in(username, STRONG_PASSWORD).await;
        assert_eq!(response.status(), 200, "{username} signs in");
        visitor
    }

    pub async fn execute(&self, sql: &str) {
        self.db.execute_unprepared(sql).await.expect("SQL runs");
    }
}

/// The User-Agent test visitors send.
pub const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

/// One browser: cookies are kept between its requests.
pub struct Visitor {
    pub address: String,
    pub client: reqwest::Client,
    /// The browser's cookies, which its live connections send too.
    cookies: std::sync::Arc<reqwest::cookie::Jar>,
}

impl Visitor {
    /// A new browser for the server at `address`: its own cookie jar, no
    /// redirects followed.
    pub fn new(address: &str) -> Visitor {
        let cookies = std::sync::Arc::new(reqwest::cookie::Jar::default());
        Visitor {
            address: address.to_owned(),
            cookies: cookies.clone(),
            client: reqwest::Client::builder()
                .cookie_provider(cookies)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(FIREFOX)
                .timeout(REQUEST_TIMEOUT)
                .build()
                .expect("http client"),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request")
    }

    /// Calls a server function as the browser's WASM does: a form-encoded
    /// POST to `/api/NAME`, from this site's origin.
    pub async fn call(&self, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}/api/{name}", self.address))
            .header("origin", &self.address)
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// Calls a server function that takes JSON (the bulk actions).
    pub async fn call_json(&self, name: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}/api/{name}", self.address))
            .header("origin", &self.address)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn sign_in(&self, login: &str, password: &str) -> reqwest::Response {
        self.call("sign_in", &[("login", login), ("password", password)])
            .await
    }

    /// Calls `change_password` with the current, new and confirming password.
    pub async fn change_password(
        &self,
        current: &str,
        new: &str,
        confirm: &str,
    ) -> reqwest::Response {
        self.call(
            "change_password",
            &[
                ("current_password", current),
                ("new_password", new),
                ("confirm_password", confirm),
            ],
        )
        .await
    }

    /// The username the server says is signed in, if any.
    pub async fn whoami(&self) -> Option<String> {
        let response = self.call("current_user", &[]).await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.expect("JSON");
        body.get("username")
            .and_then(|u| u.as_str())
            .map(str::to_owned)
    }
}

/// A tab's live connection (`GET /live`), read in the background.
pub struct LiveTab {
    pub status: u16,
    events: tokio::sync::mpsc::UnboundedReceiver<(String, serde_json::Value)>,
}

impl Visitor {
    /// Starts "Login as" `username` from this (the administrator's)
    /// browser; returns the same browser in the impersonation's tab, whose
    /// pages and server functions are under `/as/ID`.
    pub async fn login_as(&self, username: &str) -> Visitor {
        let response = self
            .call("start_impersonation", &[("username", username)])
            .await;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert_eq!(status, 200, "login as {username}: {body}");
        let base: String = serde_json::from_str(&body).expect("the impersonation's address");
        assert!(base.starts_with("/as/"), "{base}");
        self.at(&format!("{}{}", self.address, base.trim_end_matches('/')))
    }

    /// The same browser (same cookies) talking to another instance.
    pub fn at(&self, address: &str) -> Visitor {
        Visitor {
            address: address.to_owned(),
            client: self.client.clone(),
            cookies: self.cookies.clone(),
        }
    }

    /// Opens a live connection like a tab of this browser.
    pub async fn open_live(&self) -> LiveTab {
        self.open_live_at(&self.address).await
    }

    /// Opens a live connection to another instance, with this browser's
    /// cookies (cookies do not depend on the port), from its own pages.
    pub async fn open_live_at(&self, address: &str) -> LiveTab {
        self.open_live_with(address, address).await
    }

    /// Opens a live connection from a page of another site.
    pub async fn open_live_from(&self, origin: &str) -> LiveTab {
        self.open_live_with(&self.address, origin).await
    }

    async fn open_live_with(&self, address: &str, origin: &str) -> LiveTab {
        use futures_util::StreamExt;
        use reqwest::cookie::CookieStore;
        use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

        let url: reqwest::Url = address.parse().expect("address");
        let mut request = format!("{}/live", address.replacen("http", "ws", 1))
            .into_client_request()
            .expect("websocket request");
        if let Some(cookies) = self.cookies.cookies(&url) {
            request.headers_mut().insert("cookie", cookies);
        }
        request
            .headers_mut()
            .insert("origin", origin.parse().expect("origin"));
        let (sender, events) = tokio::sync::mpsc::unbounded_channel();
        let connecting =
            tokio::time::timeout(REQUEST_TIMEOUT, tokio_tungstenite::connect_async(request));
        let status = match connecting
            .await
            .unwrap_or_else(|_| panic!("live connection: no answer within {REQUEST_TIMEOUT:?}"))
        {
            Ok((mut socket, response)) => {
                tokio::spawn(async move {
                    while let Some(Ok(frame)) = socket.next().await {
                        let tungstenite::Message::Text(text) = frame else {
                            continue;
                        };
                        let event: app::live::LiveEvent =
                            serde_json::from_str(&text).expect("a live event");
                        let data = serde_json::from_str(&text).expect("JSON");
                        let _ = sender.send((event.name().to_owned(), data));
                    }
                    let _ = sender.send(("closed".to_owned(), serde_json::Value::Null));
                });
                response.status().as_u16()
            }
            Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
            Err(error) => panic!("live connection: {error}"),
        };
        LiveTab { status, events }
    }
}

impl LiveTab {
    /// The next event (name and JSON data) within `seconds`; "closed" when
    /// the server ended the stream.
    pub async fn next(&mut self, seconds: f64) -> Option<(String, serde_json::Value)> {
        tokio::time::timeout(
            std::time::Duration::from_secs_f64(seconds),
            self.events.recv(),
        )
        .await
        .ok()
        .flatten()
    }

    /// The next event called `name` within `seconds` in all, passing over
    /// others (presence updates, earlier messages).
    pub async fn next_named(&mut self, name: &str, seconds: f64) -> Option<serde_json::Value> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs_f64(seconds);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left.as_secs_f64()).await? {
                (got, data) if got == name => return Some(data),
                _ => continue,
            }
        }
    }

    /// Whether the tab hears the message `body` within `seconds`.
    pub async fn hears(&mut self, body: &str, seconds: f64) -> bool {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs_f64(seconds);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_named("message", left.as_secs_f64()).await {
                Some(data) if data["Message"]["body"] == body => return true,
                Some(_) => continue,
                None => return false,
            }
        }
    }

    /// Like [`LiveTab::next`], passing over presence updates: tabs of users
    /// who may view the Users table also hear of others signing in, which
    /// on PostgreSQL arrives whenever the notification does.
    pub async fn next_ignoring_presence(
        &mut self,
        seconds: f64,
    ) -> Option<(String, serde_json::Value)> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs_f64(seconds);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let event = tokio::time::timeout(left, self.events.recv())
                .await
                .ok()
                .flatten()?;
            if event.0 != "presence" && event.0 != "users_changed" {
                return Some(event);
            }
        }
    }
}

/// A redirect's target, for asserting where a page request was sent.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Runs the real `roster` binary in `dir` (so no developer `.env` is picked
/// up) with exactly the given environment on top of PATH.
pub fn roster(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roster"));
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("run roster");
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().expect("roster finishes")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The single value a SQL query returns, e.g. `SELECT password_hash FROM users`.
pub async fn scalar<T: sea_orm::TryGetable>(db: &DatabaseConnection, sql: &str) -> T {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .expect("query")
        .expect("one row");
    row.try_get_by_index::<T>(0)
        .expect("a value of the expected type")
}

/// A single number from a SQL query, e.g. `SELECT COUNT(*) FROM users`.
/// The `value` column of every row `sql` returns.
pub async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .expect("query runs");
    rows.iter()
        .map(|row| {
            row.try_get::<String>("", "value")
                .expect("a text column `value`")
        })
        .collect()
}

pub async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    scalar(db, sql).await
}

/// The message and field of a server function's error answer.
pub fn error_of(body: &serde_json::Value) -> (String, String) {
    let error: app::error::AppError = serde_json::from_value(body.clone()).expect("an AppError");
    (
        error.to_string(),
        error.field().unwrap_or_default().to_owned(),
    )
}

impl TestApp {
    /// An API token of `username` holding `permissions` (keys), or all of
    /// theirs that a token may hold when `None`, made by the real service.
    pub async fn api_token(&self, username: &str, permissions: Option<&[&str]>) -> String {
        use app::api_tokens::api::NewApiToken;
        let user_id: i64 = scalar(
            &self.db,
            &format!("SELECT id FROM users WHERE username = '{username}'"),
        )
        .await;
        let held = app::auth::service::permissions_of(&self.db, user_id)
            .await
            .unwrap();
        let permissions = match permissions {
            Some(keys) => keys.iter().map(|k| k.to_string()).collect(),
            None => held
                .iter()
                .filter(|p| app::api_tokens::grantable(**p))
                .map(|p| p.key().to_owned())
                .collect(),
        };
        app::api_tokens::service::create(
            &self.db,
            &Actor::system("test"),
            user_id,
            &held,
            &NewApiToken {
                name: format!("{username}'s test token"),
                days: 30,
                permissions,
            },
            chrono::Utc::now(),
        )
        .await
        .expect("token made")
        .secret
    }

    /// A request to the REST API with `secret`; the status, the content
    /// type and the body (JSON, or `Null`).
    pub async fn rest(
        &self,
        method: reqwest::Method,
        path: &str,
        secret: &str,
        body: Option<serde_json::Value>,
    ) -> RestAnswer {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(secret);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        RestAnswer {
            status,
            content_type: headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
            headers,
            body: serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// What the REST API answered.
#[derive(Debug)]
pub struct RestAnswer {
    pub status: u16,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
    pub body: serde_json::Value,
}

impl RestAnswer {
    /// Asserts a problem response with `status`; returns its `field`.
    pub fn problem(&self, status: u16) -> Option<String> {
        assert_eq!(self.status, status, "{:?}", self.body);
        assert_eq!(
            self.content_type, "application/problem+json",
            "{:?}",
            self.body
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
        self.body["field"].as_str().map(str::to_owned)
    }
}
