//! The mail server goes away: password-reset requests are still accepted
//! and queued, and when it is back every message is delivered exactly
//! once, by the outbox's own retry (no one presses "Retry").

use app::entities::email_outbox;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::helpers::{Backend, spawn_app_with};
use crate::mail_listener::MailListener;

const PEOPLE: [&str; 3] = ["ann", "bob", "cleo"];

async fn mail_queued_while_smtp_is_down_is_delivered_once_when_it_is_back(backend: Backend) {
    // A port nothing listens on, yet.
    let port = {
        let reserved = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        reserved.local_addr().expect("address").port()
    };
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(backend, &[("SMTP_URL", &smtp_url)]).await;
    for name in PEOPLE {
        app.create_user(name, &["User"], false).await;
    }
    let visitor = app.visitor();
    for name in PEOPLE {
        let response = visitor
            .call("request_password_reset", &[("login", name)])
            .await;
        assert_eq!(response.status(), 200, "{name}'s request is accepted");
    }
    // Every message is queued, and the outbox has tried and failed.
    let mut tried = false;
    for _ in 0..100 {
        let attempted = email_outbox::Entity::find()
            .filter(email_outbox::Column::Attempts.gte(1))
            .filter(email_outbox::Column::SentAt.is_null())
            .count(&app.db)
            .await
            .unwrap();
        if attempted == PEOPLE.len() as u64 {
            tried = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(tried, "the outbox tried every message while SMTP was down");

    // SMTP is back: the first retry (30 s after the failure) delivers each
    // message once.
    let mut mail = MailListener::start_on(port).await;
    let mut recipients = Vec::new();
    for _ in PEOPLE {
        let email = mail.next(60).await.expect("a queued message arrives");
        assert_eq!(email.subject(), "Reset your Roster password");
        recipients.extend(email.to);
    }
    recipients.sort();
    let expected: Vec<String> = PEOPLE.iter().map(|n| format!("{n}@example.com")).collect();
    assert_eq!(recipients, expected, "each person's message, once");
    assert!(mail.next(3).await.is_none(), "nothing is sent twice");
    let unsent = email_outbox::Entity::find()
        .filter(email_outbox::Column::SentAt.is_null())
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(unsent, 0, "the outbox marks them all sent");
}

both_backends!(mail_queued_while_smtp_is_down_is_delivered_once_when_it_is_back);
