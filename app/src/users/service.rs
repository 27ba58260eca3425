//! Account creation and lookups, as functions over a database connection so
//! they can be tested alone against a real database.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait,
    QueryFilter,
};

use crate::audit::service::{Actor, AuditEvent, record};
use crate::auth::password::{PasswordHashing, check_strength};
use crate::db::begin_write;
use crate::domain::{EmailAddress, NewPassword, PersonName, Phone, PhoneExt, Username};
use crate::entities::{role, user, user_role};
use crate::error::{AppError, AppResult};

/// Everything needed to create an account directly (not by invitation).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub email: EmailAddress,
    pub name: PersonName,
    pub phone: Option<Phone>,
    pub phone_ext: Option<PhoneExt>,
    /// Role names, as shown on the roles page: at least one, all existing.
    pub roles: Vec<String>,
    pub password: NewPassword,
    /// The user must choose a new password at first sign-in (the default for
    /// accounts created by an administrator with a temporary password).
    pub must_change_password: bool,
}

/// Creates an account with its roles and an audit entry, all or nothing.
/// Duplicate usernames and emails come back as field errors.
#[tracing::instrument(skip_all, fields(username = %new.username))]
pub async fn create_user(
    db: &DatabaseConnection,
    hashing: &PasswordHashing,
    actor: &Actor,
    new: NewUser,
) -> AppResult<user::Model> {
    check_strength(
        &new.password,
        &[new.username.as_str(), new.email.as_str(), new.name.as_str()],
    )
    .map_err(|e| AppError::validation("password", e))?;

    let password_hash = hashing.hash(&new.password).await?;

    if new.roles.iter().all(|r| r.trim().is_empty()) {
        return Err(AppError::validation("roles", "Choose at least one role."));
    }

    let txn = begin_write(db).await?;

    let roles = find_roles_by_name(&txn, &new.roles).await?;
    ensure_unique(&txn, &new.username, &new.email).await?;

    let now = Utc::now();
    let created = user::ActiveModel {
        username: Set(new.username.to_string()),
        email: Set(new.email.to_string()),
        name: Set(new.name.to_string()),
        phone: Set(new.phone.map(String::from)),
        phone_ext: Set(new.phone_ext.map(String::from)),
        password_hash: Set(Some(password_hash)),
        password_changed_at: Set(Some(now)),
        must_change_password: Set(new.must_change_password),
        is_active: Set(true),
        failed_signin_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(map_unique_violation)?;

    user_role::Entity::insert_many(roles.iter().map(|r| user_role::ActiveModel {
        user_id: Set(created.id),
        role_id: Set(r.id),
    }))
    .exec(&txn)
    .await?;

    let role_names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
    record(
        &txn,
        actor,
        AuditEvent {
            action: "user.create",
            target_user_id: Some(created.id),
            target_username: Some(created.username.clone()),
            details: Some(serde_json::json!({
                "email": created.email,
                "name": created.name,
                "roles": role_names,
                "must_change_password": created.must_change_password,
            })),
            ..Default::default()
        },
    )
    .await?;

    txn.commit().await?;
    tracing::info!(user_id = created.id, "user created");
    Ok(created)
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
                    "roles",
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

async fn ensure_unique(
    conn: &impl sea_orm::ConnectionTrait,
    username: &Username,
    email: &EmailAddress,
) -> AppResult<()> {
    let clashes = user::Entity::find()
        .filter(
            Condition::any()
                .add(user::Column::Username.eq(username.as_str()))
                .add(user::Column::Email.eq(email.as_str())),
        )
        .all(conn)
        .await?;
    if clashes.iter().any(|u| u.username == username.as_str()) {
        return Err(AppError::conflict(
            "username",
            format!("Username '{username}' is already taken."),
        ));
    }
    if !clashes.is_empty() {
        return Err(AppError::conflict(
            "email",
            format!("Email address '{email}' is already used by another account."),
        ));
    }
    Ok(())
}

/// A unique-constraint violation that slipped past [`ensure_unique`] (two
/// creations racing) still becomes a field error, never a 500.
fn map_unique_violation(error: sea_orm::DbErr) -> AppError {
    match error.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(detail)) => {
            let field = if detail.contains("email") {
                "email"
            } else {
                "username"
            };
            AppError::conflict(field, format!("That {field} is already taken."))
        }
        _ => error.into(),
    }
}
