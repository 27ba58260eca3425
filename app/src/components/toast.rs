//! Toasts: short messages stacked in the top-right corner that go away by
//! themselves. Messages from administrators are green and name their sender;
//! action results and errors use the same box in their own colours.
//!
//! ```ignore
//! let toasts = use_toasts();
//! toasts.show(ToastKind::Success, "Locked 48 users.");
//! ```
//!
//! Each toast is its own live region (`role="status"`, errors
//! `role="alert"`), stays longer the longer its text is, pauses while the
//! pointer or keyboard focus is on it, and has a "Dismiss" button.

use leptos::prelude::*;

/// What a toast is, which sets its colour and how it is announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    /// A message an administrator sent (green, with sender and time).
    Message,
    /// An action that worked (green).
    Success,
    /// Something that failed (red, announced at once).
    Error,
    /// Neutral information (blue).
    Info,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub kind: ToastKind,
    /// "From Ada Admin at 14:05" for messages.
    pub heading: Option<String>,
    pub text: String,
}

/// The toasts of this page; provided once by [`provide_toasts`].
#[derive(Clone, Copy)]
pub struct Toasts {
    list: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
}

/// At most this many toasts show at once; the oldest goes first.
const MAX_SHOWN: usize = 5;

impl Toasts {
    pub fn show(&self, kind: ToastKind, text: impl Into<String>) {
        self.push(kind, None, text.into());
    }

    /// A message from a person, headed with who sent it and when.
    pub fn message(&self, heading: String, text: String) {
        self.push(ToastKind::Message, Some(heading), text);
    }

    pub fn dismiss(&self, id: u64) {
        self.list.update(|list| list.retain(|t| t.id != id));
    }

    fn push(&self, kind: ToastKind, heading: Option<String>, text: String) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.list.update(|list| {
            list.push(Toast {
                id,
                kind,
                heading,
                text,
            });
            let extra = list.len().saturating_sub(MAX_SHOWN);
            list.drain(..extra);
        });
    }
}

pub fn provide_toasts() -> Toasts {
    let toasts = Toasts {
        list: RwSignal::new(Vec::new()),
        next_id: StoredValue::new(0),
    };
    provide_context(toasts);
    toasts
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

/// How long a toast stays: five seconds plus time to read it (about 15
/// characters a second), at most 30 seconds; errors at least ten.
pub fn lifetime_ms(kind: ToastKind, text: &str) -> u32 {
    let reading = u32::try_from(text.chars().count()).unwrap_or(u32::MAX) / 15 * 1000;
    let base = 5_000u32.saturating_add(reading).min(30_000);
    if kind == ToastKind::Error {
        base.max(10_000)
    } else {
        base
    }
}

/// Where toasts appear: put once in the page frame.
#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <section class="toasts" aria-label="Notifications">
            <For each=move || toasts.list.get() key=|t| t.id let:toast>
                <ToastBox toast toasts/>
            </For>
        </section>
    }
    .into_any()
}

#[component]
fn ToastBox(toast: Toast, toasts: Toasts) -> impl IntoView {
    let (class, role) = match toast.kind {
        ToastKind::Message => ("toast toast-message", "status"),
        ToastKind::Success => ("toast toast-success", "status"),
        ToastKind::Error => ("toast toast-error", "alert"),
        ToastKind::Info => ("toast toast-info", "status"),
    };
    let id = toast.id;
    let timer = DismissTimer::start(lifetime_ms(toast.kind, &toast.text), move || {
        toasts.dismiss(id)
    });
    view! {
        <div
            class=class
            role=role
            on:mouseenter=move |_| timer.pause()
            on:mouseleave=move |_| timer.resume()
            on:focusin=move |_| timer.pause()
            on:focusout=move |_| timer.resume()
        >
            <div class="toast-body">
                {toast.heading.map(|h| view! { <p class="toast-heading">{h}</p> })}
                // Plain text: whatever a message says is never read as HTML.
                <p class="toast-text">{toast.text}</p>
            </div>
            <button
                type="button"
                class="toast-close"
                aria-label="Dismiss"
                on:click=move |_| toasts.dismiss(id)
            >
                <span aria-hidden="true">"×"</span>
            </button>
        </div>
    }
    .into_any()
}

/// Calls `done` after a time that stops running while paused. Browser-only:
/// toasts are only ever created in the browser.
#[derive(Clone, Copy)]
struct DismissTimer {
    #[cfg(feature = "hydrate")]
    state: StoredValue<TimerState, LocalStorage>,
}

#[cfg(feature = "hydrate")]
struct TimerState {
    remaining_ms: f64,
    started_at: f64,
    handle: Option<gloo_timers::callback::Timeout>,
    done: std::rc::Rc<dyn Fn()>,
}

impl DismissTimer {
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    fn start(lifetime_ms: u32, done: impl Fn() + 'static) -> Self {
        #[cfg(feature = "hydrate")]
        {
            let timer = DismissTimer {
                state: StoredValue::new_local(TimerState {
                    remaining_ms: f64::from(lifetime_ms),
                    started_at: 0.0,
                    handle: None,
                    done: std::rc::Rc::new(done),
                }),
            };
            timer.resume();
            // A dismissed toast stops its timer.
            on_cleanup(move || {
                timer.state.try_update_value(|s| s.handle.take());
            });
            timer
        }
        #[cfg(not(feature = "hydrate"))]
        DismissTimer {}
    }

    fn pause(self) {
        #[cfg(feature = "hydrate")]
        self.state.update_value(|s| {
            if s.handle.take().is_some() {
                s.remaining_ms -= js_sys::Date::now() - s.started_at;
            }
        });
    }

    fn resume(self) {
        #[cfg(feature = "hydrate")]
        self.state.update_value(|s| {
            if s.handle.is_some() {
                return;
            }
            s.started_at = js_sys::Date::now();
            let done = s.done.clone();
            let state = self.state;
            let wait = s.remaining_ms.max(0.0) as u32;
            s.handle = Some(gloo_timers::callback::Timeout::new(wait, move || {
                // The timer has fired: let go of it without cancelling, so
                // the cleanup below does not drop the running callback.
                state.try_update_value(|s| s.handle.take().map(|t| t.forget()));
                done();
            }));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longer_texts_stay_longer_within_bounds() {
        let short = lifetime_ms(ToastKind::Success, "Done.");
        let long = lifetime_ms(ToastKind::Success, &"word ".repeat(40));
        assert_eq!(short, 5_000);
        assert!(long > short);
        assert_eq!(lifetime_ms(ToastKind::Message, &"x".repeat(5_000)), 30_000);
        assert_eq!(lifetime_ms(ToastKind::Error, "Failed."), 10_000);
    }
}
