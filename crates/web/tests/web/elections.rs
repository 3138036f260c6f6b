//! The election screens: list, create and edit forms with every rule shown at
//! its field, duplicate, activate/deactivate and delete behind confirmation
//! pages, audit rows, and readers refused on every change.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime, Utc};
use domain::AdminRole;
use domain::election::{ElectionDates, LockPeriod};
use domain::master::{Name, name_key};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use store::entity::{areas, audit_log, elections, seats, task_types, teams, work_locations};
use store::migration::seeded::{FOLKETINGSVALG, KOMMUNALVALG};
use store::repo::Actor;
use store::repo::elections::NewElection;
use uuid::Uuid;

use crate::support::{TestApp, location, page};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Two areas with work locations, a team and a task type to put seats on.
struct Setup {
    skolen: Uuid,
    hallen: Uuid,
    raadhuset: Uuid,
    team: Uuid,
    task_type: Uuid,
}

impl Setup {
    async fn build(db: &impl ConnectionTrait) -> anyhow::Result<Setup> {
        let nord = area(db, "Nord").await?;
        let syd = area(db, "Syd").await?;
        let now = Utc::now();
        let team = teams::ActiveModel {
            id: Set(Uuid::new_v4()),
            name: Set("Venstre".into()),
            name_key: Set("venstre".into()),
            short_name: Set("V".into()),
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
        Ok(Setup {
            skolen: work_location(db, nord, "Korsbæk Skole").await?,
            hallen: work_location(db, nord, "Korsbæk Hallen").await?,
            raadhuset: work_location(db, syd, "Rådhuset").await?,
            team: team.id,
            task_type: task_type.id,
        })
    }

    /// "Folketingsvalg 2026" on 27-10-2026, tasks 20-10 … 28-10, at
    /// `work_locations`.
    async fn election(
        &self,
        db: &sea_orm::DatabaseConnection,
        title: &str,
        work_locations: &[Uuid],
    ) -> anyhow::Result<Uuid> {
        let new = NewElection {
            title: Name::parse(title)?,
            election_type_id: FOLKETINGSVALG,
            dates: ElectionDates::new(date(2026, 10, 27), date(2026, 10, 20), date(2026, 10, 28)).unwrap(),
            lock: LockPeriod::new(3)?,
            work_locations: work_locations.iter().copied().collect::<BTreeSet<_>>(),
        };
        Ok(store::repo::elections::create(db, &Actor::system(), new).await?)
    }

    async fn seat(
        &self,
        db: &impl ConnectionTrait,
        election: Uuid,
        work_location: Uuid,
        day: NaiveDate,
    ) -> anyhow::Result<()> {
        let now = Utc::now();
        seats::ActiveModel {
            id: Set(Uuid::new_v4()),
            election_id: Set(election),
            work_location_id: Set(work_location),
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
        .await?;
        Ok(())
    }
}

async fn area(db: &impl ConnectionTrait, name: &str) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let row = areas::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(name.into()),
        name_key: Set(name_key(name)),
        description: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

async fn work_location(db: &impl ConnectionTrait, area: Uuid, title: &str) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let row = work_locations::ActiveModel {
        id: Set(Uuid::new_v4()),
        area_id: Set(area),
        title: Set(title.into()),
        title_key: Set(name_key(title)),
        address: Set("Skolevej 1".into()),
        postal_code: Set("4000".into()),
        city: Set("Korsbæk".into()),
        vote_location: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

async fn audit_count(db: &impl ConnectionTrait, action: &str) -> anyhow::Result<u64> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::EntityTable.eq("elections"))
        .filter(audit_log::Column::Action.eq(action))
        .count(db)
        .await?)
}

async fn election_count(db: &impl ConnectionTrait) -> anyhow::Result<u64> {
    Ok(elections::Entity::find().count(db).await?)
}

async fn seat_count(db: &impl ConnectionTrait, election: Uuid) -> anyhow::Result<u64> {
    Ok(seats::Entity::find().filter(seats::Column::ElectionId.eq(election)).count(db).await?)
}

async fn stored(db: &impl ConnectionTrait, id: Uuid) -> anyhow::Result<elections::Model> {
    Ok(elections::Entity::find_by_id(id).one(db).await?.expect("election exists"))
}

/// The id at the end of a redirect to an election's page.
fn redirected_id(location: &str) -> Uuid {
    let id = location.strip_prefix("/admin/elections/").expect("redirect to an election");
    Uuid::parse_str(id).expect("election id")
}

/// The message shown at `field`, if any.
fn field_error(body: &str, field: &str) -> Option<String> {
    let marker = format!("id=\"{field}-error\">");
    let start = body.find(&marker)? + marker.len();
    let end = body[start..].find("</p>")? + start;
    Some(body[start..end].to_owned())
}

/// A form as sent, the field whose message is expected, and (part of) the message.
type Case = (Vec<(&'static str, String)>, &'static str, &'static str);

fn valid_form(wl: &Uuid) -> Vec<(&'static str, String)> {
    vec![
        ("title", "Kommunalvalg 2029".into()),
        ("election_type_id", KOMMUNALVALG.to_string()),
        ("election_date", "2029-11-20".into()),
        ("first_task_date", "2029-11-13".into()),
        ("last_task_date", "2029-11-21".into()),
        ("lock_days", "5".into()),
        ("work_locations", wl.to_string()),
    ]
}

fn with(form: &[(&'static str, String)], field: &'static str, value: &str) -> Vec<(&'static str, String)> {
    form.iter().map(|(k, v)| (*k, if *k == field { value.to_owned() } else { v.clone() })).collect()
}

fn without(form: &[(&'static str, String)], field: &str) -> Vec<(&'static str, String)> {
    form.iter().filter(|(k, _)| *k != field).cloned().collect()
}

store::store_tests! {
    async fn the_list_shows_type_date_state_and_counts(t: TestDb) {
        let app = TestApp::start(t).await?;
        let s = Setup::build(app.db()).await?;
        let id = s.election(app.db(), "Folketingsvalg 2026", &[s.skolen, s.raadhuset]).await?;
        s.seat(app.db(), id, s.skolen, date(2026, 10, 27)).await?;
        s.seat(app.db(), id, s.skolen, date(2026, 10, 27)).await?;
        store::repo::elections::activate(app.db(), &Actor::system(), id).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let body = page(admin.get(app.url("/admin/elections")).send().await?, 200).await?;
        assert!(body.contains(&format!("<a href=\"/admin/elections/{id}\">Folketingsvalg 2026</a>")), "{body}");
        assert!(body.contains("Folketingsvalg og folkeafstemning"));
        assert!(body.contains("27-10-2026"));
        assert!(body.contains("<span class=\"tag active\">Aktiv</span>"));
        assert!(body.contains("<td class=\"num\">2</td>\n      <td class=\"num\">2</td>"), "2 work locations, 2 seats: {body}");
        assert!(body.contains("href=\"/admin/elections/new\""));
        let reader = app.sign_in(AdminRole::Reader).await?;
        let body = page(reader.get(app.url("/admin/elections")).send().await?, 200).await?;
        assert!(body.contains("Folketingsvalg 2026"));
        assert!(!body.contains("href=\"/admin/elections/new\""), "no create button for readers");
        let detail = page(reader.get(app.url(&format!("/admin/elections/{id}"))).send().await?, 200).await?;
        assert!(detail.contains("Digital Post → e-mail → SMS"));
        assert!(detail.contains("3 dage før opgaven"));
        assert!(!detail.contains("/edit\""), "no edit button for readers");
    }

    async fn create_shows_grouped_work_locations_and_saves_with_audit(t: TestDb) {
        let app = TestApp::start(t).await?;
        let s = Setup::build(app.db()).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let body = page(admin.get(app.url("/admin/elections/new")).send().await?, 200).await?;
        let nord = body.find("<legend>Nord</legend>").expect("area Nord");
        let syd = body.find("<legend>Syd</legend>").expect("area Syd");
        let hallen = body.find("Korsbæk Hallen").unwrap();
        assert!(nord < hallen && hallen < body.find("Korsbæk Skole").unwrap() && body.find("Rådhuset").unwrap() > syd);
        assert!(body.contains(&format!("<label class=\"checkbox\" for=\"wl-{}\">", s.skolen)));
        assert!(body.contains("Kommunal- og regionsrådsvalg"));
        assert!(body.contains("Digital Post → e-mail → SMS"));
        let mut form = valid_form(&s.skolen);
        form.push(("work_locations", s.raadhuset.to_string()));
        let response = admin.post(app.url("/admin/elections/new")).form(&form).send().await?;
        assert_eq!(response.status(), 303);
        let id = redirected_id(&location(&response));
        let detail = page(admin.get(app.url(&location(&response))).send().await?, 200).await?;
        assert!(detail.contains("Valget »Kommunalvalg 2029« er oprettet."));
        assert!(detail.contains("13-11-2029 – 21-11-2029"));
        let e = stored(app.db(), id).await?;
        assert_eq!((e.election_type_id, e.lock_days, e.active), (KOMMUNALVALG, 5, false));
        assert_eq!(store::repo::elections::detail(app.db(), id).await?.work_locations.len(), 2);
        assert_eq!(audit_count(app.db(), "create").await?, 1);
    }

    async fn create_reports_every_missing_field_at_the_field(t: TestDb) {
        let app = TestApp::start(t).await?;
        Setup::build(app.db()).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let response = admin.post(app.url("/admin/elections/new")).form(&[("title", "  ")]).send().await?;
        let body = page(response, 422).await?;
        let expected = [
            ("title", "Udfyld titel"),
            ("election_type_id", "Vælg en valgtype"),
            ("election_date", "Udfyld valgdato"),
            ("first_task_date", "Udfyld første opgavedato"),
            ("last_task_date", "Udfyld sidste opgavedato"),
            ("lock_days", "Udfyld låseperiode"),
            ("work_locations", "Vælg mindst ét arbejdssted"),
        ];
        for (field, message) in expected {
            assert_eq!(field_error(&body, field).as_deref(), Some(message), "{field}");
            assert!(body.contains(&format!("{field}-error\"")), "{field} is described by its error");
        }
        assert!(body.contains("aria-describedby=\"title-hint title-error\""));
        assert_eq!(election_count(app.db()).await?, 0);
    }

    async fn create_enforces_the_date_lock_and_title_rules_keeping_the_input(t: TestDb) {
        let app = TestApp::start(t).await?;
        let s = Setup::build(app.db()).await?;
        s.election(app.db(), "Folketingsvalg 2026", &[s.skolen]).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let form = valid_form(&s.hallen);
        let cases: [Case; 7] = [
            (with(&form, "first_task_date", "2029-11-21"), "first_task_date", "Første opgavedato skal ligge på eller før valgdatoen"),
            (with(&form, "last_task_date", "2029-11-19"), "last_task_date", "Sidste opgavedato skal ligge på eller efter valgdatoen"),
            (with(&form, "lock_days", "0"), "lock_days", "Låseperioden skal være mindst 1 dag"),
            (with(&form, "lock_days", "syv"), "lock_days", "Låseperiode skal være et helt tal"),
            (with(&form, "election_date", "31-02-2029"), "election_date", "Valgdato skal være en dato som dd-mm-åååå"),
            (with(&form, "title", "FOLKETINGSVALG 2026"), "title", "Der findes allerede et valg med titlen »FOLKETINGSVALG 2026«. Vælg en anden."),
            (without(&form, "election_type_id"), "election_type_id", "Vælg en valgtype"),
        ];
        for (sent, field, message) in cases {
            let body = page(admin.post(app.url("/admin/elections/new")).form(&sent).send().await?, 422).await?;
            assert_eq!(field_error(&body, field).as_deref(), Some(message), "{field}: {body}");
            // What was typed is still there, boxes still ticked.
            let title = &sent.iter().find(|(k, _)| *k == "title").unwrap().1;
            assert!(body.contains(&format!("name=\"title\" value=\"{title}\"")), "{body}");
            assert!(body.contains(&format!("value=\"{}\" checked", s.hallen)));
            assert!(body.contains("name=\"lock_days\" value=\""));
        }
        assert_eq!(election_count(app.db()).await?, 1);
        // A one-day election is allowed.
        let one_day = with(&with(&form, "first_task_date", "2029-11-20"), "last_task_date", "2029-11-20");
        let response = admin.post(app.url("/admin/elections/new")).form(&one_day).send().await?;
        assert_eq!(response.status(), 303);
        assert_eq!(election_count(app.db()).await?, 2);
    }

    async fn edit_saves_and_refuses_what_would_orphan_seats(t: TestDb) {
        let app = TestApp::start(t).await?;
        let s = Setup::build(app.db()).await?;
        let id = s.election(app.db(), "Folketingsvalg 2026", &[s.skolen, s.hallen]).await?;
        s.election(app.db(), "Kommunalvalg 2029", &[s.skolen]).await?;
        s.seat(app.db(), id, s.skolen, date(2026, 10, 22)).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let edit = format!("/admin/elections/{id}/edit");
        let body = page(admin.get(app.url(&edit)).send().await?, 200).await?;
        assert!(body.contains("name=\"title\" value=\"Folketingsvalg 2026\""));
        assert!(body.contains("name=\"first_task_date\" value=\"2026-10-20\""));
        assert!(body.contains("Valgtypen kan ikke ændres"));
        assert!(body.contains("1 opgave – kan ikke fjernes"));
        let form = vec![
            ("title", "Folketingsvalg 2026".to_owned()),
            ("election_date", "2026-10-27".into()),
            ("first_task_date", "2026-10-20".into()),
            ("last_task_date", "2026-10-28".into()),
            ("lock_days", "3".into()),
            ("work_locations", s.skolen.to_string()),
            ("work_locations", s.hallen.to_string()),
        ];
        let cases: [Case; 8] = [
            (with(&form, "first_task_date", "2026-10-23"), "first_task_date", "22-10-2026"),
            (with(&form, "last_task_date", "2026-10-26"), "last_task_date", "Sidste opgavedato skal ligge på eller efter valgdatoen"),
            (with(&form, "title", " "), "title", "Udfyld titel"),
            (with(&form, "lock_days", ""), "lock_days", "Udfyld låseperiode"),
            (without(&form, "work_locations"), "work_locations", "Vælg mindst ét arbejdssted"),
            (without(&form, "work_locations").into_iter().chain([("work_locations", s.hallen.to_string())]).collect(), "work_locations", "»Korsbæk Skole« kan ikke fjernes"),
            (with(&form, "title", "kommunalvalg 2029"), "title", "Der findes allerede et valg"),
            (with(&form, "lock_days", "-2"), "lock_days", "mindst 1 dag"),
        ];
        for (sent, field, message) in cases {
            let body = page(admin.post(app.url(&edit)).form(&sent).send().await?, 422).await?;
            let shown = field_error(&body, field).unwrap_or_default();
            assert!(shown.contains(message), "{field}: {shown}");
            let lock = &sent.iter().find(|(k, _)| *k == "lock_days").unwrap().1;
            assert!(body.contains(&format!("name=\"lock_days\" value=\"{lock}\"")), "input kept");
        }
        assert_eq!(audit_count(app.db(), "update").await?, 0);
        // Adding one, removing the empty one, new title and lock period.
        let changed = vec![
            ("title", "Folketingsvalg 27. oktober".to_owned()),
            ("election_date", "2026-10-27".into()),
            ("first_task_date", "2026-10-22".into()),
            ("last_task_date", "2026-10-27".into()),
            ("lock_days", "10".into()),
            ("work_locations", s.skolen.to_string()),
            ("work_locations", s.raadhuset.to_string()),
        ];
        let response = admin.post(app.url(&edit)).form(&changed).send().await?;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), format!("/admin/elections/{id}"));
        let e = stored(app.db(), id).await?;
        assert_eq!((e.title.as_str(), e.lock_days, e.first_task_date), ("Folketingsvalg 27. oktober", 10, date(2026, 10, 22)));
        let ids: BTreeSet<Uuid> = store::repo::elections::detail(app.db(), id).await?.work_locations.iter().map(|w| w.id).collect();
        assert_eq!(ids, [s.skolen, s.raadhuset].into_iter().collect());
        assert_eq!(audit_count(app.db(), "update").await?, 1);
    }

    async fn duplicate_copies_seats_to_the_new_date(t: TestDb) {
        let app = TestApp::start(t).await?;
        let s = Setup::build(app.db()).await?;
        let id = s.election(app.db(), "Folketingsvalg 2026", &[s.skolen, s.raadhuset]).await?;
        s.seat(app.db(), id, s.skolen, date(2026, 10, 20)).await?;
        s.seat(app.db(), id, s.skolen, date(2026, 10, 27)).await?;
        s.seat(app.db(), id, s.raadhuset, date(2026, 10, 27)).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let path = format!("/admin/elections/{id}/duplicate");
        let body = page(admin.get(app.url(&path)).send().await?, 200).await?;
        assert!(body.contains("value=\"Folketingsvalg 2026 (kopi)\""));
        assert!(body.contains("name=\"days_before\" value=\"7\""));
        assert!(body.contains("name=\"days_after\" value=\"1\""));
        assert!(!body.contains("Korsbæk Hallen"), "only the source's work locations");
        assert!(body.contains("2 opgaver"));
        // Rules at their fields, input kept.
        let bad = [
            ("title", "Folkeafstemning 2027"),
            ("election_type_id", ""),
            ("lock_days", "0"),
            ("election_date", ""),
            ("days_before", "-1"),
            ("days_after", "400"),
        ];
        let body = page(admin.post(app.url(&path)).form(&bad).send().await?, 422).await?;
        assert_eq!(field_error(&body, "election_type_id").as_deref(), Some("Vælg en valgtype"));
        assert_eq!(field_error(&body, "lock_days").as_deref(), Some("Låseperioden skal være mindst 1 dag"));
        assert_eq!(field_error(&body, "election_date").as_deref(), Some("Udfyld ny valgdato"));
        assert!(field_error(&body, "days_before").unwrap().contains("mellem 0 og 365"));
        assert!(field_error(&body, "days_after").unwrap().contains("mellem 0 og 365"));
        assert_eq!(field_error(&body, "work_locations").as_deref(), Some("Vælg mindst ét arbejdssted"));
        assert!(body.contains("value=\"Folkeafstemning 2027\""));
        assert_eq!(election_count(app.db()).await?, 1);
        let good = [
            ("title", "Folkeafstemning 2027".to_owned()),
            ("election_type_id", FOLKETINGSVALG.to_string()),
            ("lock_days", "4".into()),
            ("election_date", "2027-06-01".into()),
            ("days_before", "0".into()),
            ("days_after", "0".into()),
            ("work_locations", s.skolen.to_string()),
        ];
        let response = admin.post(app.url(&path)).form(&good).send().await?;
        assert_eq!(response.status(), 303);
        let copy = redirected_id(&location(&response));
        let detail = page(admin.get(app.url(&location(&response))).send().await?, 200).await?;
        assert!(detail.contains("Valget »Folkeafstemning 2027« er oprettet med 1 opgave fra »Folketingsvalg 2026«."), "{detail}");
        let e = stored(app.db(), copy).await?;
        assert_eq!((e.first_task_date, e.election_date, e.last_task_date, e.lock_days), (date(2027, 6, 1), date(2027, 6, 1), date(2027, 6, 1), 4));
        assert_eq!(seat_count(app.db(), copy).await?, 1);
        assert_eq!(seat_count(app.db(), id).await?, 3);
        assert_eq!(audit_count(app.db(), "create").await?, 2);
    }

    async fn activation_and_deactivation_go_through_confirmation(t: TestDb) {
        let app = TestApp::start(t).await?;
        let s = Setup::build(app.db()).await?;
        let id = s.election(app.db(), "Folketingsvalg 2026", &[s.skolen]).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let activate = format!("/admin/elections/{id}/activate");
        let body = page(admin.get(app.url(&activate)).send().await?, 200).await?;
        assert!(body.contains("<h1>Aktivér »Folketingsvalg 2026«</h1>"));
        assert!(body.contains(&format!("action=\"{activate}\"")));
        let response = admin.post(app.url(&activate)).send().await?;
        assert_eq!(response.status(), 303);
        let detail = page(admin.get(app.url(&location(&response))).send().await?, 200).await?;
        assert!(detail.contains("Valget »Folketingsvalg 2026« er aktiveret."));
        assert!(stored(app.db(), id).await?.active);
        let again = page(admin.get(app.url(&activate)).send().await?, 200).await?;
        assert!(again.contains("Valget er allerede aktivt.") && !again.contains(&format!("action=\"{activate}\"")));
        let refused = page(admin.post(app.url(&activate)).send().await?, 409).await?;
        assert!(refused.contains("Valget er allerede aktivt."));
        let deactivate = format!("/admin/elections/{id}/deactivate");
        page(admin.get(app.url(&deactivate)).send().await?, 200).await?;
        assert_eq!(admin.post(app.url(&deactivate)).send().await?.status(), 303);
        assert!(!stored(app.db(), id).await?.active);
        assert_eq!(audit_count(app.db(), "update").await?, 2);
    }

    async fn delete_is_refused_while_active_and_says_what_goes(t: TestDb) {
        let app = TestApp::start(t).await?;
        let s = Setup::build(app.db()).await?;
        let id = s.election(app.db(), "Folketingsvalg 2026", &[s.skolen]).await?;
        s.seat(app.db(), id, s.skolen, date(2026, 10, 27)).await?;
        s.seat(app.db(), id, s.skolen, date(2026, 10, 27)).await?;
        store::repo::elections::activate(app.db(), &Actor::system(), id).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let delete = format!("/admin/elections/{id}/delete");
        let body = page(admin.get(app.url(&delete)).send().await?, 200).await?;
        assert!(body.contains("Valget kan ikke slettes, mens det er aktivt. Deaktivér valget først."));
        assert!(!body.contains(&format!("action=\"{delete}\"")));
        let refused = page(admin.post(app.url(&delete)).send().await?, 409).await?;
        assert!(refused.contains("mens det er aktivt"));
        assert_eq!(election_count(app.db()).await?, 1);
        store::repo::elections::deactivate(app.db(), &Actor::system(), id).await?;
        let body = page(admin.get(app.url(&delete)).send().await?, 200).await?;
        assert!(body.contains("Valgets 2 opgaver slettes også"), "{body}");
        let response = admin.post(app.url(&delete)).send().await?;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/admin/elections");
        let list = page(admin.get(app.url("/admin/elections")).send().await?, 200).await?;
        assert!(list.contains("Valget »Folketingsvalg 2026« er slettet."));
        assert_eq!(election_count(app.db()).await?, 0);
        assert_eq!(seat_count(app.db(), id).await?, 0);
        assert_eq!(audit_count(app.db(), "delete").await?, 1);
    }

    async fn readers_are_refused_every_change(t: TestDb) {
        let app = TestApp::start(t).await?;
        let s = Setup::build(app.db()).await?;
        let id = s.election(app.db(), "Folketingsvalg 2026", &[s.skolen]).await?;
        let reader = app.sign_in(AdminRole::Reader).await?;
        let form = valid_form(&s.skolen);
        let base = format!("/admin/elections/{id}");
        for path in [
            "/admin/elections/new".to_owned(),
            format!("{base}/edit"),
            format!("{base}/duplicate"),
            format!("{base}/activate"),
            format!("{base}/deactivate"),
            format!("{base}/delete"),
        ] {
            assert_eq!(reader.post(app.url(&path)).form(&form).send().await?.status(), 403, "POST {path}");
            assert_eq!(reader.get(app.url(&path)).send().await?.status(), 403, "GET {path}");
        }
        let e = stored(app.db(), id).await?;
        assert_eq!((e.title.as_str(), e.active), ("Folketingsvalg 2026", false));
        assert_eq!(election_count(app.db()).await?, 1);
        assert_eq!(audit_count(app.db(), "update").await? + audit_count(app.db(), "delete").await?, 0);
    }

    async fn an_unknown_election_is_404(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Administrator).await?;
        let missing = Uuid::new_v4();
        for path in ["", "/edit", "/duplicate", "/activate", "/deactivate", "/delete"] {
            let url = app.url(&format!("/admin/elections/{missing}{path}"));
            assert_eq!(admin.get(&url).send().await?.status(), 404, "GET {path}");
        }
        assert_eq!(admin.post(app.url(&format!("/admin/elections/{missing}/delete"))).send().await?.status(), 404);
    }
}
