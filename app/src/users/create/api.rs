//! New User (`/users/new`): what the form sends and the server function that
//! creates the account, with a temporary password or by invitation.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// How the new user gets in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountSetup {
    /// A password the administrator passes on; it must be changed at first
    /// sign-in.
    TemporaryPassword(String),
    /// An email with a link to choose a password.
    Invitation,
}

/// The New User form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    pub username: String,
    pub email: String,
    pub name: String,
    pub phone: String,
    pub phone_ext: String,
    pub roles: Vec<String>,
    pub teams: Vec<String>,
    pub setup: AccountSetup,
}

/// Creates a user; returns their username.
#[server(name = CreateUser, prefix = "/api", endpoint = "create_user", input = server_fn::codec::Json)]
pub async fn create_user(account: NewAccount) -> Result<String, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{auth_state, authorized, request_context};
    use crate::domain::{FormField, NewPassword};
    use crate::effects::AfterCommit;
    use crate::email::outbox::Outbox;
    use crate::users::create::service::{self as accounts, NewProfile, NewUser};
    authorized(Permission::CreateUsers, |call| async move {
        let profile = NewProfile::parse(
            &account.username,
            &account.email,
            &account.name,
            &account.phone,
            &account.phone_ext,
            account.roles,
            account.teams,
        )?;
        let (db, auth, actor) = (&call.db, auth_state()?, request_context().actor());
        crate::users::detail::service::check_role_grant(db, &call.caller, &profile.roles).await?;
        let (created, after) = match account.setup {
            AccountSetup::TemporaryPassword(password) => {
                let password = NewPassword::parse(&password)
                    .map_err(|e| AppError::validation(FormField::Password, e))?;
                let new = NewUser {
                    profile,
                    password,
                    must_change_password: true,
                };
                let created = accounts::create_account(db, auth.hashing(), &actor, new).await?;
                (created, AfterCommit::none())
            }
            AccountSetup::Invitation => {
                accounts::invite_user(
                    db,
                    auth.settings(),
                    &Outbox::from_context()?,
                    &actor,
                    profile,
                )
                .await?
            }
        };
        after.users_changed().apply().await;
        Ok(created.username)
    })
    .await
}
