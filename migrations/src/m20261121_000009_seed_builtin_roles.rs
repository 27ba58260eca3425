//! The built-in roles. Permission keys are spelled out here rather than taken
//! from `app::auth::Permission`: a migration is history and must not change
//! when the enum does. The server's migration tests check that every key
//! here parses as a `Permission`.

use sea_orm_migration::prelude::*;

use crate::m20261121_000002_create_roles::Roles;

#[derive(DeriveMigrationName)]
pub struct Migration;

const BUILTIN_ROLES: &[(&str, &str, &[&str])] = &[
    (
        "Administrator",
        "Everything, including roles, impersonation and API tokens.",
        &[
            "users.view",
            "users.create",
            "users.edit",
            "users.delete",
            "users.lock",
            "users.reset_password",
            "users.force_sign_out",
            "messages.send",
            "users.impersonate",
            "roles.manage",
            "teams.manage",
            "audit.view",
            "statistics.view",
            "api_tokens.manage",
        ],
    ),
    (
        "User Manager",
        "Creates, edits, locks and deletes users and manages teams.",
        &[
            "users.view",
            "users.create",
            "users.edit",
            "users.delete",
            "users.lock",
            "users.reset_password",
            "users.force_sign_out",
            "messages.send",
            "teams.manage",
            "audit.view",
            "statistics.view",
        ],
    ),
    (
        "Support",
        "Helps users: unlocks accounts, resets passwords, sends messages.",
        &[
            "users.view",
            "users.lock",
            "users.reset_password",
            "users.force_sign_out",
            "messages.send",
        ],
    ),
    (
        "Viewer",
        "Reads users, the audit log and statistics.",
        &["users.view", "audit.view", "statistics.view"],
    ),
    (
        "User",
        "A plain account with no administrative permission.",
        &[],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on SQLite too (PostgreSQL gets a transaction by default).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let now = chrono::Utc::now();
        for (name, description, permissions) in BUILTIN_ROLES {
            let insert = Query::insert()
                .into_table(Roles::Table)
                .columns([
                    Roles::Name,
                    Roles::Description,
                    Roles::IsBuiltin,
                    Roles::CreatedAt,
                    Roles::UpdatedAt,
                ])
                .values_panic([
                    (*name).into(),
                    (*description).into(),
                    true.into(),
                    now.into(),
                    now.into(),
                ])
                .to_owned();
            manager.execute(insert).await?;
            for permission in *permissions {
                // Constants only: no user input reaches this SQL.
                manager
                    .get_connection()
                    .execute_unprepared(&format!(
                        "INSERT INTO role_permissions (role_id, permission) \
                         SELECT id, '{permission}' FROM roles WHERE name = '{name}'"
                    ))
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let builtin = "SELECT id FROM roles WHERE is_builtin = TRUE";
        db.execute_unprepared(&format!(
            "DELETE FROM user_roles WHERE role_id IN ({builtin})"
        ))
        .await?;
        db.execute_unprepared(&format!(
            "DELETE FROM role_permissions WHERE role_id IN ({builtin})"
        ))
        .await?;
        db.execute_unprepared("DELETE FROM roles WHERE is_builtin = TRUE")
            .await?;
        Ok(())
    }
}
