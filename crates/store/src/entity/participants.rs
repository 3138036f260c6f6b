//! `participants`: A person who may staff an election, identified by a keyed hash of the CPR number.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "participants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "Blob")]
    pub cpr_encrypted: Vec<u8>,
    pub cpr_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub street_address: String,
    pub co_address: String,
    pub postal_code: String,
    pub city: String,
    pub municipality_code: Option<String>,
    pub citizenship: Option<String>,
    pub birth_date: Date,
    pub deceased: bool,
    pub disappeared: bool,
    pub under_guardianship: bool,
    pub exempt_digital_post: bool,
    pub protected_address: bool,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub validation_state: String,
    #[sea_orm(column_type = "Text")]
    pub validation_reasons: String,
    pub last_checked_at: Option<DateTimeUtc>,
    pub cpr_source: Option<String>,
    pub cpr_fetched_at: Option<DateTimeUtc>,
    pub consent_until: Option<Date>,
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
    #[sea_orm(has_many = "super::participant_diets::Entity")]
    ParticipantDiets,
    #[sea_orm(has_many = "super::participant_comments::Entity")]
    ParticipantComments,
    #[sea_orm(has_many = "super::work_location_responsibles::Entity")]
    WorkLocationResponsibles,
    #[sea_orm(has_many = "super::message_log::Entity")]
    MessageLog,
    #[sea_orm(has_many = "super::rejected_seats::Entity")]
    RejectedSeats,
    #[sea_orm(has_many = "super::sessions::Entity")]
    Sessions,
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

impl Related<super::participant_diets::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ParticipantDiets.def()
    }
}

impl Related<super::participant_comments::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ParticipantComments.def()
    }
}

impl Related<super::work_location_responsibles::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::WorkLocationResponsibles.def()
    }
}

impl Related<super::message_log::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::MessageLog.def()
    }
}

impl Related<super::rejected_seats::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RejectedSeats.def()
    }
}

impl Related<super::sessions::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sessions.def()
    }
}

impl Related<super::special_diets::Entity> for Entity {
    fn to() -> RelationDef {
        super::participant_diets::Relation::SpecialDiets.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::participant_diets::Relation::Participants.def().rev())
    }
}

/// The teams the participant is a member of.
impl Related<super::teams::Entity> for Entity {
    fn to() -> RelationDef {
        super::team_members::Relation::Teams.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::team_members::Relation::Participants.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
