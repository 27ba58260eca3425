//! The REST API's writes over HTTP against the real router, on SQLite and
//! PostgreSQL: users created (with a password, or invited by real email),
//! changed with the version, deleted, restored and purged; the table's
//! bulk actions on ids and on a view; sessions listed and ended; messages;
//! roles and teams read; and how every refusal is answered (problem+json
//! with the field, 401/403/404/409/415/422/429).

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, count, scalar, spawn_app, spawn_app_with};

async fn users_are_created_read_and_changed_with_the_version(backend: Backend) {
    let mut app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    let token = app.api_token("root", None).await;

    // With a temporary password: 201, where it lives, as stored.
    let made = app
        .rest(
            Method::POST,
            "/api/v1/users",
            &token,
            Some(json!({
                "username": "Dana.Scully", "email": "dana@example.com", "name": "Dana Scully",
                "roles": ["Viewer"], "teams": [], "password": "Copper-Kettle-Morning-88"
            })),
        )
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    assert_eq!(made.headers["location"], "/api/v1/users/dana.scully");
    assert_eq!(made.body["row"]["username"], "dana.scully");
    assert_eq!(made.body["row"]["roles"], json!(["Viewer"]));
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM users WHERE username = 'dana.scully' AND must_change_password = TRUE"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'user.create' AND actor_username = 'root'"
        )
        .await,
        1
    );
    // Without one: invited, by a real email.
    let invited = app
        .rest(
            Method::POST,
            "/api/v1/users",
            &token,
            Some(json!({"username": "fox", "email": "fox@example.com", "name": "Fox Mulder", "roles": ["User"]})),
        )
        .await;
    assert_eq!(invited.status, 201, "{:?}", invited.body);
    assert_eq!(invited.body["invited"], true);
    let email = app.mail.next(10).await.expect("the invitation is sent");
    assert!(email.decoded().contains("fox@example.com"));
    assert!(email.token_for("/accept-invitation").is_some());

    // Refusals, each with its status and field; nothing written.
    let before = count(&app.db, "SELECT COUNT(*) FROM users").await;
    let taken = app
        .rest(
            Method::POST,
            "/api/v1/users",
            &token,
            Some(json!({"username": "fox", "email": "other@example.com", "name": "Another Fox", "roles": ["User"]})),
        )
        .await;
    assert_eq!(taken.problem(409).as_deref(), Some("username"));
    let bad_email = app
        .rest(
            Method::POST,
            "/api/v1/users",
            &token,
            Some(json!({"username": "walter", "email": "not an address", "name": "Walter Skinner", "roles": ["User"]})),
        )
        .await;
    assert_eq!(bad_email.problem(422).as_deref(), Some("email"));
    let weak = app
        .rest(
            Method::POST,
            "/api/v1/users",
            &token,
            Some(json!({"username": "walter", "email": "w@example.com", "name": "Walter Skinner", "roles": ["User"], "password": "password"})),
        )
        .await;
    assert_eq!(weak.problem(422).as_deref(), Some("password"));
    let unknown_field = app
        .rest(
            Method::POST,
            "/api/v1/users",
            &token,
            Some(json!({"username": "walter", "email": "w@example.com", "name": "W S", "roles": ["User"], "colour": "red"})),
        )
        .await;
    assert_eq!(unknown_field.problem(422).as_deref(), Some("colour"));
    let missing = app
        .rest(
            Method::POST,
            "/api/v1/users",
            &token,
            Some(json!({"username": "walter"})),
        )
        .await;
    assert_eq!(missing.problem(422).as_deref(), Some("email"));
    let not_json = app
        .client
        .post(format!("{}/api/v1/users", app.address))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{username:")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    let not_declared = app
        .client
        .post(format!("{}/api/v1/users", app.address))
        .bearer_auth(&token)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(not_declared.status(), 415);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM users").await, before);

    // Read by id and by username (any case): the same user.
    let id = made.body["row"]["id"].as_i64().unwrap();
    let by_id = app
        .rest(Method::GET, &format!("/api/v1/users/{id}"), &token, None)
        .await;
    let by_name = app
        .rest(Method::GET, "/api/v1/users/DANA.SCULLY", &token, None)
        .await;
    assert_eq!(by_id.status, 200);
    assert_eq!(by_id.body, by_name.body);

    // PATCH changes only what is given, with the version read.
    let version = by_id.body["version"].as_i64().unwrap();
    let changed = app
        .rest(
            Method::PATCH,
            "/api/v1/users/dana.scully",
            &token,
            Some(json!({"version": version, "name": "Dana K. Scully", "teams": []})),
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(changed.body["row"]["name"], "Dana K. Scully");
    assert_eq!(changed.body["row"]["email"], "dana@example.com");
    assert_eq!(changed.body["row"]["roles"], json!(["Viewer"]));
    assert_eq!(changed.body["version"].as_i64().unwrap(), version + 1);
    // The same version again is stale: 409, and nothing is written.
    let stale = app
        .rest(
            Method::PATCH,
            "/api/v1/users/dana.scully",
            &token,
            Some(json!({"version": version, "name": "Someone Else"})),
        )
        .await;
    stale.problem(409);
    let name: String = scalar(
        &app.db,
        "SELECT name FROM users WHERE username = 'dana.scully'",
    )
    .await;
    assert_eq!(name, "Dana K. Scully");
    let bad_phone = app
        .rest(
            Method::PATCH,
            "/api/v1/users/dana.scully",
            &token,
            Some(json!({"version": version + 1, "phone": "call me maybe"})),
        )
        .await;
    assert_eq!(bad_phone.problem(422).as_deref(), Some("phone"));
    let nobody = app
        .rest(
            Method::PATCH,
            "/api/v1/users/nobody",
            &token,
            Some(json!({"version": 1, "name": "No One"})),
        )
        .await;
    nobody.problem(404);
    let no_version = app
        .rest(
            Method::PATCH,
            "/api/v1/users/dana.scully",
            &token,
            Some(json!({"name": "No Version"})),
        )
        .await;
    assert_eq!(no_version.problem(422).as_deref(), Some("version"));

    // A token never changes its owner's own email address: that would
    // let a token narrowed to Edit users take over the account by a
    // password reset sent elsewhere.
    let root_version: i32 =
        scalar(&app.db, "SELECT version FROM users WHERE username = 'root'").await;
    let takeover = app
        .rest(
            Method::PATCH,
            "/api/v1/users/root",
            &token,
            Some(json!({"version": root_version, "email": "attacker@example.net"})),
        )
        .await;
    takeover.problem(403);
    assert!(
        takeover.body["detail"]
            .as_str()
            .unwrap()
            .contains("API token"),
        "{:?}",
        takeover.body
    );
    let email: String = scalar(&app.db, "SELECT email FROM users WHERE username = 'root'").await;
    assert_eq!(email, "root@example.com");

    // A token that may create but not view users still gets the user it made.
    let creator = app.api_token("root", Some(&["users.create"])).await;
    let made = app
        .rest(
            Method::POST,
            "/api/v1/users",
            &creator,
            Some(json!({"username": "999", "email": "nines@example.com", "name": "Nina Nines", "roles": ["User"], "password": "Copper-Kettle-Morning-88"})),
        )
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    assert_eq!(made.body["row"]["username"], "999");
    // Digits alone are an id, never a username: no user has id 999.
    app.rest(Method::GET, "/api/v1/users/999", &token, None)
        .await
        .problem(404);
    // Without a token, 401 comes first, whatever the body.
    let anonymous = app
        .client
        .post(format!("{}/api/v1/users", app.address))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}
both_backends!(users_are_created_read_and_changed_with_the_version);

async fn users_are_deleted_restored_and_purged(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    let gone = app.create_user("gone", &["User"], false).await;
    let token = app.api_token("root", None).await;
    let visitor = app.signed_in("gone").await;

    let deleted = app
        .rest(Method::DELETE, "/api/v1/users/gone", &token, None)
        .await;
    assert_eq!(deleted.status, 204, "{:?}", deleted.body);
    assert_eq!(
        count(
            &app.db,
            &format!("SELECT COUNT(*) FROM users WHERE id = {gone} AND deleted_at IS NOT NULL")
        )
        .await,
        1
    );
    assert_eq!(visitor.whoami().await, None, "their session ended");
    // Again: left alone, and said why.
    let again = app
        .rest(Method::DELETE, "/api/v1/users/gone", &token, None)
        .await;
    again.problem(409);
    assert!(
        again.body["detail"].as_str().unwrap().contains("already"),
        "{:?}",
        again.body
    );
    // Yourself: refused with the reason.
    let myself = app
        .rest(Method::DELETE, "/api/v1/users/root", &token, None)
        .await;
    myself.problem(409);
    app.rest(Method::DELETE, "/api/v1/users/nobody", &token, None)
        .await
        .problem(404);

    let restored = app
        .rest(Method::POST, "/api/v1/users/gone/restore", &token, None)
        .await;
    assert_eq!(restored.status, 204);
    assert_eq!(
        count(
            &app.db,
            &format!("SELECT COUNT(*) FROM users WHERE id = {gone} AND deleted_at IS NULL")
        )
        .await,
        1
    );
    // Purging needs a deleted user and the username typed.
    let live = app
        .rest(
            Method::POST,
            "/api/v1/users/gone/permanent-delete",
            &token,
            Some(json!({"confirm_username": "gone"})),
        )
        .await;
    assert_eq!(live.problem(422).as_deref(), Some("confirm_username"));
    app.rest(
        Method::DELETE,
        &format!("/api/v1/users/{gone}"),
        &token,
        None,
    )
    .await;
    let mistyped = app
        .rest(
            Method::POST,
            "/api/v1/users/gone/permanent-delete",
            &token,
            Some(json!({"confirm_username": "gnoe"})),
        )
        .await;
    assert_eq!(mistyped.problem(422).as_deref(), Some("confirm_username"));
    let purged = app
        .rest(
            Method::POST,
            "/api/v1/users/gone/permanent-delete",
            &token,
            Some(json!({"confirm_username": "gone"})),
        )
        .await;
    assert_eq!(purged.status, 204, "{:?}", purged.body);
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM users WHERE email = 'gone@example.com'"
        )
        .await,
        0
    );
}
both_backends!(users_are_deleted_restored_and_purged);

async fn bulk_actions_count_what_they_changed(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    let mut ids = Vec::new();
    for name in ["ann", "bob", "cyd", "dee", "eve"] {
        ids.push(app.create_user(name, &["User"], false).await);
    }
    app.create_user("zed", &["User"], false).await;
    let token = app.api_token("root", None).await;

    // On ids: two locked, and again: skipped, with the reason.
    let first = app
        .rest(
            Method::POST,
            "/api/v1/users/bulk",
            &token,
            Some(json!({"action": "lock", "ids": &ids[..2]})),
        )
        .await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(first.body["succeeded"], 2);
    let again = app
        .rest(
            Method::POST,
            "/api/v1/users/bulk",
            &token,
            Some(json!({"action": "lock", "ids": &ids[..3]})),
        )
        .await;
    assert_eq!(again.body["succeeded"], 1);
    assert_eq!(again.body["skipped"][0]["count"], 2);
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'user.lock'"
        )
        .await,
        3
    );
    // On a view: every user matching it, evaluated on the server.
    let matching = app
        .rest(
            Method::POST,
            "/api/v1/users/bulk",
            &token,
            Some(json!({"action": "add_to_team", "team": "Night shift", "matching": "q=e"})),
        )
        .await;
    assert_eq!(matching.problem(422).as_deref(), Some("team"));
    app.execute(
        "INSERT INTO teams (name, description, created_at, updated_at, version) \
         VALUES ('Night shift', '', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 1)",
    )
    .await;
    let matching = app
        .rest(
            Method::POST,
            "/api/v1/users/bulk",
            &token,
            Some(json!({"action": "add_to_team", "team": "Night shift", "matching": "q=e"})),
        )
        .await;
    assert_eq!(matching.status, 200, "{:?}", matching.body);
    // "e" is in dee, eve, zed and every example.com address: all 7 users.
    let members = count(&app.db, "SELECT COUNT(*) FROM user_teams").await;
    assert_eq!(matching.body["succeeded"].as_i64().unwrap(), members);
    assert_eq!(members, 7);
    let suspended = app
        .rest(
            Method::POST,
            "/api/v1/users/bulk",
            &token,
            Some(json!({"action": "suspend", "reason": "Audit", "matching": "q=zed"})),
        )
        .await;
    assert_eq!(suspended.body["succeeded"], 1, "{:?}", suspended.body);

    // Refusals: one way of choosing, the action's own fields.
    let both = app
        .rest(
            Method::POST,
            "/api/v1/users/bulk",
            &token,
            Some(json!({"action": "lock", "ids": [ids[4]], "matching": "q=e"})),
        )
        .await;
    assert_eq!(both.problem(422).as_deref(), Some("selection"));
    let everyone = app
        .rest(
            Method::POST,
            "/api/v1/users/bulk",
            &token,
            Some(json!({"action": "lock", "everyone": true})),
        )
        .await;
    assert_eq!(everyone.problem(422).as_deref(), Some("selection"));
    let no_password = app
        .rest(
            Method::POST,
            "/api/v1/users/bulk",
            &token,
            Some(json!({"action": "set_password", "ids": [ids[4]]})),
        )
        .await;
    assert_eq!(no_password.problem(422).as_deref(), Some("password"));
    let no_reason = app
        .rest(
            Method::POST,
            "/api/v1/users/bulk",
            &token,
            Some(json!({"action": "suspend", "ids": [ids[4]]})),
        )
        .await;
    assert_eq!(no_reason.problem(422).as_deref(), Some("reason"));
    let bad_view = app
        .rest(
            Method::POST,
            "/api/v1/users/bulk",
            &token,
            Some(json!({"action": "lock", "matching": "sort=shoe_size"})),
        )
        .await;
    assert_eq!(bad_view.problem(422).as_deref(), Some("sort"));
    let unknown = app
        .rest(
            Method::POST,
            "/api/v1/users/bulk",
            &token,
            Some(json!({"action": "explode", "ids": [ids[4]]})),
        )
        .await;
    assert_eq!(unknown.problem(422).as_deref(), Some("action"));
    // A token without Lock users.
    let viewer = app.api_token("root", Some(&["users.view"])).await;
    let refused = app
        .rest(
            Method::POST,
            "/api/v1/users/bulk",
            &viewer,
            Some(json!({"action": "unlock", "ids": &ids})),
        )
        .await;
    refused.problem(403);
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'user.unlock'"
        )
        .await,
        0
    );
}
both_backends!(bulk_actions_count_what_they_changed);

async fn sessions_are_listed_and_ended(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("sam", &["User"], false).await;
    let token = app.api_token("root", None).await;
    let laptop = app.signed_in("sam").await;
    let phone = app.signed_in("sam").await;

    let listed = app
        .rest(Method::GET, "/api/v1/users/sam/sessions", &token, None)
        .await;
    assert_eq!(listed.status, 200);
    let sessions = listed.body.as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    let one = sessions[0]["id"].as_i64().unwrap();
    let ended = app
        .rest(
            Method::DELETE,
            &format!("/api/v1/users/sam/sessions/{one}"),
            &token,
            None,
        )
        .await;
    assert_eq!(ended.status, 204, "{:?}", ended.body);
    let signed_in = [laptop.whoami().await, phone.whoami().await];
    assert_eq!(signed_in.iter().filter(|w| w.is_some()).count(), 1);
    // Again: that session is gone.
    app.rest(
        Method::DELETE,
        &format!("/api/v1/users/sam/sessions/{one}"),
        &token,
        None,
    )
    .await
    .problem(404);
    app.rest(
        Method::DELETE,
        "/api/v1/users/sam/sessions/not-a-number",
        &token,
        None,
    )
    .await
    .problem(404);
    // Everywhere at once.
    let all = app
        .rest(Method::DELETE, "/api/v1/users/sam/sessions", &token, None)
        .await;
    assert_eq!(all.body["succeeded"], 1, "{:?}", all.body);
    assert_eq!(laptop.whoami().await, None);
    assert_eq!(phone.whoami().await, None);
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE u.username = 'sam' AND s.revoked_at IS NULL"
        )
        .await,
        0
    );
    app.rest(Method::GET, "/api/v1/users/nobody/sessions", &token, None)
        .await
        .problem(404);
}
both_backends!(sessions_are_listed_and_ended);

async fn messages_roles_and_teams(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    let mia = app.create_user("mia", &["User"], false).await;
    let token = app.api_token("root", None).await;

    let sent = app
        .rest(
            Method::POST,
            "/api/v1/messages",
            &token,
            Some(json!({"body": "Coffee in the kitchen.", "ids": [mia]})),
        )
        .await;
    assert_eq!(sent.status, 200, "{:?}", sent.body);
    assert_eq!(sent.body["recipients"], 1);
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM message_recipients").await,
        1
    );
    let empty = app
        .rest(
            Method::POST,
            "/api/v1/messages",
            &token,
            Some(json!({"body": "   ", "ids": [mia]})),
        )
        .await;
    assert_eq!(empty.problem(422).as_deref(), Some("body"));
    let nobody = app
        .rest(
            Method::POST,
            "/api/v1/messages",
            &token,
            Some(json!({"body": "Hello"})),
        )
        .await;
    assert_eq!(nobody.problem(422).as_deref(), Some("selection"));

    let roles = app.rest(Method::GET, "/api/v1/roles", &token, None).await;
    assert_eq!(roles.status, 200);
    let names: Vec<&str> = roles.body["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Administrator") && names.contains(&"Viewer"),
        "{names:?}"
    );
    assert_eq!(roles.body["total"].as_u64().unwrap() as usize, names.len());
    let admin = app
        .rest(Method::GET, "/api/v1/roles/administrator", &token, None)
        .await;
    assert_eq!(admin.status, 200);
    assert_eq!(admin.body["members"][0]["username"], "root");
    app.rest(Method::GET, "/api/v1/roles/Astronaut", &token, None)
        .await
        .problem(404);
    let teams = app.rest(Method::GET, "/api/v1/teams", &token, None).await;
    assert_eq!(teams.status, 200);
    assert_eq!(teams.body["total"], 0);
    // A control character in a search (Schemathesis sent a NUL, which
    // ended SQLite's full-text query and which PostgreSQL refuses) is
    // searched without, not a server error.
    let found = app
        .rest(Method::GET, "/api/v1/users?q=mi%00a", &token, None)
        .await;
    assert_eq!(found.status, 200, "{:?}", found.body);
    assert_eq!(found.body["users"][0]["username"], "mia");
    app.execute(
        "INSERT INTO teams (name, description, created_at, updated_at, version) \
         VALUES ('Legal', '', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 1)",
    )
    .await;
    let legal = app
        .rest(Method::GET, "/api/v1/teams/Legal?q=abc%00", &token, None)
        .await;
    assert_eq!(legal.status, 200, "{:?}", legal.body);
    app.rest(Method::GET, "/api/v1/teams/Nowhere", &token, None)
        .await
        .problem(404);
    let viewer = app.api_token("root", Some(&["users.view"])).await;
    app.rest(Method::GET, "/api/v1/teams", &viewer, None)
        .await
        .problem(403);
}
both_backends!(messages_roles_and_teams);

async fn a_token_over_its_rate_limit_is_told_when_to_come_back(backend: Backend) {
    let app = spawn_app_with(backend, &[("ROSTER_API_RATE_LIMIT", "3")]).await;
    app.create_user("root", &["Administrator"], false).await;
    let busy = app.api_token("root", None).await;
    let other = app.api_token("root", None).await;
    for _ in 0..3 {
        assert_eq!(
            app.rest(Method::GET, "/api/v1/me", &busy, None)
                .await
                .status,
            200
        );
    }
    let refused = app.rest(Method::GET, "/api/v1/me", &busy, None).await;
    refused.problem(429);
    let wait: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&wait), "{wait}");
    // Another token is not slowed by it.
    assert_eq!(
        app.rest(Method::GET, "/api/v1/me", &other, None)
            .await
            .status,
        200
    );
}
both_backends!(a_token_over_its_rate_limit_is_told_when_to_come_back);

#[tokio::test]
async fn every_error_is_a_problem_and_the_document_describes_the_routes() {
    let app = spawn_app(Backend::Sqlite).await;
    app.create_user("root", &["Administrator"], false).await;
    let token = app.api_token("root", None).await;
    app.rest(Method::GET, "/api/v1/no-such-thing", &token, None)
        .await
        .problem(404);
    let empty = app
        .rest(Method::GET, "/api/v1/users?status=&q=ann", &token, None)
        .await;
    assert_eq!(empty.problem(422).as_deref(), Some("status"));
    let page_zero = app
        .rest(Method::GET, "/api/v1/roles/Viewer?page=0", &token, None)
        .await;
    assert_eq!(page_zero.problem(422).as_deref(), Some("page"));
    let not_a_page = app
        .rest(Method::GET, "/api/v1/roles/Viewer?page=two", &token, None)
        .await;
    not_a_page.problem(400);
    let wrong_method = app.rest(Method::PUT, "/api/v1/users", &token, None).await;
    wrong_method.problem(405);
    assert!(wrong_method.headers.contains_key("allow"));

    // The document: OpenAPI 3.1, no token needed, a bearer scheme, every
    // operation secured and answering 401 and 429, every body with an
    // example.
    let document: Value = app
        .client
        .get(format!("{}/api/v1/openapi.json", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        document["components"]["securitySchemes"]["api_token"]["scheme"],
        "bearer"
    );
    assert_eq!(document["security"], json!([{"api_token": []}]));
    let mut operations = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if !["get", "post", "patch", "delete", "put"].contains(&method.as_str()) {
                continue;
            }
            operations += 1;
            let responses = &operation["responses"];
            for status in ["401", "429"] {
                assert!(
                    responses.get(status).is_some(),
                    "{method} {path} does not document {status}"
                );
            }
            if let Some(body) = operation.get("requestBody") {
                let schema = &body["content"]["application/json"]["schema"]["$ref"];
                let name = schema.as_str().unwrap().rsplit('/').next().unwrap();
                assert!(
                    document["components"]["schemas"][name]["example"].is_object(),
                    "{method} {path}: {name} has no example"
                );
            }
        }
    }
    assert!(operations >= 17, "{operations}");

    // The reference page, served by the app itself.
    let page = app
        .client
        .get(format!("{}/api/docs", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("/api-docs/swagger-ui-bundle.js"), "{html}");
    assert!(!html.contains("https://"), "nothing from a CDN");
}
