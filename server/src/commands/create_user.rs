//! `roster create-user` and `roster create-admin`.

use std::io::{BufRead, IsTerminal};

use app::audit::service::Actor;
use app::auth::password::PasswordHashing;
use app::domain::{EmailAddress, NewPassword, PersonName, Phone, PhoneExt, Username};
use app::users::create::service::{NewProfile, NewUser, create_account};
use sea_orm::DatabaseConnection;

use super::CommandError;
use crate::cli::{AccountArgs, CreateAdminArgs, CreateUserArgs};

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
    let phones = (args.phone.as_deref(), args.phone_ext.as_deref());
    let new = new_user(&args.account, phones, roles, args.temporary)?;
    let user = create_account(
        db,
        &PasswordHashing::new(1),
        &Actor::system("roster create-user"),
        new,
    )
    .await?;
    Ok(format!(
        "Created user '{}' (id {}).",
        user.username, user.id
    ))
}

pub async fn create_admin(
    db: &DatabaseConnection,
    args: CreateAdminArgs,
) -> Result<String, CommandError> {
    let new = new_user(
        &args.account,
        (None, None),
        vec![ADMIN_ROLE.to_owned()],
        false,
    )?;
    let user = create_account(
        db,
        &PasswordHashing::new(1),
        &Actor::system("roster create-admin"),
        new,
    )
    .await?;
    Ok(format!(
        "Created administrator '{}' (id {}).",
        user.username, user.id
    ))
}

/// Parses the account's fields with the shared domain rules (the same the
/// browser and the server functions use), then — only if they are all valid —
/// reads the password.
fn new_user(
    account: &AccountArgs,
    (phone, phone_ext): (Option<&str>, Option<&str>),
    roles: Vec<String>,
    must_change_password: bool,
) -> Result<NewUser, CommandError> {
    Ok(NewUser {
        profile: NewProfile {
            username: Username::parse(&account.username).map_err(invalid)?,
            email: EmailAddress::parse(&account.email).map_err(invalid)?,
            name: PersonName::parse(account.name.as_deref().unwrap_or(&account.username))
                .map_err(invalid)?,
            phone: Phone::parse_optional(phone.unwrap_or_default()).map_err(invalid)?,
            phone_ext: PhoneExt::parse_optional(phone_ext.unwrap_or_default()).map_err(invalid)?,
            roles,
            teams: Vec::new(),
        },
        password: read_password()?,
        must_change_password,
    })
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
    let unreadable = |e: std::io::Error| invalid(format!("cannot read the password: {e}"));
    let stdin = std::io::stdin();
    let password = if stdin.is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(unreadable)?;
        let second = rpassword::prompt_password("Repeat password: ").map_err(unreadable)?;
        if first != second {
            return Err(invalid("The two passwords do not match."));
        }
        first
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).map_err(unreadable)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    NewPassword::parse(&password).map_err(|e| {
        invalid(format!(
            "{e} (set ROSTER_PASSWORD or pipe the password to standard input)"
        ))
    })
}
