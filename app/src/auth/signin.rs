//! Signing in: checking the password, counting failures and locking, and
//! opening the session — as one service function over a database connection,
//! tested alone against a real database.

use crate::domain::account_state::{self, AccountState, StatusFilter};
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, EntityTrait, ExprTrait, QueryFilter, QuerySelect,
};

use super::access::is_local_path;
use super::client::describe_client;
use super::current::landing_path;
use super::service::{delta, permissions_of, refresh_presence, standing_refusal};
use super::session_end::SessionEndReason;
use super::settings::{AuthSettings, AuthState};
use super::token::SecretToken;
use crate::audit::AuditAction;
use crate::audit::service::{Actor, AuditEvent, record};
use crate::db::begin_write;
use crate::domain::{EmailAddress, FormField, Username};
use crate::entities::{session, user};
use crate::error::{AppError, AppResult};

/// What a sign-in form sends, plus where it came from.
#[derive(Debug, Clone)]
pub struct SignInAttempt<'a> {
    /// Username or email address, in any case.
    pub login: &'a str,
    pub password: &'a str,
    /// The page to return to afterwards (followed only if it is on this site).
    pub next: Option<&'a str>,
    pub ip: Option<IpAddr>,
    pub user_agent: &'a str,
    /// The session this browser already has, if any: a new sign-in ends it,
    /// so one browser never holds two sessions (or someone else's).
    pub replaces: Option<(i64, i64)>,
}

/// A successful sign-in: the new session's token (for the cookie, never
/// stored) and where the browser goes next.
#[derive(Debug)]
pub struct SignedIn {
    pub token: SecretToken,
    pub session_id: i64,
    pub user_id: i64,
    pub redirect_to: String,
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

    // The account as it is now, after waiting for the hash: an administrator
    // may have locked it meanwhile, or another attempt may have.
    let now = Utc::now();
    let client = describe_client(attempt.user_agent);
    let account = match account {
        Some(a) => user::Entity::find_by_id(a.id).one(db).await?,
        None => None,
    };
    let Some(account) = account else {
        let actor = visitor(attempt.ip, &client);
        record_refusal(db, &actor, None, &login, RefusalReason::UnknownAccount).await?;
        return Err(AppError::SignInFailed);
    };
    let actor = Actor {
        user_id: Some(account.id),
        username: Some(account.username.clone()),
        ..visitor(attempt.ip, &client)
    };
    let refusal = standing_refusal(&account, now).or_else(|| {
        account
            .password_hash
            .is_none()
            .then_some(RefusalReason::NoPasswordSet)
    });
    if let Some(reason) = refusal {
        record_refusal(db, &actor, Some(&account), &login, reason).await?;
        return Err(AppError::SignInFailed);
    }
    if !password_matches {
        record_wrong_password(
            db,
            auth.settings(),
            &actor,
            &account,
            AuditAction::SignInFailed,
            now,
        )
        .await?;
        return Err(AppError::SignInFailed);
    }
    open_session(
        db,
        auth.settings(),
        &actor,
        &account,
        &attempt,
        &client,
        now,
    )
    .await
}

/// Where a new session comes from: the browser's address and client, the
/// page to go to next, and the session it already had.
#[derive(Debug, Clone, Copy)]
pub struct SessionStart<'a> {
    pub next: Option<&'a str>,
    pub ip: Option<IpAddr>,
    pub user_agent: &'a str,
    pub replaces: Option<(i64, i64)>,
}

impl<'a> SignInAttempt<'a> {
    fn start(&self) -> SessionStart<'a> {
        SessionStart {
            next: self.next,
            ip: self.ip,
            user_agent: self.user_agent,
            replaces: self.replaces,
        }
    }
}

/// Opens the session of a user whose password was right, in one transaction
/// that first re-checks, in the same UPDATE that clears the failure count,
/// that the account may still sign in: a lock written by a concurrent
/// attempt or an administrator wins.
async fn open_session(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    actor: &Actor,
    account: &user::Model,
    attempt: &SignInAttempt<'_>,
    client: &str,
    now: DateTime<Utc>,
) -> AppResult<SignedIn> {
    let txn = begin_write(db).await?;
    match open_session_in(
        &txn,
        settings,
        actor,
        account,
        &attempt.start(),
        client,
        true,
        now,
    )
    .await?
    {
        Some(signed_in) => {
            txn.commit().await?;
            Ok(signed_in)
        }
        None => {
            txn.rollback().await?;
            record_refusal(db, actor, Some(account), "", RefusalReason::Locked).await?;
            Err(AppError::SignInFailed)
        }
    }
}

/// Opens a session for `account` in the caller's transaction, if the
/// account may sign in now (active, not suspended, deleted or locked, with a
/// password, unless `needs_password` is false); `None` otherwise, and the
/// caller rolls back. Also used by one-time links that sign their owner in
/// (invitations, temporary logins), where the link is the credential.
#[allow(clippy::too_many_arguments)]
pub async fn open_session_in(
    txn: &DatabaseTransaction,
    settings: &AuthSettings,
    actor: &Actor,
    account: &user::Model,
    attempt: &SessionStart<'_>,
    client: &str,
    needs_password: bool,
    now: DateTime<Utc>,
) -> AppResult<Option<SignedIn>> {
    let mut admit = user::Entity::update_many()
        .col_expr(user::Column::LastSigninAt, Expr::value(now))
        .col_expr(
            user::Column::LastSigninIp,
            Expr::value(attempt.ip.map(|ip| ip.to_string())),
        )
        .col_expr(user::Column::LastSigninClient, Expr::value(client))
        .col_expr(user::Column::LastActivityAt, Expr::value(now))
        .col_expr(user::Column::FailedSigninCount, Expr::value(0))
        // An automatic lock that has run out is cleared by signing in.
        .col_expr(user::Column::LockedAt, Expr::value(None::<DateTime<Utc>>))
        .col_expr(
            user::Column::LockedUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        .filter(user::Column::Id.eq(account.id))
        .filter(account_state::can_sign_in(now));
    if needs_password {
        admit = admit.filter(user::Column::PasswordHash.is_not_null());
    }
    let admitted = admit.exec(txn).await?;
    if admitted.rows_affected == 0 {
        return Ok(None);
    }
    if let Some((user_id, session_id)) = attempt.replaces {
        end_replaced_session(txn, settings, user_id, session_id, now).await?;
    }

    let token = SecretToken::generate();
    let created = session::ActiveModel {
        user_id: Set(account.id),
        token_hash: Set(token.hash()),
        impersonator_id: Set(None),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + delta(settings.session_lifetime)),
        ip: Set(attempt.ip.map(|ip| ip.to_string())),
        user_agent: Set(Some(attempt.user_agent.chars().take(512).collect())),
        client: Set(Some(client.to_owned())),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    refresh_presence(txn, settings, account.id, now).await?;
    let is_administrator = !permissions_of(txn, account.id).await?.is_empty();
    record(
        txn,
        actor,
        AuditEvent {
            target_user_id: Some(account.id),
            target_username: Some(account.username.clone()),
            details: Some(serde_json::json!({ "session_id": created.id })),
            ..AuditEvent::new(AuditAction::SignIn)
        },
    )
    .await?;
    tracing::info!(user_id = account.id, session_id = created.id, "signed in");

    let landing = landing_path(account.must_change_password, is_administrator);
    let redirect_to = match attempt.next {
        Some(next)
            if !account.must_change_password
                && is_local_path(next)
                && !next.starts_with("/login") =>
        {
            next.to_owned()
        }
        _ => landing.to_owned(),
    };
    Ok(Some(SignedIn {
        token,
        session_id: created.id,
        user_id: account.id,
        redirect_to,
    }))
}

/// Signs in the owner of a one-time link (an invitation, a temporary
/// login): records `event` as done by them, opens their session and commits
/// `txn`. When the account may not sign in now (locked, suspended,
/// inactive) nothing of `txn` is written and the answer is a `token` error.
pub async fn sign_in_by_link(
    txn: DatabaseTransaction,
    settings: &AuthSettings,
    account: &user::Model,
    start: &SessionStart<'_>,
    event: AuditEvent,
    now: DateTime<Utc>,
) -> AppResult<SignedIn> {
    let client = describe_client(start.user_agent);
    let actor = Actor {
        user_id: Some(account.id),
        username: Some(account.username.clone()),
        ..visitor(start.ip, &client)
    };
    record(&txn, &actor, event).await?;
    let Some(signed_in) =
        open_session_in(&txn, settings, &actor, account, start, &client, false, now).await?
    else {
        txn.rollback().await?;
        return Err(AppError::validation(
            FormField::Token,
            "This account cannot sign in now: it is locked, suspended or inactive. Contact an administrator.",
        ));
    };
    txn.commit().await?;
    Ok(signed_in)
}

/// Ends the browser's previous session inside the sign-in transaction, and
/// brings its user's presence up to date (it may be another user).
async fn end_replaced_session(
    conn: &impl ConnectionTrait,
    settings: &AuthSettings,
    user_id: i64,
    session_id: i64,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .col_expr(
            session::Column::RevokedReason,
            Expr::value(SessionEndReason::Replaced.key()),
        )
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    refresh_presence(conn, settings, user_id, now).await
}

fn visitor(ip: Option<IpAddr>, client: &str) -> Actor {
    Actor {
        ip: ip.map(|ip| ip.to_string()),
        client: Some(client.to_owned()),
        ..Default::default()
    }
}

/// What the audit log names as the target of a refused sign-in for an
/// unknown account: what was typed, if it looks like a username or an email
/// address. Anything else (people paste passwords into the wrong field) is
/// not recorded.
fn typed_login(login: &str) -> String {
    if Username::parse(login).is_ok() || EmailAddress::parse(login).is_ok() {
        login.to_owned()
    } else {
        "(not a username or email address)".to_owned()
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
            target_user_id: account.map(|u| u.id),
            target_username: Some(
                account.map_or_else(|| typed_login(login), |u| u.username.clone()),
            ),
            details: Some(serde_json::json!({ "reason": reason.key() })),
            ..AuditEvent::new(AuditAction::SignInFailed)
        },
    )
    .await?;
    Ok(())
}

/// Counts a wrong password (in SQL, so simultaneous attempts all count) and
/// locks the account when the count reaches the threshold. Locking starts
/// the count again, so after an automatic lock runs out the user has the
/// full number of attempts. Also used (with its own audit `action`) when a
/// signed-in user gets their current password wrong while changing it.
pub(crate) async fn record_wrong_password(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    actor: &Actor,
    account: &user::Model,
    action: AuditAction,
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
            target_user_id: Some(account.id),
            target_username: Some(account.username.clone()),
            details: Some(serde_json::json!({
                "reason": RefusalReason::WrongPassword.key(),
                "consecutive_failures": failures,
            })),
            ..AuditEvent::new(action)
        },
    )
    .await?;
    let threshold = i32::try_from(settings.lockout_threshold).unwrap_or(i32::MAX);
    if settings.lockout_threshold > 0
        && failures >= threshold
        && !AccountState::of(account, now).locked
    {
        let until = settings.lockout_duration.map(|d| now + delta(d));
        // Only one of several simultaneous attempts writes the lock.
        let locked = user::Entity::update_many()
            .col_expr(user::Column::LockedAt, Expr::value(now))
            .col_expr(user::Column::LockedUntil, Expr::value(until))
            .col_expr(user::Column::FailedSigninCount, Expr::value(0))
            .col_expr(user::Column::UpdatedAt, Expr::value(now))
            .filter(user::Column::Id.eq(account.id))
            .filter(user::Column::FailedSigninCount.gte(threshold))
            .filter(account_state::condition(StatusFilter::Locked, now).not())
            .exec(&txn)
            .await?;
        if locked.rows_affected > 0 {
            let lockout = Actor {
                client: Some("automatic lockout".to_owned()),
                ..actor.clone()
            };
            record(
                &txn,
                &lockout,
                AuditEvent {
                    target_user_id: Some(account.id),
                    target_username: Some(account.username.clone()),
                    field: Some("status"),
                    new_value: Some("locked".to_owned()),
                    details: Some(serde_json::json!({
                        "reason": "too many failed sign-ins",
                        "consecutive_failures": failures,
                        "locked_until": until,
                    })),
                    ..AuditEvent::new(AuditAction::Lock)
                },
            )
            .await?;
            tracing::warn!(
                user_id = account.id,
                failures,
                "account locked after failed sign-ins"
            );
        }
    }
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::typed_login;

    #[test]
    fn only_plausible_logins_are_recorded_for_unknown_accounts() {
        assert_eq!(typed_login("ann.lee"), "ann.lee");
        assert_eq!(typed_login("ann@example.com"), "ann@example.com");
        assert_eq!(
            typed_login("Tr0ub4dor&3 my password"),
            "(not a username or email address)"
        );
    }
}
