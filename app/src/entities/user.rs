use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub username: String,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub phone_ext: Option<String>,
    pub password_hash: Option<String>,
    pub password_changed_at: Option<DateTimeUtc>,
    pub must_change_password: bool,
    pub is_active: bool,
    pub locked_at: Option<DateTimeUtc>,
    pub locked_until: Option<DateTimeUtc>,
    pub failed_signin_count: i32,
    pub suspended_at: Option<DateTimeUtc>,
    pub suspended_reason: Option<String>,
    pub invited_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    pub last_signin_at: Option<DateTimeUtc>,
    pub last_signin_ip: Option<String>,
    pub last_signin_client: Option<String>,
    pub last_activity_at: Option<DateTimeUtc>,
    pub signed_in_since: Option<DateTimeUtc>,
    pub last_signed_out_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    /// SCIM: the identity provider's id for this user.
    pub external_id: Option<String>,
    /// SCIM: the `userName` the provider sent, when it is not the username
    /// as written (an email address, or other case). Cleared when the
    /// username is changed in Roster.
    pub scim_user_name: Option<String>,
    /// SCIM: `name.givenName`/`name.familyName`, kept while they still
    /// make up `name` (cleared when the name is changed in Roster).
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// SCIM: the other attributes Roster keeps and returns (title, locale,
    /// the enterprise extension…), as a JSON object.
    pub scim_attributes: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::user_role::Entity")]
    UserRole,
    #[sea_orm(has_many = "super::user_team::Entity")]
    UserTeam,
    #[sea_orm(has_many = "super::session::Entity")]
    Session,
}

impl Related<super::role::Entity> for Entity {
    fn to() -> RelationDef {
        super::user_role::Relation::Role.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::user_role::Relation::User.def().rev())
    }
}

impl Related<super::team::Entity> for Entity {
    fn to() -> RelationDef {
        super::user_team::Relation::Team.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::user_team::Relation::User.def().rev())
    }
}

impl Related<super::session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Session.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
