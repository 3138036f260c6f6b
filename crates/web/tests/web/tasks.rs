//! The admin task screens over HTTP: distribute, assign with checks, answer
//! on behalf, remove, move, the overview counts, the rejection history and
//! the activation's progress.

use domain::AdminRole;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use store::entity::{message_log, participants, seats, work_location_task_types, work_location_teams};
use store::store_tests;
use uuid::Uuid;

use crate::staffing_fixtures::{SeatOf, day, pairs, participant, post_ok, post_page, staffed, team};
use crate::support::{TestApp, page};

/// A staffed election whose team and task type apply at the work location,
/// with the seat `staffed` made removed, so the counts start at zero.
async fn place(db: &impl ConnectionTrait, active: bool) -> anyhow::Result<SeatOf> {
    let of = staffed(db, active).await?;
    seats::Entity::delete_many().exec(db).await?;
    work_location_teams::ActiveModel { work_location_id: Set(of.work_location), team_id: Set(of.team) }
        .insert(db)
        .await?;
    work_location_task_types::ActiveModel { work_location_id: Set(of.work_location), task_type_id: Set(of.task_type) }
        .insert(db)
        .await?;
    Ok(of)
}

/// A participant living in the test tenant's municipality (0999).
async fn resident(db: &impl ConnectionTrait, name: &str) -> anyhow::Result<Uuid> {
    let id = participant(db, name).await?;
    let row = participants::Entity::find_by_id(id).one(db).await?.unwrap();
    let mut row: participants::ActiveModel = row.into();
    row.municipality_code = Set(Some("0999".into()));
    row.update(db).await?;
    Ok(id)
}

fn href(of: &SeatOf) -> String {
    format!("/admin/elections/{}/tasks/{}", of.election, of.work_location)
}

fn cell(of: &SeatOf) -> String {
    format!("n_{}_{}_{}", day(), of.team, of.task_type)
}

async fn seat_ids(db: &impl ConnectionTrait) -> anyhow::Result<Vec<Uuid>> {
    Ok(seats::Entity::find().all(db).await?.into_iter().map(|s| s.id).collect())
}

async fn state(db: &impl ConnectionTrait, seat: Uuid) -> anyhow::Result<String> {
    Ok(seats::Entity::find_by_id(seat).one(db).await?.unwrap().state)
}

async fn kinds(db: &impl ConnectionTrait, participant: Uuid) -> anyhow::Result<Vec<String>> {
    let rows = message_log::Entity::find().filter(message_log::Column::ParticipantId.eq(participant)).all(db).await?;
    Ok(rows.into_iter().map(|m| m.kind).collect())
}

store_tests! {
    async fn distributing_then_assigning_answering_and_removing_through_http(t: TestDb) {
        let app = TestApp::start(t).await?;
        let db = app.db();
        let of = place(db, true).await?;
        let anna = resident(db, "Anna").await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;

        let form = page(client.get(app.url(&format!("{}/distribute", href(&of)))).send().await?, 200).await?;
        assert!(form.contains(&cell(&of)), "one field per kind");
        let bad = post_page(&client, &app, &format!("{}/distribute", href(&of)), &[(cell(&of).leak(), "mange".into())], 422).await?;
        assert!(bad.contains("antal"), "the field says what is wrong");
        let html = post_ok(&client, &app, &format!("{}/distribute", href(&of)), &[(cell(&of).leak(), "3".into())], &href(&of)).await?;
        assert!(html.contains("3 oprettet"), "{html}");
        let ids = seat_ids(db).await?;
        assert_eq!(ids.len(), 3);

        let search = page(client.get(app.url(&format!("/admin/seats/{}/assign?q=Anna", ids[0]))).send().await?, 200).await?;
        assert!(search.contains("Anna Jensen"));
        post_ok(&client, &app, &format!("/admin/seats/{}/assign", ids[0]), &pairs(&[("participant", &anna.to_string())]), &href(&of)).await?;
        assert_eq!(state(db, ids[0]).await?, "invited");
        assert!(kinds(db, anna).await?.contains(&"invitation".to_owned()), "the invitation is queued");

        // Anna cannot have a second seat at the same time.
        let refused = post_page(&client, &app, &format!("/admin/seats/{}/assign", ids[1]), &pairs(&[("participant", &anna.to_string())]), 422).await?;
        assert!(refused.contains("Allerede på en anden opgave"), "{refused}");

        post_ok(&client, &app, &format!("/admin/seats/{}/reply", ids[0]), &pairs(&[("answer", "yes")]), &href(&of)).await?;
        assert_eq!(state(db, ids[0]).await?, "accepted");

        // Lowering to zero keeps Anna's accepted seat and says so.
        let html = post_ok(&client, &app, &format!("{}/distribute", href(&of)), &[(cell(&of).leak(), "0".into())], &href(&of)).await?;
        assert!(html.contains("1 opgaver kunne ikke fjernes"), "{html}");
        assert_eq!(seat_ids(db).await?, vec![ids[0]]);

        post_ok(&client, &app, &format!("/admin/seats/{}/remove", ids[0]), &[], &href(&of)).await?;
        assert_eq!(state(db, ids[0]).await?, "available");
        assert!(kinds(db, anna).await?.contains(&"removed_from_task".to_owned()));
    }

    async fn a_failing_rule_is_shown_and_reply_no_writes_history(t: TestDb) {
        let app = TestApp::start(t).await?;
        let db = app.db();
        let of = place(db, false).await?;
        let ole = resident(db, "Ole").await?;
        let row = participants::Entity::find_by_id(ole).one(db).await?.unwrap();
        let mut row: participants::ActiveModel = row.into();
        row.under_guardianship = Set(true);
        row.update(db).await?;
        let karl = resident(db, "Karl").await?;
        let client = app.sign_in(AdminRole::Administrator).await?;
        post_ok(&client, &app, &format!("{}/distribute", href(&of)), &[(cell(&of).leak(), "1".into())], &href(&of)).await?;
        let seat = seat_ids(db).await?[0];
        let refused = post_page(&client, &app, &format!("/admin/seats/{seat}/assign"), &pairs(&[("participant", &ole.to_string())]), 422).await?;
        assert!(refused.contains("Ole Jensen kan ikke få opgaven"), "{refused}");
        post_ok(&client, &app, &format!("/admin/seats/{seat}/assign"), &pairs(&[("participant", &karl.to_string())]), &href(&of)).await?;
        assert!(kinds(db, karl).await?.is_empty(), "an inactive election sends nothing yet");
        post_ok(&client, &app, &format!("/admin/seats/{seat}/reply"), &pairs(&[("answer", "no")]), &href(&of)).await?;
        let history = page(client.get(app.url(&format!("/admin/elections/{}/rejected", of.election))).send().await?, 200).await?;
        assert!(history.contains("Karl Jensen"), "{history}");
    }

    async fn the_overview_drills_down_and_moves_free_seats(t: TestDb) {
        let app = TestApp::start(t).await?;
        let db = app.db();
        let of = place(db, false).await?;
        let other = team(db, "Venstre").await?;
        work_location_teams::ActiveModel { work_location_id: Set(of.work_location), team_id: Set(other) }.insert(db).await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;
        post_ok(&client, &app, &format!("{}/distribute", href(&of)), &[(cell(&of).leak(), "4".into())], &href(&of)).await?;
        let form = pairs(&[
            ("from_team", &of.team.to_string()),
            ("to_team", &other.to_string()),
            ("task_type", &of.task_type.to_string()),
            ("date", &day().to_string()),
            ("count", "3"),
        ]);
        let html = post_ok(&client, &app, &format!("{}/move", href(&of)), &form, &href(&of)).await?;
        assert!(html.contains("3 ledige opgaver er flyttet"), "{html}");

        let overview = format!("/admin/elections/{}/tasks", of.election);
        let areas = page(client.get(app.url(&overview)).send().await?, 200).await?;
        assert!(areas.contains("Nord") && areas.contains("Opgaver pr. område (4 i alt)"), "{areas}");
        // Areas have no detail: no column without a heading (axe-core: empty-table-header).
        assert!(!areas.contains(r#"<th scope="col"></th>"#), "{areas}");
        let kinds = page(client.get(app.url(&format!("{overview}?work_location={}", of.work_location))).send().await?, 200).await?;
        assert!(kinds.contains("Venstre · Tilforordnet") && kinds.contains("Socialdemokratiet · Tilforordnet"), "{kinds}");
        assert!(kinds.contains(r#"<th scope="col">Dato</th>"#), "{kinds}");
        let one_team = page(client.get(app.url(&format!("{overview}?work_location={}&team={other}", of.work_location))).send().await?, 200).await?;
        assert!(!one_team.contains("Socialdemokratiet · Tilforordnet") && one_team.contains("(3 i alt)"), "{one_team}");

        // Readers see the overview but no actions.
        let reader = app.sign_in(AdminRole::Reader).await?;
        let html = page(reader.get(app.url(&href(&of))).send().await?, 200).await?;
        assert!(!html.contains("Fordel opgaver</a>") && !html.contains("Tildel</a>"));
    }

    async fn activation_shows_progress_and_queues_only_its_election(t: TestDb) {
        let app = TestApp::start(t).await?;
        let db = app.db();
        let of = place(db, false).await?;
        let anna = resident(db, "Anna").await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;
        post_ok(&client, &app, &format!("{}/distribute", href(&of)), &[(cell(&of).leak(), "1".into())], &href(&of)).await?;
        let seat = seat_ids(db).await?[0];
        post_ok(&client, &app, &format!("/admin/seats/{seat}/assign"), &pairs(&[("participant", &anna.to_string())]), &href(&of)).await?;
        let election = format!("/admin/elections/{}", of.election);
        post_ok(&client, &app, &format!("{election}/activate"), &[], &election).await?;
        let html = page(client.get(app.url(&format!("{election}/tasks"))).send().await?, 200).await?;
        assert!(html.contains("0 af 1 beskeder er sat i kø"), "the job has not run yet: {html}");
        store::repo::seats::activation::queue_pending(db, of.election, 10, chrono::Utc::now()).await?;
        let html = page(client.get(app.url(&format!("{election}/tasks"))).send().await?, 200).await?;
        assert!(html.contains("1 af 1 beskeder er sat i kø"), "{html}");
        post_ok(&client, &app, &format!("{election}/queue-messages"), &[], &format!("{election}/tasks")).await?;
        store::repo::seats::activation::queue_pending(db, of.election, 10, chrono::Utc::now()).await?;
        assert_eq!(kinds(db, anna).await?, vec!["invitation".to_owned()], "a rerun sends nothing twice");
    }
}

store_tests! {
    async fn links_are_created_listed_and_revoked(t: TestDb) {
        let app = TestApp::start(t).await?;
        let db = app.db();
        let of = place(db, true).await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;
        let links = format!("/admin/elections/{}/links", of.election);
        post_ok(&client, &app, &links, &pairs(&[("kind", "team"), ("team", &of.team.to_string())]), &links).await?;
        let task = pairs(&[
            ("kind", "task"),
            ("team", &of.team.to_string()),
            ("work_location", &of.work_location.to_string()),
            ("task_type", &of.task_type.to_string()),
            ("date", &day().to_string()),
        ]);
        let html = post_ok(&client, &app, &links, &task, &links).await?;
        assert!(html.contains("/tilmelding/hold/") && html.contains("/tilmelding/opgave/"), "{html}");
        // The portal has a host of its own here: the links point there, over https.
        assert!(html.contains("https://korsbaek.test/tilmelding/hold/"), "{html}");
        let made = store::repo::links::list(db, Some(of.election), None).await?;
        assert_eq!(made.len(), 2);
        let token = made[0].token.clone();
        assert!(token.len() == 32 && made[1].token != token, "128-bit tokens, each its own");
        let revoke = format!("{links}/{}/revoke", made[0].id);
        let html = post_ok(&client, &app, &revoke, &[], &links).await?;
        assert!(html.contains("Tilbagekaldt"));
        assert!(store::repo::links::find_active(db, &token).await?.is_none(), "a revoked link opens nothing");
        let missing = post_page(&client, &app, &links, &pairs(&[("kind", "task"), ("team", &of.team.to_string())]), 400).await?;
        assert!(missing.contains("Vælg arbejdssted, opgavetype og dato"));
    }
}

store_tests! {
    async fn a_group_message_is_counted_then_sent_once_per_person(t: TestDb) {
        let app = TestApp::start(t).await?;
        let db = app.db();
        let of = place(db, true).await?;
        let (anna, karl) = (resident(db, "Anna").await?, resident(db, "Karl").await?);
        let client = app.sign_in(AdminRole::Secretariat).await?;
        post_ok(&client, &app, &format!("{}/distribute", href(&of)), &[(cell(&of).leak(), "3".into())], &href(&of)).await?;
        let ids = seat_ids(db).await?;
        for (seat, who) in [(ids[0], anna), (ids[1], karl)] {
            post_ok(&client, &app, &format!("/admin/seats/{seat}/assign"), &pairs(&[("participant", &who.to_string())]), &href(&of)).await?;
        }
        post_ok(&client, &app, &format!("/admin/seats/{}/reply", ids[0]), &pairs(&[("answer", "yes")]), &href(&of)).await?;
        let path = format!("/admin/elections/{}/group-message", of.election);
        let everybody = post_page(&client, &app, &path, &pairs(&[("action", "count")]), 200).await?;
        assert!(everybody.contains("<strong>2</strong> personer"), "{everybody}");
        let accepted = post_page(&client, &app, &path, &pairs(&[("action", "count"), ("status", "accepted")]), 200).await?;
        assert!(accepted.contains("<strong>1</strong> personer"));
        let bad = pairs(&[("action", "send"), ("subject", "Husk !navn"), ("body", "Hej !name"), ("sms_text", "Hej")]);
        let refused = post_page(&client, &app, &path, &bad, 422).await?;
        assert!(refused.contains("linje 1, kolonne 6"), "{refused}");
        let words = pairs(&[("action", "send"), ("subject", "Husk mødet"), ("body", "Hej !name"), ("sms_text", "Hej !name")]);
        let html = post_ok(&client, &app, &path, &words, &path).await?;
        assert!(html.contains("sat i kø til 2 personer"), "{html}");
        let group: Vec<_> = store::entity::message_log::Entity::find()
            .filter(message_log::Column::SendType.eq("group"))
            .all(db)
            .await?;
        assert_eq!(group.len(), 2, "one per person");
        assert!(group.iter().all(|m| m.subject == "Husk mødet" && m.body == "Hej !name"));
    }
}

store_tests! {
    async fn a_filtered_task_list_link_is_created_and_opens_in_the_portal(t: TestDb) {
        let app = TestApp::start(t).await?;
        let db = app.db();
        let of = place(db, true).await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;
        let links = format!("/admin/elections/{}/links", of.election);
        let form = page(client.get(app.url(&links)).send().await?, 200).await?;
        assert!(form.contains("Opret link til opgaveliste") && form.contains("<label for=\"list-link-team\">Hold</label>"), "{form}");
        let filtered = pairs(&[
            ("kind", "filtered"),
            ("team", ""),
            ("work_location", &of.work_location.to_string()),
            ("task_type", ""),
            ("date", &day().to_string()),
        ]);
        let html = post_ok(&client, &app, &links, &filtered, &links).await?;
        let made = store::repo::links::list(db, Some(of.election), None).await?;
        let token = made[0].token.clone();
        assert!(html.contains(&format!("/opgaveliste/{token}</code>")) && html.contains("Opgaveliste"), "{html}");
        assert!(html.contains("Korsbæk Skole · 01-06-2027"), "the filter is described: {html}");
        let target = store::repo::links::LinkTarget::Filtered {
            election: of.election,
            team: None,
            filter: store::repo::links::TaskFilter { work_location: Some(of.work_location), task_type: None, date: Some(day()) },
        };
        assert_eq!(made[0].target, target);
        crate::staffing_fixtures::seat(db, &of).await?;
        let list = page(app.anonymous().get(app.url(&format!("/opgaveliste/{token}"))).send().await?, 200).await?;
        assert!(list.contains("Korsbæk Skole") && list.contains("1 ledig"), "{list}");
        let bad = pairs(&[("kind", "filtered"), ("team", "nonsense")]);
        let refused = post_page(&client, &app, &links, &bad, 400).await?;
        assert!(refused.contains("Vælg et hold fra listen."), "{refused}");
        let unknown = Uuid::new_v4().to_string();
        for (field, says) in [("team", "Vælg et hold fra listen."), ("work_location", "Vælg et arbejdssted fra listen.")] {
            let stale = pairs(&[("kind", "filtered"), (field, &unknown)]);
            let refused = post_page(&client, &app, &links, &stale, 400).await?;
            assert!(refused.contains(says), "a well-formed id of nothing: {refused}");
        }
        // Readers see the list but create nothing.
        let reader = app.sign_in(AdminRole::Reader).await?;
        assert_eq!(reader.post(app.url(&links)).form(&filtered).send().await?.status(), 403);
    }
}
