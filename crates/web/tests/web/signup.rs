//! Sign-up through team and task links: CPR data shown, mobile and e-mail
//! required, diets and consent (kept with the participant, unless the
//! municipality switched its declaration off); provisional when CPR is down;
//! a task link also gives a free seat of its kind; revoked links say so (410), unknown ones are 404.

use chrono::Utc;
use domain::CprNumber;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use store::entity::{seats, team_members};
use store::repo::links::{self, LinkTarget, SeatKind};
use store::repo::web_pages::{self, WebPage};
use uuid::Uuid;

use crate::participants::{ALIVE, start};
use crate::portal::participant;
use crate::staffing_fixtures::{SeatOf, day, staffed};
use crate::support::{TestApp, location, page};

async fn link(app: &TestApp, target: LinkTarget) -> anyhow::Result<String> {
    Ok(links::create(app.db(), &store::repo::Actor::system(), target, Utc::now()).await?.token)
}

async fn signed_up(app: &TestApp, cpr: &str) -> anyhow::Result<Option<store::entity::participants::Model>> {
    Ok(store::repo::participants::find_by_cpr(app.db(), &app.tenant.vault, &CprNumber::parse(cpr)?).await?)
}

async fn in_team(app: &TestApp, participant: Uuid, team: Uuid) -> anyhow::Result<bool> {
    Ok(team_members::Entity::find()
        .filter(team_members::Column::ParticipantId.eq(participant))
        .filter(team_members::Column::TeamId.eq(team))
        .one(app.db())
        .await?
        .is_some())
}

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// A complete form: contact data and consent.
fn filled() -> Vec<(String, String)> {
    fields(&[("mobile", "12345678"), ("email", "jens@example.dk"), ("consent", "ja")])
}

fn in_four_years() -> chrono::NaiveDate {
    Utc::now().date_naive().checked_add_months(chrono::Months::new(48)).unwrap()
}

store::store_tests! {
    async fn a_new_person_signs_up_through_a_team_link(t: TestDb) {
        let (app, _) = start(t).await?;
        let of = staffed(app.db(), true).await?;
        let token = link(&app, LinkTarget::Team { team: of.team, election: None }).await?;
        let path = format!("/tilmelding/hold/{token}");
        let response = app.anonymous().get(app.url(&path)).send().await?;
        assert_eq!(location(&response), format!("/login?next={path}"));
        let client = app.sign_in_mitid(ALIVE, None).await?;
        let form = page(client.get(app.url(&path)).send().await?, 200).await?;
        assert!(form.contains("Jens Peter Hansen") && form.contains("Algade 1") && form.contains("Socialdemokratiet"), "{form}");
        assert!(form.contains("Privatlivserklæring") && form.contains("name=\"consent\""), "{form}");
        let refused = client.post(app.url(&path)).form(&fields(&[("mobile", "12"), ("email", "x")])).send().await?;
        let refused = page(refused, 422).await?;
        assert!(refused.contains("samtykke") && refused.contains("id=\"mobile-error\""), "{refused}");
        // Mobile and e-mail are required; what was typed stays in the form.
        let refused = client.post(app.url(&path)).form(&fields(&[("email", "jens@example.dk"), ("consent", "ja")])).send().await?;
        let refused = page(refused, 422).await?;
        assert!(refused.contains("Mobilnummeret skal udfyldes") && refused.contains("value=\"jens@example.dk\""), "{refused}");
        assert!(refused.contains("id=\"consent\" name=\"consent\" value=\"ja\" checked"), "{refused}");
        let refused = client.post(app.url(&path)).form(&fields(&[("mobile", "12345678")])).send().await?;
        let refused = page(refused, 422).await?;
        assert!(refused.contains("E-mailadressen skal udfyldes") && refused.contains("value=\"12345678\""), "{refused}");
        assert!(signed_up(&app, ALIVE).await?.is_none());
        let done = client.post(app.url(&path))
            .form(&fields(&[("mobile", "12345678"), ("email", "jens@example.dk"), ("consent", "ja")]))
            .send().await?;
        let done = page(done, 200).await?;
        assert!(done.contains("Du er tilmeldt"), "{done}");
        let person = signed_up(&app, ALIVE).await?.expect("signed up");
        assert_eq!((person.first_name.as_str(), person.validation_state.as_str()), ("Jens Peter", "valid"));
        assert_eq!(person.email.as_deref(), Some("jens@example.dk"));
        assert!(person.mobile.as_deref().is_some_and(|m| m.ends_with("12345678")), "{:?}", person.mobile);
        assert_eq!(person.consent_until, Some(in_four_years()), "consent kept with the participant");
        assert!(in_team(&app, person.id, of.team).await?);
        // The same session is now the participant's.
        page(client.get(app.url("/mine-opgaver")).send().await?, 200).await?;
    }

    async fn cpr_down_signs_up_provisionally(t: TestDb) {
        let (app, fake) = start(t).await?;
        fake.set_down(true);
        let of = staffed(app.db(), true).await?;
        let token = link(&app, LinkTarget::Team { team: of.team, election: None }).await?;
        let path = format!("/tilmelding/hold/{token}");
        let client = app.sign_in_mitid(ALIVE, None).await?;
        let form = page(client.get(app.url(&path)).send().await?, 200).await?;
        assert!(form.contains("foreløbigt"), "{form}");
        page(client.post(app.url(&path)).form(&filled()).send().await?, 200).await?;
        let person = signed_up(&app, ALIVE).await?.expect("signed up");
        assert_eq!(person.validation_state, "provisional");
        assert_eq!((person.first_name.as_str(), person.last_name.as_str()), ("Test", "Borger"));
    }

    async fn a_task_link_signs_up_and_gives_a_free_seat_of_its_kind(t: TestDb) {
        let (app, _) = start(t).await?;
        let of = staffed(app.db(), true).await?;
        let kind = SeatKind { work_location: of.work_location, task_type: of.task_type, date: day() };
        let token = link(&app, LinkTarget::Task { team: of.team, election: of.election, kind }).await?;
        let path = format!("/tilmelding/opgave/{token}");
        let client = app.sign_in_mitid(ALIVE, None).await?;
        let done = client.post(app.url(&path)).form(&filled()).send().await?;
        let done = page(done, 200).await?;
        assert!(done.contains("du har sagt ja") && done.contains("Tilforordnet"), "{done}");
        let person = signed_up(&app, ALIVE).await?.expect("signed up");
        let seat = seats::Entity::find().filter(seats::Column::ParticipantId.eq(person.id)).one(app.db()).await?;
        assert_eq!(seat.expect("seat").state, "accepted");
        // Nothing of that kind left: the next person hears so.
        let other = participant(&app, "0302700517", "Mads", "Prøvesen").await?;
        let client = app.sign_in_citizen(Some(other)).await?;
        let body = page(client.post(app.url(&path)).form(&fields(&[])).send().await?, 409).await?;
        assert!(body.contains("ingen ledige opgaver"), "{body}");
        assert!(in_team(&app, other, of.team).await?);
    }

    async fn no_consent_is_asked_when_the_municipality_has_switched_its_declaration_off(t: TestDb) {
        let (app, _) = start(t).await?;
        let of = staffed(app.db(), true).await?;
        let token = link(&app, LinkTarget::Team { team: of.team, election: None }).await?;
        let path = format!("/tilmelding/hold/{token}");
        let client = app.sign_in_mitid(ALIVE, None).await?;
        let default = page(client.get(app.url(&path)).send().await?, 200).await?;
        assert!(default.contains("Samtykkeerklæring") && default.contains(&in_four_years().format("%d-%m-%Y").to_string()), "{default}");
        let own = WebPage { key: "consent".into(), title: "Vores samtykke".into(), body: "Må vi spørge dig igen?".into(), active: true };
        web_pages::set(app.db(), &store::repo::Actor::system(), own).await?;
        let written = page(client.get(app.url(&path)).send().await?, 200).await?;
        assert!(written.contains("Vores samtykke") && written.contains("Må vi spørge dig igen?"), "{written}");
        let off = WebPage { key: "consent".into(), title: "Vores samtykke".into(), body: String::new(), active: false };
        web_pages::set(app.db(), &store::repo::Actor::system(), off).await?;
        let form = page(client.get(app.url(&path)).send().await?, 200).await?;
        assert!(!form.contains("name=\"consent\"") && !form.contains("Vores samtykke"), "{form}");
        let done = client.post(app.url(&path)).form(&fields(&[("mobile", "12345678"), ("email", "jens@example.dk")])).send().await?;
        page(done, 200).await?;
        let person = signed_up(&app, ALIVE).await?.expect("signed up without being asked");
        assert_eq!(person.consent_until, None);
    }

    async fn an_existing_participant_joins_the_team(t: TestDb) {
        let app = TestApp::start(t).await?;
        let of = staffed(app.db(), true).await?;
        let karen = participant(&app, "1205851236", "Karen", "Testesen").await?;
        let token = link(&app, LinkTarget::Team { team: of.team, election: None }).await?;
        let path = format!("/tilmelding/hold/{token}");
        let client = app.sign_in_citizen(Some(karen)).await?;
        let body = page(client.get(app.url(&path)).send().await?, 200).await?;
        assert!(body.contains("allerede tilmeldt") && !body.contains("name=\"consent\""), "{body}");
        page(client.post(app.url(&path)).form(&fields(&[])).send().await?, 200).await?;
        assert!(in_team(&app, karen, of.team).await?);
    }

    async fn revoked_unknown_and_mismatched_links_lead_nowhere(t: TestDb) {
        let app = TestApp::start(t).await?;
        let of: SeatOf = staffed(app.db(), true).await?;
        let created = links::create(app.db(), &store::repo::Actor::system(), LinkTarget::Team { team: of.team, election: None }, Utc::now()).await?;
        let karen = participant(&app, "1205851236", "Karen", "Testesen").await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let body = page(client.get(app.url(&format!("/tilmelding/opgave/{}", created.token))).send().await?, 404).await?;
        assert!(body.contains("Linket virker ikke"), "{body}");
        links::revoke(app.db(), &store::repo::Actor::system(), created.id, Utc::now()).await?;
        let revoked = format!("/tilmelding/hold/{}", created.token);
        let cases = [(revoked, 410, "Linket er trukket tilbage"), ("/tilmelding/hold/ukendt".to_owned(), 404, "Linket virker ikke")];
        for (path, status, says) in cases {
            let body = page(app.anonymous().get(app.url(&path)).send().await?, status).await?;
            assert!(body.contains(says), "{body}");
            let body = page(client.post(app.url(&path)).form(&fields(&[])).send().await?, status).await?;
            assert!(body.contains(says), "{body}");
        }
        assert!(!in_team(&app, karen, of.team).await?);
    }
}
