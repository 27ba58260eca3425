//! Account creation and lookups, as functions over a database connection so
//! they can be tested alone against a real database.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter,
};

use crate::audit::AuditAction;
use crate::audit::service::{Actor, AuditEvent, record};
use crate::auth::one_time::{self, TokenKind};
use crate::auth::password::{PasswordHashing, check_strength};
use crate::auth::settings::AuthSettings;
use crate::db::begin_write;
use crate::domain::{EmailAddress, FormField, NewPassword, PersonName, Phone, PhoneExt, Username};
use crate::effects::AfterCommit;
use crate::email::outbox::{Outbox, enqueue};
use crate::entities::{role, team, user, user_role, user_team};
use crate::error::{AppError, AppResult};
use crate::users::bulk::email_service::{Recipient, link_email};

/// The fields every new account has, whether created with a password or
/// invited.
#[derive(Debug, Clone)]
pub struct NewProfile {
    pub username: Username,
    pub email: EmailAddress,
    pub name: PersonName,
    pub phone: Option<Phone>,
    pub phone_ext: Option<PhoneExt>,
    /// Role names, as shown on the roles page: at least one, all existing.
    pub roles: Vec<String>,
    /// Team names; may be empty.
    pub teams: Vec<String>,
}

impl NewProfile {
    /// The fields as typed, parsed by the shared domain rules (the same the
    /// browser checks as you type); the first bad one is its field's error.
    pub fn parse(
        username: &str,
        email: &str,
        name: &str,
        phone: &str,
        phone_ext: &str,
        roles: Vec<String>,
        teams: Vec<String>,
    ) -> AppResult<Self> {
        Ok(NewProfile {
            username: Username::parse(username).map_err(invalid(FormField::Username))?,
            email: EmailAddress::parse(email).map_err(invalid(FormField::Email))?,
            name: PersonName::parse(name).map_err(invalid(FormField::Name))?,
            phone: Phone::parse_optional(phone).map_err(invalid(FormField::Phone))?,
            phone_ext: PhoneExt::parse_optional(phone_ext).map_err(invalid(FormField::PhoneExt))?,
            roles,
            teams,
        })
    }
}

/// Turns a domain type's parse error into `field`'s validation error.
fn invalid<E: std::fmt::Display>(field: FormField) -> impl Fn(E) -> AppError {
    move |e| AppError::validation(field, e)
}

/// Everything needed to create an account directly (not by invitation).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub profile: NewProfile,
    pub password: NewPassword,
    /// The user must choose a new password at first sign-in (the default for
    /// accounts created by an administrator with a temporary password).
    pub must_change_password: bool,
}

/// Creates an account with its roles and an audit entry, all or nothing.
/// Duplicate usernames and emails come back as field errors.
#[tracing::instrument(skip_all, fields(username = %new.profile.username))]
pub async fn create_account(
    db: &DatabaseConnection,
    hashing: &PasswordHashing,
    actor: &Actor,
    new: NewUser,
) -> AppResult<user::Model> {
    check_strength(
        &new.password,
        &[
            new.profile.username.as_str(),
            new.profile.email.as_str(),
            new.profile.name.as_str(),
        ],
    )
    .map_err(|e| AppError::validation(FormField::Password, e))?;

    let password_hash = hashing.hash(&new.password).await?;
    let txn = begin_write(db).await?;
    let created = insert_account(
        &txn,
        actor,
        &new.profile,
        Some(password_hash),
        new.must_change_password,
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(user_id = created.id, "user created");
    Ok(created)
}

/// Creates an invited account and queues its invitation, all or nothing.
/// Returns the account and what to announce once committed (the queued
/// invitation).
#[tracing::instrument(skip_all, fields(username = %new.username))]
pub async fn invite_user(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    outbox: &Outbox,
    actor: &Actor,
    new: NewProfile,
) -> AppResult<(user::Model, AfterCommit)> {
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let created = insert_account(&txn, actor, &new, None, false, now).await?;
    let token = one_time::issue(
        &txn,
        created.id,
        TokenKind::Invitation,
        settings.invitation_lifetime,
        actor.user_id,
        now,
    )
    .await?;
    let recipient = Recipient {
        id: created.id,
        username: created.username.clone(),
        email: created.email.clone(),
        name: created.name.clone(),
    };
    enqueue(
        &txn,
        &link_email(
            TokenKind::Invitation,
            settings,
            outbox,
            &recipient,
            token.expose(),
        ),
        now,
    )
    .await?;
    txn.commit().await?;
    tracing::info!(user_id = created.id, "user invited");
    Ok((created, AfterCommit::none().users_changed().email_queued()))
}

/// Inserts an account with its roles, teams and audit entry (Create, or
/// Invite when there is no password yet), in `txn`.
pub(crate) async fn insert_account(
    txn: &DatabaseTransaction,
    actor: &Actor,
    profile: &NewProfile,
    password_hash: Option<String>,
    must_change_password: bool,
    now: chrono::DateTime<Utc>,
) -> AppResult<user::Model> {
    let invited = password_hash.is_none();
    insert_account_as(
        txn,
        actor,
        profile,
        password_hash,
        must_change_password,
        invited,
        now,
    )
    .await
}

/// [`insert_account`], saying whether the account is an invitation (an
/// account provisioned over SCIM has no password and is not invited: its
/// user signs in through "Forgot password").
pub(crate) async fn insert_account_as(
    txn: &DatabaseTransaction,
    actor: &Actor,
    profile: &NewProfile,
    password_hash: Option<String>,
    must_change_password: bool,
    invited: bool,
    now: chrono::DateTime<Utc>,
) -> AppResult<user::Model> {
    if profile.roles.iter().all(|r| r.trim().is_empty()) {
        return Err(AppError::validation(
            FormField::Roles,
            "Choose at least one role.",
        ));
    }
    let roles = find_roles_by_name(txn, &profile.roles).await?;
    let teams = find_teams_by_name(txn, &profile.teams).await?;
    ensure_unique(txn, &profile.username, &profile.email, None).await?;
    let created = user::ActiveModel {
        username: Set(profile.username.to_string()),
        email: Set(profile.email.to_string()),
        name: Set(profile.name.to_string()),
        phone: Set(profile.phone.as_ref().map(|p| p.to_string())),
        phone_ext: Set(profile.phone_ext.as_ref().map(|p| p.to_string())),
        password_changed_at: Set(password_hash.is_some().then_some(now)),
        password_hash: Set(password_hash),
        must_change_password: Set(must_change_password),
        is_active: Set(true),
        failed_signin_count: Set(0),
        invited_at: Set(invited.then_some(now)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(map_unique_violation)?;

    user_role::Entity::insert_many(roles.iter().map(|r| user_role::ActiveModel {
        user_id: Set(created.id),
        role_id: Set(r.id),
    }))
    .exec(txn)
    .await?;
    if !teams.is_empty() {
        user_team::Entity::insert_many(teams.iter().map(|t| user_team::ActiveModel {
            user_id: Set(created.id),
            team_id: Set(t.id),
        }))
        .exec(txn)
        .await?;
    }

    let role_names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
    let team_names: Vec<&str> = teams.iter().map(|t| t.name.as_str()).collect();
    record(
        txn,
        actor,
        AuditEvent {
            target_user_id: Some(created.id),
            target_username: Some(created.username.clone()),
            details: Some(serde_json::json!({
                "email": created.email,
                "name": created.name,
                "roles": role_names,
                "teams": team_names,
                "must_change_password": created.must_change_password,
            })),
            ..AuditEvent::new(if invited {
                AuditAction::Invite
            } else {
                AuditAction::Create
            })
        },
    )
    .await?;
    Ok(created)
}

/// Looks up teams by name (case-insensitively), failing on the first unknown
/// one.
pub async fn find_teams_by_name(
    conn: &impl sea_orm::ConnectionTrait,
    names: &[String],
) -> AppResult<Vec<team::Model>> {
    let all = team::Entity::find().all(conn).await?;
    let mut found: Vec<team::Model> = Vec::with_capacity(names.len());
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        match all.iter().find(|t| t.name.eq_ignore_ascii_case(name)) {
            Some(team) if !found.iter().any(|f| f.id == team.id) => found.push(team.clone()),
            Some(_) => {}
            None => {
                return Err(AppError::validation(
                    FormField::Teams,
                    format!("Unknown team '{name}'."),
                ));
            }
        }
    }
    Ok(found)
}

/// Looks up roles by name (case-insensitively), failing on the first unknown
/// one with a message listing the roles that exist.
pub async fn find_roles_by_name(
    conn: &impl sea_orm::ConnectionTrait,
    names: &[String],
) -> AppResult<Vec<role::Model>> {
    let all = role::Entity::find().all(conn).await?;
    let mut found: Vec<role::Model> = Vec::with_capacity(names.len());
    for name in names {
        let wanted = name.trim();
        match all.iter().find(|r| r.name.eq_ignore_ascii_case(wanted)) {
            Some(role) if !found.iter().any(|f| f.id == role.id) => found.push(role.clone()),
            Some(_) => {}
            None => {
                let known: Vec<&str> = all.iter().map(|r| r.name.as_str()).collect();
                return Err(AppError::validation(
                    FormField::Roles,
                    format!(
                        "Unknown role '{wanted}'. Known roles: {}.",
                        known.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(found)
}

/// Refuses a username or email another account (not `except`) has, as a
/// field error.
pub(crate) async fn ensure_unique(
    conn: &impl sea_orm::ConnectionTrait,
    username: &Username,
    email: &EmailAddress,
    except: Option<i64>,
) -> AppResult<()> {
    let mut others = user::Entity::find();
    if let Some(id) = except {
        others = others.filter(user::Column::Id.ne(id));
    }
    let clashes = others
        .filter(
            Condition::any()
                .add(user::Column::Username.eq(username.as_str()))
                .add(user::Column::Email.eq(email.as_str())),
        )
        .all(conn)
        .await?;
    if clashes.iter().any(|u| u.username == username.as_str()) {
        return Err(AppError::conflict(
            FormField::Username,
            format!("Username '{username}' is already taken."),
        ));
    }
    if !clashes.is_empty() {
        return Err(AppError::conflict(
            FormField::Email,
            format!("Email address '{email}' is already used by another account."),
        ));
    }
    Ok(())
}

/// A unique-constraint violation that slipped past [`ensure_unique`] (two
/// creations racing) still becomes a field error, never a 500.
pub(crate) fn map_unique_violation(error: sea_orm::DbErr) -> AppError {
    match error.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(detail)) => {
            let field = if detail.contains("email") {
                FormField::Email
            } else {
                FormField::Username
            };
            AppError::conflict(field, format!("That {} is already taken.", field.key()))
        }
        _ => error.into(),
    }
}
