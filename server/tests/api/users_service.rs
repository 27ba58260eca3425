//! `app::users::create::service::create_account`, tested alone against real databases.

use app::audit::service::Actor;
use app::auth::password::PasswordHashing;
use app::domain::{EmailAddress, NewPassword, PersonName, Username};
use app::error::AppError;
use app::users::create::service::{NewProfile, NewUser, create_account};
use migrations::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;

use crate::helpers::{Backend, STRONG_PASSWORD as STRONG, TestDb, count, insert_bare_user_sql};

fn new_user(username: &str, email: &str, roles: &[&str], password: &str) -> NewUser {
    NewUser {
        profile: NewProfile {
            username: Username::parse(username).unwrap(),
            email: EmailAddress::parse(email).unwrap(),
            name: PersonName::parse("Grace Hopper").unwrap(),
            phone: None,
            phone_ext: None,
            roles: roles.iter().map(|r| r.to_string()).collect(),
            teams: Vec::new(),
        },
        password: NewPassword::parse(password).unwrap(),
        must_change_password: true,
    }
}

async fn field_errors_and_nothing_half_written(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.connect().await;
    Migrator::up(&db, None).await.unwrap();
    let actor = Actor::system("test");

    let created = create_account(
        &db,
        &PasswordHashing::new(1),
        &actor,
        new_user("grace", "grace@example.com", &["viewer", "Support"], STRONG),
    )
    .await
    .expect("created");
    assert!(created.must_change_password);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM user_roles").await, 2);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM audit_entries WHERE action = 'user.create'"
        )
        .await,
        1
    );

    let cases = [
        (
            new_user("grace", "other@example.com", &["User"], STRONG),
            "username",
        ),
        (
            new_user("grace2", "grace@example.com", &["User"], STRONG),
            "email",
        ),
        (
            new_user("grace3", "g3@example.com", &["Wizard"], STRONG),
            "roles",
        ),
        (
            new_user("grace4", "g4@example.com", &["User"], "grace hopper 1906"),
            "password",
        ),
        (new_user("grace5", "g5@example.com", &[], STRONG), "roles"),
    ];
    for (input, field) in cases {
        let error = create_account(&db, &PasswordHashing::new(1), &actor, input)
            .await
            .expect_err(field);
        assert_eq!(error.field(), Some(field), "{error:?}");
        assert!(
            matches!(
                error,
                AppError::Conflict { .. } | AppError::Validation { .. }
            ),
            "{error:?}"
        );
    }
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM users").await,
        1,
        "no failed attempt wrote a user"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM user_roles").await,
        2,
        "nor a role"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM audit_entries").await,
        1,
        "nor an audit entry"
    );
}

#[tokio::test]
async fn create_user_reports_field_errors_and_writes_nothing_on_failure_sqlite() {
    field_errors_and_nothing_half_written(Backend::Sqlite).await;
}

#[tokio::test]
async fn create_user_reports_field_errors_and_writes_nothing_on_failure_postgres() {
    field_errors_and_nothing_half_written(Backend::Postgres).await;
}

/// Two administrators create the same username at the same moment. The
/// other's transaction has inserted it but not committed when ours starts:
/// ours must wait for it and then report a field error, never a 500 ("database
/// is locked" on SQLite, a raw unique violation on PostgreSQL).
async fn overlapping_creations(backend: Backend) {
    for (username, email, field) in [
        ("twin", "twin.b@example.com", "username"),
        ("other", "twin.a@example.com", "email"),
    ] {
        overlapping_creation(backend, username, email, field).await;
    }
}

async fn overlapping_creation(backend: Backend, username: &str, email: &str, field: &str) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.connect().await;
    Migrator::up(&db, None).await.unwrap();

    let other = app::db::begin_write(&db).await.unwrap();
    other
        .execute_unprepared(&insert_bare_user_sql("twin", "twin.a@example.com"))
        .await
        .unwrap();

    let ours = tokio::spawn({
        let (db, input) = (db.clone(), new_user(username, email, &["User"], STRONG));
        async move { create_account(&db, &PasswordHashing::new(1), &Actor::system("test"), input).await }
    });
    // Let the other commit only once ours is waiting on it at the database,
    // so this is the race and not two creations one after the other.
    waiting_at_the_database(backend, &db).await;
    assert!(!ours.is_finished(), "ours waits for the other transaction");
    other.commit().await.unwrap();

    let error = ours.await.unwrap().expect_err("taken meanwhile");
    assert_eq!(error.field(), Some(field), "{error:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM users").await, 1);
}

/// Returns once a second connection, besides the open transaction's, is
/// blocked at the database: on SQLite, checked out of the pool into `BEGIN
/// IMMEDIATE`, which cannot pass the other's write lock; on PostgreSQL, a
/// statement waiting for a lock. Gives up (failing) after 30 s.
async fn waiting_at_the_database(backend: Backend, db: &sea_orm::DatabaseConnection) {
    for _ in 0..3000 {
        let waiting = match backend {
            Backend::Sqlite => {
                let pool = db.get_sqlite_connection_pool();
                (pool.size() as usize).saturating_sub(pool.num_idle()) >= 2
            }
            Backend::Postgres => {
                count(
                    db,
                    "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
                     AND wait_event_type = 'Lock'",
                )
                .await
                    > 0
            }
        };
        if waiting {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the second creation never reached the database");
}

#[tokio::test]
async fn overlapping_creations_of_one_username_or_email_end_in_a_field_error_sqlite() {
    overlapping_creations(Backend::Sqlite).await;
}

#[tokio::test]
async fn overlapping_creations_of_one_username_or_email_end_in_a_field_error_postgres() {
    overlapping_creations(Backend::Postgres).await;
}
