//! Work locations: unique titles, the area they belong to, what applies at
//! them, the lock while an active election includes them, and an audit row
//! for every change.

use std::collections::BTreeSet;

use domain::PostalCode;
use domain::master::Name;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use store::Error;
use store::entity::{audit_log, elections, seats};
use store::repo::audit::Actor;
use store::repo::work_locations::{self, WorkLocationInput};
use uuid::Uuid;

use crate::fixtures::{World, participant, team};

fn actor() -> Actor {
    Actor::user(Uuid::new_v4(), "Sekretær Sørensen")
}

fn name(text: &str) -> Name {
    Name::parse(text).expect("a valid name")
}

fn input(world: &World, title: &str) -> WorkLocationInput {
    WorkLocationInput {
        title: name(title),
        area_id: world.area,
        address: name("Rådhuspladsen 1"),
        postal_code: PostalCode::parse("4000").unwrap(),
        city: name("Korsbæk"),
        vote_location: Some(7),
        task_types: BTreeSet::from([world.task_type]),
        teams: BTreeSet::from([world.team]),
        responsibles: BTreeSet::new(),
    }
}

/// The input that leaves the fixture's own work location as it is.
fn unchanged(world: &World) -> WorkLocationInput {
    let mut same = input(world, "Korsbæk Skole");
    same.address = name("Skolevej 1");
    same.vote_location = Some(1);
    same.task_types = BTreeSet::new();
    same.teams = BTreeSet::new();
    same
}

async fn audit_rows(db: &impl ConnectionTrait, table: &str, id: Uuid) -> anyhow::Result<Vec<audit_log::Model>> {
    let mut rows = audit_log::Entity::find()
        .filter(audit_log::Column::EntityTable.eq(table))
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

async fn set_active(db: &impl ConnectionTrait, election: Uuid, active: bool) -> anyhow::Result<()> {
    elections::ActiveModel { id: Set(election), active: Set(active), ..Default::default() }.update(db).await?;
    Ok(())
}

store::store_tests! {
    async fn work_location_is_created_with_what_applies_and_audited(t: TestDb) {
        let db = &t.db;
        let world = World::build(db).await?;
        let mut new = input(&world, " Rådhuset ");
        new.responsibles = BTreeSet::from([world.alice]);
        let id = work_locations::create(db, &actor(), &new).await?;
        let found = work_locations::get(db, id).await?.expect("created");
        assert_eq!(found.work_location.title, "Rådhuset");
        assert_eq!(found.work_location.postal_code, "4000");
        assert_eq!(found.work_location.vote_location, Some(7));
        assert_eq!(found.task_types, BTreeSet::from([world.task_type]));
        assert_eq!(found.teams, BTreeSet::from([world.team]));
        assert_eq!(found.responsibles, BTreeSet::from([world.alice]));
        assert_eq!(found.active_elections, 0);

        let rows = audit_rows(db, "work_locations", id).await?;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].action, "create");
        let roles = audit_rows(db, "work_location_responsibles", id).await?;
        assert_eq!(roles.len(), 1);
        assert_eq!(roles[0].participant_id, Some(world.alice));
    }

    async fn duplicate_titles_and_unknown_areas_are_refused(t: TestDb) {
        let db = &t.db;
        let world = World::build(db).await?;
        let (field, message) = conflict(work_locations::create(db, &actor(), &input(&world, "KORSBÆK SKOLE")).await);
        assert_eq!(field, "title");
        assert!(message.contains("arbejdssted"), "{message}");

        let mut lost = input(&world, "Hallen");
        lost.area_id = Uuid::new_v4();
        let (field, _) = conflict(work_locations::create(db, &actor(), &lost).await);
        assert_eq!(field, "area_id");

        let hall = work_locations::create(db, &actor(), &input(&world, "Hallen")).await?;
        let (field, _) = conflict(work_locations::update(db, &actor(), hall, &input(&world, "korsbæk skole")).await);
        assert_eq!(field, "title");
    }

    async fn task_types_and_teams_are_locked_while_an_active_election_includes_it(t: TestDb) {
        let db = &t.db;
        let world = World::build(db).await?;
        set_active(db, world.election, true).await?;
        let id = world.work_location;

        let (field, message) = conflict(work_locations::update(db, &actor(), id, &input(&world, "Korsbæk Skole")).await);
        assert_eq!(field, "task_types");
        assert!(message.contains("aktivt valg"), "{message}");
        let mut teams_only = unchanged(&world);
        teams_only.teams = BTreeSet::from([world.team]);
        let (field, _) = conflict(work_locations::update(db, &actor(), id, &teams_only).await);
        assert_eq!(field, "teams");

        // Everything else may still change.
        let mut renamed = unchanged(&world);
        renamed.title = name("Korsbæk Skole, aulaen");
        work_locations::update(db, &actor(), id, &renamed).await?;
        assert_eq!(work_locations::get(db, id).await?.unwrap().work_location.title, "Korsbæk Skole, aulaen");

        set_active(db, world.election, false).await?;
        work_locations::update(db, &actor(), id, &input(&world, "Korsbæk Skole")).await?;
        let found = work_locations::get(db, id).await?.unwrap();
        assert_eq!(found.teams, BTreeSet::from([world.team]));
        let rows = audit_rows(db, "work_locations", id).await?;
        assert!(rows.last().unwrap().description.contains("opgavetyper ændret"), "{}", rows.last().unwrap().description);
    }

    async fn work_location_in_an_active_election_cannot_be_deleted(t: TestDb) {
        let db = &t.db;
        let world = World::build(db).await?;
        world.seat(db).await?;
        set_active(db, world.election, true).await?;
        let (field, message) = conflict(work_locations::delete(db, &actor(), world.work_location).await);
        assert_eq!(field, "delete");
        assert!(message.contains("med i et aktivt valg"), "{message}");

        set_active(db, world.election, false).await?;
        assert_eq!(work_locations::seat_count(db, world.work_location).await?, 1);
        work_locations::delete(db, &actor(), world.work_location).await?;
        assert!(work_locations::get(db, world.work_location).await?.is_none());
        assert_eq!(seats::Entity::find().count(db).await?, 0);
        let rows = audit_rows(db, "work_locations", world.work_location).await?;
        assert_eq!(rows.last().map(|r| r.action.as_str()), Some("delete"));
    }

    async fn list_searches_and_marks_active_ones(t: TestDb) {
        let db = &t.db;
        let world = World::build(db).await?;
        let mut hall = input(&world, "Hallen");
        hall.city = name("Grønnerup");
        work_locations::create(db, &actor(), &hall).await?;
        set_active(db, world.election, true).await?;

        let all = work_locations::list(db, "").await?;
        let titles: Vec<&str> = all.iter().map(|w| w.title.as_str()).collect();
        assert_eq!(titles, ["Hallen", "Korsbæk Skole"]);
        assert_eq!(all[0].area, "Nord");
        assert_eq!(all[1].active_elections, 1);
        assert_eq!(work_locations::list(db, "grønnerup").await?.len(), 1);
        assert_eq!(work_locations::list(db, "nord").await?.len(), 2);
    }

    async fn unknown_team_is_refused_next_to_the_list(t: TestDb) {
        let db = &t.db;
        let world = World::build(db).await?;
        let other = team(db, "Radikale").await?;
        let mut new = input(&world, "Hallen");
        new.teams = BTreeSet::from([other.id, Uuid::new_v4()]);
        let (field, _) = conflict(work_locations::create(db, &actor(), &new).await);
        assert_eq!(field, "teams");
        assert_eq!(work_locations::list(db, "hallen").await?.len(), 0, "nothing saved");
        let bob = participant(db, "Bob").await?;
        let mut with_bob = input(&world, "Hallen");
        with_bob.responsibles = BTreeSet::from([bob]);
        work_locations::create(db, &actor(), &with_bob).await?;
    }
}
