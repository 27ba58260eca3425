//! Signing in with a temporary login link: the token is used, the account
//! marked "must change password" and a session opened, in one transaction.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::audit::AuditAction;
use crate::audit::service::AuditEvent;
use crate::auth::one_time::{self, TokenKind, TokenProblem};
use crate::auth::settings::AuthState;
use crate::auth::signin::{SessionStart, SignedIn, sign_in_by_link};
use crate::db::begin_write;
use crate::domain::FormField;
use crate::entities::user;
use crate::error::{AppError, AppResult};

/// The username a still-usable link is for, or why it no longer works.
pub async fn link_status(
    db: &DatabaseConnection,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Result<String, TokenProblem>> {
    Ok(one_time::holder(db, TokenKind::TemporaryLogin, token, now)
        .await?
        .map(|account| account.username))
}

/// Signs the link's owner in once; they must then choose a new password.
pub async fn sign_in_with_link(
    db: &DatabaseConnection,
    auth: &AuthState,
    token: &str,
    start: &SessionStart<'_>,
    now: DateTime<Utc>,
) -> AppResult<SignedIn> {
    let txn = begin_write(db).await?;
    let user_id = one_time::redeem(&txn, TokenKind::TemporaryLogin, token, now)
        .await?
        .map_err(|problem| AppError::validation(FormField::Token, problem))?;
    // The link stands in for the forgotten password: the old one stops
    // working, and the new one is chosen without it.
    user::Entity::update_many()
        .col_expr(user::Column::MustChangePassword, Expr::value(true))
        .col_expr(user::Column::PasswordHash, Expr::value(None::<String>))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    let account = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let signed_in = sign_in_by_link(
        txn,
        auth.settings(),
        &account,
        start,
        AuditEvent {
            target_user_id: Some(account.id),
            target_username: Some(account.username.clone()),
            ..AuditEvent::new(AuditAction::TemporaryLogin)
        },
        now,
    )
    .await?;
    tracing::info!(
        user_id = account.id,
        "signed in with a temporary login link"
    );
    Ok(signed_in)
}
