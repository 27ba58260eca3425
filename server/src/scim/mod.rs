//! `/scim/v2`: SCIM 2.0 over HTTP (RFC 7644) for identity providers.
//!
//! Thin, like the REST API: each handler checks that the request carries a
//! valid API token holding the permission its operation needs (401, 403),
//! reads the body as JSON (400 `invalidSyntax` otherwise), and calls one
//! service of `app::scim`; answers are `application/scim+json`, errors are
//! SCIM error bodies. The per-token rate limit is the REST API's; a layer
//! turns any answer that is not already SCIM's (429, 405, 413…) into a SCIM
//! error, so a provider never reads another format.

use app::auth::Permission;
use app::auth::guard::RequestContext;
use app::scim::Scim;
use app::scim::error::{ScimError, ScimResult, ScimType};
use app::scim::list::ListQuery;
use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value};

use crate::startup::AppState;

mod discovery;
mod groups;
mod users;

/// Where SCIM is served.
pub const PREFIX: &str = "/scim/v2";
/// The content type of SCIM bodies.
const SCIM_JSON: &str = "application/scim+json";
/// The largest body SCIM reads: a group's PUT lists every member.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The SCIM routes, under [`PREFIX`].
pub fn router(state: &AppState) -> axum::Router<AppState> {
    let resources = axum::Router::new()
        .route("/Users", get(users::list_users).post(users::create_user))
        .route("/Users/.search", post(users::search_users))
        .route(
            "/Users/{id}",
            get(users::get_user)
                .put(users::replace_user)
                .patch(users::patch_user)
                .delete(users::delete_user),
        )
        .route(
            "/Groups",
            get(groups::list_groups).post(groups::create_group),
        )
        .route("/Groups/.search", post(groups::search_groups))
        .route(
            "/Groups/{id}",
            get(groups::get_group)
                .put(groups::replace_group)
                .patch(groups::patch_group)
                .delete(groups::delete_group),
        )
        .route("/.search", post(groups::search_everything))
        .route(
            "/ServiceProviderConfig",
            get(discovery::service_provider_config),
        )
        .route("/ResourceTypes", get(discovery::resource_types))
        .route("/ResourceTypes/{id}", get(discovery::resource_type))
        .route("/Schemas", get(discovery::schemas))
        .route("/Schemas/{id}", get(discovery::schema_by_id))
        .fallback(no_such_resource)
        .route_layer(axum::middleware::from_fn_with_state(
            state.api_rate_limit.clone(),
            crate::rest::limit_per_token,
        ))
        // Before any handler reads a body (up to 16 MB): nobody without a
        // valid token gets that far.
        .route_layer(axum::middleware::from_fn(token_first))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(errors_as_scim));
    axum::Router::new().nest(PREFIX, resources)
}

/// A SCIM body with `status`.
fn scim(status: StatusCode, body: Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    response
}

/// A resource, with its version as the `ETag` header.
fn resource(status: StatusCode, doc: Map<String, Value>) -> Response {
    let version = doc
        .get("meta")
        .and_then(|m| m.get("version"))
        .and_then(Value::as_str)
        .and_then(|v| HeaderValue::from_str(v).ok());
    let location = (status == StatusCode::CREATED)
        .then(|| {
            doc.get("meta")
                .and_then(|m| m.get("location"))
                .and_then(Value::as_str)
                .and_then(|v| HeaderValue::from_str(v).ok())
        })
        .flatten();
    let mut response = scim(status, Value::Object(doc));
    if let Some(version) = version {
        response.headers_mut().insert(header::ETAG, version);
    }
    if let Some(location) = location {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

pub(crate) fn error(error: ScimError) -> Response {
    if error.status >= 500 {
        tracing::error!(status = error.status, detail = %error.detail, "SCIM request failed");
    }
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = scim(status, error.body());
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"Roster SCIM\""),
        );
    }
    response
}

/// The services' view of this request, once its token is known to hold
/// `permission`.
fn permitted<'a>(
    state: &'a AppState,
    context: &'a RequestContext,
    permission: Option<Permission>,
) -> ScimResult<Scim<'a>> {
    let Some(caller) = crate::rest::token_caller(context) else {
        return Err(ScimError::new(
            401,
            None,
            "Send an API token as Authorization: Bearer roster_…",
        ));
    };
    if let Some(permission) = permission
        && !caller.can(permission)
    {
        return Err(ScimError::new(
            403,
            None,
            format!(
                "This token does not hold the permission \"{}\" ({}).",
                permission.label(),
                permission.key()
            ),
        ));
    }
    let client = app::auth::client::describe_client(&context.user_agent);
    Ok(Scim {
        db: &state.db,
        auth: &state.auth,
        outbox: &state.outbox,
        actor: caller.actor(context.ip, Some(format!("via SCIM ({client})"))),
        caller,
        base: base_url(state),
    })
}

fn base_url(state: &AppState) -> String {
    format!(
        "{}{PREFIX}",
        state.config.public_url.as_str().trim_end_matches('/')
    )
}

/// The body as JSON, or 400 `invalidSyntax`.
fn json_body(body: &Bytes) -> ScimResult<Value> {
    serde_json::from_slice(body).map_err(|e| {
        ScimError::bad(
            ScimType::InvalidSyntax,
            format!(
                "The body is not valid JSON (line {}, column {}).",
                e.line(),
                e.column()
            ),
        )
    })
}

fn list_query(query: Option<String>) -> ScimResult<ListQuery> {
    ListQuery::from_pairs(
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned(),
    )
}

fn if_match(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Runs the announcements a change owes (live sign-outs, the Users table
/// moving) now that it has committed.
async fn announce(state: &AppState, after: app::effects::AfterCommit) {
    after.apply_to(Some(&state.hub), Some(&state.outbox)).await;
}

/// A handler's answer: what it made, or its refusal as a SCIM error.
fn reply(result: ScimResult<Response>) -> Response {
    result.unwrap_or_else(error)
}

/// A list, or a search's body, read as list parameters.
fn search_query(body: &Bytes) -> ScimResult<ListQuery> {
    ListQuery::from_search(&json_body(body)?)
}

async fn no_such_resource() -> Response {
    error(ScimError::not_found(
        "No such SCIM endpoint: see /ServiceProviderConfig, /ResourceTypes, /Schemas, /Users and /Groups.",
    ))
}

/// Refuses a request without a valid API token with 401 before its body
/// is read.
async fn token_first(request: Request, next: Next) -> Response {
    let has_token = request
        .extensions()
        .get::<RequestContext>()
        .is_some_and(|context| crate::rest::token_caller(context).is_some());
    if has_token {
        next.run(request).await
    } else {
        error(ScimError::new(
            401,
            None,
            "Send an API token as Authorization: Bearer roster_…",
        ))
    }
}

/// Answers that are not SCIM's already (the rate limit's 429, axum's 405
/// and 413, a body that is not UTF-8…) become SCIM errors with the same
/// status and headers.
async fn errors_as_scim(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_scim = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(SCIM_JSON.as_bytes()));
    if is_scim || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let detail = match status {
        StatusCode::TOO_MANY_REQUESTS => {
            "This token sent too many requests; try again after Retry-After seconds."
        }
        StatusCode::METHOD_NOT_ALLOWED => "This endpoint does not accept that method.",
        StatusCode::PAYLOAD_TOO_LARGE => "The body is larger than 16 MB.",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "Send the body as application/scim+json.",
        _ if status.is_server_error() => "Something went wrong on our side.",
        _ => "The request was refused.",
    };
    let mut scim_error = error(ScimError::new(status.as_u16(), None, detail));
    for name in [header::RETRY_AFTER, header::ALLOW] {
        if let Some(value) = response.headers().get(&name) {
            scim_error.headers_mut().insert(name, value.clone());
        }
    }
    scim_error
}
