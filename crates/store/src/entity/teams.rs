//! `teams`: Team (party or group) that nominates participants.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "teams")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// `domain::master::name_key(&name)`: what uniqueness is checked on.
    pub name_key: String,
    pub short_name: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::seats::Entity")]
    Seats,
    #[sea_orm(has_many = "super::team_members::Entity")]
    TeamMembers,
    #[sea_orm(has_many = "super::team_responsibles::Entity")]
    TeamResponsibles,
    #[sea_orm(has_many = "super::links::Entity")]
    Links,
}

impl Related<super::seats::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Seats.def()
    }
}

impl Related<super::team_members::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TeamMembers.def()
    }
}

impl Related<super::team_responsibles::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TeamResponsibles.def()
    }
}

impl Related<super::links::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Links.def()
    }
}

impl Related<super::work_locations::Entity> for Entity {
    fn to() -> RelationDef {
        super::work_location_teams::Relation::WorkLocations.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::work_location_teams::Relation::Teams.def().rev())
    }
}

/// Members of the team (the responsibles are reached through
/// `team_responsibles`).
impl Related<super::participants::Entity> for Entity {
    fn to() -> RelationDef {
        super::team_members::Relation::Participants.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::team_members::Relation::Teams.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
