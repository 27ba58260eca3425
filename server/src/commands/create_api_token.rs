//! `roster create-api-token`: a token for scripts, CI and identity-provider
//! setup, made through the same service as the tokens page.

use app::api_tokens::api::NewApiToken;
use app::api_tokens::{MAX_LIFETIME_DAYS, grantable};
use app::audit::service::Actor;
use app::auth::service::permissions_of;
use sea_orm::DatabaseConnection;

use super::CommandError;
use crate::cli::CreateApiTokenArgs;

/// Makes the token; returns its secret alone (what `main` prints).
pub async fn create_api_token(
    db: &DatabaseConnection,
    args: CreateApiTokenArgs,
) -> Result<String, CommandError> {
    let days = lifetime_days(&args.expires)?;
    let owner = app::users::detail::service::find_by_username(db, &args.username)
        .await
        .map_err(|_| CommandError::Invalid(format!("there is no user '{}'", args.username)))?;
    let held = permissions_of(db, owner.id).await?;
    let permissions = if args.permissions.is_empty() {
        held.iter()
            .filter(|p| grantable(**p))
            .map(|p| p.key().to_owned())
            .collect()
    } else {
        args.permissions
    };
    let created = app::api_tokens::service::create(
        db,
        &Actor::system("roster create-api-token"),
        owner.id,
        &held,
        &NewApiToken {
            name: args.name,
            days,
            permissions,
        },
        chrono::Utc::now(),
    )
    .await
    .map_err(|error| match error {
        app::error::AppError::Validation { message, .. } => CommandError::Invalid(message),
        other => CommandError::App(other),
    })?;
    Ok(created.secret)
}

/// `--expires` in whole days: `30d`, `12h` rounds up to a day, at most a year.
fn lifetime_days(text: &str) -> Result<u32, CommandError> {
    let invalid = || {
        CommandError::Invalid(format!(
            "--expires '{text}' is not a duration from 1d to {MAX_LIFETIME_DAYS}d, such as 90d"
        ))
    };
    let duration = humantime::parse_duration(text).map_err(|_| invalid())?;
    let days = duration.as_secs().div_ceil(86_400);
    u32::try_from(days)
        .ok()
        .filter(|d| (1..=MAX_LIFETIME_DAYS).contains(d))
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::lifetime_days;

    #[test]
    fn lifetimes_are_whole_days_up_to_a_year() {
        assert_eq!(lifetime_days("90d").unwrap(), 90);
        assert_eq!(lifetime_days("12h").unwrap(), 1);
        assert_eq!(lifetime_days("365d").unwrap(), 365);
        assert!(lifetime_days("366d").is_err());
        assert!(lifetime_days("0s").is_err());
        assert!(lifetime_days("forever").is_err());
    }
}
