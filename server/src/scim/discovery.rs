//! SCIM discovery: `/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`.

use app::auth::guard::RequestContext;
use app::scim::error::ScimError;
use app::scim::schema;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::{base_url, permitted, reply, scim};
use crate::startup::AppState;

/// A discovery document, to any valid token.
pub(super) fn discovery(
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

pub(super) async fn service_provider_config(
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

pub(super) async fn resource_types(
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

pub(super) async fn resource_type(
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

pub(super) async fn schemas(
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

pub(super) async fn schema_by_id(
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
