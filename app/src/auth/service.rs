//! The session lifecycle after sign-in: resolving a cookie to its user,
//! ending sessions, and keeping each user's presence (signed in since, last
//! signed out) in step with their sessions. Functions over a database
//! connection, tested alone against a real database.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, ExprTrait,
    QueryFilter, QuerySelect,
};

use super::Permission;
use super::session_end::SessionEndReason;
use super::settings::AuthSettings;
use super::signin::RefusalReason;
use super::token::hash_token;
use crate::audit::AuditAction;
use crate::audit::service::{Actor, AuditEvent, record};
use crate::db::begin_write;
use crate::domain::{AccountState, FormField, Standing};
use crate::entities::{role_permission, session, user, user_role};
use crate::error::{AppError, AppResult};

/// How often a session's `last_seen_at` (and its user's last activity) is
/// written: at most once a minute, not on every request.
pub const TOUCH_INTERVAL: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

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
    /// The administrator acting as this user, when this session is an
    /// impersonation ("Login as").
    pub impersonator: Option<Impersonator>,
    /// The API token this caller presented (`Authorization: Bearer`), if
    /// not a browser session: it acts with that token's permissions.
    pub api_token: Option<i64>,
    /// This request wrote the user's last activity (at most once a minute),
    /// which administrators watching the Users table are told about.
    pub touched: bool,
}

/// Who is impersonating, in an impersonation session.
#[derive(Debug, Clone, PartialEq)]
pub struct Impersonator {
    pub user_id: i64,
    pub username: String,
    /// The administrator's own session, which this one is bound to.
    pub session_id: i64,
    /// When the impersonation ends by itself.
    pub expires_at: DateTime<Utc>,
}

impl SessionUser {
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Whether this session is an impersonation ("Login as").
    pub fn is_impersonation(&self) -> bool {
        self.impersonator.is_some()
    }

    /// The audit log's view of this user acting from `ip` with `client`.
    pub fn actor(&self, ip: Option<IpAddr>, client: Option<String>) -> Actor {
        Actor {
            user_id: Some(self.user_id),
            username: Some(self.username.clone()),
            impersonator_id: self.impersonator.as_ref().map(|i| i.user_id),
            impersonator_username: self.impersonator.as_ref().map(|i| i.username.clone()),
            ip: ip.map(|ip| ip.to_string()),
            client,
        }
    }
}

/// Why this account may neither sign in nor keep a session now, whatever
/// the password (the account model's [`AccountState::refusal`]).
pub(crate) fn standing_refusal(user: &user::Model, now: DateTime<Utc>) -> Option<RefusalReason> {
    AccountState::of(user, now)
        .refusal()
        .map(|standing| match standing {
            Standing::Deleted => RefusalReason::Deleted,
            Standing::Suspended => RefusalReason::Suspended,
            Standing::Inactive => RefusalReason::Inactive,
            Standing::Locked => RefusalReason::Locked,
        })
}

/// A configured duration as chrono's, capped at a century so date
/// arithmetic cannot overflow.
pub fn delta(duration: std::time::Duration) -> chrono::TimeDelta {
    let century = chrono::TimeDelta::days(36_525);
    chrono::TimeDelta::from_std(duration).map_or(century, |d| d.min(century))
}

/// The condition "this session is open at `now`": not revoked, not past its
/// absolute expiry, used within the idle timeout.
pub fn live_session(settings: &AuthSettings, now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(session::Column::RevokedAt.is_null())
        .add(session::Column::ExpiresAt.gt(now))
        .add(session::Column::LastSeenAt.gt(now - delta(settings.idle_timeout)))
}

/// The ids of users with a session neither revoked nor past its absolute
/// expiry at `now`: who counts as signed in for broadcasts and Force Sign
/// Out (the idle timeout is left to the minute's sweep).
pub fn users_with_open_sessions(now: DateTime<Utc>) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(session::Column::UserId)
        .from(session::Entity)
        // Someone impersonated is not signed in.
        .and_where(session::Column::ImpersonatorSessionId.is_null())
        .and_where(session::Column::RevokedAt.is_null())
        .and_where(session::Column::ExpiresAt.gt(now))
        .to_owned()
}

/// Resolves a session cookie to its user, or `None` when the session does not
/// exist, has ended, or its user may no longer sign in. Writes `last_seen_at`
/// (and the user's last activity) at most once per [`TOUCH_INTERVAL`].
///
/// An impersonation session also needs its administrator: their own
/// session open, their account able to sign in, the Impersonate permission
/// still theirs. Its requests keep the administrator's session alive (they
/// are the administrator's activity) and never change the user's presence.
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
    let impersonator = match session.impersonator_session_id {
        None => None,
        Some(parent_id) => match live_impersonator(db, settings, parent_id, now).await? {
            Some((parent, admin)) => Some((parent, admin)),
            None => return Ok(None),
        },
    };
    let touched = now - session.last_seen_at >= TOUCH_INTERVAL;
    if touched {
        touch(db, &session, impersonator.is_none(), now).await?;
    }
    Ok(Some(SessionUser {
        session_id: session.id,
        user_id: account.id,
        username: account.username,
        name: account.name,
        email: account.email,
        // Changing the user's password is not the impersonator's to do.
        must_change_password: account.must_change_password && impersonator.is_none(),
        permissions: permissions_of(db, account.id).await?,
        impersonator: impersonator.map(|(parent, admin)| Impersonator {
            user_id: admin.id,
            username: admin.username,
            session_id: parent.id,
            expires_at: session.expires_at,
        }),
        api_token: None,
        // The user's presence did not change: nobody is told.
        touched: touched && session.impersonator_session_id.is_none(),
    }))
}

/// The administrator's own session `parent_id` and account, if that
/// session is open, the account may sign in and still holds Impersonate.
pub async fn live_impersonator(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    parent_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<(session::Model, user::Model)>, DbErr> {
    let found = session::Entity::find_by_id(parent_id)
        .filter(live_session(settings, now))
        .filter(session::Column::ImpersonatorSessionId.is_null())
        .find_also_related(user::Entity)
        .one(db)
        .await?;
    let Some((parent, Some(admin))) = found else {
        return Ok(None);
    };
    if standing_refusal(&admin, now).is_some()
        || !permissions_of(db, admin.id)
            .await?
            .contains(&Permission::Impersonate)
    {
        return Ok(None);
    }
    Ok(Some((parent, admin)))
}

async fn touch(
    db: &DatabaseConnection,
    session: &session::Model,
    is_own_session: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    // An impersonation's requests are its administrator's activity: their
    // own session, idle in another tab meanwhile, stays open.
    let sessions = Condition::any()
        .add(session::Column::Id.eq(session.id))
        .add_option(
            session
                .impersonator_session_id
                .map(|parent| session::Column::Id.eq(parent)),
        );
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(now))
        .filter(sessions)
        .exec(db)
        .await?;
    if !is_own_session {
        return Ok(());
    }
    // A sweep running just before this request may have marked the user
    // signed out; an open session says otherwise.
    user::Entity::update_many()
        .col_expr(user::Column::LastActivityAt, Expr::value(now))
        .col_expr(
            user::Column::SignedInSince,
            Expr::from(Func::coalesce([
                Expr::col(user::Column::SignedInSince),
                Expr::value(session.created_at),
            ])),
        )
        .filter(user::Column::Id.eq(session.user_id))
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
        .filter_map(|k| Permission::from_key(k))
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
    reason: SessionEndReason,
) -> AppResult<()> {
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let ended = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .col_expr(session::Column::RevokedReason, Expr::value(reason.key()))
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
            target_user_id: Some(user_id),
            target_username: username,
            details: Some(serde_json::json!({
                "session_id": session_id,
                "reason": reason.key(),
            })),
            ..AuditEvent::new(if reason == SessionEndReason::SignedOut {
                AuditAction::SignOut
            } else {
                AuditAction::SessionRevoke
            })
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Checks the strength of a password `account`'s owner chose (refusing one
/// built from their own name or addresses) and hashes it. A weak password is
/// a `new_password` field error.
pub async fn hash_chosen_password(
    hashing: &super::password::PasswordHashing,
    account: &user::Model,
    new: &crate::domain::NewPassword,
) -> crate::error::AppResult<String> {
    super::password::check_strength(
        new,
        &[
            account.username.as_str(),
            account.email.as_str(),
            account.name.as_str(),
        ],
    )
    .map_err(|e| AppError::validation(FormField::NewPassword, e))?;
    Ok(hashing.hash(new).await?)
}

/// Stores `hash` as the password `user_id` chose themself (a change or a
/// reset link): it clears a pending "must change" and the count of wrong
/// passwords. In the caller's transaction.
pub async fn store_chosen_password(
    conn: &impl ConnectionTrait,
    user_id: i64,
    hash: String,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::PasswordChangedAt, Expr::value(now))
        .col_expr(user::Column::MustChangePassword, Expr::value(false))
        .col_expr(user::Column::FailedSigninCount, Expr::value(0))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            user::Column::Version,
            Expr::col(user::Column::Version).add(1),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends every open session of `user_id` except `keep` (e.g. after a password
/// change). Returns how many ended. Runs inside the caller's transaction.
pub async fn revoke_other_sessions(
    conn: &impl ConnectionTrait,
    settings: &AuthSettings,
    user_id: i64,
    keep: Option<i64>,
    reason: SessionEndReason,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut update = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .col_expr(session::Column::RevokedReason, Expr::value(reason.key()))
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
/// Impersonations are not the user's sessions and do not count.
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
        .filter(session::Column::ImpersonatorSessionId.is_null())
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
/// expired (idle or absolute) since, and records "Session expired" for
/// each: set-based, run every minute by the server. Returns how many users
/// it changed.
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
        .and_where(Expr::col((session::Entity, session::Column::ImpersonatorSessionId)).is_null())
        .cond_where(live_session(settings, now))
        .to_owned();
    let expired = Condition::all()
        .add(user::Column::SignedInSince.is_not_null())
        .add(Expr::exists(open_sessions).not());
    let txn = begin_write(db).await?;
    // The entries first, from the same condition the update then clears:
    // one INSERT … SELECT however many users expired at once.
    let entries = crate::audit::service::entries_per_user(
        &Actor::system("Roster (session expiry)"),
        now,
        AuditAction::SessionExpire,
        None,
        Expr::value(Option::<String>::None),
        None,
    )
    .from(user::Entity)
    .cond_where(expired.clone())
    .to_owned();
    crate::audit::service::record_rows(&txn, entries)
        .await
        .map_err(|_| DbErr::Custom("recording expired sessions failed".to_owned()))?;
    let result = user::Entity::update_many()
        .col_expr(
            user::Column::SignedInSince,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(user::Column::LastSignedOutAt, Expr::value(now))
        .filter(expired)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(result.rows_affected)
}
