//! Deep pages of the plain Users table, found from a nearby place in the
//! list instead of from its start. Server-only.
//!
//! Page 1,000 of 100,000 users (50 a page) skipped 49,950 entries of the
//! username index on every request: 1.6 ms on SQLite, more on PostgreSQL,
//! and the load bench's random pages skipped 25,000 on average. Every page
//! served says where one user stands: the first row of page 1,000 is the
//! 49,951st by username. Kept under the search generation, which every
//! change that can move a user's place moves (insert, purge, delete,
//! restore, a new username, email address or name: migration 26), these
//! anchors let a later page start at the nearest one before it (a keyset
//! condition, `(username, id) >= (…)`) and skip fewer than [`GAP`] entries
//! more. No scan is ever run to build them: pages teach them as they are
//! served.
//!
//! An anchor is learned only when the generation read after its page is
//! the one read before (nothing that could move a place committed in
//! between), and anchors of any other generation are never used. Like the
//! kept search totals they also expire after a minute (a database restored
//! from a backup under a running server).

use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, Mutex};
use std::time::Instant;

use crate::directory::query::SortKey;
use crate::directory::search_counts::{Generation, KEPT_FOR};

/// Pages closer than this to the start of the list, or to an anchor, skip
/// the entries between (a few hundredths of a millisecond); a page farther
/// from every anchor teaches one.
pub const GAP: u64 = 200;
/// Anchors kept per database and order (100,000 users need 500).
const MOST_ANCHORS: usize = 2048;
/// Databases × orders kept; past it, all are dropped.
const MOST_ORDERS: usize = 64;

/// Where one user stood in a plain view sorted ascending by a column: its
/// place (0 is the first), its value in that column, and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub position: u64,
    pub value: String,
    pub id: i64,
}

struct Anchors {
    generation: i64,
    since: Instant,
    by_position: BTreeMap<u64, (String, i64)>,
}

impl Anchors {
    fn usable_at(&self, at: &Generation) -> bool {
        self.generation == at.generation && self.since.elapsed() < KEPT_FOR
    }
}

static ANCHORS: LazyLock<Mutex<HashMap<(String, SortKey), Anchors>>> =
    LazyLock::new(Default::default);

/// The anchor nearest before (or at) `position` in the plain view sorted by
/// `sort`, learned at generation `at`.
pub fn nearest(at: &Generation, sort: SortKey, position: u64) -> Option<Anchor> {
    let anchors = ANCHORS.lock().expect("page anchors");
    let kept = anchors
        .get(&(at.database.clone(), sort))
        .filter(|kept| kept.usable_at(at))?;
    kept.by_position
        .range(..=position)
        .next_back()
        .map(|(position, (value, id))| Anchor {
            position: *position,
            value: value.clone(),
            id: *id,
        })
}

/// Keeps `anchor`, seen at generation `at` (read before and again after
/// the page that showed it). Anchors of an older generation are dropped; an
/// anchor of an older generation than those kept is not kept.
pub fn learn(at: &Generation, sort: SortKey, anchor: Anchor) {
    let mut anchors = ANCHORS.lock().expect("page anchors");
    let key = (at.database.clone(), sort);
    if anchors.len() >= MOST_ORDERS && !anchors.contains_key(&key) {
        anchors.clear();
    }
    let kept = anchors.entry(key).or_insert_with(|| Anchors {
        generation: at.generation,
        since: Instant::now(),
        by_position: BTreeMap::new(),
    });
    if !kept.usable_at(at) {
        if kept.generation > at.generation && kept.since.elapsed() < KEPT_FOR {
            return;
        }
        *kept = Anchors {
            generation: at.generation,
            since: Instant::now(),
            by_position: BTreeMap::new(),
        };
    }
    if kept.by_position.len() < MOST_ANCHORS {
        kept.by_position
            .insert(anchor.position, (anchor.value, anchor.id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(database: &str, generation: i64) -> Generation {
        Generation {
            database: database.to_owned(),
            generation,
        }
    }

    fn anchor(position: u64) -> Anchor {
        Anchor {
            position,
            value: format!("user{position}"),
            id: position as i64,
        }
    }

    #[test]
    fn the_nearest_anchor_before_a_place_of_the_same_generation_is_used() {
        let g1 = at("anchors-test-a", 1);
        learn(&g1, SortKey::Username, anchor(1000));
        learn(&g1, SortKey::Username, anchor(3000));
        assert_eq!(nearest(&g1, SortKey::Username, 999), None);
        assert_eq!(nearest(&g1, SortKey::Username, 1000), Some(anchor(1000)));
        assert_eq!(nearest(&g1, SortKey::Username, 2999), Some(anchor(1000)));
        assert_eq!(nearest(&g1, SortKey::Username, 9000), Some(anchor(3000)));
        // Another order, database or generation has none.
        assert_eq!(nearest(&g1, SortKey::Email, 9000), None);
        assert_eq!(
            nearest(&at("anchors-test-b", 1), SortKey::Username, 9000),
            None
        );
        let g2 = at("anchors-test-a", 2);
        assert_eq!(nearest(&g2, SortKey::Username, 9000), None);
        // A newer generation's anchor replaces them all; an older one's is
        // not kept.
        learn(&g2, SortKey::Username, anchor(5000));
        assert_eq!(nearest(&g2, SortKey::Username, 9000), Some(anchor(5000)));
        assert_eq!(nearest(&g2, SortKey::Username, 4000), None);
        learn(&g1, SortKey::Username, anchor(8000));
        assert_eq!(nearest(&g2, SortKey::Username, 9000), Some(anchor(5000)));
        assert_eq!(nearest(&g1, SortKey::Username, 9000), None);
    }
}
