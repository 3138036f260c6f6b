//! `cpr.refresh_local_copy`: a thirtieth of the participants a run, oldest
//! data first; stale answers write nothing.

use jobs::cpr::refresh::{REFRESH_LOCAL_COPY, RefreshOutcome, refresh_share};

use super::*;

/// 40 people born on different days of 1980 (a run's share: 2).
async fn forty(db: &sea_orm::DatabaseConnection) -> anyhow::Result<Vec<(Uuid, String)>> {
    let mut people = Vec::new();
    for n in 0..40u32 {
        let cpr = format!("{:02}{:02}80{:04}", 1 + n % 28, 1 + n / 28, 1000 + n);
        people.push((participant(db, &cpr).await?, cpr));
    }
    Ok(people)
}

async fn fetched_at(db: &sea_orm::DatabaseConnection, id: Uuid) -> Option<DateTime<Utc>> {
    participants::get(db, id).await.unwrap().cpr_fetched_at
}

store::store_tests! {
    async fn a_run_refreshes_only_its_share_oldest_first(t: TestDb) {
        assert!(jobs::catalog::schedules().iter().any(|s| s.kind == REFRESH_LOCAL_COPY));
        let people = forty(&t.db).await?;
        let fake = Arc::new(Fake::default());
        for (_, cpr) in &people {
            fake.set(record(cpr, HOME));
        }
        // Two people's data is older than everybody else's.
        let long_ago = now() - chrono::Duration::days(300);
        let oldest = [people[17].0, people[33].0];
        for id in oldest {
            participants::confirm_cpr_data(&t.db, id, "extract", long_ago).await?;
        }
        let before = fetched_at(&t.db, people[0].0).await;
        let outcome = refresh_share(&t.db, fake.as_ref(), &vault()).await?;
        assert_eq!(outcome, RefreshOutcome { asked: 2, refreshed: 2, stale: 0, failed: 0 });
        assert_eq!(*fake.calls.lock().unwrap(), 2);
        for id in oldest {
            let row = participants::get(&t.db, id).await?;
            assert_eq!((row.cpr_fetched_at, row.cpr_source.as_deref()), (Some(now()), Some("sf1520")));
        }
        assert_eq!(cpr_copy::count(&t.db).await?, 2);
        for (id, _) in people.iter().filter(|(id, _)| !oldest.contains(id)) {
            assert_eq!(fetched_at(&t.db, *id).await, before, "outside the share: untouched");
        }
        // The next run takes the next two; the refreshed ones wait a month.
        refresh_share(&t.db, fake.as_ref(), &vault()).await?;
        assert_eq!(cpr_copy::count(&t.db).await?, 4);
        let mut refreshed = Vec::new();
        for (id, cpr) in &people {
            if cpr_copy::get(&t.db, &vault(), &CprNumber::parse(cpr).unwrap()).await?.is_some() {
                refreshed.push(*id);
            }
        }
        assert_eq!(refreshed.len(), 4);
        assert!(oldest.iter().all(|id| refreshed.contains(id)));
    }

    async fn stale_answers_are_not_written_back(t: TestDb) {
        let p = participant(&t.db, "0101801234").await?;
        let as_of = now() - chrono::Duration::days(3);
        cpr_copy::upsert(&t.db, &vault(), &copy_record(&record("0101801234", "0751"), as_of, "extract"), None, as_of).await?;
        let before = participants::get(&t.db, p).await?;
        let copy = LocalCopy::new(t.db.clone(), vault());
        let outcome = refresh_share(&t.db, &copy, &vault()).await?;
        assert_eq!(outcome, RefreshOutcome { asked: 1, refreshed: 0, stale: 1, failed: 0 });
        let after = participants::get(&t.db, p).await?;
        assert_eq!((after.cpr_fetched_at, after.municipality_code), (before.cpr_fetched_at, before.municipality_code));
        let kept = cpr_copy::get(&t.db, &vault(), &CprNumber::parse("0101801234").unwrap()).await?.unwrap();
        assert_eq!(kept.as_of, as_of);
    }
}
