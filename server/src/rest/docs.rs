//! `/api/docs`: the API reference, drawn by Swagger UI in the browser from
//! `/api/v1/openapi.json`. Swagger UI comes from the npm registry
//! (`swagger-ui-dist`, pinned in `end2end/package-lock.json`); the setup
//! script copies its two files into `public/api-docs/`, so the app serves
//! them itself: nothing is fetched from a CDN, and the page keeps the
//! strict Content-Security-Policy (its scripts are files of this site).

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Roster API reference</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/api-docs/swagger-ui.css">
</head>
<body>
<noscript>The API reference needs JavaScript. The document itself is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</noscript>
<div id="swagger-ui"></div>
<script src="/api-docs/swagger-ui-bundle.js" defer></script>
<script src="/api-docs.js" defer></script>
</body>
</html>
"#;

/// The routes of the reference page.
pub fn router<S: Clone + Send + Sync + 'static>() -> axum::Router<S> {
    axum::Router::new().route("/api/docs", axum::routing::get(page))
}

async fn page() -> Response {
    ([(header::CACHE_CONTROL, "no-cache")], Html(PAGE)).into_response()
}
