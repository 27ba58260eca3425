//! One-time tokens for invitations, password resets and temporary logins.
//! Each is 256 random bits in an emailed link; only its SHA-256 is stored.
//! It works once, until it expires, and issuing a newer token of the same
//! kind for the same user cancels the older ones.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::service::delta;
use super::token::{SecretToken, hash_token};
use crate::domain::FormField;
use crate::entities::one_time_token;
use crate::error::AppResult;

/// What a token lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Invitation,
    PasswordReset,
    TemporaryLogin,
}

impl TokenKind {
    /// The stored `kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Invitation => "invite",
            TokenKind::PasswordReset => "reset",
            TokenKind::TemporaryLogin => "temp_login",
        }
    }

    /// How long a link of this kind works (configured).
    pub fn lifetime(self, settings: &super::settings::AuthSettings) -> Duration {
        match self {
            TokenKind::Invitation => settings.invitation_lifetime,
            TokenKind::PasswordReset => settings.reset_link_lifetime,
            TokenKind::TemporaryLogin => settings.temporary_login_lifetime,
        }
    }
}

/// Why a link no longer works. Its text is what the page says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenProblem {
    #[error("This link is not valid. Check that you opened the whole link from the email.")]
    Unknown,
    #[error("This link has expired. Ask for a new one.")]
    Expired,
    #[error("This link has already been used. Ask for a new one if you need it again.")]
    Used,
    #[error("A newer link has been sent; this one no longer works. Use the newest email.")]
    Replaced,
}

/// Issues a token of `kind` for `user_id`, valid for `lifetime`, cancelling
/// that user's earlier unused tokens of the kind. In the caller's
/// transaction; the returned secret goes into the email and nowhere else.
pub async fn issue(
    conn: &impl ConnectionTrait,
    user_id: i64,
    kind: TokenKind,
    lifetime: Duration,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<SecretToken> {
    one_time_token::Entity::update_many()
        .col_expr(one_time_token::Column::CancelledAt, Expr::value(now))
        .filter(one_time_token::Column::UserId.eq(user_id))
        .filter(one_time_token::Column::Kind.eq(kind.as_str()))
        .filter(one_time_token::Column::UsedAt.is_null())
        .filter(one_time_token::Column::CancelledAt.is_null())
        .exec(conn)
        .await?;
    let mut tokens = issue_many(conn, &[user_id], kind, lifetime, created_by, now).await?;
    Ok(tokens.remove(0))
}

/// Issues one token of `kind` for each of `user_ids` in one INSERT, in the
/// order given. The caller has cancelled their earlier tokens of the kind.
pub async fn issue_many(
    conn: &impl ConnectionTrait,
    user_ids: &[i64],
    kind: TokenKind,
    lifetime: Duration,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<Vec<SecretToken>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let tokens: Vec<SecretToken> = user_ids.iter().map(|_| SecretToken::generate()).collect();
    one_time_token::Entity::insert_many(user_ids.iter().zip(&tokens).map(|(user_id, token)| {
        one_time_token::ActiveModel {
            user_id: Set(*user_id),
            kind: Set(kind.as_str().to_owned()),
            token_hash: Set(token.hash()),
            created_by_id: Set(created_by),
            created_at: Set(now),
            expires_at: Set(now + delta(lifetime)),
            ..Default::default()
        }
    }))
    .exec(conn)
    .await?;
    Ok(tokens)
}

/// The user a still-usable token of `kind` belongs to, without using it
/// (to show the page the link opens).
pub async fn check(
    conn: &impl ConnectionTrait,
    kind: TokenKind,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Result<i64, TokenProblem>> {
    let found = one_time_token::Entity::find()
        .filter(one_time_token::Column::TokenHash.eq(hash_token(token)))
        .filter(one_time_token::Column::Kind.eq(kind.as_str()))
        .one(conn)
        .await?;
    Ok(match found {
        None => Err(TokenProblem::Unknown),
        Some(t) if t.used_at.is_some() => Err(TokenProblem::Used),
        Some(t) if t.cancelled_at.is_some() => Err(TokenProblem::Replaced),
        Some(t) if t.expires_at <= now => Err(TokenProblem::Expired),
        Some(t) => Ok(t.user_id),
    })
}

/// The account a still-usable token of `kind` belongs to, without using it
/// (for the page the link opens), or why the link no longer works. A
/// deleted account's links do not work.
pub async fn holder(
    conn: &impl ConnectionTrait,
    kind: TokenKind,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Result<crate::entities::user::Model, TokenProblem>> {
    let user_id = match check(conn, kind, token, now).await? {
        Ok(user_id) => user_id,
        Err(problem) => return Ok(Err(problem)),
    };
    Ok(crate::entities::user::Entity::find_by_id(user_id)
        .one(conn)
        .await?
        .filter(|account| account.deleted_at.is_none())
        .ok_or(TokenProblem::Unknown))
}

/// [`holder`], with a link that no longer works as a `token` field error.
pub async fn usable_holder(
    conn: &impl ConnectionTrait,
    kind: TokenKind,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<crate::entities::user::Model> {
    holder(conn, kind, token, now)
        .await?
        .map_err(|problem| crate::error::AppError::validation(FormField::Token, problem))
}

/// Uses a token of `kind` that was checked to be `user_id`'s, or says why
/// it cannot be used (a `token` field error).
pub async fn redeem_for(
    conn: &impl ConnectionTrait,
    kind: TokenKind,
    token: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    match redeem(conn, kind, token, now).await? {
        Ok(owner) if owner == user_id => Ok(()),
        Ok(_) => Err(crate::error::AppError::validation(
            FormField::Token,
            TokenProblem::Unknown,
        )),
        Err(problem) => Err(crate::error::AppError::validation(
            FormField::Token,
            problem,
        )),
    }
}

/// Uses a token of `kind`: marks it used and returns its user, or says why
/// it cannot be used. The mark is one conditional UPDATE, so of two
/// simultaneous uses exactly one succeeds. In the caller's transaction.
pub async fn redeem(
    conn: &impl ConnectionTrait,
    kind: TokenKind,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Result<i64, TokenProblem>> {
    let user_id = match check(conn, kind, token, now).await? {
        Ok(user_id) => user_id,
        Err(problem) => return Ok(Err(problem)),
    };
    let used = one_time_token::Entity::update_many()
        .col_expr(one_time_token::Column::UsedAt, Expr::value(now))
        .filter(one_time_token::Column::TokenHash.eq(hash_token(token)))
        .filter(one_time_token::Column::UsedAt.is_null())
        .filter(one_time_token::Column::CancelledAt.is_null())
        .filter(one_time_token::Column::ExpiresAt.gt(now))
        .exec(conn)
        .await?
        .rows_affected;
    Ok(if used == 1 {
        Ok(user_id)
    } else {
        Err(TokenProblem::Used)
    })
}
