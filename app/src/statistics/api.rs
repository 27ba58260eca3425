//! The Statistics page's data and its server function. The work is in
//! `service` (server-only).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Figure;
use crate::error::AppError;

/// One day's sign-ins, from the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInDay {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub sign_ins: u64,
    pub failed: u64,
}

/// How many users there were at the end of a period (a month `YYYY-MM` or
/// a day `YYYY-MM-DD`), and how many of them were added in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrowthPoint {
    pub period: String,
    pub total: u64,
    pub added: u64,
}

/// Everything the Statistics page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statistics {
    /// Every [`Figure`], in its order.
    pub figures: Vec<(Figure, u64)>,
    /// The last 30 days, oldest first, today included.
    pub sign_ins: Vec<SignInDay>,
    /// Every month since the first user's, oldest first.
    pub growth_by_month: Vec<GrowthPoint>,
    /// The last 90 days, oldest first, today included.
    pub growth_by_day: Vec<GrowthPoint>,
}

/// The figures and series of the Statistics page, as of now.
#[server(name = GetStatistics, prefix = "/api", endpoint = "get_statistics")]
pub async fn get_statistics() -> Result<Statistics, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::authorized;
    authorized(Permission::ViewStatistics, |call| async move {
        super::service::statistics(&call.db, chrono::Utc::now()).await
    })
    .await
}
