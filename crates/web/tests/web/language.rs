//! The language switch: Danish by default, English after /sprog/en (a
//! cookie), back to the page the person came from; the municipality's own
//! texts stay as written.

use crate::portal::participant_with_seat;
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
