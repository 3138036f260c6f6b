//! `work_location_teams`: Team staffing a work location.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_location_teams")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub work_location_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub team_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::work_locations::Entity",
        from = "Column::WorkLocationId",
        to = "super::work_locations::Column::Id",
        on_delete = "Cascade"
    )]
    WorkLocations,
    #[sea_orm(
        belongs_to = "super::teams::Entity",
        from = "Column::TeamId",
        to = "super::teams::Column::Id",
        on_delete = "Cascade"
    )]
    Teams,
}

impl Related<super::work_locations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WorkLocations.def()
    }
}

impl Related<super::teams::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Teams.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
