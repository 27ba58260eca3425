//! API tokens, the work: creating (with permissions from the owner's
//! own), listing, revoking, and resolving a presented secret to what it
//! may do. Functions over a database connection, tested alone
//! (`server/tests/api/api_tokens.rs`).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DbErr, EntityTrait, ExprTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, RelationTrait,
};

use super::api::{NewApiToken, TokenRow};
use super::{MAX_LIFETIME_DAYS, MAX_NAME_LEN, SECRET_PREFIX, SHOWN_PREFIX_LEN, grantable};
use crate::audit::AuditAction;
use crate::audit::service::{Actor, AuditEvent, record};
use crate::auth::Permission;
use crate::auth::service::{SessionUser, TOUCH_INTERVAL};
use crate::auth::token::{SecretToken, hash_token};
use crate::db::begin_write;
use crate::domain::{FormField, table_time};
use crate::entities::{api_token, api_token_permission, role_permission, user, user_role};
use crate::error::{AppError, AppResult};

/// A token just made: its secret (shown once) and its row.
pub struct CreatedToken {
    pub secret: String,
    pub row: TokenRow,
}

/// Makes a token for `owner` (whose permissions are `owner_permissions`).
/// Refuses a name that is empty or too long, a lifetime outside 1 day to a
/// year, and any permission the owner lacks or no token may hold.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    owner_id: i64,
    owner_permissions: &[Permission],
    new: &NewApiToken,
    now: DateTime<Utc>,
) -> AppResult<CreatedToken> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(AppError::validation(
            FormField::Name,
            "Give the token a name, such as the script that will use it.",
        ));
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(AppError::validation(
            FormField::Name,
            format!("The name is too long: at most {MAX_NAME_LEN} characters."),
        ));
    }
    if !(1..=MAX_LIFETIME_DAYS).contains(&new.days) {
        return Err(AppError::validation(
            FormField::Expiry,
            format!("A token lives from 1 to {MAX_LIFETIME_DAYS} days."),
        ));
    }
    let mut permissions = Vec::new();
    for key in &new.permissions {
        let Some(permission) = Permission::from_key(key) else {
            return Err(AppError::validation(
                FormField::Permissions,
                format!("'{key}' is not a permission."),
            ));
        };
        if !grantable(permission) {
            return Err(AppError::validation(
                FormField::Permissions,
                format!("No token may hold \"{}\".", permission.label()),
            ));
        }
        if !owner_permissions.contains(&permission) {
            return Err(AppError::validation(
                FormField::Permissions,
                format!(
                    "You cannot give a token \"{}\": you do not hold it.",
                    permission.label()
                ),
            ));
        }
        if !permissions.contains(&permission) {
            permissions.push(permission);
        }
    }
    if permissions.is_empty() {
        return Err(AppError::validation(
            FormField::Permissions,
            "Choose at least one permission for the token.",
        ));
    }
    permissions.sort();

    let secret = format!("{SECRET_PREFIX}{}", SecretToken::generate().expose());
    let expires_at = now + chrono::TimeDelta::days(i64::from(new.days));
    let txn = begin_write(db).await?;
    let created = api_token::ActiveModel {
        user_id: Set(owner_id),
        name: Set(name.to_owned()),
        token_prefix: Set(secret.chars().take(SHOWN_PREFIX_LEN).collect()),
        token_hash: Set(hash_token(&secret)),
        created_at: Set(now),
        expires_at: Set(Some(expires_at)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    api_token_permission::Entity::insert_many(permissions.iter().map(|p| {
        api_token_permission::ActiveModel {
            token_id: Set(created.id),
            permission: Set(p.key().to_owned()),
        }
    }))
    .exec(&txn)
    .await?;
    let owner: Option<String> = username_of(&txn, owner_id).await?;
    record(
        &txn,
        actor,
        AuditEvent {
            target_user_id: Some(owner_id),
            target_username: owner,
            details: Some(serde_json::json!({
                "token_id": created.id,
                "name": name,
                "prefix": created.token_prefix,
                "permissions": permissions.iter().map(|p| p.key()).collect::<Vec<_>>(),
                "expires_at": expires_at.to_rfc3339(),
            })),
            ..AuditEvent::new(AuditAction::ApiTokenCreate)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(CreatedToken {
        secret,
        row: row(&created, &permissions, now),
    })
}

async fn username_of(conn: &impl ConnectionTrait, user_id: i64) -> Result<Option<String>, DbErr> {
    user::Entity::find_by_id(user_id)
        .select_only()
        .column(user::Column::Username)
        .into_tuple()
        .one(conn)
        .await
}

fn row(token: &api_token::Model, permissions: &[Permission], now: DateTime<Utc>) -> TokenRow {
    TokenRow {
        id: token.id,
        name: token.name.clone(),
        prefix: token.token_prefix.clone(),
        permissions: permissions.iter().map(|p| p.label().to_owned()).collect(),
        created_at: table_time(token.created_at),
        last_used_at: token.last_used_at.map(table_time),
        expires_at: token.expires_at.map(table_time),
        expired: token.expires_at.is_some_and(|at| at <= now),
    }
}

/// The tokens of `owner_id` not revoked, newest first (expired ones too:
/// their owner sees that they have run out).
pub async fn tokens_of(
    conn: &impl ConnectionTrait,
    owner_id: i64,
    now: DateTime<Utc>,
) -> AppResult<Vec<TokenRow>> {
    let tokens = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(owner_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .order_by_desc(api_token::Column::CreatedAt)
        .order_by_desc(api_token::Column::Id)
        .all(conn)
        .await?;
    let ids: Vec<i64> = tokens.iter().map(|t| t.id).collect();
    let granted: Vec<(i64, String)> = api_token_permission::Entity::find()
        .select_only()
        .column(api_token_permission::Column::TokenId)
        .column(api_token_permission::Column::Permission)
        .filter(api_token_permission::Column::TokenId.is_in(ids))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(tokens
        .iter()
        .map(|token| {
            let mut permissions: Vec<Permission> = granted
                .iter()
                .filter(|(id, _)| *id == token.id)
                .filter_map(|(_, key)| Permission::from_key(key))
                .collect();
            permissions.sort();
            row(token, &permissions, now)
        })
        .collect())
}

/// Revokes token `token_id` of `owner_id` at once. `NotFound` when there is
/// no such token of theirs, or it is revoked already.
pub async fn revoke(
    db: &DatabaseConnection,
    actor: &Actor,
    owner_id: i64,
    token_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let token = api_token::Entity::find_by_id(token_id)
        .filter(api_token::Column::UserId.eq(owner_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(token_id))
        .exec(&txn)
        .await?;
    record(
        &txn,
        actor,
        AuditEvent {
            target_user_id: Some(owner_id),
            target_username: username_of(&txn, owner_id).await?,
            details: Some(serde_json::json!({
                "token_id": token_id,
                "name": token.name,
                "prefix": token.token_prefix,
            })),
            ..AuditEvent::new(AuditAction::ApiTokenRevoke)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// What [`authenticate`] reads of a token and its owner.
#[derive(FromQueryResult)]
struct FoundToken {
    id: i64,
    name: String,
    token_prefix: String,
    last_used_at: Option<DateTime<Utc>>,
    last_used_ip: Option<String>,
    owner_id: i64,
    owner_username: String,
    owner_name: String,
    owner_email: String,
}

/// Resolves a presented secret to the caller it acts as: its owner, with
/// the token's permissions that the owner still holds. `None` when it is
/// unknown, revoked, expired, or its owner may not sign in. Writes when it
/// was last used (at most once a minute) and audits a use from a new
/// address.
pub async fn authenticate(
    db: &DatabaseConnection,
    secret: &str,
    ip: Option<std::net::IpAddr>,
    now: DateTime<Utc>,
) -> Result<Option<SessionUser>, DbErr> {
    if !secret.starts_with(SECRET_PREFIX) {
        return Ok(None);
    }
    // One statement, as a token is checked on every API request: the
    // token, its owner, and one row per permission of the token, each
    // saying whether the owner still holds it (`held`).
    let owner_holds = Expr::col((
        api_token_permission::Entity,
        api_token_permission::Column::Permission,
    ))
    .in_subquery(
        Query::select()
            .column((role_permission::Entity, role_permission::Column::Permission))
            .from(role_permission::Entity)
            .inner_join(
                user_role::Entity,
                Expr::col((user_role::Entity, user_role::Column::RoleId)).eq(Expr::col((
                    role_permission::Entity,
                    role_permission::Column::RoleId,
                ))),
            )
            .and_where(
                Expr::col((user_role::Entity, user_role::Column::UserId))
                    .equals((api_token::Entity, api_token::Column::UserId)),
            )
            .to_owned(),
    );
    // Only a live token of an owner who may sign in is found at all; the
    // columns are the few the request needs.
    let statement = api_token::Entity::find()
        .select_only()
        .columns([
            api_token::Column::Id,
            api_token::Column::Name,
            api_token::Column::TokenPrefix,
            api_token::Column::LastUsedAt,
            api_token::Column::LastUsedIp,
        ])
        .column_as(user::Column::Id, "owner_id")
        .column_as(user::Column::Username, "owner_username")
        .column_as(user::Column::Name, "owner_name")
        .column_as(user::Column::Email, "owner_email")
        .column_as(
            Expr::col((
                api_token_permission::Entity,
                api_token_permission::Column::Permission,
            )),
            "permission",
        )
        .column_as(owner_holds, "held")
        .join(
            sea_orm::JoinType::InnerJoin,
            api_token::Relation::User.def(),
        )
        .join(
            sea_orm::JoinType::LeftJoin,
            api_token_permission::Relation::ApiToken.def().rev(),
        )
        .filter(api_token::Column::TokenHash.eq(hash_token(secret)))
        .filter(api_token::Column::RevokedAt.is_null())
        .filter(
            Condition::any()
                .add(api_token::Column::ExpiresAt.is_null())
                .add(api_token::Column::ExpiresAt.gt(now)),
        )
        .filter(crate::domain::account_state::can_sign_in(now))
        .build(db.get_database_backend());
    let rows = db.query_all_raw(statement).await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let token = FoundToken::from_query_result(first, "")?;
    let mut granted = Vec::new();
    for row in &rows {
        let permission: Option<String> = row.try_get("", "permission")?;
        let held: Option<bool> = row.try_get("", "held")?;
        if let (Some(permission), Some(true)) = (permission, held) {
            granted.push(permission);
        }
    }
    let mut permissions: Vec<Permission> = granted
        .iter()
        .filter_map(|key| Permission::from_key(key))
        .filter(|p| grantable(*p))
        .collect();
    permissions.sort();
    let ip_text = ip.map(|ip| ip.to_string());
    let new_address = ip_text.is_some() && token.last_used_ip != ip_text;
    let stale = token
        .last_used_at
        .is_none_or(|at| now - at >= TOUCH_INTERVAL);
    if new_address || stale {
        let txn = begin_write(db).await?;
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
            .col_expr(api_token::Column::LastUsedIp, Expr::value(ip_text.clone()))
            .filter(api_token::Column::Id.eq(token.id))
            .exec(&txn)
            .await?;
        if new_address {
            record(
                &txn,
                &Actor {
                    user_id: Some(token.owner_id),
                    username: Some(token.owner_username.clone()),
                    ip: ip_text.clone(),
                    client: Some(format!("API token {}", token.token_prefix)),
                    ..Default::default()
                },
                AuditEvent {
                    target_user_id: Some(token.owner_id),
                    target_username: Some(token.owner_username.clone()),
                    details: Some(serde_json::json!({
                        "token_id": token.id,
                        "name": token.name,
                        "previous_address": token.last_used_ip,
                    })),
                    ..AuditEvent::new(AuditAction::ApiTokenNewAddress)
                },
            )
            .await?;
        }
        txn.commit().await?;
    }
    Ok(Some(SessionUser {
        session_id: 0,
        user_id: token.owner_id,
        username: token.owner_username,
        name: token.owner_name,
        email: token.owner_email,
        must_change_password: false,
        permissions,
        impersonator: None,
        api_token: Some(token.id),
        touched: false,
    }))
}
