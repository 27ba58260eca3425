//! The REST API under `/api/v1`, for scripts and identity providers, with
//! `Authorization: Bearer roster_…` (an API token; browser sessions are
//! not accepted here, so no other site's page can call it with a cookie).
//!
//! Each handler is thin: it turns JSON and the address into the arguments
//! of the server function the pages call, runs that very function (same
//! permission checks, same services, same effects after commit; see
//! [`run_as_page`]) and turns its result into JSON or an RFC 9457
//! `application/problem+json` error. The OpenAPI document is generated from
//! the same `#[utoipa::path]` attributes that register the routes, so the
//! two cannot drift.

mod body;
mod bulk;
mod directory;
mod docs;
mod messages;
mod params;
pub(crate) mod problem;
mod rate_limit;
mod sessions;
mod users;

use std::future::Future;

use app::auth::Permission;
use app::auth::guard::RequestContext;
use axum::Extension;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use leptos::prelude::provide_context;
use leptos::reactive::computed::ScopedFuture;
use leptos::reactive::owner::Owner;
use serde::Serialize;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use problem::{Problem, problem, unauthenticated};
pub use rate_limit::{ApiRateLimit, limit_per_token};

use crate::startup::AppState;

/// The document's fixed parts; the paths come from the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Roster System API",
        description = "Manage Roster's users, their sessions, roles and teams from scripts. \
            Authenticate with an API token (My account → API tokens, or `roster create-api-token`) \
            sent as `Authorization: Bearer roster_…`. A token acts with the permissions it was \
            given that its owner still holds. Errors are RFC 9457 Problem Details.",
        license(name = "MIT", identifier = "MIT")
    ),
    modifiers(&BearerToken),
    security(("api_token" = [])),
    tags(
        (name = "users", description = "Accounts: list, read, create, change, delete."),
        (name = "bulk", description = "The Users table's bulk actions on chosen users or on every user matching a view."),
        (name = "sessions", description = "Who is signed in where, and signing them out."),
        (name = "messages", description = "Live messages to signed-in users."),
        (name = "roles", description = "Roles and their permissions (read-only here)."),
        (name = "teams", description = "Teams and their members (read-only here)."),
        (name = "tokens", description = "The token itself."),
    )
)]
struct ApiDoc;

/// The `api_token` security scheme: `Authorization: Bearer roster_…`.
struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("roster_…")
                    .description(Some("An API token, shown once when it is created."))
                    .build(),
            ),
        );
    }
}

/// The routes under `/api/v1` and the document describing exactly them.
pub fn api_router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(
            users::get_user,
            users::update_user,
            users::delete_user
        ))
        .routes(routes!(users::restore_user))
        .routes(routes!(users::purge_user))
        .routes(routes!(bulk::bulk_action))
        .routes(routes!(sessions::list_sessions, sessions::end_all_sessions))
        .routes(routes!(sessions::end_session))
        .routes(routes!(messages::send_message))
        .routes(routes!(directory::list_roles))
        .routes(routes!(directory::get_role))
        .routes(routes!(directory::list_teams))
        .routes(routes!(directory::get_team))
        .split_for_parts()
}

/// `/api/v1/…` and `/api/docs`, with the document served at
/// `/api/v1/openapi.json` and the per-token rate limit.
pub fn router(state: &AppState) -> axum::Router<AppState> {
    let (api, mut document) = api_router();
    utoipa::Modify::modify(&problem::CommonResponses, &mut document);
    let document = std::sync::Arc::new(
        document
            .to_pretty_json()
            .expect("the OpenAPI document serializes"),
    );
    api.route_layer(axum::middleware::from_fn_with_state(
        state.api_rate_limit.clone(),
        rate_limit::limit_per_token,
    ))
    .route(
        "/api/v1/openapi.json",
        axum::routing::get(move || {
            let document = document.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    document.as_str().to_owned(),
                )
            }
        }),
    )
    .route(
        "/api/v1/{*rest}",
        axum::routing::any(problem::no_such_route),
    )
    .layer(axum::middleware::from_fn(problem::errors_as_problems))
    .merge(docs::router())
}

/// Runs `work` (a call of a server function) as the pages' requests run
/// it: inside a reactive owner holding the request (with the caller the
/// middleware resolved from the token) and the contexts every server
/// function finds (database, authentication, live hub, outbox). So a REST
/// route and its page share every check and every effect.
pub async fn run_as_page<T, Fut>(state: &AppState, parts: Parts, work: impl FnOnce() -> Fut) -> T
where
    Fut: Future<Output = T>,
{
    let context = crate::startup::server_fn_context(state);
    let owner = Owner::new();
    owner
        .with(|| {
            ScopedFuture::new(async move {
                provide_context(parts);
                provide_context(leptos_axum::ResponseOptions::default());
                context();
                work().await
            })
        })
        .await
}

/// Who calls with a valid API token (a browser session never counts here).
pub fn token_caller(
    context: &RequestContext,
) -> Option<&std::sync::Arc<app::auth::service::SessionUser>> {
    context.session.as_ref().filter(|s| s.api_token.is_some())
}

/// Why a request may not go on, if it may not: 401 without a valid token,
/// 403 naming the permission the token lacks. (The server function checks
/// again; this answer names what is missing.)
pub fn refusal(context: &RequestContext, permission: Permission) -> Option<Response> {
    let Some(caller) = token_caller(context) else {
        return Some(unauthenticated());
    };
    (!caller.can(permission)).then(|| {
        problem::forbidden(&format!(
            "This token does not hold the permission \"{}\" ({}).",
            permission.label(),
            permission.key()
        ))
    })
}

/// A server function's answer as JSON with `status`, or its error as a
/// problem.
pub fn respond<T: Serialize>(
    status: axum::http::StatusCode,
    result: Result<T, app::error::AppError>,
) -> Response {
    match result {
        Ok(value) => (status, axum::Json(value)).into_response(),
        Err(error) => problem::from_app_error(error),
    }
}

/// The users a request chose, exactly one way: `ids`, `matching` (a Users
/// table query string), or the request's flag (`everyone`, `signed_in`:
/// `Ok(None)`). `ways` names the three for the error.
pub fn chosen_users(
    ids: Option<Vec<i64>>,
    matching: Option<String>,
    flag: bool,
    ways: &str,
) -> Result<Option<app::directory::Selection>, app::error::AppError> {
    use app::directory::Selection;
    match (ids, matching, flag) {
        (Some(ids), None, false) => Ok(Some(Selection::Ids(ids))),
        (None, Some(matching), false) => Ok(Some(Selection::Matching(matching))),
        (None, None, true) => Ok(None),
        _ => Err(app::error::AppError::validation(
            app::domain::FormField::Selection,
            format!("Choose the users one way: {ways}."),
        )),
    }
}

/// 204 when a server function that answers nothing succeeded, its error
/// as a problem otherwise.
pub fn respond_empty(result: Result<(), app::error::AppError>) -> Response {
    match result {
        Ok(()) => axum::http::StatusCode::NO_CONTENT.into_response(),
        Err(error) => problem::from_app_error(error),
    }
}

/// Who a token acts as.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub email: String,
    /// The token's own id (as listed under My account → API tokens).
    pub token_id: i64,
    /// What the token may do now: its permissions that its owner still holds.
    pub permissions: Vec<Permission>,
}

/// Who the token acts as, and what it may do now.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "tokens",
    responses(
        (status = 200, description = "The token's owner and its permissions now.", body = Me),
    )
)]
pub async fn me(Extension(context): Extension<RequestContext>) -> Response {
    let Some(caller) = token_caller(&context) else {
        return unauthenticated();
    };
    axum::Json(Me {
        id: caller.user_id,
        username: caller.username.clone(),
        name: caller.name.clone(),
        email: caller.email.clone(),
        token_id: caller.api_token.unwrap_or_default(),
        permissions: caller.permissions.clone(),
    })
    .into_response()
}
