//! SCIM Groups (Roster's teams), and the search over every resource type.

use app::auth::Permission;
use app::auth::guard::RequestContext;
use app::scim::groups_service;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{
    announce, if_match, json_body, list_query, permitted, reply, resource, scim, search_query,
};
use crate::startup::AppState;

pub(super) async fn list_groups(
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

pub(super) async fn search_groups(
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

pub(super) async fn get_group(
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
pub(super) async fn teams_changed(state: &AppState) {
    announce(state, app::effects::AfterCommit::none().users_changed()).await;
}

pub(super) async fn create_group(
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

pub(super) async fn replace_group(
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

pub(super) async fn patch_group(
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

pub(super) async fn delete_group(
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
pub(super) async fn search_everything(
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
