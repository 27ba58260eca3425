//! Bad configuration gives one clear line naming the variable, exit code 2,
//! and never a panic or a backtrace.

use crate::helpers::{TestDb, roster, stderr};

#[test]
fn bad_configuration_names_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    for (var, value) in [
        ("DATABASE_URL", "mysql://root@localhost/roster"),
        ("DATABASE_URL", "definitely not a url"),
        ("LEPTOS_SITE_ADDR", "localhost"),
        ("ROSTER_PUBLIC_URL", "roster.example.com"),
        ("SMTP_URL", "mail.example.com"),
        ("ROSTER_DEV_PAGES", "yes"),
    ] {
        let output = roster(
            dir.path(),
            &["migrate"],
            &[(var, value), ("RUST_BACKTRACE", "1")],
            None,
        );
        assert_eq!(output.status.code(), Some(2), "{var}={value}");
        let message = stderr(&output);
        assert!(
            message.starts_with(&format!("error: {var}: ")),
            "{var}={value}: {message}"
        );
        assert_eq!(message.trim().lines().count(), 1, "{message}");
        assert!(
            !message.contains("panicked") && !message.contains("backtrace"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_database_is_reported_without_a_panic() {
    let db = TestDb::sqlite();
    let output = roster(
        db.dir.path(),
        &["migrate"],
        &[
            ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/roster"),
            ("RUST_BACKTRACE", "1"),
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("cannot connect to the database (DATABASE_URL)"),
        "{message}"
    );
    assert!(!message.contains("panicked"), "{message}");
}

#[tokio::test]
async fn migrate_creates_the_sqlite_file_and_folder_by_default() {
    let db = TestDb::sqlite();
    let output = roster(db.dir.path(), &["migrate"], &[], None);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        db.dir.path().join("data/roster.db").is_file(),
        "default database under data/"
    );
    let again = roster(db.dir.path(), &["migrate"], &[], None);
    assert!(String::from_utf8_lossy(&again.stdout).contains("up to date"));
}

/// The component gallery is a page for developers: served when
/// `ROSTER_DEV_PAGES=on` (and in debug builds by default), a plain 404
/// when it is off, as in a release build unless asked for.
#[tokio::test]
async fn the_component_gallery_is_served_only_when_dev_pages_are_on() {
    use crate::helpers::{Backend, spawn_app_with};
    for (setting, status) in [("on", 200), ("off", 404)] {
        let app = spawn_app_with(Backend::Sqlite, &[("ROSTER_DEV_PAGES", setting)]).await;
        app.create_user("dev", &["User"], false).await;
        let dev = app.signed_in("dev").await;
        let response = dev.get("/dev/components").await;
        assert_eq!(response.status(), status, "ROSTER_DEV_PAGES={setting}");
        let html = response.text().await.unwrap();
        if status == 200 {
            for name in [
                "MenuButton",
                "ConfirmDialog",
                "TextField",
                "BarChart",
                "Toasts",
            ] {
                assert!(
                    html.contains(&format!(
                        r#"<h2 id="specimen-{}">{name}"#,
                        name.to_lowercase()
                    )),
                    "{name} is shown"
                );
            }
        } else {
            assert!(!html.contains("MenuButton"));
        }
    }
}
