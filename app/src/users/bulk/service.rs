//! Bulk actions on users, as set-based SQL in one transaction each: the
//! whole selection changes or none of it does, and every affected user gets
//! one audit entry, written by an `INSERT … SELECT` rather than row by row.
//!
//! The UPDATE returns the ids of the rows it changed (`RETURNING id`), and
//! everything that follows — audit entries, session ends, link
//! cancellations, emails — is driven by exactly those ids. Re-evaluating the
//! selection afterwards would miss every user whose change took them out of
//! the view (Unlock on `status=locked`, Delete on the default view…).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    ExprTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};

use crate::audit::AuditAction;
use crate::audit::service::Actor;
use crate::auth::SessionEndReason;
use crate::auth::password::check_strength;
use crate::auth::settings::AuthState;
use crate::db::begin_write;
use crate::directory::Selection;
use crate::directory::selection::{id_among, selected};
use crate::domain::account_state::{self, StatusFilter};
use crate::domain::{FormField, NewPassword};
use crate::effects::AfterCommit;
use crate::email::outbox::Outbox;
use crate::entities::{session, user};
use crate::error::{AppError, AppResult};
use crate::users::bulk::api::{BulkAction, BulkOutcome, Skipped};

/// How many skipped usernames a result names (the rest are counted).
const EXAMPLES: usize = 5;

/// Runs a bulk action for `actor` (whose own account is never locked,
/// deactivated, signed out or given a new password by it). Returns what it
/// did and what to announce once it has committed.
#[tracing::instrument(skip_all, fields(action = action.label()))]
pub async fn run(
    db: &DatabaseConnection,
    auth: &AuthState,
    outbox: &Outbox,
    actor: &Actor,
    action: &BulkAction,
    selection: &Selection,
) -> AppResult<(BulkOutcome, AfterCommit)> {
    let caller = actor.user_id.ok_or(AppError::Unauthenticated)?;
    // Checked and hashed before the transaction: hashing takes a while.
    let password_hash = match action {
        BulkAction::SetPassword { password, .. } => {
            let password = NewPassword::parse(password.expose())
                .map_err(|e| AppError::validation(FormField::Password, e))?;
            check_strength(&password, &[])
                .map_err(|e| AppError::validation(FormField::Password, e))?;
            Some(auth.hashing().hash(&password).await?)
        }
        _ => None,
    };

    let now = Utc::now();
    let txn = begin_write(db).await?;
    // One pass over the selection (for "all matching", a search through
    // every user) finds each chosen user and the first reason to leave them
    // alone; every step after it finds users by id.
    let rules = skip_rules(action, now);
    let first_rule: SimpleExpr = match rules.split_first() {
        None => Expr::value(0),
        Some(((_, first), rest)) => rest
            .iter()
            .enumerate()
            .fold(Expr::case(first.clone(), 1), |case, (index, (_, rule))| {
                case.case(rule.clone(), index as i32 + 2)
            })
            .finally(0)
            .into(),
    };
    let chosen: Vec<(i64, String, i32)> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Username)
        .expr(first_rule)
        .filter(selected(&txn, selection, now).await?)
        .order_by_asc(user::Column::Id)
        .into_tuple()
        .all(&txn)
        .await?;
    let mut skipped = Vec::new();
    let protects_caller = action.spares_the_caller();
    if protects_caller && chosen.iter().any(|(id, ..)| *id == caller) {
        skipped.push(Skipped {
            reason: "that is you".to_owned(),
            count: 1,
            examples: vec![actor.username.clone().unwrap_or_default()],
        });
    }
    let others = || {
        chosen
            .iter()
            .filter(move |(id, ..)| !(protects_caller && *id == caller))
    };
    for (index, (reason, _)) in rules.iter().enumerate() {
        let left_alone = || others().filter(move |(.., rule)| *rule == index as i32 + 1);
        let count = left_alone().count() as u64;
        if count > 0 {
            skipped.push(Skipped {
                reason: (*reason).to_owned(),
                count,
                examples: left_alone()
                    .take(EXAMPLES)
                    .map(|(_, username, _)| username.clone())
                    .collect(),
            });
        }
    }
    let mut changing_ids: Vec<i64> = others()
        .filter(|(.., rule)| *rule == 0)
        .map(|(id, ..)| *id)
        .collect();
    // Deleting every user who can manage roles (or every Administrator)
    // would leave nobody to undo it: they are kept.
    if matches!(action, BulkAction::Delete | BulkAction::CancelInvitation) {
        let keep = crate::roles::service::last_in_control(&txn, &changing_ids).await?;
        if !keep.is_empty() {
            let kept: Vec<&String> = chosen
                .iter()
                .filter(|(id, ..)| keep.binary_search(id).is_ok())
                .map(|(_, username, _)| username)
                .collect();
            skipped.push(Skipped {
                reason: "the last who can manage roles".to_owned(),
                count: kept.len() as u64,
                examples: kept.into_iter().take(EXAMPLES).cloned().collect(),
            });
            changing_ids.retain(|id| keep.binary_search(id).is_err());
        }
    }
    // The rules again, on ids: on PostgreSQL another writer may have changed
    // a user since the pass above.
    let changing = rules.into_iter().fold(
        Condition::all().add(id_among(txn.get_database_backend(), &changing_ids)),
        |changing, (_, rule)| changing.add(rule.not()),
    );

    let changed = apply(&txn, action, changing, password_hash, now).await?;
    let succeeded = changed.len() as u64;
    let marked = Condition::all().add(id_among(txn.get_database_backend(), &changed));
    if succeeded > 0 {
        record_audit(&txn, actor, action, marked.clone(), now).await?;
        // Only the actions about links do anything here.
        crate::users::bulk::email_service::send_links(
            &txn,
            auth.settings(),
            outbox,
            actor,
            action,
            &marked,
            now,
        )
        .await?;
        if matches!(action, BulkAction::SetPassword { .. }) {
            crate::users::bulk::email_service::send_password_notices(&txn, outbox, &marked, now)
                .await?;
        }
        if let Some(reason) = action.session_end_reason() {
            end_sessions(&txn, marked, reason, now).await?;
        }
    }
    txn.commit().await?;
    tracing::info!(succeeded, skipped = skipped.len(), "bulk action done");
    let mut after = AfterCommit::none();
    if succeeded > 0 {
        after = after.users_changed();
        if action.ends_sessions() {
            // Their open tabs go to the sign-in page at once.
            after = after.sessions_ended();
        }
        if action.queues_email() {
            after = after.email_queued();
        }
    }
    let outcome = BulkOutcome {
        action: action.label().to_owned(),
        succeeded,
        skipped,
    };
    Ok((outcome, after))
}

/// The users the action leaves alone, and why, in the order they are
/// checked.
fn skip_rules(action: &BulkAction, now: DateTime<Utc>) -> Vec<(&'static str, Condition)> {
    let is = |flag: StatusFilter| account_state::condition(flag, now);
    let deleted = || is(StatusFilter::Deleted);
    let invited = || is(StatusFilter::Invited);
    match action {
        BulkAction::Lock => vec![("already locked", is(StatusFilter::Locked))],
        // An automatic lock that ran out, or failures counting towards one,
        // are still something to clear.
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
        BulkAction::Suspend { .. } => vec![("already suspended", is(StatusFilter::Suspended))],
        BulkAction::Reinstate => vec![("not suspended", is(StatusFilter::Suspended).not())],
        BulkAction::Delete => vec![("already deleted", deleted())],
        BulkAction::Restore => vec![("not deleted", deleted().not())],
        BulkAction::ResetPassword | BulkAction::SendTemporaryLogin => vec![
            ("deleted", deleted()),
            ("invited: resend the invitation instead", invited()),
            (
                "inactive or suspended: cannot sign in",
                account_state::switched_off(now),
            ),
        ],
        BulkAction::ResendInvitation | BulkAction::CancelInvitation => vec![
            ("deleted", deleted()),
            ("not invited, or already accepted", invited().not()),
        ],
    }
}

/// The UPDATE itself; returns the ids of the rows it changed.
async fn apply(
    txn: &DatabaseTransaction,
    action: &BulkAction,
    changing: Condition,
    password_hash: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<Vec<i64>> {
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
        // Only `updated_at`, so the UPDATE names them; the links go out in
        // `bulk_email`.
        BulkAction::ResetPassword
        | BulkAction::SendTemporaryLogin
        | BulkAction::ResendInvitation => update,
    };
    let mut statement = update.into_query();
    statement.returning_col(user::Column::Id);
    let backend = txn.get_database_backend();
    let mut ids = Vec::new();
    for row in txn.query_all_raw(backend.build(&statement)).await? {
        ids.push(row.try_get_by_index::<i64>(0)?);
    }
    Ok(ids)
}

/// Revokes the open sessions of the marked users; for Toggle Active only of
/// those now inactive. Their presence follows.
async fn end_sessions(
    txn: &DatabaseTransaction,
    mut marked: Condition,
    reason: SessionEndReason,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if reason == SessionEndReason::Deactivated {
        marked = marked.add(user::Column::IsActive.eq(false));
    }
    let users = Query::select()
        .column(user::Column::Id)
        .from(user::Entity)
        .cond_where(marked.clone())
        .to_owned();
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .col_expr(session::Column::RevokedReason, Expr::value(reason.key()))
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
    let (name, field, new_value): (AuditAction, Option<&str>, SimpleExpr) = match action {
        BulkAction::Lock => (AuditAction::Lock, Some("status"), Expr::value("locked")),
        BulkAction::Unlock => (AuditAction::Unlock, Some("status"), Expr::value("unlocked")),
        BulkAction::ForceSignOut => (AuditAction::ForceSignOut, None, Expr::value(None::<String>)),
        BulkAction::ToggleActive => (
            AuditAction::SetActive,
            Some("is_active"),
            Expr::case(Expr::col(user::Column::IsActive).eq(true), "active")
                .finally("inactive")
                .into(),
        ),
        BulkAction::SetPassword {
            must_change_password,
            ..
        } => (
            AuditAction::PasswordSet,
            Some("password"),
            Expr::value(if *must_change_password {
                "set; must change at next sign-in"
            } else {
                "set"
            }),
        ),
        BulkAction::Suspend { .. } => (
            AuditAction::Suspend,
            Some("status"),
            Expr::value("suspended"),
        ),
        BulkAction::Reinstate => (
            AuditAction::Reinstate,
            Some("status"),
            Expr::value("reinstated"),
        ),
        BulkAction::Delete => (AuditAction::Delete, Some("status"), Expr::value("deleted")),
        BulkAction::Restore => (
            AuditAction::Restore,
            Some("status"),
            Expr::value("restored"),
        ),
        BulkAction::ResetPassword => (
            AuditAction::PasswordResetSent,
            None,
            Expr::value(None::<String>),
        ),
        BulkAction::SendTemporaryLogin => (
            AuditAction::TemporaryLoginSent,
            None,
            Expr::value(None::<String>),
        ),
        BulkAction::ResendInvitation => (
            AuditAction::InvitationResent,
            None,
            Expr::value(None::<String>),
        ),
        BulkAction::CancelInvitation => (
            AuditAction::InvitationCancelled,
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
