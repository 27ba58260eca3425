//! Pages whose reader went away are rendered to the end anyway.
//!
//! A page streams out while its data loads. When the browser stops reading
//! (someone clicks on before the page is done, closes the tab, a load
//! balancer gives up), hyper drops the body, and with it Leptos' rendering
//! of the page; the page's pending work (a resource resolving, a
//! `<Suspense>` filling in, an `<A>` looking for its router) then finds its
//! reactive owner gone and panics (leptos-rs/leptos#4698, #4829). The
//! panic stays in that request's task, but it is a crash in the log each
//! time, and it cuts short work that was meant to finish together.
//!
//! So an abandoned page's body is handed to a task that reads it to the
//! end (at most [`FINISH_WITHIN`]) and throws the bytes away: rendering
//! ends as it does for a reader who stays. Only HTML pages are finished
//! this way; an abandoned CSV export, say, is simply dropped.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use futures_util::{Stream, StreamExt};

/// The longest an abandoned page is rendered on for.
const FINISH_WITHIN: Duration = Duration::from_secs(30);

/// Middleware: HTML answers get a body that, when dropped unfinished,
/// finishes in the background.
pub async fn finish_abandoned_pages(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_page {
        return response;
    }
    let (parts, body) = response.into_parts();
    let stream = FinishOnDrop {
        inner: Some(body.into_data_stream()),
    };
    Response::from_parts(parts, Body::from_stream(stream))
}

struct FinishOnDrop {
    inner: Option<axum::body::BodyDataStream>,
}

impl Stream for FinishOnDrop {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let next = inner.poll_next_unpin(cx);
        if matches!(next, Poll::Ready(None)) {
            // Finished: nothing to do when dropped.
            self.inner = None;
        }
        next
    }
}

impl Drop for FinishOnDrop {
    fn drop(&mut self) {
        let Some(mut rest) = self.inner.take() else {
            return;
        };
        // Dropped outside a runtime (at shutdown): nothing left to finish on.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let finished = tokio::time::timeout(FINISH_WITHIN, async {
                while let Some(chunk) = rest.next().await {
                    if chunk.is_err() {
                        break;
                    }
                }
            })
            .await;
            if finished.is_err() {
                tracing::warn!("an abandoned page did not finish rendering within 30 s");
            }
        });
    }
}
