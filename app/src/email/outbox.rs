//! The outbox: email is queued in the database with whatever it tells of,
//! and a worker sends it afterwards, off the request path.
//!
//! The worker wakes when a server function has queued something
//! ([`Outbox::wake`]) or when the next retry is due. Each message is claimed
//! before it is sent, so several instances sharing one PostgreSQL database
//! send it once. A failure is retried after 30 s, 1, 2, 4 … minutes; after
//! [`MAX_ATTEMPTS`] the message is kept as failed, with its error, for the
//! administrator.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, UpdateMany,
};
use tokio::sync::Notify;
use url::Url;

use super::templates::Email;
use crate::entities::email_outbox;
use crate::error::AppResult;

/// Tries before a message is given up as failed.
pub const MAX_ATTEMPTS: i32 = 6;
/// How long a worker may take to send one message before another may.
const CLAIM: TimeDelta = TimeDelta::minutes(2);
/// Messages sent per pass.
const BATCH: u64 = 20;

/// Queues `email`, in the caller's transaction. Call [`Outbox::wake`] after
/// the commit.
pub async fn enqueue(
    conn: &impl ConnectionTrait,
    email: &Email,
    now: DateTime<Utc>,
) -> AppResult<()> {
    enqueue_many(conn, std::slice::from_ref(email), now).await
}

/// Queues many emails in one INSERT, in the caller's transaction.
pub async fn enqueue_many(
    conn: &impl ConnectionTrait,
    emails: &[Email],
    now: DateTime<Utc>,
) -> AppResult<()> {
    if emails.is_empty() {
        return Ok(());
    }
    email_outbox::Entity::insert_many(emails.iter().map(|email| email_outbox::ActiveModel {
        recipient: Set(email.to.clone()),
        subject: Set(email.subject.clone()),
        text_body: Set(email.text.clone()),
        html_body: Set(email.html.clone()),
        created_at: Set(now),
        attempts: Set(0),
        next_attempt_at: Set(Some(now)),
        ..Default::default()
    }))
    .exec(conn)
    .await?;
    Ok(())
}

/// Wakes this instance's worker and knows the public address links are
/// built from; cheap to clone. Provided to server functions through context.
#[derive(Clone, Debug)]
pub struct Outbox {
    notify: Arc<Notify>,
    public_url: Arc<Url>,
}

impl Outbox {
    /// `public_url`: `ROSTER_PUBLIC_URL`, the base of every link in email.
    pub fn new(public_url: Url) -> Self {
        Outbox {
            notify: Arc::new(Notify::new()),
            public_url: Arc::new(public_url),
        }
    }

    pub fn public_url(&self) -> &Url {
        &self.public_url
    }

    /// The outbox the server provides to server functions.
    pub fn from_context() -> crate::error::AppResult<Self> {
        leptos::prelude::use_context::<Outbox>().ok_or_else(|| {
            tracing::error!("no outbox in the request context");
            crate::error::AppError::Internal
        })
    }

    /// Something was queued: send it now rather than at the next retry.
    pub fn wake(&self) {
        self.notify.notify_one();
    }
}

/// Where email goes.
#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `.eml` file per message, for reading without a mail server.
    Folder(PathBuf),
}

impl Mailer {
    /// SMTP at `smtp_url` (lettre's form: `smtp://user:pass@host:587?tls=required`
    /// for STARTTLS, `smtps://…` for TLS), or the folder when there is none.
    pub fn new(smtp_url: Option<&str>, folder: PathBuf) -> Result<Self, String> {
        match smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map(|builder| Mailer::Smtp(builder.timeout(Some(Duration::from_secs(20))).build()))
                .map_err(|e| format!("SMTP_URL cannot be used: {e}")),
            None => Ok(Mailer::Folder(folder)),
        }
    }

    async fn deliver(&self, from: &Mailbox, row: &email_outbox::Model) -> Result<(), String> {
        let to: Mailbox = row
            .recipient
            .parse()
            .map_err(|e| format!("the address {} is not usable: {e}", row.recipient))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(&row.subject)
            .multipart(MultiPart::alternative_plain_html(
                row.text_body.clone(),
                row.html_body.clone(),
            ))
            .map_err(|e| format!("the message cannot be built: {e}"))?;
        match self {
            Mailer::Smtp(transport) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("the mail server refused it: {e}")),
            Mailer::Folder(folder) => {
                let name = format!(
                    "{}-{:06}.eml",
                    row.created_at.format("%Y%m%dT%H%M%S"),
                    row.id
                );
                tokio::fs::create_dir_all(folder)
                    .await
                    .map_err(|e| format!("the outbox folder cannot be made: {e}"))?;
                tokio::fs::write(folder.join(name), message.formatted())
                    .await
                    .map_err(|e| format!("the outbox file cannot be written: {e}"))
            }
        }
    }
}

/// What one pass of the worker did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub sent: u64,
    pub retrying: u64,
    pub failed: u64,
}

/// Sends every message that is due now; returns what happened.
pub async fn send_due(
    db: &DatabaseConnection,
    mailer: &Mailer,
    from: &Mailbox,
    now: DateTime<Utc>,
) -> AppResult<Pass> {
    let mut pass = Pass::default();
    loop {
        let due = email_outbox::Entity::find()
            .filter(email_outbox::Column::NextAttemptAt.lte(now))
            .filter(unclaimed(now))
            .order_by_asc(email_outbox::Column::Id)
            .limit(BATCH)
            .all(db)
            .await?;
        if due.is_empty() {
            return Ok(pass);
        }
        for row in due {
            if !claim(db, row.id, now).await? {
                continue;
            }
            let outcome = mailer.deliver(from, &row).await;
            let attempts = row.attempts + 1;
            let mut update = email_outbox::Entity::update_many()
                .col_expr(email_outbox::Column::Attempts, Expr::value(attempts))
                .col_expr(
                    email_outbox::Column::ClaimedUntil,
                    Expr::value(None::<DateTime<Utc>>),
                )
                .filter(email_outbox::Column::Id.eq(row.id));
            match outcome {
                Ok(()) => {
                    tracing::info!(id = row.id, subject = %row.subject, "email sent");
                    pass.sent += 1;
                    update = update
                        .col_expr(email_outbox::Column::SentAt, Expr::value(Utc::now()))
                        .col_expr(
                            email_outbox::Column::NextAttemptAt,
                            Expr::value(None::<DateTime<Utc>>),
                        )
                        .col_expr(email_outbox::Column::LastError, Expr::value(None::<String>));
                }
                Err(error) if attempts >= MAX_ATTEMPTS => {
                    tracing::error!(id = row.id, %error, attempts, "email given up");
                    pass.failed += 1;
                    update = update
                        .col_expr(email_outbox::Column::FailedAt, Expr::value(Utc::now()))
                        .col_expr(
                            email_outbox::Column::NextAttemptAt,
                            Expr::value(None::<DateTime<Utc>>),
                        )
                        .col_expr(email_outbox::Column::LastError, Expr::value(error));
                }
                Err(error) => {
                    let pause = retry_pause(attempts);
                    tracing::warn!(id = row.id, %error, attempts, "email not sent; will retry");
                    pass.retrying += 1;
                    update = update
                        .col_expr(
                            email_outbox::Column::NextAttemptAt,
                            Expr::value(Utc::now() + pause),
                        )
                        .col_expr(email_outbox::Column::LastError, Expr::value(error));
                }
            }
            record(db, update, row.id).await;
        }
    }
}

/// Writes down what became of a message that was handed to the mail
/// server, trying until the database takes it. Giving up would let the
/// claim lapse and the message go out a second time; while the database is
/// away the worker waits here, and the message's claim keeps other
/// instances off it.
async fn record(db: &DatabaseConnection, update: UpdateMany<email_outbox::Entity>, id: i64) {
    let mut pause = Duration::from_millis(100);
    loop {
        match update.clone().exec(db).await {
            Ok(_) => return,
            Err(error) => {
                tracing::warn!(id, %error, "cannot record an email's outcome yet; retrying");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(2));
            }
        }
    }
}

/// 30 s after the first failure, then 1, 2, 4, 8 minutes.
fn retry_pause(attempts: i32) -> TimeDelta {
    TimeDelta::seconds(30) * 2i32.pow(attempts.clamp(1, 10) as u32 - 1)
}

fn unclaimed(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(email_outbox::Column::ClaimedUntil.is_null())
        .add(email_outbox::Column::ClaimedUntil.lt(now))
}

/// Takes message `id` for this worker; false when another has it.
async fn claim(db: &DatabaseConnection, id: i64, now: DateTime<Utc>) -> AppResult<bool> {
    let claimed = email_outbox::Entity::update_many()
        .col_expr(email_outbox::Column::ClaimedUntil, Expr::value(now + CLAIM))
        .filter(email_outbox::Column::Id.eq(id))
        .filter(unclaimed(now))
        .exec(db)
        .await?
        .rows_affected;
    Ok(claimed == 1)
}

/// When the next queued message is due, if any is.
async fn next_due(db: &DatabaseConnection) -> AppResult<Option<DateTime<Utc>>> {
    let next: Option<Option<DateTime<Utc>>> = email_outbox::Entity::find()
        .select_only()
        .column_as(email_outbox::Column::NextAttemptAt.min(), "next")
        .into_tuple()
        .one(db)
        .await?;
    Ok(next.flatten())
}

/// The worker: sends what is due, then sleeps until woken or the next retry
/// (at most a minute, which also picks up work queued by other instances).
/// While the database cannot be read it tries again every two seconds, so
/// mail queued before an outage leaves soon after the database is back.
pub async fn run(db: DatabaseConnection, mailer: Mailer, from: Mailbox, outbox: Outbox) {
    loop {
        let pass = send_due(&db, &mailer, &from, Utc::now()).await;
        if let Err(error) = &pass {
            tracing::error!(%error, "the outbox could not be read");
        }
        let next = match pass {
            Ok(_) => next_due(&db).await,
            Err(error) => Err(error),
        };
        let wait = match next {
            Ok(Some(due)) => (due - Utc::now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .min(Duration::from_secs(60)),
            Ok(None) => Duration::from_secs(60),
            Err(_) => Duration::from_secs(2),
        };
        tokio::select! {
            _ = outbox.notify.notified() => {}
            _ = tokio::time::sleep(wait.max(Duration::from_millis(50))) => {}
        }
    }
}

/// The page's view of the outbox: the newest 200 messages.
pub async fn list(db: &DatabaseConnection) -> AppResult<super::OutboxPageData> {
    use sea_orm::PaginatorTrait;
    let rows = email_outbox::Entity::find()
        .order_by_desc(email_outbox::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    let failed = email_outbox::Entity::find()
        .filter(email_outbox::Column::FailedAt.is_not_null())
        .count(db)
        .await?;
    let total = email_outbox::Entity::find().count(db).await?;
    let entries = rows
        .into_iter()
        .map(|row| {
            let error = row.last_error.clone().unwrap_or_default();
            let status = if row.sent_at.is_some() {
                "Sent".to_owned()
            } else if row.failed_at.is_some() {
                format!("Failed after {} tries: {error}", row.attempts)
            } else if row.attempts > 0 {
                format!("Will retry (tried {} times): {error}", row.attempts)
            } else {
                "Waiting to be sent".to_owned()
            };
            super::OutboxEntry {
                id: row.id,
                recipient: row.recipient,
                subject: row.subject,
                queued_at: row.created_at.format("%m-%d-%Y %H:%M").to_string(),
                status,
                failed: row.failed_at.is_some(),
                links: links_in(&row.text_body),
                text: row.text_body,
            }
        })
        .collect();
    Ok(super::OutboxPageData {
        entries,
        failed,
        total,
    })
}

/// The http(s) addresses in a plain-text message.
fn links_in(text: &str) -> Vec<String> {
    let mut links: Vec<String> = text
        .split_whitespace()
        .filter(|word| word.starts_with("http://") || word.starts_with("https://"))
        .map(str::to_owned)
        .collect();
    links.dedup();
    links
}

/// Queues a failed message again, with a fresh count of tries.
pub async fn retry(db: &DatabaseConnection, id: i64, now: DateTime<Utc>) -> AppResult<()> {
    let queued = email_outbox::Entity::update_many()
        .col_expr(
            email_outbox::Column::FailedAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(email_outbox::Column::Attempts, Expr::value(0))
        .col_expr(email_outbox::Column::NextAttemptAt, Expr::value(now))
        .filter(email_outbox::Column::Id.eq(id))
        .filter(email_outbox::Column::FailedAt.is_not_null())
        .exec(db)
        .await?;
    if queued.rows_affected == 0 {
        return Err(crate::error::AppError::NotFound);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_pause_longer_each_time() {
        assert_eq!(retry_pause(1), TimeDelta::seconds(30));
        assert_eq!(retry_pause(2), TimeDelta::seconds(60));
        assert_eq!(retry_pause(5), TimeDelta::seconds(480));
    }
}
