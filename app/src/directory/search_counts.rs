//! A search's total, counted once per change of the users it can find
//! rather than on every page. Server-only.
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
//! totals also expire after a minute, and the map is emptied when it grows
//! past a bound, so no sequence of searches makes it grow without end.
//!
//! Only read paths use it (never a transaction that writes users: its own
//! uncommitted generation could outlive a rollback).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Statement};

use crate::error::AppResult;

/// How long a kept total may be used, whatever the generation says (a
/// database restored from a backup under a running server).
const KEPT_FOR: Duration = Duration::from_secs(60);
/// Kept totals across every search and database; past it, all are dropped.
const MOST_KEPT: usize = 4096;

#[derive(Hash, PartialEq, Eq)]
struct Key {
    database: String,
    search: String,
    include_deleted: bool,
}

struct Kept {
    generation: i64,
    total: u64,
    counted_at: Instant,
}

static KEPT: LazyLock<Mutex<HashMap<Key, Kept>>> = LazyLock::new(Default::default);

/// The total of the search `q` (with the deleted users or not): kept if it
/// was counted at the database's current generation, else `count`ed now
/// and kept.
pub async fn total_of_search<F>(
    conn: &impl ConnectionTrait,
    q: &str,
    include_deleted: bool,
    count: F,
) -> AppResult<u64>
where
    F: Future<Output = AppResult<u64>>,
{
    let Some((database, generation)) = generation(conn).await? else {
        return count.await;
    };
    let key = Key {
        database,
        search: q.to_owned(),
        include_deleted,
    };
    if let Some(kept) = KEPT.lock().expect("search totals").get(&key)
        && kept.generation == generation
        && kept.counted_at.elapsed() < KEPT_FOR
    {
        return Ok(kept.total);
    }
    let total = count.await?;
    let mut kept = KEPT.lock().expect("search totals");
    if kept.len() >= MOST_KEPT {
        kept.clear();
    }
    kept.insert(
        key,
        Kept {
            generation,
            total,
            counted_at: Instant::now(),
        },
    );
    Ok(total)
}

/// This database's key and its current search generation (`None` before
/// migration 26 ran, which never happens to a server: it migrates first).
async fn generation(conn: &impl ConnectionTrait) -> AppResult<Option<(String, i64)>> {
    let statement = Statement::from_string(
        conn.get_database_backend(),
        "SELECT database_key, search_generation FROM user_totals WHERE id = 1",
    );
    Ok(match conn.query_one_raw(statement).await? {
        Some(row) => Some((
            row.try_get_by_index::<String>(0)?,
            row.try_get_by_index::<i64>(1)?,
        )),
        None => None,
    })
}
