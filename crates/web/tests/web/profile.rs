//! "Min profil": CPR data read-only, contact data (both required) and diets
//! edited with Danish field errors, the consent to be kept shown and changed,
//! and deleting one's own profile under the rules (lock period; retention
//! after having served — then allowed).

use chrono::{Days, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use store::entity::{elections, participants, seats, special_diets};
use uuid::Uuid;

use crate::invitation::give_seat;
use crate::portal::participant;
use crate::staffing_fixtures::{seat, staffed};
use crate::support::{TestApp, cookie_named, location, page};

async fn diet(app: &TestApp, title: &str) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let row = special_diets::ActiveModel {
        id: Set(Uuid::new_v4()),
        title: Set(title.into()),
        title_key: Set(title.to_lowercase()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(app.db())
    .await?;
    Ok(row.id)
}

async fn set_seat_date(app: &TestApp, seat_id: Uuid, date: chrono::NaiveDate) -> anyhow::Result<()> {
    let row = seats::Entity::find_by_id(seat_id).one(app.db()).await?.expect("seat");
    let mut row: seats::ActiveModel = row.into();
    row.task_date = Set(date);
    row.update(app.db()).await?;
    Ok(())
}

store::store_tests! {
    async fn the_profile_shows_cpr_data_and_saves_contact_and_diets(t: TestDb) {
        let app = TestApp::start(t).await?;
        let karen = participant(&app, "1205851236", "Karen", "Testesen").await?;
        let vegan = diet(&app, "Vegansk").await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let body = page(client.get(app.url("/min-profil")).send().await?, 200).await?;
        assert!(body.contains("Karen Testesen") && body.contains("Skolevej 1") && body.contains("Vegansk"), "{body}");
        assert!(!body.contains("name=\"first_name\""), "CPR data is read-only: {body}");
        let bad = [("mobile", "12"), ("email", "ikke-en-adresse")];
        let body = page(client.post(app.url("/min-profil")).form(&bad).send().await?, 422).await?;
        assert!(body.contains("id=\"mobile-error\"") && body.contains("id=\"email-error\""), "{body}");
        let vegan_id = vegan.to_string();
        let good = [("mobile", "12345678"), ("email", "karen@example.dk"), ("diets", vegan_id.as_str())];
        let response = client.post(app.url("/min-profil")).form(&good).send().await?;
        assert_eq!(location(&response), "/min-profil?gemt=1");
        let row = participants::Entity::find_by_id(karen).one(app.db()).await?.expect("participant");
        assert_eq!(row.email.as_deref(), Some("karen@example.dk"));
        assert!(row.mobile.is_some_and(|m| m.contains("12345678")));
        let body = page(client.get(app.url("/min-profil?gemt=1")).send().await?, 200).await?;
        assert!(body.contains("Dine oplysninger er gemt") && body.contains(&format!("value=\"{vegan}\" checked")), "{body}");
    }

    async fn mobile_and_email_are_required_and_consent_is_given_and_withdrawn(t: TestDb) {
        let app = TestApp::start(t).await?;
        let karen = participant(&app, "1205851236", "Karen", "Testesen").await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let body = page(client.get(app.url("/min-profil")).send().await?, 200).await?;
        assert!(body.contains("Du har ikke givet samtykke"), "{body}");
        let empty = [("mobile", ""), ("email", "karen@example.dk"), ("consent", "ja")];
        let body = page(client.post(app.url("/min-profil")).form(&empty).send().await?, 422).await?;
        assert!(body.contains("Mobilnummeret skal udfyldes") && body.contains("value=\"karen@example.dk\""), "{body}");
        assert!(body.contains("name=\"consent\" value=\"ja\" checked"), "the tick stays: {body}");
        let given = [("mobile", "12345678"), ("email", "karen@example.dk"), ("consent", "ja")];
        let response = client.post(app.url("/min-profil")).form(&given).send().await?;
        assert_eq!(location(&response), "/min-profil?gemt=1");
        let until = Utc::now().date_naive().checked_add_months(chrono::Months::new(48)).unwrap();
        let row = participants::Entity::find_by_id(karen).one(app.db()).await?.expect("participant");
        assert_eq!(row.consent_until, Some(until));
        let body = page(client.get(app.url("/min-profil")).send().await?, 200).await?;
        assert!(body.contains(&format!("til og med {}", until.format("%d-%m-%Y"))), "{body}");
        // Saving again keeps the date; no tick withdraws the consent.
        client.post(app.url("/min-profil")).form(&given).send().await?;
        let row = participants::Entity::find_by_id(karen).one(app.db()).await?.expect("participant");
        assert_eq!(row.consent_until, Some(until));
        client.post(app.url("/min-profil")).form(&given[..2]).send().await?;
        let row = participants::Entity::find_by_id(karen).one(app.db()).await?.expect("participant");
        assert_eq!(row.consent_until, None);
    }

    async fn deleting_is_refused_inside_a_lock_period(t: TestDb) {
        let app = TestApp::start(t).await?;
        let karen = participant(&app, "1205851236", "Karen", "Testesen").await?;
        let of = staffed(app.db(), true).await?;
        let held = seat(app.db(), &of).await?;
        give_seat(&app, held, karen, "accepted").await?;
        elections::ActiveModel { id: Set(of.election), lock_days: Set(10_000), ..Default::default() }.update(app.db()).await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let response = client.post(app.url("/min-profil/slet")).form(&[("x", "y")]).send().await?;
        let body = page(response, 422).await?;
        assert!(body.contains("Sæt kryds"), "nothing happens without the confirmation: {body}");
        let body = page(client.post(app.url("/min-profil/slet")).form(&[("bekraeft", "ja")]).send().await?, 409).await?;
        assert!(body.contains("fristen for at afmelde dig er overskredet") && body.contains("Tilforordnet"), "{body}");
        assert!(participants::Entity::find_by_id(karen).one(app.db()).await?.is_some());
        // Before the lock period the profile goes, and the seat is free again.
        elections::ActiveModel { id: Set(of.election), lock_days: Set(3), ..Default::default() }.update(app.db()).await?;
        let response = client.post(app.url("/min-profil/slet")).form(&[("bekraeft", "ja")]).send().await?;
        assert_eq!(cookie_named(&response, "vh_portal").as_deref(), Some(""));
        let body = page(response, 200).await?;
        assert!(body.contains("Din profil er slettet"), "{body}");
        assert!(participants::Entity::find_by_id(karen).one(app.db()).await?.is_none());
        let row = seats::Entity::find_by_id(held).one(app.db()).await?.expect("seat");
        assert_eq!((row.state.as_str(), row.participant_id), ("available", None));
    }

    async fn having_served_blocks_deleting_only_for_the_retention_period(t: TestDb) {
        let app = TestApp::start(t).await?;
        let karen = participant(&app, "1205851236", "Karen", "Testesen").await?;
        let of = staffed(app.db(), true).await?;
        let served = seat(app.db(), &of).await?;
        give_seat(&app, served, karen, "accepted").await?;
        let today = Utc::now().date_naive();
        set_seat_date(&app, served, today.checked_sub_days(Days::new(30)).unwrap()).await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let body = page(client.post(app.url("/min-profil/slet")).form(&[("bekraeft", "ja")]).send().await?, 409).await?;
        let until = today.checked_sub_days(Days::new(30)).unwrap().checked_add_days(Days::new(365)).unwrap();
        assert!(body.contains(&format!("til og med {}", until.format("%d-%m-%Y"))), "{body}");
        // Served long enough ago (default: 365 days): allowed.
        set_seat_date(&app, served, today.checked_sub_days(Days::new(400)).unwrap()).await?;
        let body = page(client.post(app.url("/min-profil/slet")).form(&[("bekraeft", "ja")]).send().await?, 200).await?;
        assert!(body.contains("Din profil er slettet"), "{body}");
        assert!(participants::Entity::find_by_id(karen).one(app.db()).await?.is_none());
        // The municipality's own retention setting counts.
        let mads = participant(&app, "0302700517", "Mads", "Prøvesen").await?;
        let other = seat(app.db(), &of).await?;
        give_seat(&app, other, mads, "accepted").await?;
        set_seat_date(&app, other, today.checked_sub_days(Days::new(400)).unwrap()).await?;
        store::repo::settings::set(app.db(), &store::repo::Actor::system(), "participant_retention_days", "730").await?;
        let client = app.sign_in_citizen(Some(mads)).await?;
        page(client.post(app.url("/min-profil/slet")).form(&[("bekraeft", "ja")]).send().await?, 409).await?;
    }
}
