//! Participants in the admin app with a fake CPR registry: create (with
//! every rule on the profile), unknown/dead/duplicate numbers, provisional
//! sign-ups validated by the job once CPR is back, audit rows, masking,
//! list filters and paging, edit, delete and bulk delete, role checks, and
//! no CPR number in any log line.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use domain::{AdminRole, CountryCode, CprNumber, MunicipalityCode};
use integrations::cpr::{
    Address, AddressKind, Citizenship, CprAnswer, CprError, CprRecord, CprRegistry, DigitalPost, Guardianship,
    PersonName, PersonStatus, Provider,
};
use integrations::resilience::{CallError, HealthProbe, ProbeReport, Resilience, Settings};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use store::entity::{audit_log, participants, seats};
use store::store_tests;
use store::testing::TestDb;
use uuid::Uuid;
use web::cpr::{Monitor, TenantCpr};

use crate::log_capture::capture_alone;
use crate::staffing_fixtures::{audit_count, staffed, team};
use crate::support::{Options, TestApp, location, page};

pub const ALIVE: &str = "0101801234";
const DEAD: &str = "0202801234";
const FOREIGN: &str = "0303801234";
const UNKNOWN: &str = "0404801234";

/// A CPR registry with canned records that can be switched "down".
pub struct FakeCpr {
    records: Mutex<HashMap<String, CprRecord>>,
    down: AtomicBool,
}

impl FakeCpr {
    fn new() -> Arc<FakeCpr> {
        let fake = FakeCpr { records: Mutex::default(), down: AtomicBool::new(false) };
        fake.add(record(ALIVE, "Jens Peter", "Hansen", PersonStatus::Resident, "5100"));
        fake.add(record(DEAD, "Karen", "Dødsen", PersonStatus::Dead, "5100"));
        fake.add(record(FOREIGN, "Sven", "Svensson", PersonStatus::Resident, "5110"));
        Arc::new(fake)
    }

    fn add(&self, record: CprRecord) {
        self.records.lock().unwrap().insert(record.cpr.expose().to_owned(), record);
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

fn record(cpr: &str, first: &str, last: &str, status: PersonStatus, citizenship: &str) -> CprRecord {
    let cpr = CprNumber::parse(cpr).unwrap();
    CprRecord {
        birth_date: cpr.birth_date(),
        cpr,
        current_cpr: None,
        name: PersonName {
            first_names: first.into(),
            middle_name: None,
            last_name: last.into(),
            addressing_name: None,
        },
        age: None,
        sex: None,
        status,
        status_date: None,
        citizenship: Some(Citizenship {
            country: CountryCode::parse(citizenship).unwrap(),
            country_name: None,
            since: None,
        }),
        address: Some(Address {
            kind: AddressKind::Domestic,
            street: "Algade 1".into(),
            co_name: None,
            locality: None,
            postal_code: Some("4000".into()),
            city: Some("Korsbæk".into()),
            municipality: Some(MunicipalityCode::parse("0999").unwrap()),
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

#[async_trait]
impl CprRegistry for FakeCpr {
    fn provider(&self) -> Provider {
        Provider::Sf1520
    }

    async fn lookup(&self, cpr: &CprNumber) -> Result<CprAnswer, CprError> {
        if self.down.load(Ordering::SeqCst) {
            let error = CprError::Service { provider: Provider::Sf1520, error: CallError::Connect("nede".into()) };
            return Err(CprError::AllFailed(vec![error]));
        }
        match self.records.lock().unwrap().get(cpr.expose()) {
            Some(record) => Ok(CprAnswer::live(record.clone(), Provider::Sf1520, Utc::now())),
            None => Err(CprError::UnknownCpr { provider: Provider::Sf1520 }),
        }
    }
}

struct FakeProbe {
    fake: Arc<FakeCpr>,
    resilience: Arc<Resilience>,
}

#[async_trait]
impl HealthProbe for FakeProbe {
    fn integration(&self) -> &str {
        "sf1520"
    }

    async fn probe(&self) -> ProbeReport {
        let down = self.fake.down.load(Ordering::SeqCst);
        let result = self
            .resilience
            .probe_call(|| async move { if down { Err(CallError::Connect("nede".into())) } else { Ok(()) } })
            .await;
        ProbeReport {
            integration: "sf1520".into(),
            ok: result.is_ok(),
            checked_at: Utc::now(),
            latency: std::time::Duration::from_millis(3),
            detail: match result {
                Ok(()) => "PersonBaseDataExtended svarede".into(),
                Err(e) => e.to_string(),
            },
        }
    }
}

pub async fn start(t: TestDb) -> anyhow::Result<(TestApp, Arc<FakeCpr>)> {
    let fake = FakeCpr::new();
    let resilience = Arc::new(Resilience::new("sf1520", Some("korsbaek"), Settings::default()));
    let probe = Arc::new(FakeProbe { fake: fake.clone(), resilience: resilience.clone() });
    let cpr = TenantCpr { registry: fake.clone(), monitors: vec![Monitor { resilience, probe }] };
    let app = TestApp::start_with_options(t, Options { cpr: Some(cpr), ..Options::default() }).await?;
    Ok((app, fake))
}

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// Saves a participant with `cpr` in `team`; returns the new id.
async fn create(app: &TestApp, client: &reqwest::Client, cpr: &str, team: Uuid) -> anyhow::Result<Uuid> {
    let team = team.to_string();
    let fields = form(&[
        ("cpr", cpr),
        ("action", "save"),
        ("teams", &team),
        ("mobile", "12345678"),
        ("first_name", "Ida"),
        ("last_name", "Foreløbig"),
    ]);
    let response = client.post(app.url("/admin/participants/new")).form(&fields).send().await?;
    let to = location(&response);
    anyhow::ensure!(response.status() == 303, "create: {} {}", response.status(), response.text().await?);
    Ok(to.rsplit('/').next().unwrap().parse()?)
}

async fn participant(app: &TestApp, id: Uuid) -> anyhow::Result<participants::Model> {
    Ok(participants::Entity::find_by_id(id).one(app.db()).await?.expect("participant"))
}

store_tests! {
    async fn check_shows_cpr_data_with_source_and_save_shows_every_rule(t: TestDb) {
        let (app, _fake) = start(t).await?;
        let team = team(app.db(), "Frivillige").await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;
        let response = client.post(app.url("/admin/participants/new")).form(&form(&[("cpr", ALIVE), ("action", "check")])).send().await?;
        let html = page(response, 200).await?;
        assert!(html.contains("Jens Peter Hansen"), "{html}");
        assert!(html.contains("CPR (Serviceplatformen SF1520)"));
        assert_eq!(audit_count(app.db(), "participants", "cpr_lookup").await?, 1);

        let id = create(&app, &client, ALIVE, team).await?;
        let stored = participant(&app, id).await?;
        assert_eq!(stored.validation_state, "valid");
        assert_eq!(stored.first_name, "Jens Peter");
        let html = page(client.get(app.url(&format!("/admin/participants/{id}"))).send().await?, 200).await?;
        for rule in domain::Rule::ALL {
            assert!(html.contains(rule.label()), "missing {rule:?}: {html}");
        }
        assert!(html.contains("Opfyldt"));
        assert!(html.contains("Frivillige"));
        assert!(html.contains(ALIVE), "Secretariat sees the full number");
        assert_eq!(audit_count(app.db(), "participants", "view").await?, 1);
        // No audit description holds the number.
        let rows = audit_log::Entity::find().all(app.db()).await?;
        assert!(rows.iter().all(|r| !r.description.contains(ALIVE)));
        assert!(rows.iter().any(|r| r.description.contains("010180-****")));
    }

    async fn unknown_dead_duplicate_and_invalid_numbers_get_messages_at_the_field(t: TestDb) {
        let (app, _fake) = start(t).await?;
        let team = team(app.db(), "Frivillige").await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;
        let check = |cpr: &'static str| {
            let client = client.clone();
            let url = app.url("/admin/participants/new");
            async move { client.post(url).form(&form(&[("cpr", cpr), ("action", "check")])).send().await }
        };
        let html = page(check(UNKNOWN).await?, 422).await?;
        assert!(html.contains("id=\"cpr-error\">CPR-nummeret findes ikke i CPR"), "{html}");
        let html = page(check(DEAD).await?, 422).await?;
        assert!(html.contains("Denne person er afgået ved døden"));
        let html = page(check("3213801234").await?, 422).await?;
        assert!(html.contains("cpr-error"));
        create(&app, &client, ALIVE, team).await?;
        let html = page(check(ALIVE).await?, 422).await?;
        assert!(html.contains("Der findes allerede en deltager med dette CPR-nummer"));
        // Invalid contact data and no team: messages next to each field, input kept.
        let fields = form(&[("cpr", FOREIGN), ("action", "save"), ("mobile", "12"), ("email", "ikke-en-mail")]);
        let html = page(client.post(app.url("/admin/participants/new")).form(&fields).send().await?, 422).await?;
        assert!(html.contains("id=\"mobile-error\""));
        assert!(html.contains("id=\"email-error\""));
        assert!(html.contains("id=\"teams-error\">Vælg mindst ét team"));
        assert!(html.contains("value=\"ikke-en-mail\""));
    }

    async fn provisional_when_cpr_is_down_then_validated_by_the_job(t: TestDb) {
        let (app, fake) = start(t).await?;
        let team = team(app.db(), "Frivillige").await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;
        fake.set_down(true);
        let response = client.post(app.url("/admin/participants/new")).form(&form(&[("cpr", ALIVE), ("action", "check")])).send().await?;
        let html = page(response, 200).await?;
        assert!(html.contains("CPR kunne ikke nås"), "{html}");
        let ok = create(&app, &client, ALIVE, team).await?;
        let failing = create(&app, &client, FOREIGN, team).await?;
        let stored = participant(&app, ok).await?;
        assert_eq!(stored.validation_state, "provisional");
        assert_eq!(stored.birth_date, NaiveDate::from_ymd_opt(1980, 1, 1).unwrap());
        let list = page(client.get(app.url("/admin/participants")).send().await?, 200).await?;
        assert!(list.contains("Foreløbig"));

        let services = jobs::Services {
            cpr: Some(jobs::CprServices {
                registry: fake.clone(),
                vault: app.tenant.vault.clone(),
                municipality: app.tenant.municipality.clone(),
            }),
            messaging: None,
        };
        let handlers = jobs::catalog::handlers_with(&services);
        // Still down: the job is retried later, the participant stays provisional.
        let worker = jobs::Worker::new("test");
        let outcome = jobs::run_next_job(app.db(), &handlers, &worker).await?;
        assert!(matches!(outcome, Some(jobs::Outcome::Retrying { .. })), "{outcome:?}");
        assert_eq!(participant(&app, ok).await?.validation_state, "provisional");

        fake.set_down(false);
        let later = jobs::Worker::new("test").with_clock(jobs::Clock::manual(Utc::now() + chrono::Duration::days(2)));
        while jobs::run_next_job(app.db(), &handlers, &later).await?.is_some() {}
        let validated = participant(&app, ok).await?;
        assert_eq!(validated.validation_state, "valid");
        assert_eq!(validated.first_name, "Jens Peter");
        let failed = participant(&app, failing).await?;
        assert_eq!(failed.validation_state, "failing");
        assert!(failed.validation_reasons.contains("danish_citizen"), "{}", failed.validation_reasons);
    }

    async fn revalidate_now_and_reader_sees_masked_numbers_and_gets_403(t: TestDb) {
        let (app, fake) = start(t).await?;
        let team = team(app.db(), "Frivillige").await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;
        fake.set_down(true);
        let id = create(&app, &client, ALIVE, team).await?;
        fake.set_down(false);
        let response = client.post(app.url(&format!("/admin/participants/{id}/revalidate"))).send().await?;
        assert_eq!(response.status(), 303);
        assert_eq!(participant(&app, id).await?.validation_state, "valid");

        let reader = app.sign_in(AdminRole::Reader).await?;
        let html = page(reader.get(app.url(&format!("/admin/participants/{id}"))).send().await?, 200).await?;
        assert!(!html.contains(ALIVE));
        assert!(html.contains("010180-****"));
        let posts = [
            "/admin/participants/new".to_owned(),
            "/admin/participants/bulk-delete".to_owned(),
            format!("/admin/participants/{id}/revalidate"),
            format!("/admin/participants/{id}/comments"),
            format!("/admin/participants/{id}/comments/{}/delete", Uuid::new_v4()),
            format!("/admin/participants/{id}/edit"),
            format!("/admin/participants/{id}/delete"),
            "/admin/integrations/sf1520/test".to_owned(),
        ];
        for path in posts {
            let fields = form(&[("cpr", FOREIGN), ("action", "check"), ("ids", &id.to_string()), ("confirm", "SLET"), ("text", "x")]);
            let response = reader.post(app.url(&path)).form(&fields).send().await?;
            assert_eq!(response.status(), 403, "{path}");
        }
        assert!(participants::Entity::find_by_id(id).one(app.db()).await?.is_some());
    }

    async fn a_protected_address_is_shown_to_administrators_only(t: TestDb) {
        let (app, fake) = start(t).await?;
        let team = team(app.db(), "Frivillige").await?;
        let mut protected = record("0606801234", "Skjult", "Person", PersonStatus::Resident, "5100");
        protected.protected_address = true;
        fake.add(protected);
        let secretariat = app.sign_in(AdminRole::Secretariat).await?;
        let id = create(&app, &secretariat, "0606801234", team).await?;
        let path = app.url(&format!("/admin/participants/{id}"));
        let html = page(secretariat.get(&path).send().await?, 200).await?;
        assert!(html.contains("Beskyttet adresse") && !html.contains("Algade 1"), "{html}");
        let admin = app.sign_in(AdminRole::Administrator).await?;
        let html = page(admin.get(&path).send().await?, 200).await?;
        assert!(html.contains("Algade 1"));
    }

    async fn list_filters_sorts_and_pages(t: TestDb) {
        let (app, fake) = start(t).await?;
        let a = team(app.db(), "Alfa").await?;
        let b = team(app.db(), "Beta").await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;
        for i in 0..30 {
            let cpr = format!("{:02}0190{:04}", (i % 28) + 1, 1000 + i);
            let mut r = record(&cpr, &format!("Person{i:02}"), "Test", PersonStatus::Resident, "5100");
            r.digital_post = if i == 0 { DigitalPost::Exempt } else { DigitalPost::Registered };
            fake.add(r);
            create(&app, &client, &cpr, if i < 5 { a } else { b }).await?;
        }
        let list = |query: String| {
            let client = client.clone();
            let url = app.url(&format!("/admin/participants?{query}"));
            async move { page(client.get(url).send().await?, 200).await }
        };
        let html = list(String::new()).await?;
        assert!(html.contains("30 deltager(e), side 1 af 2"), "{html}");
        assert!(html.contains("page=2"));
        let html = list(format!("team={a}")).await?;
        assert!(html.contains("5 deltager(e)"));
        let html = list("q=person07".into()).await?;
        assert!(html.contains("1 deltager(e)") && html.contains("Person07"));
        let html = list("digital_post=no".into()).await?;
        assert!(html.contains("1 deltager(e)") && html.contains("Person00"));
        let html = list("born_from=1990-01-05&born_until=1990-01-06".into()).await?;
        assert!(html.contains("2 deltager(e)"), "{html}");
        let html = list("accepted=yes".into()).await?;
        assert!(html.contains("0 deltager(e)"));
        let html = list("sort=name_desc".into()).await?;
        let (p29, p00) = (html.find("Person29").unwrap(), html.find("Person05").unwrap());
        assert!(p29 < p00);
        let html = list("born_from=nope".into()).await;
        assert!(html.is_err(), "a bad date is a 422");
    }

    async fn edit_keeps_teams_with_seats_and_audits(t: TestDb) {
        let (app, _fake) = start(t).await?;
        let of = staffed(app.db(), true).await?;
        let other = team(app.db(), "Andre").await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;
        let id = create(&app, &client, ALIVE, of.team).await?;
        let seat = seats::Entity::find().filter(seats::Column::TeamId.eq(of.team)).one(app.db()).await?.unwrap();
        seats::ActiveModel { id: Set(seat.id), participant_id: Set(Some(id)), state: Set("accepted".into()), ..Default::default() }
            .update(app.db())
            .await?;
        let path = format!("/admin/participants/{id}/edit");
        let fields = form(&[("mobile", "87654321"), ("teams", &other.to_string())]);
        let html = page(client.post(app.url(&path)).form(&fields).send().await?, 422).await?;
        assert!(html.contains("kan ikke fjernes fra det"), "{html}");
        let fields = form(&[("mobile", "87654321"), ("email", "a@b.dk"), ("teams", &other.to_string()), ("teams", &of.team.to_string())]);
        let response = client.post(app.url(&path)).form(&fields).send().await?;
        assert_eq!(response.status(), 303);
        let stored = participant(&app, id).await?;
        assert_eq!(stored.mobile.as_deref(), Some("+4587654321"));
        assert_eq!(stored.email.as_deref(), Some("a@b.dk"));
        // The accepted seat shows in the list filter and on the profile.
        let html = page(client.get(app.url("/admin/participants?accepted=yes")).send().await?, 200).await?;
        assert!(html.contains("1 deltager(e)"));
        let html = page(client.get(app.url(&format!("/admin/participants?task_type={}", of.task_type))).send().await?, 200).await?;
        assert!(html.contains("1 deltager(e)"));
        store::entity::team_responsibles::ActiveModel { team_id: Set(of.team), participant_id: Set(id) }.insert(app.db()).await?;
        let html = page(client.get(app.url(&format!("/admin/participants/{id}"))).send().await?, 200).await?;
        assert!(html.contains("Korsbæk Skole"));
        assert!(html.contains("Teamansvarlig for: Socialdemokratiet"), "{html}");
        // Comments: add and delete.
        let response = client.post(app.url(&format!("/admin/participants/{id}/comments"))).form(&form(&[("text", "Ringer tilbage")])).send().await?;
        assert_eq!(response.status(), 303);
        let html = page(client.get(app.url(&format!("/admin/participants/{id}"))).send().await?, 200).await?;
        assert!(html.contains("Ringer tilbage"));
        let delete_confirm = page(client.get(app.url(&format!("/admin/participants/{id}/delete"))).send().await?, 200).await?;
        assert!(delete_confirm.contains("aktivt valg"));
        assert!(delete_confirm.contains("Er teamansvarlig."));
    }

    async fn delete_and_bulk_delete(t: TestDb) {
        let (app, fake) = start(t).await?;
        let team = team(app.db(), "Frivillige").await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;
        let one = create(&app, &client, ALIVE, team).await?;
        fake.add(record("0505801234", "Anna", "To", PersonStatus::Resident, "5100"));
        let two = create(&app, &client, FOREIGN, team).await?;
        let three = create(&app, &client, "0505801234", team).await?;
        let response = client.post(app.url(&format!("/admin/participants/{one}/delete"))).send().await?;
        assert_eq!(response.status(), 303);
        assert!(participants::Entity::find_by_id(one).one(app.db()).await?.is_none());

        let ids = [("ids", two.to_string()), ("ids", three.to_string())];
        let html = page(client.post(app.url("/admin/participants/bulk-delete")).form(&ids).send().await?, 200).await?;
        assert!(html.contains("Skriv SLET"));
        let mut wrong = ids.to_vec();
        wrong.push(("confirm", "slet ikke".into()));
        let html = page(client.post(app.url("/admin/participants/bulk-delete")).form(&wrong).send().await?, 422).await?;
        assert!(html.contains("id=\"confirm-error\""));
        let mut right = ids.to_vec();
        right.push(("confirm", "SLET".into()));
        let response = client.post(app.url("/admin/participants/bulk-delete")).form(&right).send().await?;
        assert_eq!(response.status(), 303);
        assert!(participants::Entity::find_by_id(two).one(app.db()).await?.is_none());
        assert!(participants::Entity::find_by_id(three).one(app.db()).await?.is_none());
        assert_eq!(audit_count(app.db(), "participants", "delete").await?, 3);
    }

    async fn integration_status_page_and_test_now(t: TestDb) {
        let (app, fake) = start(t).await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;
        let html = page(client.get(app.url("/admin/integrations")).send().await?, 200).await?;
        assert!(html.contains("sf1520") && html.contains("Ukendt"), "{html}");
        let html = page(client.post(app.url("/admin/integrations/sf1520/test")).send().await?, 200).await?;
        assert!(html.contains("Test af sf1520: OK"), "{html}");
        assert!(html.contains("Kører"));
        fake.set_down(true);
        let html = page(client.post(app.url("/admin/integrations/sf1520/test")).send().await?, 200).await?;
        assert!(html.contains("fejlede") && html.contains("nede"), "{html}");
        let response = client.post(app.url("/admin/integrations/nothing/test")).send().await?;
        assert_eq!(response.status(), 404);
    }

    async fn a_tenant_without_cpr_signs_up_provisionally(t: TestDb) {
        let app = TestApp::start(t).await?;
        let team = team(app.db(), "Frivillige").await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;
        let response = client.post(app.url("/admin/participants/new")).form(&form(&[("cpr", ALIVE), ("action", "check")])).send().await?;
        assert!(page(response, 200).await?.contains("CPR kunne ikke nås"));
        let id = create(&app, &client, ALIVE, team).await?;
        assert_eq!(participant(&app, id).await?.validation_state, "provisional");
        let html = page(client.get(app.url(&format!("/admin/participants/{id}"))).send().await?, 200).await?;
        assert!(html.contains("Foreløbig deltager") && html.contains("Afventer CPR"));
        let html = page(client.get(app.url("/admin/integrations")).send().await?, 200).await?;
        assert!(html.contains("Der er ingen integrationer"));
    }

}

/// The log check runs once, on SQLite: what is logged does not depend on the
/// database, and the capture needs the test alone in its process.
#[tokio::test]
async fn no_cpr_number_in_any_log_line() -> anyhow::Result<()> {
    let Some(logs) = capture_alone("participants::no_cpr_number_in_any_log_line") else {
        return Ok(());
    };
    let (app, fake) = start(TestDb::sqlite().await?).await?;
    let team = team(app.db(), "Frivillige").await?;
    let client = app.sign_in(AdminRole::Secretariat).await?;
    client
        .post(app.url("/admin/participants/new"))
        .form(&form(&[("cpr", UNKNOWN), ("action", "check")]))
        .send()
        .await?;
    let id = create(&app, &client, ALIVE, team).await?;
    fake.set_down(true);
    create(&app, &client, FOREIGN, team).await?;
    client.get(app.url(&format!("/admin/participants/{id}"))).send().await?;
    let text = logs.text();
    assert!(text.contains("/admin/participants/new"), "the capture works:\n{text}");
    for cpr in [ALIVE, FOREIGN, UNKNOWN, "010180-1234", "0101801234"] {
        assert!(!text.contains(cpr), "{cpr} in logs");
    }
    Ok(())
}

store_tests! {
    async fn a_participant_created_into_a_seat_is_invited_to_it(t: TestDb) {
        let (app, _fake) = start(t).await?;
        let of = crate::staffing_fixtures::staffed(app.db(), false).await?;
        let seat = seats::Entity::find().one(app.db()).await?.expect("seat");
        let client = app.sign_in(AdminRole::Secretariat).await?;
        let html = page(client.get(app.url(&format!("/admin/participants/new?seat={}", seat.id))).send().await?, 200).await?;
        assert!(html.contains(&format!("name=\"seat\" value=\"{}\"", seat.id)), "{html}");
        let fields = form(&[
            ("cpr", ALIVE),
            ("action", "save"),
            ("teams", &of.team.to_string()),
            ("mobile", "12345678"),
            ("seat", &seat.id.to_string()),
        ]);
        let response = client.post(app.url("/admin/participants/new")).form(&fields).send().await?;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), format!("/admin/elections/{}/tasks/{}", of.election, of.work_location));
        let seat = seats::Entity::find_by_id(seat.id).one(app.db()).await?.expect("seat");
        assert_eq!(seat.state, "invited");
        let holder = participant(&app, seat.participant_id.expect("holder")).await?;
        assert_eq!(holder.first_name, "Jens Peter");
    }
}
