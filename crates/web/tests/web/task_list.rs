//! Filtered task-list links: anybody sees the free seats that match the
//! link's filter; taking one asks for MitID, runs every check, falls back
//! to another seat of the kind when the chosen one was just taken, and signs
//! a new person up on the way; revoked and unknown links say so.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use store::entity::{seats, task_types, team_members};
use store::repo::links::{self, LinkTarget, TaskFilter};
use uuid::Uuid;

use crate::invitation::make_eligible;
use crate::participants::{ALIVE, start};
use crate::portal::participant;
use crate::staffing_fixtures::{SeatOf, seat, staffed, task_type, team};
use crate::support::{TestApp, location, page};

async fn list_link(app: &TestApp, of: &SeatOf) -> anyhow::Result<links::Link> {
    let filter = TaskFilter { task_type: Some(of.task_type), ..TaskFilter::default() };
    let target = LinkTarget::Filtered { election: of.election, team: Some(of.team), filter };
    Ok(links::create(app.db(), &store::repo::Actor::system(), target, Utc::now()).await?)
}

async fn holder(app: &TestApp, seat: Uuid) -> anyhow::Result<(String, Option<Uuid>)> {
    let row = seats::Entity::find_by_id(seat).one(app.db()).await?.expect("seat");
    Ok((row.state, row.participant_id))
}

async fn in_team(app: &TestApp, who: Uuid, team: Uuid) -> anyhow::Result<bool> {
    Ok(team_members::Entity::find_by_id((team, who)).one(app.db()).await?.is_some())
}

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

store::store_tests! {
    async fn a_list_link_offers_its_matching_seats_and_signs_up_with_every_check(t: TestDb) {
        let app = TestApp::start(t).await?;
        let of = staffed(app.db(), true).await?;
        let second = seat(app.db(), &of).await?;
        // Not on the list: another task type, another team, a trusted task.
        let optaeller = task_type(app.db(), "Optæller").await?;
        seat(app.db(), &SeatOf { task_type: optaeller, ..of }).await?;
        let venstre = team(app.db(), "Venstre").await?;
        seat(app.db(), &SeatOf { team: venstre, ..of }).await?;
        let row = task_types::Entity::find_by_id(of.task_type).one(app.db()).await?.expect("task type");
        let link = list_link(&app, &of).await?;
        let path = format!("/opgaveliste/{}", link.token);
        let body = page(app.anonymous().get(app.url(&path)).send().await?, 200).await?;
        assert!(body.contains("Tilforordnet") && body.contains("2 ledige") && body.contains("Du logger ind med MitID"), "{body}");
        assert!(!body.contains("Optæller") && !body.contains("Venstre"), "{body}");
        assert_eq!(body.matches(&format!("href=\"{path}/")).count(), 1, "one line per kind: {body}");
        let first = body.split(&format!("href=\"{path}/")).nth(1).and_then(|r| r.split('"').next()).expect("a choice");
        let chosen: Uuid = first.parse()?;
        let choose = format!("{path}/{chosen}");
        let response = app.anonymous().get(app.url(&choose)).send().await?;
        assert_eq!((response.status().as_u16(), location(&response)), (303, format!("/login?next={choose}")));
        // Karen takes it.
        let karen = participant(&app, "1205851236", "Karen", "Testesen").await?;
        make_eligible(&app, karen).await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let confirm = page(client.get(app.url(&choose)).send().await?, 200).await?;
        assert!(confirm.contains("Tilmeld dig opgaven") && confirm.contains(&format!("action=\"{choose}\"")), "{confirm}");
        let done = page(client.post(app.url(&choose)).form(&fields(&[])).send().await?, 200).await?;
        assert!(done.contains("du har sagt ja"), "{done}");
        assert_eq!(holder(&app, chosen).await?, ("accepted".to_owned(), Some(karen)));
        assert!(in_team(&app, karen, of.team).await?, "joins the seat's team");
        // Mads chose the same seat a moment later: he gets the other one of the kind.
        let mads = participant(&app, "0302700517", "Mads", "Prøvesen").await?;
        make_eligible(&app, mads).await?;
        let client = app.sign_in_citizen(Some(mads)).await?;
        let other = if chosen == second { of_first(&app, &of, second).await? } else { second };
        page(client.post(app.url(&choose)).form(&fields(&[])).send().await?, 200).await?;
        assert_eq!(holder(&app, other).await?, ("accepted".to_owned(), Some(mads)));
        // Nothing of the kind is left: the list says so, and so does taking.
        let body = page(app.anonymous().get(app.url(&path)).send().await?, 200).await?;
        assert!(body.contains("Der er ingen ledige opgaver på denne liste lige nu."), "{body}");
        let ole = participant(&app, "2412492348", "Ole", "Olsen").await?;
        let client = app.sign_in_citizen(Some(ole)).await?;
        let body = page(client.post(app.url(&choose)).form(&fields(&[])).send().await?, 409).await?;
        assert!(body.contains("Opgaven er ikke ledig"), "{body}");
        // A trusted task never shows, whatever the filter says.
        let mut row: task_types::ActiveModel = row.into();
        row.trusted = Set(true);
        row.update(app.db()).await?;
        seat(app.db(), &of).await?;
        let body = page(app.anonymous().get(app.url(&path)).send().await?, 200).await?;
        assert!(body.contains("Der er ingen ledige opgaver på denne liste") && !body.contains(&format!("href=\"{path}/")), "{body}");
    }

    async fn somebody_failing_the_rules_is_told_why_and_gets_nothing(t: TestDb) {
        let app = TestApp::start(t).await?;
        let of = staffed(app.db(), true).await?;
        let link = list_link(&app, &of).await?;
        let free = seats::Entity::find().one(app.db()).await?.expect("seat").id;
        let mads = participant(&app, "0302700517", "Mads", "Prøvesen").await?;
        let client = app.sign_in_citizen(Some(mads)).await?;
        let body = page(client.post(app.url(&format!("/opgaveliste/{}/{free}", link.token))).form(&fields(&[])).send().await?, 409).await?;
        assert!(body.contains("Du kan ikke få opgaven") && body.contains("bor ikke i kommunen"), "{body}");
        assert_eq!(holder(&app, free).await?, ("available".to_owned(), None));
    }

    async fn a_new_person_signs_up_through_a_list_link(t: TestDb) {
        let (app, _) = start(t).await?;
        let of = staffed(app.db(), true).await?;
        let link = list_link(&app, &of).await?;
        let free = seats::Entity::find().one(app.db()).await?.expect("seat").id;
        let choose = format!("/opgaveliste/{}/{free}", link.token);
        let client = app.sign_in_mitid(ALIVE, None).await?;
        let form = page(client.get(app.url(&choose)).send().await?, 200).await?;
        assert!(form.contains("Jens Peter Hansen") && form.contains("Socialdemokratiet"), "{form}");
        assert!(form.contains(&format!("action=\"{choose}\"")) && form.contains("name=\"mobile\""), "{form}");
        let refused = page(client.post(app.url(&choose)).form(&fields(&[("mobile", "12")])).send().await?, 422).await?;
        assert!(refused.contains("id=\"mobile-error\""), "{refused}");
        assert_eq!(holder(&app, free).await?.0, "available");
        let filled = fields(&[("mobile", "12345678"), ("email", "jens@example.dk"), ("consent", "ja")]);
        let done = page(client.post(app.url(&choose)).form(&filled).send().await?, 200).await?;
        assert!(done.contains("du har sagt ja"), "{done}");
        let (state, who) = holder(&app, free).await?;
        let who = who.expect("taken");
        assert_eq!(state, "accepted");
        assert!(in_team(&app, who, of.team).await?);
    }

    async fn revoked_and_unknown_list_links_say_so(t: TestDb) {
        let app = TestApp::start(t).await?;
        let of = staffed(app.db(), true).await?;
        let free = seats::Entity::find().one(app.db()).await?.expect("seat").id;
        let link = list_link(&app, &of).await?;
        links::revoke(app.db(), &store::repo::Actor::system(), link.id, Utc::now()).await?;
        let karen = participant(&app, "1205851236", "Karen", "Testesen").await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        for path in [format!("/opgaveliste/{}", link.token), format!("/opgaveliste/{}/{free}", link.token)] {
            let body = page(app.anonymous().get(app.url(&path)).send().await?, 410).await?;
            assert!(body.contains("Linket er trukket tilbage") && !body.contains("Tilforordnet"), "{body}");
        }
        let body = page(client.post(app.url(&format!("/opgaveliste/{}/{free}", link.token))).form(&fields(&[])).send().await?, 410).await?;
        assert!(body.contains("Linket er trukket tilbage"), "{body}");
        assert_eq!(holder(&app, free).await?.0, "available");
        // Unknown, and a team link's token: not a task list.
        let team_link = links::create(app.db(), &store::repo::Actor::system(), LinkTarget::Team { team: of.team, election: None }, Utc::now()).await?;
        for token in ["0123456789abcdef0123456789abcdef", team_link.token.as_str()] {
            let body = page(app.anonymous().get(app.url(&format!("/opgaveliste/{token}"))).send().await?, 404).await?;
            assert!(body.contains("Linket virker ikke"), "{body}");
        }
        assert!(!in_team(&app, karen, of.team).await?);
        let held = seats::Entity::find().filter(seats::Column::ParticipantId.is_not_null()).one(app.db()).await?;
        assert!(held.is_none());
    }
}

/// The seat of `of`'s kind that is not `other`.
async fn of_first(app: &TestApp, of: &SeatOf, other: Uuid) -> anyhow::Result<Uuid> {
    let rows = seats::Entity::find()
        .filter(seats::Column::TaskTypeId.eq(of.task_type))
        .filter(seats::Column::TeamId.eq(of.team))
        .all(app.db())
        .await?;
    Ok(rows.into_iter().map(|s| s.id).find(|id| *id != other).expect("two seats"))
}
