//! Reading the answer to `PersonLookup` (reference integrations.md §1.4-1.7):
//! a `PersonLookupResponse`, a SOAP fault, or something else.

use chrono::NaiveDate;
use domain::{CountryCode, CprNumber, MunicipalityCode};

use super::envelope::{PBDE, SOAP_ENV};
use crate::cpr::record::{
    Address, AddressKind, Citizenship, CprRecord, DigitalPost, Emigration, Guardianship, PersonName, PersonStatus,
    PollingDistrict, Sex,
};
use crate::resilience::{CallError, excerpt};
use crate::xml::{self, Element};

/// The text by which Serviceplatformen tells that a PNR does not exist.
const PNR_NOT_FOUND: &str = "pnr not found";

/// Turns an HTTP answer into a record, or classifies why it is not one.
/// `NotFound` means CPR said the person does not exist.
pub(crate) fn read_answer(status: u16, body: &[u8], cpr: &CprNumber) -> Result<CprRecord, CallError> {
    let success = (200..300).contains(&status);
    let not_understood = |why: String| {
        if success { CallError::malformed(why) } else { CallError::status(status, &String::from_utf8_lossy(body)) }
    };
    let text = std::str::from_utf8(body).map_err(|_| not_understood("the answer is not UTF-8".into()))?;
    let root = xml::parse(text).map_err(not_understood)?;
    if !root.is(SOAP_ENV, "Envelope") {
        return Err(not_understood(format!("the answer is not a SOAP 1.1 envelope (root {})", root.name)));
    }
    let body = root
        .children
        .iter()
        .find(|c| c.is(SOAP_ENV, "Body"))
        .ok_or_else(|| not_understood("the envelope has no soap:Body".into()))?;
    if let Some(fault) = body.children.iter().find(|c| c.is(SOAP_ENV, "Fault")) {
        return Err(read_fault(fault));
    }
    let Some(response) = body.children.iter().find(|c| c.is(PBDE, "PersonLookupResponse")) else {
        return Err(not_understood(
            "soap:Body holds neither a PersonLookupResponse (PersonBaseDataExtended/5) nor a Fault".into(),
        ));
    };
    if !success {
        return Err(CallError::status(status, "a PersonLookupResponse with an error status"));
    }
    read_person(response, cpr)
}

/// A SOAP fault; "PNR not found" in its texts means the person does not exist.
fn read_fault(fault: &Element) -> CallError {
    let faultcode = fault.text_at(&["faultcode"]).unwrap_or("soap:Server");
    let faultstring = fault.text_at(&["faultstring"]).unwrap_or("");
    let errors: Vec<(Option<&str>, Option<&str>)> = fault
        .path(&["detail", "ServiceplatformFault", "ErrorList"])
        .map(|list| {
            list.children_named("Error").map(|e| (e.text_at(&["ErrorCode"]), e.text_at(&["ErrorText"]))).collect()
        })
        .unwrap_or_default();
    let says_unknown = |text: &str| text.to_lowercase().contains(PNR_NOT_FOUND);
    if says_unknown(faultstring) || errors.iter().any(|(_, text)| text.is_some_and(says_unknown)) {
        return CallError::NotFound;
    }
    let code = errors.iter().find_map(|(code, _)| *code).unwrap_or(faultcode);
    let texts: Vec<&str> = errors.iter().filter_map(|(_, text)| *text).collect();
    let text = if texts.is_empty() { faultstring.to_owned() } else { texts.join("; ") };
    CallError::fault(code, &text)
}

fn read_person(response: &Element, cpr: &CprNumber) -> Result<CprRecord, CallError> {
    let person = response.child("persondata").ok_or_else(|| CallError::malformed("the answer has no persondata"))?;
    if let Some(number) = person.text_at(&["personnummer"])
        && number.replace('-', "") != cpr.expose()
    {
        return Err(CallError::malformed("the answer is about another person than the one asked for"));
    }
    let current_cpr =
        person.text_at(&["gaeldendePersonnummer"]).and_then(|n| CprNumber::parse(n).ok()).filter(|n| n != cpr);
    let status =
        person.text_at(&["status", "status"]).ok_or_else(|| CallError::malformed("persondata has no status"))?;
    let status = status.parse::<u16>().map(PersonStatus::from_code).map_err(|_| bad("status/status", status))?;
    let address_block = response.child("adresse");
    let emigration = address_block.and_then(|a| a.child("udrejseoplysninger"));
    Ok(CprRecord {
        cpr: cpr.clone(),
        current_cpr,
        name: read_name(person),
        birth_date: date_at(person, &["foedselsdato"])?.unwrap_or_else(|| cpr.birth_date()),
        age: person.text_at(&["alder"]).and_then(|a| a.parse().ok()),
        sex: match person.text_at(&["koen"]) {
            Some("K") => Some(Sex::Female),
            Some("M") => Some(Sex::Male),
            _ => None,
        },
        status,
        status_date: date_at(person, &["status", "statusdato"])?,
        citizenship: read_citizenship(person)?,
        address: match address_block.and_then(|a| a.child("aktuelAdresse")) {
            Some(current) => read_domestic(current)?,
            None => None,
        }
        .or(match emigration {
            Some(abroad) => read_abroad(abroad)?,
            None => None,
        }),
        emigration: emigration.map(read_emigration).transpose()?,
        contact_address: address_block
            .and_then(|a| a.child("kontaktAdresse"))
            .map(|c| lines(c, "kontaktAdr"))
            .unwrap_or_default(),
        guardianship: Guardianship {
            under_guardianship: flag_at(person, &["umyndiggoerelse", "umyndiggjort"])?.unwrap_or(false),
            since: date_at(person, &["umyndiggoerelse", "umyndiggoerelseStartdato"])?,
        },
        protected_address: flag_at(person, &["adressebeskyttelse", "beskyttet"])?.unwrap_or(false),
        digital_post: DigitalPost::from_flag(flag_at(person, &["tilmeldtDigitalpost"])?),
        disappeared_on: date_at(person, &["forsvindingsdato"])?,
    })
}

fn read_name(person: &Element) -> PersonName {
    let part = |name: &str| person.text_at(&["navn", name]).map(str::to_owned);
    PersonName {
        first_names: part("fornavn").unwrap_or_default(),
        middle_name: part("mellemnavn"),
        last_name: part("efternavn").unwrap_or_default(),
        addressing_name: part("personadresseringsnavn"),
    }
}

fn read_citizenship(person: &Element) -> Result<Option<Citizenship>, CallError> {
    let Some(block) = person.child("statsborgerskab") else {
        return Ok(None);
    };
    let Some(country) = country_at(block, &["landekode"])? else {
        return Ok(None);
    };
    Ok(Some(Citizenship {
        country,
        country_name: block.text_at(&["landekodeMyndighedsnavn"]).map(str::to_owned),
        since: date_at(block, &["statsborgerskabDato"])?,
    }))
}

/// `aktuelAdresse`. Without a street (no `standardadresse` and no road name)
/// there is no usable address in Denmark.
fn read_domestic(current: &Element) -> Result<Option<Address>, CallError> {
    let text = |name: &str| current.text_at(&[name]).map(str::to_owned);
    let road = match (
        current.text_at(&["vejadresseringsnavn"]).or(current.text_at(&["vejnavn"])),
        current.text_at(&["husnummer"]),
    ) {
        (Some(road), Some(number)) => Some(format!("{road} {}", number.trim_start_matches('0'))),
        (Some(road), None) => Some(road.to_owned()),
        _ => None,
    };
    let Some(street) = text("standardadresse").or(road) else {
        return Ok(None);
    };
    let municipality = match current.text_at(&["kommunekode"]) {
        Some(code) => Some(MunicipalityCode::parse(code).map_err(|_| bad("kommunekode", code))?),
        None => None,
    };
    let district = current.child("distrikter");
    let polling_district = district.and_then(|d| d.text_at(&["valgdistriktKode"])).map(|code| PollingDistrict {
        code: code.to_owned(),
        name: district.and_then(|d| d.text_at(&["valgdistrikt"])).map(str::to_owned),
    });
    let from_districts = |name: &str| district.and_then(|d| d.text_at(&[name])).map(str::to_owned);
    Ok(Some(Address {
        kind: AddressKind::Domestic,
        street,
        co_name: text("conavn"),
        locality: text("lokalitet"),
        postal_code: text("postnummer").or_else(|| from_districts("postnummer")),
        city: text("postdistrikt").or_else(|| from_districts("postdistrikt")),
        municipality,
        country: None,
        moved_in: date_at(current, &["tilflytningsdato"])?,
        polling_district,
        lines: Vec::new(),
    }))
}

/// The address abroad of an emigrated person.
fn read_abroad(emigration: &Element) -> Result<Option<Address>, CallError> {
    Ok(Address::abroad(
        lines(emigration, "udlandsadresse"),
        country_at(emigration, &["udrejselandekode"])?,
        date_at(emigration, &["udrejsedato"])?,
    ))
}

fn read_emigration(emigration: &Element) -> Result<Emigration, CallError> {
    Ok(Emigration {
        country: country_at(emigration, &["udrejselandekode"])?,
        country_name: emigration.text_at(&["udrejselandekodeMyndighedsnavn"]).map(str::to_owned),
        date: date_at(emigration, &["udrejsedato"])?,
    })
}

/// The non-empty texts of `{prefix}1` .. `{prefix}5`.
fn lines(block: &Element, prefix: &str) -> Vec<String> {
    (1..=5).filter_map(|n| block.text_at(&[&format!("{prefix}{n}")]).map(str::to_owned)).collect()
}

/// A date element: either its own text or, for dates with an uncertainty
/// marker, its `dato` child. xs:date may carry a zone (`1970-01-01+01:00`).
fn date_at(parent: &Element, path: &[&str]) -> Result<Option<NaiveDate>, CallError> {
    let Some(element) = parent.path(path) else {
        return Ok(None);
    };
    let Some(text) = element.text().or_else(|| element.text_at(&["dato"])) else {
        return Ok(None);
    };
    let day = text.get(..10).unwrap_or(text);
    NaiveDate::parse_from_str(day, "%Y-%m-%d").map(Some).map_err(|_| bad(path.join("/").as_str(), text))
}

fn flag_at(parent: &Element, path: &[&str]) -> Result<Option<bool>, CallError> {
    match parent.text_at(path) {
        None => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(other) => Err(bad(&path.join("/"), other)),
    }
}

fn country_at(parent: &Element, path: &[&str]) -> Result<Option<CountryCode>, CallError> {
    match parent.text_at(path) {
        None => Ok(None),
        Some(code) => CountryCode::parse(code).map(Some).map_err(|_| bad(&path.join("/"), code)),
    }
}

fn bad(field: &str, value: &str) -> CallError {
    CallError::malformed(format!("unexpected value in {field}: \"{}\"", excerpt(value)))
}
