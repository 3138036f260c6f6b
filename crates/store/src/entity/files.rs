//! `files`: Binary content (PDF attachments, logo).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub file_name: String,
    pub mime_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    #[sea_orm(column_type = "Blob")]
    pub content: Vec<u8>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::task_type_files::Entity")]
    TaskTypeFiles,
    #[sea_orm(has_many = "super::message_template_files::Entity")]
    MessageTemplateFiles,
}

impl Related<super::task_type_files::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TaskTypeFiles.def()
    }
}

impl Related<super::message_template_files::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::MessageTemplateFiles.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
