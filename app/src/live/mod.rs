//! Live updates: one WebSocket per signed-in tab (`GET /live`), over which
//! the server pushes, as JSON text frames of [`LiveEvent`],
//! - messages from administrators (shown as green toasts),
//! - the end of the tab's session (the tab goes to `/login` saying why),
//! - presence changes, to administrators who can see the Users table.
//!
//! Everything flows one way: requests still go through server functions.
//! A WebSocket rather than Server-Sent Events because of what an open
//! connection costs the server (see `server/src/live.rs`): the handshake is
//! an ordinary GET, so the middleware that guards every request guards it
//! too, and the session cookie authenticates it.

mod client;
#[cfg(feature = "ssr")]
pub mod hub;
pub mod message;
#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};

use crate::auth::SessionEndReason;

pub use client::{LiveConnection, LivePresence, provide_live_presence, use_live_presence};
pub use message::{MAX_MESSAGE_LEN, MessageBody, MessageDialog, Recipients, SendMessage};

/// The name of each kind of [`LiveEvent`] (logs and tests).
pub const EVENT_MESSAGE: &str = "message";
pub const EVENT_SIGNED_OUT: &str = "signed_out";
pub const EVENT_PRESENCE: &str = "presence";
pub const EVENT_USERS_CHANGED: &str = "users_changed";
pub const EVENT_ACCESS_CHANGED: &str = "access_changed";

/// What the server pushes to a tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LiveEvent {
    /// A message from an administrator.
    Message(LiveMessage),
    /// The tab's session has ended; `reason` is the sign-in page's `reason`.
    SignedOut { reason: String },
    /// One user's presence changed (administrators' Users table).
    Presence(PresenceUpdate),
    /// Many users changed at once (a bulk action): reload the table.
    UsersChanged,
    /// This tab's user's permissions changed (their roles, or a role they
    /// have): reload who they are, so navigation and buttons follow.
    AccessChanged,
}

impl LiveEvent {
    pub fn name(&self) -> &'static str {
        match self {
            LiveEvent::Message(_) => EVENT_MESSAGE,
            LiveEvent::SignedOut { .. } => EVENT_SIGNED_OUT,
            LiveEvent::Presence(_) => EVENT_PRESENCE,
            LiveEvent::UsersChanged => EVENT_USERS_CHANGED,
            LiveEvent::AccessChanged => EVENT_ACCESS_CHANGED,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveMessage {
    pub id: i64,
    pub sender_name: String,
    /// "HH:MM UTC" when it was sent.
    pub sent_at: String,
    /// Plain text; shown as text, never as HTML.
    pub body: String,
}

impl LiveMessage {
    pub fn heading(&self) -> String {
        format!("From {} at {}", self.sender_name, self.sent_at)
    }
}

/// A user's presence as the Users table shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceUpdate {
    pub user_id: i64,
    /// Start of the earliest open session, in Unix seconds; None: signed out.
    pub signed_in_since: Option<i64>,
    /// Last Activity as the table shows it (MM-DD-YYYY HH:MM).
    pub last_activity: Option<String>,
}

/// Why a tab was signed out, from a session's `revoked_reason`, as the
/// sign-in page's `reason` parameter: the stored key itself, so the page
/// names the real reason. A missing or unknown one (written by another
/// release) gets the generic [`SessionEndReason::Ended`].
pub fn sign_in_reason(revoked_reason: Option<&str>) -> &'static str {
    revoked_reason
        .and_then(SessionEndReason::from_key)
        .unwrap_or(SessionEndReason::Ended)
        .key()
}
