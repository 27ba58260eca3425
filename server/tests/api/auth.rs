//! Sign-in, sessions, lockout and the must-change-password gate, driven over
//! HTTP against the real router, on SQLite and PostgreSQL.

use app::auth::token::hash_token;
use app::error::AppError;
use serde_json::Value;

use crate::helpers::{
    Backend, FIREFOX, STRONG_PASSWORD, count, location, scalar, spawn_app, spawn_app_with,
};

/// The session token a response set, from its `Set-Cookie` header.
fn session_token(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("roster_session="))
        .and_then(|rest| rest.split(';').next())
        .filter(|t| !t.is_empty())
        .expect("a session cookie")
        .to_owned()
}

const NEW_PASSWORD: &str = "Brand-New-Orchid-Sky-7";

/// What the browser shows for a server function's error body.
fn shown(body: &str) -> String {
    serde_json::from_str::<AppError>(body)
        .unwrap_or_else(|e| panic!("not an AppError ({e}): {body}"))
        .to_string()
}

async fn sign_in_succeeds_and_stores_only_a_hash(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.create_user("ada", &["User"], false).await;
    let visitor = app.visitor();

    // Case does not matter, and the email works as well as the username.
    let response = visitor.sign_in("ADA@Example.com", STRONG_PASSWORD).await;
    assert_eq!(response.status(), 200);
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    let token = session_token(&response);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["redirect_to"], "/account",
        "a plain user lands on My account"
    );

    let stored: String = scalar(&app.db, "SELECT token_hash FROM sessions").await;
    assert_ne!(stored, token, "the token itself is never stored");
    assert_eq!(stored, hash_token(&token));
    assert_eq!(
        count(
            &app.db,
            &format!("SELECT COUNT(*) FROM sessions WHERE token_hash = '{token}'")
        )
        .await,
        0
    );

    assert_eq!(visitor.whoami().await.as_deref(), Some("ada"));
    let client: String = scalar(
        &app.db,
        &format!("SELECT last_signin_client FROM users WHERE id = {id}"),
    )
    .await;
    assert_eq!(client, "Firefox 121 on Linux");
    assert_eq!(
        count(
            &app.db,
            &format!(
                "SELECT COUNT(*) FROM users WHERE id = {id} AND last_signin_at IS NOT NULL \
                 AND signed_in_since IS NOT NULL AND last_signin_ip = '127.0.0.1'"
            )
        )
        .await,
        1
    );

    // A second sign-in gets a new token, and both sessions are listed.
    let again = app.visitor();
    let second = again.sign_in("ada", STRONG_PASSWORD).await;
    assert_ne!(session_token(&second), token);
    let sessions: Value = visitor.call("my_sessions", &[]).await.json().await.unwrap();
    assert_eq!(sessions.as_array().unwrap().len(), 2);
    assert_eq!(
        sessions
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["is_current"] == true)
            .count(),
        1
    );
}

async fn every_failing_cause_gets_the_same_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    for name in [
        "wrongpw",
        "inactive",
        "suspended",
        "locked",
        "invited",
        "deleted",
    ] {
        app.create_user(name, &["User"], false).await;
    }
    let now = "'2026-01-01T00:00:00+00:00'";
    app.execute("UPDATE users SET is_active = FALSE WHERE username = 'inactive'")
        .await;
    app.execute(&format!(
        "UPDATE users SET suspended_at = {now} WHERE username = 'suspended'"
    ))
    .await;
    app.execute(&format!(
        "UPDATE users SET locked_at = {now} WHERE username = 'locked'"
    ))
    .await;
    app.execute("UPDATE users SET password_hash = NULL WHERE username = 'invited'")
        .await;
    app.execute(&format!(
        "UPDATE users SET deleted_at = {now} WHERE username = 'deleted'"
    ))
    .await;

    let attempts = [
        ("nobody", STRONG_PASSWORD, "unknown_account"),
        ("wrongpw", "Not-The-Password-99", "wrong_password"),
        ("inactive", STRONG_PASSWORD, "inactive"),
        ("suspended", STRONG_PASSWORD, "suspended"),
        ("locked", STRONG_PASSWORD, "locked"),
        ("invited", STRONG_PASSWORD, "no_password_set"),
        ("deleted", STRONG_PASSWORD, "deleted"),
    ];
    let mut answers = Vec::new();
    for (login, password, _) in attempts {
        let response = app.visitor().sign_in(login, password).await;
        let status = response.status().as_u16();
        assert!(
            response.headers().get("set-cookie").is_none(),
            "{login}: no session cookie"
        );
        answers.push((status, response.text().await.unwrap()));
    }
    let first = answers[0].clone();
    assert_eq!(first.0, 401);
    assert!(
        shown(&first.1).starts_with("Sign-in failed."),
        "{}",
        first.1
    );
    for ((login, _, _), answer) in attempts.iter().zip(&answers) {
        assert_eq!(answer, &first, "{login} is answered like everyone else");
    }

    // The audit log knows the real reason for each.
    for (login, _, reason) in attempts {
        let found = count(
            &app.db,
            &format!(
                "SELECT COUNT(*) FROM audit_entries WHERE action = 'auth.sign_in_failed' \
                 AND target_username = '{login}' AND details LIKE '%\"reason\":\"{reason}\"%'"
            ),
        )
        .await;
        assert_eq!(found, 1, "{login}: {reason}");
    }
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM sessions").await, 0);
}

async fn wrong_passwords_lock_and_success_resets(backend: Backend) {
    let app = spawn_app_with(backend, &[("ROSTER_LOCKOUT_THRESHOLD", "3")]).await;
    let id = app.create_user("grace", &["User"], false).await;
    let visitor = app.visitor();
    let failures = |n: i64| {
        format!("SELECT COUNT(*) FROM users WHERE id = {id} AND failed_signin_count = {n}")
    };

    // Two failures, then success: the count starts again.
    for _ in 0..2 {
        assert_eq!(
            visitor.sign_in("grace", "wrong-password-1").await.status(),
            401
        );
    }
    assert_eq!(count(&app.db, &failures(2)).await, 1);
    assert_eq!(
        visitor.sign_in("grace", STRONG_PASSWORD).await.status(),
        200
    );
    assert_eq!(count(&app.db, &failures(0)).await, 1);

    // Three in a row lock the account; then even the right password fails.
    for _ in 0..3 {
        assert_eq!(
            app.visitor()
                .sign_in("grace", "wrong-password-1")
                .await
                .status(),
            401
        );
    }
    let locked = format!(
        "SELECT COUNT(*) FROM users WHERE id = {id} AND locked_at IS NOT NULL AND locked_until IS NOT NULL"
    );
    assert_eq!(count(&app.db, &locked).await, 1);
    assert_eq!(
        app.visitor()
            .sign_in("grace", STRONG_PASSWORD)
            .await
            .status(),
        401
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'user.lock'"
        )
        .await,
        1
    );
    // The lock also ends the session opened before it.
    assert_eq!(visitor.whoami().await, None);

    // Once the automatic lock has run out, the right password works and
    // clears the lock.
    app.execute(&format!(
        "UPDATE users SET locked_until = '2020-01-01T00:00:00+00:00' WHERE id = {id}"
    ))
    .await;
    // The lock started the count again: one more mistake does not lock anew.
    assert_eq!(
        app.visitor()
            .sign_in("grace", "wrong-password-1")
            .await
            .status(),
        401
    );
    assert_eq!(count(&app.db, &failures(1)).await, 1);
    assert_eq!(
        app.visitor()
            .sign_in("grace", STRONG_PASSWORD)
            .await
            .status(),
        200
    );
    assert_eq!(
        count(
            &app.db,
            &format!(
                "SELECT COUNT(*) FROM users WHERE id = {id} AND locked_at IS NULL AND failed_signin_count = 0"
            )
        )
        .await,
        1
    );
}

async fn ended_sessions_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("lin", &["Viewer"], false).await;
    let long_ago = "'2020-01-01T00:00:00+00:00'";
    for (how, sql) in [
        (
            "revoked",
            format!("UPDATE sessions SET revoked_at = {long_ago}"),
        ),
        (
            "idle",
            format!("UPDATE sessions SET last_seen_at = {long_ago}"),
        ),
        (
            "expired",
            format!("UPDATE sessions SET expires_at = {long_ago}"),
        ),
    ] {
        let caller = app.signed_in("lin").await;
        let browser = app.signed_in("lin").await;
        assert_eq!(caller.whoami().await.as_deref(), Some("lin"), "{how}");
        app.execute(&sql).await;

        // Server functions refuse the ended session (and the cookie is
        // cleared, so the browser stops sending it).
        let refused = caller.call("my_sessions", &[]).await;
        assert_eq!(refused.status(), 401, "{how}");
        assert!(
            refused
                .headers()
                .get("set-cookie")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|c| c.contains("Max-Age=0")),
            "{how}: the cookie is cleared"
        );
        assert_eq!(caller.whoami().await, None, "{how}");
        // A page says why the sign-in page is shown.
        let page = browser.get("/account").await;
        assert_eq!(page.status(), 303, "{how}");
        assert_eq!(
            location(&page),
            "/login?next=%2Faccount&reason=session_ended",
            "{how}"
        );
        app.execute("DELETE FROM sessions").await;
    }
}

async fn signing_out_ends_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.create_user("sam", &["User"], false).await;
    let visitor = app.signed_in("sam").await;
    let response = visitor.call("sign_out", &[]).await;
    assert_eq!(response.status(), 200);
    let cleared = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(visitor.whoami().await, None);
    assert_eq!(
        count(
            &app.db,
            &format!(
                "SELECT COUNT(*) FROM users WHERE id = {id} AND signed_in_since IS NULL \
                 AND last_signed_out_at IS NOT NULL"
            )
        )
        .await,
        1,
        "the user shows as signed out"
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'auth.sign_out'"
        )
        .await,
        1
    );
}

async fn must_change_password_gate(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("newbie", &["Viewer"], true).await;
    let visitor = app.visitor();
    let other_device = app.signed_in("newbie").await;

    let response = visitor.sign_in("newbie", STRONG_PASSWORD).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["redirect_to"], "/account/password");

    // Every other server function refuses, with a clear reason.
    let refused = visitor.call("my_sessions", &[]).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        shown(&refused.text().await.unwrap()),
        "You must change your password before you continue."
    );
    // Pages lead to the change-password page.
    let page = visitor.get("/users").await;
    assert_eq!(location(&page), "/account/password");
    assert_eq!(visitor.get("/account/password").await.status(), 200);

    // A weak password is refused with the reason, on its field.
    let weak = visitor
        .change_password(STRONG_PASSWORD, "password123", "password123")
        .await;
    assert_eq!(weak.status(), 422);
    let error: Value = weak.json().await.unwrap();
    assert_eq!(error["Validation"]["field"], "new_password", "{error}");

    let wrong_current = visitor
        .change_password("not-my-password", NEW_PASSWORD, NEW_PASSWORD)
        .await;
    assert_eq!(wrong_current.status(), 422);
    // Guessing the current password counts like a failed sign-in.
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'user.password_change_failed'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM users WHERE username = 'newbie' AND failed_signin_count = 1"
        )
        .await,
        1
    );

    let changed = visitor
        .change_password(STRONG_PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
        .await;
    assert_eq!(changed.status(), 200);
    let outcome: Value = changed.json().await.unwrap();
    assert_eq!(outcome["other_sessions_ended"], 1);
    assert_eq!(outcome["redirect_to"], "/", "a Viewer has the console");

    // Unlocked: this browser carries on, the other device was signed out,
    // and the old password no longer works.
    assert_eq!(visitor.call("my_sessions", &[]).await.status(), 200);
    assert_eq!(other_device.whoami().await, None);
    assert_eq!(
        app.visitor()
            .sign_in("newbie", STRONG_PASSWORD)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.visitor().sign_in("newbie", NEW_PASSWORD).await.status(),
        200
    );
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'user.password_change'"
        )
        .await,
        1
    );
}

async fn sign_in_attempts_are_rate_limited_per_address(backend: Backend) {
    let app = spawn_app_with(backend, &[("ROSTER_SIGNIN_RATE_LIMIT", "3")]).await;
    app.create_user("rita", &["User"], false).await;
    for _ in 0..3 {
        assert_eq!(
            app.visitor()
                .sign_in("rita", "wrong-password-1")
                .await
                .status(),
            401
        );
    }
    let limited = app.visitor().sign_in("rita", STRONG_PASSWORD).await;
    assert_eq!(limited.status(), 429);
    assert!(shown(&limited.text().await.unwrap()).starts_with("Too many attempts"));
}

async fn users_can_end_their_own_sessions_only(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("kim", &["User"], false).await;
    app.create_user("lee", &["User"], false).await;
    let laptop = app.signed_in("kim").await;
    let phone = app.signed_in("kim").await;
    let lee = app.signed_in("lee").await;
    let phone_session: i64 = scalar(
        &app.db,
        "SELECT MAX(s.id) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'kim'",
    )
    .await;

    // Someone else's session is not found, and stays open.
    let refused = lee
        .call(
            "end_my_session",
            &[("session_id", &phone_session.to_string())],
        )
        .await;
    assert_eq!(refused.status(), 404);
    assert_eq!(phone.whoami().await.as_deref(), Some("kim"));

    let ended = laptop
        .call(
            "end_my_session",
            &[("session_id", &phone_session.to_string())],
        )
        .await;
    assert_eq!(ended.status(), 200);
    assert_eq!(phone.whoami().await, None);
    assert_eq!(laptop.whoami().await.as_deref(), Some("kim"));
}

/// Pages without a session go to the sign-in page and come back after it.
async fn pages_need_a_session_and_return_after_sign_in(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("val", &["Viewer"], false).await;
    let visitor = app.visitor();
    let page = visitor.get("/users?page=2").await;
    assert_eq!(page.status(), 303);
    assert_eq!(location(&page), "/login?next=%2Fusers%3Fpage%3D2");
    assert_eq!(visitor.get("/login?next=%2Fusers").await.status(), 200);

    let response = visitor
        .call(
            "sign_in",
            &[
                ("login", "val"),
                ("password", STRONG_PASSWORD),
                ("next", "/users?page=2"),
            ],
        )
        .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["redirect_to"], "/users?page=2");
    // Once signed in, the sign-in page sends people on.
    assert_eq!(location(&visitor.get("/login").await), "/");

    // A `next` pointing at another site is ignored, however disguised
    // (browsers drop tabs and newlines and read `\` as `/`).
    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\\evil.example",
    ] {
        let other = app.visitor();
        let response = other
            .call(
                "sign_in",
                &[
                    ("login", "val"),
                    ("password", STRONG_PASSWORD),
                    ("next", evil),
                ],
            )
            .await;
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["redirect_to"], "/", "{evil:?}");
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("next", evil)
            .finish();
        assert_eq!(
            location(&other.get(&format!("/login?{query}")).await),
            "/",
            "{evil:?}"
        );
    }
}

async fn signing_in_from_a_page_whose_session_ended_keeps_the_new_session(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("olu", &["User"], false).await;
    let browser = app.signed_in("olu").await;
    app.execute("UPDATE sessions SET revoked_at = '2020-01-01T00:00:00+00:00'")
        .await;
    // The browser still sends the dead cookie with its sign-in.
    assert_eq!(browser.sign_in("olu", STRONG_PASSWORD).await.status(), 200);
    assert_eq!(browser.whoami().await.as_deref(), Some("olu"));
}

async fn not_found_pages_carry_the_csp_nonce(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("nina", &["Viewer"], false).await;
    let browser = app.signed_in("nina").await;
    let page = browser.get("/no/such/page").await;
    assert_eq!(page.status(), 404);
    let csp = page
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        page.text()
            .await
            .unwrap()
            .contains(&format!("nonce=\"{nonce}\""))
    );
}

async fn signing_in_again_replaces_the_browsers_session(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("first", &["User"], false).await;
    app.create_user("second", &["User"], false).await;
    let browser = app.signed_in("first").await;
    assert_eq!(
        browser.sign_in("second", STRONG_PASSWORD).await.status(),
        200
    );
    assert_eq!(browser.whoami().await.as_deref(), Some("second"));
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL"
        )
        .await,
        1,
        "the first user's session in this browser has ended"
    );
}

async fn presence_follows_sessions(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.create_user("pat", &["User"], false).await;
    let _visitor = app.signed_in("pat").await;
    let signed_in =
        format!("SELECT COUNT(*) FROM users WHERE id = {id} AND signed_in_since IS NOT NULL");
    assert_eq!(count(&app.db, &signed_in).await, 1);

    // The session goes idle; the sweep (run every minute by the server)
    // marks the user signed out.
    app.execute("UPDATE sessions SET last_seen_at = '2020-01-01T00:00:00+00:00'")
        .await;
    let swept = app::auth::service::sweep_expired_presence(
        &app.db,
        &app::auth::settings::AuthSettings::default(),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(swept, 1);
    assert_eq!(count(&app.db, &signed_in).await, 0);
    // The audit log says so, once, about pat.
    let expired = format!(
        "SELECT COUNT(*) FROM audit_entries WHERE action = 'auth.session_expire' AND target_user_id = {id}"
    );
    assert_eq!(count(&app.db, &expired).await, 1);
    // A second sweep finds nobody left to mark, and records nothing.
    let again = app::auth::service::sweep_expired_presence(
        &app.db,
        &app::auth::settings::AuthSettings::default(),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(again, 0);
    assert_eq!(count(&app.db, &expired).await, 1);
}

async fn responses_carry_security_headers_and_cross_site_writes_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = app.get("/login").await;
    assert_eq!(page.status(), 200);
    let header = |name: &str| {
        page.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let csp = header("content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("referrer-policy"), "same-origin");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce")
        .to_owned();
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration scripts carry the header's nonce"
    );
    // A fresh nonce for every response.
    let again = app.get("/login").await;
    assert!(
        !again
            .headers()
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .contains(&nonce)
    );

    app.create_user("eve", &["User"], false).await;
    let form = [("login", "eve"), ("password", STRONG_PASSWORD)];
    let cross_site = app
        .client
        .post(format!("{}/api/sign_in", app.address))
        .header("origin", "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let fetch_cross_site = app
        .client
        .post(format!("{}/api/sign_in", app.address))
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(fetch_cross_site.status(), 403);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM sessions").await, 0);
    let same_site = app
        .client
        .post(format!("{}/api/sign_in", app.address))
        .header("origin", &app.address)
        .header("user-agent", FIREFOX)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), 200);
}

both_backends!(sign_in_succeeds_and_stores_only_a_hash);
both_backends!(every_failing_cause_gets_the_same_answer);
both_backends!(wrong_passwords_lock_and_success_resets);
both_backends!(ended_sessions_are_refused);
both_backends!(signing_out_ends_the_session);
both_backends!(must_change_password_gate);
both_backends!(users_can_end_their_own_sessions_only);
both_backends!(pages_need_a_session_and_return_after_sign_in);
both_backends!(presence_follows_sessions);
both_backends!(signing_in_again_replaces_the_browsers_session);
both_backends!(signing_in_from_a_page_whose_session_ended_keeps_the_new_session);

#[tokio::test]
async fn not_found_pages_carry_the_csp_nonce_sqlite() {
    not_found_pages_carry_the_csp_nonce(Backend::Sqlite).await;
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited_per_address_sqlite() {
    sign_in_attempts_are_rate_limited_per_address(Backend::Sqlite).await;
}

#[tokio::test]
async fn responses_carry_security_headers_and_cross_site_writes_are_refused_sqlite() {
    responses_carry_security_headers_and_cross_site_writes_are_refused(Backend::Sqlite).await;
}

/// A form posted as a browser without JavaScript posts it (before the
/// WebAssembly arrives, or with it off): `Accept: text/html`, a Referer.
async fn plain_form(
    visitor: &crate::helpers::Visitor,
    function: &str,
    page: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    visitor
        .client
        .post(format!("{}/api/{function}", visitor.address))
        .header("origin", &visitor.address)
        .header("accept", "text/html")
        .header("referer", format!("{}{page}", visitor.address))
        .form(fields)
        .send()
        .await
        .expect("answer")
}

async fn refused_plain_forms_return_to_their_page_with_the_message(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("ada", &["User"], false).await;
    let visitor = app.visitor();

    // A refused sign-in: 303 back to the sign-in page, which says why (not
    // a blank page reading "SignInFailed").
    let refused = plain_form(
        &visitor,
        "sign_in",
        "/login",
        &[("login", "ada"), ("password", "not-her-password")],
    )
    .await;
    assert_eq!(refused.status(), 303);
    let back = location(&refused);
    assert!(
        back.contains("/login?") && back.contains("__err="),
        "{back}"
    );
    let page = visitor.client.get(&back).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Sign-in failed. Check your username"),
        "the page shows the refusal"
    );
    assert_eq!(visitor.whoami().await, None);

    // Accepted: signed in, and sent on (not to an error).
    let accepted = plain_form(
        &visitor,
        "sign_in",
        "/login",
        &[("login", "ada"), ("password", STRONG_PASSWORD)],
    )
    .await;
    assert!(accepted.status().is_redirection(), "{}", accepted.status());
    assert!(!location(&accepted).contains("__err"));
    assert_eq!(visitor.whoami().await.as_deref(), Some("ada"));

    // A refused password change on the account page: back to the page with
    // its message; the password is unchanged.
    let refused = plain_form(
        &visitor,
        "change_password",
        "/account",
        &[
            ("current_password", "wrong"),
            ("new_password", "Another-Long-Password-77"),
            ("confirm_password", "Another-Long-Password-77"),
        ],
    )
    .await;
    assert_eq!(refused.status(), 303);
    let back = location(&refused);
    assert!(
        back.contains("/account?") && back.contains("__err="),
        "{back}"
    );
    let page = visitor.client.get(&back).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(
        app.visitor().sign_in("ada", STRONG_PASSWORD).await.status(),
        200,
        "the password is unchanged"
    );
}
both_backends!(refused_plain_forms_return_to_their_page_with_the_message);
