//! "Login as", the work: who may impersonate whom, starting and stopping,
//! and ending the impersonations whose time or administrator is gone.
//! Functions over a database connection, tested alone
//! (`server/tests/api/impersonation.rs`).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QuerySelect,
};

use super::{LoginAsRefusal, MAX_REASON_LEN};
use crate::audit::AuditAction;
use crate::audit::service::{Actor, AuditEvent, record};
use crate::auth::Permission;
use crate::auth::SessionEndReason;
use crate::auth::service::{SessionUser, delta, live_impersonator, permissions_of};
use crate::auth::settings::AuthSettings;
use crate::auth::token::SecretToken;
use crate::db::begin_write;
use crate::domain::{AccountState, FormField, Standing};
use crate::entities::{session, user};
use crate::error::{AppError, AppResult};

/// Why `caller` may not log in as `target` now, if they may not. One check
/// for the button (greyed out, with this reason) and the server.
pub async fn refusal(
    conn: &impl ConnectionTrait,
    settings: &AuthSettings,
    caller: &SessionUser,
    target: &user::Model,
    now: DateTime<Utc>,
) -> Result<Option<LoginAsRefusal>, DbErr> {
    if !settings.impersonation_enabled {
        return Ok(Some(LoginAsRefusal::Disabled));
    }
    if !caller.can(Permission::Impersonate) {
        return Ok(Some(LoginAsRefusal::NotPermitted));
    }
    if caller.is_impersonation() {
        return Ok(Some(LoginAsRefusal::Nested));
    }
    if target.id == caller.user_id {
        return Ok(Some(LoginAsRefusal::Yourself));
    }
    let state = AccountState::of(target, now);
    match state.refusal() {
        Some(Standing::Deleted) => return Ok(Some(LoginAsRefusal::Deleted)),
        Some(Standing::Suspended) => return Ok(Some(LoginAsRefusal::Suspended)),
        Some(Standing::Inactive) => return Ok(Some(LoginAsRefusal::Inactive)),
        Some(Standing::Locked) => return Ok(Some(LoginAsRefusal::Locked)),
        None if state.invited => return Ok(Some(LoginAsRefusal::Invited)),
        None => {}
    }
    // No escalation through someone else's roles.
    let lacking: Vec<Permission> = permissions_of(conn, target.id)
        .await?
        .into_iter()
        .filter(|p| !caller.can(*p))
        .collect();
    if !lacking.is_empty() {
        return Ok(Some(LoginAsRefusal::HoldsMore(lacking)));
    }
    Ok(None)
}

/// An impersonation just started: the session its tab opens with.
pub struct Started {
    pub session_id: i64,
    pub token: SecretToken,
    pub username: String,
}

/// Where a new impersonation's session comes from.
pub struct StartRequest<'a> {
    pub username: &'a str,
    pub reason: Option<&'a str>,
    pub user_agent: &'a str,
}

/// Starts `caller`'s impersonation of the user named `request.username`:
/// a new session of that user, bound to the caller's own session, ending
/// after the configured lifetime. Records the start (with the reason).
/// The user's own sessions and presence are left as they are.
pub async fn start(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    caller: &SessionUser,
    actor: &Actor,
    request: StartRequest<'_>,
    now: DateTime<Utc>,
) -> AppResult<Started> {
    let reason = request.reason.map(str::trim).filter(|r| !r.is_empty());
    if settings.impersonation_reason_required && reason.is_none() {
        return Err(AppError::validation(
            FormField::Reason,
            "Say why you are logging in as this user: the audit log keeps it.",
        ));
    }
    if reason.is_some_and(|r| r.chars().count() > MAX_REASON_LEN) {
        return Err(AppError::validation(
            FormField::Reason,
            format!("The reason is too long: at most {MAX_REASON_LEN} characters."),
        ));
    }
    let txn = begin_write(db).await?;
    let target = crate::users::detail::service::find_by_username(&txn, request.username).await?;
    if let Some(refused) = refusal(&txn, settings, caller, &target, now).await? {
        return Err(AppError::Refused(refused.message(&target.username)));
    }
    let token = SecretToken::generate();
    let expires_at = now + delta(settings.impersonation_lifetime);
    let created = session::ActiveModel {
        user_id: Set(target.id),
        token_hash: Set(token.hash()),
        impersonator_id: Set(Some(caller.user_id)),
        impersonator_session_id: Set(Some(caller.session_id)),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(expires_at),
        ip: Set(actor.ip.clone()),
        user_agent: Set(Some(request.user_agent.chars().take(512).collect())),
        client: Set(actor.client.clone()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record(
        &txn,
        actor,
        AuditEvent {
            target_user_id: Some(target.id),
            target_username: Some(target.username.clone()),
            details: Some(serde_json::json!({
                "session_id": created.id,
                "reason": reason,
                "ends_at": expires_at.to_rfc3339(),
            })),
            ..AuditEvent::new(AuditAction::ImpersonationStart)
        },
    )
    .await?;
    txn.commit().await?;
    tracing::info!(
        impersonator = caller.user_id,
        user_id = target.id,
        session_id = created.id,
        "impersonation started"
    );
    Ok(Started {
        session_id: created.id,
        token,
        username: target.username,
    })
}

/// Ends `caller`'s impersonation ("Stop impersonating"). Returns the
/// impersonated user's username (the administrator goes back to their page).
pub async fn stop(
    db: &DatabaseConnection,
    caller: &SessionUser,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<String> {
    if !caller.is_impersonation() {
        return Err(AppError::Refused(
            "You are not impersonating anyone.".to_owned(),
        ));
    }
    let txn = begin_write(db).await?;
    end_one(
        &txn,
        caller.session_id,
        actor,
        SessionEndReason::ImpersonationStopped,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(caller.username.clone())
}

/// Ends impersonation session `session_id` if it is still open, and records
/// how. Returns whether it was open.
async fn end_one(
    conn: &impl ConnectionTrait,
    session_id: i64,
    actor: &Actor,
    how: SessionEndReason,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let ended = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .col_expr(session::Column::RevokedReason, Expr::value(how.key()))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::ImpersonatorSessionId.is_not_null())
        .filter(session::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    if ended.rows_affected == 0 {
        return Ok(false);
    }
    record(
        conn,
        actor,
        AuditEvent {
            target_user_id: actor.user_id,
            target_username: actor.username.clone(),
            details: Some(serde_json::json!({
                "session_id": session_id,
                "how": how.key(),
            })),
            ..AuditEvent::new(AuditAction::ImpersonationEnd)
        },
    )
    .await?;
    Ok(true)
}

/// Ends every impersonation whose time ran out (its lifetime, or idle as
/// long as a session may be), or whose administrator's own session ended
/// or who may no longer impersonate; records how each ended. Run every
/// minute by the server (requests of such a session are refused at once
/// already; this writes it down). Returns the sessions it ended.
pub async fn end_finished(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, DbErr> {
    // Only open impersonations: a handful at any time (a partial index).
    let open: Vec<session::Model> = session::Entity::find()
        .filter(session::Column::ImpersonatorSessionId.is_not_null())
        .filter(session::Column::RevokedAt.is_null())
        .all(db)
        .await?;
    let idle = delta(settings.idle_timeout);
    let mut ended = Vec::new();
    for session in open {
        let Some(parent_id) = session.impersonator_session_id else {
            continue;
        };
        let how = if session.expires_at <= now || session.last_seen_at <= now - idle {
            SessionEndReason::ImpersonationExpired
        } else if live_impersonator(db, settings, parent_id, now)
            .await?
            .is_none()
        {
            SessionEndReason::ImpersonatorSessionEnded
        } else {
            continue;
        };
        let actor = actor_of(db, &session).await?;
        let txn = begin_write(db).await?;
        if end_one(&txn, session.id, &actor, how, now).await? {
            ended.push(session.id);
        }
        txn.commit().await?;
    }
    Ok(ended)
}

/// "ADMIN as USER" of an impersonation session, for the entry of its end.
async fn actor_of(conn: &impl ConnectionTrait, session: &session::Model) -> Result<Actor, DbErr> {
    let username = |id: Option<i64>| async move {
        match id {
            None => Ok(None),
            Some(id) => {
                user::Entity::find_by_id(id)
                    .select_only()
                    .column(user::Column::Username)
                    .into_tuple::<String>()
                    .one(conn)
                    .await
            }
        }
    };
    Ok(Actor {
        user_id: Some(session.user_id),
        username: username(Some(session.user_id)).await?,
        impersonator_id: session.impersonator_id,
        impersonator_username: username(session.impersonator_id).await?,
        ip: session.ip.clone(),
        client: Some("Roster (impersonation expiry)".to_owned()),
    })
}
