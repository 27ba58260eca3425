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

/// A handler's answer: what it made, or its refusal as a SCIM error.
fn reply(result: ScimResult<Response>) -> Response {
    result.unwrap_or_else(error)
}

/// A list, or a search's body, read as list parameters.
fn search_query(body: &Bytes) -> ScimResult<ListQuery> {
    ListQuery::from_search(&json_body(body)?)
}

async fn list_users(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    RawQuery(query): RawQuery,
) -> Response {
    reply(
        async {
            let scim_ = permitted(&state, &context, Some(Permission::ViewUsers))?;
            let list = users_service::list(&scim_, &list_query(query)?).await?;
            Ok(scim(StatusCode::OK, list))
        }
        .await,
    )
}

async fn search_users(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    body: Bytes,
) -> Response {
    reply(
        async {
            let scim_ = permitted(&state, &context, Some(Permission::ViewUsers))?;
            let list = users_service::list(&scim_, &search_query(&body)?).await?;
            Ok(scim(StatusCode::OK, list))
        }
        .await,
    )
}

async fn get_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    reply(
        async {
            let scim_ = permitted(&state, &context, Some(Permission::ViewUsers))?;
            let query = list_query(query)?;
            let doc = users_service::get(&scim_, &id).await?;
            Ok(resource(StatusCode::OK, query.project(doc)))
        }
        .await,
    )
}

async fn create_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    body: Bytes,
) -> Response {
    reply(
        async {
            let scim_ = permitted(&state, &context, Some(Permission::CreateUsers))?;
            let (doc, after) = users_service::create(&scim_, &json_body(&body)?).await?;
            announce(&state, after).await;
            Ok(resource(StatusCode::CREATED, doc))
        }
        .await,
    )
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
    reply(write_user(&state, &context, &id, &headers, &body, false).await)
}

async fn patch_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    reply(write_user(&state, &context, &id, &headers, &body, true).await)
}

async fn write_user(
    state: &AppState,
    context: &RequestContext,
    id: &str,
    headers: &HeaderMap,
    body: &Bytes,
    patch: bool,
) -> ScimResult<Response> {
    permitted(state, context, Some(Permission::EditUsers))?;
    let body = json_body(body)?;
    let scim_ = permitted(state, context, Some(user_write_permission(&body)))?;
    let if_match = if_match(headers);
    let (doc, after) = if patch {
        users_service::patch(&scim_, id, &body, if_match.as_deref()).await?
    } else {
        users_service::replace(&scim_, id, &body, if_match.as_deref()).await?
    };
    announce(state, after).await;
    Ok(resource(StatusCode::OK, doc))
}

async fn delete_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    reply(
        async {
            let scim_ = permitted(&state, &context, Some(Permission::DeleteUsers))?;
            let after = users_service::delete(&scim_, &id, if_match(&headers).as_deref()).await?;
            announce(&state, after).await;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        .await,
    )
}

async fn list_groups(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    RawQuery(query): RawQuery,
) -> Response {
    reply(
        async {
            let scim_ = permitted(&state, &context, Some(Permission::ViewUsers))?;
            let list = groups_service::list(&scim_, &list_query(query)?).await?;
            Ok(scim(StatusCode::OK, list))
        }
        .await,
    )
}

async fn search_groups(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    body: Bytes,
) -> Response {
    reply(
        async {
            let scim_ = permitted(&state, &context, Some(Permission::ViewUsers))?;
            let list = groups_service::list(&scim_, &search_query(&body)?).await?;
            Ok(scim(StatusCode::OK, list))
        }
        .await,
    )
}

async fn get_group(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    reply(
        async {
            let scim_ = permitted(&state, &context, Some(Permission::ViewUsers))?;
            let doc = groups_service::get(&scim_, &id, &list_query(query)?).await?;
            Ok(resource(StatusCode::OK, doc))
        }
        .await,
    )
}

/// A change to a team: the Users table's team filter and counts move.
async fn teams_changed(state: &AppState) {
    announce(state, app::effects::AfterCommit::none().users_changed()).await;
}

async fn create_group(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    body: Bytes,
) -> Response {
    reply(
        async {
            let scim_ = permitted(&state, &context, Some(Permission::ManageTeams))?;
            let doc = groups_service::create(&scim_, &json_body(&body)?).await?;
            teams_changed(&state).await;
            Ok(resource(StatusCode::CREATED, doc))
        }
        .await,
    )
}

async fn replace_group(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    reply(
        async {
            let scim_ = permitted(&state, &context, Some(Permission::ManageTeams))?;
            let body = json_body(&body)?;
            let doc =
                groups_service::replace(&scim_, &id, &body, if_match(&headers).as_deref()).await?;
            teams_changed(&state).await;
            Ok(resource(StatusCode::OK, doc))
        }
        .await,
    )
}

async fn patch_group(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    reply(
        async {
            let scim_ = permitted(&state, &context, Some(Permission::ManageTeams))?;
            let body = json_body(&body)?;
            groups_service::patch(&scim_, &id, &body, if_match(&headers).as_deref()).await?;
            teams_changed(&state).await;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        .await,
    )
}

async fn delete_group(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    reply(
        async {
            let scim_ = permitted(&state, &context, Some(Permission::ManageTeams))?;
            groups_service::delete(&scim_, &id, if_match(&headers).as_deref()).await?;
            teams_changed(&state).await;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        .await,
    )
}

/// `POST /.search` at the root: Users and Groups in one list.
async fn search_everything(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    body: Bytes,
) -> Response {
    reply(
        async {
            let scim_ = permitted(&state, &context, Some(Permission::ViewUsers))?;
            let list = app::scim::search_everything(&scim_, &search_query(&body)?).await?;
            Ok(scim(StatusCode::OK, list))
        }
        .await,
    )
}

/// A discovery document, to any valid token.
fn discovery(
    state: &AppState,
    context: &RequestContext,
    document: impl FnOnce(&str) -> Option<Value>,
    missing: impl FnOnce() -> String,
) -> Response {
    reply(permitted(state, context, None).and_then(|_| {
        document(&base_url(state))
            .map(|found| scim(StatusCode::OK, found))
            .ok_or_else(|| ScimError::not_found(missing()))
    }))
}

async fn service_provider_config(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
) -> Response {
    discovery(
        &state,
        &context,
        |base| Some(schema::service_provider_config(base)),
        String::new,
    )
}

async fn resource_types(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
) -> Response {
    discovery(
        &state,
        &context,
        |base| Some(schema::list_of(schema::resource_types(base))),
        String::new,
    )
}

async fn resource_type(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Response {
    discovery(
        &state,
        &context,
        |base| {
            schema::resource_types(base)
                .into_iter()
                .find(|r| r["id"].as_str() == Some(id.as_str()))
        },
        || format!("No resource type {}.", app::domain::shown(&id)),
    )
}

async fn schemas(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
) -> Response {
    discovery(
        &state,
        &context,
        |base| Some(schema::list_of(schema::schemas(base))),
        String::new,
    )
}

async fn schema_by_id(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
) -> Response {
    discovery(
        &state,
        &context,
        |base| {
            schema::schemas(base)
                .into_iter()
                .find(|s| s["id"].as_str() == Some(id.as_str()))
        },
        || format!("No schema {}.", app::domain::shown(&id)),
    )
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
