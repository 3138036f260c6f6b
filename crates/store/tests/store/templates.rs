//! Message templates: texts checked by the template parser when saved, the
//! election's slot per kind with per-task-type overrides, seeded defaults,
//! and composing a queued message from its person, election and seat.

use chrono::Utc;
use domain::master::Name;
use domain::{MessageKind, PdfUpload};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set};
use store::Error;
use store::entity::{contact_information, files, message_template_files, seats, task_type_files};
use store::migration::default_template_id;
use store::repo::messages::{self, Queued};
use store::repo::templates::{self, Links, TemplateInput};
use store::tenants::Tenant;
use uuid::Uuid;

use crate::fixtures::{World, date, staff};

fn input(title: &str, kind: MessageKind) -> TemplateInput {
    TemplateInput {
        kind,
        title: Name::parse(title).unwrap(),
        subject: "Om !task_type ved !election".into(),
        body: "<p>Kære !name</p><p>Du er !task_type på !work_location om !days dage. !payment</p>".into(),
        sms_text: "Hej !name, se !overview".into(),
    }
}

fn conflict(result: Result<impl std::fmt::Debug, Error>) -> (&'static str, String) {
    match result {
        Err(Error::Conflict { field, message }) => (field, message),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn tenant(db: &DatabaseConnection) -> Tenant {
    Tenant {
        key: "korsbaek".into(),
        name: "Korsbæk Kommune".into(),
        cvr: domain::Cvr::parse("12345674").unwrap(),
        municipality: domain::MunicipalityCode::parse("0265").unwrap(),
        admin_host: "admin.test".into(),
        portal_host: "valg.test".into(),
        db: db.clone(),
        vault: crate::fixtures::vault(),
    }
}

async fn pdf(db: &impl ConnectionTrait, name: &str) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let row = files::ActiveModel {
        id: Set(Uuid::new_v4()),
        file_name: Set(name.into()),
        mime_type: Set("application/pdf".into()),
        size_bytes: Set(5),
        sha256: Set(String::new()),
        content: Set(b"%PDF-".to_vec()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

async fn municipality(db: &impl ConnectionTrait, name: &str) -> anyhow::Result<()> {
    let row = contact_information::Entity::find_by_id(1).one(db).await?.unwrap();
    let mut row: contact_information::ActiveModel = row.into();
    row.municipality_name = Set(name.into());
    row.update(db).await?;
    Ok(())
}

store::store_tests! {
    async fn every_kind_has_a_default_template_that_cannot_be_deleted(t: TestDb) {
        let all = templates::list(&t.db).await?;
        for kind in MessageKind::ALL {
            let default = all.iter().find(|row| row.kind == kind && row.is_default).expect("a default");
            assert_eq!(default.id, default_template_id(kind));
            assert_eq!(templates::resolve(&t.db, None, None, kind).await?.id, default.id);
        }
        let invitation = default_template_id(MessageKind::Invitation);
        let (field, message) = conflict(templates::delete(&t.db, &staff(), invitation).await);
        assert_eq!(field, "delete");
        assert!(message.contains("standardskabelon"), "{message}");
    }

    async fn unknown_placeholders_are_refused_on_their_field_with_the_position(t: TestDb) {
        let mut bad = input("Invitation 2026", MessageKind::Invitation);
        bad.body = "<p>Kære !name</p>\n<p>Vi ses på !arbejdssted</p>".into();
        let (field, message) = conflict(templates::create(&t.db, &staff(), &bad).await);
        assert_eq!((field, message.as_str()), ("body", "Ukendt felt »!arbejdssted« i linje 2, kolonne 14"));
        let mut bad = input("Invitation 2026", MessageKind::Invitation);
        bad.sms_text = "!nme".into();
        assert_eq!(conflict(templates::create(&t.db, &staff(), &bad).await).0, "sms_text");
        let mut empty = input("Invitation 2026", MessageKind::Invitation);
        empty.subject = " ".into();
        assert_eq!(conflict(templates::create(&t.db, &staff(), &empty).await).1, "Emnet skal udfyldes");

        let id = templates::create(&t.db, &staff(), &input("Invitation 2026", MessageKind::Invitation)).await?;
        let same = input("INVITATION  2026", MessageKind::Invitation);
        let (field, _) = conflict(templates::create(&t.db, &staff(), &same).await);
        assert_eq!(field, "title");
        let mut changed = input("Invitation 2026", MessageKind::Invitation);
        changed.subject = "Ny !election".into();
        templates::update(&t.db, &staff(), id, &changed).await?;
        assert_eq!(templates::get(&t.db, id).await?.unwrap().subject, "Ny !election");
    }

    async fn an_override_beats_the_election_slot_which_beats_the_default(t: TestDb) {
        let world = World::build(&t.db).await?;
        let kind = MessageKind::TaskReminder;
        let slot = templates::create(&t.db, &staff(), &input("Påmindelse valg", kind)).await?;
        let special = templates::create(&t.db, &staff(), &input("Påmindelse tilforordnede", kind)).await?;
        let resolve = |task_type| templates::resolve(&t.db, Some(world.election), task_type, kind);
        assert_eq!(resolve(Some(world.task_type)).await?.id, default_template_id(kind));

        templates::set_slot(&t.db, &staff(), world.election, None, kind, Some(slot)).await?;
        assert_eq!(resolve(Some(world.task_type)).await?.id, slot);
        templates::set_slot(&t.db, &staff(), world.election, Some(world.task_type), kind, Some(special)).await?;
        assert_eq!(resolve(Some(world.task_type)).await?.id, special);
        assert_eq!(resolve(None).await?.id, slot);

        let slots = templates::slots(&t.db, world.election).await?;
        let reminder = slots.iter().find(|s| s.kind == kind).unwrap();
        assert_eq!((reminder.template, reminder.overrides.clone()), (Some(slot), vec![(world.task_type, special)]));

        // A template of another kind does not fit the slot.
        let other = templates::create(&t.db, &staff(), &input("Invitation", MessageKind::Invitation)).await?;
        let (field, _) = conflict(templates::set_slot(&t.db, &staff(), world.election, None, kind, Some(other)).await);
        assert_eq!(field, "template");
        // Its kind cannot change while it fills a slot.
        let other_kind = input("Påmindelse valg", MessageKind::Invitation);
        let (field, _) = conflict(templates::update(&t.db, &staff(), slot, &other_kind).await);
        assert_eq!(field, "kind");

        // Deleting the override's template falls back to the slot, emptying the slot to the default.
        templates::delete(&t.db, &staff(), special).await?;
        assert_eq!(resolve(Some(world.task_type)).await?.id, slot);
        templates::set_slot(&t.db, &staff(), world.election, None, kind, None).await?;
        assert_eq!(resolve(Some(world.task_type)).await?.id, default_template_id(kind));
    }

    async fn a_seat_message_is_composed_from_person_election_seat_and_files(t: TestDb) {
        let world = World::build(&t.db).await?;
        municipality(&t.db, "Korsbæk Kommune").await?;
        let seat = world.seat(&t.db).await?;
        let code = Uuid::new_v4();
        let mut invited: seats::ActiveModel = seat.clone().into();
        invited.participant_id = Set(Some(world.alice));
        invited.invitation_code = Set(Some(code));
        invited.state = Set("invited".into());
        invited.update(&t.db).await?;
        let guide = pdf(&t.db, "vejledning.pdf").await?;
        task_type_files::ActiveModel { task_type_id: Set(world.task_type), file_id: Set(guide) }.insert(&t.db).await?;

        let kind = MessageKind::Invitation;
        let mut own = input("Invitation <2026>", kind);
        own.body = "<p>Kære !name</p><p>!{task_type}en møder !task_date kl. !task_start-!task_end på \
                    !work_location_address. Diæt: !payment, svar: !invitation</p>"
            .into();
        own.subject = "!election: !{municipality}s invitation om !days dage".into();
        let id = templates::create(&t.db, &staff(), &own).await?;
        let map = pdf(&t.db, "kort.pdf").await?;
        message_template_files::ActiveModel { template_id: Set(id), file_id: Set(map) }.insert(&t.db).await?;
        templates::set_slot(&t.db, &staff(), world.election, None, kind, Some(id)).await?;

        let queued = Queued { participant: world.alice, election: Some(world.election), seat: Some(seat.id), kind };
        let message = messages::queue(&t.db, queued, "digital_post,email,sms", Utc::now()).await?;
        let tenant = tenant(&t.db);
        let links = Links { portal_url: "https://valg.test/", tenant: &tenant };
        let composed = templates::compose(&t.db, &links, message, date(2026, 10, 22)).await?;

        assert_eq!(composed.subject, "Folketingsvalg 2026: Korsbæk Kommunes invitation om 5 dage");
        let link = format!("https://valg.test/opgaver/invitation/{}/{code}", seat.id);
        assert_eq!(
            composed.html,
            format!(
                "<p>Kære Alice Jensen</p><p>Tilforordneten møder 27/10/2026 kl. 08:00-20:00 på Skolevej 1, \
                 4000 Korsbæk. Diæt: 1.000 kr., svar: <a href=\"{link}\">{link}</a></p>"
            )
        );
        assert!(composed.text.starts_with("Kære Alice Jensen\nTilforordneten møder"), "{}", composed.text);
        assert!(composed.text.ends_with(&format!("svar: {link}")), "{}", composed.text);
        let sms = &composed.sms_text;
        assert!(sms.starts_with("Hej Alice Jensen, se https://valg.test/mit-overblik/"), "{sms}");
        let names: Vec<_> = composed.attachments.iter().map(|a| a.file_name.as_str()).collect();
        assert_eq!(names, ["kort.pdf", "vejledning.pdf"]);
        assert_eq!(composed.attachments[0].content, b"%PDF-");
    }

    async fn attachments_come_and_go_with_their_template(t: TestDb) {
        let id = templates::create(&t.db, &staff(), &input("Med bilag", MessageKind::TaskReminder)).await?;
        let upload = PdfUpload::parse("kort.pdf", Some("application/pdf"), b"%PDF-1.4\n%%EOF\n".to_vec()).unwrap();
        let map = templates::attach(&t.db, &staff(), id, &upload).await?;
        let guide = templates::attach(&t.db, &staff(), id, &upload).await?;
        let names: Vec<_> = templates::attachments(&t.db, id).await?.into_iter().map(|f| f.file_name).collect();
        assert_eq!(names, ["kort.pdf", "kort.pdf"]);
        assert_eq!(templates::detach(&t.db, &staff(), id, map).await?, "kort.pdf");
        assert!(files::Entity::find_by_id(map).one(&t.db).await?.is_none(), "an unused file goes");
        assert!(templates::detach(&t.db, &staff(), id, map).await.unwrap_err().is_not_found());
        templates::delete(&t.db, &staff(), id).await?;
        let left = files::Entity::find_by_id(guide).one(&t.db).await?;
        assert!(left.is_none(), "deleting the template deletes its files");
    }

    async fn a_group_message_fills_only_person_and_election(t: TestDb) {
        let world = World::build(&t.db).await?;
        let kind = MessageKind::GroupMessage;
        let queued = Queued { participant: world.bob, election: Some(world.election), seat: None, kind };
        let message = messages::queue(&t.db, queued, "email", Utc::now()).await?;
        let tenant = tenant(&t.db);
        let links = Links { portal_url: "https://valg.test", tenant: &tenant };
        let mut group = input("Fælles besked", kind);
        group.body = "<p>!name, !election, [!work_location] [!invitation] [!payment]</p>".into();
        let id = templates::create(&t.db, &staff(), &group).await?;
        templates::set_slot(&t.db, &staff(), world.election, None, kind, Some(id)).await?;

        let composed = templates::compose(&t.db, &links, message, date(2026, 10, 1)).await?;
        assert_eq!(composed.html, "<p>Bob Jensen, Folketingsvalg 2026, [] [] []</p>");
        assert!(composed.attachments.is_empty());
    }

    async fn the_default_texts_compose_without_leftover_placeholders(t: TestDb) {
        let world = World::build(&t.db).await?;
        let seat = world.seat(&t.db).await?;
        let tenant = tenant(&t.db);
        let links = Links { portal_url: "https://valg.test", tenant: &tenant };
        for kind in MessageKind::ALL {
            let queued = Queued { participant: world.alice, election: Some(world.election), seat: Some(seat.id), kind };
            let message = messages::queue(&t.db, queued, "sms", Utc::now()).await?;
            let composed = templates::compose(&t.db, &links, message, date(2026, 10, 22)).await?;
            for text in [&composed.subject, &composed.html, &composed.sms_text] {
                assert!(!text.contains('!'), "{kind:?}: {text}");
            }
            assert!(composed.html.contains("Alice Jensen"), "{kind:?}");
        }
    }
}

store::store_tests! {
    async fn a_group_message_is_composed_from_its_own_words(t: TestDb) {
        use store::repo::group::{self, Selection, Words};
        let world = World::build(&t.db).await?;
        let seat = world.seat(&t.db).await?;
        let mut row: seats::ActiveModel = seat.into();
        row.state = Set("accepted".into());
        row.participant_id = Set(Some(world.alice));
        row.update(&t.db).await?;
        let words = Words { subject: "Til !name".into(), body: "<p>Hej !name</p>".into(), sms_text: "Hej !name".into() };
        let selection = Selection { election: world.election, ..Selection::default() };
        assert_eq!(group::send(&t.db, &staff(), &selection, &words, Utc::now()).await?, 1);
        let message = store::entity::message_log::Entity::find().one(&t.db).await?.expect("queued");
        let tenant = tenant(&t.db);
        let links = Links { portal_url: "https://valg.test", tenant: &tenant };
        let composed = templates::compose(&t.db, &links, message.id, date(2026, 10, 22)).await?;
        assert_eq!(composed.subject, "Til Alice Jensen");
        assert_eq!(composed.sms_text, "Hej Alice Jensen");
        assert!(composed.html.contains("Hej Alice Jensen"));
    }
}
