//! The portal's responsibles: a team responsible removing a member (refused
//! for one who served on the team), the free seats a list offers, and a
//! work location's day with ages and counts per task type.

use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use store::entity::{elections, seats, task_types, team_members, team_responsibles};
use store::repo::links::TaskFilter;
use store::repo::portal::{self, FreeSeats};
use store::repo::responsible::{self, Removal};
use store::store_tests;
use uuid::Uuid;

use crate::fixtures::{World, audit_rows, date, staff, team};

/// A new seat of the world's kind on `day`, held by `who` in `state`.
async fn held(db: &impl ConnectionTrait, w: &World, day: NaiveDate, who: Uuid, state: &str) -> anyhow::Result<Uuid> {
    let seat = w.seat_on(db, day).await?;
    let mut row: seats::ActiveModel = seat.into();
    row.state = Set(state.into());
    row.participant_id = Set(Some(who));
    row.invitation_code = Set((state == "invited").then(Uuid::new_v4));
    row.accepted_at = Set((state != "invited").then(Utc::now));
    Ok(row.update(db).await?.id)
}

async fn member(db: &impl ConnectionTrait, team: Uuid, who: Uuid) -> anyhow::Result<bool> {
    Ok(team_members::Entity::find_by_id((team, who)).one(db).await?.is_some())
}

async fn join(db: &impl ConnectionTrait, team: Uuid, who: Uuid) -> anyhow::Result<()> {
    team_members::ActiveModel { team_id: Set(team), participant_id: Set(who) }.insert(db).await?;
    Ok(())
}

async fn state(db: &impl ConnectionTrait, seat: Uuid) -> anyhow::Result<(String, Option<Uuid>)> {
    let row = seats::Entity::find_by_id(seat).one(db).await?.expect("seat");
    Ok((row.state, row.participant_id))
}

store_tests! {
    async fn a_member_who_served_on_the_team_is_not_removed(t: TestDb) {
        let db = &t.db;
        let w = World::build(db).await?;
        join(db, w.team, w.alice).await?;
        let served = held(db, &w, date(2026, 10, 27), w.alice, "accepted").await?;
        // Past invitations and service on other teams do not count.
        held(db, &w, date(2026, 10, 21), w.alice, "invited").await?;
        let after = date(2026, 10, 28);
        let members = responsible::members(db, w.team, after).await?;
        assert_eq!(members.iter().map(|m| m.served).collect::<Vec<_>>(), [Some(date(2026, 10, 27))]);
        let answer = responsible::remove_member(db, &staff(), w.team, w.alice, after, Utc::now()).await?;
        assert_eq!(answer, Removal::Refused { last_served: date(2026, 10, 27) });
        assert!(member(db, w.team, w.alice).await?);
        assert_eq!(state(db, served).await?, ("accepted".to_owned(), Some(w.alice)));
        assert!(audit_rows(db, "team_members").await?.is_empty());
        // Before the day it is not service yet: the removal frees the seat.
        let before = date(2026, 10, 22);
        let answer = responsible::remove_member(db, &staff(), w.team, w.alice, before, Utc::now()).await?;
        assert_eq!(answer, Removal::Removed { freed: 1 });
        assert!(!member(db, w.team, w.alice).await?);
        assert_eq!(state(db, served).await?, ("available".to_owned(), None));
        assert_eq!(audit_rows(db, "team_members").await?.len(), 1);
        let again = responsible::remove_member(db, &staff(), w.team, w.alice, before, Utc::now()).await;
        assert!(again.unwrap_err().is_not_found());
    }

    async fn an_accepted_seat_of_an_ended_election_keeps_the_member(t: TestDb) {
        let db = &t.db;
        let w = World::build(db).await?;
        join(db, w.team, w.bob).await?;
        // The seat's day lies after the election's last task day (28 October).
        held(db, &w, date(2026, 11, 5), w.bob, "checked_in").await?;
        let today = date(2026, 11, 1);
        let answer = responsible::remove_member(db, &staff(), w.team, w.bob, today, Utc::now()).await?;
        assert_eq!(answer, Removal::Refused { last_served: date(2026, 11, 5) });
        // On another team the same person may go.
        let other = team(db, "Venstre").await?;
        join(db, other.id, w.bob).await?;
        let answer = responsible::remove_member(db, &staff(), other.id, w.bob, today, Utc::now()).await?;
        assert_eq!(answer, Removal::Removed { freed: 0 });
        assert!(member(db, w.team, w.bob).await?);
    }

    async fn a_list_offers_free_untrusted_future_seats_of_active_elections_by_its_filter(t: TestDb) {
        let db = &t.db;
        let w = World::build(db).await?;
        let row = elections::Entity::find_by_id(w.election).one(db).await?.expect("election");
        let mut row: elections::ActiveModel = row.into();
        row.active = Set(true);
        row.update(db).await?;
        let today = date(2026, 10, 22);
        let on_day = w.seat_on(db, date(2026, 10, 27)).await?.id;
        let other_day = w.seat_on(db, date(2026, 10, 26)).await?.id;
        w.seat_on(db, date(2026, 10, 21)).await?; // past
        held(db, &w, date(2026, 10, 27), w.alice, "invited").await?; // taken
        let which = FreeSeats { election: Some(w.election), teams: Some(vec![w.team]), filter: TaskFilter::default() };
        let ids = |seats: Vec<portal::MySeat>| seats.into_iter().map(|s| s.seat_id).collect::<Vec<_>>();
        assert_eq!(ids(portal::free_seats(db, &which, today).await?), [other_day, on_day], "by date");
        let narrowed = FreeSeats { filter: TaskFilter { date: Some(date(2026, 10, 27)), ..TaskFilter::default() }, ..which.clone() };
        let found = portal::free_seats(db, &narrowed, today).await?;
        assert_eq!(found[0].work_location, "Korsbæk Skole");
        assert_eq!(ids(found), [on_day]);
        let elsewhere = FreeSeats { filter: TaskFilter { work_location: Some(Uuid::new_v4()), ..TaskFilter::default() }, ..which.clone() };
        assert!(portal::free_seats(db, &elsewhere, today).await?.is_empty());
        assert!(portal::free_seats(db, &FreeSeats { teams: Some(Vec::new()), ..which.clone() }, today).await?.is_empty());
        // The participant's own list: the teams they are in or lead.
        assert!(portal::open_seats(db, w.bob, today).await?.is_empty());
        team_responsibles::ActiveModel { team_id: Set(w.team), participant_id: Set(w.bob) }.insert(db).await?;
        assert_eq!(portal::open_seats(db, w.bob, today).await?.len(), 2);
        // A trusted task type is never offered.
        let task_type = task_types::Entity::find_by_id(w.task_type).one(db).await?.expect("task type");
        let mut task_type: task_types::ActiveModel = task_type.into();
        task_type.trusted = Set(true);
        task_type.update(db).await?;
        assert!(portal::free_seats(db, &which, today).await?.is_empty());
    }

    async fn a_work_locations_day_counts_per_task_type_with_ages(t: TestDb) {
        let db = &t.db;
        let w = World::build(db).await?;
        let row = elections::Entity::find_by_id(w.election).one(db).await?.expect("election");
        let mut row: elections::ActiveModel = row.into();
        row.active = Set(true);
        row.update(db).await?;
        let day = date(2026, 10, 27);
        held(db, &w, day, w.alice, "accepted").await?;
        held(db, &w, day, w.bob, "invited").await?;
        w.seat_on(db, day).await?;
        let staffed = responsible::location_day(db, w.work_location, day).await?;
        assert_eq!(staffed.free, 1);
        assert_eq!(staffed.task_types.len(), 1);
        let counts = staffed.task_types[0].counts;
        assert_eq!((counts.accepted, counts.invited, counts.available), (1, 1, 1));
        let lines: Vec<(&str, u32)> = staffed.roster.iter().map(|l| (l.name.as_str(), l.age)).collect();
        assert_eq!(lines, [("Alice Jensen", 46), ("Bob Jensen", 46)], "born 17-05-1980, by name");
    }
}
