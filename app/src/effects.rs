//! What a change tells the rest of the system once its transaction has
//! committed: live events for open tabs and instances, and a nudge to the
//! outbox's sender. Services return an [`AfterCommit`] with their result
//! instead of reaching for the hub or the outbox themselves, so a rolled-back
//! change announces nothing, and [`AfterCommit::apply`] is the one place
//! where the announcements are made. Server-only.

use crate::email::outbox::Outbox;
use crate::live::hub::{HubEvent, LiveHub};

/// Announcements owed once a transaction has committed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
#[must_use = "apply it once the transaction has committed"]
pub struct AfterCommit {
    pub events: Vec<HubEvent>,
    /// Users whose presence (signed in since, last activity) changed. Only
    /// their ids: the presence is read when announced, so it is the
    /// committed one.
    pub presence_of: Vec<i64>,
    /// Messages stored with their recipients, to deliver to their tabs.
    pub messages_sent: Vec<i64>,
    /// Email was queued: send it now rather than at the next check.
    pub wake_outbox: bool,
}

impl AfterCommit {
    /// Nothing to announce.
    pub fn none() -> Self {
        Self::default()
    }

    /// Adds a live event.
    pub fn event(mut self, event: HubEvent) -> Self {
        if !self.events.contains(&event) {
            self.events.push(event);
        }
        self
    }

    /// Sessions ended: their tabs go to the sign-in page.
    pub fn sessions_ended(self) -> Self {
        self.event(HubEvent::SessionsEnded)
    }

    /// Sessions of these users ended (sign-out, revocation): their tabs go
    /// to the sign-in page, and whoever watches the Users table sees their
    /// presence change.
    pub fn sessions_ended_of(mut self, user_ids: &[i64]) -> Self {
        self = self.sessions_ended();
        for &user_id in user_ids {
            self = self.presence_changed(user_id);
        }
        self
    }

    /// A user signed in or out: watchers of the Users table see it.
    pub fn presence_changed(mut self, user_id: i64) -> Self {
        if !self.presence_of.contains(&user_id) {
            self.presence_of.push(user_id);
        }
        self
    }

    /// Users changed: open Users tables show them anew.
    pub fn users_changed(self) -> Self {
        self.event(HubEvent::UsersChanged)
    }

    /// A message was stored with its recipients: deliver it.
    pub fn message_sent(mut self, message_id: i64) -> Self {
        if !self.messages_sent.contains(&message_id) {
            self.messages_sent.push(message_id);
        }
        self
    }

    /// Email was queued.
    pub fn email_queued(mut self) -> Self {
        self.wake_outbox = true;
        self
    }

    /// Makes the announcements through this request's hub and outbox.
    /// Outside a request (the command line) there is no hub, and nothing is
    /// published.
    pub async fn apply(self) {
        // Looked up only when needed: a missing outbox is logged as an error.
        let outbox = if self.wake_outbox {
            Outbox::from_context().ok()
        } else {
            None
        };
        let hub = if self.has_live_news() {
            LiveHub::from_context()
        } else {
            None
        };
        self.apply_to(hub.as_ref(), outbox.as_ref()).await;
    }

    /// Makes the announcements through `hub` and `outbox`, for work spawned
    /// off the request, which no longer sees the request's context.
    /// Sessions ended are published before the presence they change, as
    /// the hub's own `sessions_ended` does.
    pub async fn apply_to(self, hub: Option<&LiveHub>, outbox: Option<&Outbox>) {
        if self.wake_outbox
            && let Some(outbox) = outbox
        {
            outbox.wake();
        }
        let Some(hub) = hub else {
            return;
        };
        for event in self.events {
            hub.publish(event).await;
        }
        for user_id in self.presence_of {
            hub.presence_changed(user_id).await;
        }
        for message_id in self.messages_sent {
            hub.message_sent(message_id).await;
        }
    }

    /// Whether any of it is for the live hub.
    fn has_live_news(&self) -> bool {
        !(self.events.is_empty() && self.presence_of.is_empty() && self.messages_sent.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_are_made_once_each() {
        let after = AfterCommit::none()
            .sessions_ended_of(&[7])
            .users_changed()
            .sessions_ended_of(&[7, 8])
            .email_queued();
        assert_eq!(
            after.events,
            vec![HubEvent::SessionsEnded, HubEvent::UsersChanged]
        );
        assert_eq!(after.presence_of, vec![7, 8]);
        assert!(after.wake_outbox);
    }
}
