//! `task_types`: Kind of task (tilforordnet, valgstyrer …) with times, payment and flags.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_types")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    /// `domain::master::name_key(&title)`: what uniqueness is checked on.
    pub title_key: String,
    pub short_name: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub start_time: Time,
    pub end_time: Time,
    pub payment_kr: Option<i32>,
    pub trusted: bool,
    pub validation_off: bool,
    pub send_reminder: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::seats::Entity")]
    Seats,
    #[sea_orm(has_many = "super::task_type_files::Entity")]
    TaskTypeFiles,
}

impl Related<super::seats::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Seats.def()
    }
}

impl Related<super::task_type_files::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TaskTypeFiles.def()
    }
}

impl Related<super::files::Entity> for Entity {
    fn to() -> RelationDef {
        super::task_type_files::Relation::Files.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::task_type_files::Relation::TaskTypes.def().rev())
    }
}

impl Related<super::work_locations::Entity> for Entity {
    fn to() -> RelationDef {
        super::work_location_task_types::Relation::WorkLocations.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::work_location_task_types::Relation::TaskTypes.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
