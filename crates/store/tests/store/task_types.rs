//! Task types: unique titles, times past midnight, PDF attachments stored in
//! the database, deleting with seats, and an audit row for every change.

use chrono::NaiveTime;
use domain::master::Name;
use domain::{PdfUpload, TaskTimes};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use store::Error;
use store::entity::{audit_log, files, seats, task_type_files};
use store::repo::audit::Actor;
use store::repo::files as attachments;
use store::repo::task_types::{self, TaskTypeInput};
use uuid::Uuid;

use crate::fixtures::{World, date};

fn actor() -> Actor {
    Actor::user(Uuid::new_v4(), "Sekretær Sørensen")
}

fn name(text: &str) -> Name {
    Name::parse(text).expect("a valid name")
}

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn input(title: &str) -> TaskTypeInput {
    TaskTypeInput {
        title: name(title),
        short_name: name("FT"),
        description: "Tæller stemmesedler efter valget".into(),
        times: TaskTimes::new(time(20, 0), time(2, 0)).unwrap(),
        payment_kr: Some(950),
        trusted: true,
        validation_off: false,
        send_reminder: true,
    }
}

fn pdf(name: &str) -> PdfUpload {
    PdfUpload::parse(name, Some("application/pdf"), b"%PDF-1.4\n%%EOF\n".to_vec()).unwrap()
}

async fn audit_rows(db: &impl ConnectionTrait, id: Uuid) -> anyhow::Result<Vec<audit_log::Model>> {
    let mut rows = audit_log::Entity::find()
        .filter(audit_log::Column::EntityTable.eq("task_types"))
        .filter(audit_log::Column::EntityId.eq(id.to_string()))
        .all(db)
        .await?;
    rows.sort_by_key(|r| r.at);
    Ok(rows)
}

fn conflict(result: Result<impl std::fmt::Debug, Error>) -> (&'static str, String) {
    match result {
        Err(Error::Conflict { field, message }) => (field, message),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

store::store_tests! {
    async fn task_type_is_created_with_times_flags_and_audit(t: TestDb) {
        let db = &t.db;
        let who = actor();
        let id = task_types::create(db, &who, &input(" Fintæller "), None).await?;
        let row = task_types::get(db, id).await?.expect("created").task_type;
        assert_eq!(row.title, "Fintæller");
        assert_eq!((row.start_time, row.end_time), (time(20, 0), time(2, 0)));
        assert_eq!(row.payment_kr, Some(950));
        assert!(row.trusted && !row.validation_off && row.send_reminder);

        let list = task_types::list(db, "").await?;
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].times.map(|t| t.to_string()).as_deref(), Some("20:00–02:00 (+1 dag)"));

        let rows = audit_rows(db, id).await?;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].action, "create");
        assert_eq!(rows[0].actor_name, who.name);
    }

    async fn duplicate_titles_are_refused_regardless_of_case(t: TestDb) {
        let db = &t.db;
        let first = task_types::create(db, &actor(), &input("Valgstyrer"), None).await?;
        let (field, message) = conflict(task_types::create(db, &actor(), &input("VALGSTYRER"), None).await);
        assert_eq!(field, "title");
        assert!(message.contains("opgavetype"), "{message}");
        let second = task_types::create(db, &actor(), &input("Tilforordnet"), None).await?;
        let (field, _) = conflict(task_types::update(db, &actor(), second, &input("valgstyrer"), None).await);
        assert_eq!(field, "title");
        task_types::update(db, &actor(), first, &input("Valgstyrer"), None).await?;
    }

    async fn update_writes_what_changed(t: TestDb) {
        let db = &t.db;
        let id = task_types::create(db, &actor(), &input("Fintæller"), None).await?;
        task_types::update(db, &actor(), id, &input("Fintæller"), None).await?;
        assert_eq!(audit_rows(db, id).await?.len(), 1, "no change, no row");

        let mut changed = input("Fintæller");
        changed.payment_kr = None;
        changed.trusted = false;
        changed.times = TaskTimes::new(time(7, 30), time(21, 0)).unwrap();
        task_types::update(db, &actor(), id, &changed, None).await?;
        let rows = audit_rows(db, id).await?;
        assert_eq!(rows.len(), 2);
        let text = &rows[1].description;
        assert!(text.contains("tidspunkt nu 07:30–21:00"), "{text}");
        assert!(text.contains("betroet opgave fra"), "{text}");
        assert!(text.contains("betaling ændret"), "{text}");
        assert_eq!(task_types::get(db, id).await?.unwrap().task_type.payment_kr, None);
    }

    async fn attachments_are_stored_listed_and_removed(t: TestDb) {
        let db = &t.db;
        let id = task_types::create(db, &actor(), &input("Valgstyrer"), Some(&pdf("Instruks.pdf"))).await?;
        let other = task_types::create(db, &actor(), &input("Tilforordnet"), None).await?;
        task_types::update(db, &actor(), id, &input("Valgstyrer"), Some(&pdf("Kort.pdf"))).await?;

        let listed = attachments::of_task_type(db, id).await?;
        let names: Vec<&str> = listed.iter().map(|f| f.file_name.as_str()).collect();
        assert_eq!(names.len(), 2);
        assert!(names.contains(&"Instruks.pdf") && names.contains(&"Kort.pdf"));
        assert_eq!(listed[0].mime_type, "application/pdf");
        assert_eq!(listed[0].size_bytes, 15);
        assert_eq!(task_types::list(db, "").await?.iter().find(|t| t.task_type.id == id).unwrap().files.len(), 2);

        let file_id = listed[0].id;
        let stored = attachments::task_type_attachment(db, id, file_id).await?.expect("reachable via its type");
        assert!(stored.content.starts_with(b"%PDF-"));
        assert_eq!(stored.sha256.len(), 64);
        assert!(attachments::task_type_attachment(db, other, file_id).await?.is_none(), "not via another type");

        let removed = attachments::remove_from_task_type(db, &actor(), id, file_id).await?;
        assert_eq!(removed, listed[0].file_name);
        assert_eq!(attachments::of_task_type(db, id).await?.len(), 1);
        assert!(files::Entity::find_by_id(file_id).one(db).await?.is_none(), "the file itself is gone");
        let rows = audit_rows(db, id).await?;
        let texts: Vec<&str> = rows.iter().map(|r| r.description.as_str()).collect();
        assert_eq!(texts.iter().filter(|t| t.starts_with("Bilag tilføjet")).count(), 2, "{texts:?}");
        assert!(texts.iter().any(|t| t.starts_with("Bilag fjernet")), "{texts:?}");

        let missing = attachments::remove_from_task_type(db, &actor(), other, listed[1].id).await;
        assert!(matches!(missing, Err(Error::NotFound { .. })), "{missing:?}");
    }

    async fn deleting_takes_seats_and_files_along(t: TestDb) {
        let db = &t.db;
        let world = World::build(db).await?;
        world.seat(db).await?;
        world.seat_on(db, date(2026, 10, 26)).await?;
        let kept = task_types::create(db, &actor(), &input("Valgstyrer"), None).await?;
        task_types::update(db, &actor(), world.task_type, &input("Tilforordnet"), Some(&pdf("a.pdf"))).await?;

        let counts = task_types::seat_counts(db, world.task_type).await?;
        assert_eq!((counts.seats, counts.occupied), (2, 0));
        let deleted = task_types::delete(db, &actor(), world.task_type).await?;
        assert_eq!(deleted, counts);
        assert!(task_types::get(db, world.task_type).await?.is_none());
        assert_eq!(seats::Entity::find().count(db).await?, 0);
        assert_eq!(files::Entity::find().count(db).await?, 0);
        assert_eq!(task_type_files::Entity::find().count(db).await?, 0);
        assert!(task_types::get(db, kept).await?.is_some());
        let rows = audit_rows(db, world.task_type).await?;
        let last = rows.last().expect("a delete row");
        assert_eq!(last.action, "delete");
        assert!(last.description.contains("2 opgaver slettet med"), "{}", last.description);
    }
}
