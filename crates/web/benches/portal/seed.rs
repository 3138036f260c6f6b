//! A compact demo-like tenant for the portal benchmark: one active election,
//! three work locations and teams, two task types, and N participants, each
//! with an accepted seat on election day and every other one also with an
//! unanswered invitation for the day before. Inserted straight through the
//! entities (the demo seed lives in the `valghalla` crate, which depends on
//! `web`): setting up is not what is measured.

use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use domain::CprNumber;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use store::crypto::CprVault;
use store::entity::{
    areas, election_work_locations, elections, participants, seats, task_types, teams, work_locations,
};
use uuid::Uuid;

pub const HOME: &str = "0999";
/// The task type of every participant's accepted seat; the page must show it.
pub const MAIN_TASK: &str = "Tilforordnet";

/// One seeded participant: who they are and the name their session shows.
pub struct Person {
    pub id: Uuid,
    pub name: String,
}

/// The election's places, teams and task types.
struct Layout {
    election: Uuid,
    day: NaiveDate,
    locations: Vec<Uuid>,
    teams: Vec<Uuid>,
    tasks: [Uuid; 2],
}

pub async fn populate(db: &DatabaseConnection, vault: &CprVault, n: usize) -> anyhow::Result<Vec<Person>> {
    let layout = layout(db).await?;
    let mut people = Vec::with_capacity(n);
    let mut rows = Vec::with_capacity(n);
    let mut places = Vec::new();
    for i in 0..n {
        let person = Person { id: Uuid::new_v4(), name: format!("Deltager Nr. {i:03}") };
        rows.push(participant(vault, &person, i));
        places.push(seat(&layout, person.id, i, SeatKind::Accepted));
        if i % 2 == 1 {
            places.push(seat(&layout, person.id, i, SeatKind::Invited));
        }
        people.push(person);
    }
    participants::Entity::insert_many(rows).exec(db).await?;
    seats::Entity::insert_many(places).exec(db).await?;
    Ok(people)
}

async fn layout(db: &DatabaseConnection) -> anyhow::Result<Layout> {
    let now = Utc::now();
    let area = areas::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set("Midt".into()),
        name_key: Set("midt".into()),
        description: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    let day = (now + Duration::days(60)).date_naive();
    let election = election(db, day).await?;
    let mut locations = Vec::new();
    let mut team_ids = Vec::new();
    for (n, (place, team)) in
        [("Korsbæk Skole", "Venstre"), ("Hallen", "Socialdemokratiet"), ("Biblioteket", "Kommunen")]
            .into_iter()
            .enumerate()
    {
        let id = work_location(db, area.id, place, n as i32 + 1).await?;
        election_work_locations::ActiveModel { election_id: Set(election), work_location_id: Set(id) }
            .insert(db)
            .await?;
        locations.push(id);
        team_ids.push(self::team(db, team).await?);
    }
    let tasks = [task_type(db, MAIN_TASK, (8, 20)).await?, task_type(db, "Brevstemmemodtager", (9, 17)).await?];
    Ok(Layout { election, day, locations, teams: team_ids, tasks })
}

async fn election(db: &DatabaseConnection, day: NaiveDate) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let row = elections::ActiveModel {
        id: Set(Uuid::new_v4()),
        title: Set("Folketingsvalg".into()),
        title_key: Set("folketingsvalg".into()),
        election_type_id: Set(store::migration::seeded::FOLKETINGSVALG),
        election_date: Set(day),
        first_task_date: Set(day - Duration::days(1)),
        last_task_date: Set(day),
        lock_days: Set(3),
        active: Set(true),
        channel_order: Set("digital_post,email,sms".into()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

async fn work_location(db: &DatabaseConnection, area: Uuid, title: &str, number: i32) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let row = work_locations::ActiveModel {
        id: Set(Uuid::new_v4()),
        area_id: Set(area),
        title: Set(title.into()),
        title_key: Set(title.to_lowercase()),
        address: Set(format!("Algade {number}")),
        postal_code: Set("4000".into()),
        city: Set("Korsbæk".into()),
        vote_location: Set(Some(number)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

async fn team(db: &DatabaseConnection, name: &str) -> anyhow::Result<Uuid> {
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

async fn task_type(db: &DatabaseConnection, title: &str, (from, to): (u32, u32)) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let row = task_types::ActiveModel {
        id: Set(Uuid::new_v4()),
        title: Set(title.into()),
        title_key: Set(title.to_lowercase()),
        short_name: Set(title.chars().take(3).collect()),
        description: Set("Hjælper på valgstedet".into()),
        start_time: Set(NaiveTime::from_hms_opt(from, 0, 0).expect("valid hour")),
        end_time: Set(NaiveTime::from_hms_opt(to, 0, 0).expect("valid hour")),
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

/// Distinct valid numbers: day and month from `i`, a serial per 336 people.
fn cpr_number(i: usize) -> CprNumber {
    let (d, m, serial) = (i % 28 + 1, (i / 28) % 12 + 1, 1000 + i / 336);
    CprNumber::parse(&format!("{d:02}{m:02}80{serial:04}")).expect("valid CPR number")
}

fn participant(vault: &CprVault, person: &Person, i: usize) -> participants::ActiveModel {
    let now = Utc::now();
    let cpr = cpr_number(i);
    let (first, last) = person.name.split_once(' ').expect("a first and a last name");
    participants::ActiveModel {
        id: Set(person.id),
        cpr_encrypted: Set(vault.encrypt(&cpr)),
        cpr_hash: Set(vault.hash(&cpr)),
        first_name: Set(first.into()),
        last_name: Set(last.into()),
        street_address: Set(format!("Algade {}", i + 1)),
        co_address: Set(String::new()),
        postal_code: Set("4000".into()),
        city: Set("Korsbæk".into()),
        municipality_code: Set(Some(HOME.into())),
        citizenship: Set(Some("5100".into())),
        birth_date: Set(cpr.birth_date()),
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
        cpr_source: Set(Some("sf1520".into())),
        cpr_fetched_at: Set(Some(now)),
        consent_until: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

enum SeatKind {
    /// Election day, said yes to.
    Accepted,
    /// The day before, still unanswered.
    Invited,
}

fn seat(layout: &Layout, participant: Uuid, i: usize, kind: SeatKind) -> seats::ActiveModel {
    let now = Utc::now();
    let accepted = matches!(kind, SeatKind::Accepted);
    let (task, date) =
        if accepted { (layout.tasks[0], layout.day) } else { (layout.tasks[1], layout.day - Duration::days(1)) };
    seats::ActiveModel {
        id: Set(Uuid::new_v4()),
        election_id: Set(layout.election),
        work_location_id: Set(layout.locations[i % layout.locations.len()]),
        team_id: Set(layout.teams[i % layout.teams.len()]),
        task_type_id: Set(task),
        task_date: Set(date),
        state: Set(if accepted { "accepted" } else { "invited" }.into()),
        participant_id: Set(Some(participant)),
        invitation_code: Set((!accepted).then(Uuid::new_v4)),
        invited_at: Set(Some(now)),
        accepted_at: Set(accepted.then_some(now)),
        invitation_reminder_at: Set(None),
        task_reminder_at: Set(None),
        checked_in_at: Set(None),
        invitation_sent: Set(true),
        registration_sent: Set(accepted),
        created_at: Set(now),
        updated_at: Set(now),
    }
}
