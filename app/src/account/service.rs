//! A user's own account: their profile, their sessions, their password.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait,
};

use super::MyAccount;
use crate::audit::AuditAction;
use crate::audit::service::{Actor, AuditEvent, record};
use crate::auth::SessionEndReason;
use crate::auth::password::ChosenPassword;
use crate::auth::service::{SessionUser, delta, revoke_other_sessions, store_chosen_password};
use crate::auth::settings::{AuthSettings, AuthState};
use crate::auth::signin::record_wrong_password;
use crate::components::SessionRow;
use crate::db::begin_write;
use crate::domain::FormField;
use crate::effects::AfterCommit;
use crate::entities::{role, session, user, user_role};
use crate::error::{AppError, AppResult};

/// Dates as people read them in the console, in UTC.
pub fn format_time(at: DateTime<Utc>) -> String {
    at.format("%m-%d-%Y %H:%M UTC").to_string()
}

pub async fn my_account(db: &DatabaseConnection, user_id: i64) -> AppResult<MyAccount> {
    let account = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let roles: Vec<String> = role::Entity::find()
        .select_only()
        .column(role::Column::Name)
        .join_rev(JoinType::InnerJoin, user_role::Relation::Role.def())
        .filter(user_role::Column::UserId.eq(user_id))
        .order_by_asc(role::Column::Name)
        .into_tuple()
        .all(db)
        .await?;
    Ok(MyAccount {
        username: account.username,
        email: account.email,
        name: account.name,
        phone: account.phone,
        phone_ext: account.phone_ext,
        roles,
        must_change_password: account.must_change_password,
        password_changed_at: account.password_changed_at.map(format_time),
        has_password: account.password_hash.is_some(),
        last_signin_at: account.last_signin_at.map(format_time),
        last_signin_from: match (account.last_signin_ip, account.last_signin_client) {
            (Some(ip), Some(client)) => Some(format!("{client}, {ip}")),
            (ip, client) => ip.or(client),
        },
    })
}

/// The user's open sessions, most recently used first.
pub async fn my_sessions(
    db: &DatabaseConnection,
    settings: &AuthSettings,
    user_id: i64,
    current_session_id: i64,
) -> AppResult<Vec<SessionRow>> {
    let now = Utc::now();
    let idle = delta(settings.idle_timeout);
    let sessions = session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        // An impersonation is not one of the user's devices.
        .filter(session::Column::ImpersonatorSessionId.is_null())
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now))
        .filter(session::Column::LastSeenAt.gt(now - idle))
        .order_by_desc(session::Column::LastSeenAt)
        .order_by_desc(session::Column::Id)
        .all(db)
        .await?;
    Ok(sessions
        .into_iter()
        .map(|s| SessionRow {
            id: s.id,
            started_at: format_time(s.created_at),
            last_seen_at: format_time(s.last_seen_at),
            ip: s.ip,
            client: s.client.unwrap_or_else(|| "Unknown client".to_owned()),
            is_current: s.id == current_session_id,
        })
        .collect())
}

/// The result of changing one's password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordChanged {
    pub other_sessions_ended: u64,
}

/// Changes the signed-in user's own password: the current one must be right,
/// the new one must differ and pass the strength rule. Clears a pending
/// "must change", ends the user's other sessions, is audited and emails the
/// owner a notice, all in one transaction. Returns what it did and what to
/// announce once committed (the notice, and the other sessions' end).
pub async fn change_own_password(
    db: &DatabaseConnection,
    auth: &AuthState,
    outbox: &crate::email::outbox::Outbox,
    actor: &Actor,
    session: &SessionUser,
    current_password: &str,
    chosen: ChosenPassword<'_>,
) -> AppResult<(PasswordChanged, AfterCommit)> {
    let new = chosen.parse()?;
    let new_password = chosen.new;
    // Guessing the current password is limited like signing in: rate
    // limited by address, and wrong answers count towards the lockout.
    let ip = actor.ip.as_deref().and_then(|ip| ip.parse().ok());
    if !auth.allow_signin_attempt(ip) {
        return Err(AppError::RateLimited);
    }
    let account = user::Entity::find_by_id(session.user_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let hashing = auth.hashing();
    // Without a password (signed in by a temporary login link, which
    // replaced the forgotten one) there is no current password to know.
    if account.password_hash.is_some()
        && !hashing
            .verify(current_password, account.password_hash.as_deref())
            .await
    {
        record_wrong_password(
            db,
            auth.settings(),
            actor,
            &account,
            AuditAction::PasswordChangeFailed,
            Utc::now(),
        )
        .await?;
        return Err(AppError::validation(
            FormField::CurrentPassword,
            "Your current password is not right.",
        ));
    }
    if current_password == new_password {
        return Err(AppError::validation(
            FormField::NewPassword,
            "Choose a password different from your current one.",
        ));
    }
    let hash = crate::auth::service::hash_chosen_password(hashing, &account, &new).await?;

    let now = Utc::now();
    let txn = begin_write(db).await?;
    store_chosen_password(&txn, account.id, hash, now).await?;
    let other_sessions_ended = revoke_other_sessions(
        &txn,
        auth.settings(),
        account.id,
        Some(session.session_id),
        SessionEndReason::PasswordChanged,
        now,
    )
    .await?;
    record(
        &txn,
        actor,
        AuditEvent {
            target_user_id: Some(account.id),
            target_username: Some(account.username.clone()),
            field: Some("password"),
            details: Some(serde_json::json!({
                "by": "self",
                "was_required": account.must_change_password,
                "other_sessions_ended": other_sessions_ended,
            })),
            ..AuditEvent::new(AuditAction::PasswordChange)
        },
    )
    .await?;
    // The owner hears of it by email too, in case it was not them.
    let notice = crate::password_reset::service::password_changed_notice(outbox, &account, now);
    crate::email::outbox::enqueue(&txn, &notice, now).await?;
    txn.commit().await?;
    tracing::info!(
        user_id = account.id,
        other_sessions_ended,
        "password changed"
    );
    let mut after = AfterCommit::none().email_queued();
    if other_sessions_ended > 0 {
        // Their tabs go to the sign-in page.
        after = after.sessions_ended_of(&[account.id]);
    }
    let changed = PasswordChanged {
        other_sessions_ended,
    };
    Ok((changed, after))
}
