//! "Websider": the secretariat writes the portal's content pages in the
//! admin app and the portal shows them as plain text (escaped; only bare
//! https and e-mail addresses become links); the FAQ switched off is not
//! found and not linked; Danish messages at the fields; readers only read.

use domain::AdminRole;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use store::entity::audit_log;
use store::repo::{contact_information, web_pages};

use crate::support::{TestApp, location, page};

async fn save(
    client: &reqwest::Client,
    app: &TestApp,
    key: &str,
    form: &[(&str, &str)],
) -> anyhow::Result<reqwest::Response> {
    Ok(client.post(app.url(&format!("/admin/web-pages/{key}/edit"))).form(form).send().await?)
}

async fn portal(app: &TestApp, path: &str, status: u16) -> anyhow::Result<String> {
    page(app.anonymous().get(app.url(path)).send().await?, status).await
}

store::store_tests! {
    async fn the_secretariat_writes_a_page_and_the_portal_shows_it_as_plain_text(t: TestDb) {
        let app = TestApp::start(t).await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;
        let list = page(client.get(app.url("/admin/web-pages")).send().await?, 200).await?;
        assert!(list.contains("href=\"/admin/web-pages\"") && list.contains(">Websider<"), "linked from the menu: {list}");
        assert!(list.contains("Ofte stillede spørgsmål") && list.contains("Standardtekst"), "{list}");
        let body = "Kom & hjælp <script>alert(1)</script>\n\nLæs mere på https://korsbaek.dk/valg, eller skriv til \
                    valg@korsbaek.dk.\nRing ikke til javascript:alert(2) eller https://x\"onclick=\"alert(3)";
        let form = [("title", "Spørgsmål & svar"), ("body", body), ("active", "on")];
        let saved = save(&client, &app, "faq", &form).await?;
        assert_eq!((saved.status().as_u16(), location(&saved)), (303, "/admin/web-pages".to_owned()));
        let faq = portal(&app, "/faq", 200).await?;
        assert!(faq.contains("<h1>Spørgsmål &#38; svar</h1>"), "{faq}");
        assert!(faq.contains("<p>Kom &#38; hjælp &#60;script&#62;alert(1)&#60;/script&#62;</p>"), "{faq}");
        assert!(!faq.contains("<script>") && !faq.contains("onclick=\"") && !faq.contains("href=\"javascript"), "{faq}");
        assert!(faq.contains("<a href=\"https://korsbaek.dk/valg\">https://korsbaek.dk/valg</a>, eller"), "{faq}");
        assert!(faq.contains("<a href=\"mailto:valg@korsbaek.dk\">valg@korsbaek.dk</a>.<br>Ring"), "{faq}");
        let audited = audit_log::Entity::find()
            .filter(audit_log::Column::EntityTable.eq("web_pages"))
            .filter(audit_log::Column::EntityId.eq("faq"))
            .count(app.db())
            .await?;
        assert_eq!(audited, 1);
        // The front page and the privacy statement too; the list says so.
        let front = [("title", "Velkommen"), ("body", "Vi mangler hjælpere.")];
        assert_eq!(save(&client, &app, "front", &front).await?.status(), 303);
        let shown = portal(&app, "/", 200).await?;
        assert!(shown.contains("<h1>Velkommen</h1>") && shown.contains("<p>Vi mangler hjælpere.</p>"), "{shown}");
        let privacy = [("title", "Sådan passer vi på dine data"), ("body", "Vi sletter alt efter valget.")];
        assert_eq!(save(&client, &app, "privacy", &privacy).await?.status(), 303);
        let shown = portal(&app, "/privatlivspolitik", 200).await?;
        assert!(shown.contains("Sådan passer vi på dine data") && shown.contains("Vi sletter alt efter valget."), "{shown}");
        let list = page(client.get(app.url("/admin/web-pages")).send().await?, 200).await?;
        assert!(list.contains("Spørgsmål &#38; svar") && list.contains("Egen tekst"), "{list}");
        let edit = page(client.get(app.url("/admin/web-pages/faq/edit")).send().await?, 200).await?;
        assert!(edit.contains("Kom &#38; hjælp &#60;script&#62;") && edit.contains("name=\"active\" value=\"on\" aria-describedby=\"active-hint\" checked"), "{edit}");
    }

    async fn the_faq_switched_off_is_not_found_and_not_linked(t: TestDb) {
        let app = TestApp::start(t).await?;
        let client = app.sign_in(AdminRole::Administrator).await?;
        let front = portal(&app, "/", 200).await?;
        for link in ["href=\"/faq\"", "href=\"/kontakt-os\"", "href=\"/privatlivspolitik\""] {
            assert!(front.contains(link), "{link}: {front}");
        }
        // Switched off, title and text may stay empty.
        let off = save(&client, &app, "faq", &[("title", ""), ("body", "")]).await?;
        assert_eq!(off.status(), 303);
        let row = web_pages::get(app.db(), "faq").await?.expect("saved");
        assert!(!row.active);
        portal(&app, "/faq", 404).await?;
        for path in ["/", "/kontakt-os", "/privatlivspolitik"] {
            let shown = portal(&app, path, 200).await?;
            assert!(!shown.contains("href=\"/faq\"") && shown.contains("href=\"/kontakt-os\""), "{path}: {shown}");
        }
        // A signed-in participant's pages leave it out too.
        let (karen, _) = crate::portal::participant_with_seat(&app, "1205851236", "Karen", "Testesen").await?;
        let citizen = app.sign_in_citizen(Some(karen)).await?;
        let mine = page(citizen.get(app.url("/mine-opgaver")).send().await?, 200).await?;
        assert!(!mine.contains("href=\"/faq\"") && mine.contains("href=\"/privatlivspolitik\""), "{mine}");
        let list = page(client.get(app.url("/admin/web-pages")).send().await?, 200).await?;
        assert!(list.contains("Slået fra"), "{list}");
        let on = [("title", "FAQ"), ("body", "Svar."), ("active", "on")];
        assert_eq!(save(&client, &app, "faq", &on).await?.status(), 303);
        assert!(portal(&app, "/faq", 200).await?.contains("<p>Svar.</p>"));
        assert!(portal(&app, "/", 200).await?.contains("href=\"/faq\""));
    }

    async fn bad_input_gets_danish_messages_at_the_fields_and_nothing_is_saved(t: TestDb) {
        let app = TestApp::start(t).await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;
        let response = save(&client, &app, "contact", &[("title", "  "), ("body", "Ring til os.")]).await?;
        let form = page(response, 422).await?;
        assert!(form.contains("id=\"title-error\">Udfyld titlen<") && form.contains("Ring til os."), "{form}");
        let long = "x".repeat(201);
        let response = save(&client, &app, "faq", &[("title", &long), ("body", ""), ("active", "on")]).await?;
        let form = page(response, 422).await?;
        assert!(form.contains("Titlen må højst være 200 tegn") && form.contains("id=\"body-error\">Udfyld teksten<"), "{form}");
        assert!(web_pages::list(app.db()).await?.is_empty());
        // The contact page keeps showing the default; unknown pages do not exist.
        assert!(portal(&app, "/kontakt-os", 200).await?.contains("<h1>Kontakt os</h1>"));
        page(client.get(app.url("/admin/web-pages/ukendt/edit")).send().await?, 404).await?;
        assert_eq!(save(&client, &app, "ukendt", &[("title", "x"), ("body", "y")]).await?.status(), 404);
    }

    async fn a_reader_sees_the_list_and_changes_nothing(t: TestDb) {
        let app = TestApp::start(t).await?;
        let reader = app.sign_in(AdminRole::Reader).await?;
        let list = page(reader.get(app.url("/admin/web-pages")).send().await?, 200).await?;
        assert!(list.contains("Privatlivserklæring") && !list.contains("/edit"), "{list}");
        assert_eq!(reader.get(app.url("/admin/web-pages/faq/edit")).send().await?.status(), 403);
        assert_eq!(save(&reader, &app, "faq", &[("title", "x"), ("body", "y"), ("active", "on")]).await?.status(), 403);
        assert!(web_pages::get(app.db(), "faq").await?.is_none());
    }

    async fn the_secretariat_edits_the_contact_information_the_contact_page_shows(t: TestDb) {
        let app = TestApp::start(t).await?;
        let client = app.sign_in(AdminRole::Secretariat).await?;
        let path = app.url("/admin/web-pages/contact-information");
        let mut form = vec![
            ("municipality_name", "Korsbæk Kommune"),
            ("department", "Valgsekretariatet, Rådhuset"),
            ("address", "Torvet 1"),
            ("postal_code", "40"),
            ("city", "Korsbæk"),
            ("phone", "ring +45 12 34 56 78"),
            ("email", ""),
            ("digital_post_url", "http://post.borger.dk/korsbaek"),
        ];
        let refused = page(client.post(&path).form(&form).send().await?, 422).await?;
        for message in [
            "Postnummeret skal være 4 cifre",
            "Telefonnummeret må kun indeholde cifre, mellemrum, + og -",
            "Skriv hele adressen, der begynder med https://",
        ] {
            assert!(refused.contains(message), "{message}: {refused}");
        }
        assert!(refused.contains("value=\"Valgsekretariatet, Rådhuset\""), "what was typed stays: {refused}");
        assert!(contact_information::get(app.db()).await?.department.is_empty(), "nothing saved");
        form[7].1 = "";
        let neither = page(client.post(&path).form(&form).send().await?, 422).await?;
        assert!(neither.contains("Udfyld e-mail eller et link til sikker post med Digital Post"), "{neither}");
        form[3].1 = "4000";
        form[5].1 = "+45 12 34 56 78";
        form[6].1 = "valg@korsbaek.dk";
        form[7].1 = "https://post.borger.dk/korsbaek";
        let saved = client.post(&path).form(&form).send().await?;
        assert_eq!((saved.status().as_u16(), location(&saved)), (303, "/admin/web-pages".to_owned()));
        let list = page(client.get(app.url("/admin/web-pages")).send().await?, 200).await?;
        assert!(list.contains("Valgsekretariatet, Rådhuset") && list.contains("Torvet 1, 4000 Korsbæk"), "{list}");
        let shown = portal(&app, "/kontakt-os", 200).await?;
        assert!(shown.contains("Valgsekretariatet, Rådhuset<br>") && shown.contains("4000 Korsbæk"), "{shown}");
        assert!(shown.contains("Telefon: <a href=\"tel:+4512345678\">+45 12 34 56 78</a>"), "{shown}");
        assert!(shown.contains("E-mail: <a href=\"mailto:valg@korsbaek.dk\">valg@korsbaek.dk</a>"), "{shown}");
        let secure = "<a href=\"https://post.borger.dk/korsbaek\">Skriv sikkert til os med Digital Post</a>";
        assert!(shown.contains(secure) && shown.contains("kontakt valgsekretariatet i "), "{shown}");
        // Readers may not open the form.
        let reader = app.sign_in(AdminRole::Reader).await?;
        assert_eq!(reader.get(&path).send().await?.status(), 403);
        assert_eq!(reader.post(&path).form(&form).send().await?.status(), 403);
    }
}
