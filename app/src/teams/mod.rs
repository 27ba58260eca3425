//! Teams: groups of users (a user can be in several), managed on `/teams`
//! and `/teams/NAME`; the Users table adds or removes its selection.

pub mod api;
#[cfg(feature = "ssr")]
mod members_service;
#[cfg(feature = "ssr")]
pub mod service;
mod ui;

pub use ui::{NewTeamPage, TeamDetailPage, TeamsPage};

/// Members shown per page of a team's member list.
pub const MEMBERS_PER_PAGE: u64 = 50;

/// Most users "Add Members" finds for one search.
pub const CANDIDATES: u64 = 10;
