//! Every bulk action on an "all matching" view filtered on the very column
//! the action changes (Unlock on `status=locked`, Delete on the default
//! view…), on SQLite and PostgreSQL. After the UPDATE those users no longer
//! match the view, so whatever follows must be driven by the ids the UPDATE
//! changed, not by the view evaluated again. Per action: succeeded = users
//! changed = audit entries = sessions ended / links issued / emails queued,
//! while another writer edits one of those users at the same time.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, count, spawn_app};

const TARGETS: i64 = 5;
const A_DATE: &str = "'2026-01-01T00:00:00+00:00'";

struct Case {
    action: Value,
    /// The audit action each changed user gets.
    audit: &'static str,
    /// The table view (URL query string) the action runs on.
    view: &'static str,
    /// SQL `SET` clause putting the targets into the view first, if needed.
    prepare: Option<String>,
    /// Holds for a target the action changed (and for none before).
    changed: &'static str,
    /// The targets sign in first; their sessions must end with this reason.
    ends_sessions: Option<&'static str>,
    /// One live link of this kind per target afterwards.
    link: Option<&'static str>,
    /// One email per target.
    emails: bool,
}

fn cases() -> Vec<Case> {
    let case = |action: Value, audit, view, changed| Case {
        action,
        audit,
        view,
        prepare: None,
        changed,
        ends_sessions: None,
        link: None,
        emails: false,
    };
    let invited = format!("invited_at = {A_DATE}, password_hash = NULL");
    vec![
        Case {
            ends_sessions: Some("forced_sign_out"),
            ..case(
                json!("ForceSignOut"),
                "auth.force_sign_out",
                "signed_in=yes",
                "signed_in_since IS NULL",
            )
        },
        Case {
            ends_sessions: Some("locked"),
            ..case(
                json!("Lock"),
                "user.lock",
                "signed_in=yes",
                "locked_at IS NOT NULL",
            )
        },
        Case {
            prepare: Some(format!("locked_at = {A_DATE}")),
            ..case(
                json!("Unlock"),
                "user.unlock",
                "status=locked",
                "locked_at IS NULL",
            )
        },
        Case {
            ends_sessions: Some("deactivated"),
            ..case(
                json!("ToggleActive"),
                "user.set_active",
                "status=active",
                "is_active = FALSE",
            )
        },
        Case {
            prepare: Some("must_change_password = TRUE".into()),
            ends_sessions: Some("password_set"),
            emails: true,
            ..case(
                json!({ "SetPassword": { "password": "Copper-Kettle-Morning-88", "must_change_password": false } }),
                "user.password_set",
                "status=must_change_password",
                "must_change_password = FALSE",
            )
        },
        Case {
            ends_sessions: Some("suspended"),
            ..case(
                json!({ "Suspend": { "reason": "audit" } }),
                "user.suspend",
                "signed_in=yes",
                "suspended_at IS NOT NULL",
            )
        },
        Case {
            prepare: Some(format!("suspended_at = {A_DATE}")),
            ..case(
                json!("Reinstate"),
                "user.reinstate",
                "status=suspended",
                "suspended_at IS NULL",
            )
        },
        Case {
            ends_sessions: Some("deleted"),
            ..case(json!("Delete"), "user.delete", "", "deleted_at IS NOT NULL")
        },
        Case {
            prepare: Some(format!("deleted_at = {A_DATE}")),
            ..case(
                json!("Restore"),
                "user.restore",
                "status=deleted",
                "deleted_at IS NULL",
            )
        },
        Case {
            link: Some("reset"),
            emails: true,
            ..case(
                json!("ResetPassword"),
                "user.password_reset_sent",
                "q=target",
                "id IN (SELECT user_id FROM one_time_tokens WHERE kind = 'reset')",
            )
        },
        Case {
            link: Some("temp_login"),
            emails: true,
            ..case(
                json!("SendTemporaryLogin"),
                "user.temporary_login_sent",
                "q=target",
                "id IN (SELECT user_id FROM one_time_tokens WHERE kind = 'temp_login')",
            )
        },
        Case {
            prepare: Some(invited.clone()),
            link: Some("invite"),
            emails: true,
            ..case(
                json!("ResendInvitation"),
                "user.invitation_resent",
                "status=invited",
                "id IN (SELECT user_id FROM one_time_tokens WHERE kind = 'invite')",
            )
        },
        Case {
            prepare: Some(invited),
            ..case(
                json!("CancelInvitation"),
                "user.invitation_cancelled",
                "status=invited",
                "deleted_at IS NOT NULL",
            )
        },
    ]
}

async fn targets_where(app: &TestApp, condition: &str) -> i64 {
    count(
        &app.db,
        &format!("SELECT COUNT(*) FROM users WHERE username LIKE 'target%' AND {condition}"),
    )
    .await
}

async fn run_case(backend: Backend, case: &Case) {
    let name = case.action.to_string();
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    for i in 1..=TARGETS {
        app.create_user(&format!("target{i}"), &["User"], false)
            .await;
    }
    let root = app.signed_in("root").await;
    let mut browsers = Vec::new();
    if case.ends_sessions.is_some() {
        for i in 1..=TARGETS {
            browsers.push(app.signed_in(&format!("target{i}")).await);
        }
    }
    if let Some(set) = &case.prepare {
        app.execute(&format!(
            "UPDATE users SET {set} WHERE username LIKE 'target%'"
        ))
        .await;
    }
    assert_eq!(targets_where(&app, case.changed).await, 0, "{name}: before");
    let emails_before = count(
        &app.db,
        "SELECT COUNT(*) FROM email_outbox WHERE recipient LIKE 'target%'",
    )
    .await;

    // Another administrator's edit of one of the targets races the action.
    let db = app.db.clone();
    let racing_edit = tokio::spawn(async move {
        use sea_orm::ConnectionTrait;
        for _ in 0..20 {
            db.execute_unprepared(
                "UPDATE users SET phone = '5550100', version = version + 1 WHERE username = 'target1'",
            )
            .await
            .expect("the racing edit runs");
            tokio::task::yield_now().await;
        }
    });
    let response = root
        .call_json(
            "bulk_action",
            &json!({ "action": case.action, "selection": { "Matching": case.view } }),
        )
        .await;
    racing_edit.await.expect("racing edit");
    assert_eq!(response.status(), 200, "{name}");
    let outcome: Value = response.json().await.expect("an outcome");

    assert_eq!(outcome["succeeded"], TARGETS, "{name}: {outcome}");
    assert_eq!(
        targets_where(&app, case.changed).await,
        TARGETS,
        "{name}: every target changed"
    );
    assert_eq!(
        count(
            &app.db,
            &format!(
                "SELECT COUNT(*) FROM audit_entries WHERE action = '{}' AND target_username LIKE 'target%'",
                case.audit
            ),
        )
        .await,
        TARGETS,
        "{name}: one audit entry per changed user"
    );
    assert_eq!(
        count(
            &app.db,
            &format!(
                "SELECT COUNT(*) FROM audit_entries WHERE action = '{}'",
                case.audit
            ),
        )
        .await,
        TARGETS,
        "{name}: and none for anybody else"
    );
    if let Some(reason) = case.ends_sessions {
        assert_eq!(
            count(
                &app.db,
                &format!(
                    "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id \
                     WHERE u.username LIKE 'target%' AND s.revoked_reason = '{reason}'"
                ),
            )
            .await,
            TARGETS,
            "{name}: every target's session ended"
        );
        for browser in &browsers {
            assert_eq!(browser.whoami().await, None, "{name}: signed out");
        }
        assert_eq!(
            root.whoami().await.as_deref(),
            Some("root"),
            "{name}: the caller is spared"
        );
    }
    if let Some(kind) = case.link {
        assert_eq!(
            count(
                &app.db,
                &format!(
                    "SELECT COUNT(*) FROM one_time_tokens WHERE kind = '{kind}' \
                     AND used_at IS NULL AND cancelled_at IS NULL"
                ),
            )
            .await,
            TARGETS,
            "{name}: one live link per target"
        );
    }
    let emails = count(
        &app.db,
        "SELECT COUNT(*) FROM email_outbox WHERE recipient LIKE 'target%'",
    )
    .await
        - emails_before;
    assert_eq!(
        emails,
        if case.emails { TARGETS } else { 0 },
        "{name}: emails queued"
    );
}

async fn every_action_acts_on_exactly_the_users_it_changed(backend: Backend) {
    for case in cases() {
        run_case(backend, &case).await;
    }
}

both_backends!(every_action_acts_on_exactly_the_users_it_changed);
