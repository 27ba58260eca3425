use crate::directory::query::{SortDir, SortKey, StatusFilter, UserListQuery};
use crate::domain::closed_set;

closed_set! {
    /// The Statistics page's figures, in the order shown. Each counts the
    /// users a Users table view lists (`Figure::view`), so following its
    /// link shows the same number of users.
    pub enum Figure, unknown UnknownFigure, text label {
        Total = "total" => "Total users",
        Active = "active" => "Active",
        Inactive = "inactive" => "Inactive",
        Locked = "locked" => "Locked",
        Suspended = "suspended" => "Suspended",
        Invited = "invited" => "Invited",
        SignedInNow = "signed_in" => "Signed in now",
        AddedLast7Days = "added_7d" => "Added in the last 7 days",
        AddedLast30Days = "added_30d" => "Added in the last 30 days",
    }
}

impl Figure {
    /// The Users table view that lists these users. "Added in the last N
    /// days" has no filter of its own: its view is every user, newest
    /// first, where they are the top N rows.
    pub fn view(self) -> UserListQuery {
        let status = |status| UserListQuery {
            status: Some(status),
            ..Default::default()
        };
        match self {
            Figure::Total => UserListQuery::default(),
            Figure::Active => status(StatusFilter::Active),
            Figure::Inactive => status(StatusFilter::Inactive),
            Figure::Locked => status(StatusFilter::Locked),
            Figure::Suspended => status(StatusFilter::Suspended),
            Figure::Invited => status(StatusFilter::Invited),
            Figure::SignedInNow => UserListQuery {
                signed_in: Some(true),
                ..Default::default()
            },
            Figure::AddedLast7Days | Figure::AddedLast30Days => UserListQuery {
                sort: SortKey::CreatedAt,
                dir: SortDir::Desc,
                ..Default::default()
            },
        }
    }

    /// Users created within this many days, for the "Added" figures.
    pub fn added_within_days(self) -> Option<i64> {
        match self {
            Figure::AddedLast7Days => Some(7),
            Figure::AddedLast30Days => Some(30),
            _ => None,
        }
    }

    /// The link to the Users table view.
    pub fn href(self) -> String {
        self.view().href()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_links_to_a_view_the_users_table_reads_back() {
        for figure in Figure::ALL {
            let href = figure.href();
            let text = href.split_once('?').map(|(_, q)| q).unwrap_or_default();
            assert_eq!(
                UserListQuery::from_query_string(text).unwrap(),
                figure.view(),
                "{figure:?}"
            );
        }
        assert_eq!(Figure::Locked.href(), "/users?status=locked");
        assert_eq!(Figure::SignedInNow.href(), "/users?signed_in=yes");
    }
}
