//! The browser's end of the live connection: a WebSocket on `/live` while
//! someone is signed in. Messages become green toasts; the end of the
//! session sends the tab to `/login` with the reason; presence updates feed
//! the Users table.
//!
//! When the socket closes without the server having said the session is
//! over (a restart, a network change, a refused handshake), this module asks
//! who is signed in and either goes to the sign-in page or connects again
//! after 1, 2, 4 … 30 seconds.

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
    /// Goes up by one whenever this user's permissions changed.
    pub access_changed: RwSignal<u64>,
    /// The browser's clock in Unix seconds, ticking every 15 s once the
    /// page is live (None before): Time Logged In counts up with it.
    pub now: RwSignal<Option<i64>>,
}

impl LivePresence {
    /// When `user_id`'s earliest open session started, as the live
    /// connection last told it, else as `loaded` with the page.
    pub fn signed_in_since(&self, user_id: i64, loaded: Option<i64>) -> Option<i64> {
        self.updates
            .with(|all| all.get(&user_id).map(|u| u.signed_in_since))
            .unwrap_or(loaded)
    }

    /// `user_id`'s Last Activity, as the live connection last told it, else
    /// as `loaded` with the page.
    pub fn last_activity(&self, user_id: i64, loaded: Option<String>) -> Option<String> {
        self.updates
            .with(|all| all.get(&user_id).map(|u| u.last_activity.clone()))
            .unwrap_or(loaded)
    }
}

/// Provided once for the whole app.
pub fn provide_live_presence() -> LivePresence {
    let presence = LivePresence {
        updates: RwSignal::new(HashMap::new()),
        users_changed: RwSignal::new(0),
        access_changed: RwSignal::new(0),
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
        // Who they are is loaded again when their permissions change, and
        // the navigation and buttons built from it follow.
        if let Some(me) = use_context::<crate::auth::current::CurrentUserResource>() {
            Effect::new(move |seen: Option<u64>| {
                let now = presence.access_changed.get();
                if seen.is_some_and(|seen| seen != now) {
                    me.0.refetch();
                }
                now
            });
        }
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
    use web_sys::{CloseEvent, MessageEvent, WebSocket};

    use super::LivePresence;
    use crate::components::Toasts;
    use crate::live::LiveEvent;

    /// The open socket and the callbacks it holds.
    struct Connection {
        socket: WebSocket,
        _on_message: Closure<dyn FnMut(MessageEvent)>,
        _on_open: Closure<dyn FnMut(web_sys::Event)>,
        _on_close: Closure<dyn FnMut(CloseEvent)>,
    }

    #[derive(Default)]
    struct State {
        connection: Option<Connection>,
        failures: u32,
        /// The server said this tab's session is over: never reconnect.
        finished: bool,
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

    /// `ws://host/live` or `wss://host/live`, as the page was served (under
    /// an impersonation tab's base path, whose session it then carries).
    fn live_url() -> Option<String> {
        let location = window().location();
        let scheme = if location.protocol().ok()? == "https:" {
            "wss"
        } else {
            "ws"
        };
        Some(format!(
            "{scheme}://{}{}/live",
            location.host().ok()?,
            crate::components::base_path()
        ))
    }

    fn connect(state: Rc<RefCell<State>>, presence: LivePresence, toasts: Toasts) {
        let socket = match live_url().map(|url| WebSocket::new(&url)) {
            Some(Ok(socket)) => socket,
            other => {
                leptos::logging::error!("live connection not opened: {other:?}");
                return;
            }
        };
        let on_message = {
            let state = state.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let Some(data) = event.data().as_string() else {
                    return;
                };
                match serde_json::from_str::<LiveEvent>(&data) {
                    Ok(LiveEvent::Message(message)) => {
                        toasts.message(message.heading(), message.body);
                    }
                    Ok(LiveEvent::SignedOut { reason }) => {
                        state.borrow_mut().finished = true;
                        // Outside any impersonation: an ended one sends its
                        // tab to the administrator's own view (or sign-in).
                        crate::components::go_to_outside(&format!("/login?reason={reason}"));
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
                    Ok(LiveEvent::AccessChanged) => {
                        presence.access_changed.update(|n| *n += 1);
                    }
                    Err(error) => leptos::logging::warn!("unreadable live event: {error}"),
                }
            })
        };
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let on_open = {
            let state = state.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| state.borrow_mut().failures = 0)
        };
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        let on_close = {
            let state = state.clone();
            Closure::<dyn FnMut(CloseEvent)>::new(move |_| {
                if !state.borrow().finished {
                    closed(state.clone(), presence, toasts);
                }
            })
        };
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        // The old socket (if any) is closed before it is dropped.
        if let Some(old) = state.borrow_mut().connection.replace(Connection {
            socket,
            _on_message: on_message,
            _on_open: on_open,
            _on_close: on_close,
        }) {
            old.socket.set_onclose(None);
            let _ = old.socket.close();
        }
    }

    /// The socket closed (or was refused) without the session being said to
    /// be over: signed out meanwhile, or the server is away for now.
    fn closed(state: Rc<RefCell<State>>, presence: LivePresence, toasts: Toasts) {
        leptos::task::spawn_local(async move {
            if let Ok(None) = crate::auth::current::current_user().await {
                crate::components::go_to_outside(&format!(
                    "/login?reason={}",
                    crate::auth::SessionEndReason::Ended.key()
                ));
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
