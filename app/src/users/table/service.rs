//! Listing users for the table: one query for the page's ids, one for their
//! rows, one for their roles, one for the total — never a query per row.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::NullOrdering;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, JoinType, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, RelationTrait, Select,
    Statement,
};

use crate::db::{Window, single_count, sqlite_users_index};
use crate::directory::filter::{matching, sqlite_search_count, walked_search_condition};
use crate::directory::page_anchors;
use crate::directory::query::{SortDir, SortKey, UserListQuery};
use crate::directory::search_counts::{self, Generation};
use crate::domain::AccountState;
use crate::domain::table_time;
use crate::entities::{role, team, user, user_role};
use crate::error::AppResult;
use crate::users::table::api::{UserPage, UserRow, duration_text};

/// Whether a sort key's column can be empty (such users sort last).
fn nullable(key: SortKey) -> bool {
    !matches!(
        key,
        SortKey::Username | SortKey::Email | SortKey::Name | SortKey::Status | SortKey::CreatedAt
    )
}

/// The column a sort key orders by, and whether its order is reversed
/// (the longest time logged in is the earliest `signed_in_since`).
fn sort_column(key: SortKey) -> (user::Column, bool) {
    match key {
        SortKey::Username => (user::Column::Username, false),
        SortKey::Email => (user::Column::Email, false),
        SortKey::Name => (user::Column::Name, false),
        SortKey::LoginStatus => (user::Column::SignedInSince, false),
        SortKey::LastSignin => (user::Column::LastSigninAt, false),
        SortKey::TimeLoggedIn => (user::Column::SignedInSince, true),
        SortKey::LastLocation => (user::Column::LastSigninClient, false),
        SortKey::LastActivity => (user::Column::LastActivityAt, false),
        SortKey::Status => (user::Column::IsActive, false),
        SortKey::Phone => (user::Column::Phone, false),
        SortKey::PhoneExt => (user::Column::PhoneExt, false),
        SortKey::CreatedAt => (user::Column::CreatedAt, false),
    }
}

/// One page of the table for `query`. A page past the last is empty (the
/// total says how many there are).
///
/// A page in the second half of the list is read from the other end
/// ([`Window::nearer_end`]): the last page of 100,000 users would otherwise
/// step over 99,950 of them. The total, which is needed anyway, says where
/// the middle is.
pub async fn list_page(
    conn: &impl ConnectionTrait,
    query: &UserListQuery,
    now: DateTime<Utc>,
) -> AppResult<UserPage> {
    let mut condition = matching(conn, query, now).await?;
    // The plain view in an order only the generation moves: its total and
    // its generation in one read, and its deep pages from anchors.
    let plain_at = if is_plain(query) && search_counts::keeps_order_of(query.sort) {
        search_counts::generation_and_live(conn).await?
    } else {
        None
    };
    // A search with no other filter is worked out once per generation
    // ([`search_counts`]): its total, and the order of its matches.
    let kept_search = match &query.q {
        Some(q) if is_search_only(query) => {
            search_counts::generation(conn).await?.map(|at| (q, at))
        }
        _ => None,
    };
    let total = match (&plain_at, &kept_search) {
        (Some((_, live)), _) => *live,
        (None, Some((q, at))) => {
            let count = count_matching(conn, query, condition.clone());
            search_counts::total_of_search(at, q, query.include_deleted, count).await?
        }
        (None, None) => count_matching(conn, query, condition.clone()).await?,
    };
    let offset = u64::from(query.page - 1) * u64::from(query.per_page);
    let limit = u64::from(query.per_page);
    let window = Window::nearer_end(total, offset, limit);
    let kept_list = kept_search
        .as_ref()
        .filter(|_| search_counts::keeps_order_of(query.sort) && total <= search_counts::MOST_IDS);
    let page_ids = if window.take == 0 {
        Vec::new()
    } else if let Some((at, _)) = &plain_at
        && let Some(ids) = anchored_page(conn, query, at, total, offset, limit).await?
    {
        ids
    } else if let Some((q, at)) = kept_list
        && let Some(ids) = search_counts::kept_ids(at, q, query.include_deleted, query.sort)
    {
        search_counts::slice_of(&ids, query.dir, offset, limit)
    } else {
        let walk = walk_sort_index(conn, query, total, window).await?;
        if let Some((q, at)) = kept_list
            && !walk
        {
            // Every match is read and sorted for this page anyway: keep
            // them all, and later pages are slices of them.
            let ascending = UserListQuery {
                dir: SortDir::Asc,
                ..query.clone()
            };
            let read = ordered_ids_in(conn, &ascending, condition, None, false, false);
            let ids = search_counts::ids_of_search(at, q, query.include_deleted, query.sort, read)
                .await?;
            search_counts::slice_of(&ids, query.dir, offset, limit)
        } else {
            if walk
                && let Some(q) = &query.q
                && let Some(walked) = walked_search_condition(q)
            {
                condition = walked;
            }
            let slice = Some((window.skip, window.take));
            let mut ids =
                ordered_ids_in(conn, query, condition, slice, window.reversed, walk).await?;
            if window.reversed {
                ids.reverse();
            }
            ids
        }
    };
    Ok(UserPage {
        rows: rows_for(conn, &page_ids, now).await?,
        total,
        page: query.page,
        per_page: query.per_page,
    })
}

/// A page of the plain view, read from whichever is nearest: the nearest
/// anchor before it ([`page_anchors`]), or the end of the list (read
/// backwards). A page read from farther than [`page_anchors::GAP`] teaches
/// an anchor: where its first user stands, kept if the generation read
/// again after the page has not moved. `None` for orders without anchors.
async fn anchored_page(
    conn: &impl ConnectionTrait,
    query: &UserListQuery,
    at: &Generation,
    total: u64,
    offset: u64,
    limit: u64,
) -> AppResult<Option<Vec<i64>>> {
    let column = match query.sort {
        SortKey::Username => "username",
        SortKey::Email => "email",
        SortKey::Name => "name",
        _ => return Ok(None),
    };
    let until = offset.saturating_add(limit).min(total);
    let take = until.saturating_sub(offset);
    if take == 0 {
        return Ok(None);
    }
    // The page's place in ascending order: a descending page is the same
    // rows turned round (ties go by id either way).
    let start = match query.dir {
        SortDir::Asc => offset,
        SortDir::Desc => total - until,
    };
    let from_end = total - start - take;
    let anchor = page_anchors::nearest(at, query.sort, start);
    let from_anchor = start - anchor.as_ref().map_or(0, |anchor| anchor.position);
    let backend = conn.get_database_backend();
    let placeholders = match backend {
        DbBackend::Sqlite => "?, ?",
        _ => "$1, $2",
    };
    let index = match backend {
        DbBackend::Sqlite => format!(" INDEXED BY idx_users_live_{column}"),
        _ => String::new(),
    };
    let forwards = from_anchor <= from_end;
    let (after, order, skip, values) = match (&anchor, forwards) {
        (Some(anchor), true) => (
            format!(" AND ({column}, id) >= ({placeholders})"),
            "ASC",
            from_anchor,
            vec![anchor.value.clone().into(), anchor.id.into()],
        ),
        (None, true) => (String::new(), "ASC", start, Vec::new()),
        (_, false) => (String::new(), "DESC", from_end, Vec::new()),
    };
    let sql = format!(
        "SELECT id, {column} FROM users{index} WHERE deleted_at IS NULL{after} \
         ORDER BY {column} {order}, id {order} LIMIT {take} OFFSET {skip}"
    );
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    // The page's first user in ascending order.
    let first = if forwards { rows.first() } else { rows.last() };
    if skip >= page_anchors::GAP
        && let Some(first) = first
        && search_counts::generation(conn)
            .await?
            .is_some_and(|now| now.generation == at.generation)
    {
        let anchor = page_anchors::Anchor {
            position: start,
            value: first.try_get_by_index::<String>(1)?,
            id: first.try_get_by_index::<i64>(0)?,
        };
        page_anchors::learn(at, query.sort, anchor);
    }
    let mut ids = Vec::with_capacity(rows.len());
    for row in &rows {
        ids.push(row.try_get_by_index::<i64>(0)?);
    }
    // Rows come ascending when read forwards: a descending page turns
    // them round, and the other way about.
    if forwards == (query.dir == SortDir::Desc) {
        ids.reverse();
    }
    Ok(Some(ids))
}

/// Whether `query` is the plain view: no search, no filter, deleted users
/// hidden. Its total is kept by the database ([`count_matching`]) and
/// SQLite reads it through the sort index ([`sqlite_sort_index`]).
fn is_plain(query: &UserListQuery) -> bool {
    query.q.is_none() && is_search_only(query) && !query.include_deleted
}

/// Whether `query` filters by nothing but its search text, if any.
fn is_search_only(query: &UserListQuery) -> bool {
    query.status.is_none()
        && query.role.is_none()
        && query.team.is_none()
        && query.signed_in.is_none()
}

/// SQLite, a search with no other filter and deleted users hidden: whether
/// to find the page by walking the live users' sort index, asking of each
/// user whether it matches, rather than reading every match and sorting
/// them. Walking reaches the page after about `(skip + limit) × live /
/// matches` index entries; reading costs a row per match. A search that
/// matches many (5,000 of 100,000 users contain "ann") is walked: 0.7 ms
/// instead of 4 ms; a rare one ("smith") is read and sorted.
async fn walk_sort_index(
    conn: &impl ConnectionTrait,
    query: &UserListQuery,
    matches: u64,
    window: Window,
) -> AppResult<bool> {
    if conn.get_database_backend() != DbBackend::Sqlite
        || query.q.is_none()
        || !is_search_only(query)
        || query.include_deleted
        || sqlite_sort_index(query, true).is_none()
    {
        return Ok(false);
    }
    let live = live_total(conn).await?.unwrap_or(u64::MAX);
    let reach = window.skip.saturating_add(window.take);
    Ok(reach.saturating_mul(live) < matches.saturating_mul(matches))
}

/// `user_totals.live`: the users not deleted, kept by triggers.
pub(crate) async fn live_total(conn: &impl ConnectionTrait) -> AppResult<Option<u64>> {
    let statement = Statement::from_string(
        conn.get_database_backend(),
        "SELECT live FROM user_totals WHERE id = 1",
    );
    Ok(single_count(conn, statement).await?)
}

/// How many users `condition` (made from `query`) selects. The plain
/// view's total is `user_totals.live`, kept by triggers as users are added,
/// deleted and restored: counting 100,000 index entries on every page took
/// 4 ms on SQLite and 24 ms on PostgreSQL.
pub async fn count_matching(
    conn: &impl ConnectionTrait,
    query: &UserListQuery,
    condition: Condition,
) -> AppResult<u64> {
    if is_plain(query)
        && let Some(live) = live_total(conn).await?
    {
        return Ok(live);
    }
    if conn.get_database_backend() == DbBackend::Sqlite
        && is_search_only(query)
        && let Some(q) = &query.q
        && let Some(count) = sqlite_search_count(conn, q, query.include_deleted).await?
    {
        return Ok(count);
    }
    Ok(user::Entity::find().filter(condition).count(conn).await?)
}

/// The ids of the users `condition` selects, in the view's order; a slice
/// of them with `window = Some((offset, limit))`. Ids alone, which an index
/// on the sort column can answer without reading rows (a deep page skips
/// index entries, not rows).
pub async fn ordered_ids(
    conn: &impl ConnectionTrait,
    query: &UserListQuery,
    condition: Condition,
    window: Option<(u64, u64)>,
) -> AppResult<Vec<i64>> {
    ordered_ids_in(conn, query, condition, window, false, false).await
}

/// [`ordered_ids`], in the view's order or (`reversed`) its exact reverse.
async fn ordered_ids_in(
    conn: &impl ConnectionTrait,
    query: &UserListQuery,
    condition: Condition,
    window: Option<(u64, u64)>,
    reversed: bool,
    walk: bool,
) -> AppResult<Vec<i64>> {
    let backend = conn.get_database_backend();
    let statement = ordered_ids_statement(backend, query, condition, window, reversed, walk);
    let mut ids = Vec::new();
    for row in conn.query_all_raw(statement).await? {
        ids.push(row.try_get_by_index::<i64>(0)?);
    }
    Ok(ids)
}

/// The statement [`ordered_ids`] runs (public for the benchmark's EXPLAIN);
/// `walk` reads a search's page through the sort index
/// ([`walk_sort_index`]).
pub fn ordered_ids_statement(
    backend: DbBackend,
    query: &UserListQuery,
    condition: Condition,
    window: Option<(u64, u64)>,
    reversed: bool,
    walk: bool,
) -> Statement {
    let mut statement = ordered_ids_select(query, condition, window, reversed).build(backend);
    if backend == DbBackend::Sqlite
        && let Some(index) = sqlite_sort_index(query, walk)
    {
        sqlite_users_index(&mut statement, index);
    }
    statement
}

/// SQLite: the partial index a plain view (no search, no filter, deleted
/// users hidden) sorted by username or email is read from. SQLite's planner
/// prefers the unique index on that column, which holds deleted users too,
/// and then reads every row to leave them out: page 2,000 of 100,000 users
/// took 350 ms, even after ANALYZE. The partial index holds exactly the
/// users shown, in order, with their ids. Filtered views are left to the
/// planner: reading them through a sort index could cost more, except a
/// search that [`walk_sort_index`] finds worth walking (`walk`).
fn sqlite_sort_index(query: &UserListQuery, walk: bool) -> Option<&'static str> {
    let plain = is_plain(query) || walk;
    match query.sort {
        SortKey::Username if plain => Some("idx_users_live_username"),
        SortKey::Email if plain => Some("idx_users_live_email"),
        _ => None,
    }
}

/// The query behind [`ordered_ids_statement`]; `reversed` turns the whole
/// order around, users without a value included (they come first then).
pub fn ordered_ids_select(
    query: &UserListQuery,
    condition: Condition,
    window: Option<(u64, u64)>,
    reversed: bool,
) -> Select<user::Entity> {
    let (column, column_reversed) = sort_column(query.sort);
    let ascending = ((query.dir == SortDir::Asc) != column_reversed) != reversed;
    let order = if ascending { Order::Asc } else { Order::Desc };
    let mut ids_query = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(condition);
    ids_query = if nullable(query.sort) {
        // Users without a value (never signed in…) come last either way.
        let nulls = if reversed {
            NullOrdering::First
        } else {
            NullOrdering::Last
        };
        ids_query.order_by_with_nulls(column, order.clone(), nulls)
    } else {
        ids_query.order_by(column, order.clone())
    };
    ids_query = ids_query.order_by(user::Column::Id, order);
    if let Some((offset, limit)) = window {
        ids_query = ids_query.offset(offset).limit(limit);
    }
    ids_query
}

/// The table rows of these users, in the order given: one query for the
/// users, one for their roles.
pub async fn rows_for(
    conn: &impl ConnectionTrait,
    ids: &[i64],
    now: DateTime<Utc>,
) -> AppResult<Vec<UserRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut users = user::Entity::find()
        .filter(user::Column::Id.is_in(ids.to_vec()))
        .all(conn)
        .await?;
    let position: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    users.sort_by_key(|u| position.get(&u.id).copied());
    let role_names: Vec<(i64, String)> = user_role::Entity::find()
        .select_only()
        .column(user_role::Column::UserId)
        .column(role::Column::Name)
        .join(JoinType::InnerJoin, user_role::Relation::Role.def())
        .filter(user_role::Column::UserId.is_in(ids.to_vec()))
        .order_by_asc(role::Column::Name)
        .into_tuple()
        .all(conn)
        .await?;
    let mut roles_of: std::collections::HashMap<i64, Vec<String>> =
        std::collections::HashMap::new();
    for (id, name) in role_names {
        roles_of.entry(id).or_default().push(name);
    }
    Ok(users
        .into_iter()
        .map(|u| {
            let roles = roles_of.remove(&u.id).unwrap_or_default();
            row(u, roles, now)
        })
        .collect())
}

/// Role and team names for the table's filters, A–Z.
pub async fn filter_options(
    conn: &impl ConnectionTrait,
) -> AppResult<crate::users::table::api::FilterOptions> {
    let roles = role::Entity::find()
        .select_only()
        .column(role::Column::Name)
        .order_by_asc(role::Column::Name)
        .into_tuple()
        .all(conn)
        .await?;
    let teams = team::Entity::find()
        .select_only()
        .column(team::Column::Name)
        .order_by_asc(team::Column::Name)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(crate::users::table::api::FilterOptions { roles, teams })
}

pub(crate) fn row(u: user::Model, roles: Vec<String>, now: DateTime<Utc>) -> UserRow {
    let state = AccountState::of(&u, now);
    let last_location = match (u.last_signin_client, u.last_signin_ip) {
        (Some(client), Some(ip)) => Some(format!("{ip} · {client}")),
        (client, ip) => ip.or(client),
    };
    UserRow {
        id: u.id,
        username: u.username,
        email: u.email,
        name: u.name,
        roles,
        signed_in: u.signed_in_since.is_some(),
        last_signin: u.last_signin_at.map(table_time),
        time_logged_in: u
            .signed_in_since
            .map(|since| duration_text((now - since).num_seconds())),
        signed_in_since: u.signed_in_since.map(|since| since.timestamp()),
        last_location,
        last_activity: u.last_activity_at.map(table_time),
        active: state.active,
        badges: state.badges(),
        phone: u.phone,
        phone_ext: u.phone_ext,
        created_at: table_time(u.created_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(30), "under a minute");
        assert_eq!(duration_text(7 * 60 + 5), "7 min");
        assert_eq!(duration_text(4 * 3600 + 12 * 60), "4 h 12 min");
        assert_eq!(duration_text(2 * 86400 + 3 * 3600 + 59), "2 d 3 h");
    }
}
