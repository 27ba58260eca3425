//! The banner on every page of an impersonation tab: who is signed in as
//! whom, the time left, and "Stop impersonating" (a plain form too).

use leptos::prelude::*;

use super::api::stop_impersonation;
use crate::auth::current::Impersonation;
use crate::auth::use_current_user;
use crate::components::{ToastKind, based, go_to_outside, use_toasts};

/// Shown above the page frame while this tab is an impersonation; nothing
/// otherwise. `role="alert"`: it is announced when the page opens.
#[component]
pub fn ImpersonationBanner() -> impl IntoView {
    let user = use_current_user();
    view! {
        <Transition fallback=|| ()>
            {move || {
                user.get().and_then(|me| {
                    me.impersonation
                        .map(|impersonation| view! { <Banner username=me.username impersonation/> })
                })
            }}
        </Transition>
    }
    .into_any()
}

/// "29 minutes left", "1 minute left", "less than a minute left".
fn time_left(seconds: i64) -> String {
    match seconds.div_euclid(60) {
        n if n <= 0 => "less than a minute left".to_owned(),
        1 => "1 minute left".to_owned(),
        n => format!("{n} minutes left"),
    }
}

/// Now, in Unix seconds: the browser's clock once hydrated, the server's
/// while rendering.
#[cfg(feature = "hydrate")]
fn unix_now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

#[cfg(all(feature = "ssr", not(feature = "hydrate")))]
fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn unix_now() -> i64 {
    0
}

#[component]
fn Banner(username: String, impersonation: Impersonation) -> impl IntoView {
    let now = RwSignal::new(unix_now());
    let ends_at = impersonation.ends_at;
    #[cfg(feature = "hydrate")]
    {
        let tick = gloo_timers::callback::Interval::new(5_000, move || {
            now.try_set(unix_now());
            if unix_now() >= ends_at {
                go_to_outside(&format!(
                    "/login?reason={}",
                    crate::auth::SessionEndReason::ImpersonationExpired.key()
                ));
            }
        });
        // Kept with the banner: dropped (and stopped) when it goes.
        let _ = StoredValue::new_local(tick);
    }
    let toasts = use_toasts();
    let stopping = RwSignal::new(false);
    // With the WebAssembly: stop, then close the tab (a tab "Login as"
    // opened may be closed by its script) or, if the browser keeps it,
    // go to the user's page in the administrator's own view.
    let stop = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        stopping.set(true);
        leptos::task::spawn_local(async move {
            match stop_impersonation().await {
                Ok(back) => {
                    let _ = window().close();
                    go_to_outside(&back);
                }
                Err(error) => {
                    stopping.set(false);
                    toasts.show(ToastKind::Error, error.to_string());
                }
            }
        });
    };
    view! {
        <div class="impersonation-banner" role="alert">
            <p>
                "You are signed in as " <strong>{username}</strong> " by "
                <strong>{impersonation.impersonator}</strong> ". "
                <span class="impersonation-time">{move || time_left(ends_at - now.get())}</span>
            </p>
            <form method="post" action=based("/api/stop_impersonation") on:submit=stop>
                <button type="submit" class="button button-small" disabled=move || stopping.get()>
                    "Stop impersonating"
                </button>
            </form>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::time_left;

    #[test]
    fn time_left_is_in_whole_minutes() {
        assert_eq!(time_left(30 * 60), "30 minutes left");
        assert_eq!(time_left(29 * 60 + 59), "29 minutes left");
        assert_eq!(time_left(119), "1 minute left");
        assert_eq!(time_left(59), "less than a minute left");
        assert_eq!(time_left(-5), "less than a minute left");
    }
}
