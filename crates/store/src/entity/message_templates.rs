//! `message_templates`: Message template for one message kind.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message_templates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    /// `domain::master::name_key(&title)`: what uniqueness is checked on.
    pub title_key: String,
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    #[sea_orm(column_type = "Text")]
    pub sms_text: String,
    pub is_default: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::message_template_files::Entity")]
    MessageTemplateFiles,
    #[sea_orm(has_many = "super::election_message_templates::Entity")]
    ElectionMessageTemplates,
    #[sea_orm(has_many = "super::election_task_type_message_templates::Entity")]
    ElectionTaskTypeMessageTemplates,
}

impl Related<super::message_template_files::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::MessageTemplateFiles.def()
    }
}

impl Related<super::election_message_templates::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ElectionMessageTemplates.def()
    }
}

impl Related<super::election_task_type_message_templates::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ElectionTaskTypeMessageTemplates.def()
    }
}

impl Related<super::files::Entity> for Entity {
    fn to() -> RelationDef {
        super::message_template_files::Relation::Files.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::message_template_files::Relation::MessageTemplates.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
