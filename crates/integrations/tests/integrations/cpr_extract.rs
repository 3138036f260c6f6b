//! CPR extract files (P12170) from `fixtures/cpr-extract/`, written by
//! `make-fixtures.py` from the reference layouts: records, skipped types,
//! rejected files, æøå in ISO-8859-1.

use chrono::NaiveDate;
use integrations::cpr::extract::{self, ExtractError};
use integrations::cpr::{AddressKind, PersonStatus};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/cpr-extract/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn extract_reads_every_person_and_counts_skipped_types() {
    let file = extract::parse(&fixture("valid.txt")).unwrap();
    assert_eq!(file.header.task_number, "000042");
    assert_eq!(file.header.produced_on, day(2030, 3, 1));
    assert_eq!(file.header.previous_produced_on, Some(day(2030, 2, 28)));
    assert_eq!(file.persons.len(), 10);
    // One 099 event and one unknown 020 record, skipped and counted.
    assert_eq!(file.skipped.get("099"), Some(&1));
    assert_eq!(file.skipped.get("020"), Some(&1));
    assert_eq!(file.skipped_total(), 2);
}

#[test]
fn extract_keeps_aeoeaa_from_latin1() {
    let file = extract::parse(&fixture("valid.txt")).unwrap();
    let p1 = &file.persons[0];
    assert_eq!(p1.cpr.expose(), "0101801234");
    assert_eq!(p1.name.first_names, "Søs");
    assert_eq!(p1.name.middle_name.as_deref(), Some("Æble"));
    assert_eq!(p1.name.last_name, "Ørnebjerg");
    assert_eq!(p1.name.addressing_name.as_deref(), Some("Ørnebjerg,Søs Æ"));
    let address = p1.address.as_ref().unwrap();
    assert_eq!(address.kind, AddressKind::Domestic);
    assert_eq!(address.street, "Åvej 12A, 2. tv");
    assert_eq!(address.postal_code.as_deref(), Some("5000"));
    assert_eq!(address.city.as_deref(), Some("Odense C"));
    assert_eq!(address.municipality.as_ref().unwrap().as_str(), "0461");
    assert_eq!(address.moved_in, Some(day(2020, 1, 1)));
    assert_eq!(p1.birth_date, day(1980, 1, 1));
    assert_eq!(p1.status, PersonStatus::Resident);
    assert_eq!(p1.citizenship.as_ref().unwrap().country.as_str(), "5100");
    assert_eq!(p1.age, Some(50));
    assert!(!p1.protected_address && !p1.under_guardianship());
}

#[test]
fn extract_derives_the_eligibility_facts() {
    let file = extract::parse(&fixture("valid.txt")).unwrap();
    let by = |cpr: &str| file.persons.iter().find(|p| p.cpr.expose() == cpr).unwrap();
    // Other municipality; without 003 a street line is composed from 002.
    assert_eq!(by("0202802345").municipality().unwrap().as_str(), "0751");
    assert_eq!(by("0303803456").address.as_ref().unwrap().street, "12A 2 tv");
    assert_eq!(by("0303803456").citizenship.as_ref().unwrap().country.as_str(), "5120");
    assert!(by("0404804567").under_guardianship());
    assert!(!by("0505805678").under_guardianship(), "guardianship ended in 2015");
    assert!(by("0606806789").protected_address);
    assert!(!by("0707807890").protected_address, "protection expired");
    let dead = by("0808808901");
    assert!(dead.is_deceased() && dead.address.is_none());
    assert_eq!(dead.status_date, Some(day(2030, 2, 1)));
    assert_eq!(dead.name.addressing_name.as_deref(), Some("Karl Død"));
    let gone = by("0909809012");
    assert!(gone.is_disappeared());
    assert_eq!(gone.disappeared_on, Some(day(2029, 1, 1)));
    let abroad = by("1010801234");
    assert!(abroad.is_emigrated());
    let address = abroad.address.as_ref().unwrap();
    assert_eq!(address.kind, AddressKind::Abroad);
    assert_eq!(address.lines, ["10 Downing Street", "London"]);
    assert_eq!(abroad.emigration.as_ref().unwrap().date, Some(day(2028, 6, 1)));
    let facts = by("0404804567").person_facts();
    assert!(facts.under_guardianship && !facts.deceased);
}

#[test]
fn extract_without_trailer_is_rejected_whole() {
    assert_eq!(extract::parse(&fixture("no-trailer.txt")), Err(ExtractError::NoTrailer));
}

#[test]
fn extract_with_a_wrong_count_is_rejected_whole() {
    let err = extract::parse(&fixture("wrong-count.txt")).unwrap_err();
    assert!(matches!(err, ExtractError::CountMismatch { stated, found } if stated + 1 == found), "{err:?}");
}

#[test]
fn extract_refuses_a_file_without_header_and_never_quotes_a_cpr_number() {
    let text = "0010101801234          01000000000000 K1980-01-01\n99999999999900000001\n";
    let err = extract::parse_text(text).unwrap_err();
    assert_eq!(err, ExtractError::NoHeader);
    assert!(!err.to_string().contains("0101801234"));
    assert_eq!(extract::parse_text(""), Err(ExtractError::Empty));
}

#[test]
fn extract_refuses_records_of_another_person_without_their_001() {
    let text = "00000000000000000422030030120300228\n\
                0010101801234          01000000000000 K1980-01-01\n\
                0080202802345Jens\n\
                99999999999900000002\n";
    assert_eq!(extract::parse_text(text), Err(ExtractError::Orphan { line: 3 }));
}
