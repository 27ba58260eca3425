//! SCIM Users: list, search, get, create, replace, patch, delete.

use app::auth::Permission;
use app::auth::guard::RequestContext;
use app::scim::error::ScimResult;
use app::scim::users_service;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{
    announce, if_match, json_body, list_query, permitted, reply, resource, scim, search_query,
};
use crate::startup::AppState;

pub(super) async fn list_users(
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

pub(super) async fn search_users(
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

pub(super) async fn get_user(
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

pub(super) async fn create_user(
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

pub(super) async fn replace_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    reply(write_user(&state, &context, &id, &headers, &body, false).await)
}

pub(super) async fn patch_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    reply(write_user(&state, &context, &id, &headers, &body, true).await)
}

pub(super) async fn write_user(
    state: &AppState,
    context: &RequestContext,
    id: &str,
    headers: &HeaderMap,
    body: &Bytes,
    patch: bool,
) -> ScimResult<Response> {
    // Setting a password also needs Reset passwords: the service checks
    // it on the document as parsed, however the password was sent.
    let scim_ = permitted(state, context, Some(Permission::EditUsers))?;
    let body = json_body(body)?;
    let if_match = if_match(headers);
    let (doc, after) = if patch {
        users_service::patch(&scim_, id, &body, if_match.as_deref()).await?
    } else {
        users_service::replace(&scim_, id, &body, if_match.as_deref()).await?
    };
    announce(state, after).await;
    Ok(resource(StatusCode::OK, doc))
}

pub(super) async fn delete_user(
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
