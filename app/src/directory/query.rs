//! The Users table's view: search, filters, sort and page, as they appear in
//! the URL (`q`, `status`, `role`, `team`, `signed_in`, `deleted`, `sort`,
//! `dir`, `page`, `per_page`). Shared: the browser reads the URL with it, the
//! server parses the same parameters again and rejects bad ones.

use serde::{Deserialize, Serialize};

use crate::domain::FormField;
use crate::domain::shown;
use crate::error::AppError;

/// Page sizes offered; anything else is refused.
pub const PAGE_SIZES: [u32; 4] = [10, 25, 50, 100];
pub const DEFAULT_PAGE_SIZE: u32 = 25;
/// Longest search text accepted.
pub const MAX_SEARCH_LEN: usize = 100;

/// A sortable column of the Users table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum SortKey {
    #[default]
    Username,
    Email,
    Name,
    LoginStatus,
    LastSignin,
    TimeLoggedIn,
    LastLocation,
    LastActivity,
    Status,
    Phone,
    PhoneExt,
    CreatedAt,
}

impl SortKey {
    pub const ALL: [SortKey; 12] = [
        SortKey::Username,
        SortKey::Email,
        SortKey::Name,
        SortKey::LoginStatus,
        SortKey::LastSignin,
        SortKey::TimeLoggedIn,
        SortKey::LastLocation,
        SortKey::LastActivity,
        SortKey::Status,
        SortKey::Phone,
        SortKey::PhoneExt,
        SortKey::CreatedAt,
    ];

    /// The name in the URL's `sort` parameter.
    pub const fn key(self) -> &'static str {
        match self {
            SortKey::Username => "username",
            SortKey::Email => "email",
            SortKey::Name => "name",
            SortKey::LoginStatus => "login_status",
            SortKey::LastSignin => "last_signin",
            SortKey::TimeLoggedIn => "time_logged_in",
            SortKey::LastLocation => "last_location",
            SortKey::LastActivity => "last_activity",
            SortKey::Status => "status",
            SortKey::Phone => "phone",
            SortKey::PhoneExt => "phone_ext",
            SortKey::CreatedAt => "created_at",
        }
    }

    pub fn parse(text: &str) -> Result<Self, AppError> {
        SortKey::ALL
            .into_iter()
            .find(|k| k.key() == text)
            .ok_or_else(|| {
                let known: Vec<&str> = SortKey::ALL.iter().map(|k| k.key()).collect();
                AppError::validation(
                    FormField::Sort,
                    format!(
                        "Cannot sort by '{}'. Sort by one of: {}.",
                        shown(text),
                        known.join(", ")
                    ),
                )
            })
    }

    /// The direction a click on the column header sorts first: newest or
    /// most first for dates and presence, A–Z for text.
    pub fn natural_direction(self) -> SortDir {
        match self {
            SortKey::LoginStatus
            | SortKey::LastSignin
            | SortKey::TimeLoggedIn
            | SortKey::LastActivity
            | SortKey::CreatedAt => SortDir::Desc,
            _ => SortDir::Asc,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum SortDir {
    #[default]
    Asc,
    Desc,
}

impl SortDir {
    pub const fn key(self) -> &'static str {
        match self {
            SortDir::Asc => "asc",
            SortDir::Desc => "desc",
        }
    }

    pub fn flipped(self) -> Self {
        match self {
            SortDir::Asc => SortDir::Desc,
            SortDir::Desc => SortDir::Asc,
        }
    }
}

pub use crate::domain::StatusFilter;

/// Everything that decides which users the table shows, in which order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UserListQuery {
    /// Search text, matched within username, email address and name.
    pub q: Option<String>,
    pub status: Option<StatusFilter>,
    /// A role name (any case).
    pub role: Option<String>,
    /// A team name (any case).
    pub team: Option<String>,
    /// Only users signed in now (`Some(true)`) or only those who are not.
    pub signed_in: Option<bool>,
    /// Show deleted users along with the others.
    pub include_deleted: bool,
    pub sort: SortKey,
    pub dir: SortDir,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl Default for UserListQuery {
    fn default() -> Self {
        UserListQuery {
            q: None,
            status: None,
            role: None,
            team: None,
            signed_in: None,
            include_deleted: false,
            sort: SortKey::default(),
            dir: SortDir::default(),
            page: 1,
            per_page: DEFAULT_PAGE_SIZE,
        }
    }
}

impl UserListQuery {
    /// Reads the URL's parameters; a bad one is a field error naming it.
    /// Missing or empty parameters take their defaults.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Result<Self, AppError> {
        let get = |field: FormField| {
            get(field.key())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let mut query = UserListQuery::default();
        if let Some(q) = get(FormField::Search) {
            if q.chars().count() > MAX_SEARCH_LEN {
                return Err(AppError::validation(
                    FormField::Search,
                    format!("Search text can be at most {MAX_SEARCH_LEN} characters."),
                ));
            }
            query.q = Some(q);
        }
        if let Some(status) = get(FormField::Status) {
            query.status = Some(
                StatusFilter::ALL
                    .into_iter()
                    .find(|s| s.key() == status)
                    .ok_or_else(|| {
                        AppError::validation(
                            FormField::Status,
                            format!("Unknown status '{}'.", shown(&status)),
                        )
                    })?,
            );
        }
        query.role = get(FormField::Role);
        query.team = get(FormField::Team);
        query.signed_in = match get(FormField::SignedIn).as_deref() {
            None => None,
            Some("yes") => Some(true),
            Some("no") => Some(false),
            Some(other) => {
                return Err(AppError::validation(
                    FormField::SignedIn,
                    format!("'{}' is not yes or no.", shown(other)),
                ));
            }
        };
        query.include_deleted = match get(FormField::Deleted).as_deref() {
            None | Some("hide") => false,
            Some("include") => true,
            Some(other) => {
                return Err(AppError::validation(
                    FormField::Deleted,
                    format!("'{}' is not include or hide.", shown(other)),
                ));
            }
        };
        if let Some(sort) = get(FormField::Sort) {
            query.sort = SortKey::parse(&sort)?;
            query.dir = query.sort.natural_direction();
        }
        query.dir = match get(FormField::SortDirection).as_deref() {
            None => query.dir,
            Some("asc") => SortDir::Asc,
            Some("desc") => SortDir::Desc,
            Some(other) => {
                return Err(AppError::validation(
                    FormField::SortDirection,
                    format!("'{}' is not asc or desc.", shown(other)),
                ));
            }
        };
        if let Some(page) = get(FormField::Page) {
            query.page = page.parse().ok().filter(|p| *p >= 1).ok_or_else(|| {
                AppError::validation(
                    FormField::Page,
                    format!("'{}' is not a page number.", shown(&page)),
                )
            })?;
        }
        if let Some(per_page) = get(FormField::PerPage) {
            query.per_page = per_page
                .parse()
                .ok()
                .filter(|n| PAGE_SIZES.contains(n))
                .ok_or_else(|| {
                    AppError::validation(
                        FormField::PerPage,
                        format!(
                            "'{}' users per page is not offered; choose {}.",
                            shown(&per_page),
                            PAGE_SIZES.map(|n| n.to_string()).join(", ")
                        ),
                    )
                })?;
        }
        Ok(query)
    }

    /// Reads a URL query string (`q=ann&sort=name`, without the `?`).
    pub fn from_query_string(text: &str) -> Result<Self, AppError> {
        Self::from_params(crate::domain::url_query::parse_query(text))
    }

    /// This view's address on the Users table (`/users?…`).
    pub fn href(&self) -> String {
        crate::domain::url_query::href("/users", self.to_params())
    }

    /// The URL parameters of this view, leaving out defaults.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if let Some(q) = &self.q {
            params.push((FormField::Search.key(), q.clone()));
        }
        if let Some(status) = self.status {
            params.push((FormField::Status.key(), status.key().to_owned()));
        }
        if let Some(role) = &self.role {
            params.push((FormField::Role.key(), role.clone()));
        }
        if let Some(team) = &self.team {
            params.push((FormField::Team.key(), team.clone()));
        }
        if let Some(signed_in) = self.signed_in {
            params.push((
                FormField::SignedIn.key(),
                if signed_in { "yes" } else { "no" }.to_owned(),
            ));
        }
        if self.include_deleted {
            params.push((FormField::Deleted.key(), "include".to_owned()));
        }
        if self.sort != SortKey::default() || self.dir != SortDir::default() {
            params.push((FormField::Sort.key(), self.sort.key().to_owned()));
            params.push((FormField::SortDirection.key(), self.dir.key().to_owned()));
        }
        if self.page != 1 {
            params.push((FormField::Page.key(), self.page.to_string()));
        }
        if self.per_page != DEFAULT_PAGE_SIZE {
            params.push((FormField::PerPage.key(), self.per_page.to_string()));
        }
        params
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<UserListQuery, AppError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        UserListQuery::from_params(|k| map.get(k).cloned())
    }

    #[test]
    fn nothing_given_means_first_page_by_username() {
        assert_eq!(parse(&[]).unwrap(), UserListQuery::default());
        assert!(UserListQuery::default().to_params().is_empty());
    }

    #[test]
    fn parameters_round_trip_through_the_url() {
        let query = parse(&[
            ("q", " ann "),
            ("status", "locked"),
            ("role", "Support"),
            ("team", "Sales"),
            ("signed_in", "yes"),
            ("deleted", "include"),
            ("sort", "last_activity"),
            ("dir", "asc"),
            ("page", "3"),
            ("per_page", "50"),
        ])
        .unwrap();
        assert_eq!(query.q.as_deref(), Some("ann"));
        assert_eq!(query.sort, SortKey::LastActivity);
        assert_eq!(query.dir, SortDir::Asc);
        let params = query.to_params();
        let again = UserListQuery::from_params(|k| {
            params.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
        })
        .unwrap();
        assert_eq!(again, query);
    }

    #[test]
    fn dates_sort_newest_first_unless_told() {
        let query = parse(&[("sort", "created_at")]).unwrap();
        assert_eq!(query.dir, SortDir::Desc);
    }

    #[test]
    fn bad_parameters_name_their_field() {
        for (field, value) in [
            ("sort", "password_hash"),
            ("dir", "up"),
            ("page", "0"),
            ("page", "two"),
            ("per_page", "1000"),
            ("status", "happy"),
            ("signed_in", "maybe"),
            ("deleted", "all"),
        ] {
            let error = parse(&[(field, value)]).unwrap_err();
            assert_eq!(error.field(), Some(field), "{field}={value}");
            assert_eq!(
                error.form_field().map(FormField::key),
                Some(field),
                "{field}={value}"
            );
        }
        let long = "x".repeat(MAX_SEARCH_LEN + 1);
        assert_eq!(parse(&[("q", &long)]).unwrap_err().field(), Some("q"));
    }
}
