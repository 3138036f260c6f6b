//! The personal invitation page: sign-in first, then yes (with every check
//! and a result page for each outcome) or no (history row and a queued
//! confirmation).

use chrono::{NaiveTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use store::entity::{message_log, participants, rejected_seats, seats, task_types};
use uuid::Uuid;

use crate::portal::participant;
use crate::staffing_fixtures::{SeatOf, seat, staffed};
use crate::support::{TestApp, location, page};

/// Makes a fixture participant pass the election's rules in Korsbæk (0999).
pub async fn make_eligible(app: &TestApp, id: Uuid) -> anyhow::Result<()> {
    let row = participants::Entity::find_by_id(id).one(app.db()).await?.expect("participant");
    let mut row: participants::ActiveModel = row.into();
    row.municipality_code = Set(Some("0999".into()));
    row.citizenship = Set(Some("5100".into()));
    row.update(app.db()).await?;
    Ok(())
}

/// Puts `seat_id` in state `state` for `participant`; returns the invitation code.
pub async fn give_seat(app: &TestApp, seat_id: Uuid, participant: Uuid, state: &str) -> anyhow::Result<Uuid> {
    let code = Uuid::new_v4();
    let row = seats::Entity::find_by_id(seat_id).one(app.db()).await?.expect("seat");
    let mut row: seats::ActiveModel = row.into();
    row.state = Set(state.into());
    row.participant_id = Set(Some(participant));
    row.invitation_code = Set((state == "invited").then_some(code));
    row.invited_at = Set(Some(Utc::now()));
    row.update(app.db()).await?;
    Ok(code)
}

/// An eligible participant invited to a new seat: (participant, seat fixture, seat, code).
pub async fn invited(app: &TestApp) -> anyhow::Result<(Uuid, SeatOf, Uuid, Uuid)> {
    let karen = participant(app, "1205851236", "Karen", "Testesen").await?;
    make_eligible(app, karen).await?;
    let of = staffed(app.db(), true).await?;
    let seat_id = seat(app.db(), &of).await?;
    let code = give_seat(app, seat_id, karen, "invited").await?;
    Ok((karen, of, seat_id, code))
}

async fn seat_state(app: &TestApp, seat_id: Uuid) -> anyhow::Result<String> {
    Ok(seats::Entity::find_by_id(seat_id).one(app.db()).await?.expect("seat").state)
}

async fn queued(app: &TestApp, participant: Uuid, kind: &str) -> anyhow::Result<u64> {
    Ok(message_log::Entity::find()
        .filter(message_log::Column::ParticipantId.eq(participant))
        .filter(message_log::Column::Kind.eq(kind))
        .count(app.db())
        .await?)
}

store::store_tests! {
    async fn the_invitee_signs_in_and_accepts(t: TestDb) {
        let app = TestApp::start(t).await?;
        let (karen, _, seat_id, code) = invited(&app).await?;
        let path = format!("/opgaver/invitation/{seat_id}/{code}");
        let anonymous = page(app.anonymous().get(app.url(&path)).send().await?, 200).await?;
        assert!(anonymous.contains("Tilforordnet") && anonymous.contains("Korsbæk Skole"), "{anonymous}");
        assert!(anonymous.contains("01-06-2027") && anonymous.contains("08:00–20:00"), "{anonymous}");
        assert!(anonymous.contains(&format!("href=\"/login?next={path}\"")), "{anonymous}");
        // Answering without signing in leads to sign-in and back here.
        let response = app.anonymous().post(app.url(&format!("{path}/accepter"))).send().await?;
        assert_eq!((response.status().as_u16(), location(&response)), (303, format!("/login?next={path}")));
        let client = app.sign_in_citizen(Some(karen)).await?;
        let shown = page(client.get(app.url(&path)).send().await?, 200).await?;
        assert!(shown.contains("Acceptér") && shown.contains("Afvis"), "{shown}");
        let done = page(client.post(app.url(&format!("{path}/accepter"))).send().await?, 200).await?;
        assert!(done.contains("du har sagt ja"), "{done}");
        assert_eq!(seat_state(&app, seat_id).await?, "accepted");
        assert_eq!(queued(&app, karen, "registration_confirmation").await?, 1);
        let again = page(client.get(app.url(&path)).send().await?, 200).await?;
        assert!(again.contains("Du har allerede sagt ja"), "{again}");
    }

    async fn a_refused_yes_lists_every_failed_rule(t: TestDb) {
        let app = TestApp::start(t).await?;
        let (karen, _, seat_id, code) = invited(&app).await?;
        let row = participants::Entity::find_by_id(karen).one(app.db()).await?.expect("participant");
        let mut row: participants::ActiveModel = row.into();
        row.municipality_code = Set(Some("0101".into()));
        row.citizenship = Set(Some("5110".into()));
        row.update(app.db()).await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let path = format!("/opgaver/invitation/{seat_id}/{code}/accepter");
        let body = page(client.post(app.url(&path)).send().await?, 409).await?;
        assert!(body.contains("Du kan ikke få opgaven"), "{body}");
        assert!(body.contains("bor ikke i kommunen") && body.contains("ikke dansk statsborger"), "{body}");
        assert_eq!(seat_state(&app, seat_id).await?, "invited");
    }

    async fn a_yes_that_clashes_with_another_task_says_so(t: TestDb) {
        let app = TestApp::start(t).await?;
        let (karen, of, seat_id, code) = invited(&app).await?;
        // Another task the same day, 18:00–02:00, overlapping 08:00–20:00.
        let other_type = crate::staffing_fixtures::task_type(app.db(), "Optæller").await?;
        let row = task_types::Entity::find_by_id(other_type).one(app.db()).await?.expect("task type");
        let mut row: task_types::ActiveModel = row.into();
        row.start_time = Set(NaiveTime::from_hms_opt(18, 0, 0).unwrap());
        row.end_time = Set(NaiveTime::from_hms_opt(2, 0, 0).unwrap());
        row.update(app.db()).await?;
        let other = seat(app.db(), &SeatOf { task_type: other_type, ..of }).await?;
        give_seat(&app, other, karen, "accepted").await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let path = format!("/opgaver/invitation/{seat_id}/{code}/accepter");
        let body = page(client.post(app.url(&path)).send().await?, 409).await?;
        assert!(body.contains("overlapper en anden opgave") && body.contains("Optæller"), "{body}");
        assert_eq!(seat_state(&app, seat_id).await?, "invited");
    }

    async fn wrong_person_withdrawn_and_gone_get_their_own_pages(t: TestDb) {
        let app = TestApp::start(t).await?;
        let (karen, _, seat_id, code) = invited(&app).await?;
        let mads = participant(&app, "0302700517", "Mads", "Prøvesen").await?;
        let path = format!("/opgaver/invitation/{seat_id}/{code}");
        let client = app.sign_in_citizen(Some(mads)).await?;
        let body = page(client.get(app.url(&path)).send().await?, 403).await?;
        assert!(body.contains("Invitationen er til en anden"), "{body}");
        let body = page(client.post(app.url(&format!("{path}/accepter"))).send().await?, 403).await?;
        assert!(body.contains("Invitationen er til en anden"), "{body}");
        assert_eq!(seat_state(&app, seat_id).await?, "invited");
        let client = app.sign_in_citizen(Some(karen)).await?;
        let stale = format!("/opgaver/invitation/{seat_id}/{}", Uuid::new_v4());
        let body = page(client.get(app.url(&stale)).send().await?, 410).await?;
        assert!(body.contains("trukket tilbage"), "{body}");
        seats::Entity::delete_by_id(seat_id).exec(app.db()).await?;
        let body = page(client.post(app.url(&format!("{path}/accepter"))).send().await?, 410).await?;
        assert!(body.contains("findes ikke længere"), "{body}");
    }

    async fn the_invitee_says_no(t: TestDb) {
        let app = TestApp::start(t).await?;
        let (karen, _, seat_id, code) = invited(&app).await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let path = format!("/opgaver/invitation/{seat_id}/{code}/afvis");
        let body = page(client.post(app.url(&path)).send().await?, 200).await?;
        assert!(body.contains("Du har sagt nej tak"), "{body}");
        assert_eq!(seat_state(&app, seat_id).await?, "available");
        let history = rejected_seats::Entity::find()
            .filter(rejected_seats::Column::ParticipantId.eq(karen))
            .count(app.db())
            .await?;
        assert_eq!(history, 1);
        assert_eq!(queued(&app, karen, "cancellation_confirmation").await?, 1);
    }

    async fn mitid_sign_in_returns_to_the_invitation(t: TestDb) {
        let app = TestApp::start_with_saml(t).await?;
        let (_, _, seat_id, code) = invited(&app).await?;
        let path = format!("/opgaver/invitation/{seat_id}/{code}");
        let sign_in = app.saml_sign_in(app.anonymous(), &format!("/login?next={path}"), "karen").await?;
        assert_eq!(location(&sign_in.response), path);
        let body = page(sign_in.client.get(app.url(&path)).send().await?, 200).await?;
        assert!(body.contains("Acceptér"), "{body}");
        // Only our own pages: anything else lands on Mine opgaver.
        let sign_in = app.saml_sign_in(app.anonymous(), "/login?next=//evil.example/", "karen").await?;
        assert_eq!(location(&sign_in.response), "/mine-opgaver");
    }
}
