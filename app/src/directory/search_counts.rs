//! A search's total, and the order of what it finds, worked out once per
//! change of the users it can find rather than on every page. Server-only.
//!
//! Counting a search that matches many users costs 20 ms (25,000 of
//! 100,000 users in the trigram index) to 100 ms (two letters, which a
//! trigram cannot find: every row is read), and the Users table shows the
//! total on every page, so paging through a search counted it again and
//! again. The database keeps `user_totals.search_generation`, moved by
//! triggers with every change a search could see (migration 26), and a
//! random `database_key`; this process keeps each total it counted under
//! the key, the search and the generation read *before* counting. A total
//! whose generation is not the current one is counted again, so a change
//! committed by this or any other instance is seen on the next page. Kept
//! totals also expire after one to one and a half minutes, and the map is
//! emptied when it grows past a bound, so no sequence of searches makes it
//! grow without end.
//!
//! The same generation keeps a search's matches in order: every id it
//! finds, sorted by username, email address or name (orders that only a
//! change moving the generation can alter). A later page of that search,
//! in either direction, is then a slice of the list: page 20 of "jo"
//! (2,780 of 100,000 users, too short for a trigram, so every row is read)
//! took 47 ms each time on SQLite, every page after the first now none.
//! Only searches of at most [`MOST_IDS`] users are kept, and at most
//! [`MOST_LISTS`] lists.
//!
//! One request works each out; others asking for the same meanwhile wait
//! for its result ([`once`]). Without that, when a minute's kept lists
//! expired under load, every request for "mo" read all 100,000 rows at
//! once: dozens of scans of 45 ms each took 1.1 s together, and the load
//! bench's p99 went from 47 to 370 ms.
//!
//! Only read paths use it (never a transaction that writes users: its own
//! uncommitted generation could outlive a rollback).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Statement};

use crate::directory::query::{SortDir, SortKey};
use crate::error::AppResult;

/// How long a kept total or list may be used, whatever the generation says
/// (a database restored from a backup under a running server).
pub(crate) const KEPT_FOR: Duration = Duration::from_secs(60);
/// Kept totals across every search and database; past it, all are dropped.
const MOST_KEPT: usize = 4096;
/// The most matches a kept list holds (160 KB of ids). A search matching
/// more is dense: its pages are found by walking the sort index instead.
pub const MOST_IDS: u64 = 20_000;
/// Kept lists across every search and database (at most 10 MB of ids);
/// past it, all are dropped.
const MOST_LISTS: usize = 64;

/// A database as read at one moment: which one, and its search generation.
/// What is kept under it was worked out after it was read.
#[derive(Debug, Clone)]
pub struct Generation {
    pub(crate) database: String,
    pub(crate) generation: i64,
}

#[derive(Hash, PartialEq, Eq)]
struct Key {
    database: String,
    search: String,
    include_deleted: bool,
}

impl Key {
    fn of(at: &Generation, search: &str, include_deleted: bool) -> Self {
        Key {
            database: at.database.clone(),
            search: search.to_owned(),
            include_deleted,
        }
    }
}

struct Kept<T> {
    generation: i64,
    value: T,
    /// Between [`KEPT_FOR`] and one and a half times it after it was kept,
    /// at random: what was worked out together (every search seen in the
    /// first seconds after a start) is then worked out again at different
    /// moments, not all at once. Under the load bench, the renewal of eight
    /// searches' totals and lists in the same second made 18 pages slow.
    fresh_until: Instant,
}

/// What is kept, by what it is kept under.
type KeptBy<K, T> = Mutex<HashMap<K, Kept<T>>>;

static TOTALS: LazyLock<KeptBy<Key, u64>> = LazyLock::new(Default::default);
/// A search's matches, in ascending order of a sort key.
type Matches = Arc<[i64]>;
static LISTS: LazyLock<KeptBy<(Key, SortKey), Matches>> = LazyLock::new(Default::default);

/// What is kept under `key` at generation `at`, and whether it is fresh
/// (kept less than [`KEPT_FOR`], or a little more, ago).
fn kept<K: std::hash::Hash + Eq, T: Clone>(
    map: &KeptBy<K, T>,
    key: &K,
    at: &Generation,
) -> Option<(T, bool)> {
    map.lock()
        .expect("kept searches")
        .get(key)
        .filter(|kept| kept.generation == at.generation)
        .map(|kept| (kept.value.clone(), Instant::now() < kept.fresh_until))
}

fn keep<K: std::hash::Hash + Eq, T>(
    map: &KeptBy<K, T>,
    bound: usize,
    key: K,
    at: &Generation,
    value: T,
) {
    let mut map = map.lock().expect("kept searches");
    if map.len() >= bound {
        map.clear();
    }
    map.insert(
        key,
        Kept {
            generation: at.generation,
            value,
            fresh_until: Instant::now() + KEPT_FOR.mul_f64(1.0 + rand::random::<f64>() / 2.0),
        },
    );
}

/// Gates, one per thing being worked out: whoever holds one works it out,
/// the others wait for it and then find it kept.
type Gate = Arc<tokio::sync::Mutex<()>>;
static GATES: LazyLock<Mutex<HashMap<String, Gate>>> = LazyLock::new(Default::default);

/// What is kept (`find`), or else worked out by one request at a time
/// under `gate` (`work`, which keeps it): a request arriving while another
/// works waits, then finds the result. Something kept of the current
/// generation but no longer fresh is worked out again by one request while
/// the others go on with it: when every search's total and list aged at
/// the same moment, the scans to renew them all at once held every page
/// up for a tenth of a second.
async fn once<T, F>(
    gate: String,
    find: impl Fn() -> Option<(T, bool)>,
    work: impl FnOnce() -> F,
) -> AppResult<T>
where
    F: Future<Output = AppResult<T>>,
{
    let found = find();
    if let Some((value, true)) = found {
        return Ok(value);
    }
    let gate = {
        let mut gates = GATES.lock().expect("search gates");
        if gates.len() >= MOST_KEPT {
            // Only gates nobody holds or waits for are dropped.
            gates.retain(|_, gate| Arc::strong_count(gate) > 1);
        }
        gates.entry(gate).or_default().clone()
    };
    let _turn = match found {
        Some((aged, _)) => match gate.try_lock() {
            Ok(turn) => turn,
            Err(_) => return Ok(aged),
        },
        None => gate.lock().await,
    };
    if let Some((value, true)) = find() {
        return Ok(value);
    }
    work().await
}

/// The total of the search `q` (with the deleted users or not): kept if it
/// was counted at generation `at`, else `count`ed now (by one request at a
/// time) and kept.
pub async fn total_of_search<F>(
    at: &Generation,
    q: &str,
    include_deleted: bool,
    count: F,
) -> AppResult<u64>
where
    F: Future<Output = AppResult<u64>>,
{
    let key = || Key::of(at, q, include_deleted);
    let gate = format!("total\0{}\0{q}\0{include_deleted}", at.database);
    once(
        gate,
        || kept(&TOTALS, &key(), at),
        || async {
            let total = count.await?;
            keep(&TOTALS, MOST_KEPT, key(), at, total);
            Ok(total)
        },
    )
    .await
}

/// Whether a list sorted by `sort` can be kept: its order moves only with
/// the generation (username, email address and name never repeat a user's
/// place otherwise; ties go by id).
pub fn keeps_order_of(sort: SortKey) -> bool {
    matches!(sort, SortKey::Username | SortKey::Email | SortKey::Name)
}

/// Every id the search `q` finds, sorted ascending by `sort` (then id),
/// if a list was kept at generation `at`.
pub fn kept_ids(
    at: &Generation,
    q: &str,
    include_deleted: bool,
    sort: SortKey,
) -> Option<Arc<[i64]>> {
    kept(&LISTS, &(Key::of(at, q, include_deleted), sort), at)
        .filter(|(_, fresh)| *fresh)
        .map(|(ids, _)| ids)
}

/// Every id the search `q` finds, sorted ascending by `sort` (then id):
/// kept if read at generation `at`, else `read` now (by one request at a
/// time) and kept if it is at most [`MOST_IDS`] long.
pub async fn ids_of_search<F>(
    at: &Generation,
    q: &str,
    include_deleted: bool,
    sort: SortKey,
    read: F,
) -> AppResult<Arc<[i64]>>
where
    F: Future<Output = AppResult<Vec<i64>>>,
{
    let gate = format!("ids\0{}\0{q}\0{include_deleted}\0{sort:?}", at.database);
    once(
        gate,
        || kept(&LISTS, &(Key::of(at, q, include_deleted), sort), at),
        || async {
            let ids: Arc<[i64]> = read.await?.into();
            if keeps_order_of(sort) && ids.len() as u64 <= MOST_IDS {
                let key = (Key::of(at, q, include_deleted), sort);
                keep(&LISTS, MOST_LISTS, key, at, ids.clone());
            }
            Ok(ids)
        },
    )
    .await
}

/// Rows `skip..skip + take` of a list kept ascending, in direction `dir`
/// (descending reads it from the end: the exact reverse, ties included).
pub fn slice_of(ids: &[i64], dir: SortDir, skip: u64, take: u64) -> Vec<i64> {
    let len = ids.len() as u64;
    let start = skip.min(len);
    let end = skip.saturating_add(take).min(len);
    match dir {
        SortDir::Asc => ids[start as usize..end as usize].to_vec(),
        SortDir::Desc => ids[(len - end) as usize..(len - start) as usize]
            .iter()
            .rev()
            .copied()
            .collect(),
    }
}

/// This database's search generation and its live users (not deleted), as
/// one statement reads them: the plain view's total and what its anchors
/// are kept under (`None` before migration 26).
pub async fn generation_and_live(
    conn: &impl ConnectionTrait,
) -> AppResult<Option<(Generation, u64)>> {
    let statement = Statement::from_string(
        conn.get_database_backend(),
        "SELECT database_key, search_generation, live FROM user_totals WHERE id = 1",
    );
    Ok(match conn.query_one_raw(statement).await? {
        Some(row) => Some((
            Generation {
                database: row.try_get_by_index::<String>(0)?,
                generation: row.try_get_by_index::<i64>(1)?,
            },
            u64::try_from(row.try_get_by_index::<i64>(2)?).unwrap_or(0),
        )),
        None => None,
    })
}

/// This database's key and its current search generation (`None` before
/// migration 26 ran, which never happens to a server: it migrates first).
pub async fn generation(conn: &impl ConnectionTrait) -> AppResult<Option<Generation>> {
    Ok(generation_and_live(conn).await?.map(|(at, _)| at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_list_is_sliced_in_either_direction() {
        let ids = [1, 2, 3, 4, 5, 6, 7];
        assert_eq!(slice_of(&ids, SortDir::Asc, 0, 3), [1, 2, 3]);
        assert_eq!(slice_of(&ids, SortDir::Asc, 6, 3), [7]);
        assert_eq!(slice_of(&ids, SortDir::Asc, 9, 3), Vec::<i64>::new());
        assert_eq!(slice_of(&ids, SortDir::Desc, 0, 3), [7, 6, 5]);
        assert_eq!(slice_of(&ids, SortDir::Desc, 6, 3), [1]);
        assert_eq!(slice_of(&ids, SortDir::Desc, 7, 3), Vec::<i64>::new());
    }
}
