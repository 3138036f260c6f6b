//! CPR sync benchmark (issue 4 point 8): N participants, each with an
//! accepted seat in an active election, synced against a registry that
//! answers after a fixed latency, C at a time. Prints the wall time and its
//! ratio to the ideal `N × latency / C`.
//!
//! The registry is an in-process fake (`tokio::time::sleep`, then an eligible
//! record), so the figure is the sync's own overhead (database reads and
//! writes, eligibility) on top of the waiting, not the CPR simulator's.
//!
//! `cargo bench -p jobs --bench cpr_sync -- [C ...]` (default C = 8 32);
//! `CPR_SYNC_N` (default 10000), `CPR_SYNC_LATENCY_MS` (default 50). With
//! `VALGHALLA_TEST_PG_URL` set it runs on PostgreSQL, otherwise on SQLite.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{NaiveTime, TimeZone, Utc};
use domain::{CountryCode, CprNumber, MunicipalityCode};
use integrations::cpr::{
    Address, AddressKind, Citizenship, CprAnswer, CprError, CprRecord, CprRegistry, DigitalPost, Guardianship,
    PersonName, PersonStatus, Provider,
};
use jobs::cpr::CprSync;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use store::crypto::CprVault;
use store::entity::{
    areas, election_work_locations, elections, participants, seats, task_types, teams, work_locations,
};
use store::testing::TestDb;
use uuid::Uuid;

const HOME: &str = "0265";

struct Slow {
    latency: Duration,
}

#[async_trait]
impl CprRegistry for Slow {
    fn provider(&self) -> Provider {
        Provider::Sf1520
    }

    async fn lookup(&self, cpr: &CprNumber) -> Result<CprAnswer, CprError> {
        tokio::time::sleep(self.latency).await;
        Ok(CprAnswer::live(record(cpr), Provider::Sf1520, Utc::now()))
    }
}

fn record(cpr: &CprNumber) -> CprRecord {
    CprRecord {
        birth_date: cpr.birth_date(),
        cpr: cpr.clone(),
        current_cpr: None,
        name: PersonName {
            first_names: "Søs".into(),
            middle_name: None,
            last_name: "Ørnebjerg".into(),
            addressing_name: None,
        },
        age: None,
        sex: None,
        status: PersonStatus::Resident,
        status_date: None,
        citizenship: Some(Citizenship { country: CountryCode::DENMARK, country_name: None, since: None }),
        address: Some(Address {
            kind: AddressKind::Domestic,
            street: "Algade 1".into(),
            co_name: None,
            locality: None,
            postal_code: Some("4000".into()),
            city: Some("Korsbæk".into()),
            municipality: Some(MunicipalityCode::parse(HOME).unwrap()),
            country: None,
            moved_in: None,
            polling_district: None,
            lines: Vec::new(),
        }),
        emigration: None,
        contact_address: Vec::new(),
        guardianship: Guardianship::default(),
        protected_address: false,
        digital_post: DigitalPost::Registered,
        disappeared_on: None,
    }
}

/// Distinct valid numbers: day and month from `i`, a serial per 336 people.
fn cpr_number(i: usize) -> CprNumber {
    let (d, m, serial) = (i % 28 + 1, (i / 28) % 12 + 1, 1000 + i / 336);
    CprNumber::parse(&format!("{d:02}{m:02}80{serial:04}")).unwrap()
}

async fn populate(db: &DatabaseConnection, vault: &CprVault, n: usize) -> anyhow::Result<()> {
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
    let wl = work_locations::ActiveModel {
        id: Set(Uuid::new_v4()),
        area_id: Set(area.id),
        title: Set("Skolen".into()),
        title_key: Set("skolen".into()),
        address: Set("Skolevej 1".into()),
        postal_code: Set("4000".into()),
        city: Set("Korsbæk".into()),
        vote_location: Set(Some(1)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    let team = teams::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set("Hold".into()),
        name_key: Set("hold".into()),
        short_name: Set("H".into()),
        description: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    let task_type = task_types::ActiveModel {
        id: Set(Uuid::new_v4()),
        title: Set("Tilforordnet".into()),
        title_key: Set("tilforordnet".into()),
        short_name: Set("TF".into()),
        description: Set(String::new()),
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
    let task_day = (now + chrono::Duration::days(60)).date_naive();
    let election = elections::ActiveModel {
        id: Set(Uuid::new_v4()),
        title: Set("Valg".into()),
        title_key: Set("valg".into()),
        election_type_id: Set(store::migration::seeded::FOLKETINGSVALG),
        election_date: Set(task_day),
        first_task_date: Set(task_day),
        last_task_date: Set(task_day),
        lock_days: Set(3),
        active: Set(true),
        channel_order: Set("digital_post,email,sms".into()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    election_work_locations::ActiveModel { election_id: Set(election.id), work_location_id: Set(wl.id) }
        .insert(db)
        .await?;
    // Inserted in batches straight through the entities: setting up is not
    // what is measured.
    for chunk in (0..n).collect::<Vec<_>>().chunks(200) {
        let mut people = Vec::new();
        let mut places = Vec::new();
        for &i in chunk {
            let cpr = cpr_number(i);
            let id = Uuid::new_v4();
            people.push(participants::ActiveModel {
                id: Set(id),
                cpr_encrypted: Set(vault.encrypt(&cpr)),
                cpr_hash: Set(vault.hash(&cpr)),
                first_name: Set("Søs".into()),
                last_name: Set("Ørnebjerg".into()),
                street_address: Set("Algade 1".into()),
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
                last_checked_at: Set(None),
                cpr_source: Set(Some("sf1520".into())),
                cpr_fetched_at: Set(Some(now - chrono::Duration::days(30))),
                consent_until: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            });
            places.push(seats::ActiveModel {
                id: Set(Uuid::new_v4()),
                election_id: Set(election.id),
                work_location_id: Set(wl.id),
                team_id: Set(team.id),
                task_type_id: Set(task_type.id),
                task_date: Set(task_day),
                state: Set("accepted".into()),
                participant_id: Set(Some(id)),
                invitation_code: Set(None),
                invited_at: Set(Some(now)),
                accepted_at: Set(Some(now)),
                invitation_reminder_at: Set(None),
                task_reminder_at: Set(None),
                checked_in_at: Set(None),
                invitation_sent: Set(true),
                registration_sent: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
            });
        }
        participants::Entity::insert_many(people).exec(db).await?;
        seats::Entity::insert_many(places).exec(db).await?;
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::var("CPR_SYNC_N").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let latency_ms: u64 = std::env::var("CPR_SYNC_LATENCY_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(50);
    let mut levels: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    if levels.is_empty() {
        levels = vec![8, 32];
    }
    let latency = Duration::from_millis(latency_ms);
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        for c in levels {
            let postgres = std::env::var_os(store::testing::PG_URL_VAR).is_some();
            let t = if postgres { TestDb::postgres().await? } else { TestDb::sqlite().await? };
            let vault = CprVault::new(&[5; 32]);
            populate(&t.db, &vault, n).await?;
            let sync = CprSync::new(Arc::new(Slow { latency }), vault, MunicipalityCode::parse(HOME)?);
            let now = Utc.from_utc_datetime(&Utc::now().naive_utc());
            let started = Instant::now();
            let totals = sync.sync_all(&t.db, now, c).await?;
            let wall = started.elapsed();
            let ideal = latency.mul_f64(n as f64 / c as f64);
            println!(
                "cpr_sync backend={} N={n} latency={latency_ms}ms C={c}: wall {:.2} s, ideal {:.2} s, ratio {:.2} (synced {}, failed {})",
                if postgres { "postgres" } else { "sqlite" },
                wall.as_secs_f64(),
                ideal.as_secs_f64(),
                wall.as_secs_f64() / ideal.as_secs_f64(),
                totals.synced,
                totals.failed,
            );
        }
        anyhow::Ok(())
    })
}
