//! From Datafordeleren's person to a [`CprRecord`] (cpr-data.md B.2, "client
//! parsing rules"). What the service does not carry stays empty: Digital Post
//! (its own service), the polling district, and the age, which we compute.

use chrono::NaiveDate;
use domain::{CountryCode, CprNumber, MunicipalityCode};

use super::json::{self, Person, current};
use crate::cpr::record::{
    Address, AddressKind, Citizenship, CprRecord, DigitalPost, Emigration, Guardianship, PersonName, PersonStatus, Sex,
};
use crate::resilience::{CallError, excerpt};

/// The person in the answer about `cpr`; `NotFound` for an empty `Personer`.
pub(super) fn read_answer(body: &[u8], cpr: &CprNumber, today: NaiveDate) -> Result<CprRecord, CallError> {
    let document = json::Document::parse(body).map_err(CallError::malformed)?;
    if document.personer.is_empty() {
        return Err(CallError::NotFound);
    }
    let person = document
        .personer
        .iter()
        .find(|p| numbers(p).any(|n| n == cpr.expose()))
        .or_else(|| document.personer.iter().find(|p| p.personnumre.is_empty()))
        .ok_or_else(|| CallError::malformed("the answer is about another person than the one asked for"))?;
    read_person(person, cpr, today)
}

fn numbers(person: &Person) -> impl Iterator<Item = String> + '_ {
    person.personnumre.iter().filter_map(|n| n.personnummer.as_deref()).map(|n| n.replace('-', ""))
}

fn read_person(person: &Person, cpr: &CprNumber, today: NaiveDate) -> Result<CprRecord, CallError> {
    let current_cpr = current(&person.personnumre)
        .and_then(|n| n.personnummer.as_deref())
        .and_then(|n| CprNumber::parse(n).ok())
        .filter(|n| n != cpr);
    let status = read_status(person.status.as_deref(), current_cpr.is_some())?;
    let birth_date = person.foedselsdato.unwrap_or_else(|| cpr.birth_date());
    let emigration = current(&person.udrejseindrejser);
    let abroad = match emigration {
        Some(e) => {
            Address::abroad(e.udenlandsadresse.clone(), country(e.cprlandekodeudrejse.as_deref())?, e.virkning.from)
        }
        None => None,
    };
    Ok(CprRecord {
        cpr: cpr.clone(),
        current_cpr,
        name: read_name(person),
        birth_date,
        age: (!status.is_deceased()).then(|| domain::age::age_on(birth_date, today)),
        sex: match person.koen.as_deref() {
            Some("kvinde") => Some(Sex::Female),
            Some("mand") => Some(Sex::Male),
            _ => None,
        },
        status,
        status_date: person.statusdato,
        citizenship: read_citizenship(person)?,
        address: read_domestic(person)?.or(abroad),
        emigration: match emigration {
            Some(e) => Some(Emigration {
                country: country(e.cprlandekodeudrejse.as_deref())?,
                country_name: e.cprlandudrejse.clone(),
                date: e.virkning.from,
            }),
            None => None,
        },
        contact_address: person
            .kontaktadresse
            .as_ref()
            .filter(|c| c.virkning.is_current())
            .map(|c| c.simpeladresse.clone())
            .unwrap_or_default(),
        guardianship: match person.vaergemaal.as_ref().filter(|g| g.virkning.is_current()) {
            Some(g) => Guardianship { under_guardianship: true, since: g.virkning.from },
            None => Guardianship::default(),
        },
        protected_address: protected(person, today),
        digital_post: DigitalPost::Unknown,
        disappeared_on: current(&person.forsvindinger).and_then(|f| f.virkning.from),
    })
}

/// The status names (cpr-data.md B.2) as CPR's codes. `nedlagt_person` is 50
/// or 60; a current number other than the one asked for tells it is 60.
fn read_status(name: Option<&str>, changed_number: bool) -> Result<PersonStatus, CallError> {
    let name = name.ok_or_else(|| CallError::malformed("the person has no status"))?;
    let code = match name {
        "bopael_i_danmark" => 1,
        "bopael_i_danmark_hoej_vejkode" => 3,
        "bopael_i_groenland" => 5,
        "bopael_i_groenland_hoej_vejkode" => 7,
        "ej_bopael" => 20,
        "annulleret" => 30,
        "nedlagt_person" if changed_number => 60,
        "nedlagt_person" => 50,
        "forsvundet" => 70,
        "udrejst" => 80,
        "doed" => 90,
        other => other.parse().map_err(|_| bad("status", other))?,
    };
    Ok(PersonStatus::from_code(code))
}

fn read_name(person: &Person) -> PersonName {
    let name = current(&person.navne);
    let part = |get: fn(&json::Navn) -> &Option<String>| name.and_then(|n| get(n).clone());
    PersonName {
        first_names: part(|n| &n.fornavne).unwrap_or_default(),
        middle_name: part(|n| &n.mellemnavn),
        last_name: part(|n| &n.efternavn).unwrap_or_default(),
        addressing_name: part(|n| &n.adresseringsnavn),
    }
}

fn read_citizenship(person: &Person) -> Result<Option<Citizenship>, CallError> {
    let Some(citizenship) = current(&person.statsborgerskaber) else {
        return Ok(None);
    };
    Ok(country(citizenship.cprlandekode.as_deref())?.map(|country| Citizenship {
        country,
        country_name: citizenship.cprlandenavn.clone(),
        since: citizenship.virkning.from,
    }))
}

/// The current `CprAdresse`. A dead person has only historical ones: none.
fn read_domestic(person: &Person) -> Result<Option<Address>, CallError> {
    let Some(current) = current(&person.adresseoplysninger) else {
        return Ok(None);
    };
    let Some(address) = &current.cpradresse else {
        return Ok(None);
    };
    let Some(road) = &address.vejadresseringsnavn else {
        return Ok(None);
    };
    let municipality = match address.cprkommunekode.as_deref() {
        Some(code) => Some(MunicipalityCode::parse(code).map_err(|_| bad("cprKommunekode", code))?),
        None => None,
    };
    Ok(Some(Address {
        kind: AddressKind::Domestic,
        street: standard_address(road, address),
        co_name: current.conavn.clone(),
        locality: address.bynavn.clone(),
        postal_code: address.postnummer.clone(),
        city: address.postdistrikt.clone(),
        municipality,
        country: None,
        moved_in: current.virkning.from,
        polling_district: None,
        lines: Vec::new(),
    }))
}

/// "Testvej 1, 2. tv", as CPR's `standardadresse`; house number and floor
/// without the leading zeros CPR may send ("012A", "02").
fn standard_address(road: &str, address: &json::CprAdresse) -> String {
    let unpadded = |s: &str| {
        let trimmed = s.trim_start_matches('0');
        if trimmed.is_empty() { "0".to_owned() } else { trimmed.to_owned() }
    };
    let mut street = road.to_owned();
    if let Some(number) = &address.husnummer {
        street = format!("{street} {}", unpadded(number));
    }
    match (address.etage.as_deref().map(unpadded), address.sidedoer.as_deref()) {
        (Some(floor), Some(door)) => format!("{street}, {floor}. {door}"),
        (Some(floor), None) => format!("{street}, {floor}."),
        (None, Some(door)) => format!("{street}, {door}"),
        (None, None) => street,
    }
}

/// Name and address protection in force today, whatever the record status
/// says (cpr-data.md B.2: public authorities get the data and must decide).
fn protected(person: &Person, today: NaiveDate) -> bool {
    person.beskyttelser.iter().any(|b| {
        b.beskyttelsestype.as_deref() == Some("navne_og_adresse")
            && b.virkning.from.is_none_or(|from| from <= today)
            && b.virkning.to.is_none_or(|to| today < to)
    })
}

fn country(code: Option<&str>) -> Result<Option<CountryCode>, CallError> {
    code.map(|c| CountryCode::parse(c).map_err(|_| bad("cprlandekode", c))).transpose()
}

fn bad(field: &str, value: &str) -> CallError {
    CallError::malformed(format!("unexpected value in {field}: \"{}\"", excerpt(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nedlagt_person_is_50_or_60() {
        assert_eq!(read_status(Some("nedlagt_person"), false).unwrap().code(), 50);
        assert_eq!(read_status(Some("nedlagt_person"), true).unwrap().code(), 60);
        assert!(read_status(Some("ukendt"), false).is_err());
        assert!(read_status(None, false).is_err());
    }
}
