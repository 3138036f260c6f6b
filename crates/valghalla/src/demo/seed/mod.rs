//! The demo municipality's fictional data: Korsbæk Kommune with an upcoming
//! election (of one of the three standard types the migrations seed), 4 areas, 12 work locations,
//! 6 teams, the usual task types, seats, three admins (FK identities of the
//! simulated IdP, one with a linked MitID), three citizens who can sign in to
//! the portal, about 200 participants with fictional CPR numbers, and
//! invitations waiting for the election to be activated.
//!
//! Master data is written through the entities directly: it is fixed,
//! known-good data, and seeding must not depend on form validation.

mod citizens;
mod invitations;
mod people;

pub use citizens::{CITIZENS, Part};
pub use people::ADMINS;

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use domain::master::name_key;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionTrait,
};
use store::entity::{
    areas, election_types, election_work_locations, elections, seats, special_diets, task_types, teams,
    work_location_task_types, work_location_teams, work_locations,
};
use uuid::Uuid;

const AREAS: [&str; 4] = ["Nord", "Syd", "Øst", "Vest"];

/// (title, area index, address)
const WORK_LOCATIONS: [(&str, usize, &str); 12] = [
    ("Korsbæk Skole", 0, "Skolevej 1"),
    ("Nordhallen", 0, "Idrætsvej 4"),
    ("Strandparkens Fritidscenter", 0, "Strandparken 12"),
    ("Rådhuset", 1, "Torvet 1"),
    ("Korsbæk Bibliotek", 1, "Bibliotekstræde 3"),
    ("Sydskolen", 1, "Sønderallé 40"),
    ("Østerbro Forsamlingshus", 2, "Østergade 18"),
    ("Mosegårdens Plejecenter", 2, "Mosevej 7"),
    ("Østskolen", 2, "Engvej 2"),
    ("Vestervang Hallen", 3, "Vestervang 21"),
    ("Korsbæk Gymnasium", 3, "Gymnasievej 5"),
    ("Kulturhuset Vesten", 3, "Vestergade 60"),
];

/// (name, short name)
const TEAMS: [(&str, &str); 6] = [
    ("Socialdemokratiet", "A"),
    ("Venstre", "V"),
    ("Det Konservative Folkeparti", "C"),
    ("SF – Socialistisk Folkeparti", "F"),
    ("Enhedslisten", "Ø"),
    ("Medarbejdere", "MED"),
];

/// (title, short name, start, end, payment, trusted, days after election)
const TASK_TYPES: [(&str, &str, &str, &str, i32, bool, i64); 6] = [
    ("Tilforordnet", "TF", "07:30", "22:00", 1000, false, 0),
    ("Valgstyrer", "VS", "07:00", "23:00", 1200, false, 0),
    ("Valgstyrerformand", "VSF", "07:00", "23:30", 1500, true, 0),
    ("Valgsekretær", "SEK", "07:00", "23:00", 1300, true, 0),
    ("Fintæller", "FT", "09:00", "16:00", 800, false, 1),
    ("Brevstemmemodtager", "BSM", "10:00", "16:00", 700, false, -7),
];

const DIETS: [&str; 4] = ["Vegetar", "Veganer", "Glutenfri", "Laktosefri"];

/// Seeds everything unless the database already has election types.
pub async fn seed_if_empty(db: &DatabaseConnection, vault: &store::crypto::CprVault) -> anyhow::Result<bool> {
    if areas::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let txn = db.begin().await?;
    let election_type = folketingsvalg(&txn).await?;
    let area_ids = seed_areas(&txn).await?;
    let team_ids = seed_teams(&txn).await?;
    let task_type_ids = seed_task_types(&txn).await?;
    let location_ids = seed_work_locations(&txn, &area_ids, &team_ids, &task_type_ids).await?;
    seed_diets(&txn).await?;
    let election_date = upcoming_election_date(Utc::now().date_naive());
    let election = seed_election(&txn, election_type, election_date, &location_ids).await?;
    seed_seats(&txn, election, election_date, &location_ids, &team_ids, &task_type_ids).await?;
    people::seed_admins(&txn, vault, super::idp::ANNA_CPR).await?;
    citizens::seed_citizens(&txn, vault, team_ids[0], location_ids[0]).await?;
    let people = people::seed_participants(&txn, vault, &team_ids, Utc::now().date_naive()).await?;
    invitations::seed_waiting(&txn, election, &people).await?;
    txn.commit().await.context("committing the demo seed")?;
    Ok(true)
}

/// A Tuesday about two months ahead, so the demo always has an upcoming election.
pub fn upcoming_election_date(today: NaiveDate) -> NaiveDate {
    let mut date = today + Duration::days(60);
    while date.weekday() != Weekday::Tue {
        date += Duration::days(1);
    }
    date
}

fn now() -> chrono::DateTime<Utc> {
    Utc::now()
}

/// The election types are seeded by the migrations in every tenant; the demo
/// election uses the Folketing one.
async fn folketingsvalg(db: &impl sea_orm::ConnectionTrait) -> anyhow::Result<Uuid> {
    let found = election_types::Entity::find()
        .filter(election_types::Column::TitleKey.eq(name_key("Folketingsvalg og folkeafstemning")))
        .one(db)
        .await?;
    found.map(|t| t.id).context("the migrations did not seed the election type Folketingsvalg")
}

async fn seed_areas(db: &impl sea_orm::ConnectionTrait) -> anyhow::Result<Vec<Uuid>> {
    let mut ids = Vec::new();
    for name in AREAS {
        let id = Uuid::new_v4();
        areas::ActiveModel {
            id: Set(id),
            name: Set(name.into()),
            name_key: Set(name_key(name)),
            description: Set(format!("Afstemningsområderne i {} Korsbæk", name.to_lowercase())),
            created_at: Set(now()),
            updated_at: Set(now()),
        }
        .insert(db)
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

async fn seed_teams(db: &impl sea_orm::ConnectionTrait) -> anyhow::Result<Vec<Uuid>> {
    let mut ids = Vec::new();
    for (name, short) in TEAMS {
        let id = Uuid::new_v4();
        teams::ActiveModel {
            id: Set(id),
            name: Set(name.into()),
            name_key: Set(name_key(name)),
            short_name: Set(short.into()),
            description: Set(String::new()),
            created_at: Set(now()),
            updated_at: Set(now()),
        }
        .insert(db)
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

async fn seed_task_types(db: &impl sea_orm::ConnectionTrait) -> anyhow::Result<Vec<Uuid>> {
    let mut ids = Vec::new();
    for (title, short, start, end, payment, trusted, _) in TASK_TYPES {
        let id = Uuid::new_v4();
        task_types::ActiveModel {
            id: Set(id),
            title: Set(title.into()),
            title_key: Set(name_key(title)),
            short_name: Set(short.into()),
            description: Set(format!("{title}: mød op til tiden og medbring gyldigt ID.")),
            start_time: Set(NaiveTime::parse_from_str(start, "%H:%M")?),
            end_time: Set(NaiveTime::parse_from_str(end, "%H:%M")?),
            payment_kr: Set(Some(payment)),
            trusted: Set(trusted),
            validation_off: Set(false),
            send_reminder: Set(true),
            created_at: Set(now()),
            updated_at: Set(now()),
        }
        .insert(db)
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

async fn seed_work_locations(
    db: &impl sea_orm::ConnectionTrait,
    area_ids: &[Uuid],
    team_ids: &[Uuid],
    task_type_ids: &[Uuid],
) -> anyhow::Result<Vec<Uuid>> {
    let mut ids = Vec::new();
    for (n, (title, area, address)) in WORK_LOCATIONS.into_iter().enumerate() {
        let id = Uuid::new_v4();
        work_locations::ActiveModel {
            id: Set(id),
            area_id: Set(area_ids[area]),
            title: Set(title.into()),
            title_key: Set(name_key(title)),
            address: Set(address.into()),
            postal_code: Set("4999".into()),
            city: Set("Korsbæk".into()),
            vote_location: Set(Some(n as i32 + 1)),
            created_at: Set(now()),
            updated_at: Set(now()),
        }
        .insert(db)
        .await?;
        for team in team_ids {
            work_location_teams::ActiveModel { work_location_id: Set(id), team_id: Set(*team) }.insert(db).await?;
        }
        for task_type in task_type_ids {
            work_location_task_types::ActiveModel { work_location_id: Set(id), task_type_id: Set(*task_type) }
                .insert(db)
                .await?;
        }
        ids.push(id);
    }
    Ok(ids)
}

async fn seed_diets(db: &impl sea_orm::ConnectionTrait) -> anyhow::Result<()> {
    for title in DIETS {
        special_diets::ActiveModel {
            id: Set(Uuid::new_v4()),
            title: Set(title.into()),
            title_key: Set(name_key(title)),
            created_at: Set(now()),
            updated_at: Set(now()),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

async fn seed_election(
    db: &impl sea_orm::ConnectionTrait,
    election_type: Uuid,
    date: NaiveDate,
    locations: &[Uuid],
) -> anyhow::Result<Uuid> {
    let id = Uuid::new_v4();
    let title = format!("Folketingsvalg {}", date.year());
    elections::ActiveModel {
        id: Set(id),
        title: Set(title.clone()),
        title_key: Set(name_key(&title)),
        election_type_id: Set(election_type),
        election_date: Set(date),
        first_task_date: Set(date - Duration::days(7)),
        last_task_date: Set(date + Duration::days(1)),
        lock_days: Set(3),
        active: Set(false),
        channel_order: Set("digital_post,email,sms".into()),
        created_at: Set(now()),
        updated_at: Set(now()),
    }
    .insert(db)
    .await?;
    for location in locations {
        election_work_locations::ActiveModel { election_id: Set(id), work_location_id: Set(*location) }
            .insert(db)
            .await?;
    }
    Ok(id)
}

/// Per work location: a chairman and a secretary from "Medarbejdere", one
/// election officer and two polling assistants per party on election day,
/// two counters the day after, and postal-vote receivers at the town hall.
async fn seed_seats(
    db: &impl sea_orm::ConnectionTrait,
    election: Uuid,
    date: NaiveDate,
    locations: &[Uuid],
    team_ids: &[Uuid],
    task_type_ids: &[Uuid],
) -> anyhow::Result<()> {
    let staff = team_ids[5];
    let parties = &team_ids[..5];
    for location in locations {
        let mut kinds = vec![(staff, task_type_ids[2], 1), (staff, task_type_ids[3], 1), (staff, task_type_ids[4], 2)];
        for party in parties {
            kinds.push((*party, task_type_ids[1], 1));
            kinds.push((*party, task_type_ids[0], 2));
        }
        for (team, task_type, count) in kinds {
            let offset = TASK_TYPES[task_type_ids.iter().position(|t| *t == task_type).unwrap_or(0)].6;
            for _ in 0..count {
                insert_seat(db, election, *location, team, task_type, date + Duration::days(offset)).await?;
            }
        }
    }
    for _ in 0..3 {
        insert_seat(db, election, locations[3], staff, task_type_ids[5], date + Duration::days(TASK_TYPES[5].6))
            .await?;
    }
    Ok(())
}

async fn insert_seat(
    db: &impl sea_orm::ConnectionTrait,
    election: Uuid,
    location: Uuid,
    team: Uuid,
    task_type: Uuid,
    task_date: NaiveDate,
) -> anyhow::Result<()> {
    seats::ActiveModel {
        id: Set(Uuid::new_v4()),
        election_id: Set(election),
        work_location_id: Set(location),
        team_id: Set(team),
        task_type_id: Set(task_type),
        task_date: Set(task_date),
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
        created_at: Set(now()),
        updated_at: Set(now()),
    }
    .insert(db)
    .await?;
    Ok(())
}
