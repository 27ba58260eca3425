//! `/audit` (the log, newest first, filtered and paged through the URL)
//! and `/audit/ID` (one entry with every detail). Both are plain links and
//! GET forms, so they work before the WebAssembly arrives.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_location, use_params_map};

use super::AuditAction;
use super::api::{AuditEntryDetails, AuditPage, AuditRow, get_audit_entry, list_audit};
use super::query::{AuditQuery, Position};
use crate::components::{ErrorList, PageHeader};

const PATH: &str = "/audit";

#[component]
pub fn AuditLogPage() -> impl IntoView {
    let location = use_location();
    let search = Memo::new(move |_| location.search.get().trim_start_matches('?').to_owned());
    let parsed =
        Memo::new(move |_| AuditQuery::from_query_string(&search.get()).unwrap_or_default());
    let entries = Resource::new(move || search.get(), list_audit);
    let export =
        move || crate::components::based(&parsed.get().href("/audit/export.csv", Position::Newest));
    view! {
        <Title text="Audit"/>
        <PageHeader title="Audit">
            <a class="button" href=export download="audit.csv">"Export CSV"</a>
        </PageHeader>
        {move || view! { <Filters query=parsed.get()/> }}
        <Transition fallback=|| view! { <p class="loading">"Loading the log…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    entries.await.map(|page| view! { <Entries page query=parsed.get_untracked()/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

/// The filters: a GET form, every choice in the URL; a new filter starts
/// at the newest entries.
#[component]
fn Filters(query: AuditQuery) -> impl IntoView {
    let groups = super::action::GROUPS
        .iter()
        .map(|(group, prefix)| {
            let options = AuditAction::ALL
                .iter()
                .filter(|a| a.key().starts_with(prefix))
                .map(|a| {
                    view! {
                        <option value=a.key() selected={query.action == Some(*a)}>{a.description()}</option>
                    }
                })
                .collect_view();
            view! { <optgroup label=*group>{options}</optgroup> }
        })
        .collect_view();
    let day = |d: Option<super::query::Day>| d.map(|d| d.to_string()).unwrap_or_default();
    view! {
        <Form method="GET" action=PATH attr:class="toolbar" attr:role="search">
            <div class="toolbar-field">
                <label for="audit-actor">"Actor"</label>
                <input id="audit-actor" type="search" name="actor" maxlength=32 placeholder="Username" value=query.actor.clone().unwrap_or_default()/>
            </div>
            <div class="toolbar-field">
                <label for="audit-target">"Target user"</label>
                <input id="audit-target" type="search" name="target" maxlength=32 placeholder="Username" value=query.target.clone().unwrap_or_default()/>
            </div>
            <div class="toolbar-field">
                <label for="audit-action">"Action"</label>
                <select id="audit-action" name="action">
                    <option value="" selected=query.action.is_none()>"Any"</option>
                    {groups}
                </select>
            </div>
            <div class="toolbar-field">
                <label for="audit-since">"From"</label>
                <input id="audit-since" type="date" name="since" value=day(query.since)/>
            </div>
            <div class="toolbar-field">
                <label for="audit-until">"To"</label>
                <input id="audit-until" type="date" name="until" value=day(query.until)/>
            </div>
            <div class="toolbar-field toolbar-check">
                <input id="audit-impersonated" type="checkbox" name="impersonated" value="yes" checked=query.impersonated/>
                <label for="audit-impersonated">"While impersonating"</label>
            </div>
            <button type="submit" class="button button-primary">"Filter"</button>
            <A href=crate::components::in_base(PATH) attr:class="button">"Clear"</A>
        </Form>
    }
    .into_any()
}

#[component]
fn Entries(page: AuditPage, query: AuditQuery) -> impl IntoView {
    let summary = page.count.describe();
    if page.rows.is_empty() {
        return view! { <p class="muted" role="status">"No entries match."</p> }.into_any();
    }
    let (first, last) = (page.rows[0].id, page.rows[page.rows.len() - 1].id);
    let link = |enabled: bool, label: &'static str, rel: &'static str, position: Position| {
        if enabled {
            view! { <A href=crate::components::in_base(query.href(PATH, position)) attr:rel=rel>{label}</A> }.into_any()
        } else {
            view! { <span class="disabled">{label}</span> }.into_any()
        }
    };
    let pager = view! {
        <nav class="pager" aria-label="Pages of the log">
            {link(page.newer, "Newest", "first", Position::Newest)}
            {link(page.newer, "Newer", "prev", Position::After(first))}
            {link(page.older, "Older", "next", Position::Before(last))}
            {link(page.older, "Oldest", "last", Position::Oldest)}
        </nav>
    };
    let rows = page
        .rows
        .into_iter()
        .map(|row| view! { <EntryRow row/> })
        .collect_view();
    view! {
        <p class="table-summary" role="status">{summary}</p>
        <div class="table-scroll">
            <table class="table audit-table">
                <caption class="visually-hidden">"Audit log, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Actor"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Target"</th>
                        <th scope="col">"Details"</th>
                        <th scope="col">"From"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {pager}
    }
    .into_any()
}

#[component]
fn EntryRow(row: AuditRow) -> impl IntoView {
    let label = format!("Entry {}: {} at {}", row.id, row.action, row.when);
    view! {
        <tr>
            <td class="nowrap">
                <A href=crate::components::in_base(format!("{PATH}/{}", row.id)) attr:aria-label=label>
                    <time datetime=row.when_iso>{row.when}</time>
                </A>
            </td>
            <td>{row.actor}</td>
            <td>{row.action}</td>
            <td>{row.target.unwrap_or_else(|| "—".to_owned())}</td>
            <td class="audit-details">{row.details}</td>
            <td>{row.from}</td>
        </tr>
    }
}

#[component]
pub fn AuditEntryPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let entry = Resource::new(id, get_audit_entry);
    view! {
        <Title text=move || format!("Audit entry {}", id())/>
        <Transition fallback=|| view! { <p class="loading">"Loading the entry…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    entry.await.map(|entry| view! { <EntryView entry/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

#[component]
fn EntryView(entry: AuditEntryDetails) -> impl IntoView {
    let dash = || "—".to_owned();
    let target = match (entry.row.target.clone(), entry.target_exists) {
        (Some(name), true) => {
            view! { <A href=crate::components::in_base(format!("/users/{name}"))>{name}</A> }
                .into_any()
        }
        (Some(name), false) => {
            view! { <span>{format!("{name} (no longer an account)")}</span> }.into_any()
        }
        (None, _) => view! { <span>"—"</span> }.into_any(),
    };
    let history = entry
        .row
        .target
        .clone()
        .map(|name| view! { <A href=crate::components::in_base(format!("{PATH}?target={name}"))>{format!("Every entry about {name}")}</A> });
    let line = |term: &'static str, value: Option<String>| {
        view! {
            <dt>{term}</dt>
            <dd>{value.unwrap_or_else(dash)}</dd>
        }
    };
    view! {
        <PageHeader title=format!("Audit entry {}", entry.row.id)>
            <A href=crate::components::in_base(PATH)>"Back to Audit"</A>
        </PageHeader>
        <section class="card" aria-labelledby="entry-heading">
            <h2 id="entry-heading">{entry.row.action.clone()}</h2>
            <dl class="details">
                <dt>"When"</dt>
                <dd><time datetime=entry.row.when_iso.clone()>{format!("{} UTC", entry.row.when)}</time></dd>
                {line("Actor", Some(entry.row.actor.clone()))}
                {line("On behalf of", entry.impersonator_username.as_ref().and(entry.actor_username.clone()))}
                {line("Action", Some(format!("{} ({})", entry.row.action, entry.action_key)))}
                <dt>"Target"</dt>
                <dd>{target}</dd>
                {line("Field", entry.field.clone())}
                {line("Old value", entry.old_value.clone())}
                {line("New value", entry.new_value.clone())}
                {line("IP address", entry.ip.clone())}
                {line("Client", entry.client.clone())}
            </dl>
            {entry.details.clone().map(|details| view! {
                <h3>"Details"</h3>
                <pre class="audit-json">{details}</pre>
            })}
            {history}
        </section>
    }
    .into_any()
}
