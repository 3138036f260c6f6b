//! Message templates in the admin app: the form refuses unknown placeholders
//! with their position next to the field, the preview fills in examples,
//! default templates stay, and an election picks its templates per kind and
//! per task type.

use chrono::{NaiveDate, NaiveTime, Utc};
use domain::{AdminRole, MessageKind};
use reqwest::multipart::{Form, Part};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use store::entity::{elections, message_templates, task_types};
use store::migration::default_template_id;
use store::migration::seeded::FOLKETINGSVALG;
use store::repo::templates;
use uuid::Uuid;

use crate::support::{TestApp, location, page};

fn form<'a>(kind: &'a str, title: &'a str, body: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("kind", kind),
        ("title", title),
        ("subject", "Invitation til !election"),
        ("body", body),
        ("sms_text", "Hej !name, svar her: !invitation"),
    ]
}

async fn template_id(db: &impl ConnectionTrait, title: &str) -> anyhow::Result<Uuid> {
    let row = message_templates::Entity::find().filter(message_templates::Column::Title.eq(title)).one(db).await?;
    Ok(row.expect("template exists").id)
}

async fn election(db: &impl ConnectionTrait) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let day = NaiveDate::from_ymd_opt(2027, 6, 1).unwrap();
    let row = elections::ActiveModel {
        id: Set(Uuid::new_v4()),
        title: Set("Folketingsvalg 2027".into()),
        title_key: Set("folketingsvalg 2027".into()),
        election_type_id: Set(FOLKETINGSVALG),
        election_date: Set(day),
        first_task_date: Set(day),
        last_task_date: Set(day),
        lock_days: Set(3),
        active: Set(false),
        channel_order: Set("digital_post,email,sms".into()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

async fn task_type(db: &impl ConnectionTrait, title: &str) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let row = task_types::ActiveModel {
        id: Set(Uuid::new_v4()),
        title: Set(title.into()),
        title_key: Set(title.to_lowercase()),
        short_name: Set("VS".into()),
        description: Set(String::new()),
        start_time: Set(NaiveTime::from_hms_opt(7, 0, 0).unwrap()),
        end_time: Set(NaiveTime::from_hms_opt(22, 0, 0).unwrap()),
        payment_kr: Set(None),
        trusted: Set(true),
        validation_off: Set(false),
        send_reminder: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

store::store_tests! {
    async fn an_unknown_placeholder_is_shown_at_its_field_with_its_position(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let body = page(admin.get(app.url("/admin/templates")).send().await?, 200).await?;
        assert!(body.contains("Invitation (standard)"), "{body}");
        assert!(body.contains("<caption>Skabeloner (10)</caption>"), "{body}");

        let bad = form("invitation", "Invitation 2027", "<p>Kære !name</p>\n<p>Mød op på !sted</p>");
        let body = page(admin.post(app.url("/admin/templates/new")).form(&bad).send().await?, 422).await?;
        let error = r#"<p class="field-error" id="body-error">Ukendt felt »!sted« i linje 2, kolonne 14</p>"#;
        assert!(body.contains(error), "{body}");
        let field = r#"id="body" name="body" rows="12" aria-describedby="body-error" aria-invalid="true""#;
        assert!(body.contains(field), "{body}");
        // What was typed is kept.
        assert!(body.contains("Mød op på !sted&#60;/p&#62;</textarea>"), "{body}");

        let good = form("invitation", "Invitation 2027", "<p>Kære !name</p><p>Mød op på !work_location</p>");
        let response = admin.post(app.url("/admin/templates/new")).form(&good).send().await?;
        assert_eq!((response.status().as_u16(), location(&response)), (303, "/admin/templates".to_owned()));
        let id = template_id(app.db(), "Invitation 2027").await?;

        let edited = form("invitation", "Invitation 2027", "<p>Kære !name</p><p>Vi ses kl. !task_start</p>");
        let response = admin.post(app.url(&format!("/admin/templates/{id}/edit"))).form(&edited).send().await?;
        assert_eq!(response.status().as_u16(), 303);
        let row = message_templates::Entity::find_by_id(id).one(app.db()).await?.unwrap();
        assert_eq!(row.body, "<p>Kære !name</p><p>Vi ses kl. !task_start</p>");
    }

    async fn the_preview_fills_in_examples_for_mail_and_sms(t: TestDb) {
        let app = TestApp::start(t).await?;
        let reader = app.sign_in(AdminRole::Reader).await?;
        let id = default_template_id(MessageKind::Invitation);
        let body = page(reader.get(app.url(&format!("/admin/templates/{id}/preview"))).send().await?, 200).await?;
        assert!(body.contains("<strong>Emne:</strong> Invitation til at hjælpe ved Folketingsvalg 2026"), "{body}");
        // The HTML sits escaped in a sandboxed frame; the link points into the portal.
        assert!(body.contains(r#"<iframe sandbox srcdoc="&#60;p&#62;Kære Karen Hansen&#60;/p&#62;"#), "{body}");
        assert!(body.contains("/opgaver/invitation/eksempel"), "{body}");
        assert!(body.contains(r#"<p class="sms">Kære Karen Hansen. Du er inviteret som Tilforordnet"#), "{body}");
        assert!(!body.contains(&format!("/admin/templates/{id}/edit")), "readers get no edit button");
        let response = reader.get(app.url(&format!("/admin/templates/{id}/edit"))).send().await?;
        assert_eq!(response.status().as_u16(), 403);
    }

    async fn default_templates_stay_and_others_can_be_deleted(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let default = default_template_id(MessageKind::TaskReminder);
        let delete = app.url(&format!("/admin/templates/{default}/delete"));
        let body = page(admin.post(delete).form(&[("x", "y")]).send().await?, 409).await?;
        assert!(body.contains("En standardskabelon kan ikke slettes"), "{body}");
        assert!(message_templates::Entity::find_by_id(default).one(app.db()).await?.is_some());

        let own = form("task_reminder", "Påmindelse 2027", "<p>Om !days dage</p>");
        admin.post(app.url("/admin/templates/new")).form(&own).send().await?;
        let id = template_id(app.db(), "Påmindelse 2027").await?;
        let response = admin.post(app.url(&format!("/admin/templates/{id}/delete"))).form(&[("x", "y")]).send().await?;
        assert_eq!(response.status().as_u16(), 303);
        assert!(message_templates::Entity::find_by_id(id).one(app.db()).await?.is_none());
    }

    async fn a_pdf_is_attached_to_a_template_and_removed_again(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let id = default_template_id(MessageKind::TaskReminder);
        let edit = format!("/admin/templates/{id}/edit");
        let upload = app.url(&format!("/admin/templates/{id}/files"));

        let text = Part::bytes(b"hej".to_vec()).file_name("noter.txt").mime_str("text/plain")?;
        let body = page(admin.post(&upload).multipart(Form::new().part("file", text)).send().await?, 422).await?;
        assert!(body.contains(r#"<p class="field-error" id="file-error">Filen skal være en PDF-fil</p>"#), "{body}");

        let pdf = Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("kort.pdf").mime_str("application/pdf")?;
        let response = admin.post(&upload).multipart(Form::new().part("file", pdf)).send().await?;
        assert_eq!((response.status().as_u16(), location(&response)), (303, edit.clone()));
        let files = templates::attachments(app.db(), id).await?;
        assert_eq!(files.iter().map(|f| f.file_name.as_str()).collect::<Vec<_>>(), ["kort.pdf"]);
        let body = page(admin.get(app.url(&edit)).send().await?, 200).await?;
        assert!(body.contains(r#"aria-label="Fjern kort.pdf""#), "{body}");

        let remove = app.url(&format!("/admin/templates/{id}/files/{}/delete", files[0].id));
        let response = admin.post(remove).form(&[("x", "y")]).send().await?;
        assert_eq!(response.status().as_u16(), 303);
        assert!(templates::attachments(app.db(), id).await?.is_empty());
    }

    async fn an_election_picks_a_template_per_kind_and_task_type(t: TestDb) {
        let app = TestApp::start(t).await?;
        let admin = app.sign_in(AdminRole::Secretariat).await?;
        let election = election(app.db()).await?;
        let chair = task_type(app.db(), "Valgstyrer").await?;
        for title in ["Invitation 2027", "Invitation valgstyrere"] {
            let fields = form("invitation", title, "<p>!name</p>");
            let response = admin.post(app.url("/admin/templates/new")).form(&fields).send().await?;
            assert_eq!(response.status().as_u16(), 303);
        }
        let general = template_id(app.db(), "Invitation 2027").await?;
        let special = template_id(app.db(), "Invitation valgstyrere").await?;
        let url = app.url(&format!("/admin/templates/elections/{election}"));

        let body = page(admin.get(&url).send().await?, 200).await?;
        assert!(body.contains(r#"<label for="template-invitation">Skabelon</label>"#), "{body}");
        let general_text = general.to_string();
        let fields = [("kind", "invitation"), ("template", general_text.as_str())];
        let response = admin.post(&url).form(&fields).send().await?;
        assert_eq!(response.status().as_u16(), 303);
        let (chair_text, special_text) = (chair.to_string(), special.to_string());
        let fields = [("kind", "invitation"), ("task_type", chair_text.as_str()), ("template", special_text.as_str())];
        assert_eq!(admin.post(&url).form(&fields).send().await?.status().as_u16(), 303);

        let kind = MessageKind::Invitation;
        assert_eq!(templates::resolve(app.db(), Some(election), None, kind).await?.id, general);
        assert_eq!(templates::resolve(app.db(), Some(election), Some(chair), kind).await?.id, special);
        let body = page(admin.get(&url).send().await?, 200).await?;
        assert!(body.contains(&format!(r#"<option value="{general}" selected>Invitation 2027</option>"#)), "{body}");
        assert!(body.contains("Valgstyrer: Invitation valgstyrere"), "{body}");

        // A template of another kind is refused with a message on the page.
        let reminder = default_template_id(MessageKind::TaskReminder).to_string();
        let fields = [("kind", "invitation"), ("template", reminder.as_str())];
        let body = page(admin.post(&url).form(&fields).send().await?, 409).await?;
        assert!(body.contains("Skabelonen er ikke af typen »Invitation«"), "{body}");

        // Removing the override leaves the election's choice.
        let fields = [("kind", "invitation"), ("task_type", chair_text.as_str())];
        assert_eq!(admin.post(&url).form(&fields).send().await?.status().as_u16(), 303);
        assert_eq!(templates::resolve(app.db(), Some(election), Some(chair), kind).await?.id, general);

        let reader = app.sign_in(AdminRole::Reader).await?;
        let body = page(reader.get(&url).send().await?, 200).await?;
        assert!(body.contains("Skabelon: Invitation 2027"), "{body}");
        assert!(!body.contains("<form method=\"post\" action=\"/admin/templates/elections"), "{body}");
    }
}
