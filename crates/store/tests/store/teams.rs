//! Teams: unique names regardless of case, responsibles, the two delete
//! rules, and an audit row for every change.

use std::collections::BTreeSet;

use domain::master::Name;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use store::Error;
use store::entity::{audit_log, elections, seats, team_members};
use store::repo::audit::Actor;
use store::repo::teams::{self, TeamInput};
use uuid::Uuid;

use crate::fixtures::{World, participant, team};

fn actor() -> Actor {
    Actor::user(Uuid::new_v4(), "Sekretær Sørensen")
}

fn name(text: &str) -> Name {
    Name::parse(text).expect("a valid name")
}

fn input(team_name: &str) -> TeamInput {
    TeamInput {
        name: name(team_name),
        short_name: name("K"),
        description: "Kandidater og stillere".into(),
        responsibles: BTreeSet::new(),
    }
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

async fn join(db: &impl ConnectionTrait, team_id: Uuid, participant_id: Uuid) -> anyhow::Result<()> {
    team_members::ActiveModel { team_id: Set(team_id), participant_id: Set(participant_id) }.insert(db).await?;
    Ok(())
}

async fn set_active(db: &impl ConnectionTrait, election: Uuid, active: bool) -> anyhow::Result<()> {
    elections::ActiveModel { id: Set(election), active: Set(active), ..Default::default() }.update(db).await?;
    Ok(())
}

store::store_tests! {
    async fn team_is_created_with_responsibles_and_audited(t: TestDb) {
        let db = &t.db;
        let who = actor();
        let alice = participant(db, "Alice").await?;
        let mut new = input("  Venstre,   Danmarks Liberale Parti ");
        new.responsibles = BTreeSet::from([alice]);
        let id = teams::create(db, &who, &new).await?;
        let team = teams::get(db, id).await?.expect("created");
        assert_eq!(team.team.name, "Venstre, Danmarks Liberale Parti");
        assert_eq!(team.team.short_name, "K");
        assert_eq!(team.responsibles, BTreeSet::from([alice]));

        let rows = audit_rows(db, "teams", id).await?;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].action, "create");
        assert_eq!(rows[0].actor_user_id, who.user_id);
        let granted = audit_rows(db, "team_responsibles", id).await?;
        assert_eq!(granted.len(), 1);
        assert_eq!(granted[0].action, "permission_change");
        assert_eq!(granted[0].participant_id, Some(alice));
        assert!(granted[0].description.contains("teamansvarlig tilføjet: Alice Jensen"), "{}", granted[0].description);
    }

    async fn duplicate_names_are_refused_regardless_of_case(t: TestDb) {
        let db = &t.db;
        let first = teams::create(db, &actor(), &input("Socialdemokratiet")).await?;
        let (field, message) = conflict(teams::create(db, &actor(), &input("SOCIALDEMOKRATIET ")).await);
        assert_eq!(field, "name");
        assert!(message.contains("Der findes allerede et team"), "{message}");

        let second = teams::create(db, &actor(), &input("Enhedslisten")).await?;
        let (field, _) = conflict(teams::update(db, &actor(), second, &input("socialdemokratiet")).await);
        assert_eq!(field, "name");
        // Keeping one's own name (in another case) is fine.
        teams::update(db, &actor(), first, &input("SocialDemokratiet")).await?;
        assert_eq!(teams::get(db, first).await?.unwrap().team.name, "SocialDemokratiet");
    }

    async fn update_and_responsible_changes_are_audited(t: TestDb) {
        let db = &t.db;
        let (alice, bob) = (participant(db, "Alice").await?, participant(db, "Bob").await?);
        let mut new = input("Frivillige");
        new.responsibles = BTreeSet::from([alice]);
        let id = teams::create(db, &actor(), &new).await?;

        // Saving unchanged writes nothing.
        teams::update(db, &actor(), id, &new).await?;
        assert_eq!(audit_rows(db, "teams", id).await?.len(), 1);

        new.short_name = name("FRI");
        new.responsibles = BTreeSet::from([bob]);
        teams::update(db, &actor(), id, &new).await?;
        let rows = audit_rows(db, "teams", id).await?;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].action, "update");
        assert!(rows[1].description.contains("kort navn var »K«"), "{}", rows[1].description);
        let roles = audit_rows(db, "team_responsibles", id).await?;
        let texts: Vec<&str> = roles.iter().map(|r| r.description.as_str()).collect();
        assert_eq!(roles.len(), 3, "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("tilføjet: Bob Jensen")));
        assert!(texts.iter().any(|t| t.contains("fjernet: Alice Jensen")));
        assert_eq!(teams::get(db, id).await?.unwrap().responsibles, BTreeSet::from([bob]));
    }

    async fn unknown_responsible_is_refused(t: TestDb) {
        let db = &t.db;
        let mut new = input("Frivillige");
        new.responsibles = BTreeSet::from([Uuid::new_v4()]);
        let (field, _) = conflict(teams::create(db, &actor(), &new).await);
        assert_eq!(field, "responsibles");
        assert!(teams::list(db, "").await?.is_empty(), "nothing saved");
    }

    async fn list_searches_and_counts_members(t: TestDb) {
        let db = &t.db;
        let alice = participant(db, "Alice").await?;
        let a = teams::create(db, &actor(), &input("Øvrige")).await?;
        teams::create(db, &actor(), &input("Alternativet")).await?;
        join(db, a, alice).await?;
        let all = teams::list(db, "").await?;
        let names: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Alternativet", "Øvrige"]);
        assert_eq!(all[1].members, 1);
        let found = teams::list(db, "altern").await?;
        assert_eq!(found.len(), 1);
        assert_eq!(teams::choices(db).await?.len(), 2);
    }

    async fn team_with_seats_in_an_active_election_cannot_be_deleted(t: TestDb) {
        let db = &t.db;
        let world = World::build(db).await?;
        world.seat(db).await?;
        set_active(db, world.election, true).await?;
        let (field, message) = conflict(teams::delete(db, &actor(), world.team).await);
        assert_eq!(field, "delete");
        assert!(message.contains("aktivt valg"), "{message}");
        assert!(teams::delete_refusal(db, world.team).await?.is_some());

        // Once the election is over the team may go, and its seats with it.
        set_active(db, world.election, false).await?;
        assert_eq!(teams::seat_count(db, world.team).await?, 1);
        teams::delete(db, &actor(), world.team).await?;
        assert!(teams::get(db, world.team).await?.is_none());
        assert_eq!(seats::Entity::find().count(db).await?, 0);
        let rows = audit_rows(db, "teams", world.team).await?;
        assert_eq!(rows.last().map(|r| r.action.as_str()), Some("delete"));
    }

    async fn team_that_is_someones_only_team_cannot_be_deleted(t: TestDb) {
        let db = &t.db;
        let alice = participant(db, "Alice").await?;
        let only = teams::create(db, &actor(), &input("Konservative")).await?;
        join(db, only, alice).await?;
        let (field, message) = conflict(teams::delete(db, &actor(), only).await);
        assert_eq!(field, "delete");
        assert!(message.contains("1 deltager kun er med i dette team"), "{message}");

        let other = team(db, "Radikale").await?;
        join(db, other.id, alice).await?;
        teams::delete(db, &actor(), only).await?;
        assert!(teams::get(db, only).await?.is_none());
    }

    async fn deleting_a_missing_team_is_not_found(t: TestDb) {
        let result = teams::delete(&t.db, &actor(), Uuid::new_v4()).await;
        assert!(matches!(result, Err(Error::NotFound { .. })), "{result:?}");
    }
}
