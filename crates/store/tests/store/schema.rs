//! The schema itself: every entity matches its table, seeds are there, and the
//! database enforces the invariants it is meant to enforce.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, ModelTrait, PaginatorTrait, Set, SqlErr,
    Statement,
};
use store::entity::*;
use uuid::Uuid;

use crate::fixtures::{World, date, participant, team};

fn is_unique_violation(result: Result<impl Sized, DbErr>) -> bool {
    matches!(result.map(|_| ()).map_err(|e| e.sql_err()), Err(Some(SqlErr::UniqueConstraintViolation(_))))
}

fn is_fk_violation(result: Result<impl Sized, DbErr>) -> bool {
    matches!(result.map(|_| ()).map_err(|e| e.sql_err()), Err(Some(SqlErr::ForeignKeyConstraintViolation(_))))
}

/// Selecting every column of every entity fails if a column name or type of
/// an entity and its table disagree.
async fn select_all(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    macro_rules! all {
        ($($table:ident),* $(,)?) => {
            $( $table::Entity::find().all(db).await?; )*
        };
    }
    all!(
        files,
        election_types,
        areas,
        task_types,
        task_type_files,
        teams,
        special_diets,
        participants,
        team_members,
        team_responsibles,
        participant_diets,
        users,
        participant_comments,
        work_locations,
        work_location_task_types,
        work_location_teams,
        work_location_responsibles,
        message_templates,
        message_template_files,
        elections,
        election_work_locations,
        election_message_templates,
        election_task_type_message_templates,
        seats,
        rejected_seats,
        links,
        message_log,
        audit_log,
        web_pages,
        contact_information,
        settings,
        sessions,
        saml_requests,
        saml_assertions,
    );
    Ok(())
}

async fn native_types_on_postgres(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    for (table, column, expected) in [
        ("seats", "id", "uuid"),
        ("seats", "created_at", "timestamp with time zone"),
        ("seats", "task_date", "date"),
        ("task_types", "start_time", "time without time zone"),
        ("participants", "cpr_encrypted", "bytea"),
        ("sessions", "data", "jsonb"),
    ] {
        let sql = format!(
            "SELECT data_type FROM information_schema.columns WHERE table_name = '{table}' AND column_name = '{column}'"
        );
        let row = db.query_one_raw(Statement::from_string(DbBackend::Postgres, sql)).await?.expect("column exists");
        assert_eq!(row.try_get::<String>("", "data_type")?, expected, "{table}.{column}");
    }
    Ok(())
}

async fn assign(
    db: &impl ConnectionTrait,
    seat: &seats::Model,
    state: &str,
    who: Option<Uuid>,
) -> Result<seats::Model, DbErr> {
    let mut active: seats::ActiveModel = seat.clone().into();
    active.state = Set(state.into());
    active.participant_id = Set(who);
    active.update(db).await
}

store::store_tests! {
    async fn migrations_create_every_table_and_the_seeds(t: TestDb) {
        select_all(&t.db).await?;
        let types = election_types::Entity::find().all(&t.db).await?;
        assert_eq!(types.len(), 3);
        let folketing = types.iter().find(|t| t.id == crate::fixtures::FOLKETINGSVALG).expect("seeded type");
        assert!(folketing.rule_age18 && folketing.rule_danish_citizen && folketing.rule_not_under_guardianship);
        let contact = contact_information::Entity::find_by_id(1).one(&t.db).await?.expect("seeded row");
        assert_eq!(contact.municipality_name, "");
        // Migrating again is a no-op.
        store::migrate(&t.db).await?;
        if store::db::backend_of(&t.db) == store::Backend::Postgres {
            native_types_on_postgres(&t.db).await?;
        }
    }

    async fn migrations_roll_back_and_apply_again(t: TestDb) {
        use sea_orm_migration::MigratorTrait;
        store::migration::Migrator::down(&t.db, None).await?;
        assert!(participants::Entity::find().all(&t.db).await.is_err(), "tables are gone");
        store::migrate(&t.db).await?;
        select_all(&t.db).await?;
        assert_eq!(election_types::Entity::find().count(&t.db).await?, 3);
    }

    async fn entities_round_trip_every_column_type(t: TestDb) {
        let w = World::build(&t.db).await?;
        let seat = w.seat(&t.db).await?;
        let code = Uuid::new_v4();
        let now = Utc::now();
        let mut active: seats::ActiveModel = seat.clone().into();
        active.state = Set("invited".into());
        active.participant_id = Set(Some(w.alice));
        active.invitation_code = Set(Some(code));
        active.invited_at = Set(Some(now));
        let saved = active.update(&t.db).await?;
        let loaded = seats::Entity::find_by_id(seat.id).one(&t.db).await?.unwrap();
        assert_eq!(saved, loaded);
        assert_eq!(loaded.invitation_code, Some(code));
        // Microsecond precision survives on both backends.
        assert_eq!(loaded.invited_at.unwrap().timestamp_micros(), now.timestamp_micros());
        let tt = task_types::Entity::find_by_id(w.task_type).one(&t.db).await?.unwrap();
        assert_eq!(tt.start_time.to_string(), "08:00:00");
        let link = links::ActiveModel {
            id: Set(Uuid::new_v4()),
            kind: Set("team".into()),
            token: Set("abc".into()),
            election_id: Set(None),
            team_id: Set(Some(w.team)),
            target: Set(serde_json::json!({"team": w.team})),
            created_at: Set(now),
            revoked_at: Set(None),
        }
        .insert(&t.db)
        .await?;
        assert_eq!(links::Entity::find_by_id(link.id).one(&t.db).await?.unwrap().target["team"], w.team.to_string());
    }

    async fn a_seat_state_and_its_participant_agree(t: TestDb) {
        let w = World::build(&t.db).await?;
        let seat = w.seat(&t.db).await?;
        assert!(assign(&t.db, &seat, "available", Some(w.alice)).await.is_err(), "free seat with a person");
        assert!(assign(&t.db, &seat, "invited", None).await.is_err(), "taken seat without a person");
        assign(&t.db, &seat, "invited", Some(w.alice)).await?;
    }

    async fn a_person_holds_one_seat_of_a_kind_per_day(t: TestDb) {
        let w = World::build(&t.db).await?;
        let (first, second) = (w.seat(&t.db).await?, w.seat(&t.db).await?);
        let next_day = w.seat_on(&t.db, date(2026, 10, 28)).await?;
        assign(&t.db, &first, "accepted", Some(w.alice)).await?;
        assert!(is_unique_violation(assign(&t.db, &second, "invited", Some(w.alice)).await));
        assign(&t.db, &second, "invited", Some(w.bob)).await?;
        assign(&t.db, &next_day, "invited", Some(w.alice)).await?;
        // Many free seats of one kind coexist: NULLs never collide.
        for _ in 0..3 {
            w.seat(&t.db).await?;
        }
    }

    async fn invitation_codes_are_unique(t: TestDb) {
        let w = World::build(&t.db).await?;
        let code = Uuid::new_v4();
        for (seat, who) in [(w.seat(&t.db).await?, w.alice), (w.seat_on(&t.db, date(2026, 10, 26)).await?, w.bob)] {
            let mut active: seats::ActiveModel = seat.into();
            active.state = Set("invited".into());
            active.participant_id = Set(Some(who));
            active.invitation_code = Set(Some(code));
            let result = active.update(&t.db).await;
            if who == w.bob {
                assert!(is_unique_violation(result));
            } else {
                result?;
            }
        }
    }

    async fn seats_exist_only_where_the_work_location_takes_part(t: TestDb) {
        let w = World::build(&t.db).await?;
        let other_location = work_locations::ActiveModel {
            id: Set(Uuid::new_v4()),
            area_id: Set(w.area),
            title: Set("Rådhuset".into()),
            title_key: Set("rådhuset".into()),
            address: Set("Torvet 1".into()),
            postal_code: Set("4000".into()),
            city: Set("Korsbæk".into()),
            vote_location: Set(None),
            created_at: Set(Utc::now()),
            updated_at: Set(Utc::now()),
        }
        .insert(&t.db)
        .await?;
        let stray = World { work_location: other_location.id, ..w };
        assert!(is_fk_violation(stray.seat(&t.db).await));
    }

    async fn a_participant_holding_a_seat_cannot_vanish_silently(t: TestDb) {
        let w = World::build(&t.db).await?;
        let seat = w.seat(&t.db).await?;
        let seat = assign(&t.db, &seat, "accepted", Some(w.alice)).await?;
        let alice = participants::Entity::find_by_id(w.alice).one(&t.db).await?.unwrap();
        assert!(is_fk_violation(alice.clone().delete(&t.db).await));
        assign(&t.db, &seat, "available", None).await?;
        alice.delete(&t.db).await?;
    }

    async fn names_and_titles_are_unique(t: TestDb) {
        let w = World::build(&t.db).await?;
        assert!(is_unique_violation(team(&t.db, "SOCIALDEMOKRATIET").await));
        let now = Utc::now();
        let area = areas::ActiveModel {
            id: Set(Uuid::new_v4()),
            name: Set("Nord".into()),
            name_key: Set("nord".into()),
            description: Set(String::new()),
            created_at: Set(now),
            updated_at: Set(now),
        };
        assert!(is_unique_violation(area.insert(&t.db).await));
        let election = elections::Entity::find_by_id(w.election).one(&t.db).await?.unwrap();
        let mut copy: elections::ActiveModel = election.into();
        copy.id = Set(Uuid::new_v4());
        assert!(is_unique_violation(copy.insert(&t.db).await));
        let diet = |id| special_diets::ActiveModel {
            id: Set(id),
            title: Set("Vegetar".into()),
            title_key: Set("vegetar".into()),
            created_at: Set(now),
            updated_at: Set(now),
        };
        diet(Uuid::new_v4()).insert(&t.db).await?;
        assert!(is_unique_violation(diet(Uuid::new_v4()).insert(&t.db).await));
        let template = |id| message_templates::ActiveModel {
            id: Set(id),
            kind: Set("invitation".into()),
            title: Set("Invitation".into()),
            title_key: Set("invitation".into()),
            subject: Set("Du er inviteret".into()),
            body: Set("Hej !name".into()),
            sms_text: Set(String::new()),
            is_default: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
        };
        template(Uuid::new_v4()).insert(&t.db).await?;
        assert!(is_unique_violation(template(Uuid::new_v4()).insert(&t.db).await));
    }

    async fn deletes_cascade_or_refuse_as_the_rules_say(t: TestDb) {
        let w = World::build(&t.db).await?;
        w.seat(&t.db).await?;
        team_members::ActiveModel { team_id: Set(w.team), participant_id: Set(w.alice) }.insert(&t.db).await?;
        // An area with work locations and an election type in use stay.
        let area = areas::Entity::find_by_id(w.area).one(&t.db).await?.unwrap();
        assert!(is_fk_violation(area.delete(&t.db).await));
        let folketing = election_types::Entity::find_by_id(crate::fixtures::FOLKETINGSVALG).one(&t.db).await?.unwrap();
        assert!(is_fk_violation(folketing.delete(&t.db).await));
        // Deleting an election deletes its seats; deleting a team its memberships.
        let election = elections::Entity::find_by_id(w.election).one(&t.db).await?.unwrap();
        election.delete(&t.db).await?;
        assert_eq!(seats::Entity::find().count(&t.db).await?, 0);
        assert_eq!(election_work_locations::Entity::find().count(&t.db).await?, 0);
        let team = teams::Entity::find_by_id(w.team).one(&t.db).await?.unwrap();
        team.delete(&t.db).await?;
        assert_eq!(team_members::Entity::find().count(&t.db).await?, 0);
        // Deleting a participant deletes their diets and comments.
        let carl = participant(&t.db, "Carl").await?;
        let now = Utc::now();
        participant_comments::ActiveModel {
            id: Set(Uuid::new_v4()),
            participant_id: Set(carl),
            text: Set("Ringer tilbage".into()),
            author_user_id: Set(None),
            author_name: Set("Sekretariatet".into()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&t.db)
        .await?;
        participants::Entity::delete_by_id(carl).exec(&t.db).await?;
        assert_eq!(participant_comments::Entity::find().count(&t.db).await?, 0);
    }

    async fn contact_information_has_exactly_one_row(t: TestDb) {
        let now = Utc::now();
        let second = contact_information::ActiveModel {
            id: Set(2),
            municipality_name: Set(String::new()),
            department: Set(String::new()),
            address: Set(String::new()),
            postal_code: Set(String::new()),
            city: Set(String::new()),
            phone: Set(String::new()),
            email: Set(String::new()),
            digital_post_url: Set(String::new()),
            logo_file_id: Set(None),
            updated_at: Set(now),
        };
        assert!(second.insert(&t.db).await.is_err());
    }
}
