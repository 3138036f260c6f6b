//! The local CPR copy as a provider and the CPR sync on both backends:
//! retracting failing invitations, the review window, removal with a message
//! outside it, stale answers that never remove anybody, and who is synced;
//! provisional sign-ups, reviews closing themselves and the review window
//! setting (`revalidation`); the monthly refresh of the local copy (`refresh`).

#[path = "cpr/refresh.rs"]
mod refresh;
#[path = "cpr/revalidation.rs"]
mod revalidation;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use domain::{CountryCode, CprNumber, MunicipalityCode};
use integrations::cpr::{
    Address, AddressKind, Citizenship, CprAnswer, CprError, CprRecord, CprRegistry, DigitalPost, Guardianship,
    PersonName, PersonStatus, Provider,
};
use jobs::cpr::local_copy::{LocalCopy, copy_record};
use jobs::cpr::sync::{self, CprSync, REMOVED_BY_CPR, SYNC_PERSON};
use jobs::{Handlers, Worker, run_next_job};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use store::crypto::CprVault;
use store::entity::{areas, election_work_locations, elections, message_log, seats, task_types, teams, work_locations};
use store::migration::seeded::FOLKETINGSVALG;
use store::repo::cpr_copy;
use store::repo::cpr_review;
use store::repo::participants::{self, CprData, NewParticipant, ValidationState};
use uuid::Uuid;

const HOME: &str = "0265";

/// 2030-03-01, noon in Copenhagen.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 1, 11, 0, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn vault() -> CprVault {
    CprVault::new(&[9; 32])
}

fn record(cpr: &str, municipality: &str) -> CprRecord {
    let cpr = CprNumber::parse(cpr).unwrap();
    CprRecord {
        birth_date: cpr.birth_date(),
        cpr,
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
            municipality: Some(MunicipalityCode::parse(municipality).unwrap()),
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

/// A live registry answering from a map; counts lookups.
#[derive(Default)]
struct Fake {
    records: Mutex<HashMap<String, CprRecord>>,
    calls: Mutex<usize>,
    down: Mutex<bool>,
}

impl Fake {
    fn set(&self, record: CprRecord) {
        self.records.lock().unwrap().insert(record.cpr.expose().to_owned(), record);
    }

    /// While down, every lookup fails as an outage would.
    fn set_down(&self, down: bool) {
        *self.down.lock().unwrap() = down;
    }
}

#[async_trait]
impl CprRegistry for Fake {
    fn provider(&self) -> Provider {
        Provider::Sf1520
    }

    async fn lookup(&self, cpr: &CprNumber) -> Result<CprAnswer, CprError> {
        *self.calls.lock().unwrap() += 1;
        if *self.down.lock().unwrap() {
            let error = integrations::resilience::CallError::Connect("connection refused".into());
            return Err(CprError::Service { provider: Provider::Sf1520, error });
        }
        let record = self.records.lock().unwrap().get(cpr.expose()).cloned();
        record
            .map(|r| CprAnswer::live(r, Provider::Sf1520, now()))
            .ok_or(CprError::UnknownCpr { provider: Provider::Sf1520 })
    }
}

struct World {
    election: Uuid,
    work_location: Uuid,
    team: Uuid,
    task_type: Uuid,
}

async fn world(db: &impl ConnectionTrait, active: bool, last_task: NaiveDate) -> anyhow::Result<World> {
    let t = now();
    let key = Uuid::new_v4().simple().to_string();
    let area = areas::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(format!("Nord {key}")),
        name_key: Set(format!("nord {key}")),
        description: Set(String::new()),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await?;
    let work_location = work_locations::ActiveModel {
        id: Set(Uuid::new_v4()),
        area_id: Set(area.id),
        title: Set(format!("Skole {key}")),
        title_key: Set(format!("skole {key}")),
        address: Set("Skolevej 1".into()),
        postal_code: Set("4000".into()),
        city: Set("Korsbæk".into()),
        vote_location: Set(Some(1)),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await?;
    let team = teams::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(format!("Hold {key}")),
        name_key: Set(format!("hold {key}")),
        short_name: Set("H".into()),
        description: Set(String::new()),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await?;
    let task_type = task_types::ActiveModel {
        id: Set(Uuid::new_v4()),
        title: Set(format!("Tilforordnet {key}")),
        title_key: Set(format!("tilforordnet {key}")),
        short_name: Set("TF".into()),
        description: Set(String::new()),
        start_time: Set(NaiveTime::from_hms_opt(8, 0, 0).unwrap()),
        end_time: Set(NaiveTime::from_hms_opt(20, 0, 0).unwrap()),
        payment_kr: Set(None),
        trusted: Set(false),
        validation_off: Set(false),
        send_reminder: Set(true),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await?;
    let election = elections::ActiveModel {
        id: Set(Uuid::new_v4()),
        title: Set(format!("Valg {key}")),
        title_key: Set(format!("valg {key}")),
        election_type_id: Set(FOLKETINGSVALG),
        election_date: Set(last_task),
        first_task_date: Set(day(2029, 1, 1)),
        last_task_date: Set(last_task),
        lock_days: Set(3),
        active: Set(active),
        channel_order: Set("digital_post,email,sms".into()),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await?;
    election_work_locations::ActiveModel { election_id: Set(election.id), work_location_id: Set(work_location.id) }
        .insert(db)
        .await?;
    Ok(World { election: election.id, work_location: work_location.id, team: team.id, task_type: task_type.id })
}

async fn participant(db: &sea_orm::DatabaseConnection, cpr: &str) -> anyhow::Result<Uuid> {
    participant_as(db, cpr, ValidationState::Valid).await
}

async fn participant_as(
    db: &sea_orm::DatabaseConnection,
    cpr: &str,
    validation: ValidationState,
) -> anyhow::Result<Uuid> {
    let cpr = CprNumber::parse(cpr).unwrap();
    let data = CprData {
        first_name: "Søs".into(),
        last_name: "Ørnebjerg".into(),
        street_address: "Algade 1".into(),
        co_address: String::new(),
        postal_code: "4000".into(),
        city: "Korsbæk".into(),
        municipality_code: Some(MunicipalityCode::parse(HOME).unwrap()),
        citizenship: Some(CountryCode::DENMARK),
        birth_date: cpr.birth_date(),
        deceased: false,
        disappeared: false,
        under_guardianship: false,
        exempt_digital_post: false,
        protected_address: false,
        source: "sf1520".into(),
        fetched_at: now() - chrono::Duration::days(30),
    };
    let new = NewParticipant { cpr, data, contact: Default::default(), validation, consent_until: None };
    Ok(participants::create(db, &vault(), &store::repo::Actor::system(), new).await?.id)
}

async fn seat(db: &impl ConnectionTrait, w: &World, on: NaiveDate, who: Uuid, state: &str) -> anyhow::Result<Uuid> {
    let t = now();
    let row = seats::ActiveModel {
        id: Set(Uuid::new_v4()),
        election_id: Set(w.election),
        work_location_id: Set(w.work_location),
        team_id: Set(w.team),
        task_type_id: Set(w.task_type),
        task_date: Set(on),
        state: Set(state.into()),
        participant_id: Set(Some(who)),
        invitation_code: Set((state == "invited").then(Uuid::new_v4)),
        invited_at: Set(Some(t)),
        accepted_at: Set((state == "accepted").then_some(t)),
        invitation_reminder_at: Set(None),
        task_reminder_at: Set(None),
        checked_in_at: Set(None),
        invitation_sent: Set(true),
        registration_sent: Set(false),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

async fn seat_row(db: &impl ConnectionTrait, id: Uuid) -> seats::Model {
    seats::Entity::find_by_id(id).one(db).await.unwrap().unwrap()
}

async fn jobs_of(db: &impl ConnectionTrait, kind: &str) -> Vec<store::outbox::Job> {
    store::outbox::job::Entity::find().filter(store::outbox::job::Column::Kind.eq(kind)).all(db).await.unwrap()
}

fn sync_over(registry: Arc<dyn CprRegistry>) -> CprSync {
    CprSync::new(registry, vault(), MunicipalityCode::parse(HOME).unwrap())
}

store::store_tests! {
    async fn local_copy_answers_stale_or_no_record(t: TestDb) {
        let copy = LocalCopy::new(t.db.clone(), vault());
        let missing = CprNumber::parse("0202802345").unwrap();
        assert_eq!(copy.lookup(&missing).await, Err(CprError::NoRecord { provider: Provider::LocalCopy }));
        let as_of = Utc.with_ymd_and_hms(2030, 2, 1, 0, 0, 0).unwrap();
        let r = record("0101801234", HOME);
        cpr_copy::upsert(&t.db, &vault(), &copy_record(&r, as_of, "extract"), None, now()).await?;
        let answer = copy.lookup(&r.cpr).await.unwrap();
        assert_eq!((answer.source, answer.fresh, answer.as_of), (Provider::LocalCopy, false, as_of));
        assert_eq!(answer.record, r);
    }

    async fn sync_retracts_a_failing_invitation(t: TestDb) {
        let w = world(&t.db, true, day(2030, 6, 1)).await?;
        let p = participant(&t.db, "0101801234").await?;
        let s = seat(&t.db, &w, day(2030, 6, 1), p, "invited").await?;
        let fake = Arc::new(Fake::default());
        fake.set(record("0101801234", "0751"));
        let outcome = sync_over(fake.clone()).sync_person(&t.db, p, now()).await?;
        assert_eq!(outcome.invitations_retracted, 1);
        let row = seat_row(&t.db, s).await;
        assert_eq!((row.state.as_str(), row.participant_id), ("available", None));
        assert!(jobs_of(&t.db, REMOVED_BY_CPR).await.is_empty(), "an unanswered invitation lapses quietly");
        let p = participants::get(&t.db, p).await?;
        assert_eq!(p.municipality_code.as_deref(), Some("0751"));
        assert_eq!(p.validation_state, "failing");
        // The fresh answer went into the local copy too.
        assert!(cpr_copy::get(&t.db, &vault(), &CprNumber::parse("0101801234").unwrap()).await?.is_some());
    }

    async fn sync_sends_accepted_seats_within_the_window_to_review(t: TestDb) {
        let w = world(&t.db, true, day(2030, 3, 10)).await?;
        let p = participant(&t.db, "0101801234").await?;
        let s = seat(&t.db, &w, day(2030, 3, 10), p, "accepted").await?;
        let fake = Arc::new(Fake::default());
        fake.set(record("0101801234", "0751"));
        let sync = sync_over(fake.clone());
        assert_eq!(sync.sync_person(&t.db, p, now()).await?.sent_to_review, 1);
        assert_eq!(sync.sync_person(&t.db, p, now()).await?.sent_to_review, 0, "one open entry per seat");
        assert_eq!(seat_row(&t.db, s).await.state, "accepted");
        let open = cpr_review::list(&t.db, false).await?;
        assert_eq!(open.len(), 1);
        assert_eq!((open[0].seat_id, open[0].participant_id), (s, p));
        assert_eq!(cpr_review::reasons(&open[0]), [domain::Rule::ResidentInMunicipality]);
    }

    async fn sync_removes_outside_the_window_and_queues_the_message(t: TestDb) {
        let w = world(&t.db, true, day(2030, 6, 1)).await?;
        let p = participant(&t.db, "0101801234").await?;
        let s = seat(&t.db, &w, day(2030, 6, 1), p, "accepted").await?;
        let mut dead = record("0101801234", HOME);
        dead.status = PersonStatus::Dead;
        let fake = Arc::new(Fake::default());
        fake.set(dead);
        let outcome = sync_over(fake.clone()).sync_person(&t.db, p, now()).await?;
        assert_eq!(outcome.removed, 1);
        assert_eq!(seat_row(&t.db, s).await.state, "available");
        assert!(cpr_review::list(&t.db, true).await?.is_empty());
        assert_eq!(jobs_of(&t.db, REMOVED_BY_CPR).await.len(), 1);
        // The message job records the message as queued, once.
        let mut handlers = Handlers::new();
        sync::register(&mut handlers, None);
        let worker = Worker::new("test");
        run_next_job(&t.db, &handlers, &worker).await?;
        sync::record_removed_message(&t.db, sync::RemovedPayload { participant: p, seat: s, election: w.election }, now()).await?;
        let messages = message_log::Entity::find().all(&t.db).await?;
        assert_eq!(messages.len(), 1);
        assert_eq!((messages[0].kind.as_str(), messages[0].status.as_str()), ("removed_by_new_cpr_data", "queued"));
        assert_eq!(messages[0].seat_id, Some(s));
    }

    async fn a_stale_answer_never_removes_anybody(t: TestDb) {
        let w = world(&t.db, true, day(2030, 6, 1)).await?;
        let p = participant(&t.db, "0101801234").await?;
        let invited = seat(&t.db, &w, day(2030, 6, 1), p, "invited").await?;
        let accepted = seat(&t.db, &w, day(2030, 6, 2), p, "accepted").await?;
        // The local copy (newer than the participant's data) says: moved away.
        let moved = record("0101801234", "0751");
        cpr_copy::upsert(&t.db, &vault(), &copy_record(&moved, now(), "extract"), None, now()).await?;
        let copy = Arc::new(LocalCopy::new(t.db.clone(), vault()));
        let outcome = sync_over(copy).sync_person(&t.db, p, now()).await?;
        assert!(!outcome.fresh);
        assert_eq!(outcome.kept_on_stale_data, 2);
        assert_eq!(seat_row(&t.db, invited).await.state, "invited");
        assert_eq!(seat_row(&t.db, accepted).await.state, "accepted");
        assert!(cpr_review::list(&t.db, true).await?.is_empty());
        assert!(jobs_of(&t.db, REMOVED_BY_CPR).await.is_empty());
        // The newer copy still updates what staff see, marked with its source.
        let row = participants::get(&t.db, p).await?;
        assert_eq!((row.municipality_code.as_deref(), row.cpr_source.as_deref()), (Some("0751"), Some("local_copy")));
    }

    async fn only_people_with_seats_in_live_elections_are_planned(t: TestDb) {
        let live = world(&t.db, true, day(2030, 6, 1)).await?;
        let upcoming = world(&t.db, false, day(2030, 9, 1)).await?;
        let past = world(&t.db, false, day(2030, 2, 1)).await?;
        let a = participant(&t.db, "0101801234").await?;
        let b = participant(&t.db, "0202802345").await?;
        let c = participant(&t.db, "0303803456").await?;
        let _nobody = participant(&t.db, "0404804567").await?;
        seat(&t.db, &live, day(2030, 6, 1), a, "accepted").await?;
        seat(&t.db, &upcoming, day(2030, 9, 1), b, "invited").await?;
        seat(&t.db, &past, day(2030, 2, 1), c, "accepted").await?;
        let spread = Duration::from_secs(3600);
        assert_eq!(sync::plan(&t.db, now(), spread).await?, 2);
        assert_eq!(sync::plan(&t.db, now(), spread).await?, 2);
        let mut planned = jobs_of(&t.db, SYNC_PERSON).await;
        assert_eq!(planned.len(), 2, "one job per person and day");
        planned.sort_by_key(|j| j.run_at);
        let people: Vec<Uuid> = planned.iter().map(|j| serde_json::from_value::<sync::PersonPayload>(j.payload.clone()).unwrap().participant).collect();
        assert!(people.contains(&a) && people.contains(&b));
        // Spread: the second runs half the period after the first.
        assert_eq!(planned[1].run_at - planned[0].run_at, chrono::Duration::minutes(30));
        // Running them asks CPR once per planned person.
        let fake = Arc::new(Fake::default());
        for cpr in ["0101801234", "0202802345"] {
            fake.set(record(cpr, HOME));
        }
        let totals = sync_over(fake.clone()).sync_all(&t.db, now(), 4).await?;
        assert_eq!((totals.synced, totals.failed, totals.removed), (2, 0, 0));
        assert_eq!(*fake.calls.lock().unwrap(), 2);
    }
}
