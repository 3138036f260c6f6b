//! Provisional sign-ups answered for at last, review entries closing
//! themselves, and the tenant's review window.

use domain::revalidation::ReviewWindow;
use jobs::provisional::{CprServices, revalidate};
use store::entity::audit_log;
use store::repo::Actor;

use super::*;

fn services(registry: Arc<dyn CprRegistry>) -> CprServices {
    CprServices { registry, vault: vault(), municipality: MunicipalityCode::parse(HOME).unwrap() }
}

store::store_tests! {
    async fn a_failing_provisional_participant_goes_to_review_with_the_failed_rules(t: TestDb) {
        let w = world(&t.db, true, day(2030, 3, 10)).await?;
        let p = participant_as(&t.db, "0101801234", ValidationState::Provisional).await?;
        let accepted = seat(&t.db, &w, day(2030, 3, 10), p, "accepted").await?;
        let invited = seat(&t.db, &w, day(2030, 3, 9), p, "invited").await?;
        let fake = Arc::new(Fake::default());
        fake.set(record("0101801234", "0751"));
        let done = revalidate(&t.db, &services(fake), &Actor::system(), p, now()).await.unwrap();
        assert_eq!(done.state, ValidationState::Failing);
        assert_eq!((done.seats.sent_to_review, done.seats.invitations_retracted), (1, 1));
        // Held for a person to decide, with the rule that failed as the reason.
        assert_eq!(seat_row(&t.db, accepted).await.state, "accepted");
        let open = cpr_review::list(&t.db, false).await?;
        assert_eq!(open.len(), 1);
        assert_eq!((open[0].seat_id, open[0].participant_id), (accepted, p));
        assert_eq!(cpr_review::reasons(&open[0]), [domain::Rule::ResidentInMunicipality]);
        // The unanswered invitation lapses as in the sync.
        assert_eq!(seat_row(&t.db, invited).await.state, "available");
        let row = participants::get(&t.db, p).await?;
        assert_eq!((row.validation_state.as_str(), row.validation_reasons.as_str()), ("failing", "resident_in_municipality"));
        // The live answer became the local copy's last known record.
        assert!(cpr_copy::get(&t.db, &vault(), &CprNumber::parse("0101801234").unwrap()).await?.is_some());
    }

    async fn a_provisional_participant_who_passes_is_validated_and_keeps_the_seats(t: TestDb) {
        let w = world(&t.db, true, day(2030, 3, 10)).await?;
        let p = participant_as(&t.db, "0101801234", ValidationState::Provisional).await?;
        let accepted = seat(&t.db, &w, day(2030, 3, 10), p, "accepted").await?;
        let fake = Arc::new(Fake::default());
        fake.set(record("0101801234", HOME));
        let done = revalidate(&t.db, &services(fake), &Actor::system(), p, now()).await.unwrap();
        assert_eq!((done.state, done.seats.seats_checked), (ValidationState::Valid, 1));
        assert_eq!(seat_row(&t.db, accepted).await.state, "accepted");
        assert!(cpr_review::list(&t.db, true).await?.is_empty());
    }

    async fn an_open_review_closes_itself_when_cpr_data_passes_again(t: TestDb) {
        let w = world(&t.db, true, day(2030, 3, 10)).await?;
        let p = participant(&t.db, "0101801234").await?;
        let s = seat(&t.db, &w, day(2030, 3, 10), p, "accepted").await?;
        let fake = Arc::new(Fake::default());
        fake.set(record("0101801234", "0751"));
        let sync = sync_over(fake.clone());
        assert_eq!(sync.sync_person(&t.db, p, now()).await?.sent_to_review, 1);
        // A stale answer that passes closes nothing: only CPR itself may.
        let back_home = record("0101801234", HOME);
        let later = now() + chrono::Duration::hours(1);
        cpr_copy::upsert(&t.db, &vault(), &copy_record(&back_home, later, "extract"), None, later).await?;
        let stale = sync_over(Arc::new(LocalCopy::new(t.db.clone(), vault())));
        assert_eq!(stale.sync_person(&t.db, p, later).await?.reviews_closed, 0);
        assert_eq!(cpr_review::list(&t.db, false).await?.len(), 1);
        fake.set(back_home);
        let outcome = sync.sync_person(&t.db, p, later).await?;
        assert_eq!(outcome.reviews_closed, 1);
        assert!(cpr_review::list(&t.db, false).await?.is_empty());
        let closed = cpr_review::list(&t.db, true).await?;
        assert_eq!(closed[0].resolution.as_deref(), Some("eligible"));
        assert_eq!(closed[0].resolution_reason.as_deref(), Some(cpr_review::ELIGIBLE_AGAIN));
        assert_eq!(seat_row(&t.db, s).await.state, "accepted");
        let audit = audit_log::Entity::find()
            .filter(audit_log::Column::EntityTable.eq("cpr_review"))
            .filter(audit_log::Column::Action.eq("update"))
            .all(&t.db)
            .await?;
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].description, "Gennemsyn lukket: CPR-data opfylder igen reglerne");
        assert_eq!((audit[0].participant_id, audit[0].actor_name.as_str()), (Some(p), "System"));
        // Nothing left to close.
        assert_eq!(sync.sync_person(&t.db, p, later).await?.reviews_closed, 0);
    }

    async fn the_review_window_is_the_tenants_setting(t: TestDb) {
        assert_eq!(cpr_review::review_window(&t.db).await?, ReviewWindow::default());
        let w = world(&t.db, true, day(2030, 3, 10)).await?;
        let p = participant(&t.db, "0101801234").await?;
        let q = participant(&t.db, "0202802345").await?;
        let nine_days = seat(&t.db, &w, day(2030, 3, 10), p, "accepted").await?;
        let fake = Arc::new(Fake::default());
        fake.set(record("0101801234", "0751"));
        fake.set(record("0202802345", "0751"));
        // Within the default 14 days, but the tenant chose 5.
        cpr_review::set_review_window(&t.db, &Actor::system(), ReviewWindow::parse("5").unwrap()).await?;
        assert_eq!(cpr_review::review_window(&t.db).await?.days(), 5);
        let outcome = sync_over(fake.clone()).sync_person(&t.db, p, now()).await?;
        assert_eq!((outcome.sent_to_review, outcome.removed), (0, 1));
        assert_eq!(seat_row(&t.db, nine_days).await.state, "available");
        // The provisional check reads the same setting.
        cpr_review::set_review_window(&t.db, &Actor::system(), ReviewWindow::parse("9").unwrap()).await?;
        let held = seat(&t.db, &w, day(2030, 3, 10), q, "accepted").await?;
        let done = revalidate(&t.db, &services(fake), &Actor::system(), q, now()).await.unwrap();
        assert_eq!(done.seats.sent_to_review, 1);
        assert_eq!(seat_row(&t.db, held).await.state, "accepted");
    }
}

store::store_tests! {
    async fn the_sweep_validates_provisional_people_once_cpr_answers_again(t: TestDb) {
        let w = world(&t.db, true, day(2030, 3, 10)).await?;
        let first = participant_as(&t.db, "0101801234", ValidationState::Provisional).await?;
        let second = participant_as(&t.db, "1503751234", ValidationState::Provisional).await?;
        seat(&t.db, &w, day(2030, 3, 10), first, "accepted").await?;
        let fake = Arc::new(Fake::default());
        fake.set(record("0101801234", HOME));
        fake.set(record("1503751234", HOME));
        fake.set_down(true);
        let cpr = services(fake.clone());
        let swept = jobs::provisional::sweep(&t.db, &cpr, now()).await?;
        assert_eq!(swept, jobs::provisional::Swept { validated: 0, cpr_down: true });
        assert_eq!(*fake.calls.lock().unwrap(), 1, "one unanswered lookup stops the sweep");
        assert_eq!(participants::get(&t.db, first).await?.validation_state, "provisional");
        fake.set_down(false);
        let swept = jobs::provisional::sweep(&t.db, &cpr, now()).await?;
        assert_eq!(swept, jobs::provisional::Swept { validated: 2, cpr_down: false });
        for p in [first, second] {
            assert_eq!(participants::get(&t.db, p).await?.validation_state, "valid");
        }
        let again = jobs::provisional::sweep(&t.db, &cpr, now()).await?;
        assert_eq!(again.validated, 0, "nobody is left waiting");
        assert!(jobs::catalog::schedules().iter().any(|s| s.kind == jobs::provisional::SWEEP));
    }
}
