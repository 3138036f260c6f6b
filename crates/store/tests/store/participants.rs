//! Participants: CPR encryption at rest, duplicate CPR numbers, updates,
//! lists and deletion.

use domain::{Email, Mobile};
use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};
use store::Error;
use store::entity::{participants as rows, seats, team_members};
use store::repo::participants::{self, Contact, ParticipantFilter, ValidationState};
use store::repo::{Page, audit};

use crate::fixtures::{World, audit_rows, cpr, new_participant, staff, vault};

store::store_tests! {
    async fn the_cpr_number_is_stored_encrypted_and_found_by_hash(t: TestDb) {
        let v = vault();
        let created = participants::create(&t.db, &v, &staff(), new_participant("0101901234", "Anna", "Holm")).await?;
        assert!(!created.cpr_encrypted.windows(10).any(|w| w == b"0101901234"));
        assert_ne!(created.cpr_hash, "0101901234");
        assert_eq!(participants::cpr_of(&v, &created)?, cpr("0101901234"));
        let found = participants::find_by_cpr(&t.db, &v, &cpr("010190-1234")).await?.expect("found by CPR");
        assert_eq!(found.id, created.id);
        assert!(participants::find_by_cpr(&t.db, &v, &cpr("0101901235")).await?.is_none());
        // Another tenant's key neither finds nor decrypts the person.
        let other = store::crypto::CprVault::new(&[8; 32]);
        assert!(participants::find_by_cpr(&t.db, &other, &cpr("0101901234")).await?.is_none());
        assert!(participants::cpr_of(&other, &created).is_err());
        assert_eq!(created.validation_state, "valid");
        assert_eq!(created.municipality_code.as_deref(), Some("0265"));
        let audit = audit_rows(&t.db, "participants").await?;
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].action, "create");
        assert_eq!(audit[0].participant_id, Some(created.id));
        assert!(!audit[0].description.contains("0101901234"));
    }

    async fn a_second_profile_for_one_cpr_number_is_a_conflict(t: TestDb) {
        let v = vault();
        participants::create(&t.db, &v, &staff(), new_participant("0101901234", "Anna", "Holm")).await?;
        let again = participants::create(&t.db, &v, &staff(), new_participant("010190-1234", "Anna", "Holm")).await;
        match again {
            Err(Error::Conflict { field, message }) => {
                assert_eq!(field, "cpr");
                assert_eq!(message, "Der findes allerede en deltager med dette CPR-nummer");
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert_eq!(participants::count(&t.db, &ParticipantFilter::default()).await?, 1);
        assert_eq!(audit_rows(&t.db, "participants").await?.len(), 1, "no audit row for the refused insert");
        // Inside a caller's transaction the refusal leaves the transaction usable.
        let tx = t.db.begin().await?;
        assert!(participants::create(&tx, &v, &staff(), new_participant("0101901234", "A", "H")).await.is_err());
        participants::create(&tx, &v, &staff(), new_participant("0202901234", "Bo", "Holm")).await?;
        tx.commit().await?;
        assert_eq!(participants::count(&t.db, &ParticipantFilter::default()).await?, 2);
    }

    async fn contact_data_validation_and_consent_are_updated_with_audit(t: TestDb) {
        let v = vault();
        let p = participants::create(&t.db, &v, &staff(), new_participant("0101901234", "Anna", "Holm")).await?;
        let contact = Contact { mobile: Some(Mobile::parse("12 34 56 78")?), email: Some(Email::parse("anna@example.dk")?) };
        let updated = participants::update_contact(&t.db, &staff(), p.id, contact).await?;
        assert_eq!(updated.mobile.as_deref(), Some("+4512345678"));
        assert_eq!(updated.email.as_deref(), Some("anna@example.dk"));
        assert!(updated.updated_at >= p.updated_at);
        let checked = chrono::Utc::now();
        let failing = participants::set_validation(
            &t.db, &staff(), p.id, ValidationState::Failing, &[domain::Rule::Age18, domain::Rule::DanishCitizen], checked,
        )
        .await?;
        assert_eq!(failing.validation_state, "failing");
        assert_eq!(failing.validation_reasons, "age18,danish_citizen");
        let day = crate::fixtures::date(2027, 1, 1);
        assert_eq!(participants::set_consent(&t.db, &staff(), p.id, Some(day)).await?.consent_until, Some(day));
        let mut data = crate::fixtures::cpr_data("Anna", "Holm-Berg", p.birth_date);
        data.protected_address = true;
        let refreshed = participants::update_cpr_data(&t.db, &staff(), p.id, data).await?;
        assert_eq!((refreshed.last_name.as_str(), refreshed.protected_address), ("Holm-Berg", true));
        let audit = audit_rows(&t.db, "participants").await?;
        let actions: Vec<_> = audit.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, ["create", "update", "update", "update", "update"]);
        assert_eq!(audit[1].description, "Kontaktoplysninger ændret: mobilnummer, e-mail");
        assert!(audit.iter().all(|a| a.actor_name == "Sekretær Sørensen"));
    }

    async fn unknown_participants_are_not_found(t: TestDb) {
        let missing = uuid::Uuid::new_v4();
        assert!(participants::get(&t.db, missing).await.unwrap_err().is_not_found());
        let err = participants::update_contact(&t.db, &staff(), missing, Contact::default()).await.unwrap_err();
        assert!(err.is_not_found());
        assert_eq!(err.to_string(), "Deltageren findes ikke");
        assert!(participants::delete(&t.db, &staff(), missing).await.unwrap_err().is_not_found());
    }

    async fn lists_filter_sort_and_page(t: TestDb) {
        let v = vault();
        let team = crate::fixtures::team(&t.db, "Venstre").await?;
        let names = [("0101901234", "Søren", "Ærø"), ("0202801234", "Bent", "Andersen"), ("0303701234", "Clara", "Berg")];
        for (number, first, last) in names {
            let p = participants::create(&t.db, &v, &staff(), new_participant(number, first, last)).await?;
            if first != "Clara" {
                team_members::ActiveModel { team_id: Set(team.id), participant_id: Set(p.id) }.insert(&t.db).await?;
            }
        }
        let all = participants::list(&t.db, &ParticipantFilter::default(), Page::new(1, 2)).await?;
        assert_eq!(all.total, 3);
        assert_eq!(all.pages(), 2);
        let last_names: Vec<_> = all.items.iter().map(|p| p.last_name.as_str()).collect();
        assert_eq!(last_names, ["Andersen", "Berg"]);
        let second = participants::list(&t.db, &ParticipantFilter::default(), Page::new(2, 2)).await?;
        assert_eq!(second.items.len(), 1);
        let search = |text: &str| ParticipantFilter { text: Some(text.into()), ..Default::default() };
        assert_eq!(participants::count(&t.db, &search("bent ANDER")).await?, 1);
        assert_eq!(participants::count(&t.db, &search("søren")).await?, 1);
        assert_eq!(participants::count(&t.db, &search("Ærø")).await?, 1);
        assert_eq!(participants::count(&t.db, &search("%")).await?, 0, "wildcards are literal");
        let in_team = ParticipantFilter { team_id: Some(team.id), ..Default::default() };
        assert_eq!(participants::count(&t.db, &in_team).await?, 2);
        let born = ParticipantFilter { born_from: Some(crate::fixtures::date(1975, 1, 1)), ..Default::default() };
        assert_eq!(participants::count(&t.db, &born).await?, 2);
        let provisional = ParticipantFilter { validation: Some(ValidationState::Provisional), ..Default::default() };
        assert_eq!(participants::count(&t.db, &provisional).await?, 0);
    }

    async fn deleting_a_participant_frees_their_seats(t: TestDb) {
        let v = vault();
        let w = World::build(&t.db).await?;
        let p = participants::create(&t.db, &v, &staff(), new_participant("0101901234", "Anna", "Holm")).await?;
        let seat = w.seat(&t.db).await?;
        let mut taken: seats::ActiveModel = seat.clone().into();
        taken.state = Set("accepted".into());
        taken.participant_id = Set(Some(p.id));
        taken.invitation_sent = Set(true);
        taken.update(&t.db).await?;
        team_members::ActiveModel { team_id: Set(w.team), participant_id: Set(p.id) }.insert(&t.db).await?;
        participants::delete(&t.db, &staff(), p.id).await?;
        assert!(rows::Entity::find_by_id(p.id).one(&t.db).await?.is_none());
        let freed = seats::Entity::find_by_id(seat.id).one(&t.db).await?.unwrap();
        assert_eq!((freed.state.as_str(), freed.participant_id, freed.invitation_sent), ("available", None, false));
        let audit = audit_rows(&t.db, "participants").await?;
        let deletion = audit.last().unwrap();
        assert_eq!(deletion.action, "delete");
        assert_eq!(deletion.description, "Deltager slettet: Anna Holm (1 opgave(r) gjort ledige)");
        // The audit trail outlives the person.
        assert_eq!(audit.len(), 2);
    }

    async fn a_rolled_back_transaction_leaves_neither_change_nor_audit_row(t: TestDb) {
        let v = vault();
        let tx = t.db.begin().await?;
        let p = participants::create(&tx, &v, &staff(), new_participant("0101901234", "Anna", "Holm")).await?;
        assert_eq!(audit_rows(&tx, "participants").await?.len(), 1, "visible inside the transaction");
        tx.rollback().await?;
        assert!(rows::Entity::find_by_id(p.id).one(&t.db).await?.is_none());
        assert!(audit_rows(&t.db, "participants").await?.is_empty());
        let listed = audit::list(&t.db, &Default::default(), Page::default()).await?;
        assert_eq!(listed.total, 0);
    }
}

/// Web handlers need `Send` futures; this fails to compile if a repository
/// future stops being `Send` (e.g. by holding a non-`Sync` value across an
/// await).
#[allow(dead_code)]
fn repository_futures_are_send(db: &sea_orm::DatabaseConnection, tx: &sea_orm::DatabaseTransaction) {
    fn send<T: Send>(_: T) {}
    let v = vault();
    send(participants::create(db, &v, &staff(), new_participant("0101901234", "A", "B")));
    send(participants::create(tx, &v, &staff(), new_participant("0101901234", "A", "B")));
    send(participants::list(db, &ParticipantFilter::default(), Page::default()));
    send(participants::delete(tx, &staff(), uuid::Uuid::nil()));
    send(audit::list(db, &Default::default(), Page::default()));
    let token = store::repo::sessions::SessionToken::from_cookie("x");
    send(store::repo::sessions::get_valid(
        db,
        store::repo::sessions::SessionApp::Admin,
        &token,
        chrono::Duration::hours(1),
    ));
    send(store::repo::settings::set(tx, &staff(), "k", "v"));
}
