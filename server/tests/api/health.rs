use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING};

use sea_orm::ConnectionTrait;

use crate::helpers::{Backend, TestApp, Visitor, postgres_admin_url, scalar, spawn_app};

/// An administrator's browser: pages other than sign-in need a session.
async fn administrator(app: &TestApp) -> Visitor {
    app.create_user("admin", &["Administrator"], false).await;
    app.signed_in("admin").await
}

async fn healthz_reports_the_app_and_database_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
}

#[tokio::test]
async fn healthz_is_200_on_sqlite() {
    healthz_reports_the_app_and_database_up(Backend::Sqlite).await;
}

#[tokio::test]
async fn healthz_is_200_on_postgres() {
    healthz_reports_the_app_and_database_up(Backend::Postgres).await;
}

#[tokio::test]
async fn healthz_is_503_when_the_database_is_gone() {
    let app = spawn_app(Backend::Postgres).await;
    let name: String = scalar(&app.db, "SELECT current_database()").await;
    let admin = sea_orm::Database::connect(postgres_admin_url())
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .await
        .unwrap();

    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert!(
        !body.to_string().contains("does not exist"),
        "no database text leaks: {body}"
    );
}

#[tokio::test]
async fn home_page_is_server_rendered_with_the_navigation() {
    let app = spawn_app(Backend::Sqlite).await;
    let browser = administrator(&app).await;
    let response = browser.get("/").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    let html = response.text().await.unwrap();
    assert!(html.contains("Welcome to Roster"));
    for link in [
        "/users",
        "/roles",
        "/teams",
        "/audit",
        "/statistics",
        "/account",
    ] {
        assert!(
            html.contains(&format!("href=\"{link}\"")),
            "nav link {link}"
        );
    }
    assert!(
        html.contains("admin Tester"),
        "the header names who is signed in"
    );
    assert!(html.contains("Sign out"));
}

#[tokio::test]
async fn the_page_of_a_user_who_does_not_exist_answers_404() {
    let app = spawn_app(Backend::Sqlite).await;
    let browser = administrator(&app).await;
    let response = browser.get("/users/nobody").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Not found."));
    let response = browser.get("/users/admin").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("Change history"), "the user page is shown");
}

#[tokio::test]
async fn unknown_routes_get_the_404_page_with_status_404() {
    let app = spawn_app(Backend::Sqlite).await;
    let browser = administrator(&app).await;
    for path in ["/no/such/page", "/users/x/y/z", "/pkg/missing.js"] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
    }
    let response = browser.get("/no/such/page").await;
    assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"));
    assert!(html.contains("href=\"/\""), "offers a way home");
    assert!(
        html.contains("href=\"/users\""),
        "inside the usual frame, with the navigation"
    );
}

#[tokio::test]
async fn responses_are_compressed_when_the_browser_accepts_it() {
    let app = spawn_app(Backend::Sqlite).await;
    let browser = administrator(&app).await;
    for (accepted, expected) in [("br", "br"), ("gzip", "gzip")] {
        let response = browser
            .client
            .get(format!("{}/", app.address))
            .header(ACCEPT_ENCODING, accepted)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()[CONTENT_ENCODING], expected);
    }
}

#[tokio::test]
async fn static_assets_are_cacheable() {
    let app = spawn_app(Backend::Sqlite).await;
    let response = app.get("/favicon.svg").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[CACHE_CONTROL], "public, max-age=86400");
}

/// A file of the site is served whole while 404 pages render beside it: a
/// browser loading a page asks for many files at once, and one missing file
/// (a stale bookmark's asset, a preload of a wrong name) must not turn the
/// others into 404s (leptos_axum's fallback did; see `server::site_files`).
#[tokio::test]
async fn files_are_found_while_missing_ones_are_not() {
    let app = spawn_app(Backend::Sqlite).await;
    for round in 0..5 {
        let requests = (0..48).map(|i| {
            let path = if i % 2 == 0 {
                "/favicon.svg".to_owned()
            } else {
                format!("/pkg/missing_{round}_{i}.wasm")
            };
            let client = app.client.clone();
            let url = format!("{}{path}", app.address);
            async move { (path, client.get(url).send().await.unwrap().status()) }
        });
        for (path, status) in futures_util::future::join_all(requests).await {
            let expected = if path == "/favicon.svg" { 200 } else { 404 };
            assert_eq!(status.as_u16(), expected, "{path} in round {round}");
        }
    }
}
