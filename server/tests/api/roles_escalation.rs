//! The escalation matrix: each built-in role and a custom role manager ×
//! each change to roles and permissions, called over HTTP through the real
//! server functions, allowed or refused as the table says. Then: a change
//! to a role reaches its holders' open tabs, and their next request.

use app::auth::Permission;
use app::roles::api::RoleDraft;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, Visitor, scalar, spawn_app};
use crate::roles_service::{account, actor};

/// Callers, in the order of every row's expectations. Administrator is last:
/// where only it may make a change, everyone else has tried (and changed
/// nothing) before it does.
const CALLERS: [&str; 6] = [
    "User",
    "Viewer",
    "Support",
    "User Manager",
    "Role Manager",
    "Administrator",
];

/// The custom role: may manage roles and edit users, but holds little else.
const ROLE_MANAGER: [Permission; 3] = [
    Permission::ManageRoles,
    Permission::ViewUsers,
    Permission::EditUsers,
];

const Y: bool = true;
const N: bool = false;

#[derive(Debug, Clone, Copy)]
enum Change {
    CreateWithViewUsers,
    CreateWithImpersonate,
    AddImpersonateToSupport,
    RemoveLockFromSupport,
    DescribeViewer,
    GiveAdministrator,
    GiveViewer,
    OwnRoles,
    DeleteRoleMovingUsers,
    StripAdministrator,
}

/// Change, and whether each caller (in [`CALLERS`] order) may make it.
const MATRIX: [(Change, [bool; 6]); 10] = [
    (Change::CreateWithViewUsers, [N, N, N, N, Y, Y]),
    (Change::CreateWithImpersonate, [N, N, N, N, N, Y]),
    (Change::AddImpersonateToSupport, [N, N, N, N, N, Y]),
    (Change::RemoveLockFromSupport, [N, N, N, N, N, Y]),
    (Change::DescribeViewer, [N, N, N, N, Y, Y]),
    (Change::GiveAdministrator, [N, N, N, N, N, Y]),
    (Change::GiveViewer, [N, N, N, Y, N, Y]),
    (Change::OwnRoles, [N, N, N, N, N, N]),
    (Change::DeleteRoleMovingUsers, [N, N, N, N, Y, Y]),
    (Change::StripAdministrator, [N, N, N, N, N, N]),
];

async fn role(app: &TestApp, name: &str) -> (i64, i32, Vec<String>) {
    let id: i64 = scalar(
        &app.db,
        &format!("SELECT id FROM roles WHERE name = '{name}'"),
    )
    .await;
    let version: i32 = scalar(
        &app.db,
        &format!("SELECT version FROM roles WHERE id = {id}"),
    )
    .await;
    let keys = crate::helpers::strings(
        &app.db,
        &format!("SELECT permission AS value FROM role_permissions WHERE role_id = {id} ORDER BY permission"),
    )
    .await;
    (id, version, keys)
}

fn role_edit(
    id: i64,
    version: i32,
    name: &str,
    description: &str,
    permissions: &[String],
) -> Value {
    json!({ "edit": {
        "id": id, "version": version, "name": name,
        "description": description, "permissions": permissions,
    }})
}

async fn user_edit(app: &TestApp, username: &str, roles: &[&str]) -> Value {
    let id: i64 = scalar(
        &app.db,
        &format!("SELECT id FROM users WHERE username = '{username}'"),
    )
    .await;
    let version: i32 = scalar(
        &app.db,
        &format!("SELECT version FROM users WHERE id = {id}"),
    )
    .await;
    json!({ "edit": {
        "id": id, "version": version, "username": username,
        "email": format!("{username}@example.com"), "name": format!("{username} Tester"),
        "phone": "", "phone_ext": "", "active": true, "roles": roles, "teams": [],
    }})
}

/// Makes `change` as caller number `i` (signed in as `me`); the HTTP status.
async fn attempt(app: &TestApp, visitor: &Visitor, i: usize, me: &str, change: Change) -> u16 {
    let response = match change {
        Change::CreateWithViewUsers | Change::CreateWithImpersonate => {
            let permission = match change {
                Change::CreateWithViewUsers => "users.view",
                _ => "users.impersonate",
            };
            let body = json!({ "draft": {
                "name": format!("{change:?} {i}"), "description": "", "permissions": [permission],
            }});
            visitor.call_json("create_role", &body).await
        }
        Change::AddImpersonateToSupport | Change::RemoveLockFromSupport => {
            let (id, version, mut keys) = role(app, "Support").await;
            if matches!(change, Change::AddImpersonateToSupport) {
                keys.push("users.impersonate".into());
            } else {
                keys.retain(|k| k != "users.lock");
            }
            let body = role_edit(id, version, "Support", "", &keys);
            visitor.call_json("update_role", &body).await
        }
        Change::DescribeViewer => {
            let (id, version, keys) = role(app, "Viewer").await;
            let body = role_edit(
                id,
                version,
                "Viewer",
                &format!("Described by caller {i}."),
                &keys,
            );
            visitor.call_json("update_role", &body).await
        }
        Change::StripAdministrator => {
            let (id, version, _) = role(app, "Administrator").await;
            let body = role_edit(id, version, "Administrator", "", &[]);
            visitor.call_json("update_role", &body).await
        }
        Change::GiveAdministrator => {
            let body = user_edit(app, &format!("target{i}a"), &["Administrator"]).await;
            visitor.call_json("update_user", &body).await
        }
        Change::GiveViewer => {
            let body = user_edit(app, &format!("target{i}v"), &["Viewer"]).await;
            visitor.call_json("update_user", &body).await
        }
        Change::OwnRoles => {
            let own = CALLERS[i];
            let body = user_edit(app, me, &[own, "Viewer"]).await;
            visitor.call_json("update_user", &body).await
        }
        Change::DeleteRoleMovingUsers => {
            let (id, version, _) = role(app, &format!("Temp {i}")).await;
            let (id, version) = (id.to_string(), version.to_string());
            visitor
                .call(
                    "delete_role",
                    &[("id", &id), ("version", &version), ("move_to", "User")],
                )
                .await
        }
    };
    response.status().as_u16()
}

async fn nobody_grants_more_than_they_hold(backend: Backend) {
    let app = spawn_app(backend).await;
    // The custom role, and per caller a role to delete (with a member) and
    // users to give roles to.
    let mut boss = account(&app.db, "boss", &["User"]).await;
    boss.permissions = Permission::ALL.to_vec();
    let draft = |name: &str, permissions: &[Permission]| RoleDraft {
        name: name.to_owned(),
        description: String::new(),
        permissions: permissions.to_vec(),
    };
    app::roles::service::create_role(
        &app.db,
        &actor(&boss),
        &boss,
        &draft("Role Manager", &ROLE_MANAGER),
    )
    .await
    .unwrap();
    let mut visitors = Vec::new();
    for (i, role) in CALLERS.iter().enumerate() {
        let me = format!("caller{i}");
        app.create_user(&me, &[role], false).await;
        app.create_user(&format!("target{i}a"), &["User"], false)
            .await;
        app.create_user(&format!("target{i}v"), &["User"], false)
            .await;
        app::roles::service::create_role(
            &app.db,
            &actor(&boss),
            &boss,
            &draft(&format!("Temp {i}"), &[Permission::ViewUsers]),
        )
        .await
        .unwrap();
        app.create_user(&format!("temp{i}"), &[&format!("Temp {i}")], false)
            .await;
        visitors.push((me.clone(), app.signed_in(&me).await));
    }

    let mut wrong = Vec::new();
    for (change, allowed) in MATRIX {
        for (i, (me, visitor)) in visitors.iter().enumerate() {
            let status = attempt(&app, visitor, i, me, change).await;
            let got = status == 200;
            if got != allowed[i] || !(got || [403, 409, 422].contains(&status)) {
                wrong.push(format!(
                    "{change:?} by {}: got {status}, expected {}",
                    CALLERS[i],
                    if allowed[i] { "allowed" } else { "refused" }
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the matrix disagrees:\n{}",
        wrong.join("\n")
    );

    // What was allowed happened; what was refused did not.
    let (_, _, support) = role(&app, "Support").await;
    assert!(support.contains(&"users.impersonate".to_owned()));
    assert!(!support.contains(&"users.lock".to_owned()));
    let (_, _, admin) = role(&app, "Administrator").await;
    assert_eq!(admin.len(), Permission::ALL.len());
    let created: i64 = crate::helpers::count(
        &app.db,
        "SELECT COUNT(*) FROM roles WHERE name LIKE 'CreateWith%'",
    )
    .await;
    assert_eq!(created, 3, "two with View users, one with Log in as");
    let temp4: i64 = crate::helpers::count(
        &app.db,
        "SELECT COUNT(*) FROM user_roles ur JOIN users u ON u.id = ur.user_id \
         JOIN roles r ON r.id = ur.role_id WHERE u.username IN ('temp4', 'temp5') AND r.name = 'User'",
    )
    .await;
    assert_eq!(temp4, 2, "the deleted roles' users moved to User");
}
both_backends!(nobody_grants_more_than_they_hold);

/// A change to a role reaches its holders: their open tabs hear of it at
/// once, and their next request has the new permissions.
async fn a_role_change_reaches_its_holders_live(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user("root", &["Administrator"], false).await;
    app.create_user("sam", &["Support"], false).await;
    app.create_user("vic", &["Viewer"], false).await;
    let root = app.signed_in("root").await;
    let sam = app.signed_in("sam").await;
    let vic = app.signed_in("vic").await;
    let mut sam_tab = sam.open_live().await;
    let mut vic_tab = vic.open_live().await;

    let before = sam.call("list_users", &[("view", "")]).await;
    assert_eq!(before.status(), 200);
    let (id, version, _) = role(&app, "Support").await;
    let body = role_edit(id, version, "Support", "", &["messages.send".to_owned()]);
    let response = root.call_json("update_role", &body).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());

    let event = sam_tab.next_ignoring_presence(5.0).await;
    assert_eq!(event.map(|e| e.0).as_deref(), Some("access_changed"));
    assert!(
        vic_tab.next_ignoring_presence(0.5).await.is_none(),
        "a Viewer's tab hears nothing of Support"
    );
    let after = sam.call("list_users", &[("view", "")]).await;
    assert_eq!(
        after.status(),
        403,
        "the next request has the new permissions"
    );

    // Giving vic another role on the user page reaches vic's tab too.
    let body = user_edit(&app, "vic", &["Viewer", "Support"]).await;
    assert_eq!(root.call_json("update_user", &body).await.status(), 200);
    let event = vic_tab.next_ignoring_presence(5.0).await;
    assert_eq!(event.map(|e| e.0).as_deref(), Some("access_changed"));
}
both_backends!(a_role_change_reaches_its_holders_live);
