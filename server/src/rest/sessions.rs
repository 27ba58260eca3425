//! `/api/v1/users/{user}/sessions`: where a user is signed in, and
//! signing them out.

use app::auth::Permission;
use app::auth::guard::RequestContext;
use app::components::SessionRow;
use app::directory::Selection;
use app::error::AppError;
use app::users::bulk::api::{BulkAction, BulkOutcome};
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::Deserialize;

use super::problem::{Problem, from_app_error};
use super::users::{UserKey, permitted_user};
use super::{respond, respond_empty, run_as_page};
use crate::startup::AppState;

/// The user's open sessions: device, address, when signed in, last active.
#[utoipa::path(
    get,
    path = "/api/v1/users/{user}/sessions",
    tag = "sessions",
    params(UserKey),
    responses(
        (status = 200, description = "Open sessions, newest first.", body = Vec<SessionRow>),
        (status = 403, description = "The token does not hold View users.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_sessions(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(UserKey { user }): Path<UserKey>,
    parts: Parts,
) -> Response {
    let (_, username) = match permitted_user(&state, &context, Permission::ViewUsers, &user).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let result = run_as_page(&state, parts, || async move {
        app::users::detail::api::get_user(username)
            .await
            .map(|details| details.sessions)
    })
    .await;
    respond(StatusCode::OK, result)
}

/// Signs the user out everywhere, at once: their open pages go to the
/// sign-in page.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{user}/sessions",
    tag = "sessions",
    params(UserKey),
    responses(
        (status = 200, description = "Whether they were signed out (`succeeded` 1) or why not (`skipped`).", body = BulkOutcome),
        (status = 403, description = "The token does not hold Force sign-out.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn end_all_sessions(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(UserKey { user }): Path<UserKey>,
    parts: Parts,
) -> Response {
    let (id, _) = match permitted_user(&state, &context, Permission::ForceSignOut, &user).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let result = run_as_page(&state, parts, || {
        app::users::bulk::api::run_bulk_action(BulkAction::ForceSignOut, Selection::Ids(vec![id]))
    })
    .await;
    respond(StatusCode::OK, result)
}

/// One of the user's sessions.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SessionKey {
    /// The user's numeric id, or their username (any case).
    #[param(example = "dana.scully")]
    pub user: String,
    /// The session's id, as listed.
    pub session: String,
}

/// Ends one session of the user.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{user}/sessions/{session}",
    tag = "sessions",
    params(SessionKey),
    responses(
        (status = 204, description = "Signed out of that session."),
        (status = 403, description = "The token does not hold Force sign-out.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user, or no such open session of theirs.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn end_session(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(SessionKey { user, session }): Path<SessionKey>,
    parts: Parts,
) -> Response {
    let (id, _) = match permitted_user(&state, &context, Permission::ForceSignOut, &user).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let Ok(session) = session.parse::<i64>() else {
        return from_app_error(AppError::NotFound);
    };
    let result = run_as_page(&state, parts, || {
        app::users::detail::api::end_user_session(id, session)
    })
    .await;
    respond_empty(result)
}
