//! The demo's citizens who can sign in to the portal: the simulated
//! NemLog-in's test people, made participants here with their CPR numbers,
//! one with a seat, one team responsible, one work-location responsible.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use store::entity::{seats, team_members, team_responsibles, work_location_responsibles};
use store::repo::participants::{Contact, CprData, NewParticipant, ValidationState, create};
use uuid::Uuid;

/// What a citizen is in the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Participant,
    TeamResponsible,
    WorkLocationResponsible,
}

/// (NemLog-in test user, CPR, first name, last name, part). Fictional people,
/// the same as the simulator's built-in citizens.
pub const CITIZENS: [(&str, &str, &str, &str, Part); 3] = [
    ("karen", "1205851236", "Karen", "Testesen", Part::Participant),
    ("mads", "0302700517", "Mads Peter", "Prøvesen", Part::TeamResponsible),
    ("aase", "2412492348", "Åse", "Ørsted-Æbelø", Part::WorkLocationResponsible),
];

/// Creates the citizens as participants in the first team, each with an
/// accepted seat at the first work location, and their responsibilities.
pub async fn seed_citizens(
    db: &impl store::repo::Conn,
    vault: &store::crypto::CprVault,
    team: Uuid,
    work_location: Uuid,
) -> anyhow::Result<()> {
    for (_, cpr, first, last, part) in CITIZENS {
        let cpr = domain::CprNumber::parse(cpr)?;
        let data = CprData {
            first_name: first.into(),
            last_name: last.into(),
            street_address: "Torvet 2".into(),
            co_address: String::new(),
            postal_code: "4999".into(),
            city: "Korsbæk".into(),
            municipality_code: Some(domain::MunicipalityCode::parse(super::super::MUNICIPALITY_CODE)?),
            citizenship: Some(domain::CountryCode::DENMARK),
            birth_date: cpr.birth_date(),
            deceased: false,
            disappeared: false,
            under_guardianship: false,
            exempt_digital_post: false,
            protected_address: false,
            source: "demo".into(),
            fetched_at: Utc::now(),
        };
        let new = NewParticipant {
            cpr,
            data,
            contact: Contact { mobile: None, email: None },
            validation: ValidationState::Valid,
            consent_until: None,
        };
        let participant = create(db, vault, &store::repo::Actor::system(), new).await?.id;
        team_members::ActiveModel { team_id: Set(team), participant_id: Set(participant) }.insert(db).await?;
        let free = seats::Entity::find()
            .filter(seats::Column::WorkLocationId.eq(work_location))
            .filter(seats::Column::TeamId.eq(team))
            .filter(seats::Column::ParticipantId.is_null())
            .one(db)
            .await?;
        if let Some(seat) = free {
            let mut row: seats::ActiveModel = seat.into();
            row.state = Set("accepted".into());
            row.participant_id = Set(Some(participant));
            row.accepted_at = Set(Some(Utc::now()));
            row.updated_at = Set(Utc::now());
            row.update(db).await?;
        }
        match part {
            Part::Participant => {}
            Part::TeamResponsible => {
                team_responsibles::ActiveModel { team_id: Set(team), participant_id: Set(participant) }
                    .insert(db)
                    .await?;
            }
            Part::WorkLocationResponsible => {
                work_location_responsibles::ActiveModel {
                    work_location_id: Set(work_location),
                    participant_id: Set(participant),
                }
                .insert(db)
                .await?;
            }
        }
    }
    Ok(())
}
