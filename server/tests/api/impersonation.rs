//! "Login as" over HTTP against the real router, on SQLite and PostgreSQL:
//! every refusal (by the server, and on the user page's offer), start, act
//! and stop with both names in the audit log, two tabs of one browser each
//! keeping its user, the administrator's session ending the impersonation
//! at once (live too), the user's presence untouched, and what an
//! impersonator may not do as the user.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, Visitor, count, scalar, spawn_app, spawn_app_with};

async fn id_of(app: &TestApp, username: &str) -> i64 {
    scalar(
        &app.db,
        &format!("SELECT id FROM users WHERE username = '{username}'"),
    )
    .await
}

/// The refusal a call got: its status and the message the browser shows.
async fn refusal(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    let shown = serde_json::from_str::<app::error::AppError>(&body)
        .map(|e| e.to_string())
        .unwrap_or(body);
    (status, shown)
}

/// What the user page offers the caller for `username`.
async fn offer(visitor: &Visitor, username: &str) -> Value {
    let response = visitor
        .call("login_as_offer", &[("username", username)])
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The presence columns of `username`, as the Users table shows them.
async fn presence(app: &TestApp, username: &str) -> Vec<Option<String>> {
    use sea_orm::{ConnectionTrait, Statement};
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            format!(
                "SELECT CAST(signed_in_since AS TEXT), CAST(last_signin_at AS TEXT), \
                 last_signin_ip, last_signin_client, CAST(last_activity_at AS TEXT) \
                 FROM users WHERE username = '{username}'"
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    (0..5)
        .map(|i| row.try_get_by_index::<Option<String>>(i).unwrap())
        .collect()
}

/// The minute's sweep: ends what is over, returns the sessions it ended.
async fn sweep(app: &TestApp) -> Vec<i64> {
    app::impersonation::service::end_finished(
        &app.db,
        &app::auth::settings::AuthSettings::default(),
        chrono::Utc::now(),
    )
    .await
    .unwrap()
}

async fn audit_count(app: &TestApp, condition: &str) -> i64 {
    count(
        &app.db,
        &format!("SELECT COUNT(*) FROM audit_entries WHERE {condition}"),
    )
    .await
}

async fn each_refusal_is_explained_and_nothing_is_written(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("boss", &["User Manager"], false).await;
    app.create_user("helper", &["Support"], false).await;
    for name in ["locky", "susie", "idle", "gone", "bob", "pat"] {
        app.create_user(name, &["User"], false).await;
    }
    // An administrator with Impersonate but without Manage roles.
    app.execute(
        "INSERT INTO roles (name, description, is_builtin, created_at, updated_at, version) \
         VALUES ('Impersonators', '', false, '2026-01-01T00:00:00+00:00', \
         '2026-01-01T00:00:00+00:00', 1)",
    )
    .await;
    let role: i64 = scalar(&app.db, "SELECT id FROM roles WHERE name = 'Impersonators'").await;
    app.execute(&format!(
        "INSERT INTO role_permissions (role_id, permission) VALUES \
         ({role}, 'users.view'), ({role}, 'users.impersonate')"
    ))
    .await;
    app.create_user("imp", &["Impersonators"], false).await;
    app.execute(
        "UPDATE users SET locked_at = '2026-01-01T00:00:00+00:00' WHERE username = 'locky'",
    )
    .await;
    app.execute("UPDATE users SET suspended_at = '2026-01-01T00:00:00+00:00', suspended_reason = 'x' WHERE username = 'susie'")
        .await;
    app.execute("UPDATE users SET is_active = false WHERE username = 'idle'")
        .await;
    app.execute(
        "UPDATE users SET deleted_at = '2026-01-01T00:00:00+00:00' WHERE username = 'gone'",
    )
    .await;
    app.execute(
        "UPDATE users SET invited_at = '2026-01-01T00:00:00+00:00', password_hash = NULL \
         WHERE username = 'bob'",
    )
    .await;
    let root = app.signed_in("root").await;
    let imp = app.signed_in("imp").await;
    let sessions_before = count(&app.db, "SELECT COUNT(*) FROM sessions").await;

    for (caller, target, expected) in [
        (&root, "root", "You cannot log in as yourself."),
        (&root, "locky", "locky is locked and cannot sign in."),
        (&root, "susie", "susie is suspended and cannot sign in."),
        (&root, "idle", "idle is inactive and cannot sign in."),
        (&root, "gone", "gone is deleted and cannot sign in."),
        (
            &root,
            "bob",
            "bob has not accepted their invitation yet and cannot sign in.",
        ),
        // No escalation through someone else's roles.
        (
            &imp,
            "boss",
            "boss holds permissions you do not have: Create and invite users; Edit users; \
             Delete and restore users; Lock, unlock, activate and suspend users; \
             Reset and set passwords, send temporary logins; Force sign out; Send messages; \
             Manage teams; View the audit log; View statistics.",
        ),
    ] {
        let (status, shown) = refusal(
            caller
                .call("start_impersonation", &[("username", target)])
                .await,
        )
        .await;
        assert_eq!((status, shown.as_str()), (403, expected), "{target}");
        // The user page greys the button out with the same reason.
        assert_eq!(offer(caller, target).await["refusal"], expected, "{target}");
    }
    // Someone with no more than the caller holds: offered, and allowed.
    assert_eq!(offer(&imp, "pat").await["refusal"], Value::Null);
    // Who lacks Impersonate is not offered the button at all, and refused.
    let boss = app.signed_in("boss").await;
    assert_eq!(offer(&boss, "helper").await, Value::Null);
    let (status, _) = refusal(
        boss.call("start_impersonation", &[("username", "helper")])
            .await,
    )
    .await;
    assert_eq!(status, 403);

    // No nesting: inside an impersonation, starting another is refused.
    let as_helper = root.login_as("helper").await;
    let (status, shown) = refusal(
        as_helper
            .call("start_impersonation", &[("username", "boss")])
            .await,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        shown, "You do not have permission to do that.",
        "helper (Support) lacks Impersonate in the first place"
    );
    // The refusals wrote no session and recorded no start.
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM sessions").await,
        sessions_before + 2,
        "boss's sign-in and the one impersonation"
    );
    assert_eq!(
        audit_count(&app, "action = 'auth.impersonation_start'").await,
        1
    );
}
both_backends!(each_refusal_is_explained_and_nothing_is_written);

async fn an_impersonation_never_nests(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("deputy", &["Administrator"], false).await;
    app.create_user("bob", &["User"], false).await;
    let root = app.signed_in("root").await;
    let as_deputy = root.login_as("deputy").await;
    // Deputy holds Impersonate, but this is an impersonation already.
    let (status, shown) = refusal(
        as_deputy
            .call("start_impersonation", &[("username", "bob")])
            .await,
    )
    .await;
    assert_eq!(
        (status, shown.as_str()),
        (
            403,
            "You are impersonating someone already: stop that first."
        )
    );
    assert_eq!(
        offer(&as_deputy, "bob").await["refusal"],
        "You are impersonating someone already: stop that first."
    );
}
both_backends!(an_impersonation_never_nests);

async fn start_act_stop_with_both_names_and_presence_untouched(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("bob", &["Support"], false).await;
    app.create_user("cat", &["User"], false).await;
    let bob_id = id_of(&app, "bob").await;
    let cat_id = id_of(&app, "cat").await;
    let root = app.signed_in("root").await;
    let bob_before = presence(&app, "bob").await;

    let as_bob = root.login_as("bob").await;
    // Two tabs of one browser: each keeps its own user.
    assert_eq!(as_bob.whoami().await.as_deref(), Some("bob"));
    assert_eq!(root.whoami().await.as_deref(), Some("root"));
    let me: Value = as_bob.call("current_user", &[]).await.json().await.unwrap();
    assert_eq!(me["impersonation"]["impersonator"], "root");
    let ends_at = me["impersonation"]["ends_at"].as_i64().unwrap();
    let left = ends_at - chrono::Utc::now().timestamp();
    assert!(
        (29 * 60..=30 * 60).contains(&left),
        "30 minutes by default: {left}"
    );
    // The page shows the banner's text, and the impersonation's pages stay
    // under its address.
    let page = as_bob.get("/account").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("You are signed in as "), "banner");
    assert!(html.contains("Stop impersonating"), "banner");
    let denied = as_bob.get("/outbox").await;
    let base = as_bob.address.trim_start_matches(&app.address).to_owned();
    assert_eq!(
        crate::helpers::location(&denied),
        format!("{base}/account?denied=%2Foutbox")
    );

    // Act as bob: lock cat. Recorded as "root as bob".
    let response = as_bob
        .call_json(
            "bulk_action",
            &json!({ "action": "Lock", "selection": { "Ids": [cat_id] } }),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        audit_count(
            &app,
            &format!(
                "action = 'user.lock' AND target_user_id = {cat_id} AND actor_id = {bob_id} \
                 AND actor_username = 'bob' AND impersonator_username = 'root'"
            )
        )
        .await,
        1
    );
    // bob's presence did not move: it was not his sign-in.
    assert_eq!(presence(&app, "bob").await, bob_before);
    assert_eq!(
        count(
            &app.db,
            &format!("SELECT COUNT(*) FROM users WHERE id = {bob_id} AND signed_in_since IS NULL")
        )
        .await,
        1,
        "bob is still signed out"
    );
    // bob's own device list does not show the impersonation.
    let sessions: Value = as_bob.call("my_sessions", &[]).await.json().await.unwrap();
    assert_eq!(sessions, json!([]));

    // Stop: the impersonation ends, root's session goes on.
    let response = as_bob.call("stop_impersonation", &[]).await;
    assert_eq!(response.status(), 200);
    let back: String = response.json().await.unwrap();
    assert_eq!(back, "/users/bob");
    assert_eq!(as_bob.whoami().await, None);
    assert_eq!(root.whoami().await.as_deref(), Some("root"));
    // The ended tab's pages go back to the administrator's own view.
    let after = as_bob.get("/account").await;
    assert!(crate::helpers::location(&after).starts_with("/login"));

    let root_id = id_of(&app, "root").await;
    let start = format!(
        "action = 'auth.impersonation_start' AND actor_id = {root_id} \
         AND impersonator_id IS NULL AND target_user_id = {bob_id}"
    );
    let end = format!(
        "action = 'auth.impersonation_end' AND actor_id = {bob_id} \
         AND impersonator_id = {root_id} AND target_user_id = {bob_id}"
    );
    assert_eq!(audit_count(&app, &start).await, 1);
    assert_eq!(audit_count(&app, &end).await, 1);
    let how: String = scalar(
        &app.db,
        &format!("SELECT details FROM audit_entries WHERE {end}"),
    )
    .await;
    assert!(how.contains("\"how\":\"impersonation_stopped\""), "{how}");
    // The Audit page shows them as "root as bob".
    let page: Value = root
        .call("list_audit", &[("view", "impersonated=yes")])
        .await
        .json()
        .await
        .unwrap();
    let actors: Vec<&str> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(actors, vec!["root as bob", "root as bob"], "{page}");
    assert_eq!(presence(&app, "bob").await, bob_before);
}
both_backends!(start_act_stop_with_both_names_and_presence_untouched);

async fn a_reason_is_asked_for_when_required_and_recorded(backend: Backend) {
    let app = spawn_app_with(backend, &[("ROSTER_IMPERSONATION_REASON", "required")]).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("bob", &["User"], false).await;
    let root = app.signed_in("root").await;
    assert_eq!(offer(&root, "bob").await["reason_required"], true);
    let response = root
        .call(
            "start_impersonation",
            &[("username", "bob"), ("reason", "  ")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["Validation"]["field"], "reason");
    let response = root
        .call(
            "start_impersonation",
            &[
                ("username", "bob"),
                ("reason", "Ticket 4711: cannot see the menu"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let details: String = scalar(
        &app.db,
        "SELECT details FROM audit_entries WHERE action = 'auth.impersonation_start'",
    )
    .await;
    assert!(
        details.contains("Ticket 4711: cannot see the menu"),
        "{details}"
    );
}
both_backends!(a_reason_is_asked_for_when_required_and_recorded);

async fn switched_off_it_is_neither_offered_nor_allowed(backend: Backend) {
    let app = spawn_app_with(backend, &[("ROSTER_IMPERSONATION", "off")]).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("bob", &["User"], false).await;
    let root = app.signed_in("root").await;
    assert_eq!(offer(&root, "bob").await, Value::Null);
    let (status, shown) = refusal(
        root.call("start_impersonation", &[("username", "bob")])
            .await,
    )
    .await;
    assert_eq!(
        (status, shown.as_str()),
        (403, "Login as is switched off on this server.")
    );
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM sessions").await, 1);
}
both_backends!(switched_off_it_is_neither_offered_nor_allowed);

async fn the_administrators_session_ending_ends_it_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("bob", &["User"], false).await;
    let root = app.signed_in("root").await;
    let bob = app.signed_in("bob").await;
    let as_bob = root.login_as("bob").await;
    let mut impersonation_tab = as_bob.open_live().await;
    assert_eq!(impersonation_tab.status, 101);

    // The administrator signs out in their own tab.
    assert_eq!(root.call("sign_out", &[]).await.status(), 200);
    // The impersonation tab is told at once, and its requests are refused.
    let (name, data) = impersonation_tab
        .next_ignoring_presence(5.0)
        .await
        .expect("an event");
    assert_eq!(name, "signed_out", "{data}");
    assert_eq!(data["SignedOut"]["reason"], "impersonator_session_ended");
    assert_eq!(as_bob.whoami().await, None);
    // bob's own session goes on.
    assert_eq!(bob.whoami().await.as_deref(), Some("bob"));

    // The minute's sweep writes down how it ended.
    let ended = sweep(&app).await;
    assert_eq!(ended.len(), 1);
    let how: String = scalar(
        &app.db,
        "SELECT details FROM audit_entries WHERE action = 'auth.impersonation_end'",
    )
    .await;
    assert!(how.contains("impersonator_session_ended"), "{how}");
    let revoked: String = scalar(
        &app.db,
        "SELECT revoked_reason FROM sessions WHERE impersonator_session_id IS NOT NULL",
    )
    .await;
    assert_eq!(revoked, "impersonator_session_ended");
    // A second sweep finds nothing more.
    let again = sweep(&app).await;
    assert!(again.is_empty());
    assert_eq!(
        audit_count(&app, "action = 'auth.impersonation_end'").await,
        1
    );
}
both_backends!(the_administrators_session_ending_ends_it_at_once);

async fn locking_the_administrator_or_time_running_out_ends_it(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("chief", &["Administrator"], false).await;
    app.create_user("bob", &["User"], false).await;
    let root = app.signed_in("root").await;
    let chief = app.signed_in("chief").await;
    let as_bob = root.login_as("bob").await;
    let root_id = id_of(&app, "root").await;
    let response = chief
        .call_json(
            "bulk_action",
            &json!({ "action": "Lock", "selection": { "Ids": [root_id] } }),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(as_bob.whoami().await, None, "root's lock ends it");
    let ended = sweep(&app).await;
    assert_eq!(ended.len(), 1, "root's, whose session the lock ended");

    // Another, by chief: its lifetime runs out.
    let as_bob = chief.login_as("bob").await;
    assert_eq!(as_bob.whoami().await.as_deref(), Some("bob"));
    app.execute(
        "UPDATE sessions SET expires_at = '2020-01-01T00:00:00+00:00' \
         WHERE impersonator_session_id IS NOT NULL AND revoked_at IS NULL",
    )
    .await;
    assert_eq!(as_bob.whoami().await, None, "past its time");
    let ended = sweep(&app).await;
    assert_eq!(ended.len(), 1, "chief's, past its time");
    assert_eq!(
        audit_count(
            &app,
            "action = 'auth.impersonation_end' AND details LIKE '%impersonation_expired%' \
             AND impersonator_username = 'chief'"
        )
        .await,
        1
    );
    assert_eq!(
        audit_count(
            &app,
            "action = 'auth.impersonation_end' AND details LIKE '%impersonator_session_ended%' \
             AND impersonator_username = 'root'"
        )
        .await,
        1
    );
    assert_eq!(chief.whoami().await.as_deref(), Some("chief"));
}
both_backends!(locking_the_administrator_or_time_running_out_ends_it);

async fn the_users_own_things_are_refused_while_impersonating(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("bob", &["User Manager"], false).await;
    let bob = app.signed_in("bob").await;
    let root = app.signed_in("root").await;
    let as_bob = root.login_as("bob").await;
    let bob_id = id_of(&app, "bob").await;
    let bob_session: i64 = scalar(
        &app.db,
        &format!(
            "SELECT id FROM sessions WHERE user_id = {bob_id} AND impersonator_session_id IS NULL"
        ),
    )
    .await;
    let hash_before: String = scalar(
        &app.db,
        &format!("SELECT password_hash FROM users WHERE id = {bob_id}"),
    )
    .await;

    let (status, shown) = refusal(
        as_bob
            .change_password(
                crate::helpers::STRONG_PASSWORD,
                "Brand-New-Orchid-Sky-7",
                "Brand-New-Orchid-Sky-7",
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, shown.as_str()),
        (
            403,
            "Not while impersonating: changing the password is for the user alone."
        )
    );
    let (status, shown) = refusal(
        as_bob
            .call(
                "end_my_session",
                &[("session_id", &bob_session.to_string())],
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, shown.as_str()),
        (
            403,
            "Not while impersonating: ending their sessions is for the user alone."
        )
    );
    let (status, _) = refusal(
        as_bob
            .call(
                "end_user_session",
                &[
                    ("user_id", &bob_id.to_string()),
                    ("session_id", &bob_session.to_string()),
                ],
            )
            .await,
    )
    .await;
    assert_eq!(status, 403);
    let version: i32 = scalar(
        &app.db,
        &format!("SELECT version FROM users WHERE id = {bob_id}"),
    )
    .await;
    let (status, shown) = refusal(
        as_bob
            .call_json(
                "update_user",
                &json!({ "edit": {
                    "id": bob_id, "version": version, "username": "bob",
                    "email": "bob@elsewhere.example", "name": "bob Tester",
                    "phone": "", "phone_ext": "", "active": true,
                    "roles": ["User Manager"], "teams": []
                }}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, shown.as_str()),
        (
            403,
            "Not while impersonating: changing the email address is for the user alone."
        )
    );
    // Nothing changed: bob's password, email and session are his.
    let hash_after: String = scalar(
        &app.db,
        &format!("SELECT password_hash FROM users WHERE id = {bob_id}"),
    )
    .await;
    assert_eq!(hash_before, hash_after);
    let email: String = scalar(
        &app.db,
        &format!("SELECT email FROM users WHERE id = {bob_id}"),
    )
    .await;
    assert_eq!(email, "bob@example.com");
    assert_eq!(bob.whoami().await.as_deref(), Some("bob"));

    // "Sign out" in the impersonation tab stops the impersonation only.
    assert_eq!(as_bob.call("sign_out", &[]).await.status(), 200);
    assert_eq!(as_bob.whoami().await, None);
    assert_eq!(root.whoami().await.as_deref(), Some("root"));
    assert_eq!(bob.whoami().await.as_deref(), Some("bob"));
    assert_eq!(
        audit_count(
            &app,
            "action = 'auth.impersonation_end' AND details LIKE '%impersonation_stopped%'"
        )
        .await,
        1
    );
}
both_backends!(the_users_own_things_are_refused_while_impersonating);

async fn plain_forms_open_the_tab_and_come_back(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("bob", &["User"], false).await;
    app.create_user("locky", &["User"], false).await;
    app.execute(
        "UPDATE users SET locked_at = '2026-01-01T00:00:00+00:00' WHERE username = 'locky'",
    )
    .await;
    let root = app.signed_in("root").await;
    let form = |visitor: &Visitor, path: &str, referer: &str, fields: &[(&str, &str)]| {
        visitor
            .client
            .post(format!("{}{path}", app.address))
            .header("origin", &app.address)
            .header("accept", "text/html")
            .header("referer", format!("{}{referer}", app.address))
            .form(fields)
            .send()
    };
    // "Login as" without JavaScript: the new tab is sent to the impersonation.
    let response = form(
        &root,
        "/api/start_impersonation",
        "/users/bob",
        &[("username", "bob")],
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 302);
    let address = crate::helpers::location(&response);
    assert!(
        address.starts_with("/as/") && address.ends_with('/'),
        "{address}"
    );
    let as_bob = root.at(&format!("{}{}", app.address, address.trim_end_matches('/')));
    assert_eq!(as_bob.whoami().await.as_deref(), Some("bob"));
    // A plain search form on one of its pages submits to the page's path
    // without the base: it is sent back under the base, to bob's session.
    let search = root
        .client
        .get(format!("{}/users?q=ann", app.address))
        .header("referer", format!("{}{address}users", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(search.status(), 303);
    assert_eq!(
        crate::helpers::location(&search),
        format!("{address}users?q=ann")
    );
    // The same address typed in (no Referer) is root's own view.
    assert_eq!(root.get("/users?q=ann").await.status(), 200);
    // A plain form the impersonation tab posts to `/api/…` acts as bob:
    // "Stop impersonating" returns to bob's page in root's own view.
    let response = form(
        &root,
        "/api/stop_impersonation",
        &format!("{}account", address),
        &[],
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(crate::helpers::location(&response), "/users/bob");
    assert_eq!(as_bob.whoami().await, None);
    assert_eq!(root.whoami().await.as_deref(), Some("root"));
    // Refused without JavaScript: back to the user page, which says why.
    let response = form(
        &root,
        "/api/start_impersonation",
        "/users/locky",
        &[("username", "locky")],
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        crate::helpers::location(&response),
        "/users/locky?login_as=refused"
    );
}
both_backends!(plain_forms_open_the_tab_and_come_back);
