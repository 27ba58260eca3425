//! Live updates over real `/live` streams, on SQLite and PostgreSQL:
//! messages reach every tab of their recipients and nobody else, offline
//! recipients get them when they come back, forced sign-out closes tabs, and
//! on PostgreSQL all of it crosses server instances.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, Visitor, count, spawn_app};

async fn id_of(app: &TestApp, username: &str) -> i64 {
    crate::helpers::scalar(
        &app.db,
        &format!("SELECT id FROM users WHERE username = '{username}'"),
    )
    .await
}

async fn send(sender: &Visitor, recipients: Value, body: &str) -> (u16, Value) {
    let response = sender
        .call_json(
            "send_message",
            &json!({ "recipients": recipients, "body": body }),
        )
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn outcome_text(outcome: &Value) -> String {
    let outcome: app::live::message::MessageOutcome =
        serde_json::from_value(outcome.clone()).expect("an outcome");
    outcome.message()
}

/// The body of a "message" event, or a description of what came instead.
fn message_body(event: Option<(String, Value)>) -> String {
    match event {
        Some((name, data)) if name == "message" => data["Message"]["body"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        other => format!("no message but {other:?}"),
    }
}

async fn messages_reach_every_tab_of_their_recipients_only(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("boss", &["Support"], false).await;
    for name in ["ann", "bob", "cat"] {
        app.create_user(name, &["User"], false).await;
    }
    let boss = app.signed_in("boss").await;
    let ann = app.signed_in("ann").await;
    let bob = app.signed_in("bob").await;
    let cat = app.signed_in("cat").await;
    let mut tabs = vec![
        ann.open_live().await,
        ann.open_live().await,
        bob.open_live().await,
    ];
    let mut cat_tab = cat.open_live().await;
    assert!(tabs.iter().all(|t| t.status == 101));

    let text = "<b>Fire drill</b> at 3 & <script>alert(1)</script>";
    let ids = json!([id_of(&app, "ann").await, id_of(&app, "bob").await]);
    let (status, outcome) = send(&boss, json!({ "Selected": { "Ids": ids } }), text).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(
        outcome_text(&outcome),
        "Message sent to 2 users: 2 received it in 3 tabs."
    );
    for tab in &mut tabs {
        // The text arrives exactly as written: the page shows it as text.
        assert_eq!(message_body(tab.next(1.0).await), text);
    }
    let mut later_tab = ann.open_live().await;
    assert!(
        later_tab.next(0.3).await.is_none(),
        "a tab opened afterwards does not get it again"
    );
    assert!(
        cat_tab.next(0.5).await.is_none(),
        "a user who was not selected gets nothing"
    );
    // Stored, with one audit entry per recipient.
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM messages").await, 1);
    assert_eq!(
        count(
            &app.db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'message.send'"
        )
        .await,
        2
    );
}
both_backends!(messages_reach_every_tab_of_their_recipients_only);

async fn offline_recipients_get_messages_when_they_come_back(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("boss", &["Support"], false).await;
    app.create_user("dan", &["User"], false).await;
    let boss = app.signed_in("boss").await;
    let dan_id = id_of(&app, "dan").await;
    let (status, outcome) = send(
        &boss,
        json!({ "Selected": { "Ids": [dan_id] } }),
        "Welcome back",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        outcome_text(&outcome),
        "Message sent to 1 user: 0 received it in 0 tabs; 1 will see it when they next open Roster."
    );

    let dan = app.signed_in("dan").await;
    let mut tab = dan.open_live().await;
    assert_eq!(message_body(tab.next(1.0).await), "Welcome back");
    // Shown once: another tab later does not repeat it.
    let mut second = dan.open_live().await;
    assert!(second.next(0.3).await.is_none());
}
both_backends!(offline_recipients_get_messages_when_they_come_back);

/// A message sent while a tab is connecting reaches it twice over: live, and
/// as one the user has not seen yet. The tab shows it once, counted once.
async fn a_message_sent_as_a_tab_connects_shows_once(backend: Backend) {
    use app::live::hub::LiveHub;
    let app = spawn_app(backend).await;
    app.create_user("boss", &["Support"], false).await;
    app.create_user("dan", &["User"], false).await;
    let boss = app.signed_in("boss").await;
    let dan_id = id_of(&app, "dan").await;
    let (status, outcome) = send(&boss, json!({ "Selected": { "Ids": [dan_id] } }), "Hi").await;
    assert_eq!(status, 200, "{outcome}");
    let message_id = crate::helpers::scalar(&app.db, "SELECT MAX(id) FROM messages").await;

    // A hub of its own on the same database, standing for an instance where
    // dan's tab has just registered: both deliveries race for it.
    let hub = LiveHub::new(app.db.clone(), Default::default());
    let mut tab = hub.connect(dan_id, 0, false);
    hub.deliver_undelivered(dan_id).await.expect("caught up");
    hub.deliver_message(message_id)
        .await
        .expect("delivered live");
    assert!(tab.receiver.try_recv().is_ok(), "the message shows");
    assert!(tab.receiver.try_recv().is_err(), "and only once");
    assert_eq!(
        count(&app.db, "SELECT SUM(tabs) FROM message_recipients").await,
        1
    );
}
both_backends!(a_message_sent_as_a_tab_connects_shows_once);

async fn sending_needs_the_permission_and_a_message(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("viewer", &["Viewer"], false).await;
    app.create_user("boss", &["Support"], false).await;
    let viewer = app.signed_in("viewer").await;
    let (status, _) = send(&viewer, json!("SignedIn"), "Hello").await;
    assert_eq!(status, 403, "Viewers may not send messages");
    let anonymous = app.visitor();
    let (status, _) = send(&anonymous, json!("SignedIn"), "Hello").await;
    assert_eq!(status, 401);

    let boss = app.signed_in("boss").await;
    let (status, error) = send(&boss, json!("SignedIn"), "   ").await;
    assert_eq!(status, 422);
    let error: app::error::AppError = serde_json::from_value(error).expect("an AppError");
    assert_eq!(error.field(), Some("body"));
    assert_eq!(error.to_string(), "Write a message first.");
    let (status, _) = send(&boss, json!("SignedIn"), &"x".repeat(1001)).await;
    assert_eq!(status, 422);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM messages").await, 0);

    // The live connection itself is for signed-in tabs only, opened from
    // Roster's own pages: another site cannot open one with the cookie.
    assert_eq!(anonymous.open_live().await.status, 401);
    let mut from_elsewhere = boss.open_live_from("https://evil.example").await;
    assert_eq!(from_elsewhere.status, 403);
    assert!(from_elsewhere.next(0.2).await.is_none());
}
both_backends!(sending_needs_the_permission_and_a_message);

async fn broadcast_reaches_everyone_signed_in_but_the_sender(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("boss", &["Support"], false).await;
    app.create_user("ann", &["User"], false).await;
    app.create_user("eve", &["User"], false).await;
    let boss = app.signed_in("boss").await;
    let ann = app.signed_in("ann").await;
    let mut boss_tab = boss.open_live().await;
    let mut ann_tab = ann.open_live().await;
    let (status, outcome) = send(&boss, json!("SignedIn"), "Maintenance at noon").await;
    assert_eq!(status, 200, "{outcome}");
    // eve is not signed in, so not a recipient at all.
    assert_eq!(
        outcome_text(&outcome),
        "Message sent to 1 user: 1 received it in 1 tab."
    );
    assert_eq!(message_body(ann_tab.next(1.0).await), "Maintenance at noon");
    assert!(boss_tab.next_ignoring_presence(0.3).await.is_none());
}
both_backends!(broadcast_reaches_everyone_signed_in_but_the_sender);

async fn ended_sessions_close_their_tabs_with_the_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("boss", &["Administrator"], false).await;
    app.create_user("ann", &["User"], false).await;
    app.create_user("bob", &["User"], false).await;
    let boss = app.signed_in("boss").await;
    let ann = app.signed_in("ann").await;
    let bob = app.signed_in("bob").await;
    let mut ann_tab = ann.open_live().await;
    let mut bob_tab = bob.open_live().await;
    let ann_id = id_of(&app, "ann").await;
    let response = boss
        .call_json(
            "bulk_action",
            &json!({ "action": "ForceSignOut", "selection": { "Ids": [ann_id] } }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let (name, data) = ann_tab.next(1.0).await.expect("an event");
    assert_eq!(name, "signed_out");
    assert_eq!(data["SignedOut"]["reason"], "forced_sign_out");
    assert_eq!(
        ann_tab.next(1.0).await.map(|e| e.0).as_deref(),
        Some("closed")
    );
    assert!(bob_tab.next(0.3).await.is_none(), "bob stays connected");

    // Locking bob says so.
    let bob_id = id_of(&app, "bob").await;
    boss.call_json(
        "bulk_action",
        &json!({ "action": "Lock", "selection": { "Ids": [bob_id] } }),
    )
    .await;
    let (name, data) = bob_tab.next(1.0).await.expect("an event");
    assert_eq!(name, "signed_out");
    assert_eq!(data["SignedOut"]["reason"], "locked");

    // Signing out in one tab closes the browser's other tabs.
    let mut boss_tab = boss.open_live().await;
    boss.call("sign_out", &[]).await;
    // (An administrator's tab also hears presence updates.)
    let data = next_named(&mut boss_tab, "signed_out")
        .await
        .expect("signed out");
    assert_eq!(data["SignedOut"]["reason"], "signed_out");
}
both_backends!(ended_sessions_close_their_tabs_with_the_reason);

/// Two instances on one PostgreSQL database, as behind a load balancer.
#[tokio::test]
async fn signals_cross_server_instances_on_postgres() {
    let app = spawn_app(Backend::Postgres).await;
    let second = app.another_instance().await;
    app.create_user("boss", &["Administrator"], false).await;
    app.create_user("ann", &["User"], false).await;
    let boss = app.signed_in("boss").await;
    let ann = app.signed_in("ann").await;
    let ann_id = id_of(&app, "ann").await;

    // A message sent through the first reaches a tab on the second.
    let mut ann_on_second = ann.open_live_at(&second.address).await;
    assert_eq!(ann_on_second.status, 101);
    let (status, _) = send(
        &boss,
        json!({ "Selected": { "Ids": [ann_id] } }),
        "Across instances",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        message_body(ann_on_second.next(1.0).await),
        "Across instances"
    );

    // A forced sign-out through the second closes a tab on the first.
    let mut ann_on_first = ann.open_live().await;
    let response = boss
        .at(&second.address)
        .call_json(
            "bulk_action",
            &json!({ "action": "ForceSignOut", "selection": { "Ids": [ann_id] } }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let (name, data) = ann_on_first.next(1.0).await.expect("an event");
    assert_eq!(name, "signed_out");
    assert_eq!(data["SignedOut"]["reason"], "forced_sign_out");
}

/// The next event called `name`, skipping others (presence updates of
/// other users, for instance).
async fn next_named(tab: &mut crate::helpers::LiveTab, name: &str) -> Option<Value> {
    while let Some((got, data)) = tab.next(1.0).await {
        if got == name {
            return Some(data);
        }
    }
    None
}

/// The next presence update about `user_id`. Others may come first: on
/// PostgreSQL the update of a sign-in made before the tab opened can still
/// be on its way through NOTIFY when the tab connects.
async fn next_presence_of(tab: &mut crate::helpers::LiveTab, user_id: i64) -> Option<Value> {
    while let Some(data) = next_named(tab, "presence").await {
        if data["Presence"]["user_id"] == user_id {
            return Some(data);
        }
    }
    None
}

async fn administrators_see_presence_change_live(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("boss", &["Viewer"], false).await;
    app.create_user("ann", &["User"], false).await;
    app.create_user("cat", &["User"], false).await;
    let boss = app.signed_in("boss").await;
    let cat = app.signed_in("cat").await;
    let mut boss_tab = boss.open_live().await;
    let mut cat_tab = cat.open_live().await;
    let ann_id = id_of(&app, "ann").await;

    let ann = app.signed_in("ann").await;
    let update = next_presence_of(&mut boss_tab, ann_id)
        .await
        .expect("ann's presence");
    assert!(update["Presence"]["signed_in_since"].is_i64(), "{update}");

    ann.call("sign_out", &[]).await;
    let update = next_presence_of(&mut boss_tab, ann_id)
        .await
        .expect("ann's presence");
    assert!(update["Presence"]["signed_in_since"].is_null(), "{update}");

    // Users who cannot see the Users table are not told.
    assert!(next_named(&mut cat_tab, "presence").await.is_none());
}
both_backends!(administrators_see_presence_change_live);
