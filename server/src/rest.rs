//! The REST API under `/api/v1`, for scripts and identity providers, with
//! `Authorization: Bearer roster_…` (an API token; browser sessions are
//! not accepted here, so no other site's page can call it with a cookie).
//! Errors are RFC 9457 `application/problem+json`.

use app::auth::guard::RequestContext;
use axum::Extension;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// `GET /api/v1/me`: who the token acts as, and what it may do now (its
/// permissions that its owner still holds).
pub async fn me(Extension(context): Extension<RequestContext>) -> Response {
    let Some(caller) = context.session.filter(|s| s.api_token.is_some()) else {
        return unauthenticated();
    };
    axum::Json(serde_json::json!({
        "id": caller.user_id,
        "username": caller.username,
        "name": caller.name,
        "email": caller.email,
        "token_id": caller.api_token,
        "permissions": caller.permissions.iter().map(|p| p.key()).collect::<Vec<_>>(),
    }))
    .into_response()
}

/// 401 with a Problem Details body and the `WWW-Authenticate` challenge.
pub fn unauthenticated() -> Response {
    let mut response = problem(
        StatusCode::UNAUTHORIZED,
        "Unauthenticated",
        "Send a valid API token: Authorization: Bearer roster_…",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"roster\""),
    );
    response
}

/// An RFC 9457 Problem Details response.
pub fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    let mut response = (
        status,
        serde_json::json!({
            "type": "about:blank",
            "title": title,
            "status": status.as_u16(),
            "detail": detail,
        })
        .to_string(),
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}
