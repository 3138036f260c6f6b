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

store::store_tests! {
    async fn the_list_narrows_by_team_date_task_type_and_work_location(t: TestDb) {
        let app = TestApp::start(t).await?;
        let karen = participant(&app, "1205851236", "Karen", "Testesen").await?;
        let of = staffed(app.db(), true).await?;
        join_team(app.db(), of.team, karen).await?;
        // A second team (Karen leads it), task type, work location and day.
        let venstre = team(app.db(), "Venstre").await?;
        crate::portal::make_team_responsible(&app, karen, &SeatOf { team: venstre, ..of }).await?;
        let optaeller = task_type(app.db(), "Optæller").await?;
        let hallen = crate::staffing_fixtures::work_location(app.db(), crate::staffing_fixtures::area(app.db(), "Syd").await?, "Korsbæk Hallen").await?;
        store::entity::election_work_locations::ActiveModel { election_id: Set(of.election), work_location_id: Set(hallen) }
            .insert(app.db())
            .await?;
        let later = seat(app.db(), &SeatOf { team: venstre, task_type: optaeller, work_location: hallen, ..of }).await?;
        let row = seats::Entity::find_by_id(later).one(app.db()).await?.expect("seat");
        let mut row: seats::ActiveModel = row.into();
        row.task_date = Set(NaiveDate::from_ymd_opt(2027, 6, 2).unwrap());
        row.update(app.db()).await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let all = page(client.get(app.url("/opgaver")).send().await?, 200).await?;
        assert_eq!(all.matches("/tilmeld\"").count(), 2, "both kinds, the led team's too: {all}");
        for option in ["Socialdemokratiet", "Venstre", "01-06-2027", "02-06-2027", "Optæller", "Korsbæk Hallen"] {
            assert!(all.contains(&format!(">{option}</option>")), "{option} offered: {all}");
        }
        assert!(all.contains("<label for=\"filter-hold\">") && all.contains("<select id=\"filter-sted\" name=\"sted\">"), "{all}");
        let filters = [
            format!("hold={venstre}"),
            "dato=2027-06-02".to_owned(),
            format!("opgave={optaeller}"),
            format!("sted={hallen}"),
        ];
        for query in &filters {
            let body = page(client.get(app.url(&format!("/opgaver?{query}"))).send().await?, 200).await?;
            assert!(body.contains(&format!("/opgaver/{later}/tilmeld\"")), "{query}: {body}");
            assert_eq!(body.matches("/tilmeld\"").count(), 1, "{query} narrows to one: {body}");
            assert!(body.contains(" selected>") && body.contains(">Vis alle</a>"), "{query} stays chosen: {body}");
        }
        let none = page(client.get(app.url(&format!("/opgaver?hold={}&dato=2027-06-02", of.team))).send().await?, 200).await?;
        assert!(none.contains("Ingen ledige opgaver passer til dit valg.") && !none.contains("/tilmeld\""), "{none}");
        // A value that is no option: said next to its field, and nothing is narrowed.
        let stranger = page(client.get(app.url(&format!("/opgaver?hold={}", Uuid::new_v4()))).send().await?, 422).await?;
        assert!(stranger.contains("id=\"filter-hold-error\"") && stranger.contains("Vælg et hold fra listen."), "{stranger}");
        assert_eq!(stranger.matches("/tilmeld\"").count(), 2, "{stranger}");
        // In English too.
        client.get(app.url("/sprog/en")).send().await?;
        let english = page(client.get(app.url("/opgaver?dato=2027-06-02")).send().await?, 200).await?;
        assert!(english.contains(">Show all</a>") && english.contains(">All</option>") && english.contains("1 open"), "{english}");
    }
}
