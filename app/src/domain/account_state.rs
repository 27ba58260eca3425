//! The account model: whether a user is active, locked (an automatic lock
//! expires), suspended, invited, deleted, must change their password, and
//! so whether they can sign in. Written once, in two forms that must agree:
//!
//! - the Rust form, [`AccountState::of`], for one loaded row (sign-in
//!   admission, the table's badges, the user page);
//! - the SQL form, [`condition`] and [`can_sign_in`], for set-based work
//!   (the table's status filter, the bulk actions' skip rules, the sign-in's
//!   conditional UPDATE).
//!
//! `server/tests/api/account_state.rs` seeds one user per state and checks
//! that both forms pick the same users for every flag.

use serde::{Deserialize, Serialize};

/// One property of an account's state; also the choices of the Users
/// table's `status` filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StatusFilter {
    Active,
    Inactive,
    Locked,
    MustChangePassword,
    Invited,
    Suspended,
    Deleted,
}

impl StatusFilter {
    pub const ALL: [StatusFilter; 7] = [
        StatusFilter::Active,
        StatusFilter::Inactive,
        StatusFilter::Locked,
        StatusFilter::MustChangePassword,
        StatusFilter::Invited,
        StatusFilter::Suspended,
        StatusFilter::Deleted,
    ];

    /// The value in the URL (`status=locked`).
    pub const fn key(self) -> &'static str {
        match self {
            StatusFilter::Active => "active",
            StatusFilter::Inactive => "inactive",
            StatusFilter::Locked => "locked",
            StatusFilter::MustChangePassword => "must_change_password",
            StatusFilter::Invited => "invited",
            StatusFilter::Suspended => "suspended",
            StatusFilter::Deleted => "deleted",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            StatusFilter::Active => "Active",
            StatusFilter::Inactive => "Inactive",
            StatusFilter::Locked => "Locked",
            StatusFilter::MustChangePassword => "Must change password",
            StatusFilter::Invited => "Invited",
            StatusFilter::Suspended => "Suspended",
            StatusFilter::Deleted => "Deleted",
        }
    }
}

/// A badge beside a user's Active/Inactive status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum StatusBadge {
    Locked,
    MustChangePassword,
    Invited,
    Suspended,
    Deleted,
}

impl StatusBadge {
    pub const fn label(self) -> &'static str {
        match self {
            StatusBadge::Locked => "Locked",
            StatusBadge::MustChangePassword => "Must change password",
            StatusBadge::Invited => "Invited",
            StatusBadge::Suspended => "Suspended",
            StatusBadge::Deleted => "Deleted",
        }
    }
}

/// Why an account may neither sign in nor keep a session, whatever the
/// password, in the order they are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    Deleted,
    Suspended,
    Inactive,
    Locked,
}

/// A user's account state at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountState {
    pub active: bool,
    /// Locked by an administrator, or automatically and not yet run out.
    pub locked: bool,
    pub must_change_password: bool,
    /// Invited and the invitation not yet accepted (no password chosen).
    pub invited: bool,
    pub suspended: bool,
    pub deleted: bool,
}

impl AccountState {
    /// The state of `user` at `now`.
    #[cfg(feature = "ssr")]
    pub fn of(user: &crate::entities::user::Model, now: chrono::DateTime<chrono::Utc>) -> Self {
        AccountState {
            active: user.is_active,
            locked: user.locked_at.is_some() && user.locked_until.is_none_or(|until| until > now),
            must_change_password: user.must_change_password,
            invited: user.invited_at.is_some() && user.password_hash.is_none(),
            suspended: user.suspended_at.is_some(),
            deleted: user.deleted_at.is_some(),
        }
    }

    /// Whether the state has `flag` (the Rust form of [`condition`]).
    pub fn has(self, flag: StatusFilter) -> bool {
        match flag {
            StatusFilter::Active => self.active,
            StatusFilter::Inactive => !self.active,
            StatusFilter::Locked => self.locked,
            StatusFilter::MustChangePassword => self.must_change_password,
            StatusFilter::Invited => self.invited,
            StatusFilter::Suspended => self.suspended,
            StatusFilter::Deleted => self.deleted,
        }
    }

    /// Why this account may neither sign in nor keep a session now, if it
    /// may not. (Having no password refuses a sign-in by password only: a
    /// temporary login's session lives until the user has chosen one.)
    pub fn refusal(self) -> Option<Standing> {
        if self.deleted {
            Some(Standing::Deleted)
        } else if self.suspended {
            Some(Standing::Suspended)
        } else if !self.active {
            Some(Standing::Inactive)
        } else if self.locked {
            Some(Standing::Locked)
        } else {
            None
        }
    }

    /// Whether the account may sign in and keep its sessions (the Rust form
    /// of [`can_sign_in`]).
    pub fn can_sign_in(self) -> bool {
        self.refusal().is_none()
    }

    /// Whether an administrator has switched the account off (inactive or
    /// suspended): no link by email can help it, unlike a lock, which a
    /// password reset may follow.
    pub fn switched_off(self) -> bool {
        !self.active || self.suspended
    }

    /// The badges the table and the user page show beside Active/Inactive.
    pub fn badges(self) -> Vec<StatusBadge> {
        [
            (self.locked, StatusBadge::Locked),
            (self.must_change_password, StatusBadge::MustChangePassword),
            (self.invited, StatusBadge::Invited),
            (self.suspended, StatusBadge::Suspended),
            (self.deleted, StatusBadge::Deleted),
        ]
        .into_iter()
        .filter_map(|(on, badge)| on.then_some(badge))
        .collect()
    }
}

#[cfg(feature = "ssr")]
pub use sql::{can_sign_in, condition, switched_off};

/// The SQL form of the account model, over the `users` table.
#[cfg(feature = "ssr")]
mod sql {
    use chrono::{DateTime, Utc};
    use sea_orm::{ColumnTrait, Condition};

    use super::StatusFilter;
    use crate::entities::user::Column;

    /// The users whose state has `flag` at `now` (the SQL form of
    /// [`super::AccountState::has`]).
    pub fn condition(flag: StatusFilter, now: DateTime<Utc>) -> Condition {
        match flag {
            StatusFilter::Active => Condition::all().add(Column::IsActive.eq(true)),
            StatusFilter::Inactive => Condition::all().add(Column::IsActive.eq(false)),
            StatusFilter::Locked => Condition::all().add(Column::LockedAt.is_not_null()).add(
                Condition::any()
                    .add(Column::LockedUntil.is_null())
                    .add(Column::LockedUntil.gt(now)),
            ),
            StatusFilter::MustChangePassword => {
                Condition::all().add(Column::MustChangePassword.eq(true))
            }
            StatusFilter::Invited => Condition::all()
                .add(Column::InvitedAt.is_not_null())
                .add(Column::PasswordHash.is_null()),
            StatusFilter::Suspended => Condition::all().add(Column::SuspendedAt.is_not_null()),
            StatusFilter::Deleted => Condition::all().add(Column::DeletedAt.is_not_null()),
        }
    }

    /// The users who may sign in and keep their sessions at `now`.
    pub fn can_sign_in(now: DateTime<Utc>) -> Condition {
        Condition::all()
            .add(condition(StatusFilter::Deleted, now).not())
            .add(condition(StatusFilter::Suspended, now).not())
            .add(condition(StatusFilter::Active, now))
            .add(condition(StatusFilter::Locked, now).not())
    }

    /// The users an administrator has switched off (inactive or suspended).
    pub fn switched_off(now: DateTime<Utc>) -> Condition {
        Condition::any()
            .add(condition(StatusFilter::Inactive, now))
            .add(condition(StatusFilter::Suspended, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_come_in_order_and_badges_follow_the_flags() {
        let fine = AccountState {
            active: true,
            ..Default::default()
        };
        assert!(fine.can_sign_in());
        assert!(fine.badges().is_empty());
        let everything = AccountState {
            active: false,
            locked: true,
            must_change_password: true,
            invited: true,
            suspended: true,
            deleted: true,
        };
        assert_eq!(everything.refusal(), Some(Standing::Deleted));
        assert_eq!(everything.badges().len(), 5);
        let locked = AccountState {
            locked: true,
            ..fine
        };
        assert_eq!(locked.refusal(), Some(Standing::Locked));
        assert!(!locked.switched_off());
        // A password that must change does not stop a sign-in.
        let must_change = AccountState {
            must_change_password: true,
            ..fine
        };
        assert!(must_change.can_sign_in());
    }
}
