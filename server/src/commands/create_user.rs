//! `roster create-user` and `roster create-admin`.

use std::io::{BufRead, IsTerminal};

use app::audit::service::Actor;
use app::domain::{EmailAddress, NewPassword, PersonName, Phone, PhoneExt, Username};
use app::users::service::{NewUser, create_user as create_user_service};
use sea_orm::DatabaseConnection;

use super::CommandError;
use crate::cli::{CreateAdminArgs, CreateUserArgs};

pub const ADMIN_ROLE: &str = "Administrator";
pub const DEFAULT_ROLE: &str = "User";

pub async fn create_user(
    db: &DatabaseConnection,
    args: CreateUserArgs,
) -> Result<String, CommandError> {
    let roles = if args.roles.is_empty() {
        vec![DEFAULT_ROLE.to_owned()]
    } else {
        args.roles
    };
    let new = NewUser {
        username: Username::parse(&args.username).map_err(invalid)?,
        email: EmailAddress::parse(&args.email).map_err(invalid)?,
        name: PersonName::parse(args.name.as_deref().unwrap_or(&args.username)).map_err(invalid)?,
        phone: Phone::parse_optional(args.phone.as_deref().unwrap_or_default()).map_err(invalid)?,
        phone_ext: PhoneExt::parse_optional(args.phone_ext.as_deref().unwrap_or_default())
            .map_err(invalid)?,
        roles,
        password: read_password()?,
        must_change_password: args.temporary,
    };
    let user = create_user_service(db, &Actor::system("roster create-user"), new).await?;
    Ok(format!(
        "Created user '{}' (id {}).",
        user.username, user.id
    ))
}

pub async fn create_admin(
    db: &DatabaseConnection,
    args: CreateAdminArgs,
) -> Result<String, CommandError> {
    let new = NewUser {
        username: Username::parse(&args.username).map_err(invalid)?,
        email: EmailAddress::parse(&args.email).map_err(invalid)?,
        name: PersonName::parse(args.name.as_deref().unwrap_or(&args.username)).map_err(invalid)?,
        phone: None,
        phone_ext: None,
        roles: vec![ADMIN_ROLE.to_owned()],
        password: read_password()?,
        must_change_password: false,
    };
    let user = create_user_service(db, &Actor::system("roster create-admin"), new).await?;
    Ok(format!(
        "Created administrator '{}' (id {}).",
        user.username, user.id
    ))
}

fn invalid(error: impl std::fmt::Display) -> CommandError {
    CommandError::Invalid(error.to_string())
}

/// The password comes from `ROSTER_PASSWORD`, else from standard input: asked
/// twice without echo on a terminal, or the first line of a pipe.
fn read_password() -> Result<NewPassword, CommandError> {
    if let Ok(password) = std::env::var("ROSTER_PASSWORD") {
        return NewPassword::parse(&password).map_err(invalid);
    }
    let stdin = std::io::stdin();
    let password = if stdin.is_terminal() {
        let first = rpassword::prompt_password("Password: ")
            .map_err(|e| invalid(format!("cannot read the password: {e}")))?;
        let second = rpassword::prompt_password("Repeat password: ")
            .map_err(|e| invalid(format!("cannot read the password: {e}")))?;
        if first != second {
            return Err(invalid("The two passwords do not match."));
        }
        first
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| invalid(format!("cannot read the password: {e}")))?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    NewPassword::parse(&password).map_err(|e| {
        invalid(format!(
            "{e} (set ROSTER_PASSWORD or pipe the password to standard input)"
        ))
    })
}
