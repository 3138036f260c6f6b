//! `rejected_seats`: History: a participant rejected, cancelled or was removed from a seat.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rejected_seats")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub seat_id: Option<Uuid>,
    pub election_id: Uuid,
    pub work_location_id: Uuid,
    pub team_id: Uuid,
    pub task_type_id: Uuid,
    pub participant_id: Uuid,
    pub task_date: Date,
    pub reason: String,
    pub rejected_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::seats::Entity",
        from = "Column::SeatId",
        to = "super::seats::Column::Id",
        on_delete = "SetNull"
    )]
    Seats,
    #[sea_orm(
        belongs_to = "super::elections::Entity",
        from = "Column::ElectionId",
        to = "super::elections::Column::Id",
        on_delete = "Cascade"
    )]
    Elections,
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
    #[sea_orm(
        belongs_to = "super::task_types::Entity",
        from = "Column::TaskTypeId",
        to = "super::task_types::Column::Id",
        on_delete = "Cascade"
    )]
    TaskTypes,
    #[sea_orm(
        belongs_to = "super::participants::Entity",
        from = "Column::ParticipantId",
        to = "super::participants::Column::Id",
        on_delete = "Cascade"
    )]
    Participants,
}

impl Related<super::seats::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Seats.def()
    }
}

impl Related<super::elections::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Elections.def()
    }
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

impl Related<super::task_types::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TaskTypes.def()
    }
}

impl Related<super::participants::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Participants.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
