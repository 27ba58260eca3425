//! The HTTP status of a server function's refusal when the function never
//! ran. Leptos answers every error from decoding the arguments (a body that
//! is not text, an argument that does not parse) with 500, before
//! `AppError::with_status` inside the function can set one. Those errors
//! are the request's fault: the answer is the `AppError` they became
//! (`FromServerFnError`), and its own status is put back here. A real
//! internal error keeps its 500.

use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;

/// An error answer is a few hundred bytes of JSON; anything larger is left
/// as it is.
const MAX_ERROR_BYTES: usize = 64 * 1024;

/// Gives a server function's 500 the status of the error it carries.
pub async fn server_fn_status(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let server_fn = (path.starts_with("/api/") && !path.starts_with("/api/v1/"))
        || (path.starts_with("/as/") && path.contains("/api/"));
    let response = next.run(request).await;
    if !server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(collected) = http_body_util::Limited::new(body, MAX_ERROR_BYTES)
        .collect()
        .await
    else {
        return Response::from_parts(parts, Body::empty());
    };
    let bytes = collected.to_bytes();
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(error.status_code())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}
