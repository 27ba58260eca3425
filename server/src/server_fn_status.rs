//! The HTTP status of a server function's refusal when the function never
//! ran. Leptos answers every error from decoding the arguments (a body that
//! is not text, an argument that does not parse) with 500, before
//! `AppError::with_status` inside the function can set one. Those errors
//! are the request's fault: the answer is the `AppError` they became
//! (`FromServerFnError`), and its own status is put back here. A real
//! internal error keeps its 500.
//!
//! A plain HTML form's refusal (no JavaScript yet) is the redirect Leptos
//! made back to the form's page with the error, sent as 303.

use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;

/// An error answer is a few hundred bytes of JSON; anything larger is left
/// as it is.
const MAX_ERROR_BYTES: usize = 64 * 1024;

/// Gives a server function's 500 the status of the error it carries, and
/// a refused plain HTML form its redirect.
pub async fn server_fn_status(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let server_fn = (path.starts_with("/api/") && !path.starts_with("/api/v1/"))
        || (path.starts_with("/as/") && path.contains("/api/"));
    let mut response = next.run(request).await;
    if !server_fn {
        return response;
    }
    // A form posted without JavaScript (before the WebAssembly arrives, or
    // with it off) is answered with a redirect back to its page, carrying
    // the error for that page to show next to the field. The error's own
    // status (401 for a refused sign-in) would stop the browser from
    // following it and leave a blank page reading "SignInFailed"; the
    // redirect is the answer, so it goes out as 303 See Other.
    if response.headers().contains_key(header::LOCATION)
        && (response.status().is_client_error() || response.status().is_server_error())
    {
        *response.status_mut() = StatusCode::SEE_OTHER;
        return response;
    }
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
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
