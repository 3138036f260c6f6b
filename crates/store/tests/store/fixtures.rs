//! Rows the tests build on, inserted straight through the entities so that a
//! test of one repository does not depend on another.

#![allow(dead_code)]

use chrono::{NaiveDate, NaiveTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use store::entity::*;
use uuid::Uuid;

pub use store::migration::seeded::FOLKETINGSVALG;

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// One election with one work location, team and task type, and two people.
pub struct World {
    pub election: Uuid,
    pub area: Uuid,
    pub work_location: Uuid,
    pub team: Uuid,
    pub task_type: Uuid,
    pub alice: Uuid,
    pub bob: Uuid,
}

impl World {
    pub async fn build(db: &impl ConnectionTrait) -> Result<Self, DbErr> {
        let now = Utc::now();
        let area = areas::ActiveModel {
            id: Set(Uuid::new_v4()),
            name: Set("Nord".into()),
            name_key: Set("nord".into()),
            description: Set(String::new()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
        let work_location = work_locations::ActiveModel {
            id: Set(Uuid::new_v4()),
            area_id: Set(area.id),
            title: Set("Korsbæk Skole".into()),
            title_key: Set("korsbæk skole".into()),
            address: Set("Skolevej 1".into()),
            postal_code: Set("4000".into()),
            city: Set("Korsbæk".into()),
            vote_location: Set(Some(1)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
        let team = team(db, "Socialdemokratiet").await?;
        let task_type = task_types::ActiveModel {
            id: Set(Uuid::new_v4()),
            title: Set("Tilforordnet".into()),
            title_key: Set("tilforordnet".into()),
            short_name: Set("TF".into()),
            description: Set(String::new()),
            start_time: Set(NaiveTime::from_hms_opt(8, 0, 0).unwrap()),
            end_time: Set(NaiveTime::from_hms_opt(20, 0, 0).unwrap()),
            payment_kr: Set(Some(1000)),
            trusted: Set(false),
            validation_off: Set(false),
            send_reminder: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
        let election = elections::ActiveModel {
            id: Set(Uuid::new_v4()),
            title: Set("Folketingsvalg 2026".into()),
            title_key: Set("folketingsvalg 2026".into()),
            election_type_id: Set(FOLKETINGSVALG),
            election_date: Set(date(2026, 10, 27)),
            first_task_date: Set(date(2026, 10, 20)),
            last_task_date: Set(date(2026, 10, 28)),
            lock_days: Set(3),
            active: Set(false),
            channel_order: Set("digital_post,email,sms".into()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
        election_work_locations::ActiveModel { election_id: Set(election.id), work_location_id: Set(work_location.id) }
            .insert(db)
            .await?;
        let alice = participant(db, "Alice").await?;
        let bob = participant(db, "Bob").await?;
        Ok(World {
            election: election.id,
            area: area.id,
            work_location: work_location.id,
            team: team.id,
            task_type: task_type.id,
            alice,
            bob,
        })
    }

    /// A free seat on the election date.
    pub async fn seat(&self, db: &impl ConnectionTrait) -> Result<seats::Model, DbErr> {
        self.seat_on(db, date(2026, 10, 27)).await
    }

    pub async fn seat_on(&self, db: &impl ConnectionTrait, day: NaiveDate) -> Result<seats::Model, DbErr> {
        let now = Utc::now();
        seats::ActiveModel {
            id: Set(Uuid::new_v4()),
            election_id: Set(self.election),
            work_location_id: Set(self.work_location),
            team_id: Set(self.team),
            task_type_id: Set(self.task_type),
            task_date: Set(day),
            state: Set("available".into()),
            participant_id: Set(None),
            invitation_code: Set(None),
            invited_at: Set(None),
            accepted_at: Set(None),
            invitation_reminder_at: Set(None),
            task_reminder_at: Set(None),
            checked_in_at: Set(None),
            invitation_sent: Set(false),
            registration_sent: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await
    }
}

pub async fn team(db: &impl ConnectionTrait, name: &str) -> Result<teams::Model, DbErr> {
    let now = Utc::now();
    teams::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(name.into()),
        name_key: Set(domain::master::name_key(name)),
        short_name: Set(name.chars().take(3).collect()),
        description: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
}

/// A participant row with a made-up CPR hash (no encryption involved).
pub async fn participant(db: &impl ConnectionTrait, first_name: &str) -> Result<Uuid, DbErr> {
    let now = Utc::now();
    let row = participants::ActiveModel {
        id: Set(Uuid::new_v4()),
        cpr_encrypted: Set(vec![0; 16]),
        cpr_hash: Set(Uuid::new_v4().simple().to_string()),
        first_name: Set(first_name.into()),
        last_name: Set("Jensen".into()),
        street_address: Set("Algade 1".into()),
        co_address: Set(String::new()),
        postal_code: Set("4000".into()),
        city: Set("Korsbæk".into()),
        municipality_code: Set(Some("0265".into())),
        citizenship: Set(Some("5100".into())),
        birth_date: Set(date(1980, 5, 17)),
        deceased: Set(false),
        disappeared: Set(false),
        under_guardianship: Set(false),
        exempt_digital_post: Set(false),
        protected_address: Set(false),
        mobile: Set(None),
        email: Set(None),
        validation_state: Set("valid".into()),
        validation_reasons: Set(String::new()),
        last_checked_at: Set(Some(now)),
        cpr_source: Set(Some("test".into())),
        cpr_fetched_at: Set(Some(now)),
        consent_until: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

pub fn vault() -> store::crypto::CprVault {
    store::crypto::CprVault::new(&[7; 32])
}

pub fn cpr(text: &str) -> domain::CprNumber {
    domain::CprNumber::parse(text).unwrap()
}

pub fn staff() -> store::repo::Actor {
    store::repo::Actor::user(Uuid::from_u128(1), "Sekretær Sørensen")
}

/// CPR data for a Korsbæk resident born on the CPR number's date.
pub fn cpr_data(first_name: &str, last_name: &str, born: NaiveDate) -> store::repo::participants::CprData {
    store::repo::participants::CprData {
        first_name: first_name.into(),
        last_name: last_name.into(),
        street_address: "Algade 1".into(),
        co_address: String::new(),
        postal_code: "4000".into(),
        city: "Korsbæk".into(),
        municipality_code: Some(domain::MunicipalityCode::parse("0265").unwrap()),
        citizenship: Some(domain::CountryCode::parse("5100").unwrap()),
        birth_date: born,
        deceased: false,
        disappeared: false,
        under_guardianship: false,
        exempt_digital_post: false,
        protected_address: false,
        source: "sf1520".into(),
        fetched_at: Utc::now(),
    }
}

pub fn new_participant(cpr_text: &str, first_name: &str, last_name: &str) -> store::repo::participants::NewParticipant {
    let number = cpr(cpr_text);
    let born = number.birth_date();
    store::repo::participants::NewParticipant {
        cpr: number,
        data: cpr_data(first_name, last_name, born),
        contact: Default::default(),
        validation: store::repo::participants::ValidationState::Valid,
        consent_until: None,
    }
}

/// Audit rows about `table`, oldest first.
pub async fn audit_rows(db: &impl ConnectionTrait, table: &str) -> Result<Vec<audit_log::Model>, DbErr> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    audit_log::Entity::find()
        .filter(audit_log::Column::EntityTable.eq(table))
        .order_by_asc(audit_log::Column::At)
        .all(db)
        .await
}
