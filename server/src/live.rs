//! `GET /live`: the WebSocket of one signed-in tab. The session cookie
//! authenticates the handshake (the middleware has resolved it, and refuses
//! handshakes from other sites); the server closes the socket when the hub
//! drops the tab, after telling it why.
//!
//! Why a WebSocket and not Server-Sent Events: a stream answered by hyper
//! keeps its HTTP/1 read and write buffers (8 KiB each, not configurable)
//! for as long as it is open: 24 KiB or more per tab was measured. After the
//! upgrade, hyper's connection and its buffers are gone, and the socket's
//! own buffers are sized here.

use std::time::Duration;

use app::auth::Permission;
use app::auth::guard::RequestContext;
use app::live::hub::Subscription;
use axum::Extension;
use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::startup::AppState;

/// A ping this often keeps proxies from closing an idle socket and finds
/// tabs that went away without closing it.
const KEEP_ALIVE: Duration = Duration::from_secs(20);
/// Tabs send nothing but pongs and the closing frame: the socket reads in
/// small steps and refuses anything larger.
const READ_BUFFER: usize = 256;
const MAX_INCOMING: usize = 1024;

pub async fn live_socket(
    State(state): State<AppState>,
    Extension(context): Extension<RequestContext>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    // Who is asking comes first: without a session the answer is 401,
    // whatever the request looks like.
    let Some(session) = context.session else {
        return (StatusCode::UNAUTHORIZED, "Sign in first.").into_response();
    };
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let subscription = state.hub.connect(
        session.user_id,
        session.session_id,
        session.can(Permission::ViewUsers),
    );
    // Messages sent while the user was away, now that a tab is here. Before
    // the handshake's answer, so a tab that has connected has also caught
    // up; anything sent meanwhile is already queued for it and shows once.
    if let Err(error) = state.hub.deliver_undelivered(session.user_id).await {
        tracing::error!(%error, "undelivered messages not shown");
    }
    upgrade
        .read_buffer_size(READ_BUFFER)
        // Each event is written at once, not gathered.
        .write_buffer_size(0)
        .max_message_size(MAX_INCOMING)
        .max_frame_size(MAX_INCOMING)
        .on_upgrade(move |socket| serve_tab(socket, subscription))
}

/// Forwards the hub's events to the tab until either side ends.
async fn serve_tab(mut socket: WebSocket, mut subscription: Subscription) {
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + KEEP_ALIVE, KEEP_ALIVE);
    loop {
        tokio::select! {
            outgoing = subscription.receiver.recv() => {
                let Some(outgoing) = outgoing else { break };
                if socket.send(Message::text(outgoing.data.as_str())).await.is_err() {
                    return;
                }
                if outgoing.last {
                    // The session is over: say goodbye and drop the tab.
                    let _ = socket.send(Message::Close(None)).await;
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                // Pongs answer our pings; the tab sends nothing else.
                Some(Ok(Message::Pong(_) | Message::Ping(_))) => {}
                _ => return,
            },
            _ = ping.tick() => {
                if socket.send(Message::Ping(Default::default())).await.is_err() {
                    return;
                }
            }
        }
    }
    drop(subscription);
    // Wait briefly for the tab's closing frame, so the close is clean.
    let _ = tokio::time::timeout(Duration::from_secs(5), socket.recv()).await;
}
