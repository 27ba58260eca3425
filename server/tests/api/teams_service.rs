//! `app::teams::service`, tested alone against real databases: teams and
//! their pages, and adding or removing members on every kind of selection,
//! counting what changed (rows, audit entries) against what the result says.

use app::auth::service::SessionUser;
use app::directory::Selection;
use app::error::AppError;
use app::teams::service::{self as teams, Membership};
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

use crate::helpers::{Backend, TestDb, count, insert_bare_user_sql, scalar};
use crate::roles_service::{account, actor};

async fn migrated(backend: Backend) -> (TestDb, DatabaseConnection) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.connect().await;
    Migrator::up(&db, None).await.unwrap();
    (test_db, db)
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql).await.unwrap();
}

async fn team_id(db: &DatabaseConnection, name: &str) -> i64 {
    scalar(db, &format!("SELECT id FROM teams WHERE name = '{name}'")).await
}

async fn members(db: &DatabaseConnection, team: &str) -> i64 {
    count(
        db,
        &format!(
            "SELECT COUNT(*) FROM user_teams WHERE team_id = (SELECT id FROM teams WHERE name = '{team}')"
        ),
    )
    .await
}

async fn audit(db: &DatabaseConnection, action: &str) -> i64 {
    count(
        db,
        &format!("SELECT COUNT(*) FROM audit_entries WHERE action = '{action}'"),
    )
    .await
}

async fn user_ids(db: &DatabaseConnection, like: &str) -> Vec<i64> {
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT id FROM users WHERE username LIKE '{like}' ORDER BY id"),
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get::<i64>("", "id").unwrap())
        .collect()
}

async fn teams_are_created_renamed_and_deleted_with_their_members_kept(backend: Backend) {
    let (_test_db, db) = migrated(backend).await;
    let root = account(&db, "root", &["Administrator"]).await;
    let by = actor(&root);

    assert_eq!(
        teams::create_team(&db, &by, " Sales ", "Sells.")
            .await
            .unwrap(),
        "Sales"
    );
    for (name, description, field) in [
        ("sales", "", "group_name"),
        ("Ops/Dev", "", "group_name"),
        ("Fine", &*"x".repeat(501), "description"),
    ] {
        let error = teams::create_team(&db, &by, name, description)
            .await
            .unwrap_err();
        assert_eq!(error.field(), Some(field), "{name}: {error:?}");
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM teams").await, 1);
    assert_eq!(audit(&db, "team.create").await, 1);

    let id = team_id(&db, "Sales").await;
    assert_eq!(
        teams::update_team(&db, &by, id, 1, "Sales EMEA", "Sells in Europe.")
            .await
            .unwrap(),
        "Sales EMEA"
    );
    assert_eq!(audit(&db, "team.update").await, 2, "name and description");
    let error = teams::update_team(&db, &by, id, 1, "Sales", "")
        .await
        .unwrap_err();
    assert!(
        matches!(error, AppError::Conflict { field: None, .. }),
        "stale: {error:?}"
    );

    exec(&db, &insert_bare_user_sql("ann", "ann@example.com")).await;
    exec(
        &db,
        &format!("INSERT INTO user_teams (user_id, team_id) SELECT id, {id} FROM users WHERE username = 'ann'"),
    )
    .await;
    let listed = teams::list_teams(&db).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].members, 1);

    let error = teams::delete_team(&db, &by, id, 1).await.unwrap_err();
    assert!(matches!(error, AppError::Conflict { .. }));
    teams::delete_team(&db, &by, id, 2).await.unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM teams").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM user_teams").await, 0);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM users WHERE username = 'ann'").await,
        1
    );
    let details: String = scalar(
        &db,
        "SELECT details FROM audit_entries WHERE action = 'team.delete'",
    )
    .await;
    assert!(details.contains("\"members\":1"), "{details}");
}
both_backends!(teams_are_created_renamed_and_deleted_with_their_members_kept);

async fn a_team_page_pages_and_searches_its_members_on_the_server(backend: Backend) {
    let (_test_db, db) = migrated(backend).await;
    let root = account(&db, "root", &["Administrator"]).await;
    teams::create_team(&db, &actor(&root), "Support", "")
        .await
        .unwrap();
    let id = team_id(&db, "Support").await;
    for i in 0..60 {
        exec(
            &db,
            &insert_bare_user_sql(&format!("member{i:02}"), &format!("m{i}@example.com")),
        )
        .await;
    }
    exec(&db, &insert_bare_user_sql("outsider", "out@example.com")).await;
    exec(
        &db,
        &format!("INSERT INTO user_teams (user_id, team_id) SELECT id, {id} FROM users WHERE username LIKE 'member%'"),
    )
    .await;
    // A deleted member is not listed.
    exec(
        &db,
        "UPDATE users SET deleted_at = '2026-01-01T00:00:00+00:00' \
         WHERE username IN ('member52', 'member59')",
    )
    .await;
    let usernames = |details: &app::teams::api::TeamDetails| -> Vec<String> {
        details.members.iter().map(|m| m.username.clone()).collect()
    };

    let first = teams::team_details(&db, "support", "", 1).await.unwrap();
    assert_eq!(first.members_total, 58);
    assert_eq!(first.pages, 2);
    assert_eq!(
        usernames(&first),
        (0..50).map(|i| format!("member{i:02}")).collect::<Vec<_>>()
    );
    // The second half of the pages is read from the other end: the same
    // order, deleted members left out.
    let last = teams::team_details(&db, "Support", "", 9).await.unwrap();
    assert_eq!(last.page, 2, "clamped to the last page");
    assert_eq!(
        usernames(&last),
        [50, 51, 53, 54, 55, 56, 57, 58]
            .map(|i| format!("member{i:02}"))
            .to_vec()
    );

    let found = teams::team_details(&db, "Support", "member1", 1)
        .await
        .unwrap();
    assert_eq!(found.matching, 10);
    assert_eq!(found.members_total, 58);
    assert!(
        found
            .members
            .iter()
            .all(|m| m.username.starts_with("member1"))
    );

    let error = teams::team_details(&db, "Nobody", "", 1).await.unwrap_err();
    assert_eq!(error, AppError::NotFound);

    let candidates = teams::candidates(&db, id, "outsid").await.unwrap();
    assert_eq!(candidates.len(), 1);
    assert!(!candidates[0].member);
    let candidates = teams::candidates(&db, id, "member0").await.unwrap();
    assert_eq!(candidates.len(), 10);
    assert!(candidates.iter().all(|c| c.member));
}
both_backends!(a_team_page_pages_and_searches_its_members_on_the_server);

async fn members_are_added_and_removed_on_every_kind_of_selection(backend: Backend) {
    let (_test_db, db) = migrated(backend).await;
    let root = account(&db, "root", &["Administrator"]).await;
    let by = actor(&root);
    teams::create_team(&db, &by, "Sales", "").await.unwrap();
    for i in 0..8 {
        exec(
            &db,
            &insert_bare_user_sql(&format!("seller{i}"), &format!("s{i}@example.com")),
        )
        .await;
    }
    for i in 0..4 {
        exec(
            &db,
            &insert_bare_user_sql(&format!("buyer{i}"), &format!("b{i}@example.com")),
        )
        .await;
    }
    let sellers = user_ids(&db, "seller%").await;
    let buyers = user_ids(&db, "buyer%").await;

    // Ids: two already in, one deleted.
    teams::change_members(
        &db,
        &by,
        "Sales",
        Membership::Add,
        &Selection::Ids(sellers[..2].to_vec()),
    )
    .await
    .unwrap();
    exec(
        &db,
        &format!(
            "UPDATE users SET deleted_at = '2026-01-01T00:00:00+00:00' WHERE id = {}",
            sellers[7]
        ),
    )
    .await;
    let outcome = teams::change_members(
        &db,
        &by,
        "sales",
        Membership::Add,
        &Selection::Ids(sellers.clone()),
    )
    .await
    .unwrap();
    assert_eq!(outcome.succeeded, 5);
    assert_eq!(
        outcome.describe("Added", " to Sales"),
        format!(
            "Added 5 users to Sales; 3 skipped: seller0, seller1 (already members); seller7 (deleted)."
        )
    );
    assert_eq!(members(&db, "Sales").await, 7);
    assert_eq!(
        audit(&db, "team.member_add").await,
        7,
        "2 + 5, one a user changed"
    );

    // All matching a search: the buyers.
    let outcome = teams::change_members(
        &db,
        &by,
        "Sales",
        Membership::Add,
        &Selection::Matching("q=buyer".to_owned()),
    )
    .await
    .unwrap();
    assert_eq!(outcome.succeeded, 4);
    assert!(outcome.skipped.is_empty());
    assert_eq!(members(&db, "Sales").await, 11);

    // All matching a team filter: remove everyone in the team (the deleted
    // user is not in the default view, and stays).
    let outcome = teams::change_members(
        &db,
        &by,
        "Sales",
        Membership::Remove,
        &Selection::Matching("team=Sales".to_owned()),
    )
    .await
    .unwrap();
    assert_eq!(outcome.succeeded, 11);
    assert_eq!(members(&db, "Sales").await, 0);
    assert_eq!(audit(&db, "team.member_remove").await, 11);
    let target: String = scalar(
        &db,
        &format!("SELECT new_value FROM audit_entries WHERE action = 'team.member_remove' AND target_user_id = {}", buyers[0]),
    )
    .await;
    assert_eq!(target, "Sales");

    // Removing people who are not in it changes nothing and says so.
    let outcome = teams::change_members(
        &db,
        &by,
        "Sales",
        Membership::Remove,
        &Selection::Ids(buyers.clone()),
    )
    .await
    .unwrap();
    assert_eq!(outcome.succeeded, 0);
    assert_eq!(outcome.skipped[0].reason, "not members");
    assert_eq!(outcome.skipped[0].count, 4);
    assert_eq!(audit(&db, "team.member_remove").await, 11);

    // Refused: everyone, nobody, a team that does not exist.
    for (selection, team, field) in [
        (Selection::Everyone, "Sales", "selection"),
        (Selection::Ids(vec![]), "Sales", "selection"),
        (Selection::Ids(buyers.clone()), "Wizards", "team"),
    ] {
        let error = teams::change_members(&db, &by, team, Membership::Add, &selection)
            .await
            .unwrap_err();
        assert_eq!(error.field(), Some(field), "{error:?}");
    }
    assert_eq!(members(&db, "Sales").await, 0);
}
both_backends!(members_are_added_and_removed_on_every_kind_of_selection);

/// Every team's kept member count and the kept live total against counts
/// made from the rows, with what differs named.
async fn assert_kept_counts_are_true(db: &DatabaseConnection, after: &str) {
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT t.name, t.member_count, \
             (SELECT COUNT(*) FROM user_teams ut JOIN users u ON u.id = ut.user_id \
              WHERE ut.team_id = t.id AND u.deleted_at IS NULL) AS truth \
             FROM teams t ORDER BY t.name"
                .to_owned(),
        ))
        .await
        .unwrap();
    for row in rows {
        let name: String = row.try_get("", "name").unwrap();
        let kept: i64 = row.try_get("", "member_count").unwrap();
        let truth: i64 = row.try_get("", "truth").unwrap();
        assert_eq!(kept, truth, "team {name}'s member count after {after}");
    }
    let live: i64 = scalar(db, "SELECT live FROM user_totals WHERE id = 1").await;
    let truth = count(db, "SELECT COUNT(*) FROM users WHERE deleted_at IS NULL").await;
    assert_eq!(live, truth, "the live users' total after {after}");
}

async fn kept_member_counts_follow_every_change(backend: Backend) {
    let (_test_db, db) = migrated(backend).await;
    let root = account(&db, "root", &["Administrator"]).await;
    let by = actor(&root);
    for name in ["Red", "Blue"] {
        teams::create_team(&db, &by, name, "").await.unwrap();
    }
    for i in 0..30 {
        exec(
            &db,
            &insert_bare_user_sql(&format!("player{i:02}"), &format!("p{i}@example.com")),
        )
        .await;
    }
    let players = user_ids(&db, "player%").await;
    let list = |ids: &[i64]| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    assert_kept_counts_are_true(&db, "creating teams").await;

    // Added through the service (one statement) and by hand (row by row).
    teams::change_members(
        &db,
        &by,
        "Red",
        Membership::Add,
        &Selection::Ids(players[..20].to_vec()),
    )
    .await
    .unwrap();
    let blue = team_id(&db, "Blue").await;
    for id in &players[10..25] {
        exec(
            &db,
            &format!("INSERT INTO user_teams (user_id, team_id) VALUES ({id}, {blue})"),
        )
        .await;
    }
    assert_kept_counts_are_true(&db, "adding members").await;
    assert_eq!(
        teams::team_details(&db, "Red", "", 1)
            .await
            .unwrap()
            .members_total,
        20
    );

    // Deleted in one statement, restored in another, and one statement
    // that deletes some and restores others.
    exec(
        &db,
        &format!(
            "UPDATE users SET deleted_at = '2026-01-01T00:00:00+00:00' WHERE id IN ({})",
            list(&players[5..15])
        ),
    )
    .await;
    assert_kept_counts_are_true(&db, "deleting members").await;
    exec(
        &db,
        &format!(
            "UPDATE users SET deleted_at = NULL WHERE id IN ({})",
            list(&players[5..8])
        ),
    )
    .await;
    assert_kept_counts_are_true(&db, "restoring members").await;
    let when = match backend {
        Backend::Postgres => "TIMESTAMPTZ '2026-02-01 00:00:00+00'",
        Backend::Sqlite => "'2026-02-01T00:00:00+00:00'",
    };
    exec(
        &db,
        &format!(
            "UPDATE users SET deleted_at = CASE WHEN deleted_at IS NULL \
             THEN {when} ELSE NULL END WHERE id IN ({})",
            list(&players[0..12])
        ),
    )
    .await;
    assert_kept_counts_are_true(&db, "deleting and restoring in one statement").await;
    // Other updates leave the counts alone.
    exec(&db, "UPDATE users SET name = 'Renamed'").await;
    assert_kept_counts_are_true(&db, "an update of other columns").await;

    // Removed through the service, deleted members among the selection.
    teams::change_members(
        &db,
        &by,
        "Blue",
        Membership::Remove,
        &Selection::Ids(players[8..18].to_vec()),
    )
    .await
    .unwrap();
    assert_kept_counts_are_true(&db, "removing members").await;

    // Removed for good: a deleted member (as purge does) and, by hand, a
    // member who was not deleted.
    exec(
        &db,
        &format!(
            "UPDATE users SET deleted_at = '2026-03-01T00:00:00+00:00' WHERE id = {}",
            players[19]
        ),
    )
    .await;
    for id in [players[19], players[20]] {
        exec(&db, &format!("DELETE FROM users WHERE id = {id}")).await;
    }
    assert_kept_counts_are_true(&db, "removing users for good").await;

    // A rolled-back change leaves the counts as they were.
    let red_before = teams::team_details(&db, "Red", "", 1)
        .await
        .unwrap()
        .members_total;
    {
        let txn = db.begin().await.unwrap();
        teams::change_members_in(
            &txn,
            &by,
            "Red",
            Membership::Add,
            &Selection::Ids(players[20..].to_vec()),
        )
        .await
        .unwrap();
        txn.rollback().await.unwrap();
    }
    assert_eq!(
        teams::team_details(&db, "Red", "", 1)
            .await
            .unwrap()
            .members_total,
        red_before
    );
    assert_kept_counts_are_true(&db, "a rolled-back change").await;

    // Deleting a team leaves the other's count true.
    let version: i32 = scalar(&db, "SELECT version FROM teams WHERE name = 'Blue'").await;
    teams::delete_team(&db, &by, blue, version).await.unwrap();
    assert_kept_counts_are_true(&db, "deleting a team").await;
    let listed = teams::list_teams(&db).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].members as i64,
        count(
            &db,
            "SELECT COUNT(*) FROM user_teams ut JOIN users u ON u.id = ut.user_id \
             WHERE u.deleted_at IS NULL"
        )
        .await
    );
}
both_backends!(kept_member_counts_follow_every_change);

/// A membership names a user and a team that exist, and goes with either
/// (PostgreSQL checks this per statement since migration 27; SQLite with
/// its foreign keys): a row naming neither is refused, and removing users
/// or a team for good removes their memberships, the counts kept right.
async fn memberships_follow_their_user_and_team(backend: Backend) {
    let (_test_db, db) = migrated(backend).await;
    let root = account(&db, "root", &["Administrator"]).await;
    let by = actor(&root);
    for name in ["Red", "Blue"] {
        teams::create_team(&db, &by, name, "").await.unwrap();
    }
    for i in 0..4 {
        exec(
            &db,
            &insert_bare_user_sql(&format!("member{i}"), &format!("m{i}@example.com")),
        )
        .await;
    }
    let ids = user_ids(&db, "member%").await;
    for team in ["Red", "Blue"] {
        teams::change_members(
            &db,
            &by,
            team,
            Membership::Add,
            &Selection::Ids(ids.clone()),
        )
        .await
        .unwrap();
    }
    let red = team_id(&db, "Red").await;
    for (user, team, what) in [
        (i64::MAX - 1, red, "a user who does not exist"),
        (ids[0], i64::MAX - 1, "a team that does not exist"),
    ] {
        let refused = db
            .execute_unprepared(&format!(
                "INSERT INTO user_teams (user_id, team_id) VALUES ({user}, {team})"
            ))
            .await;
        assert!(refused.is_err(), "a membership naming {what} was stored");
    }
    assert_eq!(members(&db, "Red").await, 4);

    exec(
        &db,
        &format!("DELETE FROM users WHERE id IN ({}, {})", ids[0], ids[1]),
    )
    .await;
    assert_eq!(members(&db, "Red").await, 2, "the removed users left Red");
    assert_eq!(members(&db, "Blue").await, 2, "the removed users left Blue");
    assert_kept_counts_are_true(&db, "removing two users").await;

    exec(&db, &format!("DELETE FROM teams WHERE id = {red}")).await;
    let left = count(
        &db,
        &format!("SELECT COUNT(*) FROM user_teams WHERE team_id = {red}"),
    )
    .await;
    assert_eq!(left, 0, "Red's memberships went with it");
    assert_eq!(members(&db, "Blue").await, 2, "Blue's stayed");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM users WHERE username LIKE 'member%'"
        )
        .await,
        2
    );
    assert_kept_counts_are_true(&db, "removing a team").await;
}
both_backends!(memberships_follow_their_user_and_team);

/// A PostgreSQL database with an administrator and an empty team "Red":
/// the database, the administrator and Red's id.
async fn postgres_with_team_red() -> (TestDb, DatabaseConnection, SessionUser, i64) {
    let (test_db, db) = migrated(Backend::Postgres).await;
    let root = account(&db, "root", &["Administrator"]).await;
    teams::create_team(&db, &actor(&root), "Red", "")
        .await
        .unwrap();
    let red = team_id(&db, "Red").await;
    (test_db, db, root, red)
}

/// `count` users named `prefix0`, `prefix1`, …, and their ids.
async fn bare_users(db: &DatabaseConnection, prefix: &str, count: usize) -> Vec<i64> {
    for i in 0..count {
        exec(
            db,
            &insert_bare_user_sql(&format!("{prefix}{i}"), &format!("{prefix}{i}@example.com")),
        )
        .await;
    }
    user_ids(db, &format!("{prefix}%")).await
}

/// Whether `task` is still running half a second on: it waits for a lock
/// another transaction holds.
async fn still_waiting<T>(task: &mut tokio::task::JoinHandle<T>) -> bool {
    tokio::time::timeout(std::time::Duration::from_millis(500), task)
        .await
        .is_err()
}

/// PostgreSQL checks memberships per statement (migrations 27 and 28): a
/// user removed for good while someone adds them to a team never leaves a
/// membership behind, whichever of the two goes first. Each waits for the
/// other to finish.
#[tokio::test]
async fn removing_users_and_adding_them_to_teams_wait_for_each_other_on_postgres() {
    let (_test_db, db, _root, red) = postgres_with_team_red().await;
    let ids = bare_users(&db, "racer", 2).await;
    // Removed for good, as the Users table does it: after being deleted.
    // (Deleted users are not counted, so the team's counter, a row both
    // would write, does not make either wait.)
    exec(
        &db,
        "UPDATE users SET deleted_at = CURRENT_TIMESTAMP WHERE username LIKE 'racer%'",
    )
    .await;
    let remove = |id: i64| {
        let db = db.clone();
        tokio::spawn(async move {
            db.execute_unprepared(&format!("DELETE FROM users WHERE id = {id}"))
                .await
        })
    };

    // Adding first: the removal waits for the membership to be committed,
    // then takes it away with its user.
    let adding = db.begin().await.unwrap();
    adding
        .execute_unprepared(&format!(
            "INSERT INTO user_teams (user_id, team_id) VALUES ({}, {red})",
            ids[0]
        ))
        .await
        .unwrap();
    let mut removal = remove(ids[0]);
    assert!(
        still_waiting(&mut removal).await,
        "the removal went ahead while a membership of its user was being added"
    );
    adding.commit().await.unwrap();
    removal.await.unwrap().unwrap();
    assert_eq!(
        members(&db, "Red").await,
        0,
        "a membership outlived its user"
    );

    // Removing first: the membership waits, then is refused.
    let removing = db.begin().await.unwrap();
    removing
        .execute_unprepared(&format!("DELETE FROM users WHERE id = {}", ids[1]))
        .await
        .unwrap();
    let adder = db.clone();
    let user = ids[1];
    let mut add = tokio::spawn(async move {
        adder
            .execute_unprepared(&format!(
                "INSERT INTO user_teams (user_id, team_id) VALUES ({user}, {red})"
            ))
            .await
    });
    assert!(
        still_waiting(&mut add).await,
        "a membership was added while its user was being removed"
    );
    removing.commit().await.unwrap();
    assert!(
        add.await.unwrap().is_err(),
        "a membership of a removed user was stored"
    );
    assert_eq!(members(&db, "Red").await, 0);
    assert_kept_counts_are_true(&db, "racing removals").await;
}

/// PostgreSQL: someone adds a user to the team while "Add to Team" runs for
/// a selection holding that user. The action waits for them, then adds the
/// others and counts (and audits) only those.
#[tokio::test]
async fn a_member_added_meanwhile_is_skipped_not_added_twice_on_postgres() {
    let (_test_db, db, root, red) = postgres_with_team_red().await;
    let ids = bare_users(&db, "picked", 3).await;

    let other = db.begin().await.unwrap();
    other
        .execute_unprepared(&format!(
            "INSERT INTO user_teams (user_id, team_id) VALUES ({}, {red})",
            ids[1]
        ))
        .await
        .unwrap();
    let adder = db.clone();
    let by = actor(&root);
    let selection = Selection::Ids(ids.clone());
    let mut adding = tokio::spawn(async move {
        teams::change_members(&adder, &by, "Red", Membership::Add, &selection).await
    });
    assert!(
        still_waiting(&mut adding).await,
        "Add to Team did not wait for the membership being added"
    );
    other.commit().await.unwrap();
    let outcome = adding.await.unwrap().expect("the action succeeds");
    assert_eq!(outcome.succeeded, 2, "{outcome:?}");
    assert_eq!(members(&db, "Red").await, 3);
    assert_eq!(audit(&db, "team.member_add").await, 2);
    assert_kept_counts_are_true(&db, "a member added meanwhile").await;
}
