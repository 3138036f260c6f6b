//! The SF1520 and Datafordeleren clients (`integrations::cpr::{sf1520,
//! datafordeleren}`) against the CPR simulator (`simulators::cpr`), which serves
//! both: every built-in person mapped as the simulator describes them, every
//! fault kind classified, retries, breaker, mutual TLS (PEM and PKCS#12) and the chain.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use domain::{CprNumber, Cvr};
use integrations::cpr::datafordeleren::{DatafordelerenClient, DatafordelerenConfig};
use integrations::cpr::sf1520::{BuildError, ClientIdentity, Sf1520Client, Sf1520Config};
use integrations::cpr::{
    AddressKind, Chain, CprAnswer, CprError, CprRecord, CprRegistry, DigitalPost, PersonStatus, Provider, Sex,
};
use integrations::resilience::{
    BreakerSettings, BreakerState, CallError, HealthProbe, Resilience, RetrySettings, Settings,
};
use simulators::cpr::{CprSimConfig, CprSimHandle, CprSimulator, Person, Persons, TlsConfig, tls_fixtures};

use super::{add_fault, reset};

#[path = "cpr/faults.rs"]
mod faults;

/// Korsbæk Kommune, the simulator's tenant.
const CVR: &str = "12345674";
/// A well-formed number of nobody in the simulator.
const NOBODY: &str = "0101709995";
const RESIDENT: &str = "1205851236";

fn cpr(digits: &str) -> CprNumber {
    CprNumber::parse(digits).unwrap_or_else(|e| panic!("{digits}: {e:?}"))
}

/// Small timeouts and backoffs so the suite stays fast.
fn settings(max_retries: u32) -> Settings {
    Settings {
        connect_timeout: Duration::from_millis(1000),
        total_timeout: Duration::from_millis(1000),
        max_concurrency: 4,
        retry: RetrySettings {
            max_retries,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
        },
        breaker: BreakerSettings { failure_threshold: 3, cool_down: Duration::from_millis(1000) },
    }
}

async fn start(config: CprSimConfig) -> CprSimHandle {
    CprSimulator::start(config).await.expect("the CPR simulator starts").1
}

fn client(sim: &CprSimHandle, settings: Settings) -> Sf1520Client {
    let mut config = Sf1520Config::new(sim.sf1520_url(), Cvr::parse(CVR).unwrap());
    config.tenant = Some("korsbaek".into());
    config.settings = settings;
    Sf1520Client::new(config).expect("the client builds")
}

/// Both real clients, as the tests that run against either one see them.
pub trait Remote: CprRegistry + HealthProbe {
    fn resilience(&self) -> &Arc<Resilience>;
}

impl Remote for Sf1520Client {
    fn resilience(&self) -> &Arc<Resilience> {
        Sf1520Client::resilience(self)
    }
}

impl Remote for DatafordelerenClient {
    fn resilience(&self) -> &Arc<Resilience> {
        DatafordelerenClient::resilience(self)
    }
}

/// The remote providers the simulator serves.
const REMOTE: [Provider; 2] = [Provider::Sf1520, Provider::Datafordeleren];

/// Either client on the plain-HTTP simulator, or with the TLS settings of `tls`.
fn remote(sim: &CprSimHandle, provider: Provider, settings: Settings) -> Arc<dyn Remote> {
    remote_with(sim, provider, settings, None).expect("the client builds")
}

/// `tls`: the client certificate, and whether to trust the simulator's test CA.
fn remote_with(
    sim: &CprSimHandle,
    provider: Provider,
    settings: Settings,
    tls: Option<(Option<ClientIdentity>, bool)>,
) -> Result<Arc<dyn Remote>, BuildError> {
    let (identity, trust) = tls.unwrap_or((None, false));
    let roots = trust.then(|| tls_fixtures::CA_CERT_PEM.as_bytes().to_vec());
    match provider {
        Provider::Sf1520 => {
            let mut config = Sf1520Config::new(sim.sf1520_url(), Cvr::parse(CVR).unwrap());
            (config.tenant, config.settings, config.identity, config.trusted_roots) =
                (Some("korsbaek".into()), settings, identity, roots);
            Ok(Arc::new(Sf1520Client::new(config)?))
        }
        Provider::Datafordeleren => {
            let mut config = DatafordelerenConfig::new(sim.datafordeler_url());
            (config.tenant, config.settings, config.identity, config.trusted_roots) =
                (Some("korsbaek".into()), settings, identity, roots);
            Ok(Arc::new(DatafordelerenClient::new(config)?))
        }
        Provider::LocalCopy => unreachable!("the simulator serves no local copy"),
    }
}

/// Service requests the simulator saw, SF1520's or Datafordeleren's (a test
/// uses one client at a time; the control API's routes are not counted).
fn requests(sim: &CprSimHandle) -> usize {
    sim.control.recorder.all().iter().filter(|r| r.path.starts_with("/service/") || r.path.starts_with("/CPR/")).count()
}

fn service_error(result: Result<CprAnswer, CprError>) -> CallError {
    match result {
        Err(CprError::Service { error, .. }) => error,
        other => panic!("expected a service failure, got {other:?}"),
    }
}

/// What the simulator says about a person, as our record from `provider`
/// must show it. Datafordeleren has no Digital Post and no polling district,
/// and gives the street by its addressing name (at most 20 characters).
fn assert_maps(person: &Person, record: &CprRecord, provider: Provider) {
    let who = &format!("{provider}: {}", person.label.as_deref().unwrap_or(&person.pnr));
    let rest = provider == Provider::Datafordeleren;
    let today = Utc::now().date_naive();
    assert_eq!(record.cpr.expose(), person.pnr, "{who}: number");
    assert_eq!(record.name.first_names, person.first_name, "{who}: first names");
    assert_eq!(record.name.middle_name, person.middle_name, "{who}: middle name");
    assert_eq!(record.name.last_name, person.last_name, "{who}: last name");
    assert_eq!(record.birth_date, person.birth_date(), "{who}: birth date");
    let sex = if person.sex() == "M" { Sex::Male } else { Sex::Female };
    assert_eq!(record.sex, Some(sex), "{who}: sex");
    if person.status != 90 {
        // The simulator's "today" is Danish; ours here is UTC: allow the hour between.
        let ages = [today, today.succ_opt().unwrap()].map(|d| person.age_on(d) as u32);
        assert!(record.age.is_some_and(|a| ages.contains(&a)), "{who}: age {:?}", record.age);
    }
    assert_eq!(record.status.code(), u16::from(person.status), "{who}: status");
    assert_eq!(
        record.current_cpr.as_ref().map(|c| c.expose().to_owned()),
        person.current_pnr.clone().filter(|n| *n != person.pnr),
        "{who}: current number"
    );
    assert_eq!(
        record.citizenship.as_ref().map(|c| c.country.as_str()),
        Some(person.citizenship.as_str()),
        "{who}: citizenship"
    );
    assert_eq!(record.is_deceased(), person.status == 90, "{who}: deceased");
    assert_eq!(record.is_disappeared(), person.status == 70, "{who}: disappeared");
    assert_eq!(record.is_emigrated(), person.status == 80, "{who}: emigrated");
    if person.status == 70 {
        assert_eq!(record.disappeared_on, person.disappeared_on, "{who}: disappeared on");
    }
    assert_eq!(
        record.under_guardianship(),
        person.guardianship.as_ref().is_some_and(|g| g.in_force(today)),
        "{who}: guardianship"
    );
    assert_eq!(
        record.protected_address,
        person.protection.as_ref().is_some_and(|p| p.in_force(today)),
        "{who}: protected address"
    );
    let digital_post = if rest { DigitalPost::Unknown } else { DigitalPost::from_flag(person.digital_post) };
    assert_eq!(record.digital_post, digital_post, "{who}: Digital Post");
    match (&person.address, &person.emigration) {
        (Some(expected), _) => {
            let address = record.address.as_ref().unwrap_or_else(|| panic!("{who}: address"));
            assert_eq!(address.kind, AddressKind::Domestic, "{who}");
            // SF1520 sends the code without leading zeros; we keep four digits.
            assert_eq!(
                record.municipality().map(|m| m.as_str()),
                Some(expected.municipality_code.as_str()),
                "{who}: municipality"
            );
            let mut street = expected.clone();
            if rest {
                street.street = expected.street_addressing_name();
            }
            assert_eq!(address.street, street.standard_address(), "{who}: street");
            assert_eq!(address.postal_code.as_deref(), Some(expected.postal_code.as_str()));
            assert_eq!(address.city.as_deref(), Some(expected.postal_district.as_str()));
            assert_eq!(address.co_name, expected.co_name, "{who}: c/o name");
            assert_eq!(address.moved_in, expected.moved_in, "{who}: moved in");
            assert_eq!(
                address.polling_district.as_ref().map(|d| d.code.as_str()),
                expected.polling_district_code.as_deref().filter(|_| !rest),
                "{who}: polling district"
            );
        }
        (None, Some(emigration)) => {
            let address = record.address.as_ref().unwrap_or_else(|| panic!("{who}: abroad"));
            assert_eq!(address.kind, AddressKind::Abroad, "{who}");
            assert_eq!(address.lines, emigration.lines, "{who}: lines abroad");
            assert_eq!(record.municipality(), None, "{who}: no municipality abroad");
            let moved = record.emigration.as_ref().expect("emigration facts");
            assert_eq!(moved.country.as_ref().map(|c| c.as_str()), Some(emigration.country_code.as_str()));
            assert_eq!(moved.date, Some(emigration.date), "{who}: emigration date");
        }
        (None, None) => {
            // Dead, disappeared, statuses 20/30/50/60: no residence to vote from.
            assert_eq!(record.address, None, "{who}: no address");
            assert_eq!(record.municipality(), None, "{who}: no municipality");
        }
    }
    if person.status == 70 {
        assert!(!record.contact_address.is_empty(), "{who}: contact address kept");
    }
    let facts = record.person_facts();
    assert_eq!(facts.deceased, person.status == 90);
    assert_eq!(facts.birth_date, person.birth_date());
}

#[tokio::test]
async fn every_builtin_person_is_mapped_as_the_simulator_describes_them() {
    for provider in REMOTE {
        let sim = start(CprSimConfig::default()).await;
        let client = remote(&sim, provider, settings(0));
        let persons = Persons::builtin();
        assert!(persons.len() >= 18, "the built-in set");
        for person in persons.iter() {
            let answer = client.lookup(&cpr(&person.pnr)).await;
            let answer = answer.unwrap_or_else(|e| panic!("{provider} {:?}: {e}", person.label));
            assert_eq!(answer.source, provider);
            assert!(answer.fresh && answer.fallback_from.is_empty());
            assert_maps(person, &answer.record, provider);
        }
        // Spot checks of what the generic comparison could miss.
        let mads = client.lookup(&cpr("0302700517")).await.unwrap().record;
        assert_eq!(mads.name.full_name(), "Mads Peter Prøvesen");
        let aase = client.lookup(&cpr("2412492348")).await.unwrap().record;
        assert_eq!(aase.name.last_name, "Ørsted-Æbelø");
        assert_eq!(aase.digital_post, DigitalPost::Unknown);
        let aarhus = client.lookup(&cpr("1104751011")).await.unwrap().record;
        assert_eq!(aarhus.municipality().unwrap().as_str(), "0751");
        let dead = client.lookup(&cpr("0404401114")).await.unwrap().record;
        assert_eq!(dead.status, PersonStatus::Dead);
        assert_eq!(requests(&sim), persons.len() + 4, "{provider}: one request per lookup");
    }
}

#[tokio::test]
async fn unknown_number_is_an_answer_not_a_failure() {
    for provider in REMOTE {
        let sim = start(CprSimConfig::default()).await;
        let client = remote(&sim, provider, settings(2));
        let error = client.lookup(&cpr(NOBODY)).await.unwrap_err();
        assert!(error.is_unknown_cpr(), "{provider}: {error:?}");
        assert!(!error.to_string().contains(NOBODY), "never echoed: {error}");
        assert_eq!(requests(&sim), 1, "{provider}: not retried");
        assert_eq!(client.resilience().breaker_state(), BreakerState::Closed);
    }
}

fn pem(identity: &str) -> Option<ClientIdentity> {
    Some(ClientIdentity::from_pem(identity))
}

fn p12(name: &str) -> Option<ClientIdentity> {
    let path = format!("{}/tests/fixtures/cpr/p12/{name}", env!("CARGO_MANIFEST_DIR"));
    Some(ClientIdentity::from_pkcs12_file(path.as_ref(), "Valg-2026").unwrap_or_else(|e| panic!("{name}: {e}")))
}

#[tokio::test]
async fn mutual_tls_needs_the_registered_client_certificate() {
    let sim = start(CprSimConfig { tls: Some(TlsConfig::test()), ..CprSimConfig::default() }).await;
    assert!(sim.sf1520_url().starts_with("https://"));
    let tls = |provider, identity, trust| remote_with(&sim, provider, settings(0), Some((identity, trust)));

    for provider in REMOTE {
        // PEM, and the same certificate as PKCS#12, modern and legacy encryption.
        for (what, identity) in [
            ("PEM", pem(tls_fixtures::CLIENT_IDENTITY_PEM)),
            ("PKCS#12", p12("simulator-client.p12")),
            ("legacy PKCS#12", p12("simulator-client-legacy.p12")),
        ] {
            let answer = tls(provider, identity, true).unwrap().lookup(&cpr(RESIDENT)).await;
            let answer = answer.unwrap_or_else(|e| panic!("{provider} over mutual TLS with {what}: {e}"));
            assert_eq!(answer.record.name.first_names, "Karen");
        }

        // No certificate at all: refused before a request is made.
        assert_eq!(tls(provider, None, true).err(), Some(BuildError::MissingIdentity));

        for (what, identity) in [
            ("another CA's certificate", tls_fixtures::OTHER_CLIENT_IDENTITY_PEM),
            ("an expired certificate", tls_fixtures::EXPIRED_CLIENT_IDENTITY_PEM),
        ] {
            let error = service_error(tls(provider, pem(identity), true).unwrap().lookup(&cpr(RESIDENT)).await);
            assert_eq!(error.kind(), integrations::resilience::ErrorKind::Connect, "{provider}, {what}: {error:?}");
        }

        // The server is only trusted through the test CA, not the system roots.
        let untrusted = tls(provider, pem(tls_fixtures::CLIENT_IDENTITY_PEM), false).unwrap();
        let error = service_error(untrusted.lookup(&cpr(RESIDENT)).await);
        assert_eq!(error.kind(), integrations::resilience::ErrorKind::Connect, "{provider}: {error:?}");

        // tls_reject: the next handshake fails even with the right certificate
        // (a new client, so that no pooled connection skips the handshake).
        sim.control.faults.add(simulators::control::FaultSpec::new("tls_reject").once());
        let fresh = tls(provider, pem(tls_fixtures::CLIENT_IDENTITY_PEM), true).unwrap();
        let error = service_error(fresh.lookup(&cpr(RESIDENT)).await);
        assert_eq!(error.kind(), integrations::resilience::ErrorKind::Connect, "{provider}: {error:?}");
    }
}

/// A second provider standing in for the local copy: the last record it saw.
struct LastKnown(CprRecord);

#[async_trait]
impl CprRegistry for LastKnown {
    fn provider(&self) -> Provider {
        Provider::LocalCopy
    }

    async fn lookup(&self, cpr: &CprNumber) -> Result<CprAnswer, CprError> {
        if *cpr != self.0.cpr {
            return Err(CprError::NoRecord { provider: Provider::LocalCopy });
        }
        let mut answer = CprAnswer::live(self.0.clone(), Provider::LocalCopy, Utc::now());
        answer.fresh = false;
        Ok(answer)
    }
}

#[tokio::test]
async fn chain_falls_back_when_sf1520_is_down_and_says_so() {
    let sim = start(CprSimConfig::default()).await;
    let base = sim.base_url.clone();
    let sf1520 = Arc::new(client(&sim, settings(1)));
    let known = sf1520.lookup(&cpr(RESIDENT)).await.unwrap().record;
    let chain = Chain::new(vec![sf1520.clone(), Arc::new(LastKnown(known.clone()))]).unwrap();
    assert_eq!(chain.providers(), vec![Provider::Sf1520, Provider::LocalCopy]);

    // Healthy: SF1520 answers itself.
    let live = chain.lookup(&cpr(RESIDENT)).await.unwrap();
    assert_eq!((live.source, live.fresh), (Provider::Sf1520, true));
    assert!(live.fallback_from.is_empty());

    add_fault(&base, r#"{"kind":"down"}"#).await;
    let answer = chain.lookup(&cpr(RESIDENT)).await.expect("the second provider answers");
    assert_eq!(answer.source, Provider::LocalCopy);
    assert_eq!(answer.fallback_from, vec![Provider::Sf1520]);
    assert!(!answer.fresh);
    assert_eq!(answer.record, known);

    // Both fail for somebody the copy never saw: every failure is reported.
    let error = chain.lookup(&cpr("0302700517")).await.unwrap_err();
    let CprError::AllFailed(failures) = &error else { panic!("{error:?}") };
    assert_eq!(failures.len(), 2);
    assert!(error.is_unavailable());

    // "Does not exist" from SF1520 ends the search: the copy must not revive it.
    // (The failures above opened SF1520's breaker; the cool-down lets a probe through.)
    assert_eq!(sf1520.resilience().breaker_state(), BreakerState::Open);
    reset(&base).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let unknown = chain.lookup(&cpr(NOBODY)).await.unwrap_err();
    assert!(unknown.is_unknown_cpr(), "{unknown:?}");
}

#[tokio::test]
async fn datafordeleren_answers_when_sf1520_is_down_and_the_chain_says_so() {
    let sim = start(CprSimConfig::default()).await;
    let [sf1520, datafordeleren]: [Arc<dyn CprRegistry>; 2] = REMOTE.map(|p| remote(&sim, p, settings(0)) as _);
    let chain = Chain::new(vec![sf1520, datafordeleren]).unwrap();
    let live = chain.lookup(&cpr(RESIDENT)).await.unwrap();
    assert_eq!((live.source, live.fallback_from.len()), (Provider::Sf1520, 0));

    add_fault(&sim.base_url, r#"{"kind":"down","path":"/service/"}"#).await;
    let answer = chain.lookup(&cpr(RESIDENT)).await.expect("Datafordeleren answers");
    assert_eq!(answer.source, Provider::Datafordeleren);
    assert_eq!(answer.fallback_from, vec![Provider::Sf1520]);
    let mut same = answer.record.clone();
    (same.digital_post, same.address.as_mut().unwrap().polling_district) =
        (live.record.digital_post, live.record.address.as_ref().unwrap().polling_district.clone());
    assert_eq!(same, live.record, "the same person, less what Datafordeleren does not carry");

    // "Does not exist" from Datafordeleren is an answer as well.
    let unknown = chain.lookup(&cpr(NOBODY)).await.unwrap_err();
    assert_eq!(unknown, CprError::UnknownCpr { provider: Provider::Datafordeleren });
}
