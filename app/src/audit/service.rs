//! Writing audit entries. Callers pass their transaction so an entry is
//! written if and only if the change it describes is.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query, SelectStatement, SimpleExpr};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};

use super::AuditAction;
use crate::entities::{audit_entry, user};

/// Who is acting, and from where.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub impersonator_id: Option<i64>,
    pub impersonator_username: Option<String>,
    pub ip: Option<String>,
    pub client: Option<String>,
}

impl Actor {
    /// An action taken on the server itself, not through a signed-in user:
    /// the command line, a migration, an automatic lockout. `client` says
    /// which, e.g. "roster create-admin".
    pub fn system(client: &str) -> Self {
        Actor {
            client: Some(client.to_owned()),
            ..Default::default()
        }
    }
}

/// One thing that happened. Build one with [`AuditEvent::new`] and the
/// fields that apply: `AuditEvent { target_user_id, ..AuditEvent::new(action) }`.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub action: AuditAction,
    pub target_user_id: Option<i64>,
    pub target_username: Option<String>,
    pub field: Option<&'static str>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub details: Option<serde_json::Value>,
}

impl AuditEvent {
    /// `action`, about nobody in particular and with no details: the rest
    /// is filled in by the caller. (No `Default`: there is no default
    /// action, so every event says what happened.)
    pub fn new(action: AuditAction) -> Self {
        AuditEvent {
            action,
            target_user_id: None,
            target_username: None,
            field: None,
            old_value: None,
            new_value: None,
            details: None,
        }
    }
}

pub async fn record(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    event: AuditEvent,
) -> Result<(), DbErr> {
    audit_entry::ActiveModel {
        occurred_at: Set(Utc::now()),
        actor_id: Set(actor.user_id),
        actor_username: Set(actor.username.clone()),
        impersonator_id: Set(actor.impersonator_id),
        impersonator_username: Set(actor.impersonator_username.clone()),
        action: Set(event.action.key().to_owned()),
        target_user_id: Set(event.target_user_id),
        target_username: Set(event.target_username),
        field: Set(event.field.map(str::to_owned)),
        old_value: Set(event.old_value),
        new_value: Set(event.new_value),
        ip: Set(actor.ip.clone()),
        client: Set(actor.client.clone()),
        details: Set(event.details.map(|d| d.to_string())),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// The select for [`record_rows`] of one entry by `actor` about each user
/// row it finds. The caller adds the FROM (which must include `users`) and
/// the WHERE.
pub fn entries_per_user(
    actor: &Actor,
    now: DateTime<Utc>,
    action: AuditAction,
    field: Option<&str>,
    new_value: SimpleExpr,
    details: Option<String>,
) -> SelectStatement {
    Query::select()
        .expr(Expr::value(now))
        .expr(Expr::value(actor.user_id))
        .expr(Expr::value(actor.username.clone()))
        .expr(Expr::value(actor.impersonator_id))
        .expr(Expr::value(actor.impersonator_username.clone()))
        .expr(Expr::value(action.key()))
        .column((user::Entity, user::Column::Id))
        .column((user::Entity, user::Column::Username))
        .expr(Expr::value(field.map(str::to_owned)))
        .expr(new_value)
        .expr(Expr::value(actor.ip.clone()))
        .expr(Expr::value(actor.client.clone()))
        .expr(Expr::value(details))
        .to_owned()
}

/// Writes one audit entry per row of `select`, in one `INSERT … SELECT`.
/// The select yields, in order: occurred_at, actor_id, actor_username,
/// impersonator_id, impersonator_username, action, target_user_id,
/// target_username, field, new_value, ip, client, details.
pub async fn record_rows(
    conn: &impl ConnectionTrait,
    select: SelectStatement,
) -> crate::error::AppResult<()> {
    conn.execute(&audit_insert(select)?).await?;
    Ok(())
}

/// The `INSERT … SELECT` [`record_rows`] runs, for a caller that runs it
/// as part of a larger statement.
pub fn audit_insert(
    select: SelectStatement,
) -> crate::error::AppResult<sea_orm::sea_query::InsertStatement> {
    let mut insert = sea_orm::sea_query::Query::insert();
    insert.into_table(audit_entry::Entity).columns([
        audit_entry::Column::OccurredAt,
        audit_entry::Column::ActorId,
        audit_entry::Column::ActorUsername,
        audit_entry::Column::ImpersonatorId,
        audit_entry::Column::ImpersonatorUsername,
        audit_entry::Column::Action,
        audit_entry::Column::TargetUserId,
        audit_entry::Column::TargetUsername,
        audit_entry::Column::Field,
        audit_entry::Column::NewValue,
        audit_entry::Column::Ip,
        audit_entry::Column::Client,
        audit_entry::Column::Details,
    ]);
    insert.select_from(select).map_err(|e| {
        tracing::error!(error = %e, "building an audit insert failed");
        crate::error::AppError::Internal
    })?;
    Ok(insert)
}
