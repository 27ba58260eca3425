//! The directory's vocabulary for "which users": a table view as it stands
//! in the URL (`query`), its SQL form (`filter`, server-only), and a
//! selection of users (`selection`). Below every feature: the Users table,
//! bulk actions and live messages all name users this way.

#[cfg(feature = "ssr")]
pub mod filter;
#[cfg(feature = "ssr")]
pub mod page_anchors;
pub mod query;
#[cfg(feature = "ssr")]
pub mod search_counts;
pub mod selection;

pub use query::{SortDir, SortKey, UserListQuery};
pub use selection::Selection;
