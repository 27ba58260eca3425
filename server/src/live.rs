//! `GET /live`: the Server-Sent Events stream of one signed-in tab. The
//! session cookie authenticates it (the middleware has resolved it); the
//! stream ends when the hub drops the tab, after telling it why.

use std::convert::Infallible;
use std::time::Duration;

use app::auth::Permission;
use app::auth::guard::RequestContext;
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};

use crate::startup::AppState;

/// How long a browser waits before reconnecting a dropped stream.
const RETRY: Duration = Duration::from_secs(2);
/// A comment line this often keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(20);

pub async fn live_events(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
) -> Response {
    let Some(session) = context.session else {
        return (StatusCode::UNAUTHORIZED, "Sign in first.").into_response();
    };
    let subscription = state.hub.connect(
        session.user_id,
        session.session_id,
        session.can(Permission::ViewUsers),
    );
    // Messages sent while the user was away, now that a tab is here. Before
    // the response, so a tab that has connected has also caught up; anything
    // sent meanwhile is already queued for it and shows once.
    if let Err(error) = state.hub.deliver_undelivered(session.user_id).await {
        tracing::error!(%error, "undelivered messages not shown");
    }
    let first = futures_util::stream::once(async { Ok(Event::default().retry(RETRY)) });
    let events = futures_util::stream::unfold(Some(subscription), |subscription| async move {
        let mut subscription = subscription?;
        let outgoing = subscription.receiver.recv().await?;
        let event = Event::default()
            .event(outgoing.name)
            .data(outgoing.data.as_str());
        // After the last event the subscription is dropped: the stream ends.
        let next = (!outgoing.last).then_some(subscription);
        Some((Ok::<_, Infallible>(event), next))
    });
    use futures_util::StreamExt;
    Sse::new(first.chain(events))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response()
}
