//! Messages from administrators: stored with their recipients and audited in
//! one transaction, then delivered live by the hub; recipients who had no
//! tab open get them when they next connect.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::LiveMessage;
use super::message::{MessageBody, MessageOutcome, Recipients};
use crate::audit::AuditAction;
use crate::audit::service::Actor;
use crate::db::begin_write;
use crate::entities::{message, message_recipient, user};
use crate::error::AppResult;

/// Most undelivered messages a tab is shown when it connects.
const PENDING_LIMIT: u64 = 20;

/// A stored message, ready for the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredMessage {
    pub message_id: i64,
    pub recipients: u64,
}

/// Stores `body` for the recipients and audits it, one entry per recipient.
/// Deleted users never receive messages; "all signed-in users" means users
/// with an open session now, except the sender.
pub async fn store_message(
    db: &DatabaseConnection,
    actor: &Actor,
    sender_name: &str,
    recipients: &Recipients,
    body: &MessageBody,
    now: DateTime<Utc>,
) -> AppResult<StoredMessage> {
    let sender = actor.user_id;
    let txn = begin_write(db).await?;
    let mut chosen = match recipients {
        Recipients::Selected(selection) => {
            crate::directory::selection::selected(&txn, selection, now).await?
        }
        Recipients::SignedIn => Condition::all()
            .add(user::Column::SignedInSince.is_not_null())
            .add(user::Column::Id.ne(sender.unwrap_or(0))),
    };
    chosen = chosen.add(user::Column::DeletedAt.is_null());
    let stored = message::ActiveModel {
        sender_id: Set(sender),
        sender_name: Set(sender_name.to_owned()),
        body: Set(body.as_str().to_owned()),
        is_broadcast: Set(matches!(recipients, Recipients::SignedIn)),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut users = Query::select()
        .expr(Expr::value(stored.id))
        .column((user::Entity, user::Column::Id))
        .expr(Expr::value(0))
        .from(user::Entity)
        .cond_where(chosen)
        .to_owned();
    if matches!(recipients, Recipients::SignedIn) {
        // Signed in now: an open session, not just the presence flag.
        users.and_where(
            Expr::col((user::Entity, user::Column::Id))
                .in_subquery(crate::auth::service::users_with_open_sessions(now)),
        );
    }
    let insert = Query::insert()
        .into_table(message_recipient::Entity)
        .columns([
            message_recipient::Column::MessageId,
            message_recipient::Column::UserId,
            message_recipient::Column::Tabs,
        ])
        .select_from(users)
        .map_err(|e| {
            tracing::error!(error = %e, "building the recipients insert failed");
            crate::error::AppError::Internal
        })?
        .to_owned();
    let recipients_count = txn.execute(&insert).await?.rows_affected();
    audit_recipients(&txn, actor, stored.id, body, now).await?;
    txn.commit().await?;
    tracing::info!(
        message_id = stored.id,
        recipients = recipients_count,
        "message stored"
    );
    Ok(StoredMessage {
        message_id: stored.id,
        recipients: recipients_count,
    })
}

/// One `message.send` audit entry per recipient, in one statement.
async fn audit_recipients(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    message_id: i64,
    body: &MessageBody,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let details = serde_json::json!({ "message_id": message_id }).to_string();
    let select = crate::audit::service::entries_per_user(
        actor,
        now,
        AuditAction::MessageSend,
        None,
        Expr::value(Some(body.as_str().to_owned())),
        Some(details),
    )
    .from(message_recipient::Entity)
    .inner_join(
        user::Entity,
        Expr::col((user::Entity, user::Column::Id))
            .equals((message_recipient::Entity, message_recipient::Column::UserId)),
    )
    .and_where(message_recipient::Column::MessageId.eq(message_id))
    .to_owned();
    crate::audit::service::record_rows(txn, select).await
}

fn live_message(stored: message::Model) -> LiveMessage {
    LiveMessage {
        id: stored.id,
        sender_name: stored.sender_name,
        sent_at: stored.created_at.format("%H:%M UTC").to_string(),
        body: stored.body,
    }
}

/// The message and which of `users` (sorted) are its recipients, sorted.
pub async fn recipients_among(
    db: &DatabaseConnection,
    message_id: i64,
    users: &[i64],
) -> Result<Option<(LiveMessage, Vec<i64>)>, sea_orm::DbErr> {
    let Some(stored) = message::Entity::find_by_id(message_id).one(db).await? else {
        return Ok(None);
    };
    let mut recipients = Vec::new();
    for chunk in users.chunks(10_000) {
        let found: Vec<i64> = message_recipient::Entity::find()
            .select_only()
            .column(message_recipient::Column::UserId)
            .filter(message_recipient::Column::MessageId.eq(message_id))
            .filter(message_recipient::Column::UserId.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        recipients.extend(found);
    }
    recipients.sort_unstable();
    Ok(Some((live_message(stored), recipients)))
}

/// Records that these users' tabs showed the message: the first delivery
/// time, and the tabs added up. One UPDATE per distinct tab count.
pub async fn record_delivery(
    db: &DatabaseConnection,
    message_id: i64,
    tabs_of: &HashMap<i64, i32>,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    let mut by_tabs: HashMap<i32, Vec<i64>> = HashMap::new();
    for (&user_id, &tabs) in tabs_of {
        by_tabs.entry(tabs).or_default().push(user_id);
    }
    for (tabs, users) in by_tabs {
        for chunk in users.chunks(10_000) {
            message_recipient::Entity::update_many()
                .col_expr(
                    message_recipient::Column::DeliveredAt,
                    Expr::from(Func::coalesce([
                        Expr::col(message_recipient::Column::DeliveredAt),
                        Expr::value(now),
                    ])),
                )
                .col_expr(
                    message_recipient::Column::Tabs,
                    Expr::col(message_recipient::Column::Tabs).add(tabs),
                )
                .filter(message_recipient::Column::MessageId.eq(message_id))
                .filter(message_recipient::Column::UserId.is_in(chunk.to_vec()))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// Marks the message delivered to `user_id` if no one has yet; whether
/// this call did.
pub async fn claim_delivery(
    db: &DatabaseConnection,
    message_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, sea_orm::DbErr> {
    let claimed = message_recipient::Entity::update_many()
        .col_expr(message_recipient::Column::DeliveredAt, Expr::value(now))
        .filter(message_recipient::Column::MessageId.eq(message_id))
        .filter(message_recipient::Column::UserId.eq(user_id))
        .filter(message_recipient::Column::DeliveredAt.is_null())
        .exec(db)
        .await?;
    Ok(claimed.rows_affected > 0)
}

/// Messages sent to `user_id` that no tab of theirs has shown yet, oldest
/// first (the ones they missed while signed out).
pub async fn undelivered(
    db: &DatabaseConnection,
    user_id: i64,
) -> Result<Vec<LiveMessage>, sea_orm::DbErr> {
    let messages = message::Entity::find()
        .inner_join(message_recipient::Entity)
        .filter(message_recipient::Column::UserId.eq(user_id))
        .filter(message_recipient::Column::DeliveredAt.is_null())
        .order_by_asc(message::Column::Id)
        .limit(PENDING_LIMIT)
        .all(db)
        .await?;
    Ok(messages.into_iter().map(live_message).collect())
}

/// How many recipients received the message, in how many tabs in all.
pub async fn outcome(
    db: &DatabaseConnection,
    message_id: i64,
    recipients: u64,
    broadcast: bool,
) -> Result<MessageOutcome, sea_orm::DbErr> {
    let rows: Vec<(Option<DateTime<Utc>>, i32)> = message_recipient::Entity::find()
        .select_only()
        .column(message_recipient::Column::DeliveredAt)
        .column(message_recipient::Column::Tabs)
        .filter(message_recipient::Column::MessageId.eq(message_id))
        .filter(
            Condition::any()
                .add(message_recipient::Column::DeliveredAt.is_not_null())
                .add(message_recipient::Column::Tabs.gt(0)),
        )
        .into_tuple()
        .all(db)
        .await?;
    Ok(MessageOutcome {
        recipients,
        reached_users: rows.len() as u64,
        tabs: rows
            .iter()
            .map(|(_, t)| u64::try_from(*t).unwrap_or(0))
            .sum(),
        broadcast,
    })
}
