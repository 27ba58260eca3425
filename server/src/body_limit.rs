//! The largest request body Roster reads: 2 MB, as the REST API's JSON
//! bodies (axum's default). Server functions and plain HTML forms read
//! their whole body before decoding it, and nothing bounded it: a client
//! could make the server hold any amount in memory. Larger bodies are
//! refused with 413 before any handler runs, whether they announce their
//! length or stream it in chunks.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

/// The most a request body may hold.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Reads the body up to [`MAX_BODY_BYTES`] and hands it on, or answers 413.
/// The REST API (`/api/v1/…`) and SCIM (`/scim/v2/…`) keep their own
/// limits, which answer in their own error formats.
pub async fn limit_body(request: Request, next: Next) -> Response {
    // Nothing reads the body of a GET (pages, exports, the live socket's
    // handshake): those pass untouched.
    if matches!(*request.method(), Method::GET | Method::HEAD)
        || request.uri().path().starts_with("/api/v1/")
        || request.uri().path().starts_with(crate::scim::PREFIX)
    {
        return next.run(request).await;
    }
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => {
            next.run(Request::from_parts(parts, Body::from(collected.to_bytes())))
                .await
        }
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => too_large(),
        // The client stopped sending halfway: nobody is left to answer.
        Err(_) => (StatusCode::BAD_REQUEST, "The request body was cut short.").into_response(),
    }
}

fn too_large() -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        "The request is too large: at most 2 MB.",
    )
        .into_response()
}
