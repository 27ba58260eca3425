//! `/api/v1/users`: the Users table, the user page and New User, as JSON.

use app::auth::Permission;
use app::auth::guard::RequestContext;
use app::directory::{Selection, UserListQuery};
use app::error::AppError;
use app::users::bulk::api::{BulkAction, BulkOutcome, run_bulk_action};
use app::users::detail::api::UserDetails;
use app::users::table::api::UserRow;
use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::body::JsonBody;
use super::params::UserListParams;
use super::problem::{Problem, from_app_error};
use super::{refusal, respond, respond_empty, run_as_page};
use crate::startup::AppState;

/// One page of users.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserList {
    /// Users matching the search and filters, on every page.
    pub total: u64,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    pub users: Vec<UserRow>,
    /// The next page's address, when there is one.
    pub next: Option<String>,
}

/// One page of users, with exactly the Users table's query parameters.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "users",
    params(UserListParams),
    responses(
        (status = 200, description = "One page of users and how many match in all.", body = UserList),
        (status = 403, description = "The token does not hold View users.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter is not one the table accepts; `field` names it.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_users(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    RawQuery(query): RawQuery,
) -> Response {
    if let Some(refused) = refusal(&context, Permission::ViewUsers) {
        return refused;
    }
    let query = query.unwrap_or_default();
    if let Some(refused) = empty_choice(&query) {
        return refused;
    }
    let mut view = match UserListQuery::from_query_string(&query) {
        Ok(view) => view,
        Err(error) => return from_app_error(error),
    };
    match app::users::table::service::list_page(&state.db, &view, chrono::Utc::now()).await {
        Ok(page) => {
            let next = (u64::from(page.page) < page.page_count()).then(|| {
                view.page = page.page + 1;
                view.href().replacen("/users", "/api/v1/users", 1)
            });
            axum::Json(UserList {
                total: page.total,
                page: page.page,
                per_page: page.per_page,
                users: page.rows,
                next,
            })
            .into_response()
        }
        Err(error) => from_app_error(error),
    }
}

/// The table's own form sends an empty value for "any" (`status=`); the
/// API's document lists only real choices, so it refuses an empty one
/// (leave the parameter out instead) rather than accept what it does not
/// describe.
fn empty_choice(query: &str) -> Option<Response> {
    use app::domain::FormField;
    const CHOICES: [FormField; 7] = [
        FormField::Status,
        FormField::SignedIn,
        FormField::Deleted,
        FormField::Sort,
        FormField::SortDirection,
        FormField::Page,
        FormField::PerPage,
    ];
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, value)| value.is_empty() && CHOICES.iter().any(|c| c.key() == name))
        .map(|(name, _)| {
            let field = CHOICES
                .into_iter()
                .find(|c| c.key() == name)
                .unwrap_or(FormField::Status);
            from_app_error(AppError::validation(
                field,
                format!("'{name}' is empty: give one of its values, or leave it out."),
            ))
        })
}

/// A user: their numeric id, or their username.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct UserKey {
    /// The user's numeric id, or their username (any case). A key of
    /// digits alone is always an id, never a username.
    #[param(example = "dana.scully")]
    pub user: String,
}

/// The user `key` names (deleted or not), as their id and username, once
/// the token is known to hold `permission` (401/403 first, then 404).
pub async fn permitted_user(
    state: &AppState,
    context: &RequestContext,
    permission: Permission,
    key: &str,
) -> Result<(i64, String), Response> {
    if let Some(refused) = refusal(context, permission) {
        return Err(refused);
    }
    app::users::detail::service::find_by_key(&state.db, key)
        .await
        .map(|user| (user.id, user.username))
        .map_err(from_app_error)
}

/// The user as their page shows them, read by the service (the caller's
/// permission to do what they asked has been checked).
async fn details_of(state: &AppState, username: &str) -> Result<UserDetails, AppError> {
    app::users::detail::service::user_details(
        &state.db,
        state.auth.settings(),
        username,
        chrono::Utc::now(),
    )
    .await
}

/// One user: details, roles, teams, open sessions and recent history.
#[utoipa::path(
    get,
    path = "/api/v1/users/{user}",
    tag = "users",
    params(UserKey),
    responses(
        (status = 200, description = "The user, as their page shows them.", body = UserDetails),
        (status = 403, description = "The token does not hold View users.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(UserKey { user }): Path<UserKey>,
    parts: Parts,
) -> Response {
    let (_, username) = match permitted_user(&state, &context, Permission::ViewUsers, &user).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let result = run_as_page(&state, parts, || {
        app::users::detail::api::get_user(username)
    })
    .await;
    respond(StatusCode::OK, result)
}

/// A new user.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "username": "dana.scully",
    "email": "dana.scully@example.com",
    "name": "Dana Scully",
    "roles": ["User Manager"],
    "teams": ["Support"]
}))]
pub struct NewUser {
    /// 3 to 32 characters: letters, digits, `.`, `_`, `-`; starts with a
    /// letter or digit. Stored in lower case.
    pub username: String,
    pub email: String,
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub phone_ext: String,
    /// Role names, at least one (`User` for an account with no
    /// administrative permission); the token's owner must hold every
    /// permission they give.
    pub roles: Vec<String>,
    /// Team names.
    #[serde(default)]
    pub teams: Vec<String>,
    /// A temporary password the user must change at first sign-in. Without
    /// one, the user is invited: an email with a link to choose a password.
    #[serde(default)]
    pub password: Option<String>,
}

/// Creates a user with a temporary password, or invites them by email.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "users",
    request_body = NewUser,
    responses(
        (status = 201, description = "Created; `Location` is the user's address.", body = UserDetails,
            headers(("Location" = String, description = "The new user's address."))),
        (status = 403, description = "The token does not hold Create users.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The username or email address is taken.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid, or a role gives a permission the token does not hold; `field` names it.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    parts: Parts,
    JsonBody(new): JsonBody<NewUser>,
) -> Response {
    use app::users::create::api::{AccountSetup, NewAccount};
    if let Some(refused) = refusal(&context, Permission::CreateUsers) {
        return refused;
    }
    let account = NewAccount {
        username: new.username,
        email: new.email,
        name: new.name,
        phone: new.phone,
        phone_ext: new.phone_ext,
        roles: new.roles,
        teams: new.teams,
        setup: match new.password {
            Some(password) => AccountSetup::TemporaryPassword(password),
            None => AccountSetup::Invitation,
        },
    };
    let read = &state;
    let result = run_as_page(&state, parts, || async move {
        let username = app::users::create::api::create_user(account).await?;
        // The answer is the user as created, whether or not the token may
        // also view users: it just made them.
        details_of(read, &username).await
    })
    .await;
    match result {
        Ok(details) => {
            let location = format!("/api/v1/users/{}", details.row.username);
            let mut response = (StatusCode::CREATED, axum::Json(details)).into_response();
            if let Ok(location) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        Err(error) => from_app_error(error),
    }
}

/// A change to a user: only the fields given change (a field left out or
/// `null` keeps its value; `""` clears the phone number or extension).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 3, "name": "Dana K. Scully", "active": true}))]
pub struct UserPatch {
    /// The `version` you read; if the user changed since, the change is
    /// refused with 409 and nothing is written.
    pub version: i32,
    pub username: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub phone_ext: Option<String>,
    /// Inactive users cannot sign in; their sessions end.
    pub active: Option<bool>,
    /// The user's roles, all of them (replaces the current ones).
    pub roles: Option<Vec<String>>,
    /// The user's teams, all of them (replaces the current ones).
    pub teams: Option<Vec<String>>,
}

/// Changes a user's details, status, roles or teams.
#[utoipa::path(
    patch,
    path = "/api/v1/users/{user}",
    tag = "users",
    params(UserKey),
    request_body = UserPatch,
    responses(
        (status = 200, description = "The user as now stored (with the new `version`).", body = UserDetails),
        (status = 403, description = "The token does not hold Edit users, or the change is its owner's own email address (only in person).", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The user changed since `version`, the username or email address is taken, or the user is deleted (restore them first).", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid, or a role gives a permission the token does not hold; `field` names it.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(UserKey { user }): Path<UserKey>,
    parts: Parts,
    JsonBody(patch): JsonBody<UserPatch>,
) -> Response {
    use app::users::detail::api::UserEdit;
    let (_, username) = match permitted_user(&state, &context, Permission::EditUsers, &user).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let read = &state;
    let result = run_as_page(&state, parts, || async move {
        let now = details_of(read, &username).await?;
        let row = now.row;
        let edit = UserEdit {
            id: row.id,
            version: patch.version,
            username: patch.username.unwrap_or(row.username),
            email: patch.email.unwrap_or(row.email),
            name: patch.name.unwrap_or(row.name),
            phone: patch.phone.or(row.phone).unwrap_or_default(),
            phone_ext: patch.phone_ext.or(row.phone_ext).unwrap_or_default(),
            active: patch.active.unwrap_or(row.active),
            roles: patch.roles.unwrap_or(row.roles),
            teams: patch.teams.unwrap_or(now.teams),
        };
        app::users::detail::api::update_user(edit).await
    })
    .await;
    respond(StatusCode::OK, result)
}

/// One user through a bulk action: 204 when it did it, 409 with the reason
/// when it left them alone ("already deleted", "that is you").
async fn one_user(
    state: &AppState,
    context: &RequestContext,
    parts: Parts,
    key: &str,
    action: BulkAction,
) -> Response {
    let (id, _) = match permitted_user(state, context, action.permission(), key).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let result = run_as_page(state, parts, || {
        run_bulk_action(action, Selection::Ids(vec![id]))
    })
    .await;
    match result {
        Ok(outcome) if outcome.succeeded > 0 => StatusCode::NO_CONTENT.into_response(),
        Ok(outcome) => from_app_error(AppError::Conflict {
            field: None,
            message: not_done(&outcome),
        }),
        Err(error) => from_app_error(error),
    }
}

/// "Nothing changed: already deleted."
fn not_done(outcome: &BulkOutcome) -> String {
    match outcome.skipped.first() {
        Some(skipped) => format!("Nothing changed: {}.", skipped.reason),
        None => "Nothing changed.".to_owned(),
    }
}

/// Deletes a user (soft): they cannot sign in, their sessions end, they
/// leave the default list; history is kept and `restore` undoes it.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{user}",
    tag = "users",
    params(UserKey),
    responses(
        (status = 204, description = "Deleted."),
        (status = 403, description = "The token does not hold Delete users.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Left alone (already deleted, or the token's owner themself); `detail` says why.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(UserKey { user }): Path<UserKey>,
    parts: Parts,
) -> Response {
    one_user(&state, &context, parts, &user, BulkAction::Delete).await
}

/// Restores a deleted user, as they were.
#[utoipa::path(
    post,
    path = "/api/v1/users/{user}/restore",
    tag = "users",
    params(UserKey),
    responses(
        (status = 204, description = "Restored."),
        (status = 403, description = "The token does not hold Delete users.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Left alone (not deleted); `detail` says why.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn restore_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(UserKey { user }): Path<UserKey>,
    parts: Parts,
) -> Response {
    one_user(&state, &context, parts, &user, BulkAction::Restore).await
}

/// What a permanent delete must be sent, so it is never sent by accident.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"confirm_username": "dana.scully"}))]
pub struct PermanentDelete {
    /// The user's username, typed again.
    pub confirm_username: String,
}

/// Removes a deleted user's personal data for good (their history stays,
/// anonymised). The user must be deleted first.
#[utoipa::path(
    post,
    path = "/api/v1/users/{user}/permanent-delete",
    tag = "users",
    params(UserKey),
    request_body = PermanentDelete,
    responses(
        (status = 204, description = "Removed for good."),
        (status = 403, description = "The token does not hold Delete users.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The user is not deleted, or `confirm_username` is not their username.", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn purge_user(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    Path(UserKey { user }): Path<UserKey>,
    parts: Parts,
    JsonBody(confirm): JsonBody<PermanentDelete>,
) -> Response {
    let (id, _) = match permitted_user(&state, &context, Permission::DeleteUsers, &user).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let result = run_as_page(&state, parts, || {
        app::users::detail::api::delete_user_permanently(id, confirm.confirm_username)
    })
    .await;
    respond_empty(result)
}
