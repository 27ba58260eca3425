//! The REST API's authorization matrix: every operation of the OpenAPI
//! document × {no token, a token of each built-in role, a narrowed token},
//! on SQLite and PostgreSQL. Without a token: 401. With a token lacking the
//! operation's permission: 403, naming it. With one holding it: neither.
//! The list below must name exactly the document's operations, so a new
//! route cannot be added without its row.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{Backend, TestApp, spawn_app};

/// Method, path template, the address to send, the permission the
/// operation needs (`None`: any valid token), and the body.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

const OPERATIONS: &[Row] = &[
    ("get", "/api/v1/me", "/api/v1/me", None, None),
    (
        "get",
        "/api/v1/users",
        "/api/v1/users",
        Some("users.view"),
        None,
    ),
    // Invalid on purpose: allowed callers get 422, and nothing is written.
    (
        "post",
        "/api/v1/users",
        "/api/v1/users",
        Some("users.create"),
        Some(r#"{"username":"x","email":"not an address","name":"X","roles":["User"]}"#),
    ),
    (
        "get",
        "/api/v1/users/{user}",
        "/api/v1/users/target",
        Some("users.view"),
        None,
    ),
    // A stale version: allowed callers get 409.
    (
        "patch",
        "/api/v1/users/{user}",
        "/api/v1/users/target",
        Some("users.edit"),
        Some(r#"{"version":0,"name":"Changed"}"#),
    ),
    (
        "delete",
        "/api/v1/users/{user}",
        "/api/v1/users/target",
        Some("users.delete"),
        None,
    ),
    (
        "post",
        "/api/v1/users/{user}/restore",
        "/api/v1/users/target/restore",
        Some("users.delete"),
        None,
    ),
    (
        "post",
        "/api/v1/users/{user}/permanent-delete",
        "/api/v1/users/target/permanent-delete",
        Some("users.delete"),
        Some(r#"{"confirm_username":"not-them"}"#),
    ),
    (
        "post",
        "/api/v1/users/bulk",
        "/api/v1/users/bulk",
        Some("users.lock"),
        Some(r#"{"action":"lock","matching":"q=target"}"#),
    ),
    (
        "get",
        "/api/v1/users/{user}/sessions",
        "/api/v1/users/target/sessions",
        Some("users.view"),
        None,
    ),
    (
        "delete",
        "/api/v1/users/{user}/sessions",
        "/api/v1/users/target/sessions",
        Some("users.force_sign_out"),
        None,
    ),
    (
        "delete",
        "/api/v1/users/{user}/sessions/{session}",
        "/api/v1/users/target/sessions/999999",
        Some("users.force_sign_out"),
        None,
    ),
    (
        "post",
        "/api/v1/messages",
        "/api/v1/messages",
        Some("messages.send"),
        Some(r#"{"body":"Hello","matching":"q=target"}"#),
    ),
    (
        "get",
        "/api/v1/roles",
        "/api/v1/roles",
        Some("users.view"),
        None,
    ),
    (
        "get",
        "/api/v1/roles/{name}",
        "/api/v1/roles/Viewer",
        Some("users.view"),
        None,
    ),
    (
        "get",
        "/api/v1/teams",
        "/api/v1/teams",
        Some("teams.manage"),
        None,
    ),
    (
        "get",
        "/api/v1/teams/{name}",
        "/api/v1/teams/Crew",
        Some("teams.manage"),
        None,
    ),
];

#[test]
fn the_matrix_names_every_operation_of_the_document() {
    let (_, document) = server::rest::api_router();
    let mut documented = BTreeSet::new();
    for (path, item) in &document.paths.paths {
        let methods = [
            ("get", item.get.is_some()),
            ("post", item.post.is_some()),
            ("patch", item.patch.is_some()),
            ("put", item.put.is_some()),
            ("delete", item.delete.is_some()),
        ];
        for (method, present) in methods {
            if present {
                documented.insert((method.to_owned(), path.clone()));
            }
        }
    }
    let listed: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .map(|(method, path, ..)| (method.to_string(), path.to_string()))
        .collect();
    assert_eq!(documented, listed);
}

/// Who calls: a name for messages and their token (`None`: no token).
struct Caller {
    name: String,
    token: Option<String>,
    permissions: Vec<String>,
}

async fn callers(app: &TestApp) -> Vec<Caller> {
    let mut callers = vec![Caller {
        name: "no token".into(),
        token: None,
        permissions: Vec::new(),
    }];
    let roles = crate::helpers::strings(
        &app.db,
        "SELECT name AS value FROM roles WHERE is_builtin = TRUE ORDER BY name",
    )
    .await;
    assert!(roles.len() >= 5, "{roles:?}");
    for (i, role) in roles.iter().enumerate() {
        let username = format!("caller{i}");
        let token = if role == "User" {
            // A plain user holds nothing a token could: the token was made
            // while they were a Viewer, and now acts with nothing.
            app.create_user(&username, &["Viewer"], false).await;
            let token = app.api_token(&username, None).await;
            app.execute(&format!(
                "DELETE FROM user_roles WHERE user_id = (SELECT id FROM users WHERE username = '{username}')"
            ))
            .await;
            app.execute(&format!(
                "INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r \
                 WHERE u.username = '{username}' AND r.name = 'User'"
            ))
            .await;
            token
        } else {
            app.create_user(&username, &[role.as_str()], false).await;
            app.api_token(&username, None).await
        };
        callers.push(Caller {
            name: format!("a token of a {role}"),
            permissions: permissions_of(app, &token).await,
            token: Some(token),
        });
    }
    // An Administrator's token given one permission.
    app.create_user("narrow", &["Administrator"], false).await;
    let token = app.api_token("narrow", Some(&["users.view"])).await;
    callers.push(Caller {
        name: "an Administrator's token holding only View users".into(),
        permissions: permissions_of(app, &token).await,
        token: Some(token),
    });
    callers
}

async fn permissions_of(app: &TestApp, token: &str) -> Vec<String> {
    let me = app.rest(Method::GET, "/api/v1/me", token, None).await;
    assert_eq!(me.status, 200, "{:?}", me.body);
    me.body["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect()
}

async fn every_operation_refuses_whoever_lacks_its_permission(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("target", &["User"], false).await;
    app.execute(
        "INSERT INTO teams (name, description, created_at, updated_at, version) \
         VALUES ('Crew', '', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 1)",
    )
    .await;
    let callers = callers(&app).await;
    let mut checked = 0;
    for (method, template, address, permission, body) in OPERATIONS {
        for caller in &callers {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body: Option<Value> = body.map(|b| serde_json::from_str(b).unwrap());
            let answer = app
                .rest(
                    method.clone(),
                    address,
                    caller.token.as_deref().unwrap_or("none"),
                    body,
                )
                .await;
            let what = format!(
                "{method} {template} with {}: {:?}",
                caller.name, answer.body
            );
            match (&caller.token, permission) {
                (None, _) => assert_eq!(answer.status, 401, "{what}"),
                (Some(_), Some(needed)) if !caller.permissions.iter().any(|p| p == needed) => {
                    assert_eq!(answer.status, 403, "{what}");
                    assert!(
                        answer.body["detail"].as_str().unwrap().contains(needed),
                        "{what}"
                    );
                }
                (Some(_), _) => {
                    assert!(![401, 403, 500].contains(&answer.status), "{what}");
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, OPERATIONS.len() * callers.len());
}
both_backends!(every_operation_refuses_whoever_lacks_its_permission);
