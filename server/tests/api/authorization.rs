//! The authorization matrix: every server function and every route of the
//! app, called as an anonymous visitor, a plain user and each built-in role,
//! against the table below. A server function or page missing from the
//! table fails the test: adding one means deciding here who may use it.

use std::collections::BTreeSet;

use crate::helpers::{Backend, TestApp, Visitor, location, spawn_app};

/// Callers, in the order of every row's expectations. `None` is anonymous;
/// the others are signed in with exactly that built-in role. The seventh is
/// a Viewer who must change their password first; the last, an
/// administrator impersonating a User Manager ("Login as"), in that
/// impersonation's tab (its pages and functions under `/as/ID`).
const CALLERS: [Option<&str>; 8] = [
    None,
    Some("User"),
    Some("Viewer"),
    Some("Support"),
    Some("User Manager"),
    Some("Administrator"),
    Some("Viewer"),
    Some("User Manager"),
];
const PENDING_PASSWORD_CHANGE: usize = 6;
const IMPERSONATING: usize = 7;
const CHANGE: Page = To("/account/password");

const Y: bool = true;
const N: bool = false;

type ServerFunctionRow = (&'static str, Args, [bool; 8]);

/// A server function's sample arguments: form fields, or a JSON body.
#[derive(Clone, Copy)]
enum Args {
    Form(&'static [(&'static str, &'static str)]),
    Json(&'static str),
}
use Args::{Form, Json};

/// Server function endpoint, arguments that are valid but harmless, and
/// whether each caller is allowed (anonymous, User, Viewer, Support, User
/// Manager, Administrator, pending password change, impersonating a User
/// Manager). "Allowed" means not
/// refused with 401/403 for who they are; the call may still fail for its
/// own reasons (404, 422).
/// `sign_out` is last: it ends the caller's session.
const SERVER_FUNCTIONS: &[ServerFunctionRow] = &[
    ("current_user", Form(&[]), [Y, Y, Y, Y, Y, Y, Y, Y]),
    (
        "sign_in",
        Form(&[("login", "nobody"), ("password", "not-a-password")]),
        [Y, Y, Y, Y, Y, Y, Y, Y],
    ),
    (
        "request_password_reset",
        Form(&[("login", "nobody@example.com")]),
        [Y, Y, Y, Y, Y, Y, Y, Y],
    ),
    (
        "reset_link_status",
        Form(&[("token", "not-a-token")]),
        [Y, Y, Y, Y, Y, Y, Y, Y],
    ),
    (
        "reset_password",
        Form(&[
            ("token", "not-a-token"),
            ("new_password", "Another-Long-Password-9"),
            ("confirm_password", "Another-Long-Password-9"),
        ]),
        [Y, Y, Y, Y, Y, Y, Y, Y],
    ),
    ("my_account", Form(&[]), [N, Y, Y, Y, Y, Y, Y, Y]),
    ("my_sessions", Form(&[]), [N, Y, Y, Y, Y, Y, N, Y]),
    (
        "end_my_session",
        Form(&[("session_id", "999999")]),
        [N, Y, Y, Y, Y, Y, N, N],
    ),
    (
        "change_password",
        Form(&[
            ("current_password", "not-my-password"),
            ("new_password", "Another-Long-Password-9"),
            ("confirm_password", "Another-Long-Password-9"),
        ]),
        [N, Y, Y, Y, Y, Y, Y, N],
    ),
    (
        "list_users",
        Form(&[("view", "")]),
        [N, N, Y, Y, Y, Y, N, Y],
    ),
    ("user_filter_options", Form(&[]), [N, N, Y, Y, Y, Y, N, Y]),
    (
        "bulk_action",
        Json(r#"{"action":"Unlock","selection":{"Ids":[999999]}}"#),
        [N, N, N, Y, Y, Y, N, Y],
    ),
    (
        "send_message",
        Json(r#"{"recipients":{"Selected":{"Ids":[999999]}},"body":"Hello"}"#),
        [N, N, N, Y, Y, Y, N, Y],
    ),
    (
        "get_user",
        Form(&[("username", "nobody")]),
        [N, N, Y, Y, Y, Y, N, Y],
    ),
    (
        "update_user",
        Json(
            r#"{"edit":{"id":999999,"version":1,"username":"nobody","email":"nobody@example.com","name":"No Body","phone":"","phone_ext":"","active":true,"roles":["User"],"teams":[]}}"#,
        ),
        [N, N, N, N, Y, Y, N, Y],
    ),
    (
        "end_user_session",
        Form(&[("user_id", "999999"), ("session_id", "999999")]),
        [N, N, N, Y, Y, Y, N, Y],
    ),
    (
        "delete_user_permanently",
        Form(&[("user_id", "999999"), ("confirm_username", "nobody")]),
        [N, N, N, N, Y, Y, N, Y],
    ),
    (
        "create_user",
        Json(
            r#"{"account":{"username":"!","email":"x","name":"x","phone":"","phone_ext":"","roles":[],"teams":[],"setup":"Invitation"}}"#,
        ),
        [N, N, N, N, Y, Y, N, Y],
    ),
    (
        "invitation_status",
        Form(&[("token", "not-a-token")]),
        [Y, Y, Y, Y, Y, Y, Y, Y],
    ),
    (
        "accept_invitation",
        Form(&[
            ("token", "not-a-token"),
            ("new_password", "Another-Long-Password-9"),
            ("confirm_password", "Another-Long-Password-9"),
        ]),
        [Y, Y, Y, Y, Y, Y, Y, Y],
    ),
    (
        "temporary_login_status",
        Form(&[("token", "not-a-token")]),
        [Y, Y, Y, Y, Y, Y, Y, Y],
    ),
    (
        "use_temporary_login",
        Form(&[("token", "not-a-token")]),
        [Y, Y, Y, Y, Y, Y, Y, Y],
    ),
    (
        "list_audit",
        Form(&[("view", "")]),
        [N, N, Y, N, Y, Y, N, Y],
    ),
    ("get_statistics", Form(&[]), [N, N, Y, N, Y, Y, N, Y]),
    (
        "get_audit_entry",
        Form(&[("id", "1")]),
        [N, N, Y, N, Y, Y, N, Y],
    ),
    ("list_roles", Form(&[]), [N, N, Y, Y, Y, Y, N, Y]),
    (
        "get_role",
        Form(&[("name", "Viewer"), ("page", "1")]),
        [N, N, Y, Y, Y, Y, N, Y],
    ),
    (
        "create_role",
        Json(r#"{"draft":{"name":"!","description":"","permissions":[]}}"#),
        [N, N, N, N, N, Y, N, N],
    ),
    (
        "update_role",
        Json(
            r#"{"edit":{"id":999999,"version":1,"name":"Nobody","description":"","permissions":[]}}"#,
        ),
        [N, N, N, N, N, Y, N, N],
    ),
    (
        "delete_role",
        Form(&[("id", "999999"), ("version", "1")]),
        [N, N, N, N, N, Y, N, N],
    ),
    ("list_teams", Form(&[]), [N, N, N, N, Y, Y, N, Y]),
    (
        "get_team",
        Form(&[("name", "Sales"), ("q", ""), ("page", "1")]),
        [N, N, N, N, Y, Y, N, Y],
    ),
    (
        "create_team",
        Form(&[("name", "!"), ("description", "")]),
        [N, N, N, N, Y, Y, N, Y],
    ),
    (
        "update_team",
        Form(&[
            ("id", "999999"),
            ("version", "1"),
            ("name", "Nobody"),
            ("description", ""),
        ]),
        [N, N, N, N, Y, Y, N, Y],
    ),
    (
        "delete_team",
        Form(&[("id", "999999"), ("version", "1")]),
        [N, N, N, N, Y, Y, N, Y],
    ),
    (
        "find_team_candidates",
        Form(&[("team_id", "999999"), ("q", "caller")]),
        [N, N, N, N, Y, Y, N, Y],
    ),
    (
        "change_team_members",
        Json(r#"{"team":"Nobody","add":true,"selection":{"Ids":[999999]}}"#),
        [N, N, N, N, Y, Y, N, Y],
    ),
    ("list_outbox", Form(&[]), [N, N, N, N, N, Y, N, N]),
    (
        "retry_email",
        Form(&[("id", "999999")]),
        [N, N, N, N, N, Y, N, N],
    ),
    ("my_api_tokens", Form(&[]), [N, N, N, N, N, Y, N, N]),
    (
        "create_api_token",
        Json(r#"{"new":{"name":"","days":90,"permissions":[]}}"#),
        [N, N, N, N, N, Y, N, N],
    ),
    (
        "revoke_api_token",
        Form(&[("id", "999999")]),
        [N, N, N, N, N, Y, N, N],
    ),
    (
        "user_api_tokens",
        Form(&[("username", "nobody")]),
        [N, N, N, N, N, Y, N, N],
    ),
    (
        "revoke_user_api_token",
        Form(&[("user_id", "999999"), ("id", "999999")]),
        [N, N, N, N, N, Y, N, N],
    ),
    (
        "login_as_offer",
        Form(&[("username", "nobody")]),
        [N, N, Y, Y, Y, Y, N, Y],
    ),
    (
        "start_impersonation",
        Form(&[("username", "nobody")]),
        [N, N, N, N, N, Y, N, N],
    ),
    // Ends the impersonation: after it, only `sign_out`.
    ("stop_impersonation", Form(&[]), [N, N, N, N, N, N, N, Y]),
    ("sign_out", Form(&[]), [Y, Y, Y, Y, Y, Y, Y, Y]),
];

/// What a page request gets: the page, or a redirect to the sign-in page,
/// to the account page with "permission denied", or on to another page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    Shown,
    SignIn,
    Denied,
    To(&'static str),
    /// 401 without a redirect (the live stream, metrics).
    Refused,
    /// 403 without a redirect (metrics without "View statistics").
    Forbidden,
    /// 404: not served there (an impersonation tab has no `/healthz`).
    Missing,
}
use Page::{Denied, Forbidden, Missing, Refused, Shown, SignIn, To};

/// Every route (the app's pages plus plain HTTP routes) and what each caller
/// gets there.
const ROUTES: &[(&str, [Page; 8])] = &[
    (
        "/",
        [
            SignIn,
            To("/account"),
            Shown,
            Shown,
            Shown,
            Shown,
            CHANGE,
            Shown,
        ],
    ),
    (
        "/users",
        [SignIn, Denied, Shown, Shown, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/users/export.csv",
        [SignIn, Denied, Shown, Shown, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/users/new",
        [SignIn, Denied, Denied, Denied, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/users/{username}",
        [SignIn, Denied, Shown, Shown, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/outbox",
        [
            SignIn, Denied, Denied, Denied, Denied, Shown, CHANGE, Denied,
        ],
    ),
    (
        "/audit/export.csv",
        [SignIn, Denied, Shown, Denied, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/audit/{id}",
        [SignIn, Denied, Shown, Denied, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/roles",
        [SignIn, Denied, Shown, Shown, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/roles/new",
        [
            SignIn, Denied, Denied, Denied, Denied, Shown, CHANGE, Denied,
        ],
    ),
    (
        "/roles/{name}",
        [SignIn, Denied, Shown, Shown, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/teams",
        [SignIn, Denied, Denied, Denied, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/teams/new",
        [SignIn, Denied, Denied, Denied, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/teams/{name}",
        [SignIn, Denied, Denied, Denied, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/audit",
        [SignIn, Denied, Shown, Denied, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/statistics",
        [SignIn, Denied, Shown, Denied, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/account",
        [SignIn, Shown, Shown, Shown, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/account/tokens",
        [
            SignIn, Denied, Denied, Denied, Denied, Shown, CHANGE, Denied,
        ],
    ),
    (
        "/account/password",
        [SignIn, Shown, Shown, Shown, Shown, Shown, Shown, Shown],
    ),
    // The component gallery: any signed-in user, where dev pages are on
    // (the tests' debug build; see config::the_component_gallery_…).
    (
        "/dev/components",
        [SignIn, Shown, Shown, Shown, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/login",
        [
            Shown,
            To("/account"),
            To("/"),
            To("/"),
            To("/"),
            To("/"),
            CHANGE,
            To("/"),
        ],
    ),
    (
        "/forgot-password",
        [Shown, Shown, Shown, Shown, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/reset-password",
        [Shown, Shown, Shown, Shown, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/accept-invitation",
        [Shown, Shown, Shown, Shown, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/temporary-login",
        [Shown, Shown, Shown, Shown, Shown, Shown, CHANGE, Shown],
    ),
    (
        "/healthz",
        [Shown, Shown, Shown, Shown, Shown, Shown, Shown, Missing],
    ),
    (
        "/live",
        [Refused, Shown, Shown, Shown, Shown, Shown, Shown, Shown],
    ),
    // The REST API takes API tokens, never a browser's session (see
    // `api_tokens.rs` for tokens).
    (
        "/api/v1/me",
        [
            Refused, Refused, Refused, Refused, Refused, Refused, Refused, Missing,
        ],
    ),
    (
        "/api/v1/users",
        [
            Refused, Refused, Refused, Refused, Refused, Refused, Refused, Missing,
        ],
    ),
    (
        "/api/v1/users/{username}",
        [
            Refused, Refused, Refused, Refused, Refused, Refused, Refused, Missing,
        ],
    ),
    (
        "/metrics",
        [
            Refused, Forbidden, Shown, Forbidden, Shown, Shown, Forbidden, Missing,
        ],
    ),
];

/// Routes served by axum directly, not by the Leptos router.
const HTTP_ROUTES: &[&str] = &[
    "/healthz",
    "/api/v1/me",
    "/api/v1/users",
    "/api/v1/users/{username}",
    "/users/export.csv",
    "/audit/export.csv",
    "/live",
    "/metrics",
];

#[tokio::test]
async fn the_tables_list_every_server_function_and_route() {
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    let listed: BTreeSet<String> = SERVER_FUNCTIONS
        .iter()
        .map(|(name, _, _)| format!("/api/{name}"))
        .collect();
    assert_eq!(
        registered, listed,
        "every server function must be in SERVER_FUNCTIONS (and nothing else)"
    );
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        assert_eq!(method, axum::http::Method::POST, "{path} takes POST only");
    }

    let pages: BTreeSet<String> = server::startup::route_list()
        .iter()
        .map(|route| route.path().to_owned())
        .chain(HTTP_ROUTES.iter().map(|r| r.to_string()))
        .collect();
    let listed: BTreeSet<String> = ROUTES.iter().map(|(path, _)| path.to_string()).collect();
    assert_eq!(
        pages, listed,
        "every route must be in ROUTES (and nothing else)"
    );
}

async fn callers(app: &TestApp) -> Vec<Visitor> {
    let mut visitors = Vec::new();
    for (i, caller) in CALLERS.iter().enumerate() {
        match caller {
            None => visitors.push(app.visitor()),
            Some(role) if i == IMPERSONATING => {
                let username = format!("caller{i}");
                app.create_user(&username, &[role], false).await;
                app.create_user("impersonator", &["Administrator"], false)
                    .await;
                let administrator = app.signed_in("impersonator").await;
                visitors.push(administrator.login_as(&username).await);
            }
            Some(role) => {
                let username = format!("caller{i}");
                app.create_user(&username, &[role], i == PENDING_PASSWORD_CHANGE)
                    .await;
                visitors.push(app.signed_in(&username).await);
            }
        }
    }
    visitors
}

fn caller_name(i: usize) -> &'static str {
    match i {
        PENDING_PASSWORD_CHANGE => "Viewer who must change their password",
        IMPERSONATING => "administrator impersonating a User Manager",
        _ => CALLERS[i].unwrap_or("anonymous"),
    }
}

async fn matrix(backend: Backend) {
    let app = spawn_app(backend).await;
    let visitors = callers(&app).await;
    app.execute(
        "INSERT INTO teams (name, description, created_at, updated_at, version) \
         VALUES ('Sales', '', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', 1)",
    )
    .await;

    for (path, expected) in ROUTES {
        // Parameters in a route are filled with an existing user, role or team.
        // The first audit entry: creating the first caller wrote it.
        let url = path
            .replace("{username}", "caller1")
            .replace("{id}", "1")
            .replace(
                "{name}",
                if path.starts_with("/roles") {
                    "User%20Manager"
                } else {
                    "Sales"
                },
            );
        for (i, visitor) in visitors.iter().enumerate() {
            // The live connection is a WebSocket: opened, not fetched.
            let (status, target) = if url == "/live" {
                (visitor.open_live().await.status, String::new())
            } else {
                let response = visitor.get(&url).await;
                // An impersonation tab's redirects stay under its base.
                let base = visitor.address.trim_start_matches(&app.address);
                let target = location(&response);
                let target = target.strip_prefix(base).unwrap_or(&target).to_owned();
                let status = response.status().as_u16();
                // Read whole, as a browser does: each page is rendered to
                // its end before the next request, not finished in the
                // background beside it (page_stream).
                response.bytes().await.expect("the page's body");
                (status, target)
            };
            let got = match status {
                // 422: the page is shown, saying what is wrong with its
                // parameters (a reset link without a valid token).
                200 | 101 | 422 => Shown,
                401 => Refused,
                403 => Forbidden,
                404 => Missing,
                303 if target.starts_with("/login") => SignIn,
                303 if target.starts_with("/account?denied=") => Denied,
                303 => To(Box::leak(target.into_boxed_str())),
                other => panic!("{path} as {}: unexpected status {other}", caller_name(i)),
            };
            assert_eq!(got, expected[i], "{path} as {}", caller_name(i));
        }
    }

    for (name, args, expected) in SERVER_FUNCTIONS {
        for (i, visitor) in visitors.iter().enumerate() {
            let response = match args {
                Form(fields) => visitor.call(name, fields).await,
                Json(body) => {
                    visitor
                        .call_json(name, &serde_json::from_str(body).unwrap())
                        .await
                }
            };
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            let refused = matches!(status, 401 | 403)
                && (matches!(
                    body.as_str(),
                    "\"Unauthenticated\"" | "\"Forbidden\"" | "\"PasswordChangeRequired\""
                ) || body.starts_with("{\"Refused\""));
            assert!(
                status < 500,
                "{name} as {}: server error {status}: {body}",
                caller_name(i)
            );
            assert_eq!(
                !refused,
                expected[i],
                "{name} as {}: {status} {body}",
                caller_name(i)
            );
        }
    }
}

#[tokio::test]
async fn every_server_function_and_route_enforces_its_permission_sqlite() {
    matrix(Backend::Sqlite).await;
}

#[tokio::test]
async fn every_server_function_and_route_enforces_its_permission_postgres() {
    matrix(Backend::Postgres).await;
}

#[tokio::test]
async fn server_functions_refuse_get() {
    let app = spawn_app(Backend::Sqlite).await;
    for (name, _, _) in SERVER_FUNCTIONS {
        let response = app.get(&format!("/api/{name}")).await;
        assert_eq!(response.status(), 405, "GET /api/{name}");
    }
}
