//! The SF1520 client against hand-written reference payloads (fixtures/cpr/)
//! served by a local HTTP stub: every fixture person mapped, the request's
//! shape, every fault, retries, the breaker, the chain and log hygiene.

#[path = "cpr/datafordeleren.rs"]
mod datafordeleren;
#[path = "cpr/faults.rs"]
mod faults;
#[path = "cpr/logs.rs"]
mod logs;
#[path = "cpr/stub.rs"]
mod stub;
#[path = "cpr/tls.rs"]
mod tls;

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use domain::{CountryCode, CprNumber, Cvr, MunicipalityCode};
use integrations::cpr::sf1520::{SOAP_ACTION, Sf1520Client, Sf1520Config};
use integrations::cpr::{AddressKind, CprAnswer, CprRegistry, DigitalPost, PersonStatus, Provider};
use integrations::resilience::{BreakerSettings, Clock, Resilience, RetrySettings, Settings};
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use stub::{Reply, Stub};

pub const TENANT_CVR: &str = "29189846";

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/cpr/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn cpr(digits: &str) -> CprNumber {
    CprNumber::parse(digits).unwrap()
}

/// Fast settings for tests: short timeout, quick retries, breaker after 3 failures.
pub fn test_settings() -> Settings {
    Settings {
        connect_timeout: Duration::from_millis(500),
        total_timeout: Duration::from_millis(500),
        max_concurrency: 4,
        retry: RetrySettings {
            max_retries: 2,
            initial_backoff: Duration::from_millis(2),
            max_backoff: Duration::from_millis(10),
        },
        breaker: BreakerSettings { failure_threshold: 3, cool_down: Duration::from_secs(30) },
    }
}

pub fn config(endpoint: String) -> Sf1520Config {
    let mut config = Sf1520Config::new(endpoint, Cvr::parse(TENANT_CVR).unwrap());
    config.tenant = Some("aarhus".into());
    config.settings = test_settings();
    config
}

pub fn client(endpoint: String) -> Sf1520Client {
    Sf1520Client::new(config(endpoint)).unwrap()
}

pub fn client_with_clock(endpoint: String, clock: Arc<dyn Clock>) -> Sf1520Client {
    let config = config(endpoint);
    let resilience = Resilience::with_clock("sf1520", Some("aarhus"), config.settings.clone(), clock);
    Sf1520Client::with_resilience(config, Arc::new(resilience)).unwrap()
}

/// Serves one fixture and looks the person up.
async fn answer_for(fixture_name: &str, digits: &str) -> CprAnswer {
    let stub = Stub::start(Reply::soap(fixture(fixture_name))).await;
    let answer = client(stub.endpoint()).lookup(&cpr(digits)).await;
    answer.unwrap_or_else(|e| panic!("{fixture_name}: {e}"))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn municipality(code: &str) -> Option<MunicipalityCode> {
    Some(MunicipalityCode::parse(code).unwrap())
}

#[tokio::test]
async fn resident_in_the_tenant_municipality() {
    let answer = answer_for("resident-here.xml", "1505851234").await;
    assert_eq!(answer.source, Provider::Sf1520);
    assert!(answer.fresh);
    assert!(answer.fallback_from.is_empty());
    assert_eq!(answer.as_of, answer.fetched_at);
    let r = answer.record;
    assert_eq!(r.cpr, cpr("1505851234"));
    assert_eq!(r.current_cpr, None);
    assert_eq!(r.name.first_names, "Anne");
    assert_eq!(r.name.middle_name, None);
    assert_eq!(r.name.last_name, "Jensen");
    assert_eq!(r.name.addressing_name.as_deref(), Some("Jensen,Anne"));
    assert_eq!(r.birth_date, date(1985, 5, 15));
    assert_eq!(r.age, Some(40));
    assert_eq!(r.sex, Some(integrations::cpr::Sex::Female));
    assert_eq!(r.status, PersonStatus::Resident);
    assert!(r.status.is_active());
    assert_eq!(r.status_date, Some(date(1985, 5, 15)));
    let citizenship = r.citizenship.as_ref().unwrap();
    assert_eq!(citizenship.country, CountryCode::DENMARK);
    assert_eq!(citizenship.country_name.as_deref(), Some("Danmark"));
    assert_eq!(citizenship.since, Some(date(1985, 5, 15)));
    let address = r.address.as_ref().unwrap();
    assert_eq!(address.kind, AddressKind::Domestic);
    assert_eq!(address.street, "Testvej 1, 2. tv");
    assert_eq!(address.co_name, None);
    assert_eq!(address.postal_code.as_deref(), Some("8000"));
    assert_eq!(address.city.as_deref(), Some("Aarhus C"));
    assert_eq!(address.municipality, municipality("0751"));
    assert_eq!(address.country, None);
    assert_eq!(address.moved_in, Some(date(2015, 8, 1)));
    let district = address.polling_district.as_ref().unwrap();
    assert_eq!((district.code.as_str(), district.name.as_deref()), ("12", Some("Aarhus Rådhus")));
    assert!(address.lines.is_empty());
    assert_eq!(r.emigration, None);
    assert!(!r.under_guardianship());
    assert!(!r.protected_address);
    assert_eq!(r.digital_post, DigitalPost::Registered);
    assert!(!r.is_deceased() && !r.is_disappeared() && !r.is_emigrated());
    let facts = r.person_facts();
    assert_eq!(facts.municipality_code, municipality("751"));
    assert_eq!(facts.citizenship.as_deref(), Some("5100"));
}

#[tokio::test]
async fn resident_elsewhere_with_short_municipality_code_and_co_name() {
    let r = answer_for("other-municipality.xml", "0203761235").await.record;
    let address = r.address.as_ref().unwrap();
    assert_eq!(address.municipality, municipality("0101"));
    assert_eq!(address.municipality.as_ref().unwrap().as_str(), "0101");
    assert_eq!(address.co_name.as_deref(), Some("c/o Hansen"));
    assert_eq!(address.street, "Eksempelgade 10, st.");
    assert_eq!(address.city.as_deref(), Some("København Ø"));
    assert_eq!(address.postal_code.as_deref(), Some("2100"));
    assert_eq!(r.birth_date, date(1976, 3, 2), "xs:date with a zone");
    assert_eq!(r.status, PersonStatus::Resident, "status 1 without leading zero");
    assert_eq!(r.digital_post, DigitalPost::Unknown, "tilmeldtDigitalpost absent");
    assert_eq!(r.sex, Some(integrations::cpr::Sex::Male));
}

#[tokio::test]
async fn foreign_citizen() {
    let r = answer_for("foreign-citizen.xml", "1107901236").await.record;
    let citizenship = r.citizenship.unwrap();
    assert_eq!(citizenship.country.as_str(), "5180");
    assert!(!citizenship.country.is_danish());
    assert_eq!(citizenship.country_name.as_deref(), Some("Tyskland"));
    assert_eq!(r.name.last_name, "Müller");
    assert_eq!(r.address.unwrap().municipality, municipality("0751"));
}

#[tokio::test]
async fn under_eighteen() {
    let r = answer_for("under-18.xml", "2009104237").await.record;
    assert_eq!(r.birth_date, date(2010, 9, 20));
    assert_eq!(r.age, Some(15));
    assert!(domain::age_on(r.birth_date, date(2026, 11, 3)) < 18);
    assert_eq!(domain::age_on(r.birth_date, date(2028, 9, 20)), 18);
    assert_eq!(r.digital_post, DigitalPost::Exempt);
}

#[tokio::test]
async fn under_guardianship() {
    let r = answer_for("guardianship.xml", "0512651238").await.record;
    assert!(r.under_guardianship());
    assert_eq!(r.guardianship.since, Some(date(2019, 3, 1)));
    assert!(r.person_facts().under_guardianship);
}

#[tokio::test]
async fn protected_address() {
    let r = answer_for("protected-address.xml", "2402881239").await.record;
    assert!(r.protected_address);
    assert_eq!(r.digital_post, DigitalPost::Exempt);
    assert_eq!(r.address.unwrap().street, "Skjultvej 9");
}

#[tokio::test]
async fn dead_without_current_address() {
    let r = answer_for("dead.xml", "1703401240").await.record;
    assert_eq!(r.status, PersonStatus::Dead);
    assert_eq!(r.status.code(), 90);
    assert!(r.is_deceased());
    assert!(!r.is_disappeared());
    assert_eq!(r.status_date, Some(date(2024, 11, 2)));
    assert_eq!(r.address, None);
    assert_eq!(r.municipality(), None);
    assert!(r.person_facts().deceased);
}

#[tokio::test]
async fn disappeared_without_address_block() {
    let r = answer_for("disappeared.xml", "0808721241").await.record;
    assert_eq!(r.status, PersonStatus::Disappeared);
    assert!(r.is_disappeared());
    assert!(!r.is_deceased(), "disappeared is kept apart from dead");
    assert_eq!(r.disappeared_on, Some(date(2021, 6, 15)));
    assert_eq!(r.address, None);
    assert_eq!(r.age, None);
    let facts = r.person_facts();
    assert!(facts.disappeared && !facts.deceased);
}

#[tokio::test]
async fn emigrated_with_address_abroad() {
    let r = answer_for("emigrated.xml", "3006821242").await.record;
    assert_eq!(r.status, PersonStatus::Emigrated);
    assert!(r.is_emigrated());
    let emigration = r.emigration.as_ref().unwrap();
    assert_eq!(emigration.country.unwrap().as_str(), "5110");
    assert_eq!(emigration.country_name.as_deref(), Some("Norge"));
    assert_eq!(emigration.date, Some(date(2022, 9, 1)));
    let address = r.address.as_ref().unwrap();
    assert_eq!(address.kind, AddressKind::Abroad);
    assert_eq!(address.street, "Storgata 12");
    assert_eq!(address.postal_code.as_deref(), Some("0155"));
    assert_eq!(address.city.as_deref(), Some("Oslo"));
    assert_eq!(address.municipality, None);
    assert_eq!(address.country.unwrap().as_str(), "5110");
    assert_eq!(address.lines, ["Storgata 12", "0155 Oslo", "NORGE"]);
    assert_eq!(r.person_facts().municipality_code, None);
}

#[tokio::test]
async fn middle_name() {
    let r = answer_for("middle-name.xml", "1212851243").await.record;
    assert_eq!(r.name.first_names, "Jens Ole");
    assert_eq!(r.name.middle_name.as_deref(), Some("Peter"));
    assert_eq!(r.name.given_names(), "Jens Ole Peter");
    assert_eq!(r.name.full_name(), "Jens Ole Peter Hansen");
    assert_eq!(r.municipality().unwrap().as_str(), "0751");
}

#[tokio::test]
async fn danish_letters() {
    let r = answer_for("aeoeaa.xml", "0404791244").await.record;
    assert_eq!(r.name.full_name(), "Søren Ærbø Åkjær");
    let address = r.address.unwrap();
    assert_eq!(address.street, "Østergade 7, 1. th");
    assert_eq!(address.co_name.as_deref(), Some("c/o Bøgh & Østergård"));
    assert_eq!(address.locality.as_deref(), Some("Søby"));
    assert_eq!(address.city.as_deref(), Some("Ærøskøbing"));
    assert_eq!(address.municipality, municipality("0492"));
}

#[tokio::test]
async fn no_address_element_for_every_inactive_status() {
    let text = String::from_utf8(fixture("no-address.xml")).unwrap();
    for (code, status) in [
        ("20", PersonStatus::NoResidence),
        ("30", PersonStatus::Cancelled),
        ("50", PersonStatus::Deleted),
        ("60", PersonStatus::ChangedNumber),
    ] {
        let body = text.replace("<pbde:status>20</pbde:status>", &format!("<pbde:status>{code}</pbde:status>"));
        let stub = Stub::start(Reply::soap(body.into_bytes())).await;
        let r = client(stub.endpoint()).lookup(&cpr("0101501245")).await.unwrap().record;
        assert_eq!(r.status, status);
        assert!(!r.status.is_active());
        assert_eq!(r.address, None);
        assert_eq!(r.emigration, None);
        assert_eq!(r.citizenship, None);
        assert_eq!(r.name.full_name(), "Bo Skat");
        assert_eq!(r.digital_post, DigitalPost::Unknown);
    }
}

#[tokio::test]
async fn changed_number_points_to_the_current_one() {
    let text = String::from_utf8(fixture("no-address.xml")).unwrap()
        .replace("<pbde:status>20</pbde:status>", "<pbde:status>60</pbde:status>")
        .replace(
            "<pbde:personnummer>0101501245</pbde:personnummer>",
            "<pbde:personnummer>0101501245</pbde:personnummer><pbde:gaeldendePersonnummer>0101501253</pbde:gaeldendePersonnummer>",
        );
    let stub = Stub::start(Reply::soap(text.into_bytes())).await;
    let r = client(stub.endpoint()).lookup(&cpr("0101501245")).await.unwrap().record;
    assert_eq!(r.current_cpr, Some(cpr("0101501253")));
}

#[tokio::test]
async fn an_answer_about_another_person_is_refused() {
    let stub = Stub::start(Reply::soap(fixture("resident-here.xml"))).await;
    let error = client(stub.endpoint()).lookup(&cpr("0203761235")).await.unwrap_err();
    assert!(error.to_string().contains("another person"), "{error}");
}

/// (namespace, local name) path of every element, with its trimmed text.
fn element_paths(xml: &str) -> Vec<(String, String)> {
    let mut reader = NsReader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let mut text = String::new();
    loop {
        let (ns, event) = reader.read_resolved_event().unwrap();
        let ns = match ns {
            ResolveResult::Bound(ns) => ns.as_ref().to_owned(),
            _ => String::new(),
        };
        match event {
            Event::Start(e) => {
                path.push(format!("{{{ns}}}{}", e.local_name().as_ref()));
                text.clear();
            }
            Event::Empty(e) => {
                out.push((format!("{}/{{{ns}}}{}", path.join("/"), e.local_name().as_ref()), String::new()))
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::End(_) => {
                out.push((path.join("/"), text.trim().to_owned()));
                text.clear();
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn the_request_matches_the_reference() {
    let stub = Stub::start(Reply::soap(fixture("resident-here.xml"))).await;
    client(stub.endpoint()).lookup(&cpr("1505851234")).await.unwrap();
    let received = stub.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.path, "/service/CPR/PersonBaseDataExtended/5");
    assert_eq!(request.headers["soapaction"], SOAP_ACTION);
    assert_eq!(
        request.headers["soapaction"],
        "\"http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/PersonLookup\""
    );
    assert_eq!(request.headers["content-type"], "text/xml; charset=utf-8");
    let expected = String::from_utf8(fixture("expected-request.xml")).unwrap();
    assert_eq!(element_paths(&request.body), element_paths(&expected));
}
