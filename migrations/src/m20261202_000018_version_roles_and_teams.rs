//! Roles and teams get edited from their own pages now: each gets a
//! `version`, bumped by every change, so an edit made against an older one
//! is refused instead of silently overwriting someone else's. Membership
//! is read from the role or team side (a team's member pages, a role's
//! member count): the indexes on `role_id`/`team_id` alone become
//! covering ones that carry `user_id` too.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Roles {
    Table,
    Version,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Version,
}

#[derive(DeriveIden)]
enum UserRoles {
    Table,
    UserId,
    RoleId,
}

#[derive(DeriveIden)]
enum UserTeams {
    Table,
    UserId,
    TeamId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Roles::Table)
                    .add_column(integer(Roles::Version).default(1))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Teams::Table)
                    .add_column(integer(Teams::Version).default(1))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_user_roles_role_id")
                    .table(UserRoles::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_user_roles_role_user",
                UserRoles::Table,
                [UserRoles::RoleId, UserRoles::UserId],
            ))
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_user_teams_team_id")
                    .table(UserTeams::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_user_teams_team_user",
                UserTeams::Table,
                [UserTeams::TeamId, UserTeams::UserId],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_user_teams_team_user")
                    .table(UserTeams::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_user_teams_team_id",
                UserTeams::Table,
                [UserTeams::TeamId],
            ))
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_user_roles_role_user")
                    .table(UserRoles::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_user_roles_role_id",
                UserRoles::Table,
                [UserRoles::RoleId],
            ))
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Teams::Table)
                    .drop_column(Teams::Version)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Roles::Table)
                    .drop_column(Roles::Version)
                    .to_owned(),
            )
            .await
    }
}
