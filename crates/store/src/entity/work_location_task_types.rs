//! `work_location_task_types`: Task type relevant at a work location.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_location_task_types")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub work_location_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub task_type_id: Uuid,
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
        belongs_to = "super::task_types::Entity",
        from = "Column::TaskTypeId",
        to = "super::task_types::Column::Id",
        on_delete = "Cascade"
    )]
    TaskTypes,
}

impl Related<super::work_locations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WorkLocations.def()
    }
}

impl Related<super::task_types::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TaskTypes.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
