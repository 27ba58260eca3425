//! The live hub of one server instance: its open live connections (one per
//! signed-in tab) and the signals that reach them.
//!
//! A [`HubEvent`] says that something happened ("message 12 was sent",
//! "sessions were ended", "user 7 signed in"). On PostgreSQL it is sent with
//! `NOTIFY`, so every instance sharing the database, this one included,
//! receives it on its `LISTEN` connection and acts for its own connections;
//! on SQLite (one instance) it is handled in-process. Signals carry ids, not
//! data: each instance reads what it needs from the database, so a payload
//! stays far below NOTIFY's 8,000 bytes whatever was sent.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, Statement,
};

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::{LiveEvent, PresenceUpdate, sign_in_reason};
use crate::auth::SessionEndReason;
use crate::auth::settings::AuthSettings;
use crate::domain::table_time;
use crate::entities::{session, user};

/// The PostgreSQL channel signals travel on.
pub const CHANNEL: &str = "roster_live";

/// Events waiting for a slow tab; past this the tab misses them (a message
/// stays in the database and the tab reconnects).
const QUEUE: usize = 16;

/// Something that happened, for every instance to act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HubEvent {
    /// A message was stored with its recipients: deliver it to their tabs.
    /// The instance it came from (`origin`) has delivered it already.
    MessageSent { message_id: i64, origin: u64 },
    /// Sessions were ended: close the connections whose session is over.
    SessionsEnded,
    /// One user's presence changed.
    Presence(PresenceUpdate),
    /// Many users changed (a bulk action).
    UsersChanged,
    /// A role's permissions changed, or users moved into it: its holders'
    /// tabs learn their new permissions.
    RoleChanged { role_id: i64 },
    /// One user's roles changed.
    UserAccessChanged { user_id: i64 },
}

/// One event, serialised once for however many tabs receive it.
#[derive(Debug)]
pub struct Outgoing {
    /// The event as JSON, the socket's text frame.
    pub data: String,
    /// The connection ends after this event.
    pub last: bool,
}

impl Outgoing {
    pub fn new(event: &LiveEvent) -> Arc<Self> {
        Arc::new(Outgoing {
            data: serde_json::to_string(event).unwrap_or_default(),
            last: matches!(event, LiveEvent::SignedOut { .. }),
        })
    }
}

struct Connection {
    user_id: i64,
    session_id: i64,
    /// Receives presence updates (may view the Users table).
    sees_presence: bool,
    sender: mpsc::Sender<Arc<Outgoing>>,
    /// The latest messages this tab was sent. A message sent while the tab
    /// connects reaches it both live and as "undelivered"; it shows once.
    shown: Vec<i64>,
}

/// How many message ids a connection remembers for telling repeats apart.
const SHOWN: usize = 8;

impl Connection {
    /// Queues message `message_id` unless this tab has it already; whether
    /// it was queued.
    fn offer_message(&mut self, message_id: i64, outgoing: &Arc<Outgoing>) -> bool {
        if self.shown.contains(&message_id) || self.sender.try_send(outgoing.clone()).is_err() {
            return false;
        }
        if self.shown.len() == SHOWN {
            self.shown.remove(0);
        }
        self.shown.push(message_id);
        true
    }
}

#[derive(Clone)]
pub struct LiveHub {
    inner: Arc<Inner>,
}

struct Inner {
    db: DatabaseConnection,
    settings: AuthSettings,
    connections: Mutex<HashMap<u64, Connection>>,
    next_id: AtomicU64,
    /// This instance, among those sharing the database.
    instance: u64,
}

/// A tab's connection, registered while this value lives.
pub struct Subscription {
    pub receiver: mpsc::Receiver<Arc<Outgoing>>,
    id: u64,
    hub: LiveHub,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.lock().remove(&self.id);
    }
}

/// The sign-in page's `reason` for an account that may no longer sign in.
fn refusal_reason(refusal: crate::auth::signin::RefusalReason) -> &'static str {
    use crate::auth::signin::RefusalReason;
    match refusal {
        RefusalReason::Locked => SessionEndReason::Locked,
        RefusalReason::Suspended => SessionEndReason::Suspended,
        RefusalReason::Deleted => SessionEndReason::Deleted,
        RefusalReason::Inactive => SessionEndReason::Deactivated,
        _ => SessionEndReason::Ended,
    }
    .key()
}

/// What delivering a message reached on this instance.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reached {
    pub users: u64,
    pub tabs: u64,
}

impl LiveHub {
    pub fn new(db: DatabaseConnection, settings: AuthSettings) -> Self {
        LiveHub {
            inner: Arc::new(Inner {
                db,
                settings,
                connections: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(1),
                instance: rand::random(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Connection>> {
        // A panic while holding the lock leaves the map usable.
        self.inner
            .connections
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether signals go through PostgreSQL to every instance.
    pub fn is_shared(&self) -> bool {
        self.inner.db.get_database_backend() == DbBackend::Postgres
    }

    /// Registers a tab of `session_id`.
    pub fn connect(&self, user_id: i64, session_id: i64, sees_presence: bool) -> Subscription {
        let (sender, receiver) = mpsc::channel(QUEUE);
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(
            id,
            Connection {
                user_id,
                session_id,
                sees_presence,
                sender,
                shown: Vec::new(),
            },
        );
        Subscription {
            receiver,
            id,
            hub: self.clone(),
        }
    }

    /// Ends every live stream (the server is shutting down).
    pub fn close_all(&self) {
        self.lock().clear();
    }

    /// The hub of the server handling this request.
    pub fn from_context() -> Option<LiveHub> {
        leptos::prelude::use_context::<LiveHub>()
    }

    /// Open connections on this instance.
    pub fn connection_count(&self) -> usize {
        self.lock().len()
    }

    /// Tells every instance (this one included) about `signal`. Call it
    /// after the transaction that made the change has committed.
    pub async fn publish(&self, signal: HubEvent) {
        if self.is_shared() {
            let payload = match serde_json::to_string(&signal) {
                Ok(payload) => payload,
                Err(error) => {
                    tracing::error!(%error, "cannot encode a live signal");
                    return;
                }
            };
            let notify = Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), payload.into()],
            );
            if let Err(error) = self.inner.db.execute_raw(notify).await {
                // The change itself is saved; open tabs learn of it at their
                // next request or the next minute's check.
                tracing::error!(%error, "cannot send a live signal");
            }
        } else {
            self.handle(signal).await;
        }
    }

    /// Acts on a signal for this instance's connections.
    pub async fn handle(&self, signal: HubEvent) {
        let result = match signal {
            HubEvent::MessageSent { origin, .. } if origin == self.inner.instance => Ok(()),
            HubEvent::MessageSent { message_id, .. } => {
                self.deliver_message(message_id).await.map(drop)
            }
            HubEvent::SessionsEnded => self.close_ended_sessions().await,
            HubEvent::Presence(update) => {
                self.to_presence_watchers(&LiveEvent::Presence(update));
                Ok(())
            }
            HubEvent::UsersChanged => {
                self.to_presence_watchers(&LiveEvent::UsersChanged);
                Ok(())
            }
            HubEvent::RoleChanged { role_id } => self.role_changed(role_id).await,
            HubEvent::UserAccessChanged { user_id } => self.access_changed(&[user_id]).await,
        };
        if let Err(error) = result {
            tracing::error!(%error, "live signal not handled");
        }
    }

    /// Delivers a message just stored: here at once, then to the other
    /// instances. Returns what it reached here.
    pub async fn message_sent(&self, message_id: i64) -> Reached {
        let reached = match self.deliver_message(message_id).await {
            Ok(reached) => reached,
            Err(error) => {
                tracing::error!(%error, "message not delivered");
                Reached::default()
            }
        };
        if self.is_shared() {
            self.publish(HubEvent::MessageSent {
                message_id,
                origin: self.inner.instance,
            })
            .await;
        }
        reached
    }

    /// Shows a user the messages none of their tabs has shown yet (sent
    /// while they were away); called when a tab connects.
    pub async fn deliver_undelivered(&self, user_id: i64) -> Result<(), sea_orm::DbErr> {
        for message in super::service::undelivered(&self.inner.db, user_id).await? {
            let message_id = message.id;
            // Claimed first: two tabs connecting at once show it once.
            if !super::service::claim_delivery(&self.inner.db, message_id, user_id, Utc::now())
                .await?
            {
                continue;
            }
            let outgoing = Outgoing::new(&LiveEvent::Message(message));
            let mut tabs: u32 = 0;
            for connection in self.lock().values_mut() {
                if connection.user_id == user_id && connection.offer_message(message_id, &outgoing)
                {
                    tabs += 1;
                }
            }
            let tabs_of = HashMap::from([(user_id, i32::try_from(tabs).unwrap_or(i32::MAX))]);
            super::service::record_delivery(&self.inner.db, message_id, &tabs_of, Utc::now())
                .await?;
        }
        Ok(())
    }

    fn to_presence_watchers(&self, event: &LiveEvent) {
        let outgoing = Outgoing::new(event);
        for connection in self.lock().values().filter(|c| c.sees_presence) {
            // A full queue means a stalled tab; it reloads the table later.
            let _ = connection.sender.try_send(outgoing.clone());
        }
    }

    /// The distinct `key` (user or session id) of the connections here,
    /// sorted.
    fn connected(&self, key: impl Fn(&Connection) -> i64) -> Vec<i64> {
        let mut ids: Vec<i64> = self.lock().values().map(key).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Delivers a stored message to the tabs of its recipients connected
    /// here, and records who got it in how many tabs.
    pub async fn deliver_message(&self, message_id: i64) -> Result<Reached, sea_orm::DbErr> {
        let connected = self.connected(|c| c.user_id);
        if connected.is_empty() {
            return Ok(Reached::default());
        }
        let Some((message, recipients)) =
            super::service::recipients_among(&self.inner.db, message_id, &connected).await?
        else {
            return Ok(Reached::default());
        };
        let outgoing = Outgoing::new(&LiveEvent::Message(message));
        let mut tabs_of: HashMap<i64, i32> = HashMap::new();
        {
            let mut connections = self.lock();
            for connection in connections.values_mut() {
                if recipients.binary_search(&connection.user_id).is_ok()
                    && connection.offer_message(message_id, &outgoing)
                {
                    *tabs_of.entry(connection.user_id).or_default() += 1;
                }
            }
        }
        let reached = Reached {
            users: tabs_of.len() as u64,
            tabs: tabs_of.values().map(|&t| t as u64).sum(),
        };
        super::service::record_delivery(&self.inner.db, message_id, &tabs_of, Utc::now()).await?;
        Ok(reached)
    }

    /// Ends the connections whose session is over (revoked, expired, or its
    /// user blocked), telling each tab why. One query for all of them.
    pub async fn close_ended_sessions(&self) -> Result<(), sea_orm::DbErr> {
        let connected = self.connected(|c| c.session_id);
        if connected.is_empty() {
            return Ok(());
        }
        let now = Utc::now();
        let idle = crate::auth::service::delta(self.inner.settings.idle_timeout);
        let mut ended: HashMap<i64, &'static str> = HashMap::new();
        for chunk in connected.chunks(10_000) {
            let rows = session::Entity::find()
                .filter(session::Column::Id.is_in(chunk.to_vec()))
                .find_also_related(user::Entity)
                .all(&self.inner.db)
                .await?;
            let mut found = std::collections::HashSet::new();
            // Open impersonations, by their administrator's session.
            let mut bound: Vec<(i64, i64)> = Vec::new();
            for (session, account) in rows {
                found.insert(session.id);
                let refusal = account
                    .as_ref()
                    .and_then(|a| crate::auth::service::standing_refusal(a, now));
                let impersonation = session.impersonator_session_id.is_some();
                let reason = if session.revoked_at.is_some() {
                    Some(sign_in_reason(session.revoked_reason.as_deref()))
                } else if let Some(refusal) = refusal {
                    Some(refusal_reason(refusal))
                } else if impersonation && session.expires_at <= now {
                    Some(SessionEndReason::ImpersonationExpired.key())
                } else if account.is_none()
                    || session.expires_at <= now
                    || session.last_seen_at <= now - idle
                {
                    Some(SessionEndReason::Ended.key())
                } else {
                    None
                };
                match (reason, session.impersonator_session_id) {
                    (Some(reason), _) => {
                        ended.insert(session.id, reason);
                    }
                    (None, Some(parent)) => bound.push((session.id, parent)),
                    (None, None) => {}
                }
            }
            // An impersonation ends, live, with its administrator's session.
            for (session_id, parent) in bound {
                if crate::auth::service::live_impersonator(
                    &self.inner.db,
                    &self.inner.settings,
                    parent,
                    now,
                )
                .await?
                .is_none()
                {
                    ended.insert(session_id, SessionEndReason::ImpersonatorSessionEnded.key());
                }
            }
            // A session that no longer exists has ended too.
            for id in chunk.iter().filter(|id| !found.contains(id)) {
                ended.insert(*id, SessionEndReason::Ended.key());
            }
        }
        if ended.is_empty() {
            return Ok(());
        }
        let mut connections = self.lock();
        connections.retain(|_, connection| match ended.get(&connection.session_id) {
            Some(reason) => {
                let event = LiveEvent::SignedOut {
                    reason: (*reason).to_owned(),
                };
                // Dropping the sender after this ends the stream.
                let _ = connection.sender.try_send(Outgoing::new(&event));
                false
            }
            None => true,
        });
        Ok(())
    }

    /// Tells the connected holders of `role_id` that their access changed.
    async fn role_changed(&self, role_id: i64) -> Result<(), sea_orm::DbErr> {
        let connected = self.connected(|c| c.user_id);
        let mut holders = Vec::new();
        for chunk in connected.chunks(10_000) {
            let found: Vec<i64> = crate::entities::user_role::Entity::find()
                .select_only()
                .column(crate::entities::user_role::Column::UserId)
                .filter(crate::entities::user_role::Column::RoleId.eq(role_id))
                .filter(crate::entities::user_role::Column::UserId.is_in(chunk.to_vec()))
                .into_tuple()
                .all(&self.inner.db)
                .await?;
            holders.extend(found);
        }
        self.access_changed(&holders).await
    }

    /// The tabs of `user_ids` connected here learn that their permissions
    /// changed (they reload who they are), and whether they still receive
    /// presence updates follows their new permissions.
    async fn access_changed(&self, user_ids: &[i64]) -> Result<(), sea_orm::DbErr> {
        let outgoing = Outgoing::new(&LiveEvent::AccessChanged);
        for &user_id in user_ids {
            if !self.lock().values().any(|c| c.user_id == user_id) {
                continue;
            }
            let permissions = crate::auth::service::permissions_of(&self.inner.db, user_id).await?;
            let sees_presence = permissions.contains(&crate::auth::Permission::ViewUsers);
            for connection in self.lock().values_mut().filter(|c| c.user_id == user_id) {
                connection.sees_presence = sees_presence;
                let _ = connection.sender.try_send(outgoing.clone());
            }
        }
        Ok(())
    }

    /// The presence of one user as the table shows it.
    pub async fn presence_of(
        &self,
        user_id: i64,
    ) -> Result<Option<PresenceUpdate>, sea_orm::DbErr> {
        type Moment = Option<chrono::DateTime<Utc>>;
        let found: Option<(Moment, Moment)> = user::Entity::find_by_id(user_id)
            .select_only()
            .column(user::Column::SignedInSince)
            .column(user::Column::LastActivityAt)
            .into_tuple()
            .one(&self.inner.db)
            .await?;
        Ok(found.map(|(since, activity)| PresenceUpdate {
            user_id,
            signed_in_since: since.map(|s| s.timestamp()),
            last_activity: activity.map(table_time),
        }))
    }

    /// After sessions of these users ended (sign-out, revocation): their
    /// open tabs are closed, and watchers see their presence.
    pub async fn sessions_ended(&self, user_ids: &[i64]) {
        self.publish(HubEvent::SessionsEnded).await;
        for &user_id in user_ids {
            self.presence_changed(user_id).await;
        }
    }

    /// Publishes `user_id`'s current presence.
    pub async fn presence_changed(&self, user_id: i64) {
        match self.presence_of(user_id).await {
            Ok(Some(update)) => self.publish(HubEvent::Presence(update)).await,
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "cannot read presence"),
        }
    }

    /// Follows the PostgreSQL channel until the process ends: every signal
    /// any instance publishes arrives here. After a lost connection the
    /// listener reconnects and re-checks sessions, since signals sent in
    /// between are gone.
    pub async fn listen(self) {
        use sea_orm::sqlx::postgres::PgListener;
        let pool = self.inner.db.get_postgres_connection_pool().clone();
        loop {
            let mut listener = match PgListener::connect_with(&pool).await {
                Ok(listener) => listener,
                Err(error) => {
                    tracing::error!(%error, "live: cannot connect the LISTEN connection");
                    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    continue;
                }
            };
            if let Err(error) = listener.listen(CHANNEL).await {
                tracing::error!(%error, "live: LISTEN failed");
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                continue;
            }
            tracing::info!(channel = CHANNEL, "live: listening");
            self.handle(HubEvent::SessionsEnded).await;
            loop {
                match listener.try_recv().await {
                    Ok(Some(notification)) => {
                        match serde_json::from_str::<HubEvent>(notification.payload()) {
                            Ok(signal) => {
                                // Handled concurrently: a slow query for one
                                // signal does not hold up the next.
                                let hub = self.clone();
                                tokio::spawn(async move { hub.handle(signal).await });
                            }
                            Err(error) => tracing::warn!(%error, "live: unreadable signal"),
                        }
                    }
                    Ok(None) => {
                        tracing::warn!("live: LISTEN connection lost; reconnecting");
                        self.handle(HubEvent::SessionsEnded).await;
                    }
                    Err(error) => {
                        tracing::error!(%error, "live: LISTEN failed");
                        break;
                    }
                }
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }
}
