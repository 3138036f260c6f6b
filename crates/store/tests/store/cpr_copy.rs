//! The local CPR copy (import by checksum, newer data wins, no plain CPR at
//! rest) and the CPR review list with the seat queries of the CPR sync.

use chrono::{Duration, TimeZone, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set, Statement};
use serde_json::json;
use store::entity::{elections, seats};
use store::repo::cpr_copy::{self, CopyRecord, ImportFile, Upserted};
use store::repo::cpr_review::{self, Resolution};

use super::fixtures::{World, cpr, date, staff, vault};

fn record(text: &str, name: &str, days_ago: i64) -> CopyRecord {
    CopyRecord {
        cpr: cpr(text),
        record: json!({ "name": name }),
        as_of: Utc.with_ymd_and_hms(2030, 3, 1, 0, 0, 0).unwrap() - Duration::days(days_ago),
        source: "extract".into(),
    }
}

fn file(checksum: &str) -> ImportFile {
    ImportFile {
        checksum: checksum.into(),
        name: "D20300301.L4311".into(),
        produced_on: Some(date(2030, 3, 1)),
        skipped: 2,
    }
}

async fn give(db: &impl ConnectionTrait, seat: seats::Model, participant: uuid::Uuid, state: &str) -> seats::Model {
    let mut row: seats::ActiveModel = seat.into();
    row.state = Set(state.into());
    row.participant_id = Set(Some(participant));
    row.invitation_code = Set((state == "invited").then(uuid::Uuid::new_v4));
    row.update(db).await.unwrap()
}

store::store_tests! {
    async fn two_writers_adding_the_same_person_both_succeed(t: TestDb) {
        let v = vault();
        let now = Utc::now();
        let (older, newer) = (record("0101801234", "Gammel", 2), record("0101801234", "Ny", 1));
        let writes: Vec<_> = (0..8)
            .map(|i| {
                let (db, v, r) = (t.db.clone(), v.clone(), if i % 2 == 0 { older.clone() } else { newer.clone() });
                tokio::spawn(async move { cpr_copy::upsert(&db, &v, &r, None, now).await })
            })
            .collect();
        for write in writes {
            write.await??;
        }
        let stored = cpr_copy::get(&t.db, &v, &cpr("0101801234")).await?.unwrap();
        assert_eq!(stored.record, json!({ "name": "Ny" }), "the newest data wins whatever the order");
    }

    async fn importing_one_file_twice_changes_nothing(t: TestDb) {
        let v = vault();
        let now = Utc::now();
        let records = [record("0101801234", "Søs", 0), record("0202802345", "Jens", 0)];
        let first = cpr_copy::import(&t.db, &v, &file("abc"), &records, now).await?;
        assert!(!first.already_imported);
        assert_eq!((first.persons, first.skipped, first.inserted, first.updated, first.unchanged), (2, 2, 2, 0, 0));
        let again = cpr_copy::import(&t.db, &v, &file("abc"), &records, now).await?;
        assert!(again.already_imported);
        assert_eq!((again.inserted, again.updated), (0, 0));
        assert_eq!(cpr_copy::imports(&t.db).await?.len(), 1);
        // Another file with one person changed: one updated, one unchanged.
        let next = [record("0101801234", "Søs", 0), record("0202802345", "Jens Peter", 0)];
        let second = cpr_copy::import(&t.db, &v, &file("def"), &next, now).await?;
        assert_eq!((second.inserted, second.updated, second.unchanged), (0, 1, 1));
        let stored = cpr_copy::get(&t.db, &v, &cpr("0202802345")).await?.unwrap();
        assert_eq!(stored.record, json!({ "name": "Jens Peter" }));
        assert_eq!(v.decrypt(&stored.cpr_encrypted)?, cpr("0202802345"));
        assert_eq!(cpr_copy::count(&t.db).await?, 2);
    }

    async fn older_data_never_overwrites_newer(t: TestDb) {
        let v = vault();
        let now = Utc::now();
        assert_eq!(cpr_copy::upsert(&t.db, &v, &record("0101801234", "Ny", 0), None, now).await?, Upserted::Inserted);
        assert_eq!(cpr_copy::upsert(&t.db, &v, &record("0101801234", "Gammel", 5), None, now).await?, Upserted::Unchanged);
        let stored = cpr_copy::get(&t.db, &v, &cpr("0101801234")).await?.unwrap();
        assert_eq!(stored.record, json!({ "name": "Ny" }));
        // The same record confirmed later only moves its date.
        let mut later = record("0101801234", "Ny", 0);
        later.as_of += Duration::days(1);
        assert_eq!(cpr_copy::upsert(&t.db, &v, &later, None, now).await?, Upserted::Unchanged);
        let stored = cpr_copy::get(&t.db, &v, &cpr("0101801234")).await?.unwrap();
        assert_eq!(stored.as_of, later.as_of);
        assert!(cpr_copy::get(&t.db, &v, &cpr("0202802345")).await?.is_none());
    }

    async fn the_copy_holds_no_plain_cpr_number(t: TestDb) {
        let v = vault();
        cpr_copy::upsert(&t.db, &v, &record("0101801234", "Søs", 0), None, Utc::now()).await?;
        let backend = t.db.get_database_backend();
        let sql = "SELECT cpr_hash, record FROM cpr_copy";
        let rows = t.db.query_all_raw(Statement::from_string(backend, sql)).await?;
        for row in rows {
            let hash: String = row.try_get("", "cpr_hash")?;
            let record: serde_json::Value = row.try_get("", "record")?;
            assert!(!hash.contains("0101801234") && !record.to_string().contains("0101801234"));
        }
    }

    async fn sync_selects_people_with_seats_in_live_elections(t: TestDb) {
        let w = World::build(&t.db).await?;
        let today = date(2026, 10, 1);
        let seat = w.seat(&t.db).await?;
        give(&t.db, seat, w.alice, "accepted").await;
        // Bob's seat is in the past: not synced.
        let old = w.seat_on(&t.db, date(2026, 9, 1)).await?;
        give(&t.db, old, w.bob, "invited").await;
        assert_eq!(cpr_review::participants_to_sync(&t.db, today).await?, vec![w.alice]);
        let seats = cpr_review::seats_to_check(&t.db, w.alice, today).await?;
        assert_eq!(seats.len(), 1);
        assert!(!seats[0].validation_off);
        // After the last task day an inactive election no longer counts.
        assert!(cpr_review::participants_to_sync(&t.db, date(2026, 11, 1)).await?.is_empty());
        let election = elections::Entity::find_by_id(w.election).one(&t.db).await?.unwrap();
        let mut active: elections::ActiveModel = election.into();
        active.active = Set(true);
        active.update(&t.db).await?;
        assert_eq!(cpr_review::participants_to_sync(&t.db, today).await?, vec![w.alice]);
    }

    async fn review_entries_open_once_and_resolve(t: TestDb) {
        let w = World::build(&t.db).await?;
        let seat = give(&t.db, w.seat(&t.db).await?, w.alice, "accepted").await;
        let now = Utc::now();
        let failed = [domain::Rule::ResidentInMunicipality];
        assert!(cpr_review::open(&t.db, seat.id, w.alice, &failed, now).await?);
        assert!(!cpr_review::open(&t.db, seat.id, w.alice, &failed, now).await?, "one open entry per seat");
        let entry = cpr_review::list(&t.db, false).await?.remove(0);
        assert_eq!(cpr_review::reasons(&entry), failed);
        let refused = cpr_review::resolve(&t.db, &staff(), entry.id, Resolution::Kept, " ", None, now).await;
        assert!(refused.unwrap_err().is_conflict(), "keeping needs a reason");
        let kept = cpr_review::resolve(&t.db, &staff(), entry.id, Resolution::Kept, "Flytter tilbage", None, now).await?;
        assert_eq!(kept.resolution.as_deref(), Some("kept"));
        assert!(cpr_review::list(&t.db, false).await?.is_empty());
        let seat = seats::Entity::find_by_id(seat.id).one(&t.db).await?.unwrap();
        assert_eq!(seat.state, "accepted");
        // A second entry, resolved by removal: the seat is freed.
        assert!(cpr_review::open(&t.db, seat.id, w.alice, &failed, now).await?);
        let entry = cpr_review::list(&t.db, false).await?.remove(0);
        cpr_review::resolve(&t.db, &staff(), entry.id, Resolution::Removed, "", None, now).await?;
        let seat = seats::Entity::find_by_id(seat.id).one(&t.db).await?.unwrap();
        assert_eq!((seat.state.as_str(), seat.participant_id), ("available", None));
        assert!(!cpr_review::release_seat(&t.db, &staff(), seat.id, w.alice, None, "igen").await?);
    }
}
