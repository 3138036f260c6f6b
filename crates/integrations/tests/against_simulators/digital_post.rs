//! The Digital Post clients (`integrations::messaging::digital_post`) against the Digital Post
//! simulator (`simulators::digital_post`): the token chain over mutual TLS, token caching,
//! early refresh and the one refresh-and-retry on 401, `PostForespoerg`, duplicates, and how
//! every fault is classified (Unreachable / Permanent / Temporary).

use std::sync::Arc;
use std::time::Duration;

use domain::{CprNumber, Cvr};
use integrations::messaging::digital_post::{
    ClientIdentity, MemoSender, NgdpClient, NgdpConfig, Sf1601Client, Sf1601Config,
};
use integrations::messaging::{Attachment, Outgoing, Recipient, SendError, Transport};
use integrations::resilience::{BreakerSettings, CallError, ManualClock, Resilience, RetrySettings, Settings};
use simulators::control::FaultSpec;
use simulators::cpr::tls_fixtures;
use simulators::digital_post::{
    DigitalPostSimConfig, DigitalPostSimHandle, DigitalPostSimulator, DuplicatePolicy, Registration, TlsConfig,
};
use uuid::Uuid;

const CVR: &str = "12345674";
const CITIZEN: &str = "1205851236";

fn settings() -> Settings {
    Settings {
        connect_timeout: Duration::from_millis(1000),
        total_timeout: Duration::from_millis(1000),
        max_concurrency: 4,
        retry: RetrySettings {
            max_retries: 0,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
        },
        breaker: BreakerSettings { failure_threshold: 100, cool_down: Duration::from_millis(100) },
    }
}

fn sender() -> MemoSender {
    MemoSender { cvr: Cvr::parse(CVR).unwrap(), label: "Korsbæk Kommune, Valgsekretariatet".into() }
}

async fn start(config: DigitalPostSimConfig) -> DigitalPostSimHandle {
    let config = DigitalPostSimConfig { tls: Some(TlsConfig::test()), ..config };
    DigitalPostSimulator::start(config).await.expect("the Digital Post simulator starts").1
}

fn config(sim: &DigitalPostSimHandle) -> Sf1601Config {
    let identity = ClientIdentity::from_pem(tls_fixtures::CLIENT_IDENTITY_PEM);
    let mut config = Sf1601Config::new(&sim.sts_url(), &sim.base_url, sender(), identity);
    config.trusted_roots = Some(tls_fixtures::CA_CERT_PEM.as_bytes().to_vec());
    config.settings = settings();
    config
}

fn client(sim: &DigitalPostSimHandle) -> Sf1601Client {
    Sf1601Client::new(config(sim)).expect("the client builds")
}

fn letter(cpr: &str) -> Outgoing {
    Outgoing {
        message_id: Uuid::new_v4(),
        sms_id: "sms-1".into(),
        recipient: Recipient {
            cpr: CprNumber::parse(cpr).unwrap(),
            name: "Anna Jensen".into(),
            email: None,
            mobile: None,
            exempt_digital_post: false,
        },
        subject: "Indkaldelse til valgtilforordnet".into(),
        html: "<p>Kære Anna &amp; velkommen</p>".into(),
        text: "Kære Anna".into(),
        sms_text: "Du er indkaldt".into(),
        attachments: vec![Attachment {
            filename: "mødested.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.4 test".to_vec(),
        }],
    }
}

/// A fault rule as `POST /__sim/faults` takes it, added in-process (the simulator speaks HTTPS
/// with client certificates only).
fn add_fault(sim: &DigitalPostSimHandle, rule: &str) {
    let spec: FaultSpec = serde_json::from_str(rule).unwrap_or_else(|e| panic!("{rule}: {e}"));
    sim.control.faults.add(spec);
}

fn count(sim: &DigitalPostSimHandle, path: &str) -> usize {
    sim.control.recorder.all().iter().filter(|r| r.path == path).count()
}

#[tokio::test]
async fn a_registered_citizen_gets_the_letter_through_the_whole_token_chain_over_mtls() {
    let sim = start(DigitalPostSimConfig::default()).await;
    let message = letter(CITIZEN);
    let sent = client(&sim).send(&message).await.expect("accepted");
    let letters = sim.letters();
    assert_eq!(letters.len(), 1);
    assert!(letters[0].accepted);
    assert_eq!(letters[0].message_uuid, message.message_id.to_string());
    assert_eq!(sent.reference.as_deref(), Some(letters[0].transmission_id.as_str()));
    assert_eq!(letters[0].sender_cvr, CVR);
    assert_eq!(letters[0].files, vec!["content.html", "mødested.pdf"]);
    // One token per service: PostForespoerg and KombiPostAfsend.
    assert_eq!(count(&sim, simulators::digital_post::STS_PATH), 2);
    assert_eq!(count(&sim, simulators::digital_post::TOKEN_PATH), 2);
    let kombi =
        sim.control.recorder.all().into_iter().find(|r| r.path == simulators::digital_post::KOMBI_PATH).unwrap();
    assert_eq!(kombi.headers.get("x-transaktionsid"), Some(&message.message_id.to_string()));
}

#[tokio::test]
async fn tokens_are_cached_between_letters() {
    let sim = start(DigitalPostSimConfig::default()).await;
    let client = client(&sim);
    for _ in 0..3 {
        client.send(&letter(CITIZEN)).await.expect("accepted");
    }
    assert_eq!(sim.letters().len(), 3);
    assert_eq!(count(&sim, simulators::digital_post::STS_PATH), 2);
    assert_eq!(count(&sim, simulators::digital_post::TOKEN_PATH), 2);
}

#[tokio::test]
async fn an_access_token_near_its_expiry_is_renewed_before_it_is_used() {
    let sim =
        start(DigitalPostSimConfig { access_token_lifetime: Duration::from_secs(600), ..Default::default() }).await;
    let clock = Arc::new(ManualClock::new());
    let resilience = Arc::new(Resilience::with_clock("digital_post_sf1601", None, settings(), clock.clone()));
    let mut config = config(&sim);
    config.check_registration = false;
    config.token_refresh_margin = Duration::from_secs(120);
    let client = Sf1601Client::with_resilience(config, resilience).unwrap();
    client.send(&letter(CITIZEN)).await.expect("accepted");
    clock.advance(Duration::from_secs(470));
    client.send(&letter(CITIZEN)).await.expect("accepted");
    assert_eq!(count(&sim, simulators::digital_post::TOKEN_PATH), 1, "still 130 s left: cached");
    clock.advance(Duration::from_secs(20));
    client.send(&letter(CITIZEN)).await.expect("accepted");
    assert_eq!(count(&sim, simulators::digital_post::TOKEN_PATH), 2, "110 s left: renewed early");
    assert_eq!(count(&sim, simulators::digital_post::STS_PATH), 1, "the SAML token lives longer");
}

#[tokio::test]
async fn a_401_on_send_refreshes_the_tokens_and_retries_exactly_once() {
    let sim = start(DigitalPostSimConfig::default()).await;
    let client = client(&sim);
    let kombi = simulators::digital_post::KOMBI_PATH;
    add_fault(&sim, &format!(r#"{{"kind":"unauthorized","path":"{kombi}","times":1}}"#));
    client.send(&letter(CITIZEN)).await.expect("accepted after one refresh");
    assert_eq!(sim.letters().len(), 1);
    assert_eq!(count(&sim, simulators::digital_post::STS_PATH), 3, "a new kombi SAML token");

    add_fault(&sim, &format!(r#"{{"kind":"unauthorized","path":"{kombi}","times":2}}"#));
    let before = count(&sim, kombi);
    let error = client.send(&letter(CITIZEN)).await.expect_err("refused twice");
    assert!(matches!(error, SendError::Permanent(_)), "{error:?}");
    assert_eq!(count(&sim, kombi) - before, 2, "one retry, not more");
}

#[tokio::test]
async fn exempt_and_unregistered_citizens_are_unreachable_without_a_letter() {
    let sim = start(DigitalPostSimConfig::default()).await;
    sim.set_registration(CITIZEN, Registration::Exempt);
    let client = client(&sim);
    let error = client.send(&letter(CITIZEN)).await.expect_err("exempt");
    assert!(matches!(error, SendError::Unreachable(_)), "{error:?}");
    sim.set_registration(CITIZEN, Registration::NotRegistered);
    let error = client.send(&letter(CITIZEN)).await.expect_err("not registered");
    assert!(matches!(error, SendError::Unreachable(_)), "{error:?}");
    assert!(sim.letters().is_empty());

    let mut exempt = letter(CITIZEN);
    exempt.recipient.exempt_digital_post = true;
    let requests = sim.control.recorder.all().len();
    assert!(matches!(client.send(&exempt).await, Err(SendError::Unreachable(_))));
    assert_eq!(sim.control.recorder.all().len(), requests, "CPR said exempt: nothing is asked");
}

#[tokio::test]
async fn without_the_lookup_an_unregistered_citizen_is_refused_for_good() {
    let sim =
        start(DigitalPostSimConfig { default_registration: Registration::NotRegistered, ..Default::default() }).await;
    let mut config = config(&sim);
    config.check_registration = false;
    let error = Sf1601Client::new(config).unwrap().send(&letter(CITIZEN)).await.expect_err("Result=false");
    assert!(matches!(error, SendError::Permanent(ref text) if text.contains("ikke tilmeldt")), "{error:?}");
}

#[tokio::test]
async fn a_failed_registration_lookup_does_not_stop_the_letter() {
    let sim = start(DigitalPostSimConfig::default()).await;
    let path = simulators::digital_post::FORESPOERG_PATH;
    add_fault(&sim, &format!(r#"{{"kind":"fault","path":"{path}","times":1}}"#));
    let client = client(&sim);
    client.send(&letter(CITIZEN)).await.expect("sent anyway");
    assert_eq!(sim.letters().len(), 1);

    // PostForespoerg refuses the cached token: the letter still goes.
    sim.control.faults.add(FaultSpec::new("unauthorized").path(path).once());
    client.send(&letter(CITIZEN)).await.expect("sent without knowing");
    assert_eq!(sim.letters().len(), 2);

    // The STS refuses the PostForespoerg token (it is asked first): the letter still goes.
    let sts = simulators::digital_post::STS_PATH;
    add_fault(&sim, &format!(r#"{{"kind":"fault","path":"{sts}","times":1,"params":{{"status":403}}}}"#));
    let before = count(&sim, sts);
    self::client(&sim).send(&letter(CITIZEN)).await.expect("sent without a lookup");
    assert_eq!(sim.letters().len(), 3);
    assert_eq!(count(&sim, sts) - before, 2, "refused for PostForespoerg, issued for sending");
}

#[tokio::test]
async fn sending_the_same_message_again_is_taken_as_already_delivered() {
    for policy in [DuplicatePolicy::Conflict, DuplicatePolicy::Idempotent] {
        let sim = start(DigitalPostSimConfig { duplicates: policy, ..Default::default() }).await;
        let client = client(&sim);
        let message = letter(CITIZEN);
        client.send(&message).await.expect("first");
        client.send(&message).await.expect("the repeat is not an error");
        assert_eq!(sim.letters().len(), 1, "{policy:?}: one letter");
    }
}

#[tokio::test]
async fn an_unreadable_answer_is_temporary_and_the_retry_does_not_deliver_twice() {
    let sim = start(DigitalPostSimConfig::default()).await;
    let client = client(&sim);
    let kombi = simulators::digital_post::KOMBI_PATH;
    add_fault(&sim, &format!(r#"{{"kind":"malformed","path":"{kombi}","times":1}}"#));
    let message = letter(CITIZEN);
    let error = client.send(&message).await.expect_err("truncated answer");
    assert!(matches!(error, SendError::Temporary(CallError::Malformed(_))), "{error:?}");
    client.send(&message).await.expect("the retry is acknowledged");
    assert_eq!(sim.letters().len(), 1);
}

#[tokio::test]
async fn server_errors_timeouts_and_downtime_are_temporary() {
    let sim = start(DigitalPostSimConfig::default()).await;
    let client = client(&sim);
    let kombi = simulators::digital_post::KOMBI_PATH;
    let rules = [
        format!(r#"{{"kind":"http_status","path":"{kombi}","times":1,"params":{{"status":503}}}}"#),
        format!(r#"{{"kind":"fault","path":"{kombi}","times":1}}"#),
        format!(r#"{{"kind":"timeout","path":"{kombi}","times":1}}"#),
        format!(r#"{{"kind":"delay_ms","path":"{kombi}","times":1,"params":{{"ms":3000}}}}"#),
        downtime(),
    ];
    for rule in rules {
        add_fault(&sim, &rule);
        let error = client.send(&letter(CITIZEN)).await.expect_err(&rule);
        assert!(matches!(error, SendError::Temporary(_)), "{rule}: {error:?}");
        sim.control.faults.clear();
    }
    assert!(sim.letters().is_empty());
}

fn downtime() -> String {
    let now = chrono::Utc::now();
    let (from, to) = (now - chrono::Duration::minutes(1), now + chrono::Duration::minutes(1));
    format!(r#"{{"kind":"downtime_window","params":{{"from":"{}","to":"{}"}}}}"#, from.to_rfc3339(), to.to_rfc3339())
}

#[tokio::test]
async fn refusals_of_the_letter_or_the_sender_are_permanent() {
    let sim = start(DigitalPostSimConfig::default()).await;
    let client = client(&sim);
    let kombi = simulators::digital_post::KOMBI_PATH;
    for rule in [
        format!(r#"{{"kind":"fault","path":"{kombi}","times":1,"params":{{"status":400}}}}"#),
        format!(r#"{{"kind":"advis","path":"{kombi}","times":1,"params":{{"text":"Afvist: skemafejl"}}}}"#),
        format!(r#"{{"kind":"result_false","path":"{kombi}","times":1}}"#),
    ] {
        add_fault(&sim, &rule);
        let error = client.send(&letter(CITIZEN)).await.expect_err(&rule);
        assert!(matches!(error, SendError::Permanent(_)), "{rule}: {error:?}");
    }

    let other = start(DigitalPostSimConfig { agreements: Some(vec!["29189846".into()]), ..Default::default() }).await;
    let error = self::client(&other).send(&letter(CITIZEN)).await.expect_err("no agreement");
    assert!(matches!(error, SendError::Permanent(ref text) if text.contains("403")), "{error:?}");
}

#[tokio::test]
async fn a_letter_over_the_memo_limits_is_refused_before_anything_is_sent() {
    let sim = start(DigitalPostSimConfig::default()).await;
    let mut message = letter(CITIZEN);
    message.subject = "x".repeat(257);
    let error = client(&sim).send(&message).await.expect_err("label too long");
    assert!(matches!(error, SendError::Permanent(ref text) if text.contains("256")), "{error:?}");
    assert!(sim.control.recorder.all().is_empty());
}

#[tokio::test]
async fn direct_ngdp_sends_the_same_memo_with_the_certificate_alone() {
    let sim = start(DigitalPostSimConfig::default()).await;
    let identity = ClientIdentity::from_pem(tls_fixtures::CLIENT_IDENTITY_PEM);
    let mut config = NgdpConfig::new(&sim.base_url, sender(), identity);
    config.trusted_roots = Some(tls_fixtures::CA_CERT_PEM.as_bytes().to_vec());
    config.settings = settings();
    let client = NgdpClient::new(config).unwrap();
    let message = letter(CITIZEN);
    client.send(&message).await.expect("accepted");
    client.send(&message).await.expect("a repeat is already delivered");
    let letters = sim.letters();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].via, "ngdp");
    assert_eq!(letters[0].files, vec!["content.html", "mødested.pdf"]);
    sim.set_registration(CITIZEN, Registration::Exempt);
    let error = client.send(&letter(CITIZEN)).await.expect_err("exempt");
    assert!(matches!(error, SendError::Permanent(_)), "{error:?}");
    assert_eq!(count(&sim, simulators::digital_post::STS_PATH), 0, "no token chain");
}

#[tokio::test]
async fn a_cached_assertion_the_token_service_refuses_is_replaced_once() {
    let sim =
        start(DigitalPostSimConfig { access_token_lifetime: Duration::from_secs(600), ..Default::default() }).await;
    let clock = Arc::new(ManualClock::new());
    let resilience = Arc::new(Resilience::with_clock("digital_post_sf1601", None, settings(), clock.clone()));
    let mut config = config(&sim);
    config.check_registration = false;
    let client = Sf1601Client::with_resilience(config, resilience).unwrap();
    client.send(&letter(CITIZEN)).await.expect("accepted");
    clock.advance(Duration::from_secs(500));
    add_fault(
        &sim,
        &format!(r#"{{"kind":"unauthorized","path":"{}","times":1}}"#, simulators::digital_post::TOKEN_PATH),
    );
    client.send(&letter(CITIZEN)).await.expect("accepted with a new assertion");
    assert_eq!(count(&sim, simulators::digital_post::STS_PATH), 2);
    assert_eq!(count(&sim, simulators::digital_post::TOKEN_PATH), 3);
}

#[tokio::test]
async fn concurrent_letters_share_one_token_fetch_per_service() {
    let sim = start(DigitalPostSimConfig::default()).await;
    let client = Arc::new(
        Sf1601Client::new(Sf1601Config { settings: Settings { max_concurrency: 16, ..settings() }, ..config(&sim) })
            .unwrap(),
    );
    let started = std::time::Instant::now();
    let mut sends = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let client = client.clone();
        sends.spawn(async move { client.send(&letter(CITIZEN)).await });
    }
    while let Some(sent) = sends.join_next().await {
        sent.unwrap().expect("accepted");
    }
    let elapsed = started.elapsed();
    println!(
        "200 letters over mTLS with lookups in {} ms ({:.0}/s)",
        elapsed.as_millis(),
        200.0 / elapsed.as_secs_f64()
    );
    assert_eq!(sim.letters().len(), 200);
    assert_eq!(count(&sim, simulators::digital_post::STS_PATH), 2, "no stampede on the STS");
    assert_eq!(count(&sim, simulators::digital_post::TOKEN_PATH), 2);
}

#[tokio::test]
async fn the_health_probe_asks_the_sts_for_a_token() {
    use integrations::resilience::HealthProbe as _;
    let sim = start(DigitalPostSimConfig::default()).await;
    let client = client(&sim);
    let report = client.probe().await;
    assert!(report.ok, "{report:?}");
    assert_eq!(count(&sim, simulators::digital_post::STS_PATH), 1);
    add_fault(
        &sim,
        &format!(r#"{{"kind":"fault","path":"{}","params":{{"status":503}}}}"#, simulators::digital_post::STS_PATH),
    );
    let report = client.probe().await;
    assert!(!report.ok);
    assert!(report.detail.contains("503"), "{}", report.detail);
}
