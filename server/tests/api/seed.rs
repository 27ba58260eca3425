//! `roster seed-demo`: counts and variety, and a second run that adds more.

use crate::helpers::{Backend, TestDb, count, roster, stderr, stdout};

async fn seed_twice(backend: Backend, users: u32) {
    let db = TestDb::new(backend).await;
    let env = [("DATABASE_URL", db.url.as_str())];
    let n = users.to_string();
    let first = roster(
        db.dir.path(),
        &["seed-demo", "--users", &n, "--password", "demo-password-1"],
        &env,
        None,
    );
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains(&format!("Seeded {users} of {users} demo users")),
        "{}",
        stdout(&first)
    );

    let conn = db.connect().await;
    let users = i64::from(users);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM users").await, users);
    // Everyone has the plain User role; some have more.
    assert_eq!(
        count(&conn, "SELECT COUNT(DISTINCT ur.user_id) FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE r.name = 'User'").await,
        users
    );
    assert!(
        count(&conn, "SELECT COUNT(DISTINCT role_id) FROM user_roles").await >= 4,
        "several roles"
    );
    assert!(
        count(&conn, "SELECT COUNT(DISTINCT team_id) FROM user_teams").await >= 6,
        "several teams"
    );
    // Every account state is represented.
    for (state, sql) in [
        (
            "inactive",
            "SELECT COUNT(*) FROM users WHERE is_active = FALSE",
        ),
        (
            "locked",
            "SELECT COUNT(*) FROM users WHERE locked_at IS NOT NULL",
        ),
        (
            "suspended",
            "SELECT COUNT(*) FROM users WHERE suspended_at IS NOT NULL",
        ),
        (
            "deleted",
            "SELECT COUNT(*) FROM users WHERE deleted_at IS NOT NULL",
        ),
        (
            "invited",
            "SELECT COUNT(*) FROM users WHERE invited_at IS NOT NULL AND password_hash IS NULL",
        ),
        (
            "must change password",
            "SELECT COUNT(*) FROM users WHERE must_change_password = TRUE",
        ),
        (
            "with a phone",
            "SELECT COUNT(*) FROM users WHERE phone IS NOT NULL",
        ),
        (
            "with an extension",
            "SELECT COUNT(*) FROM users WHERE phone_ext IS NOT NULL",
        ),
        (
            "signed in before",
            "SELECT COUNT(*) FROM users WHERE last_signin_at IS NOT NULL AND last_signin_client IS NOT NULL",
        ),
    ] {
        assert!(count(&conn, sql).await > 0, "no {state} users");
    }
    assert!(
        count(&conn, "SELECT COUNT(*) FROM users WHERE is_active = TRUE").await > users / 2,
        "mostly active"
    );
    assert!(
        count(
            &conn,
            "SELECT COUNT(DISTINCT password_hash) FROM users WHERE password_hash IS NOT NULL"
        )
        .await
            == 1,
        "the demo password is hashed once"
    );

    let second = roster(db.dir.path(), &["seed-demo", "--users", &n], &env, None);
    assert!(second.status.success(), "second run: {}", stderr(&second));
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM users").await, users * 2);
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM teams").await,
        8,
        "demo teams are not duplicated"
    );
}

#[tokio::test]
async fn seed_demo_makes_varied_users_and_runs_twice_on_sqlite() {
    seed_twice(Backend::Sqlite, 2_000).await;
}

#[tokio::test]
async fn seed_demo_makes_varied_users_and_runs_twice_on_postgres() {
    seed_twice(Backend::Postgres, 2_000).await;
}
