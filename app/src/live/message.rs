//! "Send Message to User(s)" and "Send Message to All Logged In Users": the
//! message's rules, the server function, and the dialog that writes one.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::{ConfirmDialog, ToastKind, use_toasts};
use crate::directory::Selection;
use crate::domain::FormField;
use crate::error::AppError;

/// Longest message, in characters.
pub const MAX_MESSAGE_LEN: usize = 1_000;

/// A message's text: not blank, at most [`MAX_MESSAGE_LEN`] characters,
/// surrounding whitespace removed. Plain text; never read as HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageBody(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageBodyError {
    #[error("Write a message first.")]
    Empty,
    #[error("A message can be at most {MAX_MESSAGE_LEN} characters; this one has {0}.")]
    TooLong(usize),
}

impl MessageBody {
    pub fn parse(text: &str) -> Result<Self, MessageBodyError> {
        let text = text.trim();
        let length = text.chars().count();
        if length == 0 {
            Err(MessageBodyError::Empty)
        } else if length > MAX_MESSAGE_LEN {
            Err(MessageBodyError::TooLong(length))
        } else {
            Ok(MessageBody(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who a message goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Recipients {
    /// Users selected in the table (offline ones see it at their next
    /// sign-in).
    Selected(Selection),
    /// Everyone signed in now, except the sender.
    SignedIn,
}

/// What sending a message did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MessageOutcome {
    pub recipients: u64,
    /// Recipients with at least one open tab that showed it.
    pub reached_users: u64,
    pub tabs: u64,
    pub broadcast: bool,
}

impl MessageOutcome {
    /// "Message sent to 3 users: 2 received it in 3 tabs; 1 will see it at
    /// their next sign-in."
    pub fn message(&self) -> String {
        let users = |n: u64| {
            if n == 1 {
                "1 user".to_owned()
            } else {
                format!("{n} users")
            }
        };
        let tabs = |n: u64| {
            if n == 1 {
                "1 tab".to_owned()
            } else {
                format!("{n} tabs")
            }
        };
        if self.recipients == 0 {
            return if self.broadcast {
                "No one else is signed in; the message was not sent.".to_owned()
            } else {
                "None of the selected users can receive messages.".to_owned()
            };
        }
        let mut text = format!(
            "Message sent to {}: {} received it in {}",
            users(self.recipients),
            self.reached_users,
            tabs(self.tabs)
        );
        let later = self.recipients.saturating_sub(self.reached_users);
        if later > 0 {
            text.push_str(&format!("; {later} will see it when they next open Roster"));
        }
        text.push('.');
        text
    }
}

/// Sends a message to the selected users, or to everyone signed in.
#[server(name = SendMessage, prefix = "/api", endpoint = "send_message", input = server_fn::codec::Json)]
pub async fn send_message(
    recipients: Recipients,
    body: String,
) -> Result<MessageOutcome, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::{authorized, request_context};
    use crate::effects::AfterCommit;
    use crate::live::hub::LiveHub;
    authorized(Permission::SendMessages, |call| async move {
        let body = MessageBody::parse(&body)
            .map_err(|e| AppError::validation(FormField::MessageBody, e))?;
        // Checked before the message is stored: without the hub it could not
        // be delivered live.
        let hub = LiveHub::from_context().ok_or(AppError::Internal)?;
        let stored = super::service::store_message(
            &call.db,
            &request_context().actor(),
            &call.caller.name,
            &recipients,
            &body,
            chrono::Utc::now(),
        )
        .await?;
        if stored.recipients > 0 {
            AfterCommit::none()
                .message_sent(stored.message_id)
                .apply()
                .await;
            if hub.is_shared() {
                // Other instances deliver to their tabs and record it;
                // give them a moment so the result can count them.
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
        }
        Ok(super::service::outcome(
            &call.db,
            stored.message_id,
            stored.recipients,
            matches!(recipients, Recipients::SignedIn),
        )
        .await?)
    })
    .await
}

/// The dialog that writes a message: a text area with the length shown,
/// empty and overlong text refused here and again on the server.
#[component]
pub fn MessageDialog(
    /// Who it goes to, as the dialog says it ("3 users", "all signed-in users").
    whom: String,
    recipients: Recipients,
    /// Called when the dialog closes (sent or cancelled).
    on_close: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let send = ServerAction::<SendMessage>::new();
    Effect::new(move |_| {
        if let Some(result) = send.value().get() {
            match result {
                Ok(outcome) => {
                    toasts.show(ToastKind::Success, outcome.message());
                    on_close.run(());
                }
                Err(e) if e.form_field() == Some(FormField::MessageBody) => {
                    error.set(Some(e.to_string()))
                }
                Err(e) => {
                    toasts.show(ToastKind::Error, e.to_string());
                    on_close.run(());
                }
            }
        }
    });
    let length = move || text.with(|t| t.trim().chars().count());
    let title = match &recipients {
        Recipients::SignedIn => "Send Message to All Logged In Users",
        Recipients::Selected(_) => "Send Message to User(s)",
    };
    let confirm = move |_| match MessageBody::parse(&text.get_untracked()) {
        Ok(body) => {
            error.set(None);
            send.dispatch(SendMessage {
                recipients: recipients.clone(),
                body: body.as_str().to_owned(),
            });
        }
        Err(e) => error.set(Some(e.to_string())),
    };
    view! {
        <ConfirmDialog
            title=title.to_owned()
            message=format!("To {whom}. They see it at once in a green box at the top right; users away see it when they next open Roster.")
            confirm_label="Send".to_owned()
            pending=send.pending()
            working="Sending…".to_owned()
            on_confirm=Callback::new(confirm)
            on_cancel=on_close
        >
            <div class="field" class:field-invalid=move || error.get().is_some()>
                <label for="message-body">"Message"</label>
                <textarea
                    id="message-body"
                    rows="5"
                    maxlength=MAX_MESSAGE_LEN
                    aria-describedby="message-body-count message-body-error"
                    aria-invalid=move || error.get().is_some().then_some("true")
                    on:input=move |ev| {
                        text.set(event_target_value(&ev));
                        error.set(None);
                    }
                ></textarea>
                <p class="field-hint" id="message-body-count">
                    {move || format!("{} / {MAX_MESSAGE_LEN} characters", length())}
                </p>
                {move || error.get().map(|e| view! { <p class="field-error" id="message-body-error">{e}</p> })}
            </div>
        </ConfirmDialog>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_not_blank_and_not_too_long() {
        assert_eq!(MessageBody::parse("  \n "), Err(MessageBodyError::Empty));
        assert_eq!(MessageBody::parse(" hi ").unwrap().as_str(), "hi");
        let long = "é".repeat(MAX_MESSAGE_LEN + 1);
        assert_eq!(
            MessageBody::parse(&long),
            Err(MessageBodyError::TooLong(MAX_MESSAGE_LEN + 1))
        );
        assert!(MessageBody::parse(&"é".repeat(MAX_MESSAGE_LEN)).is_ok());
    }

    #[test]
    fn the_result_says_who_got_it_now_and_who_later() {
        let outcome = MessageOutcome {
            recipients: 3,
            reached_users: 2,
            tabs: 3,
            broadcast: false,
        };
        assert_eq!(
            outcome.message(),
            "Message sent to 3 users: 2 received it in 3 tabs; 1 will see it when they next open Roster."
        );
    }
}
