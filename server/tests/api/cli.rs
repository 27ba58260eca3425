//! The `roster` binary's user commands, run as a person would run them.

use crate::helpers::{
    Backend, STRONG_PASSWORD as STRONG, TestDb, count, roster, scalar, stderr, stdout,
};

async fn create_admin_twice(backend: Backend) {
    let db = TestDb::new(backend).await;
    let env = [
        ("DATABASE_URL", db.url.as_str()),
        ("ROSTER_PASSWORD", STRONG),
    ];
    let first = roster(
        db.dir.path(),
        &[
            "create-admin",
            "--username",
            "Admin",
            "--email",
            "admin@example.com",
        ],
        &env,
        None,
    );
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("Created administrator 'admin'"),
        "{}",
        stdout(&first)
    );

    let second = roster(
        db.dir.path(),
        &[
            "create-admin",
            "--username",
            "admin",
            "--email",
            "other@example.com",
        ],
        &env,
        None,
    );
    assert_eq!(second.status.code(), Some(1));
    let message = stderr(&second);
    assert!(
        message.contains("Username 'admin' is already taken."),
        "{message}"
    );
    assert_eq!(
        message.trim().lines().count(),
        1,
        "one clear line: {message}"
    );

    let conn = db.connect().await;
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM users").await,
        1,
        "nothing changed"
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'user.create'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id \
             JOIN users u ON u.id = ur.user_id WHERE r.name = 'Administrator' AND u.username = 'admin'"
        )
        .await,
        1
    );
    let hash: String = scalar(&conn, "SELECT password_hash FROM users").await;
    assert!(hash.starts_with("$argon2id$"), "stored as an Argon2id hash");
    assert!(!hash.contains(STRONG));
}

#[tokio::test]
async fn second_create_admin_with_the_same_username_fails_cleanly_on_sqlite() {
    create_admin_twice(Backend::Sqlite).await;
}

#[tokio::test]
async fn second_create_admin_with_the_same_username_fails_cleanly_on_postgres() {
    create_admin_twice(Backend::Postgres).await;
}

#[tokio::test]
async fn duplicate_email_is_refused_whatever_its_case() {
    let db = TestDb::sqlite();
    let env = [
        ("DATABASE_URL", db.url.as_str()),
        ("ROSTER_PASSWORD", STRONG),
    ];
    let ok = roster(
        db.dir.path(),
        &[
            "create-user",
            "--username",
            "ann",
            "--email",
            "ann@example.com",
        ],
        &env,
        None,
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    let dup = roster(
        db.dir.path(),
        &[
            "create-user",
            "--username",
            "ann2",
            "--email",
            "ANN@Example.com",
        ],
        &env,
        None,
    );
    assert_eq!(dup.status.code(), Some(1));
    assert!(
        stderr(&dup).contains("already used by another account"),
        "{}",
        stderr(&dup)
    );
}

#[tokio::test]
async fn create_user_refuses_bad_input_with_a_clear_error_and_writes_nothing() {
    let db = TestDb::sqlite();
    let url = db.url.as_str();
    const CAROL: &[&str] = &[
        "create-user",
        "--username",
        "carol",
        "--email",
        "carol@example.com",
    ];
    let cases: [(&[&str], &str, &str); 7] = [
        (CAROL, "password123", "Password is too weak"),
        (CAROL, "", "Password is required."),
        (CAROL, "short", "at least 10 characters"),
        (
            &[
                "create-user",
                "--username",
                "carol",
                "--email",
                "carol-at-example.com",
            ],
            STRONG,
            "'carol-at-example.com' is not a valid email address.",
        ),
        (
            &[
                "create-user",
                "--username",
                "carol",
                "--email",
                "carol@example.com",
                "--role",
                "Wizard",
            ],
            STRONG,
            "Unknown role 'Wizard'. Known roles: ",
        ),
        (
            &[
                "create-user",
                "--username",
                "c",
                "--email",
                "carol@example.com",
            ],
            STRONG,
            "Username must be at least 3 characters.",
        ),
        (
            &[
                "create-user",
                "--username",
                "carol",
                "--email",
                "carol@example.com",
                "--phone",
                "555-1234",
            ],
            STRONG,
            "Phone number may contain digits only.",
        ),
    ];
    for (args, password, expected) in cases {
        let env = [("DATABASE_URL", url), ("ROSTER_PASSWORD", password)];
        let output = roster(db.dir.path(), args, &env, None);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            stderr(&output)
        );
        let message = stderr(&output);
        assert!(
            message.contains(expected),
            "{args:?}: expected {expected:?} in {message:?}"
        );
        assert!(!message.contains("panicked"), "{message}");
    }
    // An empty pipe on standard input is an empty password too.
    let output = roster(db.dir.path(), CAROL, &[("DATABASE_URL", url)], Some(""));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("Password is required."),
        "{}",
        stderr(&output)
    );

    let conn = db.connect().await;
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM audit_entries").await, 0);
}

#[tokio::test]
async fn create_user_reads_the_password_from_standard_input_and_takes_roles() {
    let db = TestDb::sqlite();
    let output = roster(
        db.dir.path(),
        &[
            "create-user",
            "--username",
            "dave",
            "--email",
            "dave@example.com",
            "--name",
            "Dave Grohl",
            "--role",
            "support",
            "--role",
            "Viewer",
            "--phone",
            "5551234567",
            "--phone-ext",
            "12",
            "--temporary",
        ],
        &[("DATABASE_URL", db.url.as_str())],
        Some(&format!("{STRONG}\n")),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let conn = db.connect().await;
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM users WHERE username = 'dave' AND name = 'Dave Grohl' AND phone = '5551234567' \
             AND phone_ext = '12' AND must_change_password = TRUE"
        )
        .await,
        1
    );
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM user_roles").await,
        2,
        "Support and Viewer"
    );
}
