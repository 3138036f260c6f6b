//! Rows the team, task-type and work-location screen tests build on,
//! inserted straight through the entities, and small request helpers.

#![allow(dead_code)]

use chrono::{NaiveDate, NaiveTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use store::entity::{
    areas, audit_log, election_work_locations, elections, participants, seats, task_types, team_members, teams,
    work_locations,
};
use store::migration::seeded::FOLKETINGSVALG;
use uuid::Uuid;

use crate::support::{TestApp, location, page};

pub fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 6, 1).unwrap()
}

/// Audit rows about `table` with `action`.
pub async fn audit_count(db: &impl ConnectionTrait, table: &str, action: &str) -> anyhow::Result<u64> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::EntityTable.eq(table))
        .filter(audit_log::Column::Action.eq(action))
        .count(db)
        .await?)
}

pub async fn area(db: &impl ConnectionTrait, name: &str) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let row = areas::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(name.into()),
        name_key: Set(name.to_lowercase()),
        description: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

pub async fn team(db: &impl ConnectionTrait, name: &str) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let row = teams::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(name.into()),
        name_key: Set(name.to_lowercase()),
        short_name: Set(name.chars().take(3).collect()),
        description: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

pub async fn task_type(db: &impl ConnectionTrait, title: &str) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let row = task_types::ActiveModel {
        id: Set(Uuid::new_v4()),
        title: Set(title.into()),
        title_key: Set(title.to_lowercase()),
        short_name: Set(title.chars().take(3).collect()),
        description: Set("Hjælper på valgstedet".into()),
        start_time: Set(NaiveTime::from_hms_opt(8, 0, 0).unwrap()),
        end_time: Set(NaiveTime::from_hms_opt(20, 0, 0).unwrap()),
        payment_kr: Set(None),
        trusted: Set(false),
        validation_off: Set(false),
        send_reminder: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

pub async fn work_location(db: &impl ConnectionTrait, area: Uuid, title: &str) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let row = work_locations::ActiveModel {
        id: Set(Uuid::new_v4()),
        area_id: Set(area),
        title: Set(title.into()),
        title_key: Set(title.to_lowercase()),
        address: Set("Skolevej 1".into()),
        postal_code: Set("4000".into()),
        city: Set("Korsbæk".into()),
        vote_location: Set(Some(1)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

pub async fn participant(db: &impl ConnectionTrait, first_name: &str) -> anyhow::Result<Uuid> {
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
        birth_date: Set(NaiveDate::from_ymd_opt(1980, 5, 17).unwrap()),
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

pub async fn join_team(db: &impl ConnectionTrait, team: Uuid, participant: Uuid) -> anyhow::Result<()> {
    team_members::ActiveModel { team_id: Set(team), participant_id: Set(participant) }.insert(db).await?;
    Ok(())
}

/// An election that includes `work_location`.
pub async fn election_with(db: &impl ConnectionTrait, work_location: Uuid, active: bool) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let title = format!("Valg {}", Uuid::new_v4());
    let row = elections::ActiveModel {
        id: Set(Uuid::new_v4()),
        title_key: Set(title.to_lowercase()),
        title: Set(title),
        election_type_id: Set(FOLKETINGSVALG),
        election_date: Set(day()),
        first_task_date: Set(day()),
        last_task_date: Set(day()),
        lock_days: Set(3),
        active: Set(active),
        channel_order: Set("digital_post,email,sms".into()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    election_work_locations::ActiveModel { election_id: Set(row.id), work_location_id: Set(work_location) }
        .insert(db)
        .await?;
    Ok(row.id)
}

pub async fn set_active(db: &impl ConnectionTrait, election: Uuid, active: bool) -> anyhow::Result<()> {
    elections::ActiveModel { id: Set(election), active: Set(active), ..Default::default() }.update(db).await?;
    Ok(())
}

/// What a seat is made of.
pub struct SeatOf {
    pub election: Uuid,
    pub work_location: Uuid,
    pub team: Uuid,
    pub task_type: Uuid,
}

/// A free seat.
pub async fn seat(db: &impl ConnectionTrait, of: &SeatOf) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let row = seats::ActiveModel {
        id: Set(Uuid::new_v4()),
        election_id: Set(of.election),
        work_location_id: Set(of.work_location),
        team_id: Set(of.team),
        task_type_id: Set(of.task_type),
        task_date: Set(day()),
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
    .await?;
    Ok(row.id)
}

/// One work location in an election with a team and a task type, and a
/// seat there.
pub async fn staffed(db: &impl ConnectionTrait, active: bool) -> anyhow::Result<SeatOf> {
    let area = area(db, "Nord").await?;
    let work_location = work_location(db, area, "Korsbæk Skole").await?;
    let of = SeatOf {
        election: election_with(db, work_location, active).await?,
        work_location,
        team: team(db, "Socialdemokratiet").await?,
        task_type: task_type(db, "Tilforordnet").await?,
    };
    seat(db, &of).await?;
    Ok(of)
}

/// Posts `form` and expects a redirect to `to`; returns the page there.
pub async fn post_ok(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, String)],
    to: &str,
) -> anyhow::Result<String> {
    let response = client.post(app.url(path)).form(form).send().await?;
    let status = response.status();
    let body_location = location(&response);
    anyhow::ensure!(status == 303, "expected 303 from {path}, got {status}: {}", response.text().await?);
    assert_eq!(body_location, to);
    page(client.get(app.url(to)).send().await?, 200).await
}

/// Posts `form` and expects `status`; returns the page.
pub async fn post_page(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, String)],
    status: u16,
) -> anyhow::Result<String> {
    page(client.post(app.url(path)).form(form).send().await?, status).await
}

/// Owned form pairs from literals.
pub fn pairs(items: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    items.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
}
