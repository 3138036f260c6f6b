//! The Datafordeleren client against hand-written reference payloads
//! (fixtures/cpr/datafordeleren/) served by the local stub: each person
//! mapped, the request's shape, the failures, and no CPR number in the logs.

use std::time::Duration;

use domain::CountryCode;
use integrations::cpr::datafordeleren::{DatafordelerenClient, DatafordelerenConfig};
use integrations::cpr::{AddressKind, CprAnswer, CprError, CprRegistry, DigitalPost, PersonStatus, Provider, Sex};
use integrations::resilience::{CallError, ErrorKind, HealthProbe};

use super::stub::{Reply, Stub, refused_endpoint};
use super::{cpr, date, fixture, municipality, test_settings};
use crate::log_capture::capture_alone;

const ANNE: &str = "1505851234";

fn payload(name: &str) -> Vec<u8> {
    fixture(&format!("datafordeleren/{name}"))
}

fn client(endpoint: String) -> DatafordelerenClient {
    let mut config = DatafordelerenConfig::new(endpoint);
    config.tenant = Some("aarhus".into());
    config.settings = test_settings();
    DatafordelerenClient::new(config).unwrap()
}

async fn lookup(reply: Reply, digits: &str) -> (Stub, Result<CprAnswer, CprError>) {
    let stub = Stub::start(reply).await;
    let result = client(stub.datafordeleren_endpoint()).lookup(&cpr(digits)).await;
    (stub, result)
}

async fn answer_for(name: &str, digits: &str) -> CprAnswer {
    let (_, answer) = lookup(Reply::json(200, payload(name)), digits).await;
    answer.unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn service_error(result: Result<CprAnswer, CprError>) -> CallError {
    match result {
        Err(CprError::Service { provider: Provider::Datafordeleren, error }) => error,
        other => panic!("expected a Datafordeleren service failure, got {other:?}"),
    }
}

#[tokio::test]
async fn resident_keeps_only_the_current_name_and_address() {
    let (stub, answer) = lookup(Reply::json(200, payload("resident.json")), ANNE).await;
    let answer = answer.unwrap();
    assert_eq!((answer.source, answer.fresh), (Provider::Datafordeleren, true));
    let request = &stub.received()[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/CPR/CprPersonFullSimple/1/REST/PersonFullListSimple")
    );
    assert_eq!(request.query.as_deref(), Some("pnr.personnummer.eq=1505851234&format=json"));
    let r = answer.record;
    assert_eq!(r.cpr, cpr(ANNE));
    assert_eq!(r.current_cpr, None);
    assert_eq!((r.name.first_names.as_str(), r.name.middle_name.as_deref()), ("Anne", None));
    assert_eq!(r.name.last_name, "Jensen", "the historical name is skipped");
    assert_eq!(r.name.addressing_name.as_deref(), Some("Jensen,Anne"));
    assert_eq!(r.birth_date, date(1985, 5, 15));
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Copenhagen).date_naive();
    assert_eq!(r.age, Some(domain::age::age_on(date(1985, 5, 15), today)), "computed: the service has no age");
    assert_eq!(r.sex, Some(Sex::Female));
    assert_eq!(r.status, PersonStatus::Resident);
    assert_eq!(r.status_date, Some(date(1985, 5, 15)), "a Danish midnight stays on its day");
    let citizenship = r.citizenship.as_ref().unwrap();
    assert_eq!(citizenship.country, CountryCode::DENMARK);
    assert_eq!(citizenship.country_name.as_deref(), Some("Danmark"));
    assert_eq!(citizenship.since, Some(date(1985, 5, 15)));
    let address = r.address.as_ref().unwrap();
    assert_eq!(address.kind, AddressKind::Domestic);
    assert_eq!(address.street, "Testvej 1, 2. tv");
    assert_eq!((address.co_name.as_deref(), address.locality.as_deref()), (None, None), "empty strings are absent");
    assert_eq!(address.postal_code.as_deref(), Some("8000"));
    assert_eq!(address.city.as_deref(), Some("Aarhus C"));
    assert_eq!(address.municipality, municipality("0751"));
    assert_eq!(address.moved_in, Some(date(2015, 8, 1)));
    assert_eq!(address.polling_district, None, "not in the service");
    assert!(!r.protected_address, "expired, and marketing protection does not hide the address");
    assert_eq!(r.digital_post, DigitalPost::Unknown, "not in the service");
    assert!(!r.under_guardianship() && !r.is_deceased() && !r.is_emigrated() && !r.is_disappeared());
    assert_eq!((r.emigration.as_ref(), r.contact_address.len()), (None, 0));
}

#[tokio::test]
async fn dead_person_has_no_current_address() {
    let r = answer_for("dead.json", "1703401240").await.record;
    assert_eq!(r.status, PersonStatus::Dead);
    assert!(r.is_deceased() && r.person_facts().deceased);
    assert_eq!(r.status_date, Some(date(2024, 11, 2)));
    assert_eq!(r.address, None, "only a historical address");
    assert_eq!(r.municipality(), None);
    assert_eq!(r.age, None);
    assert_eq!(r.name.last_name, "Dødsen");
    assert_eq!(r.sex, Some(Sex::Male));
}

#[tokio::test]
async fn emigrated_person_has_the_address_abroad() {
    let r = answer_for("emigrated.json", "3006821242").await.record;
    assert_eq!(r.status, PersonStatus::Emigrated);
    assert!(r.is_emigrated());
    let address = r.address.as_ref().unwrap();
    assert_eq!(address.kind, AddressKind::Abroad);
    assert_eq!(address.lines, ["Storgata 12", "0155 Oslo", "Norge"]);
    assert_eq!((address.street.as_str(), address.postal_code.as_deref()), ("Storgata 12", Some("0155")));
    assert_eq!(address.city.as_deref(), Some("Oslo"));
    assert_eq!(address.country.as_ref().map(|c| c.as_str()), Some("5110"));
    assert_eq!(r.municipality(), None);
    let emigration = r.emigration.as_ref().unwrap();
    assert_eq!(emigration.country_name.as_deref(), Some("Norge"));
    assert_eq!(emigration.date, Some(date(2021, 9, 1)));
}

#[tokio::test]
async fn protection_in_force_and_schema_drift() {
    let r = answer_for("protected-drift.json", "2402881239").await.record;
    assert!(r.protected_address);
    assert_eq!(r.birth_date, date(1988, 2, 24), "a date-time birth date");
    assert_eq!(r.name.given_names(), "Sofie Marie");
    assert_eq!(r.name.addressing_name, None);
    let address = r.address.as_ref().unwrap();
    assert_eq!(address.street, "Lukket Allé 12A, 3. th", "leading zeros dropped");
    assert_eq!(address.municipality, municipality("0751"), "lower-case key, three digits");
    assert_eq!(address.co_name.as_deref(), Some("c/o Hansen"));
    assert_eq!(address.locality.as_deref(), Some("Trøjborg"));
    assert_eq!(address.moved_in, Some(date(2020, 10, 1)));
    assert!(r.under_guardianship());
    assert_eq!(r.guardianship.since, Some(date(2019, 3, 1)));
    assert_eq!(r.citizenship.as_ref().unwrap().country_name, None);
}

#[tokio::test]
async fn an_empty_list_means_the_person_does_not_exist() {
    let (stub, result) = lookup(Reply::json(200, payload("not-found.json")), "0101500000").await;
    assert_eq!(result.unwrap_err(), CprError::UnknownCpr { provider: Provider::Datafordeleren });
    assert_eq!(stub.hits(), 1, "an answer is not retried");
}

#[tokio::test]
async fn failures_are_classified_retried_where_transient_and_never_show_the_number() {
    let json = |s: &str| s.as_bytes().to_vec();
    let resident = payload("resident.json");
    let cases: [(Reply, ErrorKind, usize); 8] = [
        (Reply::json(503, json(r#"{"message":"Service Unavailable"}"#)), ErrorKind::Status, 3),
        (Reply::json(403, json(r#"{"message":"forbidden"}"#)), ErrorKind::Status, 1),
        (Reply::json(400, json(r#"{"message":"bad pnr.personnummer.eq=1505851234"}"#)), ErrorKind::Status, 1),
        (Reply::json(200, resident[..resident.len() / 2].to_vec()), ErrorKind::Malformed, 1),
        (Reply::html(200, json("<html><body>Internal Server Error</body></html>")), ErrorKind::Malformed, 1),
        (Reply::json(200, json(r#"[{"Person":{}}]"#)), ErrorKind::Malformed, 1),
        (Reply::json(200, payload("dead.json")), ErrorKind::Malformed, 1),
        (Reply::json(200, payload("resident.json")).delayed(Duration::from_secs(2)), ErrorKind::Timeout, 3),
    ];
    for (reply, kind, hits) in cases {
        let what = format!("{reply:?}").chars().take(80).collect::<String>();
        let (stub, result) = lookup(reply, ANNE).await;
        let error = service_error(result);
        assert_eq!(error.kind(), kind, "{what}: {error:?}");
        assert!(!format!("{error} {error:?}").contains(ANNE), "{what}: {error}");
        if kind != ErrorKind::Timeout {
            assert_eq!(stub.hits(), hits, "{what}");
        }
    }
    let refused = client(refused_endpoint().await).lookup(&cpr(ANNE)).await;
    assert_eq!(service_error(refused).kind(), ErrorKind::Connect);
}

#[tokio::test]
async fn the_health_probe_counts_an_empty_answer_as_healthy() {
    let stub = Stub::start(Reply::json(200, payload("not-found.json"))).await;
    let report = client(stub.datafordeleren_endpoint()).probe().await;
    assert!(report.ok, "{}", report.detail);
    assert_eq!(report.integration, "datafordeleren");
    stub.set_default(Reply::json(503, b"{}".to_vec()));
    let report = client(stub.datafordeleren_endpoint()).probe().await;
    assert!(!report.ok && report.detail.contains("503"), "{}", report.detail);
}

#[tokio::test(flavor = "current_thread")]
async fn no_cpr_number_is_logged_though_it_travels_in_the_url() {
    let Some(capture) = capture_alone("cpr::datafordeleren::no_cpr_number_is_logged_though_it_travels_in_the_url")
    else {
        return;
    };
    for reply in [
        Reply::json(200, payload("resident.json")),
        Reply::json(500, b"pnr 1505851234 failed".to_vec()),
        Reply::json(200, payload("resident.json")).delayed(Duration::from_secs(2)),
    ] {
        let _ = lookup(reply, ANNE).await;
    }
    let _ = client(refused_endpoint().await).lookup(&cpr(ANNE)).await;
    let log = capture.text();
    assert!(log.contains("150585-****"), "lookups are logged with the masked number:\n{log}");
    assert!(!log.contains(ANNE) && !log.contains("-1234"), "the number leaked into the log:\n{log}");
}
