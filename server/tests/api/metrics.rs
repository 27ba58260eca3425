//! `GET /metrics`: the figures, request counts and outbox in the
//! Prometheus text format, for "View statistics" or an allowed address.

use crate::helpers::{Backend, count, spawn_app, spawn_app_with};

/// The value of one series line (`name{labels} value`).
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
}

async fn metrics_hold_the_figures_and_the_requests(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("admin", &["Administrator"], false).await;
    app.create_user("viewer", &["Viewer"], false).await;
    let locked = app.create_user("locked", &["User"], false).await;
    app.execute(&format!(
        "UPDATE users SET locked_at = created_at WHERE id = {locked}"
    ))
    .await;
    let viewer = app.signed_in("viewer").await;
    for _ in 0..3 {
        assert_eq!(viewer.get("/statistics").await.status(), 200);
    }
    let response = viewer.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = response.text().await.unwrap();
    let users = count(
        &app.db,
        "SELECT COUNT(*) FROM users WHERE deleted_at IS NULL",
    )
    .await;
    assert_eq!(
        value(&text, r#"roster_users{figure="total"}"#),
        users as f64
    );
    assert_eq!(value(&text, r#"roster_users{figure="locked"}"#), 1.0);
    assert!(
        value(
            &text,
            r#"roster_http_requests_total{method="GET",status="2xx"}"#
        ) >= 3.0
    );
    assert!(
        value(
            &text,
            r#"roster_http_request_duration_seconds_count{method="GET"}"#
        ) >= 3.0
    );
    assert_eq!(value(&text, "roster_live_connections"), 0.0);
    let queued = count(
        &app.db,
        "SELECT COUNT(*) FROM email_outbox WHERE sent_at IS NULL AND failed_at IS NULL",
    )
    .await;
    assert_eq!(
        value(&text, r#"roster_outbox_messages{state="queued"}"#),
        queued as f64
    );
    assert!(text.ends_with("# EOF\n"));
}
both_backends!(metrics_hold_the_figures_and_the_requests);

#[tokio::test]
async fn an_allowed_address_scrapes_without_a_session_and_others_cannot() {
    let open = spawn_app_with(Backend::Sqlite, &[("ROSTER_METRICS_ALLOW", "127.0.0.1/32")]).await;
    let response = open.visitor().get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("roster_users"));

    let closed = spawn_app_with(Backend::Sqlite, &[("ROSTER_METRICS_ALLOW", "10.0.0.0/8")]).await;
    let response = closed.visitor().get("/metrics").await;
    assert_eq!(response.status(), 401);
    assert!(!response.text().await.unwrap().contains("roster_users"));
}
