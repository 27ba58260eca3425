//! The files of the site (the WASM, JS and CSS under `/pkg`, and
//! `public/`), served before Leptos' 404 page.
//!
//! leptos_axum's fallback serves a found file inside a new reactive owner
//! whose parent is whatever owner the worker thread left current, so a 404
//! page rendering on the same thread can hand its 404 status to the file.
//! Seen while trying the WASM split by route (issue 14's note): a page's
//! WASM file, `favicon.svg` or the split loader were answered 404 while the
//! browser was also asking for files that did not exist, and the page never
//! became live. tower-http's `ServeDir` on its own has no owner, so
//! [`site_file`] answers every file that exists, and only a miss reaches
//! Leptos' 404 page.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// The file of the site at `uri` under `root`, compressed as the request
/// accepts (cargo-leptos `--precompress` wrote `.br` and `.gz` beside each),
/// or `None` when there is no such file.
pub async fn site_file(root: &str, uri: &Uri, headers: &HeaderMap) -> Option<Response> {
    let mut request = Request::builder().uri(uri.clone());
    if let Some(accepted) = headers.get(header::ACCEPT_ENCODING) {
        request = request.header(header::ACCEPT_ENCODING, accepted);
    }
    let request = request.body(Body::empty()).ok()?;
    let response = ServeDir::new(root)
        .precompressed_br()
        .precompressed_gzip()
        .oneshot(request)
        .await
        .ok()?;
    (response.status() == StatusCode::OK).then(|| response.into_response())
}
