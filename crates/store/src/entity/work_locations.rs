//! `work_locations`: Polling place or similar, in an area.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_locations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub area_id: Uuid,
    pub title: String,
    /// `domain::master::name_key(&title)`: what uniqueness is checked on.
    pub title_key: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub vote_location: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::areas::Entity",
        from = "Column::AreaId",
        to = "super::areas::Column::Id",
        on_delete = "NoAction"
    )]
    Areas,
    #[sea_orm(has_many = "super::seats::Entity")]
    Seats,
    #[sea_orm(has_many = "super::work_location_task_types::Entity")]
    WorkLocationTaskTypes,
    #[sea_orm(has_many = "super::work_location_teams::Entity")]
    WorkLocationTeams,
    #[sea_orm(has_many = "super::work_location_responsibles::Entity")]
    WorkLocationResponsibles,
    #[sea_orm(has_many = "super::election_work_locations::Entity")]
    ElectionWorkLocations,
}

impl Related<super::areas::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Areas.def()
    }
}

impl Related<super::seats::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Seats.def()
    }
}

impl Related<super::work_location_task_types::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WorkLocationTaskTypes.def()
    }
}

impl Related<super::work_location_teams::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WorkLocationTeams.def()
    }
}

impl Related<super::work_location_responsibles::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WorkLocationResponsibles.def()
    }
}

impl Related<super::election_work_locations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ElectionWorkLocations.def()
    }
}

impl Related<super::task_types::Entity> for Entity {
    fn to() -> RelationDef {
        super::work_location_task_types::Relation::TaskTypes.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::work_location_task_types::Relation::WorkLocations.def().rev())
    }
}

impl Related<super::teams::Entity> for Entity {
    fn to() -> RelationDef {
        super::work_location_teams::Relation::Teams.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::work_location_teams::Relation::WorkLocations.def().rev())
    }
}

impl Related<super::participants::Entity> for Entity {
    fn to() -> RelationDef {
        super::work_location_responsibles::Relation::Participants.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::work_location_responsibles::Relation::WorkLocations.def().rev())
    }
}

impl Related<super::elections::Entity> for Entity {
    fn to() -> RelationDef {
        super::election_work_locations::Relation::Elections.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::election_work_locations::Relation::WorkLocations.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
