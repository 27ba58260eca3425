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
    use crate::auth::guard::{auth_state, database, request_context, require};
    use crate::domain::NewPassword;
    use crate::email::outbox::Outbox;
    use crate::error::with_status;
    use crate::users::service::{self as accounts, NewProfile, NewUser};
    with_status(
        async move {
            let caller = require(Permission::CreateUsers)?;
            let profile = NewProfile::parse(
                &account.username,
                &account.email,
                &account.name,
                &account.phone,
                &account.phone_ext,
                account.roles,
                account.teams,
            )?;
            let (db, auth, actor) = (database()?, auth_state()?, request_context().actor());
            super::edit::check_role_grant(&db, &caller, &profile.roles).await?;
            let created = match account.setup {
                AccountSetup::TemporaryPassword(password) => {
                    let password = NewPassword::parse(&password)
                        .map_err(|e| AppError::validation("password", e))?;
                    let new = NewUser {
                        profile,
                        password,
                        must_change_password: true,
                    };
                    accounts::create_user(&db, auth.hashing(), &actor, new).await?
                }
                AccountSetup::Invitation => {
                    accounts::invite_user(
                        &db,
                        auth.settings(),
                        &Outbox::from_context()?,
                        &actor,
                        profile,
                    )
                    .await?
                }
            };
            if let Some(hub) = crate::live::hub::LiveHub::from_context() {
                hub.publish(crate::live::hub::Signal::UsersChanged).await;
            }
            Ok(created.username)
        }
        .await,
    )
}
