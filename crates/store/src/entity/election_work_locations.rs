//! `election_work_locations`: Work location taking part in an election.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "election_work_locations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub election_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub work_location_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::elections::Entity",
        from = "Column::ElectionId",
        to = "super::elections::Column::Id",
        on_delete = "Cascade"
    )]
    Elections,
    #[sea_orm(
        belongs_to = "super::work_locations::Entity",
        from = "Column::WorkLocationId",
        to = "super::work_locations::Column::Id",
        on_delete = "Cascade"
    )]
    WorkLocations,
}

impl Related<super::elections::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Elections.def()
    }
}

impl Related<super::work_locations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WorkLocations.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
