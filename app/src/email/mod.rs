//! Email: what Roster sends (`templates`) and how it gets there (`outbox`).
//!
//! A message is written to the `email_outbox` table in the transaction of
//! whatever it tells of, then a worker sends it off the request path: over
//! SMTP when `SMTP_URL` is set, otherwise as an `.eml` file in the outbox
//! folder, so Roster runs with no mail server. Failures are retried with a
//! growing pause and, after the last try, kept with their error.

#[cfg(feature = "ssr")]
pub mod outbox;
#[cfg(feature = "ssr")]
pub mod templates;

/// The product's name, as every email shows it.
pub const PRODUCT_NAME: &str = "Roster";

mod ui;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub use ui::OutboxPage;

/// One message in the outbox, as its page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub queued_at: String,
    /// "Sent", "Waiting to be sent", "Will retry: …", "Failed: …".
    pub status: String,
    pub failed: bool,
    pub text: String,
    /// The links in the message, to open without a mail program.
    pub links: Vec<String>,
}

/// The newest messages, newest first, and how many have failed in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxPageData {
    pub entries: Vec<OutboxEntry>,
    pub failed: u64,
    pub total: u64,
}

#[server(name = ListOutbox, prefix = "/api", endpoint = "list_outbox")]
pub async fn list_outbox() -> Result<OutboxPageData, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::authorized;
    authorized(Permission::ViewOutbox, |call| async move {
        outbox::list(&call.db).await
    })
    .await
}

/// Sends a failed message again.
#[server(name = RetryEmail, prefix = "/api", endpoint = "retry_email")]
pub async fn retry_email(id: i64) -> Result<(), AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::authorized;
    use crate::effects::AfterCommit;
    authorized(Permission::ViewOutbox, |call| async move {
        // Refused before anything changes if the server provides no outbox.
        outbox::Outbox::from_context()?;
        outbox::retry(&call.db, id, chrono::Utc::now()).await?;
        AfterCommit::none().email_queued().apply().await;
        Ok(())
    })
    .await
}
