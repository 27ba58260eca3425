use app::auth::Permission;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::helpers::{Backend, TestDb, count, insert_bare_user_sql};

const TABLES: [&str; 15] = [
    "users",
    "roles",
    "role_permissions",
    "user_roles",
    "teams",
    "user_teams",
    "sessions",
    "one_time_tokens",
    "audit_entries",
    "messages",
    "message_recipients",
    "api_tokens",
    "api_token_permissions",
    "user_totals",
    "email_outbox",
];

async fn table_names(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        _ => {
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name"
        }
    };
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect()
}

async fn up_down_up(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.connect().await;

    Migrator::up(&db, None).await.expect("up");
    let tables = table_names(&db).await;
    for table in TABLES {
        assert!(
            tables.contains(&table.to_owned()),
            "{table} missing after up: {tables:?}"
        );
    }
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM roles WHERE is_builtin = TRUE").await,
        5
    );

    Migrator::down(&db, None).await.expect("down");
    let left: Vec<String> = table_names(&db)
        .await
        .into_iter()
        .filter(|t| t != "seaql_migrations")
        .collect();
    assert!(left.is_empty(), "tables left after down: {left:?}");

    Migrator::up(&db, None).await.expect("up again");
    // SQLite's search indexes (everyone, and the deleted users) are FTS5
    // tables, each with four shadow tables of its own.
    let search_tables = if backend == Backend::Sqlite { 10 } else { 0 };
    assert_eq!(
        table_names(&db).await.len(),
        TABLES.len() + 1 + search_tables
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM roles").await, 5);
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again_on_sqlite() {
    up_down_up(Backend::Sqlite).await;
}

#[tokio::test]
async fn migrations_go_up_down_and_up_again_on_postgres() {
    up_down_up(Backend::Postgres).await;
}

/// Several instances starting at once against one PostgreSQL database: one
/// migrates, the others wait for it and find nothing to do.
#[tokio::test]
async fn instances_starting_together_on_postgres_migrate_once() {
    let test_db = TestDb::new(Backend::Postgres).await;
    let (a, b, c) = (
        test_db.connect().await,
        test_db.connect().await,
        test_db.connect().await,
    );
    let (ra, rb, rc) = tokio::join!(
        server::db::migrate(&a),
        server::db::migrate(&b),
        server::db::migrate(&c)
    );
    let applied = [ra.expect("first"), rb.expect("second"), rc.expect("third")];
    assert_eq!(
        applied.iter().sum::<usize>(),
        Migrator::migrations().len(),
        "{applied:?}"
    );
    assert_eq!(count(&a, "SELECT COUNT(*) FROM roles").await, 5);
}

#[tokio::test]
async fn builtin_roles_use_only_known_permissions() {
    let test_db = TestDb::sqlite();
    let db = test_db.connect().await;
    Migrator::up(&db, None).await.unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT r.name, p.permission FROM roles r JOIN role_permissions p ON p.role_id = r.id",
        ))
        .await
        .unwrap();
    let mut admin_permissions = 0;
    for row in rows {
        let role: String = row.try_get_by_index(0).unwrap();
        let key: String = row.try_get_by_index(1).unwrap();
        assert!(
            Permission::from_key(&key).is_some(),
            "role {role} has unknown permission {key}"
        );
        if role == "Administrator" {
            admin_permissions += 1;
        }
    }
    assert_eq!(
        admin_permissions,
        Permission::ALL.len(),
        "Administrator has every permission"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM role_permissions p JOIN roles r ON r.id = p.role_id WHERE r.name = 'User'").await,
        0,
        "the plain User role has no admin permission"
    );
}

#[tokio::test]
async fn usernames_and_emails_are_unique_in_the_schema() {
    let test_db = TestDb::sqlite();
    let db = test_db.connect().await;
    Migrator::up(&db, None).await.unwrap();
    let insert = insert_bare_user_sql;
    db.execute_unprepared(&insert("ann", "ann@example.com"))
        .await
        .unwrap();
    assert!(
        db.execute_unprepared(&insert("ann", "other@example.com"))
            .await
            .is_err()
    );
    assert!(
        db.execute_unprepared(&insert("bob", "ann@example.com"))
            .await
            .is_err()
    );
}
