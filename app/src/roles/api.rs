//! Roles as the pages see them, and the server functions that list, show,
//! create, change and delete them. The rules are in `service` (server-only).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::Permission;
use crate::error::AppError;

/// One row of the roles table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoleSummary {
    pub name: String,
    pub description: String,
    pub permissions: Vec<Permission>,
    /// Users (not deleted) who have it.
    pub users: u64,
    pub builtin: bool,
}

/// A member of a role, as its page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoleMember {
    pub username: String,
    pub name: String,
    pub email: String,
}

/// Everything `/roles/NAME` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoleDetails {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub permissions: Vec<Permission>,
    pub builtin: bool,
    /// Administrator: keeps every permission.
    pub keeps_everything: bool,
    /// Bumped by every change; an edit made against an older one is refused.
    pub version: i32,
    pub users: u64,
    /// One page of members, by username.
    pub members: Vec<RoleMember>,
    /// 1-based.
    pub page: u64,
    pub pages: u64,
    /// The other roles, for "move its users to" when deleting it.
    pub other_roles: Vec<String>,
    /// The caller has this role (they cannot delete it).
    pub held_by_caller: bool,
}

/// New Role's form (also what Copy starts from).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDraft {
    pub name: String,
    pub description: String,
    pub permissions: Vec<Permission>,
}

/// The role page's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleEdit {
    pub id: i64,
    pub version: i32,
    pub name: String,
    pub description: String,
    pub permissions: Vec<Permission>,
}

/// Every role, with its permissions and how many users have it. Readable
/// by whoever may view users (they see roles on every user), changed only
/// by role managers.
#[server(name = ListRoles, prefix = "/api", endpoint = "list_roles")]
pub async fn list_roles() -> Result<Vec<RoleSummary>, AppError> {
    use crate::auth::guard::authorized;
    authorized(Permission::ViewUsers, |call| async move {
        crate::roles::service::list_roles(&call.db).await
    })
    .await
}

/// One role and a page of its members.
#[server(name = GetRole, prefix = "/api", endpoint = "get_role")]
pub async fn get_role(name: String, page: u64) -> Result<RoleDetails, AppError> {
    use crate::auth::guard::authorized;
    authorized(Permission::ViewUsers, |call| async move {
        crate::roles::service::role_details(&call.db, &call.caller, &name, page).await
    })
    .await
}

/// Creates a role (New Role, Copy); returns its name.
#[server(name = CreateRole, prefix = "/api", endpoint = "create_role", input = server_fn::codec::Json)]
pub async fn create_role(draft: RoleDraft) -> Result<String, AppError> {
    use crate::auth::guard::{authorized, request_context};
    authorized(Permission::ManageRoles, |call| async move {
        crate::roles::service::create_role(
            &call.db,
            &request_context().actor(),
            &call.caller,
            &draft,
        )
        .await
    })
    .await
}

/// Saves the role page's form; returns the role's name as now stored.
#[server(name = UpdateRole, prefix = "/api", endpoint = "update_role", input = server_fn::codec::Json)]
pub async fn update_role(edit: RoleEdit) -> Result<String, AppError> {
    use crate::auth::guard::{authorized, request_context};
    authorized(Permission::ManageRoles, |call| async move {
        let (name, after) = crate::roles::service::update_role(
            &call.db,
            &request_context().actor(),
            &call.caller,
            &edit,
        )
        .await?;
        after.apply().await;
        Ok(name)
    })
    .await
}

/// Deletes a role; its users move to `move_to` (required when it has any).
#[server(name = DeleteRole, prefix = "/api", endpoint = "delete_role")]
pub async fn delete_role(
    id: i64,
    version: i32,
    #[server(default)] move_to: Option<String>,
) -> Result<(), AppError> {
    use crate::auth::guard::{authorized, request_context};
    authorized(Permission::ManageRoles, |call| async move {
        let after = crate::roles::service::delete_role(
            &call.db,
            &request_context().actor(),
            &call.caller,
            id,
            version,
            move_to.as_deref(),
        )
        .await?;
        after.apply().await;
        Ok(())
    })
    .await
}
