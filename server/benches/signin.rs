//! Sign-in storm benchmark: 50 sign-ins at once, again and again, while
//! another route (the sign-in page, rendered on the server) is timed. Prints
//! p50/p99 of both, and the page's latency without the storm for comparison.
//!
//!     cargo bench -p server --bench signin
//!
//! Runs on a fresh SQLite file; set ROSTER_BENCH_DATABASE_URL to a fresh
//! PostgreSQL database to measure that instead.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use app::audit::service::Actor;
use app::auth::password::PasswordHashing;
use app::domain::{EmailAddress, NewPassword, PersonName, Username};
use app::users::create::service::{NewProfile, NewUser, create_account};
use server::config::Config;
use server::startup::Application;

const PASSWORD: &str = "Violet-Harbour-Lantern-42";
const CONCURRENT: usize = 50;
const ROUNDS: usize = 4;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = std::env::var("ROSTER_BENCH_DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        )
    });
    let vars: HashMap<&str, String> = HashMap::from([
        ("DATABASE_URL", database_url),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
        ("LEPTOS_SITE_ROOT", dir.path().display().to_string()),
        ("ROSTER_SIGNIN_RATE_LIMIT", "1000000".to_owned()),
        // The timing comparison below signs in wrongly many times.
        ("ROSTER_LOCKOUT_THRESHOLD", "0".to_owned()),
    ]);
    let config = Config::from_lookup(|k| vars.get(k).cloned()).expect("configuration");
    let hashes = config.auth.max_concurrent_hashes;
    let app = Application::build(config)
        .await
        .expect("application starts");
    let base = format!("http://{}", app.local_addr());
    let db = server::db::connect(&vars["DATABASE_URL"])
        .await
        .expect("connect");
    tokio::spawn(app.run_until_stopped());

    for username in ["bench", "suspended"] {
        create_account(
            &db,
            &PasswordHashing::new(1),
            &Actor::system("bench"),
            NewUser {
                profile: NewProfile {
                    username: Username::parse(username).unwrap(),
                    email: EmailAddress::parse(&format!("{username}@example.com")).unwrap(),
                    name: PersonName::parse("Bench Mark").unwrap(),
                    phone: None,
                    phone_ext: None,
                    roles: vec!["User".to_owned()],
                    teams: Vec::new(),
                },
                password: NewPassword::parse(PASSWORD).unwrap(),
                must_change_password: false,
            },
        )
        .await
        .expect("bench user");
    }
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(
        "UPDATE users SET suspended_at = created_at WHERE username = 'suspended'",
    )
    .await
    .expect("suspend");

    let client = reqwest::Client::new();

    // Refusals must not tell, by their timing, whether an account exists or
    // why it may not sign in.
    println!("refused sign-ins, one at a time (timing must not tell them apart):");
    for (what, login, password) in [
        ("  unknown account", "nobody", PASSWORD),
        ("  wrong password", "bench", "Wrong-Password-Entirely-1"),
        ("  suspended, right password", "suspended", PASSWORD),
    ] {
        let mut samples = Vec::new();
        for _ in 0..40 {
            let start = Instant::now();
            let response = client
                .post(format!("{base}/api/sign_in"))
                .form(&[("login", login), ("password", password)])
                .send()
                .await
                .expect("sign-in request");
            assert_eq!(response.status(), 401);
            samples.push(start.elapsed());
        }
        report(what, &mut samples);
    }

    // Warm up connections and the page renderer.
    for _ in 0..20 {
        get_page(&client, &base).await;
    }
    let mut quiet = Vec::new();
    for _ in 0..200 {
        quiet.push(get_page(&client, &base).await);
    }

    let storming = Arc::new(AtomicBool::new(true));
    let probe = tokio::spawn({
        let (client, base, storming) = (client.clone(), base.clone(), storming.clone());
        async move {
            let mut samples = Vec::new();
            while storming.load(Ordering::Relaxed) {
                samples.push(get_page(&client, &base).await);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            samples
        }
    });
    let started = Instant::now();
    let mut sign_ins = Vec::new();
    for _ in 0..ROUNDS {
        let tasks: Vec<_> = (0..CONCURRENT)
            .map(|_| {
                let (client, base) = (client.clone(), base.clone());
                tokio::spawn(async move {
                    let start = Instant::now();
                    let response = client
                        .post(format!("{base}/api/sign_in"))
                        .form(&[("login", "bench"), ("password", PASSWORD)])
                        .send()
                        .await
                        .expect("sign-in request");
                    assert_eq!(response.status(), 200, "sign-in succeeds");
                    start.elapsed()
                })
            })
            .collect();
        for task in tasks {
            sign_ins.push(task.await.expect("sign-in task"));
        }
    }
    let storm = started.elapsed();
    storming.store(false, Ordering::Relaxed);
    let loaded = probe.await.expect("probe");

    println!(
        "sign-in storm: {} sign-ins ({CONCURRENT} at once × {ROUNDS}) in {:.2} s; {hashes} hashes at a time; {} cores",
        sign_ins.len(),
        storm.as_secs_f64(),
        std::thread::available_parallelism().map_or(0, usize::from),
    );
    report("sign-in (POST /api/sign_in)", &mut sign_ins);
    report("GET /login, no storm", &mut quiet);
    report("GET /login, during the storm", &mut loaded.clone());
}

async fn get_page(client: &reqwest::Client, base: &str) -> Duration {
    let start = Instant::now();
    let response = client
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("page request");
    assert_eq!(response.status(), 200);
    response.bytes().await.expect("page body");
    start.elapsed()
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples[i].as_secs_f64() * 1000.0
    };
    println!(
        "{what:<32} n={:<5} p50 {:>8.1} ms   p99 {:>8.1} ms   max {:>8.1} ms",
        samples.len(),
        at(0.50),
        at(0.99),
        at(1.0)
    );
}
