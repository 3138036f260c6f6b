//! `users`: Admin user (secretariat staff).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub fk_uuid: Option<String>,
    pub role: String,
    #[sea_orm(column_type = "Blob")]
    pub cpr_encrypted: Option<Vec<u8>>,
    pub cpr_hash: Option<String>,
    pub last_fk_roles: String,
    pub last_fk_login_at: Option<DateTimeUtc>,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::sessions::Entity")]
    Sessions,
    #[sea_orm(has_many = "super::participant_comments::Entity")]
    ParticipantComments,
}

impl Related<super::sessions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sessions.def()
    }
}

impl Related<super::participant_comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ParticipantComments.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
