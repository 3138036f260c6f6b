//! `elections`: An election with its dates, lock period and channel order.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "elections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    /// `domain::master::name_key(&title)`: what uniqueness is checked on.
    pub title_key: String,
    pub election_type_id: Uuid,
    pub election_date: Date,
    pub first_task_date: Date,
    pub last_task_date: Date,
    pub lock_days: i32,
    pub active: bool,
    pub channel_order: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::election_types::Entity",
        from = "Column::ElectionTypeId",
        to = "super::election_types::Column::Id",
        on_delete = "NoAction"
    )]
    ElectionTypes,
    #[sea_orm(has_many = "super::seats::Entity")]
    Seats,
    #[sea_orm(has_many = "super::election_work_locations::Entity")]
    ElectionWorkLocations,
    #[sea_orm(has_many = "super::election_message_templates::Entity")]
    ElectionMessageTemplates,
    #[sea_orm(has_many = "super::election_task_type_message_templates::Entity")]
    ElectionTaskTypeMessageTemplates,
    #[sea_orm(has_many = "super::rejected_seats::Entity")]
    RejectedSeats,
    #[sea_orm(has_many = "super::links::Entity")]
    Links,
    #[sea_orm(has_many = "super::message_log::Entity")]
    MessageLog,
}

impl Related<super::election_types::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ElectionTypes.def()
    }
}

impl Related<super::seats::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Seats.def()
    }
}

impl Related<super::election_work_locations::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ElectionWorkLocations.def()
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

impl Related<super::rejected_seats::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RejectedSeats.def()
    }
}

impl Related<super::links::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Links.def()
    }
}

impl Related<super::message_log::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::MessageLog.def()
    }
}

impl Related<super::work_locations::Entity> for Entity {
    fn to() -> RelationDef {
        super::election_work_locations::Relation::WorkLocations.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::election_work_locations::Relation::Elections.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
