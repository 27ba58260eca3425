//! Accounts over their life, over HTTP with email delivered to a real SMTP
//! listener: New User with a temporary password or an invitation, accepting
//! an invitation, Reset Password and Send Temporary Login sent by an
//! administrator, editing on the user page (validation, duplicates, the
//! concurrent-edit conflict), and Delete / Restore / Delete permanently.

use serde_json::{Value, json};

use crate::helpers::{Backend, STRONG_PASSWORD, TestApp, Visitor, count, error_of, spawn_app};

const CHOSEN: &str = "Copper-Meadow-Whistle-77";

async fn json_call(visitor: &Visitor, name: &str, body: Value) -> (u16, Value) {
    let response = visitor.call_json(name, &body).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn form_call(visitor: &Visitor, name: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = visitor.call(name, form).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn new_account(username: &str, setup: Value) -> Value {
    json!({ "account": {
        "username": username,
        "email": format!("{username}@example.com"),
        "name": format!("{username} Newcomer"),
        "phone": "5551234",
        "phone_ext": "12",
        "roles": ["User"],
        "teams": [],
        "setup": setup,
    }})
}

async fn bulk(visitor: &Visitor, action: Value, id: i64) -> (u16, Value) {
    json_call(
        visitor,
        "bulk_action",
        json!({ "action": action, "selection": { "Ids": [id] } }),
    )
    .await
}

async fn user_id(app: &TestApp, username: &str) -> i64 {
    count(
        &app.db,
        &format!("SELECT id FROM users WHERE username = '{username}'"),
    )
    .await
}

async fn an_invited_user_sets_a_password_and_is_signed_in(backend: Backend) {
    let mut app = spawn_app(backend).await;
    app.create_user("boss", &["Administrator"], false).await;
    let admin = app.signed_in("boss").await;

    let (status, body) = json_call(
        &admin,
        "create_user",
        new_account("newbie", json!("Invitation")),
    )
    .await;
    assert_eq!((status, body.clone()), (200, json!("newbie")));
    let (_, details) = form_call(&admin, "get_user", &[("username", "newbie")]).await;
    assert_eq!(details["invited"], true, "{details}");
    assert!(
        details["row"]["badges"]
            .as_array()
            .unwrap()
            .contains(&json!("Invited"))
    );

    let email = app.mail.next(10).await.expect("the invitation arrives");
    assert_eq!(email.to, ["newbie@example.com".to_owned()]);
    assert_eq!(email.subject(), "You are invited to Roster");
    let decoded = email.decoded();
    assert!(decoded.contains("text/plain") && decoded.contains("text/html"));
    assert!(decoded.contains("Your username is newbie"), "{decoded}");
    let token = email
        .token_for("/accept-invitation")
        .expect("an invitation link");

    // Before accepting, the account cannot sign in at all.
    let visitor = app.visitor();
    assert_eq!(visitor.sign_in("newbie", CHOSEN).await.status(), 401);
    let (status, info) = form_call(&visitor, "invitation_status", &[("token", &token)]).await;
    assert_eq!(status, 200);
    assert_eq!(info["username"], "newbie");

    let accept = |password: &'static str| {
        let token = token.clone();
        let visitor = &visitor;
        async move {
            form_call(
                visitor,
                "accept_invitation",
                &[
                    ("token", &token),
                    ("new_password", password),
                    ("confirm_password", password),
                ],
            )
            .await
        }
    };
    let (status, body) = accept("password123").await;
    assert_eq!(status, 422);
    assert_eq!(error_of(&body).1, "new_password");

    let (status, body) = accept(CHOSEN).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["redirect_to"], "/account");
    assert_eq!(visitor.whoami().await.as_deref(), Some("newbie"));
    let (_, details) = form_call(&admin, "get_user", &[("username", "newbie")]).await;
    assert_eq!(details["invited"], false);
    assert!(
        details["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "Accepted the invitation"),
        "{details}"
    );

    // Once only.
    let (status, body) = accept("Another-Fine-Password-90").await;
    assert_eq!(status, 422);
    assert_eq!(
        error_of(&body).0,
        "This link has already been used. Ask for a new one if you need it again."
    );
    assert_eq!(app.visitor().sign_in("newbie", CHOSEN).await.status(), 200);
}
both_backends!(an_invited_user_sets_a_password_and_is_signed_in);

async fn invitations_can_be_resent_cancelled_and_expire(backend: Backend) {
    let mut app = spawn_app(backend).await;
    app.create_user("boss", &["Administrator"], false).await;
    let admin = app.signed_in("boss").await;
    json_call(
        &admin,
        "create_user",
        new_account("late", json!("Invitation")),
    )
    .await;
    let first = app
        .mail
        .next(10)
        .await
        .unwrap()
        .token_for("/accept-invitation")
        .unwrap();
    let id = user_id(&app, "late").await;

    let (status, body) = bulk(&admin, json!("ResendInvitation"), id).await;
    assert_eq!(
        (status, body["succeeded"].clone()),
        (200, json!(1)),
        "{body}"
    );
    let second = app
        .mail
        .next(10)
        .await
        .unwrap()
        .token_for("/accept-invitation")
        .unwrap();
    let visitor = app.visitor();
    let (status, body) = form_call(&visitor, "invitation_status", &[("token", &first)]).await;
    assert_eq!(status, 422);
    assert_eq!(
        error_of(&body).0,
        "A newer link has been sent; this one no longer works. Use the newest email."
    );

    app.execute("UPDATE one_time_tokens SET expires_at = created_at")
        .await;
    let (status, body) = form_call(&visitor, "invitation_status", &[("token", &second)]).await;
    assert_eq!(status, 422);
    assert_eq!(
        error_of(&body).0,
        "This link has expired. Ask for a new one."
    );

    // Cancelling deletes the pending account; a user who is not invited is skipped.
    let (status, body) = bulk(&admin, json!("CancelInvitation"), id).await;
    assert_eq!(
        (status, body["succeeded"].clone()),
        (200, json!(1)),
        "{body}"
    );
    let (_, details) = form_call(&admin, "get_user", &[("username", "late")]).await;
    assert_eq!(details["deleted"], true);
    let boss = user_id(&app, "boss").await;
    let (_, body) = bulk(&admin, json!("ResendInvitation"), boss).await;
    assert_eq!(body["succeeded"], 0);
    assert_eq!(
        body["skipped"][0]["reason"],
        "not invited, or already accepted"
    );
}
both_backends!(invitations_can_be_resent_cancelled_and_expire);

async fn a_temporary_password_must_be_changed_at_first_sign_in(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("boss", &["User Manager"], false).await;
    let manager = app.signed_in("boss").await;

    // A weak temporary password is refused on its field; nothing is created.
    let (status, body) = json_call(
        &manager,
        "create_user",
        new_account("temp", json!({ "TemporaryPassword": "password123" })),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(error_of(&body).1, "password");
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM users WHERE username = 'temp'"
        )
        .await,
        0
    );

    // Nobody hands out a role with more power than they have.
    let mut admin_account = new_account("temp", json!({ "TemporaryPassword": STRONG_PASSWORD }));
    admin_account["account"]["roles"] = json!(["Administrator"]);
    let (status, body) = json_call(&manager, "create_user", admin_account).await;
    assert_eq!(status, 422);
    assert_eq!(error_of(&body).1, "roles");

    let (status, body) = json_call(
        &manager,
        "create_user",
        new_account("temp", json!({ "TemporaryPassword": STRONG_PASSWORD })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = json_call(
        &manager,
        "create_user",
        new_account("temp", json!({ "TemporaryPassword": STRONG_PASSWORD })),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(error_of(&body).1, "username");

    let newcomer = app.visitor();
    let response = newcomer.sign_in("temp", STRONG_PASSWORD).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["redirect_to"], "/account/password");
    // Nothing else until the password is changed.
    assert_eq!(newcomer.call("my_sessions", &[]).await.status(), 403);
}
both_backends!(a_temporary_password_must_be_changed_at_first_sign_in);

async fn administrators_send_reset_and_temporary_login_links(backend: Backend) {
    let mut app = spawn_app(backend).await;
    app.create_user("helper", &["Support"], false).await;
    let ann = app.create_user("ann", &["User"], false).await;
    let support = app.signed_in("helper").await;

    let (status, body) = bulk(&support, json!("ResetPassword"), ann).await;
    assert_eq!(
        (status, body["succeeded"].clone()),
        (200, json!(1)),
        "{body}"
    );
    let email = app.mail.next(10).await.expect("the reset link arrives");
    assert_eq!(email.to, ["ann@example.com".to_owned()]);
    assert_eq!(email.subject(), "Choose a new Roster password");
    let token = email.token_for("/reset-password").unwrap();
    let visitor = app.visitor();
    let reset = |token: String| {
        let visitor = &visitor;
        async move {
            form_call(
                visitor,
                "reset_password",
                &[
                    ("token", &token),
                    ("new_password", CHOSEN),
                    ("confirm_password", CHOSEN),
                ],
            )
            .await
            .0
        }
    };
    assert_eq!(reset(token.clone()).await, 200);
    assert_eq!(reset(token).await, 422, "a reset link works once");
    let notice = app
        .mail
        .next(10)
        .await
        .expect("the changed-password notice");
    assert_eq!(notice.subject(), "Your Roster password was changed");

    let (status, body) = bulk(&support, json!("SendTemporaryLogin"), ann).await;
    assert_eq!(
        (status, body["succeeded"].clone()),
        (200, json!(1)),
        "{body}"
    );
    let email = app
        .mail
        .next(10)
        .await
        .expect("the temporary login arrives");
    assert_eq!(email.subject(), "Your temporary Roster sign-in link");
    let token = email.token_for("/temporary-login").unwrap();
    let (status, body) = form_call(&visitor, "temporary_login_status", &[("token", &token)]).await;
    assert_eq!((status, body), (200, json!("ann")));
    let (status, body) = form_call(&visitor, "use_temporary_login", &[("token", &token)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["redirect_to"], "/account/password");
    assert_eq!(visitor.whoami().await.as_deref(), Some("ann"));
    assert_eq!(
        visitor.call("my_sessions", &[]).await.status(),
        403,
        "must change the password first"
    );
    // The link replaced the forgotten password: it no longer signs in, and
    // the new one is chosen without it.
    assert_eq!(app.visitor().sign_in("ann", CHOSEN).await.status(), 401);
    let changed = visitor
        .change_password("", "Another-Fine-Password-90", "Another-Fine-Password-90")
        .await;
    assert_eq!(changed.status(), 200);
    assert_eq!(
        app.visitor()
            .sign_in("ann", "Another-Fine-Password-90")
            .await
            .status(),
        200
    );
    let notice = app
        .mail
        .next(10)
        .await
        .expect("the changed-password notice");
    assert_eq!(notice.subject(), "Your Roster password was changed");
    let (status, body) =
        form_call(&app.visitor(), "use_temporary_login", &[("token", &token)]).await;
    assert_eq!(status, 422);
    assert_eq!(error_of(&body).1, "token");

    // An expired temporary login is refused and signs nobody in.
    bulk(&support, json!("SendTemporaryLogin"), ann).await;
    let token = app
        .mail
        .next(10)
        .await
        .unwrap()
        .token_for("/temporary-login")
        .unwrap();
    app.execute("UPDATE one_time_tokens SET expires_at = created_at")
        .await;
    let late = app.visitor();
    let (status, body) = form_call(&late, "use_temporary_login", &[("token", &token)]).await;
    assert_eq!(status, 422);
    assert_eq!(
        error_of(&body).0,
        "This link has expired. Ask for a new one."
    );
    assert_eq!(late.whoami().await, None);

    // A suspended user gets no link, and the result says why.
    bulk(
        &support,
        json!({ "Suspend": { "reason": "on leave" } }),
        ann,
    )
    .await;
    let (_, body) = bulk(&support, json!("ResetPassword"), ann).await;
    assert_eq!(body["succeeded"], 0);
    assert_eq!(
        body["skipped"][0]["reason"],
        "inactive or suspended: cannot sign in"
    );
}
both_backends!(administrators_send_reset_and_temporary_login_links);

fn edit_of(details: &Value) -> Value {
    let row = &details["row"];
    json!({
        "id": row["id"],
        "version": details["version"],
        "username": row["username"],
        "email": row["email"],
        "name": row["name"],
        "phone": row["phone"].as_str().unwrap_or(""),
        "phone_ext": row["phone_ext"].as_str().unwrap_or(""),
        "active": row["active"],
        "roles": row["roles"],
        "teams": details["teams"],
    })
}

async fn editing_a_user_checks_every_field_and_refuses_stale_edits(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("boss", &["User Manager"], false).await;
    app.create_user("ann", &["User"], false).await;
    app.create_user("bob", &["User"], false).await;
    let manager = app.signed_in("boss").await;
    let (status, details) = form_call(&manager, "get_user", &[("username", "ANN")]).await;
    assert_eq!(status, 200, "{details}");
    let base = edit_of(&details);

    for (field, value, status, message) in [
        (
            "name",
            json!("A"),
            422,
            "Name must be at least 2 characters.",
        ),
        (
            "name",
            json!("x".repeat(51)),
            422,
            "Name must be at most 50 characters.",
        ),
        ("email", json!("not-an-email"), 422, ""),
        ("phone", json!("555-12ab"), 422, ""),
        ("phone_ext", json!("x1"), 422, ""),
        (
            "username",
            json!("bob"),
            409,
            "Username 'bob' is already taken.",
        ),
        (
            "email",
            json!("BOB@example.com"),
            409,
            "Email address 'bob@example.com' is already used by another account.",
        ),
        ("roles", json!([]), 422, "Choose at least one role."),
    ] {
        let mut edit = base.clone();
        edit[field] = value.clone();
        let (got, body) = json_call(&manager, "update_user", json!({ "edit": edit })).await;
        assert_eq!(got, status, "{field} = {value}: {body}");
        let (text, on) = error_of(&body);
        assert_eq!(on, field, "{field} = {value}: {text}");
        if !message.is_empty() {
            assert_eq!(text, message);
        }
    }

    let mut edit = base.clone();
    edit["name"] = json!("Ann Lee");
    edit["phone"] = json!("5550100");
    let (status, saved) = json_call(&manager, "update_user", json!({ "edit": edit })).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["row"]["name"], "Ann Lee");
    assert_eq!(saved["version"], base["version"].as_i64().unwrap() + 1);
    let history = saved["history"].as_array().unwrap();
    let name_change = history
        .iter()
        .find(|e| e["field"] == "name")
        .expect("the change is in the history");
    assert_eq!(name_change["by"], "boss");
    assert_eq!(name_change["old_value"], "ann Tester");
    assert_eq!(name_change["new_value"], "Ann Lee");

    // A second administrator saving from the page as it was loaded before.
    let mut stale = base.clone();
    stale["name"] = json!("Someone Else");
    let (status, body) = json_call(&manager, "update_user", json!({ "edit": stale })).await;
    assert_eq!(status, 409);
    let (message, field) = error_of(&body);
    assert_eq!(field, "");
    assert!(
        message.contains("Someone else changed this user"),
        "{message}"
    );
    let (_, now) = form_call(&manager, "get_user", &[("username", "ann")]).await;
    assert_eq!(
        now["row"]["name"], "Ann Lee",
        "nothing of the stale edit is written"
    );
}
both_backends!(editing_a_user_checks_every_field_and_refuses_stale_edits);

async fn deleted_users_are_hidden_restored_and_purged(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("boss", &["Administrator"], false).await;
    let ann = app.create_user("ann", &["User"], false).await;
    let admin = app.signed_in("boss").await;
    let ann_browser = app.signed_in("ann").await;

    let (status, body) = bulk(&admin, json!("Delete"), ann).await;
    assert_eq!(
        (status, body["succeeded"].clone()),
        (200, json!(1)),
        "{body}"
    );
    assert_eq!(ann_browser.whoami().await, None, "signed out");
    assert_eq!(
        app.visitor().sign_in("ann", STRONG_PASSWORD).await.status(),
        401
    );
    let (_, page) = form_call(&admin, "list_users", &[("view", "")]).await;
    assert!(
        page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["username"] != "ann")
    );
    let (_, page) = form_call(&admin, "list_users", &[("view", "deleted=include")]).await;
    assert!(
        page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["username"] == "ann")
    );

    bulk(&admin, json!("Restore"), ann).await;
    assert_eq!(
        app.visitor().sign_in("ann", STRONG_PASSWORD).await.status(),
        200
    );

    // Delete permanently: only deleted users, and only with the username typed.
    let purge = |name: &'static str| {
        let admin = &admin;
        async move {
            form_call(
                admin,
                "delete_user_permanently",
                &[("user_id", &ann.to_string()), ("confirm_username", name)],
            )
            .await
        }
    };
    let (status, body) = purge("ann").await;
    assert_eq!(status, 422, "{body}");
    bulk(&admin, json!("Delete"), ann).await;
    let (status, body) = purge("anne").await;
    assert_eq!(status, 422);
    assert_eq!(
        error_of(&body),
        (
            "Type the username 'ann' exactly to confirm.".to_owned(),
            "confirm_username".to_owned()
        )
    );
    let (status, body) = purge("ann").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        count(
            &app.db,
            &format!("SELECT COUNT(*) FROM users WHERE id = {ann}")
        )
        .await,
        0
    );
    assert_eq!(
        count(&app.db, &format!("SELECT COUNT(*) FROM audit_entries WHERE target_user_id = {ann} AND action = 'user.purge'")).await,
        1,
        "the audit log keeps a tombstone"
    );
    assert_eq!(
        count(&app.db, &format!("SELECT COUNT(*) FROM audit_entries WHERE target_user_id = {ann} AND details LIKE '%ann@example.com%'")).await,
        0,
        "and no personal data"
    );
    let (status, _) = form_call(&admin, "get_user", &[("username", "ann")]).await;
    assert_eq!(status, 404);
}
both_backends!(deleted_users_are_hidden_restored_and_purged);
