//! API tokens, what the browser sees: the rows of the tokens page, the
//! New API Token form, and the server functions (each refused while
//! impersonating: a user's tokens are theirs alone).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One token as lists show it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    /// The first characters of the secret, to tell tokens apart.
    pub prefix: String,
    /// The labels of the permissions it was given.
    pub permissions: Vec<String>,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
    pub expired: bool,
}

/// The New API Token form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiToken {
    pub name: String,
    /// Days until it expires (1 to 365).
    pub days: u32,
    /// Permission keys, from the owner's own.
    pub permissions: Vec<String>,
}

/// The tokens page: the caller's tokens and what a new one may hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyTokens {
    pub tokens: Vec<TokenRow>,
    /// (key, label) of each permission a new token may be given.
    pub grantable: Vec<(String, String)>,
}

/// A token just made: the secret, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTokenSecret {
    pub secret: String,
    pub token: TokenRow,
}

#[server(name = ListMyApiTokens, prefix = "/api", endpoint = "my_api_tokens")]
pub async fn my_api_tokens() -> Result<MyTokens, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{authorized, only_in_person};
    authorized(Permission::ManageApiTokens, |call| async move {
        only_in_person(&call.caller, "managing API tokens")?;
        let tokens =
            super::service::tokens_of(&call.db, call.caller.user_id, chrono::Utc::now()).await?;
        let grantable = call
            .caller
            .permissions
            .iter()
            .filter(|p| super::grantable(**p))
            .map(|p| (p.key().to_owned(), p.label().to_owned()))
            .collect();
        Ok(MyTokens { tokens, grantable })
    })
    .await
}

#[server(name = CreateApiToken, prefix = "/api", endpoint = "create_api_token", input = server_fn::codec::Json)]
pub async fn create_api_token(new: NewApiToken) -> Result<NewTokenSecret, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{authorized, only_in_person, request_context};
    authorized(Permission::ManageApiTokens, |call| async move {
        only_in_person(&call.caller, "managing API tokens")?;
        let created = super::service::create(
            &call.db,
            &request_context().actor(),
            call.caller.user_id,
            &call.caller.permissions,
            &new,
            chrono::Utc::now(),
        )
        .await?;
        Ok(NewTokenSecret {
            secret: created.secret,
            token: created.row,
        })
    })
    .await
}

#[server(name = RevokeApiToken, prefix = "/api", endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{authorized, only_in_person, request_context};
    authorized(Permission::ManageApiTokens, |call| async move {
        only_in_person(&call.caller, "managing API tokens")?;
        super::service::revoke(
            &call.db,
            &request_context().actor(),
            call.caller.user_id,
            id,
            chrono::Utc::now(),
        )
        .await
    })
    .await
}

/// Another user's tokens, for their user page: administrators (who may
/// edit users and manage tokens) see and revoke everyone's.
#[server(name = ListUserApiTokens, prefix = "/api", endpoint = "user_api_tokens")]
pub async fn user_api_tokens(username: String) -> Result<Vec<TokenRow>, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::authorized;
    authorized(Permission::EditUsers, |call| async move {
        if !call.caller.can(Permission::ManageApiTokens) {
            return crate::error::with_status(Err(AppError::Forbidden));
        }
        let owner = crate::users::detail::service::find_by_username(&call.db, &username).await?;
        super::service::tokens_of(&call.db, owner.id, chrono::Utc::now()).await
    })
    .await
}

/// Revokes one of another user's tokens (from their user page).
#[server(name = RevokeUserApiToken, prefix = "/api", endpoint = "revoke_user_api_token")]
pub async fn revoke_user_api_token(user_id: i64, id: i64) -> Result<(), AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{authorized, request_context};
    authorized(Permission::EditUsers, |call| async move {
        if !call.caller.can(Permission::ManageApiTokens) {
            return crate::error::with_status(Err(AppError::Forbidden));
        }
        if user_id == call.caller.user_id {
            crate::auth::guard::only_in_person(&call.caller, "managing API tokens")?;
        }
        super::service::revoke(
            &call.db,
            &request_context().actor(),
            user_id,
            id,
            chrono::Utc::now(),
        )
        .await
    })
    .await
}
