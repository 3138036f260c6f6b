//! Elections: create, edit, duplicate, activate, deactivate, delete, each
//! with its audit row, and the rules that refuse a change.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Utc};
use domain::election::{CopyPlan, ElectionDates, LockPeriod};
use domain::master::Name;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Set};
use store::entity::*;
use store::migration::seeded::KOMMUNALVALG;
use store::repo::elections::{self, Duplicate, ElectionChanges, NewElection};
use uuid::Uuid;

use crate::fixtures::{FOLKETINGSVALG, World, audit_rows, date, staff};

fn name(text: &str) -> Name {
    Name::parse(text).unwrap()
}

fn dates(election: NaiveDate, first: NaiveDate, last: NaiveDate) -> ElectionDates {
    ElectionDates::new(election, first, last).unwrap()
}

fn lock(days: i64) -> LockPeriod {
    LockPeriod::new(days).unwrap()
}

fn set(ids: &[Uuid]) -> BTreeSet<Uuid> {
    ids.iter().copied().collect()
}

fn new_election(title: &str, work_locations: &[Uuid]) -> NewElection {
    NewElection {
        title: name(title),
        election_type_id: KOMMUNALVALG,
        dates: dates(date(2029, 11, 20), date(2029, 11, 13), date(2029, 11, 21)),
        lock: lock(5),
        work_locations: set(work_locations),
    }
}

/// The World election's settings with other dates and work locations.
fn changes(d: ElectionDates, work_locations: &[Uuid]) -> ElectionChanges {
    ElectionChanges { title: name("Folketingsvalg 2026"), dates: d, lock: lock(3), work_locations: set(work_locations) }
}

fn conflict_field(result: Result<impl Sized, store::Error>) -> Option<&'static str> {
    match result {
        Err(store::Error::Conflict { field, .. }) => Some(field),
        _ => None,
    }
}

async fn work_location(db: &impl ConnectionTrait, area: Uuid, title: &str) -> Result<Uuid, DbErr> {
    let now = Utc::now();
    let row = work_locations::ActiveModel {
        id: Set(Uuid::new_v4()),
        area_id: Set(area),
        title: Set(title.into()),
        title_key: Set(domain::master::name_key(title)),
        address: Set("Torvet 2".into()),
        postal_code: Set("4000".into()),
        city: Set("Korsbæk".into()),
        vote_location: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

async fn join(db: &impl ConnectionTrait, election: Uuid, work_location: Uuid) -> Result<(), DbErr> {
    election_work_locations::ActiveModel { election_id: Set(election), work_location_id: Set(work_location) }
        .insert(db)
        .await?;
    Ok(())
}

/// A seat of the World kind at `work_location` on `day`.
async fn seat_at(
    db: &impl ConnectionTrait,
    w: &World,
    work_location: Uuid,
    day: NaiveDate,
) -> Result<seats::Model, DbErr> {
    let seat = w.seat_on(db, day).await?;
    let mut row: seats::ActiveModel = seat.into();
    row.work_location_id = Set(work_location);
    row.update(db).await
}

/// Gives the seat to `participant` as an open invitation.
async fn invite(db: &impl ConnectionTrait, seat: seats::Model, participant: Uuid) -> Result<seats::Model, DbErr> {
    let mut row: seats::ActiveModel = seat.into();
    row.state = Set("invited".into());
    row.participant_id = Set(Some(participant));
    row.invitation_code = Set(Some(Uuid::new_v4()));
    row.invited_at = Set(Some(Utc::now()));
    row.invitation_sent = Set(true);
    row.update(db).await
}

async fn seats_of(db: &impl ConnectionTrait, election: Uuid) -> Result<Vec<seats::Model>, DbErr> {
    let mut rows = seats::Entity::find().filter(seats::Column::ElectionId.eq(election)).all(db).await?;
    rows.sort_by_key(|s| s.task_date);
    Ok(rows)
}

async fn audit_actions(db: &impl ConnectionTrait, election: Uuid) -> Result<Vec<String>, DbErr> {
    Ok(audit_rows(db, "elections")
        .await?
        .into_iter()
        .filter(|r| r.entity_id == Some(election.to_string()))
        .map(|r| r.action)
        .collect())
}

store::store_tests! {
    async fn creates_an_inactive_election_with_its_work_locations(t: TestDb) {
        let w = World::build(&t.db).await?;
        let second = work_location(&t.db, w.area, "Rådhuset").await?;
        let id = elections::create(&t.db, &staff(), new_election("Kommunalvalg 2029", &[w.work_location, second])).await?;
        let detail = elections::detail(&t.db, id).await?;
        let e = &detail.election;
        assert_eq!((e.title.as_str(), e.election_type_id, e.lock_days, e.active), ("Kommunalvalg 2029", KOMMUNALVALG, 5, false));
        assert_eq!((e.first_task_date, e.election_date, e.last_task_date), (date(2029, 11, 13), date(2029, 11, 20), date(2029, 11, 21)));
        assert_eq!(e.channel_order, "digital_post,email,sms");
        assert_eq!(detail.type_title, "Kommunal- og regionsrådsvalg");
        let titles: Vec<&str> = detail.work_locations.iter().map(|wl| wl.title.as_str()).collect();
        assert_eq!(titles, ["Korsbæk Skole", "Rådhuset"]);
        let audit = audit_rows(&t.db, "elections").await?;
        assert_eq!(audit.len(), 1);
        assert_eq!((audit[0].action.as_str(), audit[0].entity_id.clone()), ("create", Some(id.to_string())));
        assert!(audit[0].description.contains("Kommunalvalg 2029"));
        assert_eq!(audit[0].actor_name, staff().name);
    }

    async fn a_title_is_taken_regardless_of_case_and_spacing(t: TestDb) {
        let w = World::build(&t.db).await?;
        let duplicate = elections::create(&t.db, &staff(), new_election("  FOLKETINGSVALG   2026 ", &[w.work_location])).await;
        assert_eq!(conflict_field(duplicate), Some("title"));
        let other = elections::create(&t.db, &staff(), new_election("Kommunalvalg 2029", &[w.work_location])).await?;
        let mut renamed = changes(dates(date(2029, 11, 20), date(2029, 11, 13), date(2029, 11, 21)), &[w.work_location]);
        renamed.title = name("folketingsvalg 2026");
        assert_eq!(conflict_field(elections::update(&t.db, &staff(), other, renamed).await), Some("title"));
        // Keeping its own title is no conflict.
        let same = changes(dates(date(2026, 10, 27), date(2026, 10, 20), date(2026, 10, 28)), &[w.work_location]);
        elections::update(&t.db, &staff(), w.election, same).await?;
        assert_eq!(store::entity::elections::Entity::find().count(&t.db).await?, 2);
    }

    async fn type_and_work_locations_are_required_and_must_exist(t: TestDb) {
        let w = World::build(&t.db).await?;
        let mut no_type = new_election("A", &[w.work_location]);
        no_type.election_type_id = Uuid::new_v4();
        assert_eq!(conflict_field(elections::create(&t.db, &staff(), no_type).await), Some("election_type_id"));
        let none = new_election("B", &[]);
        assert_eq!(conflict_field(elections::create(&t.db, &staff(), none).await), Some("work_locations"));
        let unknown = new_election("C", &[Uuid::new_v4()]);
        assert_eq!(conflict_field(elections::create(&t.db, &staff(), unknown).await), Some("work_locations"));
        let empty = changes(dates(date(2026, 10, 27), date(2026, 10, 20), date(2026, 10, 28)), &[]);
        assert_eq!(conflict_field(elections::update(&t.db, &staff(), w.election, empty).await), Some("work_locations"));
        assert_eq!(store::entity::elections::Entity::find().count(&t.db).await?, 1);
        assert!(audit_rows(&t.db, "elections").await?.is_empty());
    }

    async fn edit_changes_title_dates_lock_and_adds_work_locations(t: TestDb) {
        let w = World::build(&t.db).await?;
        let second = work_location(&t.db, w.area, "Rådhuset").await?;
        let edit = ElectionChanges {
            title: name("Folketingsvalg 27. oktober"),
            dates: dates(date(2026, 10, 27), date(2026, 10, 13), date(2026, 10, 27)),
            lock: lock(10),
            work_locations: set(&[w.work_location, second]),
        };
        elections::update(&t.db, &staff(), w.election, edit).await?;
        let detail = elections::detail(&t.db, w.election).await?;
        assert_eq!(detail.election.title, "Folketingsvalg 27. oktober");
        assert_eq!(detail.election.title_key, "folketingsvalg 27. oktober");
        assert_eq!((detail.election.first_task_date, detail.election.last_task_date), (date(2026, 10, 13), date(2026, 10, 27)));
        assert_eq!(detail.election.lock_days, 10);
        assert_eq!(detail.election.election_type_id, FOLKETINGSVALG);
        assert_eq!(detail.work_locations.len(), 2);
        let audit = audit_rows(&t.db, "elections").await?;
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].action, "update");
        assert!(audit[0].description.contains("låseperiode 3 → 10 dage"), "{}", audit[0].description);
        assert!(audit[0].description.contains("1 arbejdssteder tilføjet"), "{}", audit[0].description);
    }

    async fn edit_refuses_dates_that_leave_a_seat_outside(t: TestDb) {
        let w = World::build(&t.db).await?;
        w.seat_on(&t.db, date(2026, 10, 22)).await?;
        w.seat_on(&t.db, date(2026, 10, 28)).await?;
        let later_start = changes(dates(date(2026, 10, 27), date(2026, 10, 23), date(2026, 10, 28)), &[w.work_location]);
        let refused = elections::update(&t.db, &staff(), w.election, later_start).await;
        let Err(store::Error::Conflict { field, message }) = refused else { panic!("expected a conflict") };
        assert_eq!(field, "first_task_date");
        assert!(message.contains("22-10-2026"), "{message}");
        let earlier_end = changes(dates(date(2026, 10, 27), date(2026, 10, 20), date(2026, 10, 27)), &[w.work_location]);
        assert_eq!(conflict_field(elections::update(&t.db, &staff(), w.election, earlier_end).await), Some("last_task_date"));
        // Narrowing to exactly the seats' span is fine (both ends inclusive).
        let tight = changes(dates(date(2026, 10, 27), date(2026, 10, 22), date(2026, 10, 28)), &[w.work_location]);
        elections::update(&t.db, &staff(), w.election, tight).await?;
        let e = elections::get(&t.db, w.election).await?.unwrap();
        assert_eq!((e.first_task_date, e.last_task_date), (date(2026, 10, 22), date(2026, 10, 28)));
        assert_eq!(audit_actions(&t.db, w.election).await?, ["update"]);
    }

    async fn a_work_location_leaves_only_without_seats(t: TestDb) {
        let w = World::build(&t.db).await?;
        let empty = work_location(&t.db, w.area, "Rådhuset").await?;
        join(&t.db, w.election, empty).await?;
        w.seat(&t.db).await?;
        let range = dates(date(2026, 10, 27), date(2026, 10, 20), date(2026, 10, 28));
        let refused = elections::update(&t.db, &staff(), w.election, changes(range, &[empty])).await;
        let Err(store::Error::Conflict { field, message }) = refused else { panic!("expected a conflict") };
        assert_eq!(field, "work_locations");
        assert!(message.contains("»Korsbæk Skole«") && message.contains("1 opgave"), "{message}");
        assert_eq!(elections::detail(&t.db, w.election).await?.work_locations.len(), 2, "nothing changed");
        elections::update(&t.db, &staff(), w.election, changes(range, &[w.work_location])).await?;
        let detail = elections::detail(&t.db, w.election).await?;
        assert_eq!(detail.work_locations.iter().map(|wl| wl.id).collect::<Vec<_>>(), [w.work_location]);
        assert_eq!(detail.seats, 1);
    }

    async fn duplicate_copies_the_window_of_seats_empty_and_shifted(t: TestDb) {
        let w = World::build(&t.db).await?;
        let other = work_location(&t.db, w.area, "Rådhuset").await?;
        join(&t.db, w.election, other).await?;
        // Source election day 27-10-2026; window 5 days before, 0 after: 22-10 … 27-10.
        w.seat_on(&t.db, date(2026, 10, 21)).await?;
        let first = w.seat_on(&t.db, date(2026, 10, 22)).await?;
        let taken = invite(&t.db, w.seat_on(&t.db, date(2026, 10, 27)).await?, w.alice).await?;
        w.seat_on(&t.db, date(2026, 10, 28)).await?;
        seat_at(&t.db, &w, other, date(2026, 10, 27)).await?;
        let plan = CopyPlan::new(date(2026, 10, 27), date(2027, 6, 1), 5, 0)?;
        let copy = Duplicate {
            title: name("Folkeafstemning 2027"),
            election_type_id: FOLKETINGSVALG,
            lock: lock(4),
            plan,
            work_locations: set(&[w.work_location]),
        };
        let copied = elections::duplicate(&t.db, &staff(), w.election, copy).await?;
        assert_eq!(copied.seats, 2);
        let new = elections::detail(&t.db, copied.id).await?;
        assert_eq!((new.election.first_task_date, new.election.election_date, new.election.last_task_date),
            (date(2027, 5, 27), date(2027, 6, 1), date(2027, 6, 1)));
        assert_eq!((new.election.lock_days, new.election.active), (4, false));
        assert_eq!(new.work_locations.iter().map(|wl| wl.id).collect::<Vec<_>>(), [w.work_location]);
        let seats = seats_of(&t.db, copied.id).await?;
        assert_eq!(seats.iter().map(|s| s.task_date).collect::<Vec<_>>(), [date(2027, 5, 27), date(2027, 6, 1)]);
        for seat in &seats {
            assert_eq!((seat.state.as_str(), seat.participant_id, seat.invitation_code), ("available", None, None));
            assert!(!seat.invitation_sent && seat.invited_at.is_none());
            assert_eq!((seat.team_id, seat.task_type_id, seat.work_location_id), (first.team_id, first.task_type_id, w.work_location));
            assert!(seat.id != first.id && seat.id != taken.id);
        }
        // The source keeps its seats and people.
        let source = seats_of(&t.db, w.election).await?;
        assert_eq!(source.len(), 5);
        assert!(source.iter().any(|s| s.participant_id == Some(w.alice)));
        assert_eq!(audit_actions(&t.db, copied.id).await?, ["create"]);
        let row = audit_rows(&t.db, "elections").await?.pop().unwrap();
        assert!(row.description.contains("2 opgaver kopieret"), "{}", row.description);
    }

    async fn duplicate_keeps_the_template_slots(t: TestDb) {
        let w = World::build(&t.db).await?;
        let now = Utc::now();
        let template = message_templates::ActiveModel {
            id: Set(Uuid::new_v4()),
            kind: Set("invitation".into()),
            title: Set("Invitation".into()),
            title_key: Set("invitation".into()),
            subject: Set("Du er inviteret".into()),
            body: Set("Hej".into()),
            sms_text: Set(String::new()),
            is_default: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&t.db)
        .await?;
        election_message_templates::ActiveModel { election_id: Set(w.election), kind: Set("invitation".into()), template_id: Set(template.id) }
            .insert(&t.db)
            .await?;
        let copy = Duplicate {
            title: name("Kopi"),
            election_type_id: FOLKETINGSVALG,
            lock: lock(3),
            plan: CopyPlan::new(date(2026, 10, 27), date(2027, 10, 27), 0, 0)?,
            work_locations: set(&[w.work_location]),
        };
        let copied = elections::duplicate(&t.db, &staff(), w.election, copy).await?;
        let slots = election_message_templates::Entity::find()
            .filter(election_message_templates::Column::ElectionId.eq(copied.id))
            .all(&t.db)
            .await?;
        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0].template_id, template.id);
    }

    async fn duplicate_refuses_foreign_work_locations_and_a_taken_title(t: TestDb) {
        let w = World::build(&t.db).await?;
        let outside = work_location(&t.db, w.area, "Rådhuset").await?;
        let plan = CopyPlan::new(date(2026, 10, 27), date(2027, 6, 1), 1, 1)?;
        let copy = |title: &str, wls: &[Uuid]| Duplicate {
            title: name(title),
            election_type_id: FOLKETINGSVALG,
            lock: lock(3),
            plan,
            work_locations: set(wls),
        };
        let foreign = elections::duplicate(&t.db, &staff(), w.election, copy("Ny", &[w.work_location, outside])).await;
        assert_eq!(conflict_field(foreign), Some("work_locations"));
        let none = elections::duplicate(&t.db, &staff(), w.election, copy("Ny", &[])).await;
        assert_eq!(conflict_field(none), Some("work_locations"));
        let taken = elections::duplicate(&t.db, &staff(), w.election, copy("Folketingsvalg 2026", &[w.work_location])).await;
        assert_eq!(conflict_field(taken), Some("title"));
        let missing = elections::duplicate(&t.db, &staff(), Uuid::new_v4(), copy("Ny", &[w.work_location])).await;
        assert!(matches!(missing, Err(store::Error::NotFound { .. })));
        assert_eq!(store::entity::elections::Entity::find().count(&t.db).await?, 1);
    }

    async fn activate_and_deactivate_toggle_once_each_with_audit(t: TestDb) {
        let w = World::build(&t.db).await?;
        let other = elections::create(&t.db, &staff(), new_election("Kommunalvalg 2029", &[w.work_location])).await?;
        elections::activate(&t.db, &staff(), w.election).await?;
        elections::activate(&t.db, &staff(), other).await?;
        let list = elections::list(&t.db).await?;
        assert!(list.iter().all(|e| e.active), "several elections may be active at once");
        assert_eq!(conflict_field(elections::activate(&t.db, &staff(), w.election).await), Some("active"));
        elections::deactivate(&t.db, &staff(), w.election).await?;
        assert!(!elections::get(&t.db, w.election).await?.unwrap().active);
        assert_eq!(conflict_field(elections::deactivate(&t.db, &staff(), w.election).await), Some("active"));
        let rows: Vec<String> = audit_rows(&t.db, "elections")
            .await?
            .into_iter()
            .filter(|r| r.entity_id == Some(w.election.to_string()))
            .map(|r| r.description)
            .collect();
        assert_eq!(rows, ["Valg aktiveret: Folketingsvalg 2026", "Valg deaktiveret: Folketingsvalg 2026"]);
    }

    async fn delete_is_refused_while_active_and_cascades_otherwise(t: TestDb) {
        let w = World::build(&t.db).await?;
        invite(&t.db, w.seat(&t.db).await?, w.bob).await?;
        w.seat_on(&t.db, date(2026, 10, 26)).await?;
        elections::activate(&t.db, &staff(), w.election).await?;
        let refused = elections::delete(&t.db, &staff(), w.election).await;
        let Err(store::Error::Conflict { field, message }) = refused else { panic!("expected a conflict") };
        assert_eq!(field, "delete");
        assert!(message.contains("mens det er aktivt"), "{message}");
        assert_eq!(seats_of(&t.db, w.election).await?.len(), 2);
        elections::deactivate(&t.db, &staff(), w.election).await?;
        assert_eq!(elections::delete(&t.db, &staff(), w.election).await?, 2);
        assert!(elections::get(&t.db, w.election).await?.is_none());
        assert!(seats_of(&t.db, w.election).await?.is_empty());
        assert_eq!(election_work_locations::Entity::find().count(&t.db).await?, 0);
        assert_eq!(participants::Entity::find().count(&t.db).await?, 2, "people stay");
        assert_eq!(audit_actions(&t.db, w.election).await?, ["update", "update", "delete"]);
        assert!(matches!(elections::delete(&t.db, &staff(), w.election).await, Err(store::Error::NotFound { .. })));
    }

    async fn the_list_counts_work_locations_and_seats(t: TestDb) {
        let w = World::build(&t.db).await?;
        let second = work_location(&t.db, w.area, "Rådhuset").await?;
        join(&t.db, w.election, second).await?;
        w.seat(&t.db).await?;
        w.seat(&t.db).await?;
        seat_at(&t.db, &w, second, date(2026, 10, 27)).await?;
        let later = elections::create(&t.db, &staff(), new_election("Kommunalvalg 2029", &[w.work_location])).await?;
        let list = elections::list(&t.db).await?;
        assert_eq!(list.iter().map(|e| e.id).collect::<Vec<_>>(), [later, w.election], "newest election date first");
        let e = &list[1];
        assert_eq!((e.type_title.as_str(), e.work_locations, e.seats), ("Folketingsvalg og folkeafstemning", 2, 3));
        assert_eq!((list[0].work_locations, list[0].seats), (1, 0));
        let detail = elections::detail(&t.db, w.election).await?;
        let counts: Vec<(String, u64)> = detail.work_locations.iter().map(|wl| (wl.title.clone(), wl.seats)).collect();
        assert_eq!(counts, [("Korsbæk Skole".to_owned(), 2), ("Rådhuset".to_owned(), 1)]);
        let span = elections::seat_span(&t.db, w.election).await?;
        assert_eq!((span.earliest, span.latest), (Some(date(2026, 10, 27)), Some(date(2026, 10, 27))));
        assert_eq!(elections::seat_span(&t.db, later).await?, elections::SeatSpan::default());
    }

    async fn work_location_choices_are_grouped_by_area(t: TestDb) {
        let w = World::build(&t.db).await?;
        let now = Utc::now();
        let south = areas::ActiveModel {
            id: Set(Uuid::new_v4()),
            name: Set("Syd".into()),
            name_key: Set("syd".into()),
            description: Set(String::new()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&t.db)
        .await?;
        work_location(&t.db, south.id, "Åskolen").await?;
        work_location(&t.db, south.id, "Brandstationen").await?;
        work_location(&t.db, w.area, "Rådhuset").await?;
        let groups = elections::work_location_options(&t.db).await?;
        let shape: Vec<(String, Vec<String>)> =
            groups.into_iter().map(|g| (g.area, g.locations.into_iter().map(|c| c.title).collect())).collect();
        assert_eq!(shape, [
            ("Nord".to_owned(), vec!["Korsbæk Skole".to_owned(), "Rådhuset".to_owned()]),
            ("Syd".to_owned(), vec!["Brandstationen".to_owned(), "Åskolen".to_owned()]),
        ]);
    }
}
