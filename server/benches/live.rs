//! Live connections benchmark: 5,000 open `/live` WebSockets on one instance
//! (the real `roster` binary in its own process). Prints the server's
//! memory per connection (resident set growth / connections) and p50/p99 of
//! the time from "Send Message to All Logged In Users" to receipt on every
//! connection.
//!
//!     cargo bench -p server --bench live
//!
//! ROSTER_BENCH_CONNECTIONS changes the number of connections;
//! ROSTER_BENCH_WRAP runs the server under a tool such as valgrind. Each is a
//! socket in this process and one in the server's: the open-file limit
//! (`ulimit -n`) must be above the number of connections.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use app::auth::token::hash_token;
use chrono::Utc;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use tokio::sync::mpsc;

const PASSWORD: &str = "Violet-Harbour-Lantern-42";
/// How many tabs connect at the same time.
const WAVE: usize = 100;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

/// One tab: opens `/live` with session `i`, reports when it is connected and
/// how long after `sent_at` the message arrived, then stays open until the
/// benchmark ends.
async fn tab(
    base: String,
    i: usize,
    sent_at: Arc<OnceLock<Instant>>,
    connected: mpsc::UnboundedSender<()>,
    received: mpsc::UnboundedSender<Duration>,
) {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

    let mut request = format!("{}/live", base.replacen("http", "ws", 1))
        .into_client_request()
        .expect("request");
    let headers = request.headers_mut();
    headers.insert(
        "cookie",
        format!("roster_session=bench-token-{i}")
            .parse()
            .expect("cookie"),
    );
    headers.insert("origin", base.parse().expect("origin"));
    let mut socket = match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => socket,
        Err(error) => panic!("connection {i}: {error}"),
    };
    let _ = connected.send(());
    while let Some(Ok(frame)) = socket.next().await {
        if let Message::Text(text) = frame
            && text.starts_with("{\"Message\"")
        {
            let elapsed = sent_at.get().map(|t| t.elapsed()).unwrap_or_default();
            let _ = received.send(elapsed);
        }
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

async fn run() {
    let connections: usize = std::env::var("ROSTER_BENCH_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let binary = env!("CARGO_BIN_EXE_roster");
    let env = [
        ("DATABASE_URL", database_url.as_str()),
        ("ROSTER_PASSWORD", PASSWORD),
        ("RUST_LOG", "warn"),
    ];
    let run = |args: &[&str]| {
        let status = std::process::Command::new(binary)
            .args(args)
            .envs(env)
            .current_dir(dir.path())
            .status()
            .expect("roster runs");
        assert!(status.success(), "roster {args:?}");
    };
    run(&["migrate"]);
    run(&[
        "create-admin",
        "--username",
        "admin",
        "--email",
        "admin@example.com",
        "--name",
        "Ada Admin",
    ]);

    // Signed-in users, one session (one tab) each, written directly: 5,000
    // password hashes would only measure Argon2.
    let db = server::db::connect(&database_url).await.expect("connect");
    let now = Utc::now().to_rfc3339();
    let later = (Utc::now() + chrono::TimeDelta::hours(11)).to_rfc3339();
    for chunk in (0..connections).collect::<Vec<_>>().chunks(500) {
        let users: Vec<String> = chunk
            .iter()
            .map(|i| {
                format!(
                    "('tab{i}', 'tab{i}@example.com', 'Tab User', FALSE, TRUE, 0, '{now}', '{now}', 1, '$argon2id$none', '{now}')"
                )
            })
            .collect();
        db.execute_unprepared(&format!(
            "INSERT INTO users (username, email, name, must_change_password, is_active, \
             failed_signin_count, created_at, updated_at, version, password_hash, signed_in_since) \
             VALUES {}",
            users.join(", ")
        ))
        .await
        .expect("users");
        let sessions: Vec<String> = chunk
            .iter()
            .map(|i| {
                format!(
                    "((SELECT id FROM users WHERE username = 'tab{i}'), '{}', '{now}', '{now}', '{later}')",
                    hash_token(&format!("bench-token-{i}"))
                )
            })
            .collect();
        db.execute_raw(Statement::from_string(
            DbBackend::Sqlite,
            format!(
                "INSERT INTO sessions (user_id, token_hash, created_at, last_seen_at, expires_at) VALUES {}",
                sessions.join(", ")
            ),
        ))
        .await
        .expect("sessions");
    }
    db.close().await.expect("close");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site).expect("site dir");
    // ROSTER_BENCH_WRAP runs the server under a tool, for finding where its
    // memory goes, e.g. "valgrind --tool=massif --massif-out-file=/tmp/massif".
    let wrap: Vec<String> = std::env::var("ROSTER_BENCH_WRAP")
        .map(|w| w.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    let mut command = match wrap.split_first() {
        Some((tool, args)) => {
            let mut command = tokio::process::Command::new(tool);
            command.args(args).arg(binary);
            command
        }
        None => tokio::process::Command::new(binary),
    };
    let mut server = command
        .arg("serve")
        .envs(env)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_SITE_ROOT", &site)
        .current_dir(dir.path())
        .kill_on_drop(true)
        .spawn()
        .expect("roster serve");
    let pid = server.id().expect("pid");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = rss_kib(pid);

    // Open every connection; each reports when it is registered and when
    // the message arrives.
    let sent_at: Arc<OnceLock<Instant>> = Arc::new(OnceLock::new());
    let (connected_tx, mut connected_rx) = mpsc::unbounded_channel::<()>();
    let (received_tx, mut received_rx) = mpsc::unbounded_channel::<Duration>();
    let started = Instant::now();
    let mut rss = vec![before];
    let half = connections / 2;
    // Tabs connect in waves of WAVE, as people arrive, not all in the same
    // millisecond: a storm of 2,500 simultaneous handshakes measures the
    // allocator's high-water mark (memory freed but kept by malloc), not
    // what an open connection holds.
    for range in [0..half, half..connections] {
        let ids: Vec<usize> = range.collect();
        for wave in ids.chunks(WAVE) {
            for &i in wave {
                let (base, sent_at) = (base.clone(), sent_at.clone());
                let (connected_tx, received_tx) = (connected_tx.clone(), received_tx.clone());
                tokio::spawn(tab(base, i, sent_at, connected_tx, received_tx));
            }
            for _ in wave {
                connected_rx.recv().await.expect("connected");
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        rss.push(rss_kib(pid));
    }
    let opened = started.elapsed();
    let after = rss[2];

    // The administrator sends to everyone signed in.
    let admin = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let response = admin
        .post(format!("{base}/api/sign_in"))
        .header("origin", &base)
        .form(&[("login", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), 200, "admin signs in");
    sent_at.set(Instant::now()).expect("once");
    let response = admin
        .post(format!("{base}/api/send_message"))
        .header("origin", &base)
        .json(&serde_json::json!({ "recipients": "SignedIn", "body": "Benchmark" }))
        .send()
        .await
        .expect("send");
    let answered = sent_at.get().expect("set").elapsed();
    let outcome = response.text().await.unwrap_or_default();
    let mut latencies = Vec::with_capacity(connections);
    for _ in 0..connections {
        match tokio::time::timeout(Duration::from_secs(30), received_rx.recv()).await {
            Ok(Some(latency)) => latencies.push(latency),
            _ => break,
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after_message = rss_kib(pid);
    latencies.sort();
    let pct = |q: f64| {
        let i = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies[i].as_secs_f64() * 1000.0
    };
    println!("{connections} live connections on one instance (SQLite)");
    println!(
        "  opened in {:.1} s, {WAVE} at a time",
        opened.as_secs_f64()
    );
    println!(
        "  server memory: {:.1} MiB before, {:.1} MiB after: {:.1} KiB per connection",
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        (after.saturating_sub(before)) as f64 / connections as f64
    );
    // The second half shows what one more connection costs once the
    // server's pools, caches and allocator arenas have grown.
    println!(
        "  second {} connections alone: {:.1} KiB each",
        connections - half,
        rss[2].saturating_sub(rss[1]) as f64 / (connections - half) as f64
    );
    // Includes what sending grew outside the connections: the message's
    // 5,000 recipient and audit rows pass through SQLite's page cache.
    println!(
        "  after the message reached them: {:.1} KiB per connection",
        (after_message.saturating_sub(before)) as f64 / connections as f64
    );
    println!(
        "  send to all: answered in {:.0} ms ({outcome})",
        answered.as_secs_f64() * 1000.0
    );
    println!(
        "  received on {} of {connections}: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        latencies.len(),
        pct(0.50),
        pct(0.99),
        pct(1.0)
    );
    // A graceful stop, so a wrapping tool writes its report.
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    if tokio::time::timeout(Duration::from_secs(60), server.wait())
        .await
        .is_err()
    {
        let _ = server.kill().await;
    }
}
