//! The Statistics page: how many users are in each state, sign-ins per
//! day, and growth over time. Every figure is a set-based count over
//! indexes (`service`), never users loaded into memory; the page (`ui`)
//! draws the series with the shared `components::BarChart`.

pub mod api;
pub mod figure;
#[cfg(feature = "ssr")]
pub mod service;
mod ui;

pub use figure::Figure;
pub use ui::StatisticsPage;
