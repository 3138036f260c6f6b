//! "Ledige opgaver": free seats in the person's teams that they may take
//! themselves, and self sign-up with the usual checks.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use store::entity::{seats, task_types};
use uuid::Uuid;

use crate::invitation::make_eligible;
use crate::portal::participant;
use crate::staffing_fixtures::{SeatOf, election_with, join_team, seat, staffed, task_type, team};
use crate::support::{TestApp, page};

async fn state_of(app: &TestApp, seat_id: Uuid) -> anyhow::Result<String> {
    Ok(seats::Entity::find_by_id(seat_id).one(app.db()).await?.expect("seat").state)
}

store::store_tests! {
    async fn the_list_offers_free_untrusted_future_seats_in_own_teams_only(t: TestDb) {
        let app = TestApp::start(t).await?;
        let karen = participant(&app, "1205851236", "Karen", "Testesen").await?;
        make_eligible(&app, karen).await?;
        let of = staffed(app.db(), true).await?;
        seat(app.db(), &of).await?;
        join_team(app.db(), of.team, karen).await?;
        // Not offered: a trusted task, an inactive election, another team, a past date.
        let trusted = task_type(app.db(), "Valgstyrer").await?;
        let row = task_types::Entity::find_by_id(trusted).one(app.db()).await?.expect("task type");
        let mut row: task_types::ActiveModel = row.into();
        row.trusted = Set(true);
        row.update(app.db()).await?;
        let trusted_seat = seat(app.db(), &SeatOf { task_type: trusted, ..of }).await?;
        let inactive = election_with(app.db(), of.work_location, false).await?;
        seat(app.db(), &SeatOf { election: inactive, task_type: trusted, ..of }).await?;
        let venstre = team(app.db(), "Venstre").await?;
        seat(app.db(), &SeatOf { team: venstre, ..of }).await?;
        let past = seat(app.db(), &of).await?;
        let row = seats::Entity::find_by_id(past).one(app.db()).await?.expect("seat");
        let mut row: seats::ActiveModel = row.into();
        row.task_date = Set(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap());
        row.update(app.db()).await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let body = page(client.get(app.url("/opgaver")).send().await?, 200).await?;
        assert!(body.contains("Tilforordnet") && body.contains("2 ledige"), "{body}");
        assert!(!body.contains("Valgstyrer") && !body.contains("Venstre") && !body.contains("01-01-2020"), "{body}");
        assert_eq!(body.matches("/tilmeld\"").count(), 1, "one line per kind: {body}");
        // A trusted seat cannot be taken by posting its id.
        let refused = client.post(app.url(&format!("/opgaver/{trusted_seat}/tilmeld"))).send().await?;
        let refused = page(refused, 409).await?;
        assert!(refused.contains("Opgaven er ikke ledig"), "{refused}");
        assert_eq!(state_of(&app, trusted_seat).await?, "available");
    }

    async fn self_sign_up_accepts_a_free_seat(t: TestDb) {
        let app = TestApp::start(t).await?;
        let karen = participant(&app, "1205851236", "Karen", "Testesen").await?;
        make_eligible(&app, karen).await?;
        let of = staffed(app.db(), true).await?;
        let free = seat(app.db(), &of).await?;
        join_team(app.db(), of.team, karen).await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let body = page(client.post(app.url(&format!("/opgaver/{free}/tilmeld"))).send().await?, 200).await?;
        assert!(body.contains("du har sagt ja"), "{body}");
        assert_eq!(state_of(&app, free).await?, "accepted");
        let mine = page(client.get(app.url("/mine-opgaver")).send().await?, 200).await?;
        assert!(mine.contains("Du har sagt ja"), "{mine}");
        // Somebody failing the rules is told why, and gets nothing.
        let mads = participant(&app, "0302700517", "Mads", "Prøvesen").await?;
        join_team(app.db(), of.team, mads).await?;
        let other = seat(app.db(), &of).await?;
        let client = app.sign_in_citizen(Some(mads)).await?;
        let body = page(client.post(app.url(&format!("/opgaver/{other}/tilmeld"))).send().await?, 409).await?;
        assert!(body.contains("Du kan ikke få opgaven") && body.contains("bor ikke i kommunen"), "{body}");
        assert_eq!(state_of(&app, other).await?, "available");
    }
}
