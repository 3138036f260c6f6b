//! `contact_information`: The election secretariat's contact information (exactly one row, id 1).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_information")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub municipality_name: String,
    pub department: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub phone: String,
    pub email: String,
    pub digital_post_url: String,
    pub logo_file_id: Option<Uuid>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::files::Entity",
        from = "Column::LogoFileId",
        to = "super::files::Column::Id",
        on_delete = "SetNull"
    )]
    Files,
}

impl Related<super::files::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Files.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
