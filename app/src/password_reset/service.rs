//! Self-service password reset: a reset link by email for whoever asks, and
//! choosing a new password through it.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, ExprTrait, QueryFilter};

use crate::audit::AuditAction;
use crate::audit::service::{Actor, AuditEvent, record};
use crate::auth::SessionEndReason;
use crate::auth::one_time::{self, TokenKind, TokenProblem};
use crate::auth::password::ChosenPassword;
use crate::auth::service::{revoke_other_sessions, store_chosen_password};
use crate::auth::settings::AuthState;
use crate::db::begin_write;
use crate::effects::AfterCommit;
use crate::email::outbox::{Outbox, enqueue};
use crate::email::templates;
use crate::entities::user;
use crate::error::AppResult;

/// Sends a reset link to the account `login` names (username or email, any
/// case), if there is one that may sign in. Whether there is is not
/// revealed: the caller answers the same either way. Returns what to
/// announce once committed (the queued link, if any).
pub async fn request_reset(
    db: &DatabaseConnection,
    auth: &AuthState,
    outbox: &Outbox,
    actor: &Actor,
    login: &str,
    now: DateTime<Utc>,
) -> AppResult<AfterCommit> {
    let login = login.trim().to_lowercase();
    let account = user::Entity::find()
        .filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(user::Column::Username))).eq(login.clone()))
                .add(Expr::expr(Func::lower(Expr::col(user::Column::Email))).eq(login)),
        )
        .filter(user::Column::DeletedAt.is_null())
        .one(db)
        .await?;
    let Some(account) = account.filter(|a| !crate::domain::AccountState::of(a, now).switched_off())
    else {
        tracing::info!("password reset asked for an address with no usable account");
        return Ok(AfterCommit::none());
    };
    let lifetime = auth.settings().reset_link_lifetime;
    let txn = begin_write(db).await?;
    let token = one_time::issue(
        &txn,
        account.id,
        TokenKind::PasswordReset,
        lifetime,
        None,
        now,
    )
    .await?;
    let link = templates::link(outbox.public_url(), "/reset-password", token.expose());
    enqueue(
        &txn,
        &templates::password_reset(&account.email, &account.name, &link, lifetime),
        now,
    )
    .await?;
    record(
        &txn,
        actor,
        AuditEvent {
            target_user_id: Some(account.id),
            target_username: Some(account.username.clone()),
            ..AuditEvent::new(AuditAction::PasswordResetRequested)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(AfterCommit::none().email_queued())
}

/// The username a reset link is for, or why it no longer works.
pub async fn link_status(
    db: &DatabaseConnection,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Result<String, TokenProblem>> {
    Ok(one_time::holder(db, TokenKind::PasswordReset, token, now)
        .await?
        .map(|account| account.username))
}

/// Sets the password of the account a reset link is for and uses the link
/// up. Every session of the account ends (whoever knew the old password is
/// out) and the owner is told by email. All in one transaction. Returns the
/// account's id and what to announce once committed.
pub async fn reset_password(
    db: &DatabaseConnection,
    auth: &AuthState,
    outbox: &Outbox,
    actor: &Actor,
    token: &str,
    chosen: ChosenPassword<'_>,
    now: DateTime<Utc>,
) -> AppResult<(i64, AfterCommit)> {
    let new = chosen.parse()?;
    let account = one_time::usable_holder(db, TokenKind::PasswordReset, token, now).await?;
    let hash = crate::auth::service::hash_chosen_password(auth.hashing(), &account, &new).await?;

    let txn = begin_write(db).await?;
    // Used here, in the transaction: of two tabs submitting the same link,
    // one sets the password and the other is told the link was used.
    one_time::redeem_for(&txn, TokenKind::PasswordReset, token, account.id, now).await?;
    store_chosen_password(&txn, account.id, hash, now).await?;
    let sessions_ended = revoke_other_sessions(
        &txn,
        auth.settings(),
        account.id,
        None,
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
                "by": "reset link",
                "sessions_ended": sessions_ended,
            })),
            ..AuditEvent::new(AuditAction::PasswordReset)
        },
    )
    .await?;
    enqueue(&txn, &password_changed_notice(outbox, &account, now), now).await?;
    txn.commit().await?;
    tracing::info!(
        user_id = account.id,
        sessions_ended,
        "password reset by link"
    );
    // Tabs still open elsewhere go to the sign-in page.
    let after = AfterCommit::none()
        .email_queued()
        .sessions_ended_of(&[account.id]);
    Ok((account.id, after))
}

/// The "your password was changed" email to `account`'s owner.
pub fn password_changed_notice(
    outbox: &Outbox,
    account: &user::Model,
    now: DateTime<Utc>,
) -> templates::Email {
    let sign_in = outbox
        .public_url()
        .join("/login")
        .map(|u| u.to_string())
        .unwrap_or_default();
    templates::password_changed(&account.email, &account.name, now, &sign_in)
}
