//! Audit retention (`ROSTER_AUDIT_RETENTION`): entries older than the
//! retention period are deleted, a small batch per statement, so a sign-in
//! that must write its own entry waits for one short batch at most, never
//! for a delete of millions. The deletion is itself audited, with its count.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::AuditAction;
use super::service::{Actor, AuditEvent, record};
use crate::entities::audit_entry;
use crate::error::AppResult;

/// Entries deleted per statement: a few milliseconds of writing on either
/// database.
pub const RETENTION_BATCH: u64 = 1000;

/// Deletes every entry that occurred before `cutoff`, `batch` at a time,
/// each batch its own statement (and so its own short transaction), then
/// records one `audit.retention` entry with the count. Returns the count;
/// nothing is recorded when nothing was old enough.
pub async fn delete_older_than(
    db: &DatabaseConnection,
    cutoff: DateTime<Utc>,
    batch: u64,
) -> AppResult<u64> {
    let mut deleted = 0;
    loop {
        let oldest = Query::select()
            .column(audit_entry::Column::Id)
            .from(audit_entry::Entity)
            .and_where(audit_entry::Column::OccurredAt.lt(cutoff))
            .order_by(audit_entry::Column::OccurredAt, sea_orm::Order::Asc)
            .limit(batch)
            .to_owned();
        let result = audit_entry::Entity::delete_many()
            .filter(audit_entry::Column::Id.in_subquery(oldest))
            .exec(db)
            .await?;
        deleted += result.rows_affected;
        if result.rows_affected < batch {
            break;
        }
        // Let waiting writers (a sign-in's entry) in between batches.
        tokio::task::yield_now().await;
    }
    if deleted > 0 {
        record(
            db,
            &Actor::system("Roster (audit retention)"),
            AuditEvent {
                details: Some(serde_json::json!({
                    "deleted": deleted,
                    "older_than": cutoff.to_rfc3339(),
                })),
                ..AuditEvent::new(AuditAction::RetentionDelete)
            },
        )
        .await?;
        tracing::info!(deleted, %cutoff, "deleted audit entries past the retention period");
    }
    Ok(deleted)
}
