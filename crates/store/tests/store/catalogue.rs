//! Election types, areas and special diets: unique names regardless of case,
//! delete rules, and an audit row for every change.

use chrono::Utc;
use domain::RuleSet;
use domain::master::Name;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use store::Error;
use store::entity::{audit_log, election_types, elections, participant_diets};
use store::migration::seeded::{EUROPAPARLAMENTSVALG, FOLKETINGSVALG, KOMMUNALVALG};
use store::repo::areas::{self, AreaInput};
use store::repo::audit::Actor;
use store::repo::diets::{self, DietInput};
use store::repo::election_types::{self as types, ElectionTypeInput};
use uuid::Uuid;

use crate::fixtures::World;

fn actor() -> Actor {
    Actor::user(Uuid::new_v4(), "Sekretær Sørensen")
}

fn name(text: &str) -> Name {
    Name::parse(text).expect("a valid name")
}

fn election_type(title: &str, rules: RuleSet) -> ElectionTypeInput {
    ElectionTypeInput { title: name(title), rules }
}

fn area(text: &str, description: &str) -> AreaInput {
    AreaInput { name: name(text), description: description.into() }
}

fn diet(title: &str) -> DietInput {
    DietInput { title: name(title) }
}

/// The audit rows about one record, oldest first.
async fn audit_rows(db: &impl ConnectionTrait, table: &str, id: Uuid) -> anyhow::Result<Vec<audit_log::Model>> {
    let mut rows = audit_log::Entity::find()
        .filter(audit_log::Column::EntityTable.eq(table))
        .filter(audit_log::Column::EntityId.eq(id.to_string()))
        .all(db)
        .await?;
    rows.sort_by_key(|r| r.at);
    Ok(rows)
}

async fn audit_count(db: &impl ConnectionTrait) -> anyhow::Result<u64> {
    Ok(audit_log::Entity::find().count(db).await?)
}

/// The field and message of a conflict, failing the test on anything else.
fn conflict(result: Result<impl std::fmt::Debug, Error>) -> (&'static str, String) {
    match result {
        Err(Error::Conflict { field, message }) => (field, message),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

store::store_tests! {
    async fn election_type_is_created_with_rules_and_audited(t: TestDb) {
        let db = &t.db;
        let who = actor();
        let rules = RuleSet { age18: true, danish_citizen: true, ..RuleSet::NONE };
        let id = types::create(db, &who, &election_type("  Menighedsrådsvalg ", rules)).await?;
        let row = types::get(db, id).await?.expect("created");
        assert_eq!(row.title, "Menighedsrådsvalg");
        assert_eq!(row.title_key, "menighedsrådsvalg");
        assert_eq!(types::rules_of(&row), rules);
        let audit = audit_rows(db, "election_types", id).await?;
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].action, "create");
        assert_eq!(audit[0].actor_user_id, who.user_id);
        assert_eq!(audit[0].actor_name, "Sekretær Sørensen");
        assert!(audit[0].description.contains("Menighedsrådsvalg"), "{}", audit[0].description);
        assert!(audit[0].description.contains("Dansk statsborger"), "{}", audit[0].description);
    }

    async fn election_type_title_is_unique_ignoring_case(t: TestDb) {
        let db = &t.db;
        let before = audit_count(db).await?;
        let input = election_type("FOLKETINGSVALG OG  FOLKEAFSTEMNING", RuleSet::ALL);
        let (field, message) = conflict(types::create(db, &actor(), &input).await);
        assert_eq!(field, "title");
        assert!(message.contains("Der findes allerede en valgtype"), "{message}");
        let input = election_type("europa-parlamentsvalg", RuleSet::NONE);
        let (field, _) = conflict(types::update(db, &actor(), KOMMUNALVALG, &input).await);
        assert_eq!(field, "title");
        assert_eq!(audit_count(db).await?, before, "a refused change writes no audit row");
        // A type may keep its own title with other casing.
        types::update(db, &actor(), KOMMUNALVALG, &election_type("KOMMUNAL- og regionsrådsvalg", RuleSet::NONE)).await?;
        assert_eq!(types::get(db, KOMMUNALVALG).await?.unwrap().title, "KOMMUNAL- og regionsrådsvalg");
    }

    async fn database_catches_a_duplicate_the_check_missed(t: TestDb) {
        let db = &t.db;
        // A row whose key was written by someone else in the meantime: the
        // check compares titles, the unique index compares keys.
        let now = Utc::now();
        election_types::ActiveModel {
            id: Set(Uuid::new_v4()),
            title: Set("Anden titel".into()),
            title_key: Set("ny valgtype".into()),
            rule_age18: Set(false),
            rule_resident_in_municipality: Set(false),
            rule_danish_citizen: Set(false),
            rule_not_under_guardianship: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
        let input = election_type("Ny valgtype", RuleSet::NONE);
        let (field, message) = conflict(types::create(db, &actor(), &input).await);
        assert_eq!(field, "title");
        assert_eq!(message, "Der findes allerede en valgtype med den titel");
    }

    async fn election_type_update_is_audited_with_what_changed(t: TestDb) {
        let db = &t.db;
        types::update(db, &actor(), EUROPAPARLAMENTSVALG, &election_type("EP-valg", RuleSet::ALL)).await?;
        let row = types::get(db, EUROPAPARLAMENTSVALG).await?.unwrap();
        assert_eq!((row.title.as_str(), types::rules_of(&row)), ("EP-valg", RuleSet::ALL));
        let audit = audit_rows(db, "election_types", EUROPAPARLAMENTSVALG).await?;
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].action, "update");
        assert!(audit[0].description.contains("Europa-Parlamentsvalg"), "{}", audit[0].description);
        assert!(audit[0].description.contains("Ikke under værgemål"), "{}", audit[0].description);
        let missing = types::update(db, &actor(), Uuid::new_v4(), &election_type("X", RuleSet::NONE)).await;
        assert!(matches!(missing, Err(Error::NotFound { .. })));
    }

    async fn election_type_used_by_an_inactive_election_cannot_be_deleted(t: TestDb) {
        let db = &t.db;
        let world = World::build(db).await?;
        let election = elections::Entity::find_by_id(world.election).one(db).await?.unwrap();
        assert!(!election.active && election.election_type_id == FOLKETINGSVALG);
        let refusal = types::delete_refusal(db, FOLKETINGSVALG).await?.expect("refused");
        assert!(refusal.to_string().contains("bruges af 1 valg"));
        let before = audit_count(db).await?;
        let (field, message) = conflict(types::delete(db, &actor(), FOLKETINGSVALG).await);
        assert_eq!(field, "delete");
        assert!(message.contains("ikke slettes"), "{message}");
        assert!(types::get(db, FOLKETINGSVALG).await?.is_some());
        assert_eq!(audit_count(db).await?, before);
        // An unused type goes, with its audit row.
        assert_eq!(types::delete_refusal(db, KOMMUNALVALG).await?, None);
        types::delete(db, &actor(), KOMMUNALVALG).await?;
        assert!(types::get(db, KOMMUNALVALG).await?.is_none());
        let audit = audit_rows(db, "election_types", KOMMUNALVALG).await?;
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].action, "delete");
        assert!(audit[0].description.contains("Kommunal- og regionsrådsvalg"));
    }

    async fn election_types_list_in_danish_order_with_search_and_use(t: TestDb) {
        let db = &t.db;
        World::build(db).await?;
        types::create(db, &actor(), &election_type("Ørevalg", RuleSet::NONE)).await?;
        types::create(db, &actor(), &election_type("Åbent valg", RuleSet::NONE)).await?;
        let all = types::list(db, "").await?;
        let titles: Vec<&str> = all.iter().map(|r| r.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Europa-Parlamentsvalg",
                "Folketingsvalg og folkeafstemning",
                "Kommunal- og regionsrådsvalg",
                "Ørevalg",
                "Åbent valg",
            ]
        );
        assert_eq!(all[1].elections, 1);
        assert_eq!(all[0].elections, 0);
        let found = types::list(db, "FOLKETING").await?;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rules, RuleSet::ALL);
        assert_eq!(types::choices(db).await?.len(), 5);
    }

    async fn area_is_created_updated_and_audited(t: TestDb) {
        let db = &t.db;
        let id = areas::create(db, &actor(), &area("Østerbro", "  Bydelen øst for søerne ")).await?;
        let row = areas::get(db, id).await?.unwrap();
        assert_eq!((row.name.as_str(), row.name_key.as_str()), ("Østerbro", "østerbro"));
        assert_eq!(row.description, "Bydelen øst for søerne");
        let plain = areas::create(db, &actor(), &area("Vest", "")).await?;
        assert_eq!(areas::get(db, plain).await?.unwrap().description, "", "the description is optional");
        areas::update(db, &actor(), id, &area("Østerbro Nord", "")).await?;
        let audit = audit_rows(db, "areas", id).await?;
        let actions: Vec<&str> = audit.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["create", "update"]);
        assert!(audit[1].description.contains("Østerbro Nord"), "{}", audit[1].description);
        assert!(audit[1].description.contains("navn var »Østerbro«"), "{}", audit[1].description);
    }

    async fn area_name_is_unique_ignoring_case(t: TestDb) {
        let db = &t.db;
        let east = areas::create(db, &actor(), &area("Øst", "")).await?;
        let west = areas::create(db, &actor(), &area("Vest", "")).await?;
        let (field, message) = conflict(areas::create(db, &actor(), &area("ØST", "")).await);
        assert_eq!(field, "name");
        assert!(message.contains("Der findes allerede et område med navnet »ØST«"), "{message}");
        let (field, _) = conflict(areas::update(db, &actor(), west, &area("øst", "")).await);
        assert_eq!(field, "name");
        areas::update(db, &actor(), east, &area("ØST", "")).await?;
        assert_eq!(areas::list(db, "").await?.len(), 2);
    }

    async fn area_with_work_locations_cannot_be_deleted(t: TestDb) {
        let db = &t.db;
        let world = World::build(db).await?;
        areas::create(db, &actor(), &area("Syd", "")).await?;
        let refusal = areas::delete_refusal(db, world.area).await?.expect("refused");
        assert!(refusal.to_string().contains("har 1 arbejdssted"), "{refusal}");
        let before = audit_count(db).await?;
        let (field, _) = conflict(areas::delete(db, &actor(), world.area).await);
        assert_eq!(field, "delete");
        assert!(areas::get(db, world.area).await?.is_some());
        assert_eq!(audit_count(db).await?, before);
        let listed = areas::list(db, "nord").await?;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].work_locations, 1);
    }

    async fn last_area_cannot_be_deleted(t: TestDb) {
        let db = &t.db;
        let north = areas::create(db, &actor(), &area("Nord", "")).await?;
        let south = areas::create(db, &actor(), &area("Syd", "")).await?;
        areas::delete(db, &actor(), south).await?;
        assert!(areas::get(db, south).await?.is_none());
        let audit = audit_rows(db, "areas", south).await?;
        assert_eq!(audit.last().map(|r| r.action.as_str()), Some("delete"));
        let (field, message) = conflict(areas::delete(db, &actor(), north).await);
        assert_eq!(field, "delete");
        assert!(message.contains("eneste område"), "{message}");
        assert!(areas::get(db, north).await?.is_some());
    }

    async fn areas_search_name_and_description(t: TestDb) {
        let db = &t.db;
        areas::create(db, &actor(), &area("Nord", "Opstillingskreds 1")).await?;
        areas::create(db, &actor(), &area("Åkanten", "")).await?;
        areas::create(db, &actor(), &area("Alléen", "Opstillingskreds 2")).await?;
        let names = |rows: Vec<areas::AreaSummary>| rows.into_iter().map(|r| r.name).collect::<Vec<_>>();
        assert_eq!(names(areas::list(db, "").await?), ["Alléen", "Nord", "Åkanten"]);
        assert_eq!(names(areas::list(db, "opstillingskreds").await?), ["Alléen", "Nord"]);
        assert_eq!(names(areas::list(db, "ÅKANT").await?), ["Åkanten"]);
        assert_eq!(areas::choices(db).await?.len(), 3);
    }

    async fn diet_title_is_unique_ignoring_case_and_changes_are_audited(t: TestDb) {
        let db = &t.db;
        let vegan = diets::create(db, &actor(), &diet("Vegansk")).await?;
        let halal = diets::create(db, &actor(), &diet("Halal")).await?;
        let (field, message) = conflict(diets::create(db, &actor(), &diet("VEGANSK")).await);
        assert_eq!(field, "title");
        assert!(message.contains("Der findes allerede en specialkost"), "{message}");
        let (field, _) = conflict(diets::update(db, &actor(), halal, &diet("vegansk")).await);
        assert_eq!(field, "title");
        diets::update(db, &actor(), vegan, &diet("Vegansk kost")).await?;
        assert_eq!(diets::get(db, vegan).await?.unwrap().title, "Vegansk kost");
        let audit = audit_rows(db, "special_diets", vegan).await?;
        let actions: Vec<&str> = audit.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["create", "update"]);
        let titles: Vec<String> = diets::list(db, "").await?.into_iter().map(|r| r.title).collect();
        assert_eq!(titles, ["Halal", "Vegansk kost"]);
        assert_eq!(diets::list(db, "KOST").await?.len(), 1);
    }

    async fn deleting_a_diet_removes_it_from_participants(t: TestDb) {
        let db = &t.db;
        let world = World::build(db).await?;
        let gluten = diets::create(db, &actor(), &diet("Glutenfri")).await?;
        let lactose = diets::create(db, &actor(), &diet("Laktosefri")).await?;
        for (participant, diet) in [(world.alice, gluten), (world.bob, gluten), (world.alice, lactose)] {
            participant_diets::ActiveModel { participant_id: Set(participant), diet_id: Set(diet) }.insert(db).await?;
        }
        assert_eq!(diets::list(db, "gluten").await?[0].participants, 2);
        // No election is active: no warning.
        assert_eq!(diets::delete_warning(db, gluten).await?, None);
        assert_eq!(diets::delete(db, &actor(), gluten).await?, 2);
        assert!(diets::get(db, gluten).await?.is_none());
        let left = participant_diets::Entity::find().all(db).await?;
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].diet_id, lactose);
        let audit = audit_rows(db, "special_diets", gluten).await?;
        assert_eq!(audit.last().map(|r| r.action.as_str()), Some("delete"));
        assert!(audit.last().unwrap().description.contains("fjernet fra 2 deltagere"));
    }

    async fn deleting_a_diet_during_an_active_election_warns(t: TestDb) {
        let db = &t.db;
        let world = World::build(db).await?;
        let gluten = diets::create(db, &actor(), &diet("Glutenfri")).await?;
        participant_diets::ActiveModel { participant_id: Set(world.alice), diet_id: Set(gluten) }.insert(db).await?;
        let mut election: elections::ActiveModel =
            elections::Entity::find_by_id(world.election).one(db).await?.unwrap().into();
        election.active = Set(true);
        election.update(db).await?;
        let warning = diets::delete_warning(db, gluten).await?.expect("a warning");
        assert!(warning.contains("et aktivt valg"), "{warning}");
        assert!(warning.contains("1 deltager"), "{warning}");
        // A warning, not a refusal.
        assert_eq!(diets::delete(db, &actor(), gluten).await?, 1);
    }
}
