//! `task_type_files`: PDF attachments of a task type.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_type_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub task_type_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub file_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::task_types::Entity",
        from = "Column::TaskTypeId",
        to = "super::task_types::Column::Id",
        on_delete = "Cascade"
    )]
    TaskTypes,
    #[sea_orm(
        belongs_to = "super::files::Entity",
        from = "Column::FileId",
        to = "super::files::Column::Id",
        on_delete = "Cascade"
    )]
    Files,
}

impl Related<super::task_types::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TaskTypes.def()
    }
}

impl Related<super::files::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Files.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
