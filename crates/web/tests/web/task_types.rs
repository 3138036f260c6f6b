//! The task-type screens: multipart forms with PDF attachments, every
//! validation rule with its message at the field and the input kept, times
//! past midnight in the list, downloads, deleting with seats, audit rows, and
//! readers refused on every change.

use domain::AdminRole;
use reqwest::multipart::{Form, Part};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use store::entity::{files, seats, task_types};
use uuid::Uuid;

use crate::staffing_fixtures::{audit_count, seat, staffed, task_type};
use crate::support::{TestApp, location, page};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n";

/// A complete, valid form: a night count passing midnight.
fn fields() -> Vec<(&'static str, String)> {
    [
        ("title", "Fintæller"),
        ("short_name", "FT"),
        ("description", "Tæller stemmerne om på valgnatten"),
        ("start_time", "20:00"),
        ("end_time", "02:00"),
        ("payment", "1500"),
        ("trusted", "on"),
        ("send_reminder", "on"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect()
}

fn with(mut fields: Vec<(&'static str, String)>, name: &str, value: &str) -> Vec<(&'static str, String)> {
    for field in fields.iter_mut().filter(|(k, _)| *k == name) {
        field.1 = value.to_owned();
    }
    fields
}

fn form(fields: &[(&'static str, String)], file: Option<(&str, &str, Vec<u8>)>) -> anyhow::Result<Form> {
    let mut form = Form::new();
    for (name, value) in fields {
        form = form.text(*name, value.clone());
    }
    let part = match file {
        Some((name, mime, bytes)) => Part::bytes(bytes).file_name(name.to_owned()).mime_str(mime)?,
        // What a browser sends for a file input left empty.
        None => Part::bytes(Vec::new()).file_name("").mime_str("application/octet-stream")?,
    };
    Ok(form.part("attachment", part))
}

async fn send(client: &reqwest::Client, app: &TestApp, path: &str, form: Form) -> anyhow::Result<reqwest::Response> {
    Ok(client.post(app.url(path)).multipart(form).send().await?)
}

async fn id_of(app: &TestApp, title: &str) -> anyhow::Result<Uuid> {
    let row = task_types::Entity::find().filter(task_types::Column::Title.eq(title)).one(app.db()).await?;
    Ok(row.expect("task type exists").id)
}

store::store_tests! {
    async fn task_type_is_created_with_a_pdf_and_listed(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let body = page(admin.get(app.url("/admin/task-types/new")).send().await?, 200).await?;
        assert!(body.contains(r#"enctype="multipart/form-data""#));
        let token = body.split(r#"action="/admin/task-types/new?csrf="#).nth(1).and_then(|rest| rest.split('"').next());
        assert_eq!(token.map(str::len), Some(64), "a multipart form carries its CSRF token in the action URL");
        assert!(body.contains(r#"id="send_reminder" name="send_reminder" value="on" aria-describedby="send_reminder-hint" checked"#));

        let file = Some(("Instruks fintælling.pdf", "application/pdf", PDF.to_vec()));
        let response = send(&admin, &app, "/admin/task-types/new", form(&fields(), file)?).await?;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/admin/task-types");
        let body = page(admin.get(app.url("/admin/task-types")).send().await?, 200).await?;
        assert!(body.contains("Opgavetypen »Fintæller« er oprettet."), "{body}");
        assert!(body.contains("20:00–02:00 (+1 dag)"), "{body}");
        assert!(body.contains("1.500 kr."));
        assert!(body.contains(r#"<span class="tag">Betroet</span>"#) && body.contains("Påmindelse"));
        assert!(!body.contains("Uden validering"));
        assert!(body.contains("Instruks fintælling.pdf</a>"));

        let id = id_of(&app, "Fintæller").await?;
        let row = task_types::Entity::find_by_id(id).one(app.db()).await?.unwrap();
        assert_eq!((row.payment_kr, row.trusted, row.validation_off, row.send_reminder), (Some(1500), true, false, true));
        assert_eq!(audit_count(app.db(), "task_types", "create").await?, 1);
        assert_eq!(audit_count(app.db(), "task_types", "update").await?, 1, "the attachment");

        let file = files::Entity::find().one(app.db()).await?.expect("stored in the database");
        let download = admin.get(app.url(&format!("/admin/task-types/{id}/files/{}", file.id))).send().await?;
        assert_eq!(download.status(), 200);
        assert_eq!(download.headers()["content-type"], "application/pdf");
        let disposition = download.headers()["content-disposition"].to_str()?.to_owned();
        assert!(disposition.contains("filename*=UTF-8''Instruks%20fint%C3%A6lling.pdf"), "{disposition}");
        assert_eq!(download.bytes().await?.as_ref(), PDF);

        let other = task_type(app.db(), "Valgstyrer").await?;
        let wrong = admin.get(app.url(&format!("/admin/task-types/{other}/files/{}", file.id))).send().await?;
        assert_eq!(wrong.status(), 404, "a file is reached only through its own task type");
    }

    async fn every_required_field_is_checked_and_input_kept(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let cases = [
            ("title", "", "Udfyld titel"),
            ("short_name", "", "Udfyld kort navn"),
            ("short_name", &"K".repeat(51), "Kort navn må højst være 50 tegn"),
            ("description", " ", "Udfyld beskrivelse"),
            ("start_time", "", "Udfyld starttidspunkt"),
            ("end_time", "", "Udfyld sluttidspunkt"),
            ("end_time", "25:00", "Sluttidspunkt skal være et klokkeslæt som TT:MM"),
            ("end_time", "20:00", "Sluttidspunktet må ikke være det samme som starttidspunktet"),
            ("payment", "-5", "Betalingen skal være mellem 0 og 1000000"),
            ("payment", "mange", "Betalingen skal være et helt tal"),
        ];
        for (field, value, message) in cases {
            let response = send(&admin, &app, "/admin/task-types/new", form(&with(fields(), field, value), None)?).await?;
            let body = page(response, 422).await?;
            let expected = format!(r#"<p class="field-error" id="{field}-error">{message}</p>"#);
            assert!(body.contains(&expected), "{field}={value:?}: {body}");
            assert!(body.contains(&format!("{field}-error\"")), "aria-describedby names the message");
            if field != "description" {
                assert!(body.contains(">Tæller stemmerne om på valgnatten</textarea>"), "input kept");
            }
            assert!(body.contains(r#"id="trusted" name="trusted" value="on" aria-describedby="trusted-hint" checked"#));
        }
        assert_eq!(task_types::Entity::find().count(app.db()).await?, 0, "nothing saved");

        let zero = with(fields(), "payment", "0");
        let blank = with(with(fields(), "payment", ""), "title", "Tilforordnet");
        assert_eq!(send(&admin, &app, "/admin/task-types/new", form(&zero, None)?).await?.status(), 303);
        assert_eq!(send(&admin, &app, "/admin/task-types/new", form(&blank, None)?).await?.status(), 303);
        let row = task_types::Entity::find_by_id(id_of(&app, "Tilforordnet").await?).one(app.db()).await?.unwrap();
        assert_eq!(row.payment_kr, None);

        let response = send(&admin, &app, "/admin/task-types/new", form(&with(fields(), "title", "FINTÆLLER"), None)?).await?;
        let body = page(response, 422).await?;
        assert!(body.contains("Der findes allerede en opgavetype med titlen »FINTÆLLER«"), "{body}");
    }

    async fn a_bad_file_is_refused_at_the_file_field_and_nothing_is_saved(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let mut too_big = PDF.to_vec();
        too_big.resize(domain::MAX_PDF_BYTES + 1, b' ');
        let cases = [
            (("noter.txt", "text/plain", b"Hej".to_vec()), "Filen skal være en PDF-fil"),
            (("falsk.pdf", "application/pdf", b"<html>".to_vec()), "Filen skal være en PDF-fil"),
            (("stor.pdf", "application/pdf", too_big), "Filen er for stor: højst 10 MB"),
        ];
        for (file, message) in cases {
            let response = send(&admin, &app, "/admin/task-types/new", form(&fields(), Some(file))?).await?;
            let body = page(response, 422).await?;
            let expected = format!(r#"<p class="field-error" id="attachment-error">{message}</p>"#);
            assert!(body.contains(&expected), "{message}: {body}");
            assert!(body.contains(r#"value="Fintæller""#) && body.contains(r#"value="20:00""#), "input kept");
        }
        assert_eq!(task_types::Entity::find().count(app.db()).await?, 0);
        assert_eq!(files::Entity::find().count(app.db()).await?, 0);

        // On the edit form the saved task type is left exactly as it was.
        let id = task_type(app.db(), "Valgstyrer").await?;
        let edit = format!("/admin/task-types/{id}/edit");
        let bad = Some(("x.pdf", "application/pdf", b"GIF89a".to_vec()));
        let response = send(&admin, &app, &edit, form(&with(fields(), "title", "Valgstyrer 2"), bad)?).await?;
        let body = page(response, 422).await?;
        assert!(body.contains(r#"value="Valgstyrer 2""#));
        let row = task_types::Entity::find_by_id(id).one(app.db()).await?.unwrap();
        assert_eq!(row.title, "Valgstyrer");
        assert_eq!(audit_count(app.db(), "task_types", "update").await?, 0);
    }

    async fn attachments_are_added_on_edit_and_removed(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let id = task_type(app.db(), "Valgstyrer").await?;
        let edit = format!("/admin/task-types/{id}/edit");
        let body = page(admin.get(app.url(&edit)).send().await?, 200).await?;
        assert!(body.contains(r#"value="08:00""#) && body.contains("Opgavetypen har ingen bilag."));

        let fields = with(fields(), "title", "Valgstyrer");
        let file = Some(("Vejledning.pdf", "application/pdf", PDF.to_vec()));
        let response = send(&admin, &app, &edit, form(&fields, file)?).await?;
        assert_eq!(response.status(), 303);
        let body = page(admin.get(app.url("/admin/task-types")).send().await?, 200).await?;
        assert!(body.contains("bilaget »Vejledning.pdf« er tilføjet"), "{body}");

        let file = files::Entity::find().one(app.db()).await?.expect("stored");
        let body = page(admin.get(app.url(&edit)).send().await?, 200).await?;
        assert!(body.contains("Vejledning.pdf</a>") && body.contains("Bilag til opgavetypen (1)"));
        let remove = format!("/admin/task-types/{id}/files/{}/delete", file.id);
        let response = admin.post(app.url(&remove)).send().await?;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), edit);
        let body = page(admin.get(app.url(&edit)).send().await?, 200).await?;
        assert!(body.contains("Bilaget »Vejledning.pdf« er fjernet."), "{body}");
        assert_eq!(files::Entity::find().count(app.db()).await?, 0);
        // Saved fields, added file, removed file.
        assert_eq!(audit_count(app.db(), "task_types", "update").await?, 3);
    }

    async fn deleting_a_task_type_says_how_many_seats_go(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let of = staffed(app.db(), true).await?;
        seat(app.db(), &of).await?;
        let confirm = format!("/admin/task-types/{}/delete", of.task_type);
        let body = page(admin.get(app.url(&confirm)).send().await?, 200).await?;
        assert!(body.contains("Opgavetypens 2 opgaver slettes også."), "{body}");
        let response = admin.post(app.url(&confirm)).send().await?;
        assert_eq!(response.status(), 303);
        let body = page(admin.get(app.url("/admin/task-types")).send().await?, 200).await?;
        assert!(body.contains("Opgavetypen »Tilforordnet« er slettet med 2 opgaver."), "{body}");
        assert_eq!(seats::Entity::find().count(app.db()).await?, 0);
        assert_eq!(audit_count(app.db(), "task_types", "delete").await?, 1);
    }

    async fn readers_may_download_but_change_nothing(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let reader = app.sign_in(AdminRole::Reader).await?;
        let file = Some(("a.pdf", "application/pdf", PDF.to_vec()));
        assert_eq!(send(&admin, &app, "/admin/task-types/new", form(&fields(), file)?).await?.status(), 303);
        let id = id_of(&app, "Fintæller").await?;
        let file = files::Entity::find().one(app.db()).await?.expect("stored");

        let body = page(reader.get(app.url("/admin/task-types")).send().await?, 200).await?;
        assert!(body.contains("a.pdf</a>") && !body.contains("Opret opgavetype"));
        let download = reader.get(app.url(&format!("/admin/task-types/{id}/files/{}", file.id))).send().await?;
        assert_eq!(download.status(), 200);

        for path in ["/admin/task-types/new".to_owned(), format!("/admin/task-types/{id}/edit")] {
            let response = send(&reader, &app, &path, form(&with(fields(), "title", "Ændret"), None)?).await?;
            assert_eq!(response.status(), 403, "{path}");
        }
        for path in [format!("/admin/task-types/{id}/delete"), format!("/admin/task-types/{id}/files/{}/delete", file.id)] {
            assert_eq!(reader.post(app.url(&path)).send().await?.status(), 403, "{path}");
        }
        assert_eq!(task_types::Entity::find().count(app.db()).await?, 1);
        assert_eq!(task_types::Entity::find_by_id(id).one(app.db()).await?.unwrap().title, "Fintæller");
        assert_eq!(files::Entity::find().count(app.db()).await?, 1);
        assert_eq!(audit_count(app.db(), "task_types", "delete").await?, 0);
    }

    async fn an_upload_beyond_the_body_limit_still_gets_the_message(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let mut huge = PDF.to_vec();
        huge.resize(13 * 1024 * 1024, b' ');
        let file = Some(("kæmpe.pdf", "application/pdf", huge));
        let body = page(send(&admin, &app, "/admin/task-types/new", form(&fields(), file)?).await?, 422).await?;
        assert!(body.contains(r#"<p class="field-error" id="attachment-error">Filen er for stor: højst 10 MB</p>"#));
        assert!(body.contains(r#"value="Fintæller""#), "the fields before the file are kept");
        assert_eq!(task_types::Entity::find().count(app.db()).await?, 0);
    }
}
