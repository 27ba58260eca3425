use leptos::prelude::*;
use leptos_meta::Title;

use super::{OutboxEntry, RetryEmail, list_outbox};
use crate::components::{ErrorList, Notice, NoticeKind, PageHeader, ToastKind, use_toasts};

/// `/outbox`: the email Roster has queued, sent or failed to send, newest
/// first. Without a mail server (no `SMTP_URL`) it is where a developer reads
/// the messages and opens their links.
#[component]
pub fn OutboxPage() -> impl IntoView {
    let retry = ServerAction::<RetryEmail>::new();
    let data = Resource::new(move || retry.version().get(), |_| list_outbox());
    let toasts = use_toasts();
    Effect::new(move |_| match retry.value().get() {
        Some(Ok(())) => toasts.show(ToastKind::Success, "The message will be sent again."),
        Some(Err(error)) => toasts.show(ToastKind::Error, error.to_string()),
        None => {}
    });
    view! {
        <Title text="Email outbox"/>
        <PageHeader title="Email outbox">
            <button type="button" class="button" on:click=move |_| data.refetch()>"Refresh"</button>
        </PageHeader>
        <Transition fallback=|| view! { <p class="loading">"Loading the outbox…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    data.await.map(|data| {
                        let summary = format!(
                            "{} message{} in all; the newest {} below.",
                            data.total,
                            if data.total == 1 { "" } else { "s" },
                            data.entries.len()
                        );
                        view! {
                            {(data.failed > 0).then(|| view! {
                                <Notice kind=NoticeKind::Error>
                                    {format!("{} message(s) could not be sent. Each shows why; Retry sends it again.", data.failed)}
                                </Notice>
                            })}
                            <p class="muted">{summary}</p>
                            <ul class="outbox">
                                {data.entries.into_iter().map(|entry| view! { <Message entry retry/> }).collect_view()}
                            </ul>
                        }
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

#[component]
fn Message(entry: OutboxEntry, retry: ServerAction<RetryEmail>) -> impl IntoView {
    let id = entry.id;
    let status_class = if entry.failed {
        "badge badge-danger"
    } else {
        "badge badge-info"
    };
    view! {
        <li class="card outbox-message">
            <details>
                <summary>
                    <strong>{entry.subject}</strong>
                    " to " {entry.recipient} " · " {entry.queued_at} " "
                    <span class=status_class>{entry.status}</span>
                </summary>
                <pre class="outbox-text">{entry.text}</pre>
                <ul class="outbox-links">
                    {entry.links.into_iter().map(|link| view! { <li><a href=link.clone()>{link.clone()}</a></li> }).collect_view()}
                </ul>
            </details>
            {entry.failed.then(|| view! {
                <button type="button" class="button button-small" on:click=move |_| { retry.dispatch(RetryEmail { id }); }>
                    "Retry"
                </button>
            })}
        </li>
    }
    .into_any()
}
