//! The email half of the bulk actions that send links (Reset Password, Send
//! Temporary Login, Resend Invitation): one token and one queued email per
//! user, written in batches inside the action's transaction, so either every
//! selected user gets a working link or nobody does.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect};

use crate::audit::service::Actor;
use crate::auth::one_time::{self, TokenKind};
use crate::auth::settings::AuthSettings;
use crate::email::outbox::{Outbox, enqueue_many};
use crate::email::templates::{self, Email};
use crate::entities::{one_time_token, user};
use crate::error::AppResult;
use crate::users::bulk::api::BulkAction;

/// The page each kind of link opens.
pub fn link_path(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Invitation => "/accept-invitation",
        TokenKind::PasswordReset => "/reset-password",
        TokenKind::TemporaryLogin => "/temporary-login",
    }
}

/// The email carrying a link of `kind` to `account`.
pub fn link_email(
    kind: TokenKind,
    settings: &AuthSettings,
    outbox: &Outbox,
    account: &Recipient,
    token: &str,
) -> Email {
    let link = templates::link(outbox.public_url(), link_path(kind), token);
    let (to, name) = (account.email.as_str(), account.name.as_str());
    match kind {
        TokenKind::Invitation => templates::invitation(
            to,
            name,
            &account.username,
            &link,
            settings.invitation_lifetime,
        ),
        TokenKind::PasswordReset => templates::password_reset_by_administrator(
            to,
            name,
            &link,
            settings.reset_link_lifetime,
        ),
        TokenKind::TemporaryLogin => {
            templates::temporary_login(to, name, &link, settings.temporary_login_lifetime)
        }
    }
}

/// Who a link goes to.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub name: String,
}

fn kind_of(action: &BulkAction) -> Option<TokenKind> {
    match action {
        BulkAction::ResetPassword => Some(TokenKind::PasswordReset),
        BulkAction::SendTemporaryLogin => Some(TokenKind::TemporaryLogin),
        BulkAction::ResendInvitation | BulkAction::CancelInvitation => Some(TokenKind::Invitation),
        _ => None,
    }
}

/// Cancels the earlier links of the action's kind for the `marked` users and,
/// unless the action is Cancel Invitation, issues and queues new ones. An
/// action that is not about links does nothing here.
pub async fn send_links(
    txn: &DatabaseTransaction,
    settings: &AuthSettings,
    outbox: &Outbox,
    actor: &Actor,
    action: &BulkAction,
    marked: &Condition,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(kind) = kind_of(action) else {
        return Ok(());
    };
    let users = Query::select()
        .column(user::Column::Id)
        .from(user::Entity)
        .cond_where(marked.clone())
        .to_owned();
    one_time_token::Entity::update_many()
        .col_expr(one_time_token::Column::CancelledAt, Expr::value(now))
        .filter(one_time_token::Column::Kind.eq(kind.as_str()))
        .filter(one_time_token::Column::UsedAt.is_null())
        .filter(one_time_token::Column::CancelledAt.is_null())
        .filter(one_time_token::Column::UserId.in_subquery(users))
        .exec(txn)
        .await?;
    if *action == BulkAction::CancelInvitation {
        return Ok(());
    }
    let recipients = recipients(txn, marked).await?;
    let lifetime = kind.lifetime(settings);
    for chunk in recipients.chunks(500) {
        let ids: Vec<i64> = chunk.iter().map(|r| r.id).collect();
        let tokens = one_time::issue_many(txn, &ids, kind, lifetime, actor.user_id, now).await?;
        let emails: Vec<Email> = chunk
            .iter()
            .zip(&tokens)
            .map(|(recipient, token)| link_email(kind, settings, outbox, recipient, token.expose()))
            .collect();
        enqueue_many(txn, &emails, now).await?;
    }
    Ok(())
}

/// Tells each `marked` user that an administrator set their password (Set
/// Password), in case it was not expected.
pub async fn send_password_notices(
    txn: &DatabaseTransaction,
    outbox: &Outbox,
    marked: &Condition,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let sign_in = outbox
        .public_url()
        .join("/login")
        .map(|u| u.to_string())
        .unwrap_or_default();
    for chunk in recipients(txn, marked).await?.chunks(500) {
        let emails: Vec<Email> = chunk
            .iter()
            .map(|r| templates::password_changed(&r.email, &r.name, now, &sign_in))
            .collect();
        enqueue_many(txn, &emails, now).await?;
    }
    Ok(())
}

/// The users `marked` names, as email recipients.
async fn recipients(txn: &DatabaseTransaction, marked: &Condition) -> AppResult<Vec<Recipient>> {
    let rows: Vec<(i64, String, String, String)> = user::Entity::find()
        .select_only()
        .columns([
            user::Column::Id,
            user::Column::Username,
            user::Column::Email,
            user::Column::Name,
        ])
        .filter(marked.clone())
        .into_tuple()
        .all(txn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, username, email, name)| Recipient {
            id,
            username,
            email,
            name,
        })
        .collect())
}
