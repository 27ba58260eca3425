use sea_orm::entity::prelude::*;

/// One recorded action. No foreign keys: entries outlive the users they name.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    pub actor_id: Option<i64>,
    pub actor_username: Option<String>,
    pub impersonator_id: Option<i64>,
    pub impersonator_username: Option<String>,
    pub action: String,
    pub target_user_id: Option<i64>,
    pub target_username: Option<String>,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub ip: Option<String>,
    pub client: Option<String>,
    /// JSON text.
    pub details: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
