//! The browser's end of the live connection: an `EventSource` on `/live`
//! while someone is signed in. Messages become green toasts; the end of the
//! session sends the tab to `/login` with the reason; presence updates feed
//! the Users table.
//!
//! The browser retries a dropped connection by itself (every 2 s, as the
//! server's `retry:` says). When the server refuses it outright (the
//! session is over, or the server is away), the connection is closed for
//! good; then this module asks who is signed in and either goes to the
//! sign-in page or tries again after 1, 2, 4 … 30 seconds.

use std::collections::HashMap;

use leptos::prelude::*;

use super::PresenceUpdate;

/// What the live connection tells the page about other users' presence.
#[derive(Clone, Copy)]
pub struct LivePresence {
    /// The latest presence of users it was told about, by id.
    pub updates: RwSignal<HashMap<i64, PresenceUpdate>>,
    /// Goes up by one whenever many users changed at once: reload.
    pub users_changed: RwSignal<u64>,
    /// The browser's clock in Unix seconds, ticking every 15 s once the
    /// page is live (None before): Time Logged In counts up with it.
    pub now: RwSignal<Option<i64>>,
}

/// Provided once for the whole app.
pub fn provide_live_presence() -> LivePresence {
    let presence = LivePresence {
        updates: RwSignal::new(HashMap::new()),
        users_changed: RwSignal::new(0),
        now: RwSignal::new(None),
    };
    provide_context(presence);
    presence
}

pub fn use_live_presence() -> LivePresence {
    use_context::<LivePresence>().unwrap_or_else(provide_live_presence)
}

/// Opens the live connection for the signed-in user; renders nothing. Put
/// once in the page frame.
#[component]
pub fn LiveConnection() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let user = crate::auth::use_current_user();
        let started = StoredValue::new(false);
        let presence = use_live_presence();
        let toasts = crate::components::use_toasts();
        Effect::new(move |_| {
            if user.get().is_some() && !started.get_value() {
                started.set_value(true);
                browser::start(presence, toasts);
            }
        });
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;
    use std::rc::Rc;

    use gloo_timers::callback::{Interval, Timeout};
    use leptos::prelude::*;
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;
    use web_sys::{EventSource, MessageEvent};

    use super::LivePresence;
    use crate::components::Toasts;
    use crate::live::{
        EVENT_MESSAGE, EVENT_PRESENCE, EVENT_SIGNED_OUT, EVENT_USERS_CHANGED, LiveEvent,
    };

    /// The open connection and the callbacks it holds.
    struct Connection {
        source: EventSource,
        _handlers: Vec<Closure<dyn FnMut(MessageEvent)>>,
        _on_error: Closure<dyn FnMut(web_sys::Event)>,
        _on_open: Closure<dyn FnMut(web_sys::Event)>,
    }

    #[derive(Default)]
    struct State {
        connection: Option<Connection>,
        failures: u32,
        retry: Option<Timeout>,
        _clock: Option<Interval>,
    }

    fn unix_now() -> i64 {
        (js_sys::Date::now() / 1000.0) as i64
    }

    pub fn start(presence: LivePresence, toasts: Toasts) {
        presence.now.set(Some(unix_now()));
        let clock = Interval::new(15_000, move || presence.now.set(Some(unix_now())));
        let state = Rc::new(RefCell::new(State {
            _clock: Some(clock),
            ..State::default()
        }));
        connect(state, presence, toasts);
    }

    fn connect(state: Rc<RefCell<State>>, presence: LivePresence, toasts: Toasts) {
        let source = match EventSource::new("/live") {
            Ok(source) => source,
            Err(error) => {
                leptos::logging::error!("live connection not opened: {error:?}");
                return;
            }
        };
        let handle = move |event: MessageEvent| {
            let Some(data) = event.data().as_string() else {
                return;
            };
            match serde_json::from_str::<LiveEvent>(&data) {
                Ok(LiveEvent::Message(message)) => {
                    toasts.message(message.heading(), message.body);
                }
                Ok(LiveEvent::SignedOut { reason }) => {
                    crate::auth::login::go_to(&format!("/login?reason={reason}"));
                }
                Ok(LiveEvent::Presence(update)) => {
                    presence.updates.update(|all| {
                        all.insert(update.user_id, update);
                    });
                }
                Ok(LiveEvent::UsersChanged) => {
                    // The reloaded table is newer than anything heard so far.
                    presence.updates.update(|all| all.clear());
                    presence.users_changed.update(|n| *n += 1);
                }
                Err(error) => leptos::logging::warn!("unreadable live event: {error}"),
            }
        };
        let mut handlers = Vec::new();
        for name in [
            EVENT_MESSAGE,
            EVENT_SIGNED_OUT,
            EVENT_PRESENCE,
            EVENT_USERS_CHANGED,
        ] {
            let handler = Closure::<dyn FnMut(MessageEvent)>::new(handle);
            let _ = source.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
            handlers.push(handler);
        }
        let on_open = {
            let state = state.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| state.borrow_mut().failures = 0)
        };
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        let on_error = {
            let state = state.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                let closed = state
                    .borrow()
                    .connection
                    .as_ref()
                    .is_some_and(|c| c.source.ready_state() == EventSource::CLOSED);
                if closed {
                    refused(state.clone(), presence, toasts);
                }
            })
        };
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // The old connection (if any) closes before it is dropped.
        if let Some(old) = state.borrow_mut().connection.replace(Connection {
            source,
            _handlers: handlers,
            _on_error: on_error,
            _on_open: on_open,
        }) {
            old.source.close();
        }
    }

    /// The server refused the connection: signed out, or away for now.
    fn refused(state: Rc<RefCell<State>>, presence: LivePresence, toasts: Toasts) {
        leptos::task::spawn_local(async move {
            if let Ok(None) = crate::auth::current::current_user().await {
                crate::auth::login::go_to("/login?reason=session_ended");
                return;
            }
            let failures = {
                let mut s = state.borrow_mut();
                s.failures += 1;
                s.failures
            };
            let delay = 1_000u32
                .saturating_mul(1 << failures.min(5).saturating_sub(1))
                .min(30_000);
            let retry = {
                let state = state.clone();
                Timeout::new(delay, move || connect(state, presence, toasts))
            };
            state.borrow_mut().retry = Some(retry);
        });
    }
}
