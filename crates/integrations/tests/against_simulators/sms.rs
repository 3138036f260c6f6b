//! The SMS client against the SMS gateway simulator: delivery, number forms, refusals,
//! every fault, and no second SMS when a send is retried after an unknown outcome.

use std::time::Duration;

use domain::CprNumber;
use domain::contact::Mobile;
use integrations::messaging::sms::{SmsClient, SmsConfig};
use integrations::messaging::{Outgoing, Recipient, SendError, Transport};
use integrations::resilience::{BreakerSettings, CallError, HealthProbe, RetrySettings, Settings};
use simulators::control::FaultSpec;
use simulators::sms::{SmsSimConfig, SmsSimHandle, SmsSimulator};
use uuid::Uuid;

fn settings() -> Settings {
    Settings {
        connect_timeout: Duration::from_millis(500),
        total_timeout: Duration::from_millis(400),
        max_concurrency: 4,
        retry: RetrySettings {
            max_retries: 0,
            initial_backoff: Duration::from_millis(2),
            max_backoff: Duration::from_millis(2),
        },
        breaker: BreakerSettings { failure_threshold: 100, cool_down: Duration::from_secs(30) },
    }
}

fn message(mobile: &str, sms_id: &str) -> Outgoing {
    Outgoing {
        message_id: Uuid::new_v4(),
        sms_id: sms_id.into(),
        recipient: Recipient {
            cpr: CprNumber::parse("0101901234").unwrap(),
            name: "Jens Hansen".into(),
            email: None,
            mobile: Some(Mobile::parse(mobile).unwrap()),
            exempt_digital_post: false,
        },
        subject: "Invitation".into(),
        html: "<p>Invitation</p>".into(),
        text: "Invitation".into(),
        sms_text: "Du er inviteret til valget. Svar på <valghalla.dk> & tak".into(),
        attachments: Vec::new(),
    }
}

async fn setup(config: SmsSimConfig) -> (SmsSimHandle, SmsClient) {
    let (user, password) = (config.username.clone(), config.password.clone());
    let sim = SmsSimulator::start(config).await.unwrap();
    let client = SmsClient::new(SmsConfig {
        base_url: sim.base_url.clone(),
        username: user,
        password,
        sender_alias: "Korsbæk".into(),
        tenant: Some("korsbaek".into()),
        settings: settings(),
    })
    .unwrap();
    (sim, client)
}

async fn start() -> (SmsSimHandle, SmsClient) {
    setup(SmsSimConfig::default()).await
}

#[tokio::test]
async fn an_sms_arrives_with_its_text_sender_and_messageid() {
    let (sim, client) = start().await;
    client.send(&message("+45 20 30 40 50", "sms-1")).await.unwrap();
    client.send(&message("+49 151 12345678", "sms-2")).await.unwrap();
    let sent = sim.messages();
    assert_eq!(sent.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(), ["4520304050", "+4915112345678"]);
    assert_eq!(sent[0].text, "Du er inviteret til valget. Svar på <valghalla.dk> & tak");
    assert_eq!(sent[0].sender, "Korsbæk");
    assert_eq!(sent[0].messageid.as_deref(), Some("sms-1"));
}

#[tokio::test]
async fn a_retry_after_an_unknown_outcome_sends_no_second_sms() {
    let (sim, client) = start().await;
    let queued = message("20304050", "sms-once");
    sim.control.faults.add(FaultSpec::new("malformed").once());
    let first = client.send(&queued).await;
    assert!(matches!(first, Err(SendError::Temporary(CallError::Malformed(_)))), "{first:?}");
    // The gateway did send it; delivery retries with the same messageid.
    let again = client.send(&queued).await.unwrap();
    assert!(again.reference.unwrap().contains("Dublet"));
    assert_eq!(sim.messages().len(), 1);
}

#[tokio::test]
async fn refused_numbers_are_permanent() {
    let (sim, client) = start().await;
    let result = client.send(&message("99999999", "a")).await;
    assert!(matches!(result, Err(SendError::Permanent(ref why)) if why.contains("Ugyldigt nummer")), "{result:?}");
    sim.control.faults.add(FaultSpec::new("refuse").key("4520304050").once());
    let result = client.send(&message("20304050", "b")).await;
    assert!(matches!(result, Err(SendError::Permanent(_))), "{result:?}");
    assert!(sim.messages().is_empty());
}

#[tokio::test]
async fn wrong_credentials_are_permanent() {
    let sim = SmsSimulator::start(SmsSimConfig { password: "andet".into(), ..SmsSimConfig::default() }).await.unwrap();
    let client = SmsClient::new(SmsConfig {
        base_url: sim.base_url.clone(),
        username: "valghalla".into(),
        password: "sms-hemmelighed".into(),
        sender_alias: "Korsbæk".into(),
        tenant: None,
        settings: settings(),
    })
    .unwrap();
    let result = client.send(&message("20304050", "a")).await;
    assert!(matches!(result, Err(SendError::Permanent(ref why)) if why.contains("401")), "{result:?}");
}

/// What a fault's `CallError` must look like.
type Expected = fn(&CallError) -> bool;

#[tokio::test]
async fn every_fault_is_classified() {
    let (sim, client) = start().await;
    let faults = &sim.control.faults;
    let cases: Vec<(FaultSpec, Expected)> = vec![
        (FaultSpec::new("http_status").params(serde_json::json!({ "status": 500 })), |e| {
            matches!(e, CallError::Status { status: 500, .. })
        }),
        (FaultSpec::new("down"), |e| matches!(e, CallError::Status { status: 503, .. })),
        (FaultSpec::new("empty_body"), |e| matches!(e, CallError::Malformed(_))),
        (FaultSpec::new("no_statuslines"), |e| matches!(e, CallError::Malformed(_))),
        (FaultSpec::new("timeout"), |e| matches!(e, CallError::Timeout(_))),
        (FaultSpec::new("delay_ms").params(serde_json::json!({ "ms": 1_000 })), |e| matches!(e, CallError::Timeout(_))),
    ];
    for (i, (fault, expected)) in cases.into_iter().enumerate() {
        let kind = fault.kind.clone();
        faults.add(fault.once());
        let result = client.send(&message("20304050", &format!("f{i}"))).await;
        match result {
            Err(SendError::Temporary(ref e)) if expected(e) => {}
            other => panic!("{kind}: {other:?}"),
        }
    }
    faults.add(FaultSpec::new("unauthorized").once());
    assert!(matches!(client.send(&message("20304050", "u")).await, Err(SendError::Permanent(_))));
    // The faults are used up: the gateway works again.
    client.send(&message("20304050", "ok")).await.unwrap();
}

#[tokio::test]
async fn a_downtime_window_is_temporary_until_it_ends() {
    let (sim, client) = start().await;
    crate::add_fault(sim.base_url.trim_end_matches('/'), r#"{"kind":"downtime_window","params":{"seconds":60}}"#).await;
    let result = client.send(&message("20304050", "w")).await;
    assert!(matches!(result, Err(SendError::Temporary(CallError::Status { status: 503, .. }))), "{result:?}");
    crate::reset(sim.base_url.trim_end_matches('/')).await;
    client.send(&message("20304050", "w")).await.unwrap();
    assert_eq!(sim.messages().len(), 1);
}

#[tokio::test]
async fn the_rate_limit_asks_to_wait_as_the_gateway_says() {
    let (sim, client) = setup(SmsSimConfig { rate_limit_per_second: Some(1), ..SmsSimConfig::default() }).await;
    client.send(&message("20304050", "r1")).await.unwrap();
    let result = client.send(&message("20304050", "r2")).await;
    // The simulator answers 429 with `Retry-After: 1`.
    assert!(matches!(result, Err(SendError::Throttled(wait)) if wait == Duration::from_secs(1)), "{result:?}");
    assert_eq!(sim.throttled(), 1);
    assert_eq!(sim.messages().len(), 1, "a throttled request sends nothing");
    assert!(client.resilience().status().last_error.is_none(), "a 429 is no failure of the gateway");
}

#[tokio::test]
async fn the_health_probe_reaches_the_gateway_without_sending() {
    let (sim, client) = start().await;
    let report = client.probe().await;
    assert!(report.ok, "{report:?}");
    assert_eq!(report.integration, "sms");
    sim.control.faults.add(FaultSpec::new("down").once());
    let report = client.probe().await;
    assert!(!report.ok && report.detail.contains("503"), "{report:?}");
    assert!(sim.messages().is_empty());
}
