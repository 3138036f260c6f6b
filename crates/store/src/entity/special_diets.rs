//! `special_diets`: Special diet a participant may need.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "special_diets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    /// `domain::master::name_key(&title)`: what uniqueness is checked on.
    pub title_key: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::participant_diets::Entity")]
    ParticipantDiets,
}

impl Related<super::participant_diets::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ParticipantDiets.def()
    }
}

impl Related<super::participants::Entity> for Entity {
    fn to() -> RelationDef {
        super::participant_diets::Relation::Participants.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::participant_diets::Relation::SpecialDiets.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
