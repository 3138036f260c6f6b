//! "Mine opgaver": PDFs and a calendar file per seat, cancelling before the
//! lock period (refused on the server inside it), answering invitations.

use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use store::entity::{elections, seats, task_type_files, task_types};
use uuid::Uuid;

use crate::invitation::{give_seat, invited, make_eligible};
use crate::portal::participant;
use crate::staffing_fixtures::{seat, staffed};
use crate::support::{TestApp, location, page};

async fn accepted_seat(app: &TestApp) -> anyhow::Result<(Uuid, Uuid, crate::staffing_fixtures::SeatOf)> {
    let karen = participant(app, "1205851236", "Karen", "Testesen").await?;
    make_eligible(app, karen).await?;
    let of = staffed(app.db(), true).await?;
    let seat_id = seat(app.db(), &of).await?;
    give_seat(app, seat_id, karen, "accepted").await?;
    Ok((karen, seat_id, of))
}

store::store_tests! {
    async fn each_seat_offers_its_pdfs_and_a_calendar_file(t: TestDb) {
        let app = TestApp::start(t).await?;
        let (karen, seat_id, of) = accepted_seat(&app).await?;
        let file = store::repo::files::insert(app.db(), "Vejledning – valgdag.pdf", "application/pdf", b"%PDF-1.4 x").await?;
        task_type_files::ActiveModel { task_type_id: Set(of.task_type), file_id: Set(file) }.insert(app.db()).await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let body = page(client.get(app.url("/mine-opgaver")).send().await?, 200).await?;
        let pdf = format!("/mine-opgaver/{seat_id}/filer/{file}");
        assert!(body.contains(&pdf) && body.contains("Vejledning – valgdag.pdf"), "{body}");
        assert!(body.contains(&format!("/mine-opgaver/{seat_id}/kalender.ics")), "{body}");
        let response = client.get(app.url(&pdf)).send().await?;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        assert_eq!(response.bytes().await?.as_ref(), b"%PDF-1.4 x");
        let response = client.get(app.url(&format!("/mine-opgaver/{seat_id}/kalender.ics"))).send().await?;
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"].to_str()?.starts_with("text/calendar"));
        let ics = response.text().await?;
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.contains("BEGIN:VEVENT\r\n"), "{ics}");
        assert!(ics.contains("DTSTART;TZID=Europe/Copenhagen:20270601T080000\r\n"), "{ics}");
        assert!(ics.contains("DTEND;TZID=Europe/Copenhagen:20270601T200000\r\n"), "{ics}");
        assert!(ics.contains(&format!("UID:{seat_id}@korsbaek.test\r\n")), "{ics}");
        // A night task ends the next morning.
        let row = task_types::Entity::find_by_id(of.task_type).one(app.db()).await?.expect("task type");
        let mut row: task_types::ActiveModel = row.into();
        row.start_time = Set(chrono::NaiveTime::from_hms_opt(20, 0, 0).unwrap());
        row.end_time = Set(chrono::NaiveTime::from_hms_opt(2, 0, 0).unwrap());
        row.update(app.db()).await?;
        let ics = client.get(app.url(&format!("/mine-opgaver/{seat_id}/kalender.ics"))).send().await?.text().await?;
        assert!(ics.contains("DTEND;TZID=Europe/Copenhagen:20270602T020000\r\n"), "{ics}");
        // Nobody else reaches them, not even another participant.
        let mads = participant(&app, "0302700517", "Mads", "Prøvesen").await?;
        let other = app.sign_in_citizen(Some(mads)).await?;
        assert_eq!(other.get(app.url(&pdf)).send().await?.status(), 404);
        assert_eq!(other.get(app.url(&format!("/mine-opgaver/{seat_id}/kalender.ics"))).send().await?.status(), 404);
    }

    async fn cancelling_works_until_the_lock_period_and_is_refused_inside_it(t: TestDb) {
        let app = TestApp::start(t).await?;
        let (karen, seat_id, of) = accepted_seat(&app).await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let cancel = format!("/mine-opgaver/{seat_id}/afmeld");
        // Inside the lock period (the whole way to the task date): refused on the page.
        let locked = elections::ActiveModel { id: Set(of.election), lock_days: Set(10_000), ..Default::default() };
        locked.update(app.db()).await?;
        let body = page(client.get(app.url("/mine-opgaver")).send().await?, 200).await?;
        assert!(!body.contains(&cancel) && body.contains("Fristen for at afmelde dig er overskredet"), "{body}");
        let body = page(client.post(app.url(&cancel)).send().await?, 409).await?;
        assert!(body.contains("Fristen for at afmelde sig opgaven er overskredet"), "{body}");
        assert!(body.contains("<h1>Mine opgaver</h1>"), "the page itself, not an error page: {body}");
        let row = seats::Entity::find_by_id(seat_id).one(app.db()).await?.expect("seat");
        assert_eq!(row.state, "accepted");
        // Before it: the seat is freed.
        let open = elections::ActiveModel { id: Set(of.election), lock_days: Set(3), ..Default::default() };
        open.update(app.db()).await?;
        let body = page(client.get(app.url("/mine-opgaver")).send().await?, 200).await?;
        assert!(body.contains(&cancel) && body.contains("til og med 28-05-2027"), "{body}");
        let response = client.post(app.url(&cancel)).send().await?;
        assert_eq!((response.status().as_u16(), location(&response)), (303, "/mine-opgaver?afmeldt=1".to_owned()));
        let row = seats::Entity::find_by_id(seat_id).one(app.db()).await?.expect("seat");
        assert_eq!((row.state.as_str(), row.participant_id), ("available", None));
        let body = page(client.get(app.url("/mine-opgaver?afmeldt=1")).send().await?, 200).await?;
        assert!(body.contains("Du er afmeldt opgaven") && body.contains("ingen opgaver"), "{body}");
        // Someone else's seat cannot be cancelled.
        let mads = participant(&app, "0302700517", "Mads", "Prøvesen").await?;
        give_seat(&app, seat_id, mads, "accepted").await?;
        assert_eq!(client.post(app.url(&cancel)).send().await?.status(), 404);
    }

    async fn invited_seats_can_be_answered_from_the_list(t: TestDb) {
        let app = TestApp::start(t).await?;
        let (karen, _, seat_id, code) = invited(&app).await?;
        let client = app.sign_in_citizen(Some(karen)).await?;
        let body = page(client.get(app.url("/mine-opgaver")).send().await?, 200).await?;
        let action = format!("/opgaver/invitation/{seat_id}/{code}");
        assert!(body.contains(&format!("{action}/accepter")) && body.contains(&format!("{action}/afvis")), "{body}");
        assert!(body.contains("mangler dit svar"), "{body}");
    }
}
