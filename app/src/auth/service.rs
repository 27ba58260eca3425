//! Sign-in, sign-out and the session lifecycle, as functions over a database
//! connection so they are tested alone against a real database.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DbErr, EntityTrait, ExprTrait, QueryFilter, QuerySelect,
};

use super::Permission;
use super::client::describe_client;
use super::settings::{AuthSettings, AuthState};
use super::token::{SecretToken, hash_token};
use crate::audit::service::{Actor, AuditEvent, record};
use crate::db::begin_write;
use crate::entities::{role_permission, session, user, user_role};
use crate::error::{AppError, AppResult};

/// How often a session's `last_seen_at` (and its user's last activity) is
/// written: at most once a minute, not on every request.
pub const TOUCH_INTERVAL: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// What a sign-in form sends, plus where it came from.
#[derive(Debug, Clone)]
pub struct SignInAttempt<'a> {
    /// Username or email address, in any case.
    pub login: &'a str,
    pub password: &'a str,
    pub ip: Option<IpAddr>,
    pub user_agent: &'a str,
}

/// A successful sign-in: the new session's token (for the cookie, never
/// stored) and where the user goes next.
#[derive(Debug)]
pub struct SignedIn {
    pub token: SecretToken,
    pub session_id: i64,
    pub user_id: i64,
    pub must_change_password: bool,
}

/// The signed-in user behind a request, resolved from the session cookie.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionUser {
    pub session_id: i64,
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub email: String,
    pub must_change_password: bool,
    pub permissions: Vec<Permission>,
    /// The administrator acting as this user, when impersonating.
    pub impersonator_id: Option<i64>,
}

impl SessionUser {
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// The audit log's view of this user acting from `ip` with `client`.
    pub fn actor(&self, ip: Option<IpAddr>, client: Option<String>) -> Actor {
        Actor {
            user_id: Some(self.user_id),
            username: Some(self.username.clone()),
            impersonator_id: self.impersonator_id,
            impersonator_username: None,
            ip: ip.map(|ip| ip.to_string()),
            client,
        }
    }
}

/// Why a sign-in was refused. Only the audit log sees this; the person
/// signing in always gets [`AppError::SignInFailed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalReason {
    UnknownAccount,
    WrongPassword,
    NoPasswordSet,
    Deleted,
    Suspended,
    Inactive,
    Locked,
}

impl RefusalReason {
    pub fn key(self) -> &'static str {
        match self {
            RefusalReason::UnknownAccount => "unknown_account",
            RefusalReason::WrongPassword => "wrong_password",
            RefusalReason::NoPasswordSet => "no_password_set",
            RefusalReason::Deleted => "deleted",
            RefusalReason::Suspended => "suspended",
            RefusalReason::Inactive => "inactive",
            RefusalReason::Locked => "locked",
        }
    }
}

/// Whether an account is locked at `now` (an automatic lock expires).
pub fn is_locked(user: &user::Model, now: DateTime<Utc>) -> bool {
    user.locked_at.is_some() && user.locked_until.is_none_or(|until| until > now)
}

/// Why this account may not sign in now, whatever the password.
fn standing_refusal(user: &user::Model, now: DateTime<Utc>) -> Option<RefusalReason> {
    if user.deleted_at.is_some() {
        Some(RefusalReason::Deleted)
    } else if user.suspended_at.is_some() {
        Some(RefusalReason::Suspended)
    } else if !user.is_active {
        Some(RefusalReason::Inactive)
    } else if user.password_hash.is_none() {
        Some(RefusalReason::NoPasswordSet)
    } else if is_locked(user, now) {
        Some(RefusalReason::Locked)
    } else {
        None
    }
}

/// Signs a user in by username or email (case-insensitive) and password.
///
/// Every refusal is the same [`AppError::SignInFailed`] and costs the same
/// password hash (unknown accounts are checked against a dummy hash), so
/// neither the answer nor its timing tells whether an account exists or why
/// it may not sign in. Consecutive wrong passwords lock the account.
#[tracing::instrument(skip_all, fields(ip = ?attempt.ip))]
pub async fn sign_in(
    db: &DatabaseConnection,
    auth: &AuthState,
    attempt: SignInAttempt<'_>,
) -> AppResult<SignedIn> {
    if !auth.allow_signin_attempt(attempt.ip) {
        tracing::warn!("sign-in rate limit reached");
        return Err(AppError::RateLimited);
    }
    let login = attempt.login.trim().to_lowercase();
    let account = if login.is_empty() || login.len() > 254 {
        None
    } else {
        user::Entity::find()
            .filter(
                Condition::any()
                    .add(user::Column::Username.eq(login.as_str()))
                    .add(user::Column::Email.eq(login.as_str())),
            )
            .one(db)
            .await?
    };
    let password_matches = auth
        .hashing()
        .verify(
            attempt.password,
            account.as_ref().and_then(|u| u.password_hash.as_deref()),
        )
        .await;

    let now = Utc::now();
    let client = describe_client(attempt.user_agent);
    let Some(account) = account else {
        let actor = anonymous_actor(attempt.ip, &client);
        record_refusal(db, &actor, None, &login, RefusalReason::UnknownAccount).await?;
        return Err(AppError::SignInFailed);
    };
    let actor = Actor {
        user_id: Some(account.id),
        username: Some(account.username.clone()),
        ..anonymous_actor(attempt.ip, &client)
    };

    if !password_matches && account.password_hash.is_some() {
        record_wrong_password(db, auth.settings(), &actor, &account, now).await?;
        return Err(AppError::SignInFailed);
    }
    if let Some(reason) = standing_refusal(&account, now) {
        record_refusal(db, &actor, Some(&account), &login, reason).await?;
        return Err(AppError::SignInFailed);
    }

    let token = SecretToken::generate();
    let settings = auth.settings();
    let txn = begin_write(db).await?;
    let created = session::ActiveModel {
        user_id: Set(account.id),
        token_hash: Set(token.hash()),
        impersonator_id: Set(None),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + delta(settings.session_lifetime)),
        ip: Set(attempt.ip.map(|ip| ip.to_string())),
        user_agent: Set(Some(attempt.user_agent.chars().take(512).collect())),
        client: Set(Some(client.clone())),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    user::Entity::update_many()
        .col_expr(user::Column::LastSigninAt, Expr::value(now))
        .col_expr(
            user::Column::LastSigninIp,
            Expr::value(attempt.ip.map(|ip| ip.to_string())),
        )
        .col_expr(user::Column::LastSigninClient, Expr::value(client.clone()))
        .col_expr(user::Column::LastActivityAt, Expr::value(now))
        .col_expr(user::Column::FailedSigninCount, Expr::value(0))
        // An automatic lock that has run out is cleared by signing in.
        .col_expr(
            user::Column::LockedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            user::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(user::Column::Id.eq(account.id))
        .exec(&txn)
        .await?;
    refresh_presence(&txn, settings, account.id, now).await?;
    record(
        &txn,
        &actor,
        AuditEvent {
            action: "auth.sign_in",
            target_user_id: Some(account.id),
            target_username: Some(account.username.clone()),
            details: Some(serde_json::json!({ "session_id": created.id })),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    tracing::info!(user_id = account.id, session_id = created.id, "signed in");
    Ok(SignedIn {
        token,
        session_id: created.id,
        user_id: account.id,
        must_change_password: account.must_change_password,
    })
}

/// A configured duration as chrono's, capped at a century so date
/// arithmetic cannot overflow.
pub fn delta(duration: std::time::Duration) -> chrono::TimeDelta {
    let century = chrono::TimeDelta::days(36_525);
    chrono::TimeDelta::from_std(duration).map_or(century, |d| d.min(century))
}

fn anonymous_actor(ip: Option<IpAddr>, client: &str) -> Actor {
    Actor {
        ip: ip.map(|ip| ip.to_string()),
        client: Some(client.to_owned()),
        ..Default::default()
    }
}

async fn record_refusal(
    db: &DatabaseConnection,
    actor: &Actor,
    account: Option<&user::Model>,
    login: &str,
    reason: RefusalReason,
) -> AppResult<()> {
    tracing::info!(reason = reason.key(), "sign-in refused");
    record(
        db,
        actor,
        AuditEvent {
            action: "auth.sign_in_failed",
            target_user_id: account.map(|u| u.id),
            target_username: Some(
                account.map_or_else(|| login.chars().take(254).collect(), |u| u.username.clone()),
            ),
            details: Some(serde_json::json!({ "reason": reason.key() })),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// Counts a wrong password and locks the account when the count reaches the
/// threshold. The count is incremented in SQL, so simultaneous attempts are
/// all counted.
async fn record_wrong_password(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    actor: &Actor,
    account: &user::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let txn = begin_write(db).await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::FailedSigninCount,
            Expr::col(user::Column::FailedSigninCount).add(1),
        )
        .filter(user::Column::Id.eq(account.id))
        .exec(&txn)
        .await?;
    let failures: i32 = user::Entity::find_by_id(account.id)
        .select_only()
        .column(user::Column::FailedSigninCount)
        .into_tuple()
        .one(&txn)
        .await?
        .unwrap_or(0);
    record(
        &txn,
        actor,
        AuditEvent {
            action: "auth.sign_in_failed",
            target_user_id: Some(account.id),
            target_username: Some(account.username.clone()),
            details: Some(serde_json::json!({
                "reason": RefusalReason::WrongPassword.key(),
                "consecutive_failures": failures,
            })),
            ..Default::default()
        },
    )
    .await?;
    let threshold = i32::try_from(settings.lockout_threshold).unwrap_or(i32::MAX);
    if settings.lockout_threshold > 0 && failures >= threshold && !is_locked(account, now) {
        let until = settings.lockout_duration.map(|d| now + delta(d));
        user::Entity::update_many()
            .col_expr(user::Column::LockedAt, Expr::value(now))
            .col_expr(user::Column::LockedUntil, Expr::value(until))
            .col_expr(user::Column::UpdatedAt, Expr::value(now))
            .filter(user::Column::Id.eq(account.id))
            .exec(&txn)
            .await?;
        let system = Actor {
            client: Some("automatic lockout".to_owned()),
            ..actor.clone()
        };
        record(
            &txn,
            &system,
            AuditEvent {
                action: "user.lock",
                target_user_id: Some(account.id),
                target_username: Some(account.username.clone()),
                field: Some("status"),
                new_value: Some("locked".to_owned()),
                details: Some(serde_json::json!({
                    "reason": "too many failed sign-ins",
                    "consecutive_failures": failures,
                    "locked_until": until,
                })),
                ..Default::default()
            },
        )
        .await?;
        tracing::warn!(
            user_id = account.id,
            failures,
            "account locked after failed sign-ins"
        );
    }
    txn.commit().await?;
    Ok(())
}

/// The condition "this session is open at `now`": not revoked, not past its
/// absolute expiry, used within the idle timeout.
fn live_session(settings: &AuthSettings, now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(session::Column::RevokedAt.is_null())
        .add(session::Column::ExpiresAt.gt(now))
        .add(session::Column::LastSeenAt.gt(now - delta(settings.idle_timeout)))
}

/// Resolves a session cookie to its user, or `None` when the session does not
/// exist, has ended, or its user may no longer sign in. Writes `last_seen_at`
/// (and the user's last activity) at most once per [`TOUCH_INTERVAL`].
pub async fn authenticate(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<SessionUser>, DbErr> {
    let found = session::Entity::find()
        .filter(session::Column::TokenHash.eq(hash_token(token)))
        .filter(live_session(settings, now))
        .find_also_related(user::Entity)
        .one(db)
        .await?;
    let Some((session, Some(account))) = found else {
        return Ok(None);
    };
    if standing_refusal(&account, now).is_some() {
        return Ok(None);
    }
    if now - session.last_seen_at >= TOUCH_INTERVAL {
        touch(db, session.id, account.id, now).await?;
    }
    Ok(Some(SessionUser {
        session_id: session.id,
        user_id: account.id,
        username: account.username,
        name: account.name,
        email: account.email,
        must_change_password: account.must_change_password,
        permissions: permissions_of(db, account.id).await?,
        impersonator_id: session.impersonator_id,
    }))
}

async fn touch(
    db: &DatabaseConnection,
    session_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(now))
        .filter(session::Column::Id.eq(session_id))
        .exec(db)
        .await?;
    user::Entity::update_many()
        .col_expr(user::Column::LastActivityAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Every permission the user has through any of their roles, sorted.
pub async fn permissions_of(
    conn: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Vec<Permission>, DbErr> {
    let keys: Vec<String> = role_permission::Entity::find()
        .select_only()
        .column(role_permission::Column::Permission)
        .distinct()
        .filter(
            role_permission::Column::RoleId.in_subquery(
                Query::select()
                    .column(user_role::Column::RoleId)
                    .from(user_role::Entity)
                    .and_where(user_role::Column::UserId.eq(user_id))
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(conn)
        .await?;
    let mut permissions: Vec<Permission> = keys
        .iter()
        // A key this version does not know (a newer release wrote it) grants nothing.
        .filter_map(|k| Permission::parse(k).ok())
        .collect();
    permissions.sort();
    Ok(permissions)
}

/// Ends one session of `user_id` (their own "Sign out" on a device, or an
/// administrator's). `NotFound` when it is not theirs or already ended.
pub async fn revoke_session(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    actor: &Actor,
    user_id: i64,
    session_id: i64,
    reason: &'static str,
) -> AppResult<()> {
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let ended = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .col_expr(session::Column::RevokedReason, Expr::value(reason))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::UserId.eq(user_id))
        .filter(live_session(settings, now))
        .exec(&txn)
        .await?;
    if ended.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    refresh_presence(&txn, settings, user_id, now).await?;
    let username: Option<String> = user::Entity::find_by_id(user_id)
        .select_only()
        .column(user::Column::Username)
        .into_tuple()
        .one(&txn)
        .await?;
    record(
        &txn,
        actor,
        AuditEvent {
            action: if reason == "signed_out" {
                "auth.sign_out"
            } else {
                "auth.session_revoke"
            },
            target_user_id: Some(user_id),
            target_username: username,
            details: Some(serde_json::json!({ "session_id": session_id, "reason": reason })),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Ends every open session of `user_id` except `keep` (e.g. after a password
/// change). Returns how many ended. Runs inside the caller's transaction.
pub async fn revoke_other_sessions(
    conn: &impl ConnectionTrait,
    settings: &AuthSettings,
    user_id: i64,
    keep: Option<i64>,
    reason: &'static str,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut update = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .col_expr(session::Column::RevokedReason, Expr::value(reason))
        .filter(session::Column::UserId.eq(user_id))
        .filter(live_session(settings, now));
    if let Some(keep) = keep {
        update = update.filter(session::Column::Id.ne(keep));
    }
    let ended = update.exec(conn).await?.rows_affected;
    refresh_presence(conn, settings, user_id, now).await?;
    Ok(ended)
}

/// Recomputes a user's presence from their sessions: `signed_in_since` is
/// the start of the earliest session still open; when none is, the user is
/// signed out and `last_signed_out_at` records when that was noticed.
pub async fn refresh_presence(
    conn: &impl ConnectionTrait,
    settings: &AuthSettings,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let earliest: Option<Option<DateTime<Utc>>> = session::Entity::find()
        .select_only()
        .column_as(session::Column::CreatedAt.min(), "earliest")
        .filter(session::Column::UserId.eq(user_id))
        .filter(live_session(settings, now))
        .into_tuple()
        .one(conn)
        .await?;
    match earliest.flatten() {
        Some(since) => {
            user::Entity::update_many()
                .col_expr(user::Column::SignedInSince, Expr::value(since))
                .filter(user::Column::Id.eq(user_id))
                .exec(conn)
                .await?;
        }
        None => {
            user::Entity::update_many()
                .col_expr(
                    user::Column::SignedInSince,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(user::Column::LastSignedOutAt, Expr::value(now))
                .filter(user::Column::Id.eq(user_id))
                .filter(user::Column::SignedInSince.is_not_null())
                .exec(conn)
                .await?;
        }
    }
    Ok(())
}

/// Marks as signed out every user shown as signed in whose sessions have all
/// expired (idle or absolute) since: set-based, run every minute by the
/// server. Returns how many users it changed.
pub async fn sweep_expired_presence(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let open_sessions = Query::select()
        .expr(Expr::val(1))
        .from(session::Entity)
        .and_where(
            Expr::col((session::Entity, session::Column::UserId))
                .equals((user::Entity, user::Column::Id)),
        )
        .cond_where(live_session(settings, now))
        .to_owned();
    let result = user::Entity::update_many()
        .col_expr(
            user::Column::SignedInSince,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(user::Column::LastSignedOutAt, Expr::value(now))
        .filter(user::Column::SignedInSince.is_not_null())
        .filter(Expr::exists(open_sessions).not())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
