//! Bulk actions on users, as set-based SQL in one transaction each: the
//! whole selection changes or none of it does, and every affected user gets
//! one audit entry, written by an `INSERT … SELECT` rather than row by row.
//!
//! Each action first marks the rows it changes with this transaction's
//! timestamp (`updated_at = now`), then derives the audit entries and session
//! revocations from exactly those rows.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

use super::actions::{BulkAction, BulkOutcome, Selection, Skipped};
use super::list::matching;
use super::query::UserListQuery;
use crate::audit::service::Actor;
use crate::auth::password::check_strength;
use crate::auth::settings::AuthState;
use crate::db::begin_write;
use crate::domain::NewPassword;
use crate::email::outbox::Outbox;
use crate::entities::{session, user};
use crate::error::{AppError, AppResult};

/// Most users a request may name one by one; larger selections use
/// "all matching".
pub const MAX_IDS: usize = 10_000;

/// How many skipped usernames a result names (the rest are counted).
const EXAMPLES: u64 = 5;

/// The users a selection names: explicit ids, or all matching a table view
/// (its URL query string), evaluated here on the server.
pub async fn selected(
    conn: &impl ConnectionTrait,
    selection: &Selection,
    now: DateTime<Utc>,
) -> AppResult<Condition> {
    match selection {
        Selection::Ids(ids) if ids.is_empty() => Err(AppError::validation(
            "selection",
            "Select at least one user.",
        )),
        Selection::Ids(ids) if ids.len() > MAX_IDS => Err(AppError::validation(
            "selection",
            format!("Select at most {MAX_IDS} users one by one, or select all matching users."),
        )),
        Selection::Ids(ids) => Ok(Condition::all().add(id_among(conn.get_database_backend(), ids))),
        Selection::Matching(view) => {
            matching(conn, &UserListQuery::from_query_string(view)?, now).await
        }
        Selection::Everyone => Ok(Condition::all()),
    }
}

/// `users.id` is one of `ids`. The ids travel as one JSON array parameter,
/// not 10,000 placeholders: the action's five or six statements each bind
/// one value, and the database reads the list as a table.
fn id_among(backend: DbBackend, ids: &[i64]) -> SimpleExpr {
    let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
    // sea-query's custom SQL: `$1` on PostgreSQL, `?` on SQLite.
    let sql = match backend {
        DbBackend::Postgres => {
            r#""users"."id" IN (SELECT value::bigint FROM jsonb_array_elements_text(CAST($1 AS jsonb)))"#
        }
        _ => r#""users"."id" IN (SELECT value FROM json_each(?))"#,
    };
    Expr::cust_with_values(sql, [list])
}

/// Runs a bulk action for `actor` (whose own account is never locked,
/// deactivated, signed out or given a new password by it).
#[tracing::instrument(skip_all, fields(action = action.label()))]
pub async fn run(
    db: &DatabaseConnection,
    auth: &AuthState,
    outbox: &Outbox,
    actor: &Actor,
    action: &BulkAction,
    selection: &Selection,
) -> AppResult<BulkOutcome> {
    let caller = actor.user_id.ok_or(AppError::Unauthenticated)?;
    // Checked and hashed before the transaction: hashing takes a while.
    let password_hash = match action {
        BulkAction::SetPassword { password, .. } => {
            let password =
                NewPassword::parse(password).map_err(|e| AppError::validation("password", e))?;
            check_strength(&password, &[]).map_err(|e| AppError::validation("password", e))?;
            Some(auth.hashing().hash(&password).await?)
        }
        _ => None,
    };

    let now = Utc::now();
    let txn = begin_write(db).await?;
    let chosen = selected(&txn, selection, now).await?;
    let mut skipped = Vec::new();
    let protects_caller = action.spares_the_caller();
    if protects_caller {
        let caller_selected = user::Entity::find()
            .filter(chosen.clone())
            .filter(user::Column::Id.eq(caller))
            .count(&txn)
            .await?
            > 0;
        if caller_selected {
            skipped.push(Skipped {
                reason: "that is you".to_owned(),
                count: 1,
                examples: vec![actor.username.clone().unwrap_or_default()],
            });
        }
    }
    let mut changing = if protects_caller {
        chosen.clone().add(user::Column::Id.ne(caller))
    } else {
        chosen.clone()
    };
    // Each rule takes its users out of what remains, so a user is skipped
    // for the first reason that applies.
    for (reason, rule) in skip_rules(action, now) {
        let left_alone = changing.clone().add(rule.clone());
        let count = user::Entity::find()
            .filter(left_alone.clone())
            .count(&txn)
            .await?;
        if count > 0 {
            skipped.push(Skipped {
                reason: reason.to_owned(),
                count,
                examples: examples(&txn, left_alone).await?,
            });
        }
        changing = changing.add(rule.not());
    }

    let succeeded = apply(&txn, action, changing, password_hash, now).await?;
    let marked = Condition::all()
        .add(chosen)
        .add(user::Column::UpdatedAt.eq(now));
    if succeeded > 0 {
        record_audit(&txn, actor, action, marked.clone(), now).await?;
        if action.sends_email() || *action == BulkAction::CancelInvitation {
            super::bulk_email::send_links(
                &txn,
                auth.settings(),
                outbox,
                actor,
                action,
                &marked,
                now,
            )
            .await?;
        }
        if matches!(action, BulkAction::SetPassword { .. }) {
            super::bulk_email::send_password_notices(&txn, outbox, &marked, now).await?;
        }
        if action.ends_sessions() {
            end_sessions(&txn, marked, reason_for_sessions(action), now).await?;
        }
    }
    txn.commit().await?;
    if succeeded > 0 {
        outbox.wake();
    }
    tracing::info!(succeeded, skipped = skipped.len(), "bulk action done");
    Ok(BulkOutcome {
        action: action.label().to_owned(),
        succeeded,
        skipped,
    })
}

/// The users the action leaves alone, and why, in the order they are
/// checked.
fn skip_rules(action: &BulkAction, now: DateTime<Utc>) -> Vec<(&'static str, Condition)> {
    let locked = Condition::all()
        .add(user::Column::LockedAt.is_not_null())
        .add(
            Condition::any()
                .add(user::Column::LockedUntil.is_null())
                .add(user::Column::LockedUntil.gt(now)),
        );
    let deleted = || Condition::all().add(user::Column::DeletedAt.is_not_null());
    let invited = || {
        Condition::all()
            .add(user::Column::InvitedAt.is_not_null())
            .add(user::Column::PasswordHash.is_null())
    };
    let cannot_sign_in = || {
        Condition::any()
            .add(user::Column::IsActive.eq(false))
            .add(user::Column::SuspendedAt.is_not_null())
    };
    match action {
        BulkAction::Lock => vec![("already locked", locked)],
        BulkAction::Unlock => vec![(
            "not locked",
            Condition::all()
                .add(user::Column::LockedAt.is_null())
                .add(user::Column::FailedSigninCount.eq(0)),
        )],
        BulkAction::ForceSignOut => vec![(
            "not signed in",
            Condition::all().add(
                user::Column::Id
                    .not_in_subquery(crate::auth::service::users_with_open_sessions(now)),
            ),
        )],
        BulkAction::ToggleActive | BulkAction::SetPassword { .. } => vec![],
        BulkAction::Suspend { .. } => vec![(
            "already suspended",
            Condition::all().add(user::Column::SuspendedAt.is_not_null()),
        )],
        BulkAction::Reinstate => vec![(
            "not suspended",
            Condition::all().add(user::Column::SuspendedAt.is_null()),
        )],
        BulkAction::Delete => vec![("already deleted", deleted())],
        BulkAction::Restore => vec![(
            "not deleted",
            Condition::all().add(user::Column::DeletedAt.is_null()),
        )],
        BulkAction::ResetPassword | BulkAction::SendTemporaryLogin => vec![
            ("deleted", deleted()),
            ("invited: resend the invitation instead", invited()),
            ("inactive or suspended: cannot sign in", cannot_sign_in()),
        ],
        BulkAction::ResendInvitation | BulkAction::CancelInvitation => vec![
            ("deleted", deleted()),
            ("not invited, or already accepted", invited().not()),
        ],
    }
}

async fn examples(conn: &DatabaseTransaction, condition: Condition) -> AppResult<Vec<String>> {
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Username)
        .filter(condition)
        .limit(EXAMPLES)
        .into_tuple()
        .all(conn)
        .await?)
}

/// The UPDATE itself; every changed row gets `updated_at = now`.
async fn apply(
    txn: &DatabaseTransaction,
    action: &BulkAction,
    changing: Condition,
    password_hash: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let none = || Expr::value(None::<DateTime<Utc>>);
    let mut update = user::Entity::update_many()
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(changing);
    // Sending an email changes nothing an administrator edits: no version
    // bump, so it never makes an open edit of the user page stale.
    if !action.sends_email() {
        update = update.col_expr(
            user::Column::Version,
            Expr::col(user::Column::Version).add(1),
        );
    }
    update = match action {
        BulkAction::Lock => update
            .col_expr(user::Column::LockedAt, Expr::value(now))
            .col_expr(user::Column::LockedUntil, none()),
        BulkAction::Unlock => update
            .col_expr(user::Column::LockedAt, none())
            .col_expr(user::Column::LockedUntil, none())
            .col_expr(user::Column::FailedSigninCount, Expr::value(0)),
        BulkAction::ForceSignOut => update
            .col_expr(user::Column::SignedInSince, none())
            .col_expr(user::Column::LastSignedOutAt, Expr::value(now)),
        BulkAction::ToggleActive => update.col_expr(
            user::Column::IsActive,
            Expr::col(user::Column::IsActive).not(),
        ),
        BulkAction::SetPassword {
            must_change_password,
            ..
        } => update
            .col_expr(user::Column::PasswordHash, Expr::value(password_hash))
            .col_expr(user::Column::PasswordChangedAt, Expr::value(now))
            .col_expr(
                user::Column::MustChangePassword,
                Expr::value(*must_change_password),
            )
            .col_expr(user::Column::FailedSigninCount, Expr::value(0)),
        BulkAction::Suspend { reason } => update
            .col_expr(user::Column::SuspendedAt, Expr::value(now))
            .col_expr(
                user::Column::SuspendedReason,
                Expr::value(Some(reason.trim().to_owned()).filter(|r| !r.is_empty())),
            ),
        BulkAction::Reinstate => update
            .col_expr(user::Column::SuspendedAt, none())
            .col_expr(user::Column::SuspendedReason, Expr::value(None::<String>)),
        BulkAction::Delete | BulkAction::CancelInvitation => {
            update.col_expr(user::Column::DeletedAt, Expr::value(now))
        }
        BulkAction::Restore => update.col_expr(user::Column::DeletedAt, none()),
        // Only marked (`updated_at`); the links go out in `bulk_email`.
        BulkAction::ResetPassword
        | BulkAction::SendTemporaryLogin
        | BulkAction::ResendInvitation => update,
    };
    Ok(update.exec(txn).await?.rows_affected)
}

fn reason_for_sessions(action: &BulkAction) -> &'static str {
    match action {
        BulkAction::Lock => "locked",
        BulkAction::ForceSignOut => "forced_sign_out",
        BulkAction::ToggleActive => "deactivated",
        BulkAction::SetPassword { .. } => "password_set",
        BulkAction::Suspend { .. } => "suspended",
        BulkAction::Delete | BulkAction::CancelInvitation => "deleted",
        _ => "",
    }
}

/// Revokes the open sessions of the marked users; for Toggle Active only of
/// those now inactive. Their presence follows.
async fn end_sessions(
    txn: &DatabaseTransaction,
    mut marked: Condition,
    reason: &'static str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if reason == "deactivated" {
        marked = marked.add(user::Column::IsActive.eq(false));
    }
    let users = Query::select()
        .column(user::Column::Id)
        .from(user::Entity)
        .cond_where(marked.clone())
        .to_owned();
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .col_expr(session::Column::RevokedReason, Expr::value(reason))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::UserId.in_subquery(users))
        .exec(txn)
        .await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::SignedInSince,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(user::Column::LastSignedOutAt, Expr::value(now))
        .filter(marked)
        .filter(user::Column::SignedInSince.is_not_null())
        .exec(txn)
        .await?;
    Ok(())
}

/// One audit entry per changed user, in one `INSERT … SELECT`.
async fn record_audit(
    txn: &DatabaseTransaction,
    actor: &Actor,
    action: &BulkAction,
    marked: Condition,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (name, field, new_value): (&str, Option<&str>, SimpleExpr) = match action {
        BulkAction::Lock => ("user.lock", Some("status"), Expr::value("locked")),
        BulkAction::Unlock => ("user.unlock", Some("status"), Expr::value("unlocked")),
        BulkAction::ForceSignOut => ("auth.force_sign_out", None, Expr::value(None::<String>)),
        BulkAction::ToggleActive => (
            "user.set_active",
            Some("is_active"),
            Expr::case(Expr::col(user::Column::IsActive).eq(true), "active")
                .finally("inactive")
                .into(),
        ),
        BulkAction::SetPassword {
            must_change_password,
            ..
        } => (
            "user.password_set",
            Some("password"),
            Expr::value(if *must_change_password {
                "set; must change at next sign-in"
            } else {
                "set"
            }),
        ),
        BulkAction::Suspend { .. } => ("user.suspend", Some("status"), Expr::value("suspended")),
        BulkAction::Reinstate => ("user.reinstate", Some("status"), Expr::value("reinstated")),
        BulkAction::Delete => ("user.delete", Some("status"), Expr::value("deleted")),
        BulkAction::Restore => ("user.restore", Some("status"), Expr::value("restored")),
        BulkAction::ResetPassword => (
            "user.password_reset_sent",
            None,
            Expr::value(None::<String>),
        ),
        BulkAction::SendTemporaryLogin => (
            "user.temporary_login_sent",
            None,
            Expr::value(None::<String>),
        ),
        BulkAction::ResendInvitation => {
            ("user.invitation_resent", None, Expr::value(None::<String>))
        }
        BulkAction::CancelInvitation => (
            "user.invitation_cancelled",
            Some("status"),
            Expr::value("deleted"),
        ),
    };
    let details = match action {
        BulkAction::Suspend { reason } if !reason.trim().is_empty() => {
            serde_json::json!({ "bulk": true, "reason": reason.trim() })
        }
        _ => serde_json::json!({ "bulk": true }),
    }
    .to_string();
    let select =
        crate::audit::service::entries_per_user(actor, now, name, field, new_value, Some(details))
            .from(user::Entity)
            .cond_where(marked)
            .to_owned();
    crate::audit::service::record_rows(txn, select).await
}
