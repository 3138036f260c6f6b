//! The demo's participants as persons of the CPR simulator, so that with
//! SF1520 up their validation succeeds: CPR says what the seed says (alive,
//! Danish, living in Korsbæk). Read from the tenant database rather than from
//! the seed, because the generated people depend on the day a data directory
//! was seeded; a person the persons file already has is left as the file says.

use simulators::cpr::{Address, Persons, Protection};
use store::crypto::CprVault;
use store::entity::participants;

/// The newcomer of `idp::NEWCOMER_MITID` as CPR has her: a resident of the
/// demo municipality who can sign up.
const NEWCOMER: &str = r#"
[[person]]
label = "newcomer"
pnr = "2307951118"
first_name = "Nina"
last_name = "Nyborg"
digital_post = true

[person.address]
municipality_code = "0999"
municipality_name = "Korsbæk"
municipality_cvr = "12345674"
road_code = "0102"
street = "Engvej"
house_number = "9"
postal_code = "4999"
postal_district = "Korsbæk"
"#;

/// Adds the newcomer unless the persons file already has her number.
pub fn add_newcomer(persons: &mut Persons) -> anyhow::Result<()> {
    for person in Persons::from_toml(NEWCOMER)?.iter() {
        if persons.get(&person.pnr).is_none() {
            persons.insert(person.clone())?;
        }
    }
    Ok(())
}

/// Adds every participant the simulator does not know yet; returns how many.
pub async fn add_participants(
    persons: &mut Persons,
    db: &sea_orm::DatabaseConnection,
    vault: &CprVault,
) -> anyhow::Result<usize> {
    use sea_orm::EntityTrait;
    let mut added = 0;
    for row in participants::Entity::find().all(db).await? {
        let cpr = store::repo::participants::cpr_of(vault, &row)?;
        if persons.get(cpr.expose()).is_none() {
            persons.insert(person(&row, cpr.expose()))?;
            added += 1;
        }
    }
    Ok(added)
}

fn person(row: &participants::Model, pnr: &str) -> simulators::cpr::Person {
    let (first_name, middle_name) = match row.first_name.split_once(' ') {
        Some((first, middle)) => (first.to_owned(), Some(middle.to_owned())),
        None => (row.first_name.clone(), None),
    };
    simulators::cpr::Person {
        pnr: pnr.to_owned(),
        label: None,
        first_name,
        middle_name,
        last_name: row.last_name.clone(),
        addressing_name: None,
        name_since: None,
        previous_last_name: None,
        birth_date: None,
        sex: None,
        status: 1,
        status_date: None,
        current_pnr: None,
        citizenship: "5100".into(),
        citizenship_name: Some("Danmark".into()),
        citizenship_since: None,
        civil_status: "U".into(),
        civil_status_since: None,
        occupation: None,
        guardianship: None,
        protection: row.protected_address.then_some(Protection { start: None, end: None }),
        digital_post: Some(!row.exempt_digital_post),
        nemsms: None,
        disappeared_on: None,
        address: Some(address(row)),
        previous_address: None,
        emigration: None,
        contact_address: Vec::new(),
    }
}

/// "Skolevej 12" as the register splits it: street and house number.
fn address(row: &participants::Model) -> Address {
    let (street, number) = row.street_address.rsplit_once(' ').unwrap_or((row.street_address.as_str(), "1"));
    Address {
        municipality_code: super::MUNICIPALITY_CODE.into(),
        municipality_name: Some("Korsbæk".into()),
        municipality_cvr: Some(super::CVR.into()),
        road_code: "0100".into(),
        street: street.to_owned(),
        street_addressing_name: None,
        house_number: number.trim_start_matches('0').to_owned(),
        floor: None,
        door: None,
        postal_code: row.postal_code.clone(),
        postal_district: row.city.clone(),
        town: None,
        locality: None,
        co_name: None,
        moved_in: None,
        moved_out: None,
        polling_district_code: None,
        polling_district: None,
        address_uuid: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jobs::provisional::revalidate;
    use store::repo::Actor;
    use store::repo::participants::ValidationState;

    #[test]
    fn the_newcomer_is_in_cpr_under_the_number_of_her_mitid() -> anyhow::Result<()> {
        let mut persons = Persons::builtin();
        add_newcomer(&mut persons)?;
        let nina = persons.get(super::super::idp::NEWCOMER_CPR).expect("the newcomer");
        assert_eq!((nina.first_name.as_str(), nina.last_name.as_str()), ("Nina", "Nyborg"));
        assert_eq!(nina.address.as_ref().map(|a| a.municipality_code.as_str()), Some(super::super::MUNICIPALITY_CODE));
        Ok(())
    }

    /// With SF1520 up (the simulator), every seeded participant passes.
    #[tokio::test]
    async fn every_demo_participant_passes_against_the_cpr_simulator() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let tenant = crate::tenants::open(&super::super::tenant_config(dir.path())?).await?;
        assert!(super::super::seed::seed_if_empty(&tenant.db, &tenant.vault).await?);
        let mut persons = Persons::builtin();
        let builtin = persons.len();
        let added = add_participants(&mut persons, &tenant.db, &tenant.vault).await?;
        // The portal citizens are the simulator's own; the generated people are new.
        assert_eq!(added, 200);
        assert_eq!(add_participants(&mut persons, &tenant.db, &tenant.vault).await?, 0);
        assert_eq!(persons.len(), builtin + 200);
        let sim = simulators::cpr::CprSimConfig { persons, ..Default::default() };
        let (_, sim) = simulators::cpr::CprSimulator::start(sim).await?;
        let config = super::super::cpr_config(&sim.sf1520_url());
        let cpr = crate::cpr_wiring::build(&config, &tenant, dir.path())?;
        let services = crate::cpr_wiring::job_services(&tenant, &cpr).cpr.expect("CPR services");
        use sea_orm::EntityTrait;
        let everybody = participants::Entity::find().all(&tenant.db).await?;
        assert_eq!(everybody.len(), 203);
        for p in everybody {
            let done = revalidate(&tenant.db, &services, &Actor::system(), p.id, chrono::Utc::now()).await?;
            assert_eq!(done.state, ValidationState::Valid, "{:?}", done.eligibility.failed());
            let row = store::repo::participants::get(&tenant.db, p.id).await?;
            assert_eq!(row.cpr_source.as_deref(), Some("sf1520"));
        }
        Ok(())
    }
}
