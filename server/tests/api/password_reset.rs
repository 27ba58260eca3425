//! "Forgot password?" end to end over HTTP, with email delivered to a real
//! SMTP listener: the link arrives, works exactly once, and expired,
//! replaced and reused links are refused; the answer is the same for known
//! and unknown addresses; the owner is told their password changed.

use serde_json::Value;

use crate::helpers::{Backend, TestApp, Visitor, error_of, spawn_app};

const NEW_PASSWORD: &str = "Copper-Meadow-Whistle-77";

async fn ask(visitor: &Visitor, login: &str) -> (u16, String) {
    let response = visitor
        .call("request_password_reset", &[("login", login)])
        .await;
    (
        response.status().as_u16(),
        response.text().await.unwrap_or_default(),
    )
}

async fn reset(visitor: &Visitor, token: &str, password: &str) -> (u16, Value) {
    let response = visitor
        .call(
            "reset_password",
            &[
                ("token", token),
                ("new_password", password),
                ("confirm_password", password),
            ],
        )
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn reset_token(app: &mut TestApp, address: &str) -> String {
    let email = app.mail.next(10).await.expect("the reset email arrives");
    assert_eq!(email.to, [address.to_owned()]);
    assert_eq!(email.subject(), "Reset your Roster password");
    let decoded = email.decoded();
    assert!(
        decoded.contains("text/plain") && decoded.contains("text/html"),
        "{decoded}"
    );
    // Built from ROSTER_PUBLIC_URL (here the default, from the listen address).
    assert!(
        decoded.contains("http://127.0.0.1:0/reset-password?token="),
        "{decoded}"
    );
    email.token_for("/reset-password").expect("a reset link")
}

async fn a_reset_link_works_once(backend: Backend) {
    let mut app = spawn_app(backend).await;
    app.create_user("ann", &["User"], false).await;
    let elsewhere = app.signed_in("ann").await;
    let visitor = app.visitor();

    // The same answer whether or not the account exists; no email for
    // nobody (the next one to arrive is ann's).
    let unknown = ask(&visitor, "nobody@example.com").await;
    let known = ask(&visitor, "ANN@example.com").await;
    assert_eq!(unknown.0, 200);
    assert_eq!(unknown, known);
    let token = reset_token(&mut app, "ann@example.com").await;

    // The page the link opens knows whose account it is.
    let status = visitor
        .call("reset_link_status", &[("token", &token)])
        .await;
    assert_eq!(status.status(), 200);
    assert_eq!(status.json::<Value>().await.unwrap(), "ann");

    // A weak password is refused on its field and the link still works.
    let (status, body) = reset(&visitor, &token, "password123").await;
    assert_eq!(status, 422);
    assert_eq!(error_of(&body).1, "new_password");

    let (status, body) = reset(&visitor, &token, NEW_PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    // Signed in elsewhere with the old password: signed out now.
    assert_eq!(elsewhere.whoami().await, None);
    let fresh = app.visitor();
    assert_eq!(
        fresh
            .sign_in("ann", crate::helpers::STRONG_PASSWORD)
            .await
            .status(),
        401,
        "the old password no longer works"
    );
    assert_eq!(fresh.sign_in("ann", NEW_PASSWORD).await.status(), 200);

    // The owner is told.
    let notice = app.mail.next(10).await.expect("the notice arrives");
    assert_eq!(notice.to, ["ann@example.com".to_owned()]);
    assert_eq!(notice.subject(), "Your Roster password was changed");

    // Used once: the second time says so, and changes nothing.
    let (status, body) = reset(&visitor, &token, "Another-Fine-Password-90").await;
    assert_eq!(status, 422);
    assert_eq!(
        error_of(&body),
        (
            "This link has already been used. Ask for a new one if you need it again.".to_owned(),
            "token".to_owned()
        )
    );
    assert_eq!(
        app.visitor().sign_in("ann", NEW_PASSWORD).await.status(),
        200
    );
}
both_backends!(a_reset_link_works_once);

async fn expired_replaced_and_made_up_links_are_refused(backend: Backend) {
    let mut app = spawn_app(backend).await;
    app.create_user("bob", &["User"], false).await;
    let visitor = app.visitor();

    ask(&visitor, "bob").await;
    let first = reset_token(&mut app, "bob@example.com").await;
    ask(&visitor, "bob").await;
    let second = reset_token(&mut app, "bob@example.com").await;
    let (status, body) = reset(&visitor, &first, NEW_PASSWORD).await;
    assert_eq!(status, 422);
    assert_eq!(
        error_of(&body).0,
        "A newer link has been sent; this one no longer works. Use the newest email."
    );

    app.execute("UPDATE one_time_tokens SET expires_at = created_at")
        .await;
    let (status, body) = reset(&visitor, &second, NEW_PASSWORD).await;
    assert_eq!(status, 422);
    assert_eq!(
        error_of(&body).0,
        "This link has expired. Ask for a new one."
    );
    let status = visitor
        .call("reset_link_status", &[("token", &second)])
        .await;
    assert_eq!(status.status(), 422);

    let (status, body) = reset(&visitor, "made-up", NEW_PASSWORD).await;
    assert_eq!(status, 422);
    assert_eq!(error_of(&body).1, "token");
    // bob's password is what it was.
    assert_eq!(
        app.visitor()
            .sign_in("bob", crate::helpers::STRONG_PASSWORD)
            .await
            .status(),
        200
    );
}
both_backends!(expired_replaced_and_made_up_links_are_refused);

async fn changing_ones_own_password_sends_a_notice(backend: Backend) {
    let mut app = spawn_app(backend).await;
    app.create_user("cat", &["User"], false).await;
    let cat = app.signed_in("cat").await;
    let response = cat
        .change_password(crate::helpers::STRONG_PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
        .await;
    assert_eq!(response.status(), 200);
    let notice = app.mail.next(10).await.expect("the notice arrives");
    assert_eq!(notice.to, ["cat@example.com".to_owned()]);
    assert_eq!(notice.subject(), "Your Roster password was changed");
    assert!(
        notice.decoded().contains("Hello cat Tester"),
        "{}",
        notice.decoded()
    );
}
both_backends!(changing_ones_own_password_sends_a_notice);
