//! `/users`: the Users table. Search, filters, sort and page live in the URL,
//! so a view can be bookmarked and shared and back/forward work; the server
//! pages, sorts and filters, one round trip per page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_location, use_navigate};

use crate::auth::{Permission, use_current_user};
use crate::components::{ErrorList, Notice, NoticeKind, PageHeader};
use crate::directory::query::{PAGE_SIZES, SortDir, SortKey, StatusFilter, UserListQuery};
use crate::live::use_live_presence;
use crate::users::bulk::ui::{BulkBar, TableSelection};
use crate::users::status_ui::UserStatus;
use crate::users::table::api::{UserPage, UserRow, duration_text, list_users, user_filter_options};
use crate::users::table::preferences_ui::{self as preferences, ColumnChooser, ColumnVisibility};

/// `/users?PARAMS` for a view.
fn href(query: &UserListQuery) -> String {
    query.href()
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let location = use_location();
    let search = Memo::new(move |_| location.search.get().trim_start_matches('?').to_owned());
    let parsed = Memo::new(move |_| UserListQuery::from_query_string(&search.get()));
    let users = Resource::new(move || search.get(), list_users);
    let selection = TableSelection::new();
    provide_context(selection);
    let columns = ColumnVisibility::new();
    provide_context(columns);
    // A view without a page size gets the one chosen last in this browser.
    let navigate = use_navigate();
    Effect::new(move |_| {
        let view = search.get();
        if let (Some(per_page), Ok(query)) = (
            preferences::page_size_to_restore(&view),
            UserListQuery::from_query_string(&view),
        ) {
            let target = href(&UserListQuery { per_page, ..query });
            navigate(
                &target,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    // "All matching" means the view it was chosen in; a new view ends it.
    Effect::new(move |previous: Option<String>| {
        let now = search.get();
        if previous.is_some_and(|p| p != now) {
            selection.all_matching.set(false);
        }
        now
    });
    // A bulk action elsewhere changed many users: show the table anew.
    let presence = use_live_presence();
    Effect::new(move |previous: Option<u64>| {
        let changes = presence.users_changed.get();
        if previous.is_some_and(|p| p != changes) {
            users.refetch();
        }
        changes
    });
    let user = use_current_user();
    let loaded = move || users.get().and_then(Result::ok);
    let total = Signal::derive(move || loaded().map_or(0, |p| p.total));
    let page_ids = Signal::derive(move || {
        loaded().map_or_else(Vec::new, |p| p.rows.iter().map(|r| r.id).collect())
    });

    view! {
        <Title text="Users"/>
        <PageHeader title="Users">
            // Inside a Transition: drawn once who is looking is known, the
            // same on the server and in the browser.
            <Transition fallback=|| ()>
                <Show when=move || user.get().is_some_and(|u| u.can(Permission::CreateUsers))>
                    <A href=crate::components::in_base("/users/new") attr:class="button button-primary">"New User"</A>
                </Show>
            </Transition>
            <ColumnChooser columns/>
            // A plain link: the browser downloads the streamed file itself.
            <a
                class="button"
                href=move || {
                    let view = search.get();
                    if view.is_empty() {
                        crate::components::based("/users/export.csv")
                    } else {
                        crate::components::based(&format!("/users/export.csv?{view}"))
                    }
                }
                download
            >
                "Export CSV"
            </a>
        </PageHeader>
        {move || match parsed.get() {
            Ok(query) => view! { <Toolbar query/> }.into_any(),
            Err(error) => {
                view! {
                    <Notice kind=NoticeKind::Error>
                        {error.to_string()} " " <A href=crate::components::in_base("/users")>"Show all users"</A>
                    </Notice>
                }
                    .into_any()
            }
        }}
        <BulkBar
            selection
            view=search
            page_ids
            total
            on_done=Callback::new(move |_| users.refetch())
        />
        <Transition fallback=|| view! { <p class="loading">"Loading users…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors/> }>
                {move || Suspend::new(async move {
                    let page = users.await?;
                    let query = parsed.get_untracked().unwrap_or_default();
                    Ok::<_, crate::error::AppError>(view! { <UserTable page query/> })
                })}
            </ErrorBoundary>
        </Transition>
    }
    .into_any()
}

/// Search and filters: a GET form, so it works before the page is live and
/// every choice ends up in the URL.
#[component]
fn Toolbar(query: UserListQuery) -> impl IntoView {
    let options = Resource::new(|| (), |_| user_filter_options());
    let selected = |value: Option<&str>, option: &str| value == Some(option);
    let status = query.status.map(|s| s.key());
    let signed_in = query.signed_in.map(|s| if s { "yes" } else { "no" });
    let role = query.role.clone();
    let team = query.team.clone();
    view! {
        <Form method="GET" action="/users" attr:class="toolbar" attr:role="search">
            <div class="toolbar-field toolbar-search">
                <label for="users-q">"Search"</label>
                <input
                    id="users-q"
                    type="search"
                    name="q"
                    placeholder="Username, email or name"
                    value=query.q.clone().unwrap_or_default()
                    maxlength=crate::directory::query::MAX_SEARCH_LEN
                />
            </div>
            <div class="toolbar-field">
                <label for="users-status">"Status"</label>
                <select id="users-status" name="status">
                    <option value="" selected=status.is_none()>"Any"</option>
                    {StatusFilter::ALL
                        .iter()
                        .map(|s| view! { <option value=s.key() selected=selected(status, s.key())>{s.label()}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="toolbar-field">
                <label for="users-signed-in">"Signed in now"</label>
                <select id="users-signed-in" name="signed_in">
                    <option value="" selected=signed_in.is_none()>"Either"</option>
                    <option value="yes" selected=selected(signed_in, "yes")>"Yes"</option>
                    <option value="no" selected=selected(signed_in, "no")>"No"</option>
                </select>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new({
                    let (role, team) = (role.clone(), team.clone());
                    async move {
                        let options = options.await.unwrap_or_default();
                        let choose = |id: &'static str, label: &'static str, name: &'static str, values: Vec<String>, current: Option<String>| {
                            let current_lower = current.as_deref().map(str::to_lowercase);
                            view! {
                                <div class="toolbar-field">
                                    <label for=id>{label}</label>
                                    <select id=id name=name>
                                        <option value="" selected=current.is_none()>"Any"</option>
                                        {values
                                            .into_iter()
                                            .map(|v| {
                                                let is = current_lower.as_deref() == Some(v.to_lowercase().as_str());
                                                view! { <option value=v.clone() selected=is>{v.clone()}</option> }
                                            })
                                            .collect_view()}
                                    </select>
                                </div>
                            }
                        };
                        view! {
                            {choose("users-role", "Role", "role", options.roles, role)}
                            {choose("users-team", "Team", "team", options.teams, team)}
                        }
                    }
                })}
            </Transition>
            <div class="toolbar-field toolbar-check">
                <input id="users-deleted" type="checkbox" name="deleted" value="include" checked=query.include_deleted/>
                <label for="users-deleted">"Include deleted"</label>
            </div>
            // The sort and page size carry over; a new search starts at page 1.
            {(query.sort != SortKey::default() || query.dir != SortDir::default())
                .then(|| {
                    view! {
                        <input type="hidden" name="sort" value=query.sort.key()/>
                        <input type="hidden" name="dir" value=query.dir.key()/>
                    }
                })}
            {(query.per_page != crate::directory::query::DEFAULT_PAGE_SIZE)
                .then(|| view! { <input type="hidden" name="per_page" value=query.per_page/> })}
            <button type="submit" class="button button-primary">"Search"</button>
            <A href=crate::components::in_base("/users") attr:class="button">"Clear"</A>
        </Form>
    }
    .into_any()
}

/// The table's columns: (header, sort key if sortable).
#[component]
fn UserTable(page: UserPage, query: UserListQuery) -> impl IntoView {
    let selection = expect_context::<TableSelection>();
    let columns = expect_context::<ColumnVisibility>();
    let page_ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
    let count = page.total;
    let first = u64::from(page.page - 1) * u64::from(page.per_page) + 1;
    let last = first + page.rows.len() as u64 - 1;
    let summary = if page.rows.is_empty() {
        if count == 0 {
            "No users match.".to_owned()
        } else {
            format!("No users on this page; {count} match in all.")
        }
    } else {
        format!("Users {first}–{last} of {count}")
    };
    view! {
        <p class="table-summary" role="status">{summary.clone()}</p>
        <div class="table-scroll">
            <table class="table users-table" class:compact=move || columns.compact.get()>
                <caption class="visually-hidden">{summary}</caption>
                <thead>
                    <tr>
                        <th scope="col" class="select">
                            <input
                                type="checkbox"
                                aria-label="Select all users on this page"
                                prop:checked={
                                    let ids = page_ids.clone();
                                    move || !ids.is_empty() && ids.iter().all(|id| selection.is_selected(*id))
                                }
                                on:change={
                                    let ids = page_ids.clone();
                                    move |ev| {
                                        let on = event_target_checked(&ev);
                                        for id in &ids {
                                            selection.set(*id, on, &ids);
                                        }
                                    }
                                }
                            />
                        </th>
                        {crate::users::table::api::COLUMNS
                            .iter()
                            .map(|(title, key)| view! { <Header title=*title key=*key query=query.clone()/> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {page
                        .rows
                        .into_iter()
                        .map(|row| view! { <Row row page_ids=page_ids.clone()/> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <Pager page=page.page pages=page_count(count, page.per_page) query/>
    }
    .into_any()
}

fn page_count(total: u64, per_page: u32) -> u64 {
    total.div_ceil(u64::from(per_page)).max(1)
}

/// A column header; sortable ones are links that sort by the column (again:
/// the other way), with `aria-sort` saying how the table is sorted now.
#[component]
fn Header(title: &'static str, key: Option<SortKey>, query: UserListQuery) -> impl IntoView {
    let columns = expect_context::<ColumnVisibility>();
    let hidden = move || columns.is_hidden(title);
    let Some(key) = key else {
        return view! { <th scope="col" hidden=hidden>{title}</th> }.into_any();
    };
    let current = query.sort == key;
    let aria_sort = current.then_some(match query.dir {
        SortDir::Asc => "ascending",
        SortDir::Desc => "descending",
    });
    let next = UserListQuery {
        sort: key,
        dir: if current {
            query.dir.flipped()
        } else {
            key.natural_direction()
        },
        page: 1,
        ..query.clone()
    };
    let arrow = match (current, query.dir) {
        (false, _) => "",
        (true, SortDir::Asc) => " ▲",
        (true, SortDir::Desc) => " ▼",
    };
    view! {
        <th scope="col" aria-sort=aria_sort hidden=hidden>
            <A href=crate::components::in_base(href(&next)) attr:class="sort-link">
                {title}
                <span aria-hidden="true">{arrow}</span>
            </A>
        </th>
    }
    .into_any()
}

#[component]
fn Row(row: UserRow, page_ids: Vec<i64>) -> impl IntoView {
    let selection = expect_context::<TableSelection>();
    let id = row.id;
    let select_label = format!("Select {}", row.username);
    let dash = || "—".to_owned();
    let view_label = format!("View {}", row.username);
    let view_href = format!("/users/{}", row.username);
    let columns = expect_context::<ColumnVisibility>();
    let hidden = move |column: &'static str| move || columns.is_hidden(column);
    // Presence as the live connection last told it, else as loaded; Time
    // Logged In counts up with the browser's clock once the page is live.
    let presence = use_live_presence();
    let (loaded_since, loaded_activity) = (row.signed_in_since, row.last_activity.clone());
    let since = move || presence.signed_in_since(id, loaded_since);
    let signed_in = move || since().is_some();
    let last_activity = move || {
        presence
            .last_activity(id, loaded_activity.clone())
            .unwrap_or_else(dash)
    };
    let loaded_time = row.time_logged_in.clone();
    let time_logged_in = move || match (presence.now.get(), since()) {
        (Some(now), Some(since)) => duration_text(now - since),
        (Some(_), None) => dash(),
        (None, _) => loaded_time.clone().unwrap_or_else(dash),
    };
    view! {
        <tr class:selected=move || selection.is_selected(id)>
            <td class="select">
                <input
                    type="checkbox"
                    aria-label=select_label
                    prop:checked=move || selection.is_selected(id)
                    on:change=move |ev| selection.set(id, event_target_checked(&ev), &page_ids)
                />
            </td>
            <td class="username">{row.username.clone()}</td>
            <td hidden=hidden("Email Address")>{row.email}</td>
            <td hidden=hidden("Name")>{row.name}</td>
            <td hidden=hidden("Roles")>{row.roles.join(", ")}</td>
            <td hidden=hidden("Login Status")>
                {move || {
                    if signed_in() {
                        view! { <span class="presence presence-on">"Signed in"</span> }.into_any()
                    } else {
                        view! { <span class="presence">"Signed out"</span> }.into_any()
                    }
                }}
            </td>
            <td hidden=hidden("Last Signin") class="nowrap">{row.last_signin.unwrap_or_else(dash)}</td>
            <td hidden=hidden("Time Logged In") class="nowrap">{time_logged_in}</td>
            <td hidden=hidden("Last Location")>{row.last_location.unwrap_or_else(dash)}</td>
            <td hidden=hidden("Last Activity") class="nowrap">{last_activity}</td>
            <td hidden=hidden("Status") class="status">
                <UserStatus active=row.active badges=row.badges.clone()/>
            </td>
            <td hidden=hidden("Phone #")>{row.phone.unwrap_or_else(dash)}</td>
            <td hidden=hidden("Phone EXT")>{row.phone_ext.unwrap_or_else(dash)}</td>
            <td hidden=hidden("Created At") class="nowrap">{row.created_at}</td>
            <td hidden=hidden("View")>
                <A href=crate::components::in_base(view_href) attr:aria-label=view_label>"View"</A>
            </td>
        </tr>
    }
    .into_any()
}

#[component]
fn Pager(page: u32, pages: u64, query: UserListQuery) -> impl IntoView {
    let at = |n: u32| {
        href(&UserListQuery {
            page: n,
            ..query.clone()
        })
    };
    let previous = (page > 1).then(|| at(page - 1));
    let next = (u64::from(page) < pages).then(|| at(page + 1));
    let sizes = PAGE_SIZES
        .iter()
        .map(|&size| {
            let target = href(&UserListQuery {
                per_page: size,
                page: 1,
                ..query.clone()
            });
            let current = size == query.per_page;
            view! {
                <li on:click=move |_| preferences::remember_page_size(size)>
                    {if current {
                        view! { <span aria-current="true" class="current">{size}</span> }.into_any()
                    } else {
                        view! { <A href=crate::components::in_base(target)>{size}</A> }.into_any()
                    }}
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="pager" aria-label="Pages">
            {match previous {
                Some(href) => view! { <A href=crate::components::in_base(href) attr:rel="prev">"Previous"</A> }.into_any(),
                None => view! { <span class="disabled">"Previous"</span> }.into_any(),
            }}
            <span>{format!("Page {page} of {pages}")}</span>
            {match next {
                Some(href) => view! { <A href=crate::components::in_base(href) attr:rel="next">"Next"</A> }.into_any(),
                None => view! { <span class="disabled">"Next"</span> }.into_any(),
            }}
            <span class="pager-sizes">
                "Per page: " <ul>{sizes}</ul>
            </span>
        </nav>
    }
    .into_any()
}
