//! Seats through `repo::seats`: distribution, assignment with checks, every
//! answer, and the message each change queues.

use chrono::{NaiveTime, Utc};
use domain::{MessageKind, MunicipalityCode};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use store::entity::{elections, message_log, participants, rejected_seats, seats, task_types, team_members};
use store::entity::{work_location_task_types, work_location_teams};
use store::repo::seats::{self as repo, Answer, KindCount, OverviewFilter};
use store::store_tests;
use uuid::Uuid;

use crate::fixtures::{World, date, staff};

fn own() -> MunicipalityCode {
    MunicipalityCode::parse("0265").unwrap()
}

/// The world with its team and task type offered at its work location.
async fn world(db: &impl ConnectionTrait) -> anyhow::Result<World> {
    let w = World::build(db).await?;
    work_location_teams::ActiveModel { work_location_id: Set(w.work_location), team_id: Set(w.team) }
        .insert(db)
        .await?;
    work_location_task_types::ActiveModel { work_location_id: Set(w.work_location), task_type_id: Set(w.task_type) }
        .insert(db)
        .await?;
    Ok(w)
}

async fn set_active(db: &impl ConnectionTrait, w: &World, active: bool) -> anyhow::Result<()> {
    let election = elections::Entity::find_by_id(w.election).one(db).await?.unwrap();
    let mut row: elections::ActiveModel = election.into();
    row.active = Set(active);
    row.update(db).await?;
    Ok(())
}

fn kind(w: &World, count: u32) -> KindCount {
    KindCount { date: date(2026, 10, 27), team: w.team, task_type: w.task_type, count }
}

async fn messages(db: &impl ConnectionTrait, participant: Uuid) -> anyhow::Result<Vec<String>> {
    let rows = message_log::Entity::find().filter(message_log::Column::ParticipantId.eq(participant)).all(db).await?;
    Ok(rows.into_iter().map(|m| m.kind).collect())
}

async fn seat_state(db: &impl ConnectionTrait, id: Uuid) -> anyhow::Result<(String, Option<Uuid>)> {
    let seat = seats::Entity::find_by_id(id).one(db).await?.unwrap();
    Ok((seat.state, seat.participant_id))
}

store_tests! {
    async fn distributing_adds_and_lowering_spares_accepted_and_retracts_invited(t: TestDb) {
        let db = &t.db;
        let w = world(db).await?;
        set_active(db, &w, true).await?;
        let now = Utc::now();
        let done = repo::distribute(db, &staff(), w.election, w.work_location, &[kind(&w, 4)], now).await?;
        assert_eq!(done.added, 4);
        let lines = repo::seat_lines(db, w.election, OverviewFilter::default()).await?;
        assert_eq!(lines.len(), 4);
        assert_eq!(repo::assign(db, &staff(), lines[0].seat.id, w.alice, &own(), now).await?, Answer::Done);
        assert_eq!(repo::assign(db, &staff(), lines[1].seat.id, w.bob, &own(), now).await?, Answer::Done);
        repo::accept(db, &staff(), lines[0].seat.id, w.alice, None, &own(), now).await?;

        let done = repo::distribute(db, &staff(), w.election, w.work_location, &[kind(&w, 0)], now).await?;
        assert_eq!((done.removed, done.retracted), (2, 1));
        assert_eq!(done.not_removed, vec![(kind(&w, 0), 1)], "the accepted seat stays and the form says so");
        let left = repo::seat_lines(db, w.election, OverviewFilter::default()).await?;
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].participant.as_ref().map(|p| p.0), Some(w.alice));
        let bob = messages(db, w.bob).await?;
        assert!(bob.contains(&MessageKind::RetractedInvitation.as_str().to_owned()), "{bob:?}");
    }

    async fn distribution_outside_the_task_days_or_the_work_location_is_refused(t: TestDb) {
        let db = &t.db;
        let w = world(db).await?;
        let early = KindCount { date: date(2026, 9, 1), ..kind(&w, 1) };
        let err = repo::distribute(db, &staff(), w.election, w.work_location, &[early], Utc::now()).await.unwrap_err();
        assert!(err.to_string().contains("uden for valgets opgavedage"), "{err}");
        let stranger = crate::fixtures::team(db, "Venstre").await?;
        let other = KindCount { team: stranger.id, ..kind(&w, 1) };
        let err = repo::distribute(db, &staff(), w.election, w.work_location, &[other], Utc::now()).await.unwrap_err();
        assert!(err.to_string().contains("Teamet er ikke knyttet"), "{err}");
    }

    async fn assigning_checks_every_rule_and_time_conflicts(t: TestDb) {
        let db = &t.db;
        let w = world(db).await?;
        let now = Utc::now();
        let first = w.seat(db).await?;
        let second = w.seat(db).await?;
        assert_eq!(repo::assign(db, &staff(), first.id, w.alice, &own(), now).await?, Answer::Done);
        let member = team_members::Entity::find_by_id((w.team, w.alice)).one(db).await?;
        assert!(member.is_some(), "assigning makes the person a team member");
        // Same task type, same day: a clash.
        let Answer::Refused(checks) = repo::assign(db, &staff(), second.id, w.alice, &own(), now).await? else {
            panic!("a clash must refuse");
        };
        assert_eq!(checks.conflicts.len(), 1);
        assert!(checks.problems()[0].contains("Allerede på en anden opgave"));
        // Dead and living elsewhere: both rules reported.
        let bob = participants::Entity::find_by_id(w.bob).one(db).await?.unwrap();
        let mut row: participants::ActiveModel = bob.into();
        row.deceased = Set(true);
        row.municipality_code = Set(Some("0101".into()));
        row.update(db).await?;
        let Answer::Refused(checks) = repo::assign(db, &staff(), second.id, w.bob, &own(), now).await? else {
            panic!("failed rules must refuse");
        };
        assert_eq!(checks.problems().len(), 2, "{:?}", checks.problems());
        assert_eq!(seat_state(db, second.id).await?, ("available".into(), None), "nothing changed");
    }

    async fn a_night_task_clashes_with_the_next_morning(t: TestDb) {
        let db = &t.db;
        let w = world(db).await?;
        let now = Utc::now();
        let night = task_types::ActiveModel {
            id: Set(Uuid::new_v4()),
            title: Set("Fintælling".into()),
            title_key: Set("fintælling".into()),
            short_name: Set("FT".into()),
            description: Set(String::new()),
            start_time: Set(NaiveTime::from_hms_opt(21, 0, 0).unwrap()),
            end_time: Set(NaiveTime::from_hms_opt(9, 0, 0).unwrap()),
            payment_kr: Set(None),
            trusted: Set(false),
            validation_off: Set(false),
            send_reminder: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
        let evening = w.seat_on(db, date(2026, 10, 26)).await?;
        let mut row: seats::ActiveModel = evening.clone().into();
        row.task_type_id = Set(night.id);
        row.update(db).await?;
        let morning = w.seat(db).await?;
        assert_eq!(repo::assign(db, &staff(), evening.id, w.alice, &own(), now).await?, Answer::Done);
        let answer = repo::assign(db, &staff(), morning.id, w.alice, &own(), now).await?;
        assert!(matches!(answer, Answer::Refused(ref c) if c.conflicts.len() == 1), "{answer:?}");
    }

    async fn messages_wait_for_activation_and_answers_queue_theirs(t: TestDb) {
        let db = &t.db;
        let w = world(db).await?;
        let now = Utc::now();
        let seat = w.seat(db).await?;
        repo::assign(db, &staff(), seat.id, w.alice, &own(), now).await?;
        assert!(messages(db, w.alice).await?.is_empty(), "an inactive election sends nothing");
        let row = seats::Entity::find_by_id(seat.id).one(db).await?.unwrap();
        assert!(!row.invitation_sent);
        set_active(db, &w, true).await?;
        repo::reject(db, &staff(), seat.id, w.alice, None, now).await?;
        assert_eq!(messages(db, w.alice).await?, vec![MessageKind::CancellationConfirmation.as_str().to_owned()]);
        let history = rejected_seats::Entity::find().all(db).await?;
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].participant_id, w.alice);

        repo::assign(db, &staff(), seat.id, w.bob, &own(), now).await?;
        assert_eq!(messages(db, w.bob).await?, vec![MessageKind::Invitation.as_str().to_owned()]);
        let code = seats::Entity::find_by_id(seat.id).one(db).await?.unwrap().invitation_code;
        // Alice holds no invitation; a made-up code is refused.
        let err = repo::accept(db, &staff(), seat.id, w.alice, Some(Uuid::new_v4()), &own(), now).await.unwrap_err();
        assert!(err.to_string().contains("Invitationen gælder ikke længere"), "{err}");
        repo::accept(db, &staff(), seat.id, w.bob, code, &own(), now).await?;
        repo::remove(db, &staff(), seat.id, now).await?;
        let bob = messages(db, w.bob).await?;
        for kind in [MessageKind::Invitation, MessageKind::RegistrationConfirmation, MessageKind::RemovedFromTask] {
            assert!(bob.contains(&kind.as_str().to_owned()), "{kind:?} in {bob:?}");
        }
        assert_eq!(seat_state(db, seat.id).await?, ("available".into(), None));
    }

    async fn cancelling_is_refused_inside_the_lock_period(t: TestDb) {
        let db = &t.db;
        let w = world(db).await?;
        let seat = w.seat(db).await?;
        let early = date(2026, 10, 1).and_hms_opt(12, 0, 0).unwrap().and_utc();
        repo::assign(db, &staff(), seat.id, w.alice, &own(), early).await?;
        repo::accept(db, &staff(), seat.id, w.alice, None, &own(), early).await?;
        // Lock period 3 days before 27 October.
        let late = date(2026, 10, 25).and_hms_opt(12, 0, 0).unwrap().and_utc();
        let err = repo::cancel(db, &staff(), seat.id, w.alice, late).await.unwrap_err();
        assert!(err.to_string().contains("Fristen for at afmelde"), "{err}");
        let err = repo::cancel(db, &staff(), seat.id, w.bob, early).await.unwrap_err();
        assert!(err.to_string().contains("anden deltager"), "{err}");
        repo::cancel(db, &staff(), seat.id, w.alice, early).await?;
        assert_eq!(seat_state(db, seat.id).await?, ("available".into(), None));
    }

    async fn replying_on_behalf_runs_the_same_checks(t: TestDb) {
        let db = &t.db;
        let w = world(db).await?;
        let now = Utc::now();
        let seat = w.seat(db).await?;
        repo::assign(db, &staff(), seat.id, w.alice, &own(), now).await?;
        let alice = participants::Entity::find_by_id(w.alice).one(db).await?.unwrap();
        let mut row: participants::ActiveModel = alice.into();
        row.citizenship = Set(Some("5110".into()));
        row.update(db).await?;
        let answer = repo::reply_on_behalf(db, &staff(), seat.id, true, &own(), now).await?;
        assert!(matches!(answer, Answer::Refused(_)), "{answer:?}");
        assert_eq!(seat_state(db, seat.id).await?.0, "invited");
        repo::reply_on_behalf(db, &staff(), seat.id, false, &own(), now).await?;
        assert_eq!(seat_state(db, seat.id).await?, ("available".into(), None));
        let err = repo::reply_on_behalf(db, &staff(), seat.id, true, &own(), now).await.unwrap_err();
        assert!(err.to_string().contains("ubesvaret invitation"), "{err}");
    }

    async fn free_seats_move_between_teams_and_the_overview_counts(t: TestDb) {
        let db = &t.db;
        let w = world(db).await?;
        let now = Utc::now();
        let other = crate::fixtures::team(db, "Venstre").await?;
        work_location_teams::ActiveModel { work_location_id: Set(w.work_location), team_id: Set(other.id) }
            .insert(db)
            .await?;
        repo::distribute(db, &staff(), w.election, w.work_location, &[kind(&w, 3)], now).await?;
        let lines = repo::seat_lines(db, w.election, OverviewFilter::default()).await?;
        repo::assign(db, &staff(), lines[0].seat.id, w.alice, &own(), now).await?;
        let moved = repo::move_free_seats(db, &staff(), w.election, w.work_location, kind(&w, 5), other.id, now).await?;
        assert_eq!(moved, 2, "only the two free seats move");
        let rows = repo::overview(db, w.election, OverviewFilter::default()).await?;
        assert_eq!(rows.len(), 2);
        let mine = rows.iter().find(|r| r.team_id == w.team).unwrap();
        assert_eq!((mine.counts.invited, mine.counts.available), (1, 0));
        let theirs = rows.iter().find(|r| r.team_id == other.id).unwrap();
        assert_eq!(theirs.counts.available, 2);
        let filtered = repo::overview(db, w.election, OverviewFilter { team: Some(other.id), ..Default::default() }).await?;
        assert_eq!(filtered.len(), 1);
        repo::reject(db, &staff(), lines[0].seat.id, w.alice, None, now).await?;
        let rows = repo::overview(db, w.election, OverviewFilter { team: Some(w.team), ..Default::default() }).await?;
        assert_eq!((rows[0].counts.rejected, rows[0].counts.available), (1, 1));
        let history = repo::rejected_history(db, w.election).await?;
        assert_eq!(history[0].participant, "Alice Jensen");
    }
}

/// A second election at the same work location, with its own free seat.
async fn other_election(db: &impl ConnectionTrait, w: &World) -> anyhow::Result<seats::Model> {
    let source = elections::Entity::find_by_id(w.election).one(db).await?.unwrap();
    let mut copy: elections::ActiveModel = source.into();
    let id = Uuid::new_v4();
    copy.id = Set(id);
    copy.title = Set("Regionsrådsvalg".into());
    copy.title_key = Set("regionsrådsvalg".into());
    copy.insert(db).await?;
    store::entity::election_work_locations::ActiveModel {
        election_id: Set(id),
        work_location_id: Set(w.work_location),
    }
    .insert(db)
    .await?;
    let seat = w.seat_on(db, date(2026, 10, 21)).await?;
    let mut row: seats::ActiveModel = seat.into();
    row.election_id = Set(id);
    Ok(row.update(db).await?)
}

store_tests! {
    async fn activation_queues_the_waiting_messages_of_that_election_once(t: TestDb) {
        use store::repo::seats::activation;
        let db = &t.db;
        let w = world(db).await?;
        let now = Utc::now();
        let invited = w.seat(db).await?;
        let accepted = w.seat_on(db, date(2026, 10, 22)).await?;
        let elsewhere = other_election(db, &w).await?;
        repo::assign(db, &staff(), invited.id, w.alice, &own(), now).await?;
        repo::assign(db, &staff(), accepted.id, w.bob, &own(), now).await?;
        repo::accept(db, &staff(), accepted.id, w.bob, None, &own(), now).await?;
        repo::assign(db, &staff(), elsewhere.id, w.bob, &own(), now).await?;
        assert_eq!(activation::queue_pending(db, w.election, 10, now).await?, 0, "inactive: nothing goes out");

        store::repo::elections::activate(db, &staff(), w.election).await?;
        let jobs = store::outbox::list(db, store::outbox::JobState::Queued, 10).await?;
        assert!(jobs.iter().any(|j| j.kind == activation::JOB), "activation starts the queueing");
        assert_eq!(activation::progress(db, w.election).await?, activation::Progress { pending: 2, queued: 0 });
        assert_eq!(activation::queue_pending(db, w.election, 1, now).await?, 1);
        assert_eq!(activation::progress(db, w.election).await?.percent(), 50);
        assert_eq!(activation::queue_pending(db, w.election, 10, now).await?, 1);
        assert_eq!(activation::queue_pending(db, w.election, 10, now).await?, 0, "a rerun sends nothing twice");

        assert_eq!(messages(db, w.alice).await?, vec![MessageKind::Invitation.as_str().to_owned()]);
        let bob = messages(db, w.bob).await?;
        assert_eq!(bob, vec![MessageKind::RegistrationConfirmation.as_str().to_owned()], "not the other election's");
        let other = activation::progress(db, elsewhere.election_id).await?;
        assert_eq!(other, activation::Progress { pending: 1, queued: 0 });
    }
}

store_tests! {
    async fn reminders_go_out_when_due_and_once(t: TestDb) {
        use store::repo::seats::reminders;
        let db = &t.db;
        let w = world(db).await?;
        set_active(db, &w, true).await?;
        let invited_on = date(2026, 10, 1).and_hms_opt(10, 0, 0).unwrap().and_utc();
        let invited = w.seat(db).await?;
        repo::assign(db, &staff(), invited.id, w.alice, &own(), invited_on).await?;
        let accepted = w.seat_on(db, date(2026, 10, 24)).await?;
        repo::assign(db, &staff(), accepted.id, w.bob, &own(), invited_on).await?;
        repo::accept(db, &staff(), accepted.id, w.bob, None, &own(), invited_on).await?;
        let count = |kind: MessageKind| async move {
            let rows = message_log::Entity::find().filter(message_log::Column::Kind.eq(kind.as_str())).all(db).await?;
            anyhow::Ok(rows.len())
        };

        let early = date(2026, 10, 5).and_hms_opt(9, 0, 0).unwrap().and_utc();
        assert_eq!(reminders::invitation_reminders(db, early).await?, 0, "not a week yet");
        let week = date(2026, 10, 8).and_hms_opt(9, 0, 0).unwrap().and_utc();
        assert_eq!(reminders::invitation_reminders(db, week).await?, 1);
        assert_eq!(reminders::invitation_reminders(db, week).await?, 0, "a second run sends nothing");
        let next_week = date(2026, 10, 15).and_hms_opt(9, 0, 0).unwrap().and_utc();
        assert_eq!(reminders::invitation_reminders(db, next_week).await?, 1, "every seven days");
        assert_eq!(count(MessageKind::InvitationReminder).await?, 2);

        // Bob's task on 24 October: reminded from 21 October, once.
        assert_eq!(reminders::task_reminders(db, next_week).await?, 0);
        let three_before = date(2026, 10, 21).and_hms_opt(9, 0, 0).unwrap().and_utc();
        assert_eq!(reminders::task_reminders(db, three_before).await?, 1);
        assert_eq!(reminders::task_reminders(db, three_before).await?, 0);
        assert_eq!(count(MessageKind::TaskReminder).await?, 1);

        // A task type without reminders gets none.
        let t2 = w.seat_on(db, date(2026, 10, 23)).await?;
        repo::assign(db, &staff(), t2.id, w.alice, &own(), invited_on).await?;
        repo::accept(db, &staff(), t2.id, w.alice, None, &own(), invited_on).await?;
        let task_type = task_types::Entity::find_by_id(w.task_type).one(db).await?.unwrap();
        let mut row: task_types::ActiveModel = task_type.into();
        row.send_reminder = Set(false);
        row.update(db).await?;
        assert_eq!(reminders::task_reminders(db, three_before).await?, 0);
    }
}

store_tests! {
    async fn a_changed_time_or_address_tells_everybody_who_holds_such_a_seat(t: TestDb) {
        use domain::master::Name;
        use domain::task_time::TaskTimes;
        use store::repo::task_types::TaskTypeInput;
        let db = &t.db;
        let w = world(db).await?;
        set_active(db, &w, true).await?;
        let now = Utc::now();
        // Tasks still ahead, whatever day the test runs.
        let (mine, theirs) = (w.seat_on(db, date(2099, 10, 27)).await?, w.seat_on(db, date(2099, 10, 26)).await?);
        repo::assign(db, &staff(), mine.id, w.alice, &own(), now).await?;
        repo::accept(db, &staff(), mine.id, w.alice, None, &own(), now).await?;
        repo::assign(db, &staff(), theirs.id, w.bob, &own(), now).await?;
        let changed = |kind: MessageKind| async move {
            let rows = message_log::Entity::find().filter(message_log::Column::Kind.eq(kind.as_str())).all(db).await?;
            anyhow::Ok(rows.len())
        };
        let hm = |h| chrono::NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        let input = |start, end| TaskTypeInput {
            title: Name::parse("Tilforordnet").unwrap(),
            short_name: Name::parse("TF").unwrap(),
            description: String::new(),
            times: TaskTimes::new(hm(start), hm(end)).unwrap(),
            payment_kr: Some(1000),
            trusted: false,
            validation_off: false,
            send_reminder: true,
        };
        // The same times: nobody is told.
        store::repo::task_types::update(db, &staff(), w.task_type, &input(8, 20), None).await?;
        assert_eq!(changed(MessageKind::TaskChanged).await?, 0);
        store::repo::task_types::update(db, &staff(), w.task_type, &input(7, 20), None).await?;
        assert_eq!(changed(MessageKind::TaskChanged).await?, 2, "the accepted and the invited are told");
        let moved = repo::changed::notify(db, repo::changed::Changed::WorkLocation(w.work_location), now).await?;
        assert_eq!(moved, 2);
    }
}
