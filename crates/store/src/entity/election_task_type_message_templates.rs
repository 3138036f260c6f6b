//! `election_task_type_message_templates`: Per-task-type override of an election template slot.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "election_task_type_message_templates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub election_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub task_type_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    pub template_id: Uuid,
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
        belongs_to = "super::task_types::Entity",
        from = "Column::TaskTypeId",
        to = "super::task_types::Column::Id",
        on_delete = "Cascade"
    )]
    TaskTypes,
    #[sea_orm(
        belongs_to = "super::message_templates::Entity",
        from = "Column::TemplateId",
        to = "super::message_templates::Column::Id",
        on_delete = "Cascade"
    )]
    MessageTemplates,
}

impl Related<super::elections::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Elections.def()
    }
}

impl Related<super::task_types::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TaskTypes.def()
    }
}

impl Related<super::message_templates::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::MessageTemplates.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
