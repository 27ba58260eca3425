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
use app::scim::error::{ScimError, ScimResult, ScimType};
use app::scim::list::ListQuery;
use app::scim::{Scim, groups_service, schema, users_service};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value};

use crate::startup::AppState;

/// Where SCIM is served.
pub const PREFIX: &str = "/scim/v2";
/// The content type of SCIM bodies.
const SCIM_JSON: &str = "application/scim+json";
/// The largest body SCIM reads: a group's PUT lists every member.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The SCIM routes, under [`PREFIX`].
pub fn router(state: &AppState) -> axum::Router<AppState> {
    let resources = axum::Router::new()
        .route("/Users", get(list_users).post(create_user))
        .route("/Users/.search", post(search_users))
        .route(
            "/Users/{id}",
            get(get_user)
                .put(replace_user)
                .patch(patch_user)
                .delete(delete_user),
        )
        .route("/Groups", get(list_groups).post(create_group))
        .route("/Groups/.search", post(search_groups))
        .route(
            "/Groups/{id}",
            get(get_group)
                .put(replace_group)
                .patch(patch_group)
                .delete(delete_group),
        )
        .route("/.search", post(search_everything))
        .route("/ServiceProviderConfig", get(service_provider_config))
        .route("/ResourceTypes", get(resource_types))
        .route("/ResourceTypes/{id}", get(resource_type))
        .route("/Schemas", get(schemas))
        .route("/Schemas/{id}", get(schema_by_id))
        .fallback(no_such_resource)
        .route_layer(axum::middleware::from_fn_with_state(
            state.api_rate_limit.clone(),
            crate::rest::limit_per_token,
        ))
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

fn error(error: ScimError) -> Response {
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

async fn list_users(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    RawQuery(query): RawQuery,
) -> Response {
    let scim_ = match permitted(&state, &context, Some(Permission::ViewUsers)) {
        Ok(s) => s,
        Err(refused) => return error(refused),
    };
    let result = match list_query(query) {
        Ok(query) => users_service::list(&scim_, &query).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(body) => scim(StatusCode::OK, body),
        Err(e) => error(e),
    }
}

async fn search_users(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    body: Bytes,
) -> Response {
    let scim_ = match permitted(&state, &context, Some(Permission::ViewUsers)) {
        Ok(s) => s,
        Err(refused) => return error(refused),
    };
    let result = match json_body(&body).and_then(|b| ListQuery::from_search(&b)) {
        Ok(query) => users_service::list(&scim_, &query).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(body) => scim(StatusCode::OK, body),
        Err(e) => error(e),
    }
}

async fn get_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let scim_ = match permitted(&state, &context, Some(Permission::ViewUsers)) {
        Ok(s) => s,
        Err(refused) => return error(refused),
    };
    let result = match list_query(query) {
        Ok(query) => users_service::get(&scim_, &id)
            .await
            .map(|doc| query.project(doc)),
        Err(e) => Err(e),
    };
    match result {
        Ok(doc) => resource(StatusCode::OK, doc),
        Err(e) => error(e),
    }
}

async fn create_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    body: Bytes,
) -> Response {
    let scim_ = match permitted(&state, &context, Some(Permission::CreateUsers)) {
        Ok(s) => s,
        Err(refused) => return error(refused),
    };
    let result = match json_body(&body) {
        Ok(body) => users_service::create(&scim_, &body).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((doc, after)) => {
            announce(&state, after).await;
            resource(StatusCode::CREATED, doc)
        }
        Err(e) => error(e),
    }
}

/// A write of a user needs Edit users; one that sets a password also needs
/// the permission to set passwords.
fn user_write_permission(body: &Value) -> Permission {
    let sets_password = |v: &Value| {
        v.as_object()
            .is_some_and(|o| o.keys().any(|k| k.eq_ignore_ascii_case("password")))
    };
    let in_operations = body
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("Operations")))
        .and_then(|(_, v)| v.as_array())
        .is_some_and(|ops| {
            ops.iter().any(|op| {
                op.get("path")
                    .and_then(Value::as_str)
                    .is_some_and(|p| p.trim().eq_ignore_ascii_case("password"))
                    || op.get("value").is_some_and(sets_password)
            })
        });
    if sets_password(body) || in_operations {
        Permission::ResetPasswords
    } else {
        Permission::EditUsers
    }
}

async fn replace_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    write_user(state, context, id, headers, body, false).await
}

async fn patch_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    write_user(state, context, id, headers, body, true).await
}

async fn write_user(
    state: AppState,
    context: RequestContext,
    id: String,
    headers: HeaderMap,
    body: Bytes,
    patch: bool,
) -> Response {
    if let Err(refused) = permitted(&state, &context, Some(Permission::EditUsers)) {
        return error(refused);
    }
    let body = match json_body(&body) {
        Ok(body) => body,
        Err(e) => return error(e),
    };
    let scim_ = match permitted(&state, &context, Some(user_write_permission(&body))) {
        Ok(s) => s,
        Err(refused) => return error(refused),
    };
    let if_match = if_match(&headers);
    let result = if patch {
        users_service::patch(&scim_, &id, &body, if_match.as_deref()).await
    } else {
        users_service::replace(&scim_, &id, &body, if_match.as_deref()).await
    };
    match result {
        Ok((doc, after)) => {
            announce(&state, after).await;
            resource(StatusCode::OK, doc)
        }
        Err(e) => error(e),
    }
}

async fn delete_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let scim_ = match permitted(&state, &context, Some(Permission::DeleteUsers)) {
        Ok(s) => s,
        Err(refused) => return error(refused),
    };
    match users_service::delete(&scim_, &id, if_match(&headers).as_deref()).await {
        Ok(after) => {
            announce(&state, after).await;
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => error(e),
    }
}

async fn list_groups(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    RawQuery(query): RawQuery,
) -> Response {
    let scim_ = match permitted(&state, &context, Some(Permission::ViewUsers)) {
        Ok(s) => s,
        Err(refused) => return error(refused),
    };
    let result = match list_query(query) {
        Ok(query) => groups_service::list(&scim_, &query).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(body) => scim(StatusCode::OK, body),
        Err(e) => error(e),
    }
}

async fn search_groups(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    body: Bytes,
) -> Response {
    let scim_ = match permitted(&state, &context, Some(Permission::ViewUsers)) {
        Ok(s) => s,
        Err(refused) => return error(refused),
    };
    let result = match json_body(&body).and_then(|b| ListQuery::from_search(&b)) {
        Ok(query) => groups_service::list(&scim_, &query).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(body) => scim(StatusCode::OK, body),
        Err(e) => error(e),
    }
}

async fn get_group(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let scim_ = match permitted(&state, &context, Some(Permission::ViewUsers)) {
        Ok(s) => s,
        Err(refused) => return error(refused),
    };
    let result = match list_query(query) {
        Ok(query) => groups_service::get(&scim_, &id, &query).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(doc) => resource(StatusCode::OK, doc),
        Err(e) => error(e),
    }
}

async fn create_group(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    body: Bytes,
) -> Response {
    let scim_ = match permitted(&state, &context, Some(Permission::ManageTeams)) {
        Ok(s) => s,
        Err(refused) => return error(refused),
    };
    let result = match json_body(&body) {
        Ok(body) => groups_service::create(&scim_, &body).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(doc) => {
            announce(&state, app::effects::AfterCommit::none().users_changed()).await;
            resource(StatusCode::CREATED, doc)
        }
        Err(e) => error(e),
    }
}

async fn replace_group(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let scim_ = match permitted(&state, &context, Some(Permission::ManageTeams)) {
        Ok(s) => s,
        Err(refused) => return error(refused),
    };
    let result = match json_body(&body) {
        Ok(body) => {
            groups_service::replace(&scim_, &id, &body, if_match(&headers).as_deref()).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(doc) => {
            announce(&state, app::effects::AfterCommit::none().users_changed()).await;
            resource(StatusCode::OK, doc)
        }
        Err(e) => error(e),
    }
}

async fn patch_group(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let scim_ = match permitted(&state, &context, Some(Permission::ManageTeams)) {
        Ok(s) => s,
        Err(refused) => return error(refused),
    };
    let result = match json_body(&body) {
        Ok(body) => groups_service::patch(&scim_, &id, &body, if_match(&headers).as_deref()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            announce(&state, app::effects::AfterCommit::none().users_changed()).await;
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => error(e),
    }
}

async fn delete_group(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let scim_ = match permitted(&state, &context, Some(Permission::ManageTeams)) {
        Ok(s) => s,
        Err(refused) => return error(refused),
    };
    match groups_service::delete(&scim_, &id, if_match(&headers).as_deref()).await {
        Ok(()) => {
            announce(&state, app::effects::AfterCommit::none().users_changed()).await;
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => error(e),
    }
}

/// `POST /.search` at the root: Users and Groups in one list.
async fn search_everything(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    body: Bytes,
) -> Response {
    let scim_ = match permitted(&state, &context, Some(Permission::ViewUsers)) {
        Ok(s) => s,
        Err(refused) => return error(refused),
    };
    let result = match json_body(&body).and_then(|b| ListQuery::from_search(&b)) {
        Ok(query) => app::scim::search_everything(&scim_, &query).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(body) => scim(StatusCode::OK, body),
        Err(e) => error(e),
    }
}

async fn service_provider_config(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
) -> Response {
    if let Err(refused) = permitted(&state, &context, None) {
        return error(refused);
    }
    scim(
        StatusCode::OK,
        schema::service_provider_config(&base_url(&state)),
    )
}

async fn resource_types(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
) -> Response {
    if let Err(refused) = permitted(&state, &context, None) {
        return error(refused);
    }
    scim(
        StatusCode::OK,
        schema::list_of(schema::resource_types(&base_url(&state))),
    )
}

async fn resource_type(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = permitted(&state, &context, None) {
        return error(refused);
    }
    match schema::resource_types(&base_url(&state))
        .into_iter()
        .find(|r| r["id"].as_str() == Some(id.as_str()))
    {
        Some(found) => scim(StatusCode::OK, found),
        None => error(ScimError::not_found(format!(
            "No resource type {}.",
            app::domain::shown(&id)
        ))),
    }
}

async fn schemas(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
) -> Response {
    if let Err(refused) = permitted(&state, &context, None) {
        return error(refused);
    }
    scim(
        StatusCode::OK,
        schema::list_of(schema::schemas(&base_url(&state))),
    )
}

async fn schema_by_id(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = permitted(&state, &context, None) {
        return error(refused);
    }
    match schema::schemas(&base_url(&state))
        .into_iter()
        .find(|s| s["id"].as_str() == Some(id.as_str()))
    {
        Some(found) => scim(StatusCode::OK, found),
        None => error(ScimError::not_found(format!(
            "No schema {}.",
            app::domain::shown(&id)
        ))),
    }
}

async fn no_such_resource() -> Response {
    error(ScimError::not_found(
        "No such SCIM endpoint: see /ServiceProviderConfig, /ResourceTypes, /Schemas, /Users and /Groups.",
    ))
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
