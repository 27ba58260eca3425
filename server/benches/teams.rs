//! Teams and roles benchmark on 100,000 seeded users, one team of 50,000:
//! server time of the team page's first and last page of members, a
//! member search, the roles table with every role's member count, and
//! "Add to Team" then "Remove from Team" on all 100,000 matching, three
//! times each. SQLite, and PostgreSQL when it can create a database there.
//! Prints p50/p95 of each page, and the time of each change.
//!
//!     cargo bench -p server --bench teams
//!
//! ROSTER_BENCH_USERS changes the number of users; ROSTER_TEST_POSTGRES_URL
//! the PostgreSQL server.

use std::time::{Duration, Instant};

use app::audit::service::Actor;
use app::directory::Selection;
use app::teams::service::{self as teams, Membership};
use sea_orm::{ConnectionTrait, Database};

const RUNS: usize = 30;
/// Times "Add to Team" and "Remove from Team" on everyone are each run.
const ROUNDS: usize = 3;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let users: u32 = std::env::var("ROSTER_BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    bench("SQLite", &sqlite, users).await;

    let admin_url = std::env::var("ROSTER_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("roster_bench_teams_{}", std::process::id());
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
            bench("PostgreSQL", &url, users).await;
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

async fn timed<T, F: std::future::Future<Output = T>>(what: &str, mut call: impl FnMut() -> F) {
    let mut samples = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        std::hint::black_box(call().await);
        samples.push(start.elapsed());
    }
    println!(
        "  {what:<34} p50 {:>7.2} ms  p95 {:>7.2} ms",
        pct(&mut samples, 0.50),
        pct(&mut samples, 0.95)
    );
}

async fn bench(label: &str, url: &str, users: u32) {
    let db = server::db::connect(url).await.expect("connect");
    server::db::migrate(&db).await.expect("migrate");
    let seeded = server::commands::seed_demo::seed_demo(&db, users, None, |_, _| {})
        .await
        .expect("seed");
    println!(
        "{label}: {} users seeded in {:.1} s",
        seeded.inserted,
        seeded.elapsed.as_secs_f64()
    );
    let actor = Actor {
        user_id: Some(0),
        username: Some("bench".to_owned()),
        ..Default::default()
    };
    teams::create_team(&db, &actor, "Half", "Every other user.")
        .await
        .expect("team");
    db.execute_unprepared(
        "INSERT INTO user_teams (user_id, team_id) SELECT id, (SELECT id FROM teams WHERE name = 'Half') \
         FROM users WHERE id % 2 = 0",
    )
    .await
    .expect("half the users join");
    // As seed-demo does after its inserts, and PostgreSQL's autovacuum
    // would after these: statistics, and the visibility map that makes
    // the member count an index-only read.
    let settle = if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        "VACUUM ANALYZE"
    } else {
        "ANALYZE"
    };
    db.execute_unprepared(settle).await.expect("analyze");
    let first = teams::team_details(&db, "Half", "", 1).await.expect("page");
    println!(
        "  team Half: {} members shown, {} pages",
        first.members_total, first.pages
    );
    let last = first.pages;
    timed("team page, first members page", || {
        teams::team_details(&db, "Half", "", 1)
    })
    .await;
    timed("team page, last members page", || {
        teams::team_details(&db, "Half", "", last)
    })
    .await;
    timed("team page, search 'smith'", || {
        teams::team_details(&db, "Half", "smith", 1)
    })
    .await;
    timed("roles table with member counts", || {
        app::roles::service::list_roles(&db)
    })
    .await;

    teams::create_team(&db, &actor, "Everyone", "")
        .await
        .expect("team");
    // Three rounds: one run on a busy machine says little, and each round
    // finds a longer audit log (200,000 more entries), as real use does.
    for change in [Membership::Add, Membership::Remove].repeat(ROUNDS) {
        let start = Instant::now();
        let outcome = teams::change_members(
            &db,
            &actor,
            "Everyone",
            change,
            &Selection::Matching(String::new()),
        )
        .await
        .expect("change");
        println!(
            "  {:<34} {:>7.0} ms  ({} users changed)",
            format!("{change:?} all matching (default view)"),
            start.elapsed().as_secs_f64() * 1000.0,
            outcome.succeeded
        );
    }
}
