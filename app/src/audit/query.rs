//! The Audit page's view, as it appears in the URL: `actor`, `target`,
//! `action`, `since`, `until`, `impersonated`, and where the page starts
//! (`before` or `after` an entry, or `at=oldest`). Shared by the page (links
//! and the filter form) and the server (the rule that counts).

use serde::{Deserialize, Serialize};

use super::AuditAction;
use crate::domain::{FormField, shown};
use crate::error::AppError;

/// Entries on one page of the log.
pub const AUDIT_PAGE_SIZE: u64 = 50;

/// Usernames in the log are at most this long (the column's width).
const MAX_NAME_LEN: usize = 32;

/// Where a page of the log starts. Entries are ordered newest first by
/// (time, id); a page is found from its neighbour's edge, never by an
/// offset, so the last page of millions is as quick as the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Position {
    /// The newest entries.
    #[default]
    Newest,
    /// The entries just older than this one.
    Before(i64),
    /// The entries just newer than this one.
    After(i64),
    /// The oldest entries.
    Oldest,
}

/// A day as `YYYY-MM-DD` (a date input's value), read in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Day {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Day {
    /// `YYYY-MM-DD`, a real calendar day.
    pub fn parse(text: &str) -> Option<Day> {
        let mut parts = text.splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let day = Day {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        let leap = day.year % 4 == 0 && (day.year % 100 != 0 || day.year % 400 == 0);
        let days_in_month = match day.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month).contains(&day.day).then_some(day)
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Which entries the Audit page shows, and from where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Who acted (a username, any case).
    pub actor: Option<String>,
    /// Whom it was about (a username, any case): every entry about that
    /// account, under whatever username it had then.
    pub target: Option<String>,
    pub action: Option<AuditAction>,
    /// From the start of this day (UTC).
    pub since: Option<Day>,
    /// Up to the end of this day (UTC).
    pub until: Option<Day>,
    /// Only what was done while impersonating someone.
    pub impersonated: bool,
    pub position: Position,
}

impl AuditQuery {
    /// Reads the URL's parameters; a bad one is a field error naming it.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Result<Self, AppError> {
        let get = |field: FormField| {
            get(field.key())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let name = |field: FormField| -> Result<Option<String>, AppError> {
            match get(field) {
                Some(name) if name.chars().count() > MAX_NAME_LEN => Err(AppError::validation(
                    field,
                    format!("A username has at most {MAX_NAME_LEN} characters."),
                )),
                other => Ok(other),
            }
        };
        let day = |field: FormField| -> Result<Option<Day>, AppError> {
            get(field)
                .map(|text| {
                    Day::parse(&text).ok_or_else(|| {
                        AppError::validation(
                            field,
                            format!("'{}' is not a date; use YYYY-MM-DD.", shown(&text)),
                        )
                    })
                })
                .transpose()
        };
        let entry = |field: FormField| -> Result<Option<i64>, AppError> {
            get(field)
                .map(|text| {
                    text.parse::<i64>()
                        .ok()
                        .filter(|id| *id > 0)
                        .ok_or_else(|| {
                            AppError::validation(
                                field,
                                format!("'{}' is not an entry number.", shown(&text)),
                            )
                        })
                })
                .transpose()
        };
        let action = get(FormField::AuditAction)
            .map(|key| {
                AuditAction::from_key(&key).ok_or_else(|| {
                    AppError::validation(
                        FormField::AuditAction,
                        format!("There is no action '{}'.", shown(&key)),
                    )
                })
            })
            .transpose()?;
        let impersonated = match get(FormField::Impersonated).as_deref() {
            None | Some("no") => false,
            Some("yes") => true,
            Some(other) => {
                return Err(AppError::validation(
                    FormField::Impersonated,
                    format!("'{}' is not yes or no.", shown(other)),
                ));
            }
        };
        let position = match (
            entry(FormField::Before)?,
            entry(FormField::After)?,
            get(FormField::At).as_deref(),
        ) {
            (None, None, None | Some("newest")) => Position::Newest,
            (None, None, Some("oldest")) => Position::Oldest,
            (None, None, Some(other)) => {
                return Err(AppError::validation(
                    FormField::At,
                    format!("'{}' is not newest or oldest.", shown(other)),
                ));
            }
            (Some(id), None, None) => Position::Before(id),
            (None, Some(id), None) => Position::After(id),
            _ => {
                return Err(AppError::validation(
                    FormField::Before,
                    "A page starts before an entry, after one, or at either end: give one of before, after and at.",
                ));
            }
        };
        let query = AuditQuery {
            actor: name(FormField::Actor)?,
            target: name(FormField::Target)?,
            action,
            since: day(FormField::Since)?,
            until: day(FormField::Until)?,
            impersonated,
            position,
        };
        if let (Some(since), Some(until)) = (query.since, query.until)
            && since > until
        {
            return Err(AppError::validation(
                FormField::Until,
                "The end date is before the start date.",
            ));
        }
        Ok(query)
    }

    /// Reads a URL query string (without the `?`).
    pub fn from_query_string(text: &str) -> Result<Self, AppError> {
        Self::from_params(crate::domain::url_query::parse_query(text))
    }

    /// The URL parameters of the filters (not the position), leaving out
    /// what is not set.
    pub fn filter_params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if let Some(actor) = &self.actor {
            params.push((FormField::Actor.key(), actor.clone()));
        }
        if let Some(target) = &self.target {
            params.push((FormField::Target.key(), target.clone()));
        }
        if let Some(action) = self.action {
            params.push((FormField::AuditAction.key(), action.key().to_owned()));
        }
        if let Some(since) = self.since {
            params.push((FormField::Since.key(), since.to_string()));
        }
        if let Some(until) = self.until {
            params.push((FormField::Until.key(), until.to_string()));
        }
        if self.impersonated {
            params.push((FormField::Impersonated.key(), "yes".to_owned()));
        }
        params
    }

    /// The address of this view's page at `position`.
    pub fn href(&self, path: &str, position: Position) -> String {
        let mut params = self.filter_params();
        match position {
            Position::Newest => {}
            Position::Oldest => params.push((FormField::At.key(), "oldest".to_owned())),
            Position::Before(id) => params.push((FormField::Before.key(), id.to_string())),
            Position::After(id) => params.push((FormField::After.key(), id.to_string())),
        }
        crate::domain::url_query::href(path, params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_real_calendar_days() {
        assert_eq!(
            Day::parse("2026-02-28"),
            Some(Day {
                year: 2026,
                month: 2,
                day: 28
            })
        );
        assert!(Day::parse("2024-02-29").is_some());
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-01-01",
            "2026-04-31",
            "yesterday",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_view_round_trips_through_its_address() {
        let query = AuditQuery {
            actor: Some("ada".into()),
            target: Some("bob smith".into()),
            action: Some(AuditAction::Lock),
            since: Day::parse("2026-11-01"),
            until: Day::parse("2026-11-30"),
            impersonated: true,
            position: Position::Before(42),
        };
        let href = query.href("/audit", query.position);
        let (_, text) = href.split_once('?').unwrap();
        assert_eq!(AuditQuery::from_query_string(text).unwrap(), query);
        assert_eq!(
            AuditQuery::default().href("/audit", Position::Newest),
            "/audit"
        );
    }

    #[test]
    fn bad_parameters_name_their_field() {
        for (text, field) in [
            ("action=user.nothing", FormField::AuditAction),
            ("since=2026-02-30", FormField::Since),
            ("since=2026-12-02&until=2026-12-01", FormField::Until),
            ("impersonated=maybe", FormField::Impersonated),
            ("before=-3", FormField::Before),
            ("before=3&after=4", FormField::Before),
            ("at=middle", FormField::At),
        ] {
            match AuditQuery::from_query_string(text) {
                Err(AppError::Validation { field: got, .. }) => {
                    assert_eq!(got, field.key(), "{text}")
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
