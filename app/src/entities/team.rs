use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "teams")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    pub description: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Bumped by every change; an edit made against an older one is refused.
    pub version: i32,
    /// SCIM: the identity provider's id for this team (a SCIM Group).
    pub external_id: Option<String>,
    /// Members who are not deleted, kept by triggers (migration 25): read,
    /// never written by Roster's code.
    pub member_count: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::user_team::Entity")]
    UserTeam,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        super::user_team::Relation::User.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::user_team::Relation::Team.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
