//! `app::roles::service`, tested alone against real databases: listing with
//! member counts, creating, changing and deleting roles, every refusal
//! leaving nothing half-written, and the move of a deleted role's users.

use app::audit::service::Actor;
use app::auth::Permission;
use app::auth::password::PasswordHashing;
use app::auth::service::{SessionUser, permissions_of};
use app::domain::{EmailAddress, NewPassword, PersonName, Username};
use app::error::AppError;
use app::roles::api::{RoleDraft, RoleEdit};
use app::roles::service::{self as roles, Control};
use app::users::create::service::{NewProfile, NewUser, create_account};
use migrations::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;

use crate::helpers::{Backend, STRONG_PASSWORD, TestDb, count, scalar};

/// Creates `username` with `roles`; returns them as a signed-in caller.
pub async fn account(db: &DatabaseConnection, username: &str, roles: &[&str]) -> SessionUser {
    let created = create_account(
        db,
        &PasswordHashing::new(1),
        &Actor::system("test"),
        NewUser {
            profile: NewProfile {
                username: Username::parse(username).unwrap(),
                email: EmailAddress::parse(&format!("{username}@example.com")).unwrap(),
                name: PersonName::parse(&format!("{username} Tester")).unwrap(),
                phone: None,
                phone_ext: None,
                roles: roles.iter().map(|r| r.to_string()).collect(),
                teams: Vec::new(),
            },
            password: NewPassword::parse(STRONG_PASSWORD).unwrap(),
            must_change_password: false,
        },
    )
    .await
    .expect("account created");
    SessionUser {
        session_id: 0,
        user_id: created.id,
        username: username.to_owned(),
        name: String::new(),
        email: String::new(),
        must_change_password: false,
        permissions: permissions_of(db, created.id).await.unwrap(),
        impersonator: None,
        api_token: None,
        touched: false,
    }
}

pub fn actor(caller: &SessionUser) -> Actor {
    Actor {
        user_id: Some(caller.user_id),
        username: Some(caller.username.clone()),
        ..Default::default()
    }
}

async fn role_id(db: &DatabaseConnection, name: &str) -> i64 {
    scalar(db, &format!("SELECT id FROM roles WHERE name = '{name}'")).await
}

async fn version(db: &DatabaseConnection, name: &str) -> i32 {
    scalar(
        db,
        &format!("SELECT version FROM roles WHERE name = '{name}'"),
    )
    .await
}

async fn permissions(db: &DatabaseConnection, name: &str) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Statement};
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT permission FROM role_permissions WHERE role_id = \
                 (SELECT id FROM roles WHERE name = '{name}') ORDER BY permission"
            ),
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get::<String>("", "permission").unwrap())
        .collect()
}

async fn audit(db: &DatabaseConnection, action: &str) -> i64 {
    count(
        db,
        &format!("SELECT COUNT(*) FROM audit_entries WHERE action = '{action}'"),
    )
    .await
}

fn draft(name: &str, permissions: &[Permission]) -> RoleDraft {
    RoleDraft {
        name: name.to_owned(),
        description: "For tests.".to_owned(),
        permissions: permissions.to_vec(),
    }
}

async fn migrated(backend: Backend) -> (TestDb, DatabaseConnection) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.connect().await;
    Migrator::up(&db, None).await.unwrap();
    (test_db, db)
}

async fn roles_are_listed_with_their_members_counted(backend: Backend) {
    let (_test_db, db) = migrated(backend).await;
    account(&db, "root", &["Administrator"]).await;
    for name in ["sam", "sue", "sid"] {
        account(&db, name, &["Support"]).await;
    }
    // A deleted user no longer counts.
    db_exec(
        &db,
        "UPDATE users SET deleted_at = '2026-01-01T00:00:00+00:00' WHERE username = 'sid'",
    )
    .await;
    let listed = roles::list_roles(&db).await.unwrap();
    let names: Vec<&str> = listed.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["Administrator", "Support", "User", "User Manager", "Viewer"]
    );
    let support = listed.iter().find(|r| r.name == "Support").unwrap();
    assert_eq!(support.users, 2);
    assert!(support.builtin);
    assert!(support.permissions.contains(&Permission::LockUsers));
    let admin = listed.iter().find(|r| r.name == "Administrator").unwrap();
    assert_eq!(admin.users, 1);
    assert_eq!(admin.permissions, Permission::ALL.to_vec());
    assert_eq!(listed.iter().find(|r| r.name == "Viewer").unwrap().users, 0);
}
both_backends!(roles_are_listed_with_their_members_counted);

async fn db_exec(db: &DatabaseConnection, sql: &str) {
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(sql).await.unwrap();
}

async fn creating_and_changing_a_role_is_audited_and_refusals_write_nothing(backend: Backend) {
    let (_test_db, db) = migrated(backend).await;
    let root = account(&db, "root", &["Administrator"]).await;
    let by = actor(&root);

    let created = roles::create_role(
        &db,
        &by,
        &root,
        &draft(
            "  Auditor ",
            &[
                Permission::ViewUsers,
                Permission::ViewAuditLog,
                Permission::ViewUsers,
            ],
        ),
    )
    .await
    .unwrap();
    assert_eq!(created, "Auditor");
    assert_eq!(
        permissions(&db, "Auditor").await,
        ["audit.view", "users.view"]
    );
    assert_eq!(audit(&db, "role.create").await, 1);

    // Refusals, each on its field, each writing nothing.
    let cases = [
        (draft("auditor", &[]), "group_name"),
        (draft("Ops/Dev", &[]), "group_name"),
        (draft("A", &[]), "group_name"),
        (
            RoleDraft {
                description: "x".repeat(501),
                ..draft("Long", &[])
            },
            "description",
        ),
    ];
    for (input, field) in cases {
        let error = roles::create_role(&db, &by, &root, &input)
            .await
            .expect_err(field);
        assert_eq!(error.field(), Some(field), "{error:?}");
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM roles").await, 6);
    assert_eq!(audit(&db, "role.create").await, 1);

    // A change: renamed, described, one permission more.
    let id = role_id(&db, "Auditor").await;
    let edit = RoleEdit {
        id,
        version: version(&db, "Auditor").await,
        name: "Auditors".to_owned(),
        description: "Read the log.".to_owned(),
        permissions: vec![
            Permission::ViewUsers,
            Permission::ViewAuditLog,
            Permission::ViewStatistics,
        ],
    };
    let (name, after) = roles::update_role(&db, &by, &root, &edit).await.unwrap();
    assert_eq!(name, "Auditors");
    assert!(!after.events.is_empty(), "holders' tabs are told");
    assert_eq!(
        permissions(&db, "Auditors").await,
        ["audit.view", "statistics.view", "users.view"]
    );
    assert_eq!(
        audit(&db, "role.update").await,
        3,
        "name, description, permissions"
    );
    let (old, new): (String, String) = (
        scalar(&db, "SELECT old_value FROM audit_entries WHERE action = 'role.update' AND field = 'permissions'").await,
        scalar(&db, "SELECT new_value FROM audit_entries WHERE action = 'role.update' AND field = 'permissions'").await,
    );
    assert_eq!(old, "users.view, audit.view");
    assert_eq!(new, "users.view, audit.view, statistics.view");

    // The same edit again is stale: someone changed the role meanwhile.
    let error = roles::update_role(&db, &by, &root, &edit)
        .await
        .unwrap_err();
    assert!(
        matches!(error, AppError::Conflict { field: None, .. }),
        "{error:?}"
    );

    // Built-in roles keep their names; Administrator keeps everything.
    let support = RoleEdit {
        id: role_id(&db, "Support").await,
        version: version(&db, "Support").await,
        name: "Helpdesk".to_owned(),
        description: String::new(),
        permissions: vec![Permission::ViewUsers],
    };
    let error = roles::update_role(&db, &by, &root, &support)
        .await
        .unwrap_err();
    assert_eq!(error.field(), Some("group_name"));
    let admin = RoleEdit {
        id: role_id(&db, "Administrator").await,
        version: version(&db, "Administrator").await,
        name: "Administrator".to_owned(),
        description: String::new(),
        permissions: vec![Permission::ViewUsers],
    };
    let error = roles::update_role(&db, &by, &root, &admin)
        .await
        .unwrap_err();
    assert_eq!(error.field(), Some("permissions"));
    assert_eq!(
        permissions(&db, "Administrator").await.len(),
        Permission::ALL.len()
    );
    assert_eq!(permissions(&db, "Support").await.len(), 5);
    assert_eq!(audit(&db, "role.update").await, 3);
}
both_backends!(creating_and_changing_a_role_is_audited_and_refusals_write_nothing);

async fn deleting_a_role_moves_its_users_in_the_same_transaction(backend: Backend) {
    let (_test_db, db) = migrated(backend).await;
    let root = account(&db, "root", &["Administrator"]).await;
    let by = actor(&root);
    roles::create_role(
        &db,
        &by,
        &root,
        &draft("Night Shift", &[Permission::ViewUsers]),
    )
    .await
    .unwrap();
    for name in ["nia", "ned", "noa"] {
        account(&db, name, &["Night Shift"]).await;
    }
    // ned has Viewer already: the move gives him nothing twice.
    db_exec(
        &db,
        "INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r \
         WHERE u.username = 'ned' AND r.name = 'Viewer'",
    )
    .await;
    let id = role_id(&db, "Night Shift").await;
    let v = version(&db, "Night Shift").await;

    // Built-in roles stay; users need somewhere to go; the target must exist.
    let error = roles::delete_role(&db, &by, &root, role_id(&db, "Viewer").await, 1, None)
        .await
        .unwrap_err();
    assert!(matches!(error, AppError::Conflict { .. }), "{error:?}");
    for (move_to, message) in [
        (
            None,
            "3 users have this role: choose the role they move to.",
        ),
        (Some("Wizards"), "There is no role \u{201c}Wizards\u{201d}."),
        (Some("night shift"), "Choose another role for its users."),
    ] {
        let error = roles::delete_role(&db, &by, &root, id, v, move_to)
            .await
            .unwrap_err();
        assert_eq!(error.field(), Some("move_to"));
        assert_eq!(error.to_string(), message);
    }
    assert_eq!(
        count(
            &db,
            &format!("SELECT COUNT(*) FROM user_roles WHERE role_id = {id}")
        )
        .await,
        3,
        "nothing half-written"
    );

    let _moved = roles::delete_role(&db, &by, &root, id, v, Some("viewer"))
        .await
        .unwrap();
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM roles WHERE name = 'Night Shift'").await,
        0
    );
    assert_eq!(
        count(
            &db,
            &format!("SELECT COUNT(*) FROM role_permissions WHERE role_id = {id}")
        )
        .await,
        0
    );
    let viewers = count(
        &db,
        "SELECT COUNT(*) FROM user_roles ur JOIN users u ON u.id = ur.user_id \
         WHERE ur.role_id = (SELECT id FROM roles WHERE name = 'Viewer') AND u.username IN ('nia', 'ned', 'noa')",
    )
    .await;
    assert_eq!(viewers, 3);
    assert_eq!(audit(&db, "role.delete").await, 1);
    let details: String = scalar(
        &db,
        "SELECT details FROM audit_entries WHERE action = 'role.delete'",
    )
    .await;
    let details: serde_json::Value = serde_json::from_str(&details).unwrap();
    assert_eq!(details["moved_to"], "Viewer");
    assert_eq!(details["users_moved"], 3);
    assert_eq!(details["permissions"], serde_json::json!(["users.view"]));

    // A role with nobody in it goes without a move.
    roles::create_role(&db, &by, &root, &draft("Empty", &[]))
        .await
        .unwrap();
    let _none = roles::delete_role(&db, &by, &root, role_id(&db, "Empty").await, 1, None)
        .await
        .unwrap();
}
both_backends!(deleting_a_role_moves_its_users_in_the_same_transaction);

async fn nobody_deletes_a_role_they_have(backend: Backend) {
    let (_test_db, db) = migrated(backend).await;
    let root = account(&db, "root", &["Administrator"]).await;
    roles::create_role(&db, &actor(&root), &root, &draft("Mine", &[]))
        .await
        .unwrap();
    db_exec(
        &db,
        "INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r \
         WHERE u.username = 'root' AND r.name = 'Mine'",
    )
    .await;
    let error = roles::delete_role(
        &db,
        &actor(&root),
        &root,
        role_id(&db, "Mine").await,
        1,
        Some("User"),
    )
    .await
    .unwrap_err();
    assert!(
        error.to_string().contains("You have this role yourself"),
        "{error}"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM roles WHERE name = 'Mine'").await,
        1
    );
}
both_backends!(nobody_deletes_a_role_they_have);

/// With no Administrator, "Keepers" is the only role that can manage roles:
/// taking that permission from it, deleting it, or taking it from its one
/// holder would leave nobody to undo the change.
async fn the_last_who_can_manage_roles_stays(backend: Backend) {
    let (_test_db, db) = migrated(backend).await;
    // The caller holds everything (as Administrator would) without being one.
    let mut boss = account(&db, "boss", &["User"]).await;
    boss.permissions = Permission::ALL.to_vec();
    let by = actor(&boss);
    roles::create_role(
        &db,
        &by,
        &boss,
        &draft("Keepers", &[Permission::ManageRoles, Permission::ViewUsers]),
    )
    .await
    .unwrap();
    let keeper = account(&db, "keeper", &["Keepers"]).await;
    assert_eq!(Control::count(&db).await.unwrap().role_managers, 1);

    let id = role_id(&db, "Keepers").await;
    let edit = RoleEdit {
        id,
        version: 1,
        name: "Keepers".to_owned(),
        description: String::new(),
        permissions: vec![Permission::ViewUsers],
    };
    let error = roles::update_role(&db, &by, &boss, &edit)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "This would leave nobody who can manage roles, so it was not done."
    );
    let error = roles::delete_role(&db, &by, &boss, id, 1, Some("User"))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "This would leave nobody who can manage roles, so it was not done."
    );
    assert_eq!(
        permissions(&db, "Keepers").await,
        ["roles.manage", "users.view"]
    );
    assert_eq!(Control::count(&db).await.unwrap().role_managers, 1);

    // The user page: taking Keepers from its one holder is refused too.
    let details = app::users::detail::service::user_details(
        &db,
        &app::auth::settings::AuthSettings::default(),
        "keeper",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let edit = app::users::detail::api::UserEdit {
        id: keeper.user_id,
        version: details.version,
        username: "keeper".into(),
        email: "keeper@example.com".into(),
        name: "keeper Tester".into(),
        phone: String::new(),
        phone_ext: String::new(),
        active: true,
        roles: vec!["User".into()],
        teams: vec![],
    };
    let error = app::users::detail::service::save_edit(
        &db,
        &app::auth::settings::AuthSettings::default(),
        &by,
        &boss,
        &edit,
    )
    .await
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "This would leave nobody who can manage roles, so it was not done."
    );
    assert_eq!(Control::count(&db).await.unwrap().role_managers, 1);
    assert_eq!(audit(&db, "user.update").await, 0, "nothing half-written");
}
both_backends!(the_last_who_can_manage_roles_stays);

#[test]
fn grants_beyond_the_caller_are_refused_both_ways() {
    use Permission::*;
    let caller = [ViewUsers, ManageRoles, LockUsers];
    assert!(roles::check_grants(&caller, &[ViewUsers], &[ViewUsers, LockUsers]).is_ok());
    let error = roles::check_grants(&caller, &[], &[Impersonate]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "You cannot grant \u{201c}Log in as another user\u{201d}: you do not hold it yourself."
    );
    assert_eq!(error.field(), Some("permissions"));
    let error = roles::check_grants(&caller, &[ViewUsers, Impersonate], &[ViewUsers]).unwrap_err();
    assert!(error.to_string().starts_with("You cannot remove"));
    // Keeping a permission one lacks is no change.
    assert!(roles::check_grants(&caller, &[Impersonate], &[Impersonate, LockUsers]).is_ok());
}
