//! `areas`: A municipality-defined group of work locations.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "areas")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// `domain::master::name_key(&name)`: what uniqueness is checked on.
    pub name_key: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::work_locations::Entity")]
    WorkLocations,
}

impl Related<super::work_locations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WorkLocations.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
