//! The language switch: Danish by default, English after /sprog/en (a
//! cookie), back to the page the person came from; the municipality's own
//! texts stay as written. Every portal page, answer, field error and error
//! page is walked in English and must have no Danish left.

use chrono::{NaiveTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use store::entity::{elections, participants, seats, task_types, team_members};
use store::read_only_link::magic_link;
use store::repo::Actor;
use store::repo::links::{self, LinkTarget, SeatKind};
use uuid::Uuid;
use web::portal::i18n::Lang;

use crate::invitation::{give_seat, invited, make_eligible};
use crate::participants::ALIVE;
use crate::portal::{make_team_responsible, make_work_location_responsible, participant, participant_with_seat};
use crate::staffing_fixtures::{SeatOf, day, seat, staffed};
use crate::support::{TestApp, cookie_named, location, page};

store::store_tests! {
    async fn the_portal_switches_to_english_and_back(t: TestDb) {
        let app = TestApp::start(t).await?;
        let (karen, place) = participant_with_seat(&app, "1205851236", "Karen", "Testesen").await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let danish = page(client.get(app.url("/mine-opgaver")).send().await?, 200).await?;
        assert!(danish.contains("<html lang=\"da\">") && danish.contains("Føj til kalender"), "{danish}");
        assert!(danish.contains("href=\"/sprog/en\""), "{danish}");
        let response = client.get(app.url("/sprog/en")).header("referer", app.url("/mine-opgaver")).send().await?;
        assert_eq!((response.status().as_u16(), location(&response)), (303, "/mine-opgaver".to_owned()));
        assert_eq!(cookie_named(&response, "lang").as_deref(), Some("en"));
        let english = page(client.get(app.url("/mine-opgaver")).send().await?, 200).await?;
        assert!(english.contains("<html lang=\"en\">") && english.contains("<h1>My tasks</h1>"), "{english}");
        assert!(english.contains("Add to calendar") && english.contains("You have accepted"), "{english}");
        assert!(english.contains(&place) && english.contains("href=\"/sprog/da\""), "names stay: {english}");
        // Result pages too (here: answering an invitation that is not there).
        let gone = format!("/opgaver/invitation/{}/{}/accepter", uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
        let body = page(client.post(app.url(&gone)).send().await?, 410).await?;
        assert!(body.contains("The task no longer exists") && body.contains("To My tasks"), "{body}");
        // Only our own pages are gone back to.
        let response = client.get(app.url("/sprog/da")).header("referer", "https://evil.example//x").send().await?;
        assert_eq!(location(&response), "/");
        let danish = page(client.get(app.url("/mine-opgaver")).send().await?, 200).await?;
        assert!(danish.contains("<h1>Mine opgaver</h1>"), "{danish}");
        assert_eq!(app.anonymous().get(app.url("/sprog/fr")).send().await?.status(), 404);
        let front = page(app.anonymous().get(app.url("/")).send().await?, 200).await?;
        assert!(front.contains("<html lang=\"da\">"), "{front}");
    }
}

/// Texts the municipality or the test wrote (names, places, the election's
/// title): they stay as written and are taken out before looking for Danish.
const CONTENT: [&str; 11] = [
    "Korsbæk Kommune",
    "Korsbæk Skole",
    "Korsbæk",
    "Socialdemokratiet",
    "Tilforordnet",
    "Optæller",
    "Skolevej 1",
    "Karen Testesen",
    "Ole Olsen",
    "Test Borger",
    "Jens Peter Hansen",
];

/// Words that only Danish pages use.
const DANISH_WORDS: [&str; 32] = [
    "og", "du", "dig", "din", "dine", "ikke", "er", "til", "har", "kan", "på", "af", "med", "ved", "opgave", "opgaver",
    "hold", "holdet", "valg", "tilmeld", "afmeld", "ind", "ud", "mit", "siden", "kommunen", "deltager", "ledige",
    "fjern", "gem", "slet", "tilbage",
];

/// The page's visible text and labels, without the municipality's content.
fn readable(html: &str, content: &[&str]) -> String {
    let html = html.replace(">Dansk</a>", "></a>");
    let mut text = String::new();
    let mut rest = html.as_str();
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let end = rest[start..].find('>').map_or(rest.len(), |e| start + e + 1);
        let tag = &rest[start..end];
        // Labels read aloud count too.
        if let Some(label) = tag.split("aria-label=\"").nth(1).and_then(|l| l.split('"').next()) {
            text.push_str(&format!(" {label} "));
        }
        text.push(' ');
        rest = &rest[end..];
    }
    text.push_str(rest);
    let mut content: Vec<&str> = content.iter().chain(CONTENT.iter()).copied().collect();
    content.sort_by_key(|c| std::cmp::Reverse(c.len()));
    content.iter().fold(text, |text, c| text.replace(c, " "))
}

/// Fails on Danish letters, Danish words or any text of the portal's Danish
/// table (that is not the same in English) left in an English page.
fn assert_english(what: &str, html: &str, content: &[&str]) {
    assert!(html.contains("<html lang=\"en\">"), "{what}: not an English page: {html}");
    let text = readable(html, content);
    let letters: Vec<char> = text.chars().filter(|c| "æøåÆØÅ".contains(*c)).collect();
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| DANISH_WORDS.contains(&w.to_lowercase().as_str()))
        .collect();
    let table: Vec<&str> = web::portal::i18n::danish_texts()
        .filter(|da| da.len() > 6 && !da.contains('{') && Lang::En.t(da) != *da && text.contains(da))
        .collect();
    assert!(
        letters.is_empty() && words.is_empty() && table.is_empty(),
        "{what} has Danish left: letters {letters:?}, words {words:?}, texts {table:?}\n{text}"
    );
}

/// A client that has chosen English.
async fn in_english(app: &TestApp, client: reqwest::Client) -> anyhow::Result<reqwest::Client> {
    client.get(app.url("/sprog/en")).send().await?;
    Ok(client)
}

async fn english_page(client: &reqwest::Client, app: &TestApp, path: &str, status: u16) -> anyhow::Result<String> {
    page(client.get(app.url(path)).send().await?, status).await
}

async fn english_post(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
    status: u16,
) -> anyhow::Result<String> {
    page(client.post(app.url(path)).form(form).send().await?, status).await
}

async fn election_title(app: &TestApp, of: &SeatOf) -> anyhow::Result<String> {
    Ok(elections::Entity::find_by_id(of.election).one(app.db()).await?.expect("election").title)
}

store::store_tests! {
    async fn every_page_of_a_participant_reads_in_english(t: TestDb) {
        let app = TestApp::start(t).await?;
        let (karen, of, seat_id, code) = invited(&app).await?;
        let election = election_title(&app, &of).await?;
        let content = [election.as_str()];
        let client = in_english(&app, app.sign_in_citizen(Some(karen)).await?).await?;
        let invitation = format!("/opgaver/invitation/{seat_id}/{code}");
        let anonymous = in_english(&app, app.anonymous()).await?;
        assert_english("front page", &english_page(&anonymous, &app, "/", 200).await?, &content);
        assert_english("signed out", &english_page(&anonymous, &app, "/?logget-ud=1", 200).await?, &content);
        for path in ["/faq", "/kontakt-os", "/privatlivspolitik"] {
            assert_english(path, &english_page(&anonymous, &app, path, 200).await?, &content);
            assert_english(path, &english_page(&client, &app, path, 200).await?, &content);
        }
        assert_english("invitation, anonymous", &english_page(&anonymous, &app, &invitation, 200).await?, &content);
        assert_english("invitation", &english_page(&client, &app, &invitation, 200).await?, &content);
        assert_english("my tasks, invited", &english_page(&client, &app, "/mine-opgaver", 200).await?, &content);
        // A clash with a night task: the conflict page with its reason.
        let night = crate::staffing_fixtures::task_type(app.db(), "Optæller").await?;
        let row = task_types::Entity::find_by_id(night).one(app.db()).await?.expect("task type");
        let mut row: task_types::ActiveModel = row.into();
        row.start_time = Set(NaiveTime::from_hms_opt(18, 0, 0).unwrap());
        row.end_time = Set(NaiveTime::from_hms_opt(2, 0, 0).unwrap());
        row.update(app.db()).await?;
        let other = seat(app.db(), &SeatOf { task_type: night, ..of }).await?;
        give_seat(&app, other, karen, "accepted").await?;
        let clash = english_post(&client, &app, &format!("{invitation}/accepter"), &[], 409).await?;
        assert!(clash.contains("(+1 day)") || clash.contains("Optæller on 01-06-2027"), "{clash}");
        assert_english("conflict", &clash, &content);
        seats::Entity::delete_by_id(other).exec(app.db()).await?;
        // Failed rules, every one of them.
        let row = participants::Entity::find_by_id(karen).one(app.db()).await?.expect("participant");
        let mut row: participants::ActiveModel = row.into();
        row.municipality_code = Set(Some("0101".into()));
        row.citizenship = Set(Some("5110".into()));
        row.update(app.db()).await?;
        let refused = english_post(&client, &app, &format!("{invitation}/accepter"), &[], 409).await?;
        assert!(refused.contains("You do not live in the municipality"), "{refused}");
        assert_english("failed rules", &refused, &content);
        make_eligible(&app, karen).await?;
        let done = english_post(&client, &app, &format!("{invitation}/accepter"), &[], 200).await?;
        assert_english("accepted", &done, &content);
        assert_english("already accepted", &english_page(&client, &app, &invitation, 200).await?, &content);
        assert_english("my tasks, accepted", &english_page(&client, &app, "/mine-opgaver", 200).await?, &content);
        assert_english("cancelled notice", &english_page(&client, &app, "/mine-opgaver?afmeldt=1", 200).await?, &content);
        elections::ActiveModel { id: Set(of.election), lock_days: Set(10_000), ..Default::default() }.update(app.db()).await?;
        assert_english("my tasks, locked", &english_page(&client, &app, "/mine-opgaver", 200).await?, &content);
        let cancel = format!("/mine-opgaver/{seat_id}/afmeld");
        assert_english("cancel refused", &english_post(&client, &app, &cancel, &[], 409).await?, &content);
        assert_english("open tasks", &english_page(&client, &app, "/opgaver", 200).await?, &content);
        let gone = format!("/opgaver/{}/tilmeld", Uuid::new_v4());
        assert_english("not open", &english_post(&client, &app, &gone, &[], 409).await?, &content);
        // Min profil: the page, its field errors, its notices and refusals.
        assert_english("profile", &english_page(&client, &app, "/min-profil", 200).await?, &content);
        let bad = [("mobile", ""), ("email", "not an address")];
        assert_english("profile errors", &english_post(&client, &app, "/min-profil", &bad, 422).await?, &content);
        let bad = [("mobile", "12ab"), ("email", "")];
        assert_english("profile errors", &english_post(&client, &app, "/min-profil", &bad, 422).await?, &content);
        assert_english("saved", &english_page(&client, &app, "/min-profil?gemt=1", 200).await?, &content);
        assert_english("delete unconfirmed", &english_post(&client, &app, "/min-profil/slet", &[], 422).await?, &content);
        let confirmed = [("bekraeft", "ja")];
        assert_english("delete refused", &english_post(&client, &app, "/min-profil/slet", &confirmed, 409).await?, &content);
        // The other answers to an invitation.
        let ole = participant(&app, "0302700517", "Ole", "Olsen").await?;
        make_eligible(&app, ole).await?;
        let offered = seat(app.db(), &of).await?;
        let code = give_seat(&app, offered, ole, "invited").await?;
        let theirs = format!("/opgaver/invitation/{offered}/{code}");
        assert_english("wrong person", &english_page(&client, &app, &theirs, 403).await?, &content);
        let stale = format!("/opgaver/invitation/{offered}/{}", Uuid::new_v4());
        assert_english("withdrawn", &english_page(&client, &app, &stale, 410).await?, &content);
        let ole_client = in_english(&app, app.sign_in_citizen(Some(ole)).await?).await?;
        assert_english("declined", &english_post(&ole_client, &app, &format!("{theirs}/afvis"), &[], 200).await?, &content);
        let missing = format!("/opgaver/invitation/{}/{}", Uuid::new_v4(), Uuid::new_v4());
        assert_english("gone", &english_page(&client, &app, &missing, 410).await?, &content);
    }

    async fn sign_up_and_error_pages_read_in_english(t: TestDb) {
        let (app, fake) = crate::participants::start(t).await?;
        let of = staffed(app.db(), true).await?;
        let election = election_title(&app, &of).await?;
        let content = [election.as_str(), "Algade 1", "Socialdemokratiet"];
        let token = links::create(app.db(), &Actor::system(), LinkTarget::Team { team: of.team, election: None }, Utc::now()).await?.token;
        let path = format!("/tilmelding/hold/{token}");
        let client = in_english(&app, app.sign_in_mitid(ALIVE, None).await?).await?;
        let form = english_page(&client, &app, &path, 200).await?;
        assert!(form.contains("Declaration of consent") && form.contains("name=\"consent\""), "{form}");
        assert_english("sign-up form", &form, &content);
        let errors = english_post(&client, &app, &path, &[("mobile", "12"), ("email", "x")], 422).await?;
        assert!(errors.contains("A Danish mobile number has 8 digits") && errors.contains("Tick the box"), "{errors}");
        assert_english("sign-up errors", &errors, &content);
        let empty = english_post(&client, &app, &path, &[], 422).await?;
        assert!(empty.contains("Enter your mobile number") && empty.contains("Enter your email address"), "{empty}");
        assert_english("sign-up, nothing filled in", &empty, &content);
        fake.set_down(true);
        assert_english("sign-up, CPR down", &english_page(&client, &app, &path, 200).await?, &content);
        fake.set_down(false);
        let form = [("mobile", "12345678"), ("email", "jens@example.dk"), ("consent", "ja")];
        assert_english("signed up", &english_post(&client, &app, &path, &form, 200).await?, &content);
        assert_english("already signed up", &english_page(&client, &app, &path, 200).await?, &content);
        // A task link with nothing left of its kind.
        let kind = SeatKind { work_location: of.work_location, task_type: of.task_type, date: day() };
        let target = LinkTarget::Task { team: of.team, election: of.election, kind };
        let task = links::create(app.db(), &Actor::system(), target, Utc::now()).await?.token;
        let task = format!("/tilmelding/opgave/{task}");
        english_post(&client, &app, &task, &[], 200).await?;
        assert_english("tasks taken", &english_post(&client, &app, &task, &[], 409).await?, &content);
        // Error pages, the portal's and the web's own.
        assert_english("unknown link", &english_page(&client, &app, "/tilmelding/hold/ukendt", 404).await?, &content);
        assert_english("no such page", &english_page(&client, &app, "/findes-ikke", 404).await?, &content);
        assert_english("no access", &english_page(&client, &app, "/mine-hold", 403).await?, &content);
        let stranger = in_english(&app, app.sign_in_citizen(None).await?).await?;
        assert_english("not signed up", &english_page(&stranger, &app, "/mine-opgaver", 403).await?, &content);
        let anonymous = in_english(&app, app.anonymous()).await?;
        assert_english("bad overview link", &english_page(&anonymous, &app, "/mit-overblik/x", 404).await?, &content);
        // The admin app stays Danish whatever the portal's language.
        let admin = page(client.get(app.url("/admin/findes-ikke")).send().await?, 404).await?;
        assert!(admin.contains("Siden findes ikke"), "{admin}");
    }

    async fn the_responsibles_pages_and_the_overview_read_in_english(t: TestDb) {
        let app = TestApp::start(t).await?;
        let (karen, _) = participant_with_seat(&app, "1205851236", "Karen", "Testesen").await?;
        let held = seats::Entity::find().filter(seats::Column::ParticipantId.eq(karen)).one(app.db()).await?.expect("seat");
        let of = seat_of(&app, held.id).await?;
        let election = election_title(&app, &of).await?;
        let content = [election.as_str(), "Karen"];
        make_team_responsible(&app, karen, &of).await?;
        make_work_location_responsible(&app, karen, &of).await?;
        links::create(app.db(), &Actor::system(), LinkTarget::Team { team: of.team, election: None }, Utc::now()).await?;
        team_members::ActiveModel { team_id: Set(of.team), participant_id: Set(karen) }.insert(app.db()).await?;
        let client = in_english(&app, app.sign_in_citizen(Some(karen)).await?).await?;
        assert_english("my teams", &english_page(&client, &app, "/mine-hold", 200).await?, &content);
        let removal = format!("/mine-hold/{}/fjern/{karen}", of.team);
        assert_english("remove a member", &english_page(&client, &app, &removal, 200).await?, &content);
        let removed = "/mine-hold?fjernet=Karen%20Testesen";
        assert_english("member removed", &english_page(&client, &app, removed, 200).await?, &content);
        assert_english("my work locations", &english_page(&client, &app, "/mine-arbejdssteder", 200).await?, &content);
        let link = magic_link(&app.tenant, karen, Utc::now() + chrono::Duration::days(60));
        let anonymous = in_english(&app, app.anonymous()).await?;
        let overview = english_page(&anonymous, &app, &link, 200).await?;
        assert!(overview.contains("My overview") && overview.contains("You have accepted"), "{overview}");
        assert_english("read-only overview", &overview, &content);
        let expired = magic_link(&app.tenant, karen, Utc::now() - chrono::Duration::minutes(1));
        assert_english("expired overview", &english_page(&anonymous, &app, &expired, 410).await?, &content);
    }
}

/// The seat's election, work location, team and task type.
async fn seat_of(app: &TestApp, seat_id: Uuid) -> anyhow::Result<SeatOf> {
    let row = seats::Entity::find_by_id(seat_id).one(app.db()).await?.expect("seat");
    Ok(SeatOf {
        election: row.election_id,
        work_location: row.work_location_id,
        team: row.team_id,
        task_type: row.task_type_id,
    })
}
