//! The delivery drill (issue 6): an election of 500 invitations is activated
//! while the Digital Post simulator is down; the real clients deliver through
//! the simulators (Digital Post, SMTP, SMS) as it comes back, some answers are
//! lost on the way; in the end every invitation has arrived exactly once.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use domain::delivery::Channel;
use domain::{CountryCode, CprNumber, Cvr, MunicipalityCode};
use integrations::messaging::Transport;
use integrations::messaging::digital_post::{ClientIdentity, MemoSender, Sf1601Client, Sf1601Config};
use integrations::messaging::email::{EmailClient, EmailConfig, SmtpSecurity};
use integrations::messaging::sms::{SmsClient, SmsConfig};
use jobs::delivery::{Messaging, TemplateComposer};
use jobs::{Backoff, Clock, Services, Worker, run_next_job};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set};
use simulators::control::FaultSpec;
use store::crypto::CprVault;
use store::entity::{election_work_locations, elections, message_log, seats, task_types, teams, work_locations};
use store::repo::participants::{self, Contact, CprData, NewParticipant, ValidationState};
use store::tenants::Tenant;
use uuid::Uuid;

const PEOPLE: usize = 500;

pub fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 5, 1, 8, 0, 0).unwrap()
}

fn vault() -> CprVault {
    CprVault::new(&[3; 32])
}

/// An inactive election with `people` invitations waiting for activation.
/// Every fifth person is exempt from Digital Post; of those, every other one
/// has no e-mail address (SMS then).
pub async fn election(db: &DatabaseConnection, people: usize) -> anyhow::Result<Uuid> {
    let now = start();
    let day = NaiveDate::from_ymd_opt(2030, 6, 1).unwrap();
    let area = store::entity::areas::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set("Nord".into()),
        name_key: Set("nord".into()),
        description: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    let location = work_locations::ActiveModel {
        id: Set(Uuid::new_v4()),
        area_id: Set(area.id),
        title: Set("Rådhuset".into()),
        title_key: Set("rådhuset".into()),
        address: Set("Torvet 1".into()),
        postal_code: Set("4000".into()),
        city: Set("Korsbæk".into()),
        vote_location: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    let team = teams::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set("Frivillige".into()),
        name_key: Set("frivillige".into()),
        short_name: Set("FRI".into()),
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
        description: Set("Hjælp vælgerne".into()),
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
        title: Set("Folketingsvalg 2030".into()),
        title_key: Set("folketingsvalg 2030".into()),
        election_type_id: Set(store::migration::seeded::FOLKETINGSVALG),
        election_date: Set(day),
        first_task_date: Set(day),
        last_task_date: Set(day),
        lock_days: Set(3),
        active: Set(false),
        channel_order: Set("digital_post,email,sms".into()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    election_work_locations::ActiveModel { election_id: Set(election.id), work_location_id: Set(location.id) }
        .insert(db)
        .await?;
    for i in 0..people {
        let person = person(db, i).await?;
        seats::ActiveModel {
            id: Set(Uuid::new_v4()),
            election_id: Set(election.id),
            work_location_id: Set(location.id),
            team_id: Set(team.id),
            task_type_id: Set(task_type.id),
            task_date: Set(day),
            state: Set("invited".into()),
            participant_id: Set(Some(person)),
            invitation_code: Set(Some(Uuid::new_v4())),
            invited_at: Set(Some(now)),
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
    }
    Ok(election.id)
}

async fn person(db: &DatabaseConnection, i: usize) -> anyhow::Result<Uuid> {
    let cpr = CprNumber::parse(&format!("{:02}{:02}{:02}{:04}", i % 28 + 1, i / 28 % 12 + 1, 60 + i / 336, 1000 + i))?;
    let exempt = i.is_multiple_of(5);
    let data = CprData {
        first_name: format!("Person{i}"),
        last_name: "Hansen".into(),
        street_address: "Algade 1".into(),
        co_address: String::new(),
        postal_code: "4000".into(),
        city: "Korsbæk".into(),
        municipality_code: Some(MunicipalityCode::parse("0265")?),
        citizenship: Some(CountryCode::DENMARK),
        birth_date: cpr.birth_date(),
        deceased: false,
        disappeared: false,
        under_guardianship: false,
        exempt_digital_post: exempt,
        protected_address: false,
        source: "sf1520".into(),
        fetched_at: start(),
    };
    let email =
        (!(exempt && i.is_multiple_of(10))).then(|| domain::Email::parse(&format!("p{i}@example.dk"))).transpose()?;
    let contact = Contact { mobile: Some(domain::Mobile::parse(&format!("2{:07}", i))?), email };
    let new = NewParticipant { cpr, data, contact, validation: ValidationState::Valid, consent_until: None };
    Ok(participants::create(db, &vault(), &store::repo::Actor::system(), new).await?.id)
}

pub struct Sims {
    pub post: simulators::digital_post::DigitalPostSimHandle,
    pub sms: simulators::sms::SmsSimHandle,
    pub smtp: simulators::smtp::SmtpSimHandle,
}

pub async fn channels(
    db: &DatabaseConnection,
    sms: simulators::sms::SmsSimConfig,
) -> anyhow::Result<(Messaging, Sims)> {
    let (_, post) = simulators::digital_post::DigitalPostSimulator::start(Default::default()).await?;
    let (username, password) = (sms.username.clone(), sms.password.clone());
    let sms = simulators::sms::SmsSimulator::start(sms).await?;
    let smtp = simulators::smtp::SmtpSimulator::start(Default::default()).await?;
    let tenant = Arc::new(Tenant {
        key: "korsbaek".into(),
        name: "Korsbæk Kommune".into(),
        cvr: Cvr::parse("12345674")?,
        municipality: MunicipalityCode::parse("0265")?,
        admin_host: "admin.korsbaek.test".into(),
        portal_host: "korsbaek.test".into(),
        db: db.clone(),
        vault: vault(),
    });
    let identity = ClientIdentity::from_pem(simulators::cpr::tls_fixtures::CLIENT_IDENTITY_PEM);
    let sender = MemoSender { cvr: tenant.cvr.clone(), label: tenant.name.clone() };
    let post_client = Sf1601Client::new(Sf1601Config::new(&post.sts_url(), &post.base_url, sender, identity))?;
    let sms_client = SmsClient::new(SmsConfig {
        base_url: sms.base_url.clone(),
        username,
        password,
        sender_alias: "Korsbaek".into(),
        tenant: None,
        settings: Default::default(),
    })?;
    let email_client = EmailClient::new(EmailConfig {
        host: smtp.smtp_addr.ip().to_string(),
        port: smtp.smtp_addr.port(),
        security: SmtpSecurity::Plain,
        credentials: None,
        from_name: "Korsbæk Kommune".into(),
        from_address: domain::Email::parse("valg@korsbaek.example")?,
        reply_to: None,
        trusted_roots: None,
        hello_name: Some("localhost".into()),
        tenant: None,
        settings: Default::default(),
    })?;
    let transports: HashMap<Channel, Arc<dyn Transport>> = HashMap::from([
        (Channel::DigitalPost, Arc::new(post_client) as Arc<dyn Transport>),
        (Channel::Email, Arc::new(email_client) as Arc<dyn Transport>),
        (Channel::Sms, Arc::new(sms_client) as Arc<dyn Transport>),
    ]);
    let composer = TemplateComposer { tenant, portal_url: "https://korsbaek.test".into() };
    let deadlines = Default::default();
    let messaging = Messaging { transports, vault: vault(), composer: Arc::new(composer), deadlines };
    Ok((messaging, Sims { post, sms, smtp }))
}

/// Runs every job that is due now; returns how many ran.
async fn drain(db: &DatabaseConnection, handlers: &jobs::Handlers, worker: &Worker) -> anyhow::Result<usize> {
    let mut ran = 0;
    while run_next_job(db, handlers, worker).await?.is_some() {
        ran += 1;
    }
    Ok(ran)
}

async fn waiting(db: &impl ConnectionTrait) -> anyhow::Result<u64> {
    let counts = store::outbox::counts(db).await?;
    Ok(counts.into_iter().filter(|(s, _)| *s == jobs::JobState::Queued).map(|(_, n)| n).sum())
}

store::store_tests! {
    async fn activation_of_500_invitations_loses_none_and_sends_none_twice(t: TestDb) {
        let db = t.db.clone();
        let election = election(&db, PEOPLE).await?;
        let (messaging, sims) = channels(&db, Default::default()).await?;
        let handlers = jobs::catalog::handlers_with(&Services { cpr: None, messaging: Some(messaging) });
        let clock = Clock::manual(start());
        let worker = Worker::new("drill")
            .with_clock(clock.clone())
            .with_backoff(Backoff { base: Duration::from_secs(5), cap: Duration::from_secs(60) });

        // Digital Post is down when the election is activated.
        let down = sims.post.control.faults.add(FaultSpec::new("down"));
        store::repo::elections::activate(&db, &store::repo::Actor::system(), election).await?;
        drain(&db, &handlers, &worker).await?;
        let early = message_log::Entity::find().all(&db).await?;
        assert_eq!(early.len(), PEOPLE, "every invitation is queued at activation");
        assert!(sims.post.letters().is_empty());
        assert!(!sims.smtp.messages().is_empty(), "the exempt got theirs by e-mail at once");

        // It comes back; a few answers are lost on the way (letter sent, answer unreadable).
        clock.advance(Duration::from_secs(20 * 60));
        sims.post.control.faults.remove(down);
        sims.post.control.faults.add(FaultSpec::new("malformed").path("/service/KombiPostAfsend").times(5));
        for _ in 0..50 {
            drain(&db, &handlers, &worker).await?;
            if waiting(&db).await? == 0 {
                break;
            }
            clock.advance(Duration::from_secs(90));
        }
        assert_eq!(waiting(&db).await?, 0, "nothing left in the queue");

        let rows = message_log::Entity::find().all(&db).await?;
        let by_channel = |c: &str| rows.iter().filter(|m| m.channel.as_deref() == Some(c)).count();
        assert!(rows.iter().all(|m| m.status == "sent"), "0 lost: every message sent");
        let letters = sims.post.letters();
        let unique: BTreeSet<&str> = letters.iter().map(|l| l.message_uuid.as_str()).collect();
        assert_eq!(letters.len(), unique.len(), "0 duplicate letters");
        assert_eq!(letters.len(), by_channel("digital_post"));
        assert_eq!(sims.smtp.messages().len(), by_channel("email"));
        assert_eq!(sims.sms.messages().len(), by_channel("sms"));
        assert_eq!(letters.len() + sims.smtp.messages().len() + sims.sms.messages().len(), PEOPLE);
        assert_eq!((by_channel("email"), by_channel("sms")), (PEOPLE / 10, PEOPLE / 10));
        let people: BTreeSet<Uuid> = rows.iter().map(|m| m.participant_id).collect();
        assert_eq!(people.len(), PEOPLE, "one message per person");
    }
}
