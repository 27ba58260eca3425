//! Bulk actions over HTTP, on SQLite and PostgreSQL: what changes, what is
//! skipped and why, the audit entries, sessions ending, "all matching"
//! evaluated on the server, permissions, and all-or-nothing.

use serde_json::{Value, json};

use crate::helpers::{Backend, STRONG_PASSWORD, TestApp, Visitor, count, spawn_app};

async fn id_of(app: &TestApp, username: &str) -> i64 {
    crate::helpers::scalar(
        &app.db,
        &format!("SELECT id FROM users WHERE username = '{username}'"),
    )
    .await
}

async fn bulk(admin: &Visitor, action: Value, selection: Value) -> (u16, Value) {
    let response = admin
        .call_json(
            "bulk_action",
            &json!({ "action": action, "selection": selection }),
        )
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn message(outcome: &Value, action: &app::users::bulk::api::BulkAction) -> String {
    let outcome: app::users::bulk::api::BulkOutcome =
        serde_json::from_value(outcome.clone()).expect("an outcome");
    outcome.message(action)
}

async fn lock_skips_the_caller_and_the_already_locked(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("boss", &["Support"], false).await;
    for name in ["amy", "ben", "cat"] {
        app.create_user(name, &["User"], false).await;
    }
    app.execute("UPDATE users SET locked_at = '2026-01-01T00:00:00+00:00' WHERE username = 'ben'")
        .await;
    let amy_browser = app.signed_in("amy").await;
    let boss = app.signed_in("boss").await;
    let ids = vec![
        id_of(&app, "amy").await,
        id_of(&app, "ben").await,
        id_of(&app, "boss").await,
    ];

    let (status, outcome) = bulk(&boss, json!("Lock"), json!({ "Ids": ids })).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(
        message(&outcome, &app::users::bulk::api::BulkAction::Lock),
        "Locked 1 user; 2 skipped: boss (that is you); ben (already locked)."
    );
    // Amy is locked, her open session has ended, and she cannot sign in.
    assert_eq!(amy_browser.whoami().await, None);
    assert_eq!(
        app.visitor().sign_in("amy", STRONG_PASSWORD).await.status(),
        401
    );
    // Cat was not selected; the caller is untouched and still signed in.
    assert_eq!(
        app.visitor().sign_in("cat", STRONG_PASSWORD).await.status(),
        200
    );
    assert_eq!(boss.whoami().await.as_deref(), Some("boss"));
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'user.lock' AND target_username = 'amy' \
             AND actor_username = 'boss'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'user.lock'"
        )
        .await,
        1,
        "one entry per user changed"
    );

    // Unlock clears the lock and the failure count.
    app.execute("UPDATE users SET failed_signin_count = 3 WHERE username = 'cat'")
        .await;
    let cat = id_of(&app, "cat").await;
    let (status, outcome) = bulk(
        &boss,
        json!("Unlock"),
        json!({ "Ids": [ids[0], ids[1], cat] }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(outcome["succeeded"], 3);
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM users WHERE locked_at IS NULL AND failed_signin_count = 0"
        )
        .await,
        4
    );
}

async fn all_matching_is_evaluated_on_the_server(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("chief", &["Administrator"], false).await;
    for i in 0..30 {
        app.execute(&crate::helpers::insert_bare_user_sql(
            &format!("temp{i:02}"),
            &format!("temp{i:02}@example.com"),
        ))
        .await;
    }
    app.execute(&crate::helpers::insert_bare_user_sql(
        "keeper",
        "keeper@example.com",
    ))
    .await;
    let chief = app.signed_in("chief").await;

    // Everyone matching "temp" (30 users over two pages of the table).
    let (status, outcome) = bulk(
        &chief,
        json!("ToggleActive"),
        json!({ "Matching": "q=temp&per_page=10" }),
    )
    .await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["succeeded"], 30);
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM users WHERE is_active = FALSE"
        )
        .await,
        30
    );
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM audit_entries WHERE action = 'user.set_active' AND new_value = 'inactive'").await,
        30
    );
    // Toggling again flips each back.
    let (_, outcome) = bulk(
        &chief,
        json!("ToggleActive"),
        json!({ "Matching": "q=temp" }),
    )
    .await;
    assert_eq!(outcome["succeeded"], 30);
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM users WHERE is_active = FALSE"
        )
        .await,
        0
    );

    // A bad view is refused with its field.
    let (status, error) = bulk(&chief, json!("Lock"), json!({ "Matching": "sort=nope" })).await;
    assert_eq!(status, 422, "{error}");
}

async fn set_password_and_force_sign_out_all(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("dan", &["User"], false).await;
    app.create_user("eli", &["User"], false).await;
    let root = app.signed_in("root").await;
    let root_phone = app.signed_in("root").await;
    let dan = app.signed_in("dan").await;
    let eli = app.signed_in("eli").await;
    let ids = json!({ "Ids": [id_of(&app, "dan").await] });

    let (status, error) = bulk(
        &root,
        json!({ "SetPassword": { "password": "password1234", "must_change_password": true } }),
        ids.clone(),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(error["Validation"]["field"], "password");

    let (status, outcome) = bulk(
        &root,
        json!({ "SetPassword": { "password": "Copper-Kettle-Morning-88", "must_change_password": true } }),
        ids,
    )
    .await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["succeeded"], 1);
    assert_eq!(dan.whoami().await, None, "their sessions end");
    let response = app
        .visitor()
        .sign_in("dan", "Copper-Kettle-Morning-88")
        .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["redirect_to"], "/account/password", "must change it");

    // Everyone but the caller (on all their devices) is signed out.
    let (status, outcome) = bulk(&root, json!("ForceSignOut"), json!("Everyone")).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(eli.whoami().await, None);
    assert_eq!(root.whoami().await.as_deref(), Some("root"));
    assert_eq!(root_phone.whoami().await.as_deref(), Some("root"));
    // Only Force Sign Out applies to everyone.
    let (status, _) = bulk(&root, json!("Lock"), json!("Everyone")).await;
    assert_eq!(status, 422);
}

async fn permissions_are_checked_per_action(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("helper", &["Support"], false).await;
    app.create_user("watcher", &["Viewer"], false).await;
    app.create_user("target", &["User"], false).await;
    let ids = json!({ "Ids": [id_of(&app, "target").await] });
    let helper = app.signed_in("helper").await;
    let watcher = app.signed_in("watcher").await;
    assert_eq!(bulk(&watcher, json!("Lock"), ids.clone()).await.0, 403);
    // Support may lock, but not switch accounts off (that is editing users).
    assert_eq!(
        bulk(&helper, json!("ToggleActive"), ids.clone()).await.0,
        403
    );
    assert_eq!(bulk(&helper, json!("Lock"), ids).await.0, 200);
}

async fn a_failing_step_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("admin", &["Administrator"], false).await;
    app.create_user("vic", &["User"], false).await;
    let admin = app.signed_in("admin").await;
    let vic = app.signed_in("vic").await;
    let ids = json!({ "Ids": [id_of(&app, "vic").await] });
    // The audit entries cannot be written: the lock must not happen either.
    app.execute("ALTER TABLE audit_entries RENAME TO audit_entries_away")
        .await;
    let (status, error) = bulk(&admin, json!("Lock"), ids).await;
    app.execute("ALTER TABLE audit_entries_away RENAME TO audit_entries")
        .await;
    assert_eq!(status, 500);
    assert!(
        !error.to_string().contains("audit_entries"),
        "no database text: {error}"
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM users WHERE locked_at IS NOT NULL"
        )
        .await,
        0
    );
    assert_eq!(
        vic.whoami().await.as_deref(),
        Some("vic"),
        "sessions untouched"
    );
}

both_backends!(lock_skips_the_caller_and_the_already_locked);
both_backends!(all_matching_is_evaluated_on_the_server);
both_backends!(set_password_and_force_sign_out_all);
both_backends!(permissions_are_checked_per_action);
both_backends!(a_failing_step_changes_nothing);
