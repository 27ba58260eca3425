//! Teams as the pages see them, and their server functions. The work is in
//! `service` (server-only).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::users::bulk::api::{BulkOutcome, Selection};

/// One row of the teams table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamSummary {
    pub name: String,
    pub description: String,
    /// Members who are not deleted.
    pub members: u64,
}

/// A member of a team, as its page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamMember {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub email: String,
}

/// Everything `/teams/NAME` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TeamDetails {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub version: i32,
    /// Members in all (not deleted).
    pub members_total: u64,
    /// Members matching the search (all of them without one).
    pub matching: u64,
    /// One page of the matching members, by username.
    pub members: Vec<TeamMember>,
    /// 1-based.
    pub page: u64,
    pub pages: u64,
}

/// A user "Add Members" offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub email: String,
    /// Already in the team.
    pub member: bool,
}

/// Every team by name, with how many members it has.
#[server(name = ListTeams, prefix = "/api", endpoint = "list_teams")]
pub async fn list_teams() -> Result<Vec<TeamSummary>, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::authorized;
    authorized(Permission::ManageTeams, |call| async move {
        crate::teams::service::list_teams(&call.db).await
    })
    .await
}

/// One team and a page of its members matching `q`.
#[server(name = GetTeam, prefix = "/api", endpoint = "get_team")]
pub async fn get_team(name: String, q: String, page: u64) -> Result<TeamDetails, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::authorized;
    authorized(Permission::ManageTeams, |call| async move {
        crate::teams::service::team_details(&call.db, &name, &q, page).await
    })
    .await
}

/// New Team; returns its name.
#[server(name = CreateTeam, prefix = "/api", endpoint = "create_team")]
pub async fn create_team(name: String, description: String) -> Result<String, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{authorized, request_context};
    authorized(Permission::ManageTeams, |call| async move {
        crate::teams::service::create_team(
            &call.db,
            &request_context().actor(),
            &name,
            &description,
        )
        .await
    })
    .await
}

/// Renames or describes a team; returns its name as now stored.
#[server(name = UpdateTeam, prefix = "/api", endpoint = "update_team")]
pub async fn update_team(
    id: i64,
    version: i32,
    name: String,
    description: String,
) -> Result<String, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{authorized, request_context};
    authorized(Permission::ManageTeams, |call| async move {
        crate::teams::service::update_team(
            &call.db,
            &request_context().actor(),
            id,
            version,
            &name,
            &description,
        )
        .await
    })
    .await
}

/// Deletes a team; its members stay users.
#[server(name = DeleteTeam, prefix = "/api", endpoint = "delete_team")]
pub async fn delete_team(id: i64, version: i32) -> Result<(), AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{authorized, request_context};
    authorized(Permission::ManageTeams, |call| async move {
        crate::teams::service::delete_team(&call.db, &request_context().actor(), id, version)
            .await?;
        crate::effects::AfterCommit::none()
            .users_changed()
            .apply()
            .await;
        Ok(())
    })
    .await
}

/// Users whose username, name or email starts with or contains `q`, for
/// "Add Members"; says who is in the team already.
#[server(name = FindCandidates, prefix = "/api", endpoint = "find_team_candidates")]
pub async fn find_candidates(team_id: i64, q: String) -> Result<Vec<Candidate>, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::authorized;
    authorized(Permission::ManageTeams, |call| async move {
        crate::teams::service::candidates(&call.db, team_id, &q).await
    })
    .await
}

/// Adds users to a team ("Add Members", the Users table's "Add to Team"),
/// or removes them ("Remove from Team").
#[server(name = ChangeMembers, prefix = "/api", endpoint = "change_team_members", input = server_fn::codec::Json)]
pub async fn change_members(
    team: String,
    add: bool,
    selection: Selection,
) -> Result<BulkOutcome, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{authorized, request_context};
    authorized(Permission::ManageTeams, |call| async move {
        let change = if add {
            crate::teams::service::Membership::Add
        } else {
            crate::teams::service::Membership::Remove
        };
        let outcome = crate::teams::service::change_members(
            &call.db,
            &request_context().actor(),
            &team,
            change,
            &selection,
        )
        .await?;
        crate::effects::AfterCommit::none()
            .users_changed()
            .apply()
            .await;
        Ok(outcome)
    })
    .await
}
