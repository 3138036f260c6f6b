//! Around a participant: the date and rules eligibility is checked for,
//! team memberships (a team with a seat cannot be left), comments, and the
//! list filters for accepted seats and task types.

use std::collections::BTreeSet;

use sea_orm::{ActiveModelTrait, Set};
use store::entity::seats;
use store::repo::Page;
use store::repo::participant_details::{self as details, ListFilter, Sort};

use crate::fixtures::{World, audit_rows, date, team};

store::store_tests! {
    async fn the_check_date_is_the_next_seat_else_the_next_election_else_today(t: TestDb) {
        let w = World::build(&t.db).await?;
        let today = date(2026, 9, 1);
        let basis = details::check_basis(&t.db, w.alice, today).await?;
        assert_eq!(basis.date, date(2026, 10, 27), "the next election");
        assert!(basis.what.contains("valgdagen"));
        let seat = w.seat_on(&t.db, date(2026, 10, 24)).await?;
        seats::ActiveModel { id: Set(seat.id), participant_id: Set(Some(w.alice)), state: Set("accepted".into()), ..Default::default() }
            .update(&t.db)
            .await?;
        let basis = details::check_basis(&t.db, w.alice, today).await?;
        assert_eq!(basis.date, date(2026, 10, 24), "the next seat");
        let after = details::check_basis(&t.db, w.alice, date(2027, 1, 1)).await?;
        assert_eq!(after.date, date(2027, 1, 1), "nothing ahead: today");
        assert!(after.rules.age18 && after.rules.danish_citizen && after.rules.resident_in_municipality);
    }

    async fn a_team_with_a_seat_cannot_be_left_and_filters_find_seat_holders(t: TestDb) {
        let w = World::build(&t.db).await?;
        let other = team(&t.db, "Andre").await?.id;
        details::set_teams(&t.db, w.alice, &BTreeSet::from([w.team])).await?;
        let seat = w.seat(&t.db).await?;
        seats::ActiveModel { id: Set(seat.id), participant_id: Set(Some(w.alice)), state: Set("accepted".into()), ..Default::default() }
            .update(&t.db)
            .await?;
        let refused = details::set_teams(&t.db, w.alice, &BTreeSet::from([other])).await;
        assert!(matches!(refused, Err(store::Error::Conflict { field: "teams", .. })), "{refused:?}");
        details::set_teams(&t.db, w.alice, &BTreeSet::from([other, w.team])).await?;
        assert_eq!(details::team_ids_of(&t.db, w.alice).await?, BTreeSet::from([other, w.team]));

        let accepted = ListFilter { has_accepted_seat: Some(true), ..ListFilter::default() };
        let found = details::list(&t.db, &accepted, Sort::Name, Page::default()).await?;
        assert_eq!(found.items.iter().map(|p| p.id).collect::<Vec<_>>(), vec![w.alice]);
        let without = ListFilter { has_accepted_seat: Some(false), ..ListFilter::default() };
        let found = details::list(&t.db, &without, Sort::Name, Page::default()).await?;
        assert_eq!(found.items.iter().map(|p| p.id).collect::<Vec<_>>(), vec![w.bob]);
        let by_type = ListFilter { task_type_ids: BTreeSet::from([w.task_type]), ..ListFilter::default() };
        assert_eq!(details::list(&t.db, &by_type, Sort::Name, Page::default()).await?.total, 1);
        let warnings = details::delete_warnings(&t.db, w.alice).await?;
        assert_eq!(warnings.seats, 1);
    }

    async fn comments_are_added_deleted_and_audited(t: TestDb) {
        let w = World::build(&t.db).await?;
        // A comment's author is a user row; the system actor has none.
        let staff = store::repo::Actor::system;
        let id = details::add_comment(&t.db, &staff(), w.alice, "Ringer tilbage").await?;
        assert_eq!(details::comments_of(&t.db, w.alice).await?.len(), 1);
        let wrong = details::delete_comment(&t.db, &staff(), w.bob, id).await;
        assert!(wrong.is_err(), "only the participant's own comment");
        details::delete_comment(&t.db, &staff(), w.alice, id).await?;
        assert!(details::comments_of(&t.db, w.alice).await?.is_empty());
        let rows = audit_rows(&t.db, "participant_comments").await?;
        assert_eq!(rows.len(), 2);
    }
}
