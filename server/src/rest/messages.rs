//! `POST /api/v1/messages`: the green message box, from a script.

use app::auth::Permission;
use app::auth::guard::RequestContext;
use app::live::message::{MessageOutcome, Recipients};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::Deserialize;

use super::body::JsonBody;
use super::problem::{Problem, from_app_error};
use super::{refusal, respond, run_as_page};
use crate::startup::AppState;

/// A message and who gets it: `ids`, `matching` (a Users table query
/// string), or `signed_in` (everyone signed in now but the sender).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body": "Roster restarts at 18:00 UTC; save your work.", "signed_in": true}))]
pub struct NewMessage {
    /// Plain text, at most 1,000 characters.
    #[schema(min_length = 1, max_length = 1000)]
    pub body: String,
    #[serde(default)]
    #[schema(min_items = 1, max_items = 10000)]
    pub ids: Option<Vec<i64>>,
    #[serde(default)]
    pub matching: Option<String>,
    #[serde(default)]
    pub signed_in: bool,
}

/// Shows a message in the top-right corner of the recipients' open pages
/// now, and to the others when they next open Roster.
#[utoipa::path(
    post,
    path = "/api/v1/messages",
    tag = "messages",
    request_body = NewMessage,
    responses(
        (status = 200, description = "How many users it was sent to, and how many had it on screen at once.", body = MessageOutcome),
        (status = 403, description = "The token does not hold Send messages.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The message is empty or too long, or the recipients are not given one way; `field` names it.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn send_message(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    parts: Parts,
    JsonBody(message): JsonBody<NewMessage>,
) -> Response {
    if let Some(refused) = refusal(&context, Permission::SendMessages) {
        return refused;
    }
    let recipients = match super::chosen_users(
        message.ids,
        message.matching,
        message.signed_in,
        "ids, matching, or signed_in",
    ) {
        Ok(Some(selection)) => Recipients::Selected(selection),
        Ok(None) => Recipients::SignedIn,
        Err(error) => return from_app_error(error),
    };
    let body = message.body;
    let result = run_as_page(&state, parts, || {
        app::live::message::send_message(recipients, body)
    })
    .await;
    respond(StatusCode::OK, result)
}
