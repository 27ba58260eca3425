//! Accepting an invitation: the link's token is used, the chosen password
//! stored and a session opened, in one transaction.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::InvitationInfo;
use crate::audit::AuditAction;
use crate::audit::service::AuditEvent;
use crate::auth::one_time::{self, TokenKind, TokenProblem};
use crate::auth::password::ChosenPassword;
use crate::auth::service::store_chosen_password;
use crate::auth::settings::AuthState;
use crate::auth::signin::{SessionStart, SignedIn, sign_in_by_link};
use crate::db::begin_write;
use crate::entities::user;
use crate::error::AppResult;

/// Who a still-usable invitation is for, or why it no longer works (a
/// cancelled invitation deleted its pending account).
pub async fn invitation_status(
    db: &DatabaseConnection,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Result<InvitationInfo, TokenProblem>> {
    Ok(one_time::holder(db, TokenKind::Invitation, token, now)
        .await?
        .map(|account| InvitationInfo {
            username: account.username,
            name: account.name,
        }))
}

/// Sets the invited user's chosen password, uses the link up and signs them
/// in. A weak password leaves the link usable.
pub async fn accept_invitation(
    db: &DatabaseConnection,
    auth: &AuthState,
    token: &str,
    chosen: ChosenPassword<'_>,
    start: &SessionStart<'_>,
    now: DateTime<Utc>,
) -> AppResult<SignedIn> {
    let new = chosen.parse()?;
    let account = one_time::usable_holder(db, TokenKind::Invitation, token, now).await?;
    let hash = crate::auth::service::hash_chosen_password(auth.hashing(), &account, &new).await?;

    let txn = begin_write(db).await?;
    one_time::redeem_for(&txn, TokenKind::Invitation, token, account.id, now).await?;
    store_chosen_password(&txn, account.id, hash, now).await?;
    // No longer Invited (a later temporary login, which clears the
    // password, must not make it look so again).
    user::Entity::update_many()
        .col_expr(
            user::Column::InvitedAt,
            sea_orm::sea_query::Expr::value(None::<DateTime<Utc>>),
        )
        .filter(user::Column::Id.eq(account.id))
        .exec(&txn)
        .await?;
    let signed_in = sign_in_by_link(
        txn,
        auth.settings(),
        &account,
        start,
        AuditEvent {
            target_user_id: Some(account.id),
            target_username: Some(account.username.clone()),
            field: Some("status"),
            old_value: Some("invited".to_owned()),
            new_value: Some("active".to_owned()),
            ..AuditEvent::new(AuditAction::InvitationAccepted)
        },
        now,
    )
    .await?;
    tracing::info!(user_id = account.id, "invitation accepted");
    Ok(signed_in)
}
