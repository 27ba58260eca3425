//! API tokens over HTTP against the real router, on SQLite and PostgreSQL:
//! made on the tokens page (the secret shown once, only its hash stored),
//! used with `Authorization: Bearer` on `/api/v1`, narrowed by what their
//! owner still holds, refused when expired, revoked or their owner is
//! locked, never making tokens, audited; and `roster create-api-token`.

use serde_json::{Value, json};

use crate::helpers::{
    Backend, STRONG_PASSWORD, TestApp, TestDb, Visitor, count, roster, scalar, spawn_app, stderr,
    stdout,
};

/// Creates a token as `visitor` on the tokens page; returns the answer.
async fn create(visitor: &Visitor, name: &str, days: u32, permissions: &[&str]) -> (u16, Value) {
    let response = visitor
        .call_json(
            "create_api_token",
            &json!({ "new": { "name": name, "days": days, "permissions": permissions } }),
        )
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `GET /api/v1/me` with `secret` as the bearer token.
async fn me(app: &TestApp, secret: &str) -> reqwest::Response {
    app.client
        .get(format!("{}/api/v1/me", app.address))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap()
}

async fn permissions_seen(app: &TestApp, secret: &str) -> Vec<String> {
    let response = me(app, secret).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect()
}

async fn a_token_is_shown_once_stored_hashed_and_acts_as_its_owner(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    let root = app.signed_in("root").await;
    let (status, made) = create(&root, "Nightly import", 30, &["users.view", "users.edit"]).await;
    assert_eq!(status, 200, "{made}");
    let secret = made["secret"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("roster_") && secret.len() > 40,
        "{secret}"
    );
    assert_eq!(made["token"]["prefix"], secret[..12]);
    assert_eq!(
        made["token"]["permissions"],
        json!(["View users", "Edit users"])
    );
    // Only the hash is stored.
    let stored: String = scalar(&app.db, "SELECT token_hash FROM api_tokens").await;
    assert_eq!(stored, app::auth::token::hash_token(&secret));
    assert_eq!(
        count(
            &app.db,
            &format!("SELECT COUNT(*) FROM api_tokens WHERE token_hash = '{secret}'")
        )
        .await,
        0
    );
    // The list shows it, without the secret.
    let listed: Value = root.call("my_api_tokens", &[]).await.json().await.unwrap();
    assert_eq!(listed["tokens"][0]["name"], "Nightly import");
    assert!(!listed.to_string().contains(&secret));
    // What a new token may hold: the owner's own, but not managing tokens.
    let grantable: Vec<&str> = listed["grantable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_str().unwrap())
        .collect();
    assert!(grantable.contains(&"users.impersonate"));
    assert!(!grantable.contains(&"api_tokens.manage"));

    // It acts as root, with exactly its permissions.
    let response = me(&app, &secret).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["username"], "root");
    assert_eq!(body["permissions"], json!(["users.view", "users.edit"]));
    // Last used is written; the first address it comes from is audited once.
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM api_tokens WHERE last_used_at IS NOT NULL"
        )
        .await,
        1
    );
    me(&app, &secret).await;
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'api_token.new_address'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'api_token.create' \
             AND actor_username = 'root' AND details LIKE '%Nightly import%'"
        )
        .await,
        1
    );
}
both_backends!(a_token_is_shown_once_stored_hashed_and_acts_as_its_owner);

async fn bad_requests_for_a_token_are_refused_with_the_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("sam", &["Support"], false).await;
    let root = app.signed_in("root").await;
    for (name, days, permissions, field, message) in [
        (
            "",
            30,
            vec!["users.view"],
            "name",
            "Give the token a name, such as the script that will use it.",
        ),
        (
            "x",
            0,
            vec!["users.view"],
            "days",
            "A token lives from 1 to 365 days.",
        ),
        (
            "x",
            366,
            vec!["users.view"],
            "days",
            "A token lives from 1 to 365 days.",
        ),
        (
            "x",
            30,
            vec![],
            "permissions",
            "Choose at least one permission for the token.",
        ),
        (
            "x",
            30,
            vec!["api_tokens.manage"],
            "permissions",
            "No token may hold \"Manage API tokens\".",
        ),
        (
            "x",
            30,
            vec!["users.fly"],
            "permissions",
            "'users.fly' is not a permission.",
        ),
    ] {
        let (status, body) = create(&root, name, days, &permissions).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["Validation"]["field"], field, "{body}");
        assert_eq!(body["Validation"]["message"], message, "{body}");
    }
    // Nobody gives a token what they do not hold. (Support lacks "Manage
    // API tokens" in the first place.)
    let sam = app.signed_in("sam").await;
    let (status, _) = create(&sam, "x", 30, &["users.view"]).await;
    assert_eq!(status, 403);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM api_tokens").await, 0);
}
both_backends!(bad_requests_for_a_token_are_refused_with_the_reason);

async fn a_token_stops_when_expired_revoked_or_its_owner_is_locked(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("chief", &["Administrator"], false).await;
    let root = app.signed_in("root").await;
    let chief = app.signed_in("chief").await;
    let mut secrets = Vec::new();
    for name in ["one", "two", "three"] {
        let (status, made) = create(&root, name, 30, &["users.view"]).await;
        assert_eq!(status, 200);
        secrets.push(made["secret"].as_str().unwrap().to_owned());
    }
    for secret in &secrets {
        assert_eq!(me(&app, secret).await.status(), 200);
    }
    // Unknown, malformed, or a browser session: 401 with a problem body.
    let response = me(&app, "roster_not-a-token").await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    assert!(response.headers().contains_key("www-authenticate"));
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 401);
    assert_eq!(
        root.get("/api/v1/me").await.status(),
        401,
        "cookies do not count"
    );

    // Expired.
    app.execute(
        "UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00+00:00' WHERE name = 'one'",
    )
    .await;
    assert_eq!(me(&app, &secrets[0]).await.status(), 401);
    // Revoked, at once, and audited.
    let two: i64 = scalar(&app.db, "SELECT id FROM api_tokens WHERE name = 'two'").await;
    let response = root
        .call("revoke_api_token", &[("id", &two.to_string())])
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(me(&app, &secrets[1]).await.status(), 401);
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'api_token.revoke'"
        )
        .await,
        1
    );
    let listed: Value = root.call("my_api_tokens", &[]).await.json().await.unwrap();
    let names: Vec<&str> = listed["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["three", "one"], "revoked tokens leave the list");
    // Revoking it again: not found.
    let response = root
        .call("revoke_api_token", &[("id", &two.to_string())])
        .await;
    assert_eq!(response.status(), 404);
    // The owner locked: the last one stops too.
    let root_id: i64 = scalar(&app.db, "SELECT id FROM users WHERE username = 'root'").await;
    let response = chief
        .call_json(
            "bulk_action",
            &json!({ "action": "Lock", "selection": { "Ids": [root_id] } }),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(me(&app, &secrets[2]).await.status(), 401);
}
both_backends!(a_token_stops_when_expired_revoked_or_its_owner_is_locked);

async fn a_token_is_narrowed_when_its_owner_loses_a_permission(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    let root = app.signed_in("root").await;
    let (_, made) = create(&root, "narrow", 30, &["users.view", "roles.manage"]).await;
    let secret = made["secret"].as_str().unwrap().to_owned();
    assert_eq!(
        permissions_seen(&app, &secret).await,
        vec!["users.view", "roles.manage"]
    );
    // root is now a User Manager (no Manage roles) and keeps "Manage API
    // tokens" through a role of its own.
    app.execute(
        "INSERT INTO roles (name, description, is_builtin, created_at, updated_at, version) \
         VALUES ('Token keeper', '', false, '2026-01-01T00:00:00+00:00', \
         '2026-01-01T00:00:00+00:00', 1)",
    )
    .await;
    app.execute(
        "INSERT INTO role_permissions (role_id, permission) \
         SELECT id, 'api_tokens.manage' FROM roles WHERE name = 'Token keeper'",
    )
    .await;
    app.execute(
        "DELETE FROM user_roles WHERE user_id = (SELECT id FROM users WHERE username = 'root')",
    )
    .await;
    app.execute(
        "INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r \
         WHERE u.username = 'root' AND r.name IN ('User Manager', 'Token keeper')",
    )
    .await;
    assert_eq!(permissions_seen(&app, &secret).await, vec!["users.view"]);
}
both_backends!(a_token_is_narrowed_when_its_owner_loses_a_permission);

async fn tokens_never_make_tokens_nor_serve_impersonators(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("deputy", &["Administrator"], false).await;
    let root = app.signed_in("root").await;
    let (_, made) = create(&root, "script", 30, &["users.view"]).await;
    let secret = made["secret"].as_str().unwrap().to_owned();
    // The token on the tokens page's functions: they take a browser
    // session only.
    let response = app
        .client
        .post(format!("{}/api/create_api_token", app.address))
        .bearer_auth(&secret)
        .json(&json!({ "new": { "name": "child", "days": 30, "permissions": ["users.view"] } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM api_tokens").await, 1);

    // An impersonator may not see or make the user's tokens.
    let as_deputy = root.login_as("deputy").await;
    for response in [
        as_deputy.call("my_api_tokens", &[]).await,
        as_deputy
            .call_json(
                "create_api_token",
                &json!({ "new": { "name": "x", "days": 30, "permissions": ["users.view"] } }),
            )
            .await,
    ] {
        assert_eq!(response.status(), 403);
        let shown: app::error::AppError = response.json().await.unwrap();
        assert_eq!(
            shown.to_string(),
            "Not while impersonating: managing API tokens is for the user alone."
        );
    }
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM api_tokens").await, 1);
}
both_backends!(tokens_never_make_tokens_nor_serve_impersonators);

async fn administrators_see_and_revoke_everyones_tokens(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("chief", &["Administrator"], false).await;
    let chief = app.signed_in("chief").await;
    let (_, made) = create(&chief, "chief's", 30, &["users.view"]).await;
    let secret = made["secret"].as_str().unwrap().to_owned();
    let root = app.signed_in("root").await;
    let listed: Value = root
        .call("user_api_tokens", &[("username", "chief")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["name"], "chief's");
    let chief_id: i64 = scalar(&app.db, "SELECT id FROM users WHERE username = 'chief'").await;
    let id = listed[0]["id"].as_i64().unwrap();
    let response = root
        .call(
            "revoke_user_api_token",
            &[("user_id", &chief_id.to_string()), ("id", &id.to_string())],
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(me(&app, &secret).await.status(), 401);
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'api_token.revoke' \
             AND actor_username = 'root' AND target_username = 'chief'"
        )
        .await,
        1
    );
}
both_backends!(administrators_see_and_revoke_everyones_tokens);

async fn the_command_line_prints_the_secret_alone(backend: Backend) {
    let db = TestDb::new(backend).await;
    let env = [
        ("DATABASE_URL", db.url.as_str()),
        ("ROSTER_PASSWORD", STRONG_PASSWORD),
    ];
    let admin = roster(
        db.dir.path(),
        &[
            "create-admin",
            "--username",
            "ops",
            "--email",
            "ops@example.com",
        ],
        &env,
        None,
    );
    assert!(admin.status.success(), "{}", stderr(&admin));
    let made = roster(
        db.dir.path(),
        &[
            "create-api-token",
            "--username",
            "ops",
            "--name",
            "Okta provisioning",
            "--permission",
            "users.view",
            "--permission",
            "users.create",
            "--expires",
            "30d",
        ],
        &env,
        None,
    );
    assert!(made.status.success(), "{}", stderr(&made));
    let secret = stdout(&made);
    let secret = secret.trim_end_matches('\n');
    assert!(
        secret.starts_with("roster_") && !secret.contains(char::is_whitespace),
        "{secret}"
    );
    let conn = db.connect().await;
    assert_eq!(
        scalar::<String>(&conn, "SELECT token_hash FROM api_tokens").await,
        app::auth::token::hash_token(secret)
    );
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM api_token_permissions").await,
        2
    );
    // Refused, with one clear line: a permission ops does not hold is fine
    // for an administrator, so ask for one no token may hold.
    let refused = roster(
        db.dir.path(),
        &[
            "create-api-token",
            "--username",
            "ops",
            "--name",
            "x",
            "--permission",
            "api_tokens.manage",
        ],
        &env,
        None,
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("No token may hold \"Manage API tokens\"."),
        "{}",
        stderr(&refused)
    );
    let unknown = roster(
        db.dir.path(),
        &["create-api-token", "--username", "nobody", "--name", "x"],
        &env,
        None,
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("there is no user 'nobody'"));
    assert_eq!(count(&conn, "SELECT COUNT(*) FROM api_tokens").await, 1);
}
both_backends!(the_command_line_prints_the_secret_alone);

/// `GET path` on the REST API with `secret`.
async fn rest(app: &TestApp, path: &str, secret: &str) -> (u16, String, Value) {
    let response = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, response.json().await.unwrap_or(Value::Null))
}

async fn the_users_list_and_a_user_by_name_over_rest(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    for name in ["ann", "anna", "bob"] {
        app.create_user(name, &["User"], false).await;
    }
    let root = app.signed_in("root").await;
    let (_, made) = create(&root, "reader", 30, &["users.view"]).await;
    let reader = made["secret"].as_str().unwrap().to_owned();
    let (_, made) = create(&root, "mailer", 30, &["messages.send"]).await;
    let mailer = made["secret"].as_str().unwrap().to_owned();

    // The table's own query parameters: search, sort, paging.
    let (status, _, page) = rest(
        &app,
        "/api/v1/users?q=ann&sort=username&dir=asc&per_page=10",
        &reader,
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 2);
    let names: Vec<&str> = page["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["ann", "anna"]);
    assert_eq!(page["next"], Value::Null, "one page");
    // Paging: a link to the next page, under /api/v1.
    for i in 0..25 {
        app.execute(&crate::helpers::insert_bare_user_sql(
            &format!("zed{i:02}"),
            &format!("zed{i:02}@example.com"),
        ))
        .await;
    }
    let (status, _, page) = rest(&app, "/api/v1/users?sort=username&per_page=25", &reader).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 29);
    assert_eq!(page["users"].as_array().unwrap().len(), 25);
    let next = page["next"].as_str().expect("a next page").to_owned();
    assert!(
        next.starts_with("/api/v1/users?") && next.contains("page=2"),
        "{next}"
    );
    let (status, _, last) = rest(&app, &next, &reader).await;
    assert_eq!(status, 200);
    assert_eq!(last["users"].as_array().unwrap().len(), 4);
    assert_eq!(last["next"], Value::Null);

    // One user by name.
    let (status, _, user) = rest(&app, "/api/v1/users/bob", &reader).await;
    assert_eq!(status, 200);
    assert_eq!(user["row"]["username"], "bob");
    // Not found, a bad parameter, a token without View users, no token:
    // each a problem response with its status.
    let (status, kind, problem) = rest(&app, "/api/v1/users/nobody", &reader).await;
    assert_eq!((status, kind.as_str()), (404, "application/problem+json"));
    assert_eq!(problem["status"], 404);
    let (status, kind, problem) = rest(&app, "/api/v1/users?per_page=7", &reader).await;
    assert_eq!(
        (status, kind.as_str()),
        (422, "application/problem+json"),
        "{problem}"
    );
    assert_eq!(problem["field"], "per_page");
    let (status, kind, problem) = rest(&app, "/api/v1/users", &mailer).await;
    assert_eq!((status, kind.as_str()), (403, "application/problem+json"));
    assert!(
        problem["detail"].as_str().unwrap().contains("users.view"),
        "{problem}"
    );
    let (status, _, _) = rest(&app, "/api/v1/users", "roster_nothing").await;
    assert_eq!(status, 401);
}
both_backends!(the_users_list_and_a_user_by_name_over_rest);
