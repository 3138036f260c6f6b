//! `participant_diets`: Special diet of a participant.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participant_diets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub participant_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub diet_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::participants::Entity",
        from = "Column::ParticipantId",
        to = "super::participants::Column::Id",
        on_delete = "Cascade"
    )]
    Participants,
    #[sea_orm(
        belongs_to = "super::special_diets::Entity",
        from = "Column::DietId",
        to = "super::special_diets::Column::Id",
        on_delete = "Cascade"
    )]
    SpecialDiets,
}

impl Related<super::participants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Participants.def()
    }
}

impl Related<super::special_diets::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::SpecialDiets.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
