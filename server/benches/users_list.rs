//! Users table benchmark on 100,000 seeded users: server time of the list
//! call for the first page, a deep page, a search, and a sort by Last
//! Activity, and of the total count alone; on SQLite, and on PostgreSQL when
//! it can create a database there. Prints p50/p95 of each.
//!
//!     cargo bench -p server --bench users_list
//!
//! ROSTER_BENCH_USERS changes the number of users; ROSTER_TEST_POSTGRES_URL
//! the PostgreSQL server.

use std::time::{Duration, Instant};

use app::directory::filter::matching;
use app::users::UserListQuery;
use app::users::bulk::api::{BulkAction, Selection};
use app::users::bulk::service as bulk;
use app::users::table::service::{count_matching, list_page};
use chrono::Utc;
use sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, DbBackend, EntityTrait, QuerySelect, Statement,
};

const RUNS: usize = 30;

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
    let name = format!("roster_bench_{}", std::process::id());
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
    // The last page of 50 and the one in the middle (the seed deletes
    // some users, so there are fewer than `users` pages' worth shown).
    let shown = list_page(&db, &UserListQuery::default(), Utc::now())
        .await
        .expect("list")
        .total;
    let deep_page = shown.div_ceil(50).max(1).to_string();
    let middle_page = (shown / 100).max(1).to_string();
    let cases: [(&str, Vec<(&str, String)>); 6] = [
        ("first page", vec![]),
        (
            "middle page (50 a page)",
            vec![("per_page", "50".into()), ("page", middle_page)],
        ),
        (
            "last page (50 a page)",
            vec![("per_page", "50".into()), ("page", deep_page)],
        ),
        ("search 'smith'", vec![("q", "smith".into())]),
        (
            "sort by Last Activity",
            vec![("sort", "last_activity".into())],
        ),
        (
            "filter locked + role",
            vec![("status", "locked".into()), ("role", "Support".into())],
        ),
    ];
    for (what, params) in cases {
        let query = UserListQuery::from_params(|k| {
            params.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
        })
        .expect("valid query");
        let mut list = Vec::new();
        let mut count = Vec::new();
        for _ in 0..RUNS {
            let start = Instant::now();
            let page = list_page(&db, &query, Utc::now()).await.expect("list");
            list.push(start.elapsed());
            std::hint::black_box(page);
            let start = Instant::now();
            let condition = matching(&db, &query, Utc::now()).await.expect("condition");
            let total = count_matching(&db, &query, condition).await.expect("count");
            count.push(start.elapsed());
            std::hint::black_box(total);
        }
        if std::env::var_os("ROSTER_BENCH_EXPLAIN").is_some() {
            explain(&db, &query).await;
        }
        println!(
            "  {what:<24} list p50 {:>7.2} ms  p95 {:>7.2} ms   (of which the count: p50 {:>7.2} ms)",
            pct(&mut list, 0.50),
            pct(&mut list, 0.95),
            pct(&mut count, 0.50),
        );
    }
    // Bulk Lock: 10,000 users picked one by one, then everyone matching.
    let auth = app::auth::settings::AuthState::new(Default::default());
    let outbox = app::email::outbox::Outbox::new("http://127.0.0.1:3000/".parse().expect("a URL"));
    let actor = app::audit::service::Actor {
        user_id: Some(0),
        username: Some("bench".to_owned()),
        ..Default::default()
    };
    let ids: Vec<i64> = app::entities::user::Entity::find()
        .select_only()
        .column(app::entities::user::Column::Id)
        .limit(10_000)
        .into_tuple()
        .all(&db)
        .await
        .expect("ids");
    for (what, selection, runs) in [
        ("Lock 10,000 selected", Selection::Ids(ids.clone()), 7),
        ("Lock all matching", Selection::Matching(String::new()), 3),
    ] {
        let mut took = Vec::new();
        let mut outcome = None;
        for _ in 0..runs {
            let start = Instant::now();
            outcome = Some(
                bulk::run(&db, &auth, &outbox, &actor, &BulkAction::Lock, &selection)
                    .await
                    .expect("lock")
                    .0,
            );
            took.push(start.elapsed());
            // Nobody is listening: what it would announce is dropped.
            let _ = bulk::run(&db, &auth, &outbox, &actor, &BulkAction::Unlock, &selection)
                .await
                .expect("unlock");
        }
        let outcome = outcome.expect("ran");
        println!(
            "  {what:<24} p50 {:>6.0} ms  max {:>6.0} ms of {runs}  ({} locked, {} skipped)",
            pct(&mut took, 0.50),
            pct(&mut took, 1.0),
            outcome.succeeded,
            outcome.skipped.iter().map(|s| s.count).sum::<u64>()
        );
    }
    // Reset Password: one token and one queued email per user, in one
    // transaction (the emails are sent later, off the request path).
    // The links record who sent them: a real account.
    let sender = app::audit::service::Actor {
        user_id: ids.first().copied(),
        ..actor.clone()
    };
    let mut took = Vec::new();
    let mut outcome = None;
    for _ in 0..3 {
        let start = Instant::now();
        outcome = Some(
            bulk::run(
                &db,
                &auth,
                &outbox,
                &sender,
                &BulkAction::ResetPassword,
                &Selection::Ids(ids.clone()),
            )
            .await
            .expect("reset password")
            .0,
        );
        took.push(start.elapsed());
    }
    let outcome = outcome.expect("ran");
    println!(
        "  {:<24} p50 {:>6.0} ms  max {:>6.0} ms of 3  ({} emailed, {} skipped)",
        "Reset Password 10,000",
        pct(&mut took, 0.50),
        pct(&mut took, 1.0),
        outcome.succeeded,
        outcome.skipped.iter().map(|s| s.count).sum::<u64>()
    );
    let _ = close(db).await;
}

/// Prints the plan of the page's id query read from the start, as the first
/// half of the pages are (ROSTER_BENCH_EXPLAIN=1).
async fn explain(db: &DatabaseConnection, query: &UserListQuery) {
    let backend = db.get_database_backend();
    let condition = matching(db, query, Utc::now()).await.expect("condition");
    let offset = u64::from(query.page - 1) * u64::from(query.per_page);
    let statement = app::users::table::service::ordered_ids_statement(
        backend,
        query,
        condition,
        Some((offset, u64::from(query.per_page))),
        false,
        false,
    );
    let prefix = match backend {
        DbBackend::Sqlite => "EXPLAIN QUERY PLAN ",
        _ => "EXPLAIN ANALYZE ",
    };
    let explained = Statement::from_sql_and_values(
        backend,
        format!("{prefix}{}", statement.sql),
        statement.values.map(|v| v.0).unwrap_or_default(),
    );
    println!("    {}", statement.sql);
    for row in db.query_all_raw(explained).await.expect("explain") {
        let line: String = row
            .try_get_by_index::<String>(if backend == DbBackend::Sqlite { 3 } else { 0 })
            .unwrap_or_default();
        println!("      {line}");
    }
}

async fn close(db: DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    db.close().await
}

fn pct(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
    samples[i].as_secs_f64() * 1000.0
}
