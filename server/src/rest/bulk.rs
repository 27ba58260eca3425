//! `POST /api/v1/users/bulk`: every bulk action of the Users table, on
//! users chosen by id or on every user matching a table view.

use app::auth::Permission;
use app::auth::guard::RequestContext;
use app::directory::Selection;
use app::domain::{FormField, Secret};
use app::error::AppError;
use app::users::bulk::api::{BulkAction, BulkOutcome};
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

/// What a bulk request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkActionName {
    /// Ends every session of the users (needs Force sign-out).
    ForceSignOut,
    Lock,
    Unlock,
    /// Active users become inactive and inactive ones active.
    ToggleActive,
    /// Sets `password` for all of them; `must_change_password` (default
    /// true) makes them choose their own at next sign-in.
    SetPassword,
    /// Blocks sign-in and keeps everything; `reason` is required.
    Suspend,
    Reinstate,
    Delete,
    Restore,
    /// Emails each a single-use link to choose a new password.
    ResetPassword,
    /// Emails each a single-use link that signs them in once.
    SendTemporaryLogin,
    ResendInvitation,
    CancelInvitation,
    /// Adds them to `team` (needs Manage teams).
    AddToTeam,
    /// Removes them from `team` (needs Manage teams).
    RemoveFromTeam,
}

/// A bulk action and the users it applies to: `ids`, or `matching` (a
/// Users table query string), or `everyone` (Force sign-out only).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"action": "lock", "matching": "status=inactive&q=example.com"}))]
pub struct BulkRequest {
    pub action: BulkActionName,
    /// Users chosen one by one (at most 10,000).
    #[serde(default)]
    #[schema(min_items = 1, max_items = 10000)]
    pub ids: Option<Vec<i64>>,
    /// Every user matching this Users table view, e.g.
    /// `q=example.com&status=locked` (the parameters of `GET /api/v1/users`;
    /// page and order do not matter). Evaluated when the action runs.
    #[serde(default)]
    pub matching: Option<String>,
    /// Every user (Force sign-out only).
    #[serde(default)]
    pub everyone: bool,
    /// `set_password`: the new password.
    #[serde(default)]
    pub password: Option<String>,
    /// `set_password`: whether they must change it at next sign-in
    /// (default true).
    #[serde(default)]
    pub must_change_password: Option<bool>,
    /// `suspend`: why (shown on the user's page).
    #[serde(default)]
    pub reason: Option<String>,
    /// `add_to_team`, `remove_from_team`: the team's name.
    #[serde(default)]
    pub team: Option<String>,
}

impl BulkRequest {
    /// The users chosen; exactly one way of choosing must be given.
    fn selection(&self) -> Result<Selection, AppError> {
        super::chosen_users(
            self.ids.clone(),
            self.matching.clone(),
            self.everyone,
            "ids, matching, or everyone",
        )
        .map(|chosen| chosen.unwrap_or(Selection::Everyone))
    }

    /// The table's action, or the team to change (with add or remove).
    fn action(&self) -> Result<Result<BulkAction, (String, bool)>, AppError> {
        let needs = |value: &Option<String>, field: FormField, what: &str| {
            value
                .clone()
                .ok_or_else(|| AppError::validation(field, format!("Give the {what}.")))
        };
        Ok(Ok(match self.action {
            BulkActionName::ForceSignOut => BulkAction::ForceSignOut,
            BulkActionName::Lock => BulkAction::Lock,
            BulkActionName::Unlock => BulkAction::Unlock,
            BulkActionName::ToggleActive => BulkAction::ToggleActive,
            BulkActionName::SetPassword => BulkAction::SetPassword {
                password: Secret::new(needs(&self.password, FormField::Password, "new password")?),
                must_change_password: self.must_change_password.unwrap_or(true),
            },
            BulkActionName::Suspend => BulkAction::Suspend {
                reason: needs(&self.reason, FormField::Reason, "reason for the suspension")?,
            },
            BulkActionName::Reinstate => BulkAction::Reinstate,
            BulkActionName::Delete => BulkAction::Delete,
            BulkActionName::Restore => BulkAction::Restore,
            BulkActionName::ResetPassword => BulkAction::ResetPassword,
            BulkActionName::SendTemporaryLogin => BulkAction::SendTemporaryLogin,
            BulkActionName::ResendInvitation => BulkAction::ResendInvitation,
            BulkActionName::CancelInvitation => BulkAction::CancelInvitation,
            BulkActionName::AddToTeam | BulkActionName::RemoveFromTeam => {
                let team = needs(&self.team, FormField::Team, "team's name")?;
                return Ok(Err((team, self.action == BulkActionName::AddToTeam)));
            }
        }))
    }
}

/// Runs one of the Users table's bulk actions; says how many users it
/// changed and which it left alone, and why.
#[utoipa::path(
    post,
    path = "/api/v1/users/bulk",
    tag = "bulk",
    request_body = BulkRequest,
    responses(
        (status = 200, description = "What it did: `succeeded`, and the users `skipped` with the reason.", body = BulkOutcome),
        (status = 403, description = "The token does not hold the action's permission.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid (the selection, a password, a reason, a team that does not exist); `field` names it.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn bulk_action(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    parts: Parts,
    JsonBody(request): JsonBody<BulkRequest>,
) -> Response {
    let action = request.action();
    let permission = match (request.action, &action) {
        (BulkActionName::AddToTeam | BulkActionName::RemoveFromTeam, _) => Permission::ManageTeams,
        (_, Ok(Ok(action))) => action.permission(),
        // A malformed action still needs a token first.
        _ => Permission::ViewUsers,
    };
    if let Some(refused) = refusal(&context, permission) {
        return refused;
    }
    let (selection, action) = match (request.selection(), action) {
        (Ok(selection), Ok(action)) => (selection, action),
        (Err(error), _) | (_, Err(error)) => return from_app_error(error),
    };
    let result = run_as_page(&state, parts, || async move {
        match action {
            Ok(action) => app::users::bulk::api::run_bulk_action(action, selection).await,
            Err((team, add)) => app::teams::api::change_members(team, add, selection).await,
        }
    })
    .await;
    respond(StatusCode::OK, result)
}
