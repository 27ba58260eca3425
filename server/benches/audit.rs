//! Audit log benchmark: one million entries over 100,000 seeded users. The
//! Audit page's first page, its oldest page (keyset, no OFFSET), a page of
//! entries about one user, one by an actor, a page two hundred pages deep
//! and the CSV export's batch, as server time. SQLite, and PostgreSQL when
//! it can create a database there. Prints p50/p95 of each.
//!
//!     cargo bench -p server --bench audit
//!
//! ROSTER_BENCH_USERS and ROSTER_BENCH_AUDIT change the sizes;
//! ROSTER_TEST_POSTGRES_URL the PostgreSQL server.

use std::time::{Duration, Instant};

use app::audit::{AuditQuery, Position, log_service};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend};

const RUNS: usize = 30;
/// Seconds between entries: a million span about a year, ending now, so
/// the Statistics page's last 30 days hold about 86,000 entries (a quarter
/// of them sign-ins).
const SPACING: u64 = 30;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn run() {
    let users = env_number("ROSTER_BENCH_USERS", 100_000);
    let entries = env_number("ROSTER_BENCH_AUDIT", 1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    bench("SQLite", &sqlite, users, entries).await;

    let admin_url = std::env::var("ROSTER_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("roster_bench_audit_{}", std::process::id());
    match Database::connect(&admin_url).await {
        Ok(admin)
            if admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .is_ok() =>
        {
            let url = format!(
                "{}/{name}",
                admin_url.rsplit_once('/').expect("URL ends in /DB").0
            );
            bench("PostgreSQL", &url, users, entries).await;
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
        }
        _ => println!("PostgreSQL: skipped (cannot create a database at {admin_url})"),
    }
}

fn pct(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i].as_secs_f64() * 1000.0
}

async fn timed(db: &DatabaseConnection, what: &str, query: AuditQuery) {
    let mut samples = Vec::with_capacity(RUNS);
    let mut rows = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let page = log_service::page(db, &query).await.expect("page");
        samples.push(start.elapsed());
        rows = page.rows.len();
    }
    println!(
        "  {what:<38} p50 {:>7.2} ms  p95 {:>7.2} ms  ({rows} rows)",
        pct(&mut samples, 0.50),
        pct(&mut samples, 0.95)
    );
}

/// `entries` made-up entries, one a second from 2025-01-01, about users
/// spread over the seeded ids, by one of 50 actors, one in 200 while
/// impersonating.
fn fill(backend: DbBackend, users: u64, entries: u64) -> String {
    let (numbers, at) = match backend {
        DbBackend::Postgres => (
            format!("SELECT i FROM generate_series(1::bigint, {entries}) AS n(i)"),
            format!("now() - ({entries} - i) * INTERVAL '{SPACING} seconds'"),
        ),
        // sqlx's text form of a UTC time, as sea-orm writes it.
        _ => (
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {entries}) SELECT i FROM n"
            ),
            format!(
                "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-' || (({entries} - i) * {SPACING}) || ' seconds')"
            ),
        ),
    };
    format!(
        "INSERT INTO audit_entries (occurred_at, actor_id, actor_username, impersonator_id, \
         impersonator_username, action, target_user_id, target_username, field, old_value, \
         new_value, ip, client, details) \
         SELECT {at}, 1 + i % 50, 'actor' || (1 + i % 50), \
         CASE WHEN i % 200 = 0 THEN 1 END, CASE WHEN i % 200 = 0 THEN 'actor1' END, \
         CASE i % 4 WHEN 0 THEN 'user.lock' WHEN 1 THEN 'user.unlock' WHEN 2 THEN 'auth.sign_in' ELSE 'user.update' END, \
         1 + (i * 7919) % {users}, 'user' || (1 + (i * 7919) % {users}), 'email', 'old@example.com', \
         'new@example.com', '203.0.113.9', 'Firefox on Linux', NULL \
         FROM ({numbers}) AS numbers"
    )
}

async fn bench(label: &str, url: &str, users: u64, entries: u64) {
    let db = server::db::connect(url).await.expect("connect");
    server::db::migrate(&db).await.expect("migrate");
    let seeded = server::commands::seed_demo::seed_demo(&db, users as u32, None, |_, _| {})
        .await
        .expect("seed");
    let start = Instant::now();
    db.execute_unprepared(&fill(db.get_database_backend(), users, entries))
        .await
        .expect("fill the log");
    if db.get_database_backend() == DbBackend::Postgres {
        // As autovacuum leaves a table in steady use: statistics for the
        // planner and a visibility map, so counts read only the indexes.
        for table in ["users", "audit_entries"] {
            db.execute_unprepared(&format!("VACUUM ANALYZE {table}"))
                .await
                .expect("vacuum");
        }
    }
    println!(
        "{label}: {} users, {entries} audit entries written in {:.1} s",
        seeded.inserted,
        start.elapsed().as_secs_f64()
    );
    let target = "user4242".to_owned();
    let oldest_first_page = log_service::page(
        &db,
        &AuditQuery {
            position: Position::Oldest,
            ..Default::default()
        },
    )
    .await
    .expect("oldest");
    timed(&db, "first page", AuditQuery::default()).await;
    timed(
        &db,
        "oldest (last) page",
        AuditQuery {
            position: Position::Oldest,
            ..Default::default()
        },
    )
    .await;
    timed(
        &db,
        "newer than the oldest page",
        AuditQuery {
            position: Position::After(oldest_first_page.rows[0].id),
            ..Default::default()
        },
    )
    .await;
    // 200 pages in: "Older" from the entry 10,000 newest.
    let deep: i64 = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM audit_entries ORDER BY occurred_at DESC, id DESC LIMIT 1 OFFSET 10000",
        ))
        .await
        .expect("deep")
        .expect("row")
        .try_get("", "id")
        .expect("id");
    timed(
        &db,
        "older than entry 10,000",
        AuditQuery {
            position: Position::Before(deep),
            ..Default::default()
        },
    )
    .await;
    timed(
        &db,
        "filter by target user",
        AuditQuery {
            target: Some(target.clone()),
            ..Default::default()
        },
    )
    .await;
    timed(
        &db,
        "filter by actor, oldest page",
        AuditQuery {
            actor: Some("actor7".to_owned()),
            position: Position::Oldest,
            ..Default::default()
        },
    )
    .await;
    timed(
        &db,
        "filter by action",
        AuditQuery {
            action: Some(app::audit::AuditAction::Unlock),
            ..Default::default()
        },
    )
    .await;
    timed(
        &db,
        "while impersonating",
        AuditQuery {
            impersonated: true,
            ..Default::default()
        },
    )
    .await;
    let filter = log_service::filter(&db, &AuditQuery::default())
        .await
        .expect("filter");
    let mut samples = Vec::new();
    for _ in 0..10 {
        let start = Instant::now();
        std::hint::black_box(
            log_service::batch(&db, &filter, None, 1000)
                .await
                .expect("batch"),
        );
        samples.push(start.elapsed());
    }
    println!(
        "  {:<38} p50 {:>7.2} ms",
        "CSV export batch of 1,000",
        pct(&mut samples, 0.5)
    );

    // The Statistics page: every figure, 30 days of sign-ins from the log,
    // and both growth series, as the page asks for them.
    let mut samples = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        std::hint::black_box(
            app::statistics::service::statistics(&db, chrono::Utc::now())
                .await
                .expect("statistics"),
        );
        samples.push(start.elapsed());
    }
    println!(
        "  {:<38} p50 {:>7.2} ms  p95 {:>7.2} ms",
        "Statistics page, all queries",
        pct(&mut samples, 0.50),
        pct(&mut samples, 0.95)
    );
    for (what, part) in [("figures", 0), ("sign-ins per day", 1), ("growth", 2)] {
        let mut samples = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let now = chrono::Utc::now();
            let start = Instant::now();
            match part {
                0 => drop(
                    app::statistics::service::figures(&db, now)
                        .await
                        .expect("figures"),
                ),
                1 => drop(
                    app::statistics::service::sign_ins(&db, now)
                        .await
                        .expect("sign-ins"),
                ),
                _ => drop(
                    app::statistics::service::growth(&db, now)
                        .await
                        .expect("growth"),
                ),
            }
            samples.push(start.elapsed());
        }
        println!("    {what:<36} p50 {:>7.2} ms", pct(&mut samples, 0.50));
    }
}
