//! The Users table as the browser asks for it: the rows it gets back, its
//! columns, and the server functions that list users and the filters'
//! choices. The listing itself is `service` (server-only).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::directory::query::SortKey;
use crate::domain::StatusBadge;
use crate::error::AppError;

/// The Users table's columns, in order: each title and the sort its header
/// link asks for. The CSV export, the column chooser and the table itself all
/// read this list.
pub const COLUMNS: [(&str, Option<SortKey>); 14] = [
    ("Username", Some(SortKey::Username)),
    ("Email Address", Some(SortKey::Email)),
    ("Name", Some(SortKey::Name)),
    ("Roles", None),
    ("Login Status", Some(SortKey::LoginStatus)),
    ("Last Signin", Some(SortKey::LastSignin)),
    ("Time Logged In", Some(SortKey::TimeLoggedIn)),
    ("Last Location", Some(SortKey::LastLocation)),
    ("Last Activity", Some(SortKey::LastActivity)),
    ("Status", Some(SortKey::Status)),
    ("Phone #", Some(SortKey::Phone)),
    ("Phone EXT", Some(SortKey::PhoneExt)),
    ("Created At", Some(SortKey::CreatedAt)),
    // A link to the user's page: no data to sort or export.
    ("View", None),
];

/// The columns that hold data (all but View): the CSV export's header.
pub fn data_columns() -> impl Iterator<Item = &'static str> {
    COLUMNS
        .iter()
        .map(|(title, _)| *title)
        .filter(|title| *title != "View")
}

/// One row of the Users table, with every column already formatted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<String>,
    /// Login Status: signed in now.
    pub signed_in: bool,
    /// MM-DD-YYYY HH:MM (UTC).
    pub last_signin: Option<String>,
    pub time_logged_in: Option<String>,
    /// Start of the earliest open session (Unix seconds), so the browser can
    /// keep Time Logged In counting.
    pub signed_in_since: Option<i64>,
    /// IP address and client of the last sign-in.
    pub last_location: Option<String>,
    pub last_activity: Option<String>,
    pub active: bool,
    pub badges: Vec<StatusBadge>,
    pub phone: Option<String>,
    pub phone_ext: Option<String>,
    pub created_at: String,
}

/// "2 d 3 h", "4 h 12 min", "7 min", "under a minute": Time Logged In.
pub fn duration_text(seconds: i64) -> String {
    let minutes = Ord::max(seconds, 0) / 60;
    let (days, hours, mins) = (minutes / 1440, (minutes / 60) % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, 0) => "under a minute".to_owned(),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// One page of the Users table and how many users match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub rows: Vec<UserRow>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

impl UserPage {
    pub fn page_count(&self) -> u64 {
        self.total.div_ceil(u64::from(self.per_page)).max(1)
    }
}

/// One page of users for the table. `view` is the table's URL query string
/// (`q=ann&sort=last_activity&dir=desc&page=2`), parsed again here by the
/// same rules as in the browser.
#[server(name = ListUsers, prefix = "/api", endpoint = "list_users")]
pub async fn list_users(#[server(default)] view: String) -> Result<UserPage, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::authorized;
    authorized(Permission::ViewUsers, |call| async move {
        let query = crate::directory::UserListQuery::from_query_string(&view)?;
        crate::users::table::service::list_page(&call.db, &query, chrono::Utc::now()).await
    })
    .await
}

/// The choices of the table's role and team filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterOptions {
    pub roles: Vec<String>,
    pub teams: Vec<String>,
}

#[server(name = GetUserFilterOptions, prefix = "/api", endpoint = "user_filter_options")]
pub async fn user_filter_options() -> Result<FilterOptions, AppError> {
    use crate::auth::Permission;
    use crate::auth::guard::authorized;
    authorized(Permission::ViewUsers, |call| async move {
        crate::users::table::service::filter_options(&call.db).await
    })
    .await
}
