//! `/api/v1/roles` and `/api/v1/teams`: read-only, as their pages show them.

use app::auth::Permission;
use app::auth::guard::RequestContext;
use app::roles::api::{RoleDetails, RoleSummary};
use app::teams::api::{TeamDetails, TeamSummary};
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::problem::Problem;
use super::{refusal, respond, run_as_page};
use crate::startup::AppState;

/// Every role.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoleList {
    pub total: u64,
    pub roles: Vec<RoleSummary>,
}

/// Every role, with its permissions and how many users have it.
#[utoipa::path(
    get,
    path = "/api/v1/roles",
    tag = "roles",
    responses(
        (status = 200, description = "Every role, by name.", body = RoleList),
        (status = 403, description = "The token does not hold View users.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_roles(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    parts: Parts,
) -> Response {
    if let Some(refused) = refusal(&context, Permission::ViewUsers) {
        return refused;
    }
    let result = run_as_page(&state, parts, || async {
        app::roles::api::list_roles().await.map(|roles| RoleList {
            total: roles.len() as u64,
            roles,
        })
    })
    .await;
    respond(StatusCode::OK, result)
}

/// A role or team, by name.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct GroupName {
    /// Its name (any case).
    pub name: String,
}

/// A page of a role's members.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberPage {
    /// The page of members, from 1 (50 a page).
    #[serde(default)]
    #[param(minimum = 1)]
    pub page: Option<i32>,
}

/// A page of a team's members, maybe searched.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamMemberPage {
    /// Only members whose username, name or email address contains this.
    #[serde(default)]
    pub q: Option<String>,
    /// The page of members, from 1 (50 a page).
    #[serde(default)]
    #[param(minimum = 1)]
    pub page: Option<i32>,
}

/// The page asked for (1 when none is); below 1 is refused.
fn page_number(page: Option<i32>) -> Result<u64, app::error::AppError> {
    match page {
        None => Ok(1),
        Some(..=0) => Err(app::error::AppError::validation(
            app::domain::FormField::Page,
            "Pages are numbered from 1.",
        )),
        Some(page) => Ok(page as u64),
    }
}

/// One role: its permissions and a page of its members.
#[utoipa::path(
    get,
    path = "/api/v1/roles/{name}",
    tag = "roles",
    params(GroupName, MemberPage),
    responses(
        (status = 200, description = "The role.", body = RoleDetails),
        (status = 403, description = "The token does not hold View users.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such role.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`page` is below 1.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_role(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(GroupName { name }): Path<GroupName>,
    Query(page): Query<MemberPage>,
    parts: Parts,
) -> Response {
    if let Some(refused) = refusal(&context, Permission::ViewUsers) {
        return refused;
    }
    let page = match page_number(page.page) {
        Ok(page) => page,
        Err(error) => return super::problem::from_app_error(error),
    };
    let result = run_as_page(&state, parts, || app::roles::api::get_role(name, page)).await;
    respond(StatusCode::OK, result)
}

/// Every team.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TeamList {
    pub total: u64,
    pub teams: Vec<TeamSummary>,
}

/// Every team, with how many members it has.
#[utoipa::path(
    get,
    path = "/api/v1/teams",
    tag = "teams",
    responses(
        (status = 200, description = "Every team, by name.", body = TeamList),
        (status = 403, description = "The token does not hold Manage teams.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_teams(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    parts: Parts,
) -> Response {
    if let Some(refused) = refusal(&context, Permission::ManageTeams) {
        return refused;
    }
    let result = run_as_page(&state, parts, || async {
        app::teams::api::list_teams().await.map(|teams| TeamList {
            total: teams.len() as u64,
            teams,
        })
    })
    .await;
    respond(StatusCode::OK, result)
}

/// One team and a page of its members.
#[utoipa::path(
    get,
    path = "/api/v1/teams/{name}",
    tag = "teams",
    params(GroupName, TeamMemberPage),
    responses(
        (status = 200, description = "The team.", body = TeamDetails),
        (status = 403, description = "The token does not hold Manage teams.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`page` is below 1.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_team(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(GroupName { name }): Path<GroupName>,
    Query(page): Query<TeamMemberPage>,
    parts: Parts,
) -> Response {
    if let Some(refused) = refusal(&context, Permission::ManageTeams) {
        return refused;
    }
    let number = match page_number(page.page) {
        Ok(number) => number,
        Err(error) => return super::problem::from_app_error(error),
    };
    let (q, page) = (page.q.unwrap_or_default(), number);
    let result = run_as_page(&state, parts, || app::teams::api::get_team(name, q, page)).await;
    respond(StatusCode::OK, result)
}
