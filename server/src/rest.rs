//! The REST API under `/api/v1`, for scripts and identity providers, with
//! `Authorization: Bearer roster_…` (an API token; browser sessions are
//! not accepted here, so no other site's page can call it with a cookie).
//! Errors are RFC 9457 `application/problem+json`.

use app::auth::Permission;
use app::auth::guard::RequestContext;
use app::directory::UserListQuery;
use app::error::AppError;
use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::startup::AppState;

/// Why a REST request may not go on, if it may not: 401 without a valid
/// token, 403 when the token does not hold `permission`.
fn refusal(context: &RequestContext, permission: Permission) -> Option<Response> {
    let Some(caller) = context.session.as_ref().filter(|s| s.api_token.is_some()) else {
        return Some(unauthenticated());
    };
    (!caller.can(permission)).then(|| {
        problem(
            StatusCode::FORBIDDEN,
            "Forbidden",
            &format!(
                "This token does not hold the permission \"{}\" ({}).",
                permission.label(),
                permission.key()
            ),
        )
    })
}

/// The problem response for an application error: its status, its
/// message, and the field it belongs to when there is one.
fn app_problem(error: AppError) -> Response {
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = problem(status, error.kind(), &error.to_string());
    if let Some(field) = error.field().filter(|f| !f.is_empty()) {
        let body = serde_json::json!({
            "type": "about:blank",
            "title": error.kind(),
            "status": status.as_u16(),
            "detail": error.to_string(),
            "field": field,
        });
        *response.body_mut() = axum::body::Body::from(body.to_string());
    }
    response
}

/// `GET /api/v1/users`: one page of users, with exactly the Users table's
/// query parameters (`q`, `status`, `role`, `team`, `signed_in`, `deleted`,
/// `sort`, `dir`, `page`, `per_page`), the total, and the next page's link.
pub async fn list_users(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    RawQuery(query): RawQuery,
) -> Response {
    if let Some(refused) = refusal(&context, Permission::ViewUsers) {
        return refused;
    }
    let mut view = match UserListQuery::from_query_string(query.as_deref().unwrap_or_default()) {
        Ok(view) => view,
        Err(error) => return app_problem(error),
    };
    match app::users::table::service::list_page(&state.db, &view, chrono::Utc::now()).await {
        Ok(page) => {
            let next = (u64::from(page.page) < page.page_count()).then(|| {
                view.page = page.page + 1;
                view.href().replacen("/users", "/api/v1/users", 1)
            });
            axum::Json(serde_json::json!({
                "total": page.total,
                "page": page.page,
                "per_page": page.per_page,
                "users": page.rows,
                "next": next,
            }))
            .into_response()
        }
        Err(error) => app_problem(error),
    }
}

/// `GET /api/v1/users/{username}`: one user as their page shows them
/// (details, open sessions, recent history).
pub async fn get_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(username): Path<String>,
) -> Response {
    if let Some(refused) = refusal(&context, Permission::ViewUsers) {
        return refused;
    }
    match app::users::detail::service::user_details(
        &state.db,
        state.auth.settings(),
        &username,
        chrono::Utc::now(),
    )
    .await
    {
        Ok(details) => axum::Json(details).into_response(),
        Err(error) => app_problem(error),
    }
}

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
