//! The responsibles' pages (team: members, seat status, removing a member;
//! work location: who works there) and the read-only link "Mit overblik".

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use store::entity::{message_log, participants, rejected_seats, seats, team_members};
use store::read_only_link::magic_link;
use store::repo::links::{self, LinkTarget, SeatKind};
use uuid::Uuid;

use crate::portal::{make_team_responsible, make_work_location_responsible, participant};
use crate::staffing_fixtures::{SeatOf, area, audit_count, day, join_team, seat, staffed, work_location};
use crate::support::{TestApp, location, page};

/// Gives `who` a mobile number, an e-mail address and (if `protected`) a
/// protected address, Hemmeligvej 7.
async fn contact(app: &TestApp, who: Uuid, mobile: &str, protected: bool) -> anyhow::Result<()> {
    let row = participants::Entity::find_by_id(who).one(app.db()).await?.expect("participant");
    let mut row: participants::ActiveModel = row.into();
    row.mobile = Set(Some(mobile.into()));
    row.email = Set(Some(format!("{mobile}@example.dk")));
    if protected {
        row.protected_address = Set(true);
        row.street_address = Set("Hemmeligvej 7".into());
    }
    row.update(app.db()).await?;
    Ok(())
}

/// A new seat of `of` held by `who` in `state`.
async fn held_seat(app: &TestApp, of: &SeatOf, who: Uuid, state: &str) -> anyhow::Result<Uuid> {
    let id = seat(app.db(), of).await?;
    let row = seats::Entity::find_by_id(id).one(app.db()).await?.expect("seat");
    let mut row: seats::ActiveModel = row.into();
    row.state = Set(state.into());
    row.participant_id = Set(Some(who));
    row.invitation_code = Set((state == "invited").then(Uuid::new_v4));
    row.accepted_at = Set((state == "accepted").then(Utc::now));
    row.update(app.db()).await?;
    Ok(id)
}

/// Korsbæk Skole in an active election, team Socialdemokratiet with a team
/// responsible (Mads) and a member (Karen, mobile 20304050) holding an
/// accepted seat, plus one free seat.
struct Team {
    of: SeatOf,
    lead: Uuid,
    karen: Uuid,
    karens_seat: Uuid,
}

async fn team_with_member(app: &TestApp) -> anyhow::Result<Team> {
    let of = staffed(app.db(), true).await?;
    let lead = participant(app, "0302700517", "Mads", "Prøvesen").await?;
    make_team_responsible(app, lead, &of).await?;
    let karen = participant(app, "1205851236", "Karen", "Testesen").await?;
    contact(app, karen, "20304050", false).await?;
    join_team(app.db(), of.team, karen).await?;
    let karens_seat = held_seat(app, &of, karen, "accepted").await?;
    Ok(Team { of, lead, karen, karens_seat })
}

async fn is_member(app: &TestApp, team: Uuid, who: Uuid) -> anyhow::Result<bool> {
    Ok(team_members::Entity::find_by_id((team, who)).one(app.db()).await?.is_some())
}

store::store_tests! {
    async fn the_team_page_shows_members_and_seat_status(t: TestDb) {
        let app = TestApp::start(t).await?;
        let team = team_with_member(&app).await?;
        let client = app.sign_in_citizen(Some(team.lead)).await?;
        let body = page(client.get(app.url("/mine-hold")).send().await?, 200).await?;
        assert!(body.contains("<h2") && body.contains("Socialdemokratiet"), "{body}");
        assert!(body.contains("Karen Testesen") && body.contains("tel:20304050"), "{body}");
        assert!(body.contains("mailto:20304050@example.dk") && body.contains("Har 1 opgave"), "{body}");
        let remove = format!("href=\"/mine-hold/{}/fjern/{}\"", team.of.team, team.karen);
        assert!(body.contains(&remove), "{body}");
        // One row for the day: one free seat and Karen's.
        assert!(body.contains("01-06-2027") && body.contains("Korsbæk Skole"), "{body}");
        let row = body.split("01-06-2027</td>").nth(1).expect("status row");
        let counts: Vec<&str> = row.split("<td>").skip(2).take(3).map(|c| c.split('<').next().unwrap()).collect();
        assert_eq!(counts, ["1", "0", "1"], "available, invited, accepted in {row}");
    }

    async fn the_team_page_offers_the_teams_active_links_to_copy(t: TestDb) {
        let app = TestApp::start(t).await?;
        let team = team_with_member(&app).await?;
        let client = app.sign_in_citizen(Some(team.lead)).await?;
        let body = page(client.get(app.url("/mine-hold")).send().await?, 200).await?;
        assert!(body.contains("Holdet har ingen aktive links"), "{body}");
        let actor = store::repo::Actor::system();
        let now = Utc::now();
        let target = LinkTarget::Team { team: team.of.team, election: None };
        let active = links::create(app.db(), &actor, target, now).await?;
        let revoked = links::create(app.db(), &actor, target, now).await?;
        links::revoke(app.db(), &actor, revoked.id, now).await?;
        let kind = SeatKind { work_location: team.of.work_location, task_type: team.of.task_type, date: day() };
        let target = LinkTarget::Task { team: team.of.team, election: team.of.election, kind };
        let task = links::create(app.db(), &actor, target, now).await?;
        let elsewhere = crate::staffing_fixtures::team(app.db(), "Venstre").await?;
        let target = LinkTarget::Team { team: elsewhere, election: None };
        let foreign = links::create(app.db(), &actor, target, now).await?;
        let body = page(client.get(app.url("/mine-hold")).send().await?, 200).await?;
        assert!(body.contains(&format!("value=\"{}/tilmelding/hold/{}\"", app.base, active.token)), "{body}");
        assert!(body.contains(&format!("/tilmelding/opgave/{}\"", task.token)), "{body}");
        assert!(body.contains("Tilmelding til en opgave 01-06-2027"), "{body}");
        assert!(!body.contains(&revoked.token) && !body.contains(&foreign.token), "{body}");
    }

    async fn removing_a_member_frees_their_seats_and_keeps_the_person(t: TestDb) {
        let app = TestApp::start(t).await?;
        let team = team_with_member(&app).await?;
        let client = app.sign_in_citizen(Some(team.lead)).await?;
        let path = format!("/mine-hold/{}/fjern/{}", team.of.team, team.karen);
        let confirm = page(client.get(app.url(&path)).send().await?, 200).await?;
        assert!(confirm.contains("Fjern Karen Testesen fra Socialdemokratiet?"), "{confirm}");
        assert!(confirm.contains("1 kommende opgave") && confirm.contains("name=\"csrf\""), "{confirm}");
        assert!(confirm.contains(&format!("action=\"{path}\"")), "{confirm}");
        let response = client.post(app.url(&path)).send().await?;
        assert_eq!(response.status(), 303);
        let after = location(&response);
        assert!(after.starts_with("/mine-hold?fjernet="), "{after}");
        let body = page(client.get(app.url(&after)).send().await?, 200).await?;
        assert!(body.contains("Karen Testesen er fjernet fra holdet"), "{body}");
        assert!(!body.contains("tel:20304050"), "no longer listed: {body}");
        // The seat is free, with its history row and message; the person stays.
        let seat = seats::Entity::find_by_id(team.karens_seat).one(app.db()).await?.expect("seat");
        assert_eq!((seat.state.as_str(), seat.participant_id), ("available", None));
        let history = rejected_seats::Entity::find().filter(rejected_seats::Column::ParticipantId.eq(team.karen));
        assert_eq!(history.all(app.db()).await?.iter().map(|r| r.reason.as_str()).collect::<Vec<_>>(), ["fjernet fra hold"]);
        let messages = message_log::Entity::find().filter(message_log::Column::ParticipantId.eq(team.karen));
        assert_eq!(messages.all(app.db()).await?.iter().map(|m| m.kind.as_str()).collect::<Vec<_>>(), ["removed_from_task"]);
        assert!(!is_member(&app, team.of.team, team.karen).await?);
        assert!(participants::Entity::find_by_id(team.karen).one(app.db()).await?.is_some(), "never deleted");
        assert_eq!(audit_count(app.db(), "team_members", "delete").await?, 1);
        // Removing again: no longer a member.
        assert_eq!(client.post(app.url(&path)).send().await?.status(), 404);
    }

    async fn removing_needs_the_forms_csrf_token(t: TestDb) {
        let app = TestApp::start(t).await?;
        let team = team_with_member(&app).await?;
        // The lead's session, in a browser that sends a wrong token (a forged form).
        let session = store::repo::sessions::NewSession {
            app: store::repo::sessions::SessionApp::Portal,
            user_id: None,
            participant_id: Some(team.lead),
            lifetime: Duration::hours(1),
            data: serde_json::json!({ "name": "Mads Prøvesen" }),
        };
        let (token, _) = store::repo::sessions::create(app.db(), session).await?;
        let forged = app.anonymous();
        let path = format!("/mine-hold/{}/fjern/{}", team.of.team, team.karen);
        let response = forged
            .post(app.url(&path))
            .header("cookie", format!("{}={}", web::auth::cookies::PORTAL, token.as_str()))
            .form(&[("csrf", "forkert")])
            .send()
            .await?;
        assert_eq!(response.status(), 403);
        assert!(is_member(&app, team.of.team, team.karen).await?);
    }

    async fn only_the_teams_one_is_responsible_for(t: TestDb) {
        let app = TestApp::start(t).await?;
        let team = team_with_member(&app).await?;
        let other_team = crate::staffing_fixtures::team(app.db(), "Venstre").await?;
        let ole = participant(&app, "2412492348", "Ole", "Olsen").await?;
        join_team(app.db(), other_team, ole).await?;
        let lead = app.sign_in_citizen(Some(team.lead)).await?;
        let foreign = format!("/mine-hold/{other_team}/fjern/{ole}");
        assert_eq!(lead.get(app.url(&foreign)).send().await?.status(), 403);
        assert_eq!(lead.post(app.url(&foreign)).send().await?.status(), 403);
        assert!(is_member(&app, other_team, ole).await?);
        let body = page(lead.get(app.url("/mine-hold")).send().await?, 200).await?;
        assert!(!body.contains("Venstre") && !body.contains("Ole Olsen"), "{body}");
        // Someone in one's own team who is not a member: not found.
        let stranger = format!("/mine-hold/{}/fjern/{ole}", team.of.team);
        assert_eq!(lead.post(app.url(&stranger)).send().await?.status(), 404);
        assert!(is_member(&app, other_team, ole).await?);
        // The member is no team responsible.
        let karen = app.sign_in_citizen(Some(team.karen)).await?;
        let own = format!("/mine-hold/{}/fjern/{}", team.of.team, team.karen);
        assert_eq!(karen.post(app.url(&own)).send().await?.status(), 403);
        assert!(is_member(&app, team.of.team, team.karen).await?);
    }

    async fn the_work_location_page_lists_who_works_there_without_addresses(t: TestDb) {
        let app = TestApp::start(t).await?;
        let team = team_with_member(&app).await?;
        contact(&app, team.karen, "20304050", true).await?;
        let boss = participant(&app, "2412492348", "Åse", "Ørsted").await?;
        make_work_location_responsible(&app, boss, &team.of).await?;
        let client = app.sign_in_citizen(Some(boss)).await?;
        let body = page(client.get(app.url("/mine-arbejdssteder")).send().await?, 200).await?;
        assert!(body.contains("Bemanding 01-06-2027") && body.contains("<label for=\"dato\">"), "{body}");
        for shown in ["Karen Testesen", "tel:20304050", "Tilforordnet", "Socialdemokratiet", "Tilmeldt"] {
            assert!(body.contains(shown), "{shown} missing: {body}");
        }
        assert!(body.contains("1 deltager har en opgave her. 1 plads er ledig."), "{body}");
        // A protected address never appears (nor anybody's address).
        assert!(!body.contains("Hemmeligvej") && !body.contains("Skolevej"), "{body}");
        let chosen = format!("/mine-arbejdssteder?sted={}&dato=2027-06-01", team.of.work_location);
        assert!(page(client.get(app.url(&chosen)).send().await?, 200).await?.contains("Karen Testesen"));
        // Another work location: refused.
        let other = work_location(app.db(), area(app.db(), "Syd").await?, "Lilleskolen").await?;
        let foreign = format!("/mine-arbejdssteder?sted={other}");
        assert_eq!(client.get(app.url(&foreign)).send().await?.status(), 403);
    }

    async fn a_member_who_served_on_the_team_stays(t: TestDb) {
        let app = TestApp::start(t).await?;
        let team = team_with_member(&app).await?;
        // Karen's accepted seat lies in the past: she served on the team.
        let row = seats::Entity::find_by_id(team.karens_seat).one(app.db()).await?.expect("seat");
        let mut row: seats::ActiveModel = row.into();
        row.task_date = Set(chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap());
        row.update(app.db()).await?;
        let client = app.sign_in_citizen(Some(team.lead)).await?;
        let body = page(client.get(app.url("/mine-hold")).send().await?, 200).await?;
        assert!(body.contains("Kan ikke fjernes fra holdet: har haft en opgave på holdet den 01-01-2020."), "{body}");
        let path = format!("/mine-hold/{}/fjern/{}", team.of.team, team.karen);
        assert!(!body.contains(&format!("href=\"{path}\"")), "no removal offered: {body}");
        let confirm = page(client.get(app.url(&path)).send().await?, 200).await?;
        assert!(confirm.contains("Karen Testesen kan ikke fjernes fra Socialdemokratiet"), "{confirm}");
        assert!(confirm.contains("den 01-01-2020") && !confirm.contains("<form method=\"post\" action=\"/mine-hold/"), "{confirm}");
        // Posting anyway: refused on the server, with the reason, and nothing changes.
        let refused = page(client.post(app.url(&path)).send().await?, 409).await?;
        assert!(refused.contains("kan ikke fjernes") && refused.contains("01-01-2020"), "{refused}");
        assert!(is_member(&app, team.of.team, team.karen).await?);
        let seat = seats::Entity::find_by_id(team.karens_seat).one(app.db()).await?.expect("seat");
        assert_eq!((seat.state.as_str(), seat.participant_id), ("accepted", Some(team.karen)));
        let messages = message_log::Entity::find().filter(message_log::Column::ParticipantId.eq(team.karen));
        assert!(messages.all(app.db()).await?.is_empty());
        assert_eq!(audit_count(app.db(), "team_members", "delete").await?, 0);
        client.get(app.url("/sprog/en")).send().await?;
        let english = page(client.post(app.url(&path)).send().await?, 409).await?;
        assert!(english.contains("Karen Testesen cannot be removed from Socialdemokratiet"), "{english}");
    }

    async fn the_work_location_page_counts_per_task_type_shows_ages_and_sorts(t: TestDb) {
        let app = TestApp::start(t).await?;
        let team = team_with_member(&app).await?;
        // Mads (born 1970) is invited to another task type on the same day.
        let optaeller = crate::staffing_fixtures::task_type(app.db(), "Optæller").await?;
        held_seat(&app, &SeatOf { task_type: optaeller, ..team.of }, team.lead, "invited").await?;
        let boss = participant(&app, "2412492348", "Åse", "Ørsted").await?;
        make_work_location_responsible(&app, boss, &team.of).await?;
        let client = app.sign_in_citizen(Some(boss)).await?;
        let body = page(client.get(app.url("/mine-arbejdssteder")).send().await?, 200).await?;
        assert!(body.contains("Pladser pr. opgave denne dag"), "{body}");
        let row = |title: &str| -> Vec<String> {
            let after = body.split(&format!("<th scope=\"row\">{title}<br>")).nth(1).expect("task type row");
            let row = after.split("</tr>").next().unwrap_or_default();
            row.split("<td>").skip(1).map(|c| c.split('<').next().unwrap_or_default().to_owned()).collect()
        };
        assert_eq!(row("Tilforordnet"), ["1", "0", "1", "2"], "accepted, invited, free, total");
        assert_eq!(row("Optæller"), ["0", "1", "0", "1"]);
        assert!(body.contains("08:00–20:00"), "{body}");
        // Ages on the day (Karen born 12-05-1985, Mads 03-02-1970); never a CPR number.
        assert!(body.contains("<td>42 år</td>") && body.contains("<td>57 år</td>"), "{body}");
        assert!(!body.contains("1205851236") && !body.contains("120585") && !body.contains("030270"), "{body}");
        let names = |html: &str| -> Vec<usize> { ["Karen Testesen", "Mads Prøvesen"].map(|n| html.find(n).unwrap_or(usize::MAX)).to_vec() };
        let by_name = names(&body);
        assert!(by_name[0] < by_name[1], "by name first");
        let sorted_by = |html: &str| -> String {
            let th = html.split("aria-sort=\"ascending\">").nth(1).and_then(|r| r.split("</th>").next());
            th.unwrap_or_default().to_owned()
        };
        assert!(sorted_by(&body).ends_with("sorter=navn\">Navn</a>"), "{body}");
        let sorted = format!("/mine-arbejdssteder?sted={}&dato=2027-06-01&sorter=opgave", team.of.work_location);
        let by_task = page(client.get(app.url(&sorted)).send().await?, 200).await?;
        let order = names(&by_task);
        assert!(order[1] < order[0], "Optæller before Tilforordnet: {by_task}");
        assert!(sorted_by(&by_task).ends_with("sorter=opgave\">Opgave</a>"), "{by_task}");
        let by_age = page(client.get(app.url(&sorted.replace("opgave", "alder"))).send().await?, 200).await?;
        let order = names(&by_age);
        assert!(order[0] < order[1], "42 before 57: {by_age}");
    }

    async fn the_read_only_link_shows_the_seats_without_sign_in(t: TestDb) {
        // No SAML at all: NemLog-in "down".
        let app = TestApp::start(t).await?;
        assert_eq!(app.anonymous().get(app.url("/login")).send().await?.status(), 404);
        let team = team_with_member(&app).await?;
        let link = magic_link(&app.tenant, team.karen, Utc::now() + Duration::days(60));
        let response = app.anonymous().get(app.url(&link)).send().await?;
        let headers = response.headers().clone();
        let body = page(response, 200).await?;
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["x-robots-tag"], "noindex, nofollow");
        for shown in ["Hej Karen", "Tilforordnet 01-06-2027", "08:00–20:00", "Korsbæk Skole", "Skolevej 1, 4000 Korsbæk"] {
            assert!(body.contains(shown), "{shown} missing: {body}");
        }
        // No work-location responsible: the secretariat is whom to call.
        assert!(body.contains("Valgsekretariatet"), "{body}");
        assert!(!body.contains("1205851236") && !body.contains("120585") && !body.contains("<form method=\"post\" action=\"/mit"));
        assert!(!body.contains("<input"), "no forms: {body}");
        let boss = participant(&app, "2412492348", "Åse", "Ørsted").await?;
        contact(&app, boss, "88776655", false).await?;
        make_work_location_responsible(&app, boss, &team.of).await?;
        let body = page(app.anonymous().get(app.url(&link)).send().await?, 200).await?;
        assert!(body.contains("Åse Ørsted, <a href=\"tel:88776655\">"), "{body}");
    }

    async fn expired_tampered_and_foreign_links_show_nothing(t: TestDb) {
        let app = TestApp::start(t).await?;
        let team = team_with_member(&app).await?;
        let expired = magic_link(&app.tenant, team.karen, Utc::now() - Duration::minutes(1));
        let response = app.anonymous().get(app.url(&expired)).send().await?;
        assert_eq!(response.headers()["cache-control"], "no-store");
        let body = page(response, 410).await?;
        assert!(body.contains("Linket er udløbet") && !body.contains("Korsbæk Skole"), "{body}");
        let valid = magic_link(&app.tenant, team.karen, Utc::now() + Duration::days(1));
        let mut tampered = valid.clone().into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
        let body = page(app.anonymous().get(app.url(&String::from_utf8(tampered)?)).send().await?, 404).await?;
        assert!(body.contains("Linket virker ikke"), "{body}");
        // Another municipality's link (same vault key even) opens nothing here.
        let lilleby = store::tenants::Tenant {
            key: "lilleby".into(),
            name: "Lilleby Kommune".into(),
            cvr: app.tenant.cvr.clone(),
            municipality: app.tenant.municipality.clone(),
            admin_host: "admin.lilleby.test".into(),
            portal_host: "lilleby.test".into(),
            db: app.db().clone(),
            vault: store::crypto::CprVault::new(&[7; 32]),
        };
        let foreign = magic_link(&lilleby, team.karen, Utc::now() + Duration::days(1));
        page(app.anonymous().get(app.url(&foreign)).send().await?, 404).await?;
        // Somebody deleted since the link was sent.
        let gone = magic_link(&app.tenant, Uuid::new_v4(), Utc::now() + Duration::days(1));
        page(app.anonymous().get(app.url(&gone)).send().await?, 404).await?;
        assert_eq!(app.anonymous().get(app.url("/mit-overblik/abc")).send().await?.status(), 404);
        let seats = seats::Entity::find().filter(seats::Column::ParticipantId.eq(team.karen)).count(app.db()).await?;
        assert_eq!(seats, 1);
    }
}
