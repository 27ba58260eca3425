//! Reading the audit log (`app::audit::log_service`) against real
//! databases: keyset pages walked both ways over entries that share their
//! time, every filter against a count made here in SQL, and the CSV export
//! over HTTP against the filtered list.

use app::audit::api::EntryCount;
use app::audit::log_service;
use app::audit::query::AUDIT_PAGE_SIZE;
use app::audit::{AuditAction, AuditQuery, Position};
use app::entities::audit_entry;
use chrono::{DateTime, Duration, TimeZone, Utc};
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait};

use crate::helpers::{Backend, TestDb, count, spawn_app};
use crate::roles_service::account;

async fn migrated(backend: Backend) -> (TestDb, DatabaseConnection) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.connect().await;
    Migrator::up(&db, None).await.unwrap();
    (test_db, db)
}

/// A made-up entry at `at`.
struct Entry {
    at: DateTime<Utc>,
    actor: Option<(i64, &'static str)>,
    impersonator: Option<(i64, &'static str)>,
    action: AuditAction,
    target: Option<(i64, &'static str)>,
}

async fn write(db: &DatabaseConnection, entries: Vec<Entry>) {
    for chunk in entries.chunks(200) {
        let models = chunk.iter().map(|e| audit_entry::ActiveModel {
            occurred_at: Set(e.at),
            actor_id: Set(e.actor.map(|a| a.0)),
            actor_username: Set(e.actor.map(|a| a.1.to_owned())),
            impersonator_id: Set(e.impersonator.map(|a| a.0)),
            impersonator_username: Set(e.impersonator.map(|a| a.1.to_owned())),
            action: Set(e.action.key().to_owned()),
            target_user_id: Set(e.target.map(|t| t.0)),
            target_username: Set(e.target.map(|t| t.1.to_owned())),
            field: Set(Some("email".to_owned())),
            old_value: Set(Some("old@example.com".to_owned())),
            new_value: Set(Some("new@example.com".to_owned())),
            ip: Set(Some("203.0.113.9".to_owned())),
            client: Set(Some("Firefox on Linux".to_owned())),
            details: Set(None),
            ..Default::default()
        });
        audit_entry::Entity::insert_many(models)
            .exec(db)
            .await
            .unwrap();
    }
}

/// An entry at `at` by nobody about nothing, for a test to fill in.
fn entry_at(at: DateTime<Utc>) -> audit_entry::ActiveModel {
    audit_entry::ActiveModel {
        occurred_at: Set(at),
        actor_id: Set(None),
        actor_username: Set(None),
        impersonator_id: Set(None),
        impersonator_username: Set(None),
        action: Set(AuditAction::SignIn.key().to_owned()),
        target_user_id: Set(None),
        target_username: Set(None),
        field: Set(None),
        old_value: Set(None),
        new_value: Set(None),
        ip: Set(None),
        client: Set(None),
        details: Set(None),
        ..Default::default()
    }
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap()
}

/// Walks every page from the newest by "Older", then from the oldest by
/// "Newer"; returns the ids in the order the pages showed them.
async fn walk(db: &DatabaseConnection, query: &AuditQuery) -> (Vec<i64>, Vec<i64>) {
    let mut forwards = Vec::new();
    let mut query = AuditQuery {
        position: Position::Newest,
        ..query.clone()
    };
    let mut pages = 0;
    loop {
        let page = log_service::page(db, &query).await.unwrap();
        assert_eq!(page.newer, pages > 0, "page {pages} going older");
        assert!(page.rows.len() as u64 <= AUDIT_PAGE_SIZE);
        forwards.extend(page.rows.iter().map(|r| r.id));
        pages += 1;
        if !page.older {
            break;
        }
        assert_eq!(
            page.rows.len() as u64,
            AUDIT_PAGE_SIZE,
            "only the last page is short"
        );
        query.position = Position::Before(page.rows.last().unwrap().id);
    }
    let mut backwards = Vec::new();
    query.position = Position::Oldest;
    let mut pages = 0;
    loop {
        let page = log_service::page(db, &query).await.unwrap();
        assert_eq!(page.older, pages > 0, "page {pages} going newer");
        // Pages are shown newest first; gather them oldest first.
        backwards.extend(page.rows.iter().rev().map(|r| r.id));
        pages += 1;
        if !page.newer {
            break;
        }
        query.position = Position::After(page.rows.first().unwrap().id);
    }
    backwards.reverse();
    (forwards, backwards)
}

async fn ids_in_log_order(db: &DatabaseConnection, filter_sql: &str) -> Vec<i64> {
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT id FROM audit_entries WHERE {filter_sql} ORDER BY occurred_at DESC, id DESC"
            ),
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get::<i64>("", "id").unwrap())
        .collect()
}

async fn keyset_pages_walk_the_whole_log_both_ways_with_ties_in_time(backend: Backend) {
    let (_guard, db) = migrated(backend).await;
    // 173 entries, seven to a second, written out of time order: the log's
    // order is (time, id), so ids alone would page them wrongly.
    let entries = (0..173)
        .map(|i| Entry {
            at: start() + Duration::seconds(((i * 37) % 173 / 7) as i64),
            actor: Some((1, "ada")),
            impersonator: None,
            action: AuditAction::Lock,
            target: Some((2, "bob")),
        })
        .collect();
    write(&db, entries).await;
    let expected = ids_in_log_order(&db, "1 = 1").await;
    assert_eq!(expected.len(), 173);
    let (forwards, backwards) = walk(&db, &AuditQuery::default()).await;
    assert_eq!(forwards, expected, "newest to oldest, every entry once");
    assert_eq!(backwards, forwards, "oldest to newest, the same entries");

    let page = log_service::page(&db, &AuditQuery::default())
        .await
        .unwrap();
    assert_eq!(page.count, EntryCount::Exact(173));
    assert_eq!(page.rows[0].actor, "ada");
    assert_eq!(page.rows[0].action, "Locked");
    assert_eq!(
        page.rows[0].details,
        "email: old@example.com → new@example.com"
    );
    assert_eq!(page.rows[0].from, "203.0.113.9 · Firefox on Linux");

    // Past the exact-count limit the page says "more than".
    let many = (0..log_service::EXACT_COUNT_LIMIT)
        .map(|i| Entry {
            at: start() + Duration::minutes(30 + i as i64),
            actor: None,
            impersonator: None,
            action: AuditAction::SignInFailed,
            target: None,
        })
        .collect();
    write(&db, many).await;
    let page = log_service::page(&db, &AuditQuery::default())
        .await
        .unwrap();
    assert_eq!(
        page.count,
        EntryCount::MoreThan(log_service::EXACT_COUNT_LIMIT)
    );
    assert_eq!(page.count.describe(), "More than 1000 entries");
    assert_eq!(
        page.rows[0].actor, "Anonymous",
        "no account, but an address"
    );

    // A page next to an entry that is gone says so.
    let gone = AuditQuery {
        position: Position::Before(999_999),
        ..Default::default()
    };
    let error = log_service::page(&db, &gone).await.unwrap_err();
    assert!(
        error.to_string().contains("no longer in the log"),
        "{error}"
    );
}
both_backends!(keyset_pages_walk_the_whole_log_both_ways_with_ties_in_time);

async fn every_filter_selects_what_it_says(backend: Backend) {
    let (_guard, db) = migrated(backend).await;
    let ada = account(&db, "ada", &["Administrator"]).await.user_id;
    let bob = account(&db, "bob", &["User"]).await.user_id;
    db.execute_unprepared("DELETE FROM audit_entries")
        .await
        .unwrap();
    let actions = [
        AuditAction::Lock,
        AuditAction::Unlock,
        AuditAction::SignIn,
        AuditAction::Update,
        AuditAction::TeamMemberAdd,
    ];
    let mut entries = Vec::new();
    for i in 0..300i64 {
        entries.push(Entry {
            // Over 30 days, ten a day.
            at: start() + Duration::hours(i * 72 / 30) + Duration::minutes(i % 7),
            actor: match i % 4 {
                0 => Some((ada, "ada")),
                1 => Some((bob, "bob")),
                // bob under the name he had before a rename.
                2 => Some((bob, "robert")),
                // An account purged since: only its name is left.
                _ => Some((9_999, "gone")),
            },
            impersonator: (i % 10 == 0).then_some((ada, "ada")),
            action: actions[(i % 5) as usize],
            target: match i % 4 {
                // bob under the name he had before a rename.
                0 => Some((bob, "robert")),
                1 => Some((bob, "bob")),
                2 => Some((9_999, "gone")),
                _ => None,
            },
        });
    }
    write(&db, entries).await;
    // What tells who had a name: 9999 was purged as "gone", and bob was
    // "robert" before a rename. Names with no account at all ("nobody",
    // and "gone" after the purge) are only written on entries.
    let late = start() + Duration::days(40);
    let mut named = vec![
        audit_entry::ActiveModel {
            action: Set(AuditAction::Purge.key().to_owned()),
            target_user_id: Set(Some(9_999)),
            target_username: Set(Some("gone".to_owned())),
            ..entry_at(late)
        },
        audit_entry::ActiveModel {
            action: Set(AuditAction::Update.key().to_owned()),
            target_user_id: Set(Some(bob)),
            target_username: Set(Some("robert".to_owned())),
            field: Set(Some("username".to_owned())),
            old_value: Set(Some("robert".to_owned())),
            new_value: Set(Some("bob".to_owned())),
            ..entry_at(start() + Duration::days(20))
        },
    ];
    for (i, name) in ["gone", "nobody", "gone", "nobody", "nobody"]
        .into_iter()
        .enumerate()
    {
        named.push(audit_entry::ActiveModel {
            action: Set(AuditAction::SignInFailed.key().to_owned()),
            actor_username: Set(Some(name.to_owned())),
            target_username: Set(Some(name.to_owned())),
            ..entry_at(late + Duration::hours(i as i64))
        });
    }
    audit_entry::Entity::insert_many(named)
        .exec(&db)
        .await
        .unwrap();

    let by_actor = |name: &str| AuditQuery {
        actor: Some(name.into()),
        ..Default::default()
    };
    let by_target = |name: &str| AuditQuery {
        target: Some(name.into()),
        ..Default::default()
    };
    let cases: Vec<(AuditQuery, String)> = vec![
        (
            AuditQuery {
                actor: Some("ADA".into()),
                ..Default::default()
            },
            format!("actor_id = {ada}"),
        ),
        (
            // Purged: every entry by the account purged under the name, and
            // the name's entries with no account.
            by_actor("gone"),
            "actor_id = 9999 OR (actor_id IS NULL AND actor_username = 'gone')".into(),
        ),
        (
            // A name bob had before a rename: bob's entries, all of them.
            by_actor("robert"),
            format!("actor_id = {bob}"),
        ),
        (
            // Never an account: the entries that name it with no id.
            by_actor("Nobody"),
            "actor_id IS NULL AND actor_username = 'nobody'".into(),
        ),
        (by_target("bob"), format!("target_user_id = {bob}")),
        (
            // Purged: every entry about the account purged under the name,
            // and the name's entries with no account.
            by_target("gone"),
            "target_user_id = 9999 OR (target_user_id IS NULL AND target_username = 'gone')".into(),
        ),
        (
            // A name bob had before a rename: bob's entries, all of them.
            by_target("Robert"),
            format!("target_user_id = {bob}"),
        ),
        (
            // Never an account: the entries that name it.
            by_target("nobody"),
            "target_user_id IS NULL AND target_username = 'nobody'".into(),
        ),
        (
            AuditQuery {
                action: Some(AuditAction::Unlock),
                ..Default::default()
            },
            "action = 'user.unlock'".into(),
        ),
        (
            AuditQuery {
                impersonated: true,
                ..Default::default()
            },
            "impersonator_id IS NOT NULL".into(),
        ),
        (
            AuditQuery {
                since: app::audit::query::Day::parse("2026-11-10"),
                until: app::audit::query::Day::parse("2026-11-12"),
                ..Default::default()
            },
            // Counted below from the entries' times.
            String::new(),
        ),
        (
            AuditQuery {
                actor: Some("bob".into()),
                action: Some(AuditAction::SignIn),
                target: Some("bob".into()),
                ..Default::default()
            },
            format!("actor_id = {bob} AND action = 'auth.sign_in' AND target_user_id = {bob}"),
        ),
    ];
    for (query, sql) in cases {
        let (forwards, backwards) = walk(&db, &query).await;
        let expected = if query.since.is_some() {
            // The date range, counted from the entries' times here.
            let from = Utc.with_ymd_and_hms(2026, 11, 10, 0, 0, 0).unwrap();
            let to = Utc.with_ymd_and_hms(2026, 11, 13, 0, 0, 0).unwrap();
            let all = audit_entry::Entity::find().all(&db).await.unwrap();
            let mut inside: Vec<_> = all
                .into_iter()
                .filter(|e| e.occurred_at >= from && e.occurred_at < to)
                .map(|e| (e.occurred_at, e.id))
                .collect();
            inside.sort_by(|a, b| b.cmp(a));
            inside.into_iter().map(|(_, id)| id).collect()
        } else {
            ids_in_log_order(&db, &sql).await
        };
        assert!(!expected.is_empty(), "{query:?} matches something");
        assert!(expected.len() < 300, "{query:?} leaves something out");
        assert_eq!(forwards, expected, "{query:?}");
        assert_eq!(backwards, expected, "{query:?}");
        let page = log_service::page(&db, &query).await.unwrap();
        assert_eq!(
            page.count,
            EntryCount::Exact(expected.len() as u64),
            "{query:?}"
        );
    }
}
both_backends!(every_filter_selects_what_it_says);

/// Over HTTP: the export holds exactly the filtered entries, newest first,
/// every field; only those who may read the log get it.
async fn the_export_is_the_filtered_list(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("admin", &["Administrator"], false).await;
    let ann = app.create_user("ann", &["User"], false).await;
    app.create_user("plain", &["User"], false).await;
    let admin = app.signed_in("admin").await;
    // 2,400 locks and unlocks of ann (more than two export batches), then
    // some noise about others.
    let entries = (0..2_400)
        .map(|i| Entry {
            at: start() + Duration::seconds(i / 3),
            actor: Some((1, "admin")),
            impersonator: None,
            action: if i % 2 == 0 {
                AuditAction::Lock
            } else {
                AuditAction::Unlock
            },
            target: Some((ann, "ann")),
        })
        .collect();
    write(&app.db, entries).await;
    let response = admin
        .get("/audit/export.csv?target=ann&action=user.lock")
        .await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"audit-")
    );
    let body = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(reader.headers().unwrap().get(1), Some("When (UTC)"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let expected = ids_in_log_order(
        &app.db,
        &format!("target_user_id = {ann} AND action = 'user.lock'"),
    )
    .await;
    assert_eq!(expected.len(), 1_200);
    let exported: Vec<i64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert_eq!(exported, expected);
    assert_eq!(&rows[0][4], "Locked");
    assert_eq!(&rows[0][6], "ann");
    assert_eq!(&rows[0][9], "new@example.com");

    let plain = app.signed_in("plain").await;
    // The authorization matrix pins the exact answers; here: no CSV.
    assert_ne!(plain.get("/audit/export.csv").await.status(), 200);
    let anonymous = app.visitor().get("/audit/export.csv").await;
    assert_ne!(anonymous.status(), 200, "anonymous callers get no CSV");
    // Neither refusal wrote anything: the log holds the setup and the 2,400.
    let total = count(&app.db, "SELECT COUNT(*) FROM audit_entries").await;
    assert!(total > 2_400);
}
both_backends!(the_export_is_the_filtered_list);

/// Retention deletes exactly the entries older than the cutoff, in batches
/// smaller than the total, and records its own deletion with the count.
async fn retention_deletes_only_what_is_older(backend: Backend) {
    let (_guard, db) = migrated(backend).await;
    db.execute_unprepared("DELETE FROM audit_entries")
        .await
        .unwrap();
    // 250 entries, one a minute; the cutoff falls after the 130th.
    let entries = (0..250)
        .map(|i| Entry {
            at: start() + Duration::minutes(i),
            actor: Some((1, "ada")),
            impersonator: None,
            action: AuditAction::Lock,
            target: Some((2, "bob")),
        })
        .collect();
    write(&db, entries).await;
    let cutoff = start() + Duration::minutes(130);
    let older = audit_entry::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.occurred_at < cutoff)
        .count();
    assert_eq!(older, 130, "the test's own count of what is older");
    let kept_before: Vec<i64> = ids_in_log_order(&db, "1 = 1").await[..120].to_vec();

    // Batches of 40: four statements, the last one short.
    let deleted = app::audit::retention_service::delete_older_than(&db, cutoff, 40)
        .await
        .unwrap();
    assert_eq!(deleted, 130);
    let left = audit_entry::Entity::find().all(&db).await.unwrap();
    let (own, rest): (Vec<_>, Vec<_>) = left
        .into_iter()
        .partition(|e| e.action == AuditAction::RetentionDelete.key());
    assert!(rest.iter().all(|e| e.occurred_at >= cutoff));
    let mut rest_ids: Vec<i64> = rest.iter().map(|e| e.id).collect();
    rest_ids.sort_by(|a, b| b.cmp(a));
    assert_eq!(
        rest_ids, kept_before,
        "exactly the 120 newer entries are kept"
    );
    assert_eq!(own.len(), 1, "the deletion is audited once");
    let details: serde_json::Value =
        serde_json::from_str(own[0].details.as_deref().unwrap()).unwrap();
    assert_eq!(details["deleted"], 130);

    // Nothing older is left: a second run deletes and records nothing.
    let again = app::audit::retention_service::delete_older_than(&db, cutoff, 40)
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_entries").await, 121);
}
both_backends!(retention_deletes_only_what_is_older);
