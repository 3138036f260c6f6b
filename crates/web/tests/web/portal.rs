//! The portal's signed-in pages and what each portal role may open, plus
//! fixtures for participants with seats and responsibilities.

#![allow(dead_code)]

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use store::entity::{seats, team_responsibles, work_location_responsibles};
use store::repo::participants::{self, Contact, CprData, NewParticipant, ValidationState};
use uuid::Uuid;

use crate::staffing_fixtures::{SeatOf, seat, staffed};
use crate::support::{TestApp, location, page};

/// A participant with CPR `cpr`, holding an accepted seat at a work location
/// ("Korsbæk Skole"); returns their id and the work location's title.
pub async fn participant_with_seat(
    app: &TestApp,
    cpr: &str,
    first: &str,
    last: &str,
) -> anyhow::Result<(Uuid, String)> {
    let id = participant(app, cpr, first, last).await?;
    let of = staffed(app.db(), true).await?;
    let seat_id = seat(app.db(), &of).await?;
    let row = seats::Entity::find_by_id(seat_id).one(app.db()).await?.expect("seat");
    let mut row: seats::ActiveModel = row.into();
    row.state = Set("accepted".into());
    row.participant_id = Set(Some(id));
    row.accepted_at = Set(Some(Utc::now()));
    row.update(app.db()).await?;
    Ok((id, "Korsbæk Skole".into()))
}

/// A participant with CPR `cpr` and no seats.
pub async fn participant(app: &TestApp, cpr: &str, first: &str, last: &str) -> anyhow::Result<Uuid> {
    let cpr = domain::CprNumber::parse(cpr)?;
    let new = NewParticipant {
        data: CprData {
            first_name: first.into(),
            last_name: last.into(),
            street_address: "Skolevej 1".into(),
            co_address: String::new(),
            postal_code: "9999".into(),
            city: "Korsbæk".into(),
            municipality_code: None,
            citizenship: None,
            birth_date: cpr.birth_date(),
            deceased: false,
            disappeared: false,
            under_guardianship: false,
            exempt_digital_post: false,
            protected_address: false,
            source: "test".into(),
            fetched_at: Utc::now(),
        },
        cpr,
        contact: Contact { mobile: None, email: None },
        validation: ValidationState::Valid,
        consent_until: None,
    };
    let actor = store::repo::Actor::system();
    Ok(participants::create(app.db(), &app.tenant.vault, &actor, new).await?.id)
}

/// Makes `participant` responsible for the seat fixture's team.
pub async fn make_team_responsible(app: &TestApp, participant: Uuid, of: &SeatOf) -> anyhow::Result<()> {
    team_responsibles::ActiveModel { team_id: Set(of.team), participant_id: Set(participant) }.insert(app.db()).await?;
    Ok(())
}

pub async fn make_work_location_responsible(app: &TestApp, participant: Uuid, of: &SeatOf) -> anyhow::Result<()> {
    work_location_responsibles::ActiveModel {
        work_location_id: Set(of.work_location),
        participant_id: Set(participant),
    }
    .insert(app.db())
    .await?;
    Ok(())
}

store::store_tests! {
    async fn my_tasks_lists_the_persons_seats_only(t: TestDb) {
        let app = TestApp::start(t).await?;
        let (karen, place) = participant_with_seat(&app, "1205851236", "Karen", "Testesen").await?;
        let other = participant(&app, "0302700517", "Mads", "Prøvesen").await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let body = page(client.get(app.url("/mine-opgaver")).send().await?, 200).await?;
        assert!(body.contains(&place) && body.contains("Du har sagt ja") && body.contains("01-06-2027"), "{body}");
        let client = app.sign_in_citizen(Some(other)).await?;
        let body = page(client.get(app.url("/mine-opgaver")).send().await?, 200).await?;
        assert!(body.contains("ingen opgaver") && !body.contains(&place), "{body}");
    }

    async fn responsibles_see_their_teams_and_work_locations(t: TestDb) {
        let app = TestApp::start(t).await?;
        let (karen, _) = participant_with_seat(&app, "1205851236", "Karen", "Testesen").await?;
        let seat = seats::Entity::find().filter(seats::Column::ParticipantId.eq(karen)).one(app.db()).await?.unwrap();
        let of = SeatOf { election: seat.election_id, work_location: seat.work_location_id, team: seat.team_id, task_type: seat.task_type_id };
        let client = app.sign_in_citizen(Some(karen)).await?;
        assert_eq!(client.get(app.url("/mine-hold")).send().await?.status(), 403);
        make_team_responsible(&app, karen, &of).await?;
        let body = page(client.get(app.url("/mine-hold")).send().await?, 200).await?;
        assert!(body.contains("Socialdemokratiet"), "{body}");
        assert_eq!(client.get(app.url("/mine-arbejdssteder")).send().await?.status(), 403);
        make_work_location_responsible(&app, karen, &of).await?;
        let body = page(client.get(app.url("/mine-arbejdssteder")).send().await?, 200).await?;
        assert!(body.contains("Korsbæk Skole"), "{body}");
        // The menu offers what the person may open.
        let tasks = page(client.get(app.url("/mine-opgaver")).send().await?, 200).await?;
        assert!(tasks.contains("href=\"/mine-hold\"") && tasks.contains("href=\"/mine-arbejdssteder\""));
    }

    async fn anonymous_visitors_are_sent_to_sign_in(t: TestDb) {
        let app = TestApp::start(t).await?;
        let response = app.anonymous().get(app.url("/mine-opgaver")).send().await?;
        assert_eq!(location(&response), "/login");
        let front = page(app.anonymous().get(app.url("/")).send().await?, 200).await?;
        assert!(front.contains("href=\"/login\""), "{front}");
    }
}
