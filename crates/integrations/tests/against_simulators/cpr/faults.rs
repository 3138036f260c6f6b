//! Every fault kind of the CPR simulator that a client can meet, against the
//! SF1520 client and, where the fault is not SOAP's, the Datafordeleren client:
//! classification, retries where idempotent, the breaker.

use std::time::{Duration, Instant};

use integrations::cpr::{CprAnswer, CprError, CprRecord, CprRegistry, Provider};
use integrations::resilience::{BreakerState, CallError, ErrorKind as K};
use simulators::cpr::{AgreementRefusal, CprSimConfig, CprSimHandle, Persons};

use super::{REMOTE, RESIDENT, client, cpr, remote, requests, service_error, settings, start};
use crate::{add_fault, reset};

/// One fault case: the rule, what the client must make of it, and how many
/// requests the simulator must see (`None` where a hanging request may or may
/// not be recorded).
struct Case {
    rule: &'static str,
    expect: fn(&Result<CprAnswer, CprError>) -> bool,
    requests: Option<usize>,
}

fn status(result: &Result<CprAnswer, CprError>, code: u16) -> bool {
    matches!(result, Err(CprError::Service { error: CallError::Status { status, .. }, .. }) if *status == code)
}

fn kind(result: &Result<CprAnswer, CprError>, want: K) -> bool {
    matches!(result, Err(CprError::Service { error, .. }) if error.kind() == want)
}

fn fault_code(result: &Result<CprAnswer, CprError>, want: &str) -> bool {
    matches!(result, Err(CprError::Service { error: CallError::Fault { code, .. }, .. }) if code == want)
}

const ALL_ATTEMPTS: Option<usize> = Some(3);

/// Faults of the transport and the front proxy, whichever service is behind it.
const COMMON: [Case; 8] = [
    Case { rule: r#"{"kind":"down"}"#, expect: |r| status(r, 503), requests: ALL_ATTEMPTS },
    Case {
        rule: r#"{"kind":"downtime_window","params":{"seconds":60}}"#,
        expect: |r| status(r, 503),
        requests: ALL_ATTEMPTS,
    },
    Case {
        rule: r#"{"kind":"http_status","params":{"status":502,"body":"bad gateway"}}"#,
        expect: |r| status(r, 502),
        requests: ALL_ATTEMPTS,
    },
    Case {
        rule: r#"{"kind":"http_status","params":{"status":500}}"#,
        expect: |r| status(r, 500),
        requests: ALL_ATTEMPTS,
    },
    Case { rule: r#"{"kind":"malformed"}"#, expect: |r| kind(r, K::Malformed), requests: Some(1) },
    Case { rule: r#"{"kind":"html_error"}"#, expect: |r| status(r, 502), requests: ALL_ATTEMPTS },
    Case { rule: r#"{"kind":"unauthorized"}"#, expect: |r| status(r, 403), requests: Some(1) },
    Case { rule: r#"{"kind":"close_connection"}"#, expect: |r| kind(r, K::Connect), requests: Some(0) },
];

#[tokio::test]
async fn every_common_fault_kind_is_classified_and_retried_where_transient() {
    for provider in REMOTE {
        run(&start(CprSimConfig::default()).await, provider, &COMMON).await;
    }
}

#[tokio::test]
async fn datafordeleren_bodies_that_are_not_its_json_are_malformed() {
    let sim = start(CprSimConfig::default()).await;
    let cases = [
        Case {
            rule: r#"{"kind":"malformed","params":{"variant":"not_json"}}"#,
            expect: |r| kind(r, K::Malformed),
            requests: Some(1),
        },
        Case {
            rule: r#"{"kind":"malformed","params":{"variant":"wrong_shape"}}"#,
            expect: |r| kind(r, K::Malformed),
            requests: Some(1),
        },
    ];
    run(&sim, Provider::Datafordeleren, &cases).await;
}

#[tokio::test]
async fn every_soap_fault_kind_is_classified() {
    let sim = start(CprSimConfig::default()).await;
    let cases = [
        Case {
            rule: r#"{"kind":"soap_fault","params":{"code":"TechnicalError","text":"Teknisk fejl"}}"#,
            expect: |r| fault_code(r, "TechnicalError"),
            requests: Some(1),
        },
        Case {
            rule: r#"{"kind":"soap_fault","params":{"status":200}}"#,
            expect: |r| kind(r, K::Fault),
            requests: Some(1),
        },
        Case { rule: r#"{"kind":"no_agreement"}"#, expect: |r| fault_code(r, "NoServiceAgreement"), requests: Some(1) },
        Case {
            rule: r#"{"kind":"malformed","params":{"variant":"wrong_namespace"}}"#,
            expect: |r| kind(r, K::Malformed),
            requests: Some(1),
        },
        Case {
            rule: r#"{"kind":"malformed","params":{"variant":"not_xml"}}"#,
            expect: |r| kind(r, K::Malformed),
            requests: Some(1),
        },
        Case {
            rule: r#"{"kind":"malformed","params":{"variant":"empty_body"}}"#,
            expect: |r| kind(r, K::Malformed),
            requests: Some(1),
        },
    ];
    run(&sim, Provider::Sf1520, &cases).await;
}

/// A service that hangs (answers late or never) is cut off by the client's
/// timeout on every attempt, and each attempt is retried.
#[tokio::test]
async fn a_hanging_service_times_out() {
    let sim = start(CprSimConfig::default()).await;
    let cases = [
        Case { rule: r#"{"kind":"delay_ms","params":{"ms":3000}}"#, expect: |r| kind(r, K::Timeout), requests: None },
        Case {
            rule: r#"{"kind":"slow","params":{"min_ms":2500,"max_ms":3000}}"#,
            expect: |r| kind(r, K::Timeout),
            requests: None,
        },
        Case { rule: r#"{"kind":"timeout"}"#, expect: |r| kind(r, K::Timeout), requests: None },
        Case {
            rule: r#"{"kind":"timeout","params":{"stage":"body"}}"#,
            expect: |r| kind(r, K::Timeout),
            requests: None,
        },
    ];
    for provider in REMOTE {
        run(&sim, provider, &cases).await;
    }
}

/// Each case on a fresh client (a closed breaker) after `/__sim/reset`.
async fn run(sim: &CprSimHandle, provider: Provider, cases: &[Case]) {
    let base = &sim.base_url;
    for case in cases {
        reset(base).await;
        let client = remote(sim, provider, settings(2));
        add_fault(base, case.rule).await;
        let started = Instant::now();
        let result = client.lookup(&cpr(RESIDENT)).await;
        assert!((case.expect)(&result), "{provider} {}: got {result:?}", case.rule);
        assert!(matches!(&result, Err(e) if e.to_string().contains(provider.as_str())), "{provider}: {result:?}");
        if let Err(error) = &result {
            assert!(!error.to_string().contains(RESIDENT), "{}: {error}", case.rule);
        }
        if let Some(expected) = case.requests {
            assert_eq!(requests(sim), expected, "{}: requests seen", case.rule);
        }
        assert!(started.elapsed() < Duration::from_secs(6), "{}: bounded", case.rule);
    }
}

#[tokio::test]
async fn passing_faults_are_ridden_out_by_retries() {
    for provider in REMOTE {
        let sim = start(CprSimConfig::default()).await;
        let base = sim.base_url.clone();
        let expected = remote(&sim, provider, settings(0)).lookup(&cpr(RESIDENT)).await.unwrap().record;

        // flap: fail, ok, fail, ok … — the retry lands on an "ok".
        for (rule, seen) in [
            (r#"{"kind":"flap","params":{"period":2,"failures":1}}"#, 2),
            (r#"{"kind":"http_status","times":2,"params":{"status":503}}"#, 3),
            (r#"{"kind":"close_connection","times":1}"#, 1),
            (r#"{"kind":"timeout","times":1}"#, 2),
        ] {
            reset(&base).await;
            add_fault(&base, rule).await;
            let answer = remote(&sim, provider, settings(2)).lookup(&cpr(RESIDENT)).await;
            let answer = answer.unwrap_or_else(|e| panic!("{provider} {rule}: {e}"));
            assert_eq!(answer.record, expected, "{rule}");
            if !rule.contains("timeout") {
                assert_eq!(requests(&sim), seen, "{provider} {rule}: requests seen");
            }
        }

        // Without retries the same passing fault is reported.
        reset(&base).await;
        add_fault(&base, r#"{"kind":"flap","params":{"period":2,"failures":1}}"#).await;
        let once = remote(&sim, provider, settings(0)).lookup(&cpr(RESIDENT)).await;
        assert!(status(&once, 503), "{once:?}");
    }
}

#[tokio::test]
async fn rate_limit_is_a_transient_429() {
    for provider in REMOTE {
        let sim = start(CprSimConfig::default()).await;
        let base = sim.base_url.clone();
        add_fault(&base, r#"{"kind":"rate_limit","params":{"per_second":1}}"#).await;
        let client = remote(&sim, provider, settings(2));
        client.lookup(&cpr(RESIDENT)).await.expect("within the budget");
        let over = client.lookup(&cpr(RESIDENT)).await;
        assert!(status(&over, 429), "{over:?}");
        assert_eq!(requests(&sim), 1 + 3, "{provider}: 429 is retried");
    }
}

#[tokio::test]
async fn schema_drift_is_read_alike() {
    for provider in REMOTE {
        let sim = start(CprSimConfig::default()).await;
        let base = sim.base_url.clone();
        let client = remote(&sim, provider, settings(0));
        for person in Persons::builtin().iter() {
            let plain = client.lookup(&cpr(&person.pnr)).await.unwrap().record;
            add_fault(&base, r#"{"kind":"schema_drift","times":1}"#).await;
            let drifted = client.lookup(&cpr(&person.pnr)).await;
            let drifted = drifted.unwrap_or_else(|e| panic!("{provider} {:?}: {e}", person.label)).record;
            let (drifted, plain) = (comparable(drifted, &plain, provider), comparable(plain.clone(), &plain, provider));
            assert_eq!(drifted, plain, "{provider} {:?}", person.label);
        }
    }
}

/// A record as drift may leave it: SF1520's drift changes the age CPR
/// computed; Datafordeleren's drops the optional `conavn` and `bynavn`.
fn comparable(mut record: CprRecord, plain: &CprRecord, provider: Provider) -> CprRecord {
    record.age = plain.age;
    if let Some(address) = record.address.as_mut().filter(|_| provider == Provider::Datafordeleren) {
        (address.co_name, address.locality) = (None, None);
    }
    record
}

#[tokio::test]
async fn breaker_opens_after_n_failures_and_recovers_through_a_half_open_probe() {
    for provider in REMOTE {
        let sim = start(CprSimConfig::default()).await;
        let base = sim.base_url.clone();
        let client = remote(&sim, provider, settings(0));
        add_fault(&base, r#"{"kind":"down"}"#).await;
        for _ in 0..3 {
            assert!(status(&client.lookup(&cpr(RESIDENT)).await, 503));
        }
        assert_eq!(client.resilience().breaker_state(), BreakerState::Open);
        let refused = service_error(client.lookup(&cpr(RESIDENT)).await);
        assert!(matches!(refused, CallError::BreakerOpen(_)), "{refused:?}");
        assert_eq!(requests(&sim), 3, "an open breaker does not call the service");

        // The cool-down passes with the fault still there: the probe fails, open again.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert!(status(&client.lookup(&cpr(RESIDENT)).await, 503));
        assert_eq!(requests(&sim), 4, "exactly one probe");
        assert_eq!(client.resilience().breaker_state(), BreakerState::Open);

        // The fault is removed: after the cool-down the probe succeeds and closes it.
        reset(&base).await;
        tokio::time::sleep(Duration::from_millis(1100)).await;
        client.lookup(&cpr(RESIDENT)).await.expect("the probe gets through");
        assert_eq!(client.resilience().breaker_state(), BreakerState::Closed);
        client.lookup(&cpr(RESIDENT)).await.expect("closed again");
        assert_eq!(requests(&sim), 2);
    }
}

#[tokio::test]
async fn a_cvr_without_service_agreement_is_refused_either_way() {
    for (refusal, expect) in [
        (AgreementRefusal::SoapFault, (|r| fault_code(r, "NoServiceAgreement")) as fn(&_) -> bool),
        (AgreementRefusal::Forbidden, |r| status(r, 403)),
    ] {
        let sim = start(CprSimConfig {
            agreements: Some(vec!["29189846".into()]),
            agreement_refusal: refusal,
            ..CprSimConfig::default()
        })
        .await;
        let result = client(&sim, settings(2)).lookup(&cpr(RESIDENT)).await;
        assert!(expect(&result), "{refusal:?}: {result:?}");
        assert_eq!(requests(&sim), 1, "{refusal:?}: a refusal is not retried");
    }
}

#[tokio::test]
async fn a_keyed_fault_fails_one_person_and_not_the_others() {
    let sim = start(CprSimConfig::default()).await;
    add_fault(&sim.base_url, r#"{"kind":"soap_fault","key":"0302700517","params":{"code":"TechnicalError"}}"#).await;
    let client = client(&sim, settings(0));
    let failed = client.lookup(&cpr("0302700517")).await;
    assert!(fault_code(&failed, "TechnicalError"), "{failed:?}");
    client.lookup(&cpr(RESIDENT)).await.expect("others are answered");
}

#[tokio::test]
async fn the_health_probe_reports_the_service_and_bypasses_an_open_breaker() {
    for provider in REMOTE {
        let sim = start(CprSimConfig::default()).await;
        let client = remote(&sim, provider, settings(0));
        let report = client.probe().await;
        assert!(report.ok, "{}", report.detail);
        assert_eq!(report.integration, provider.as_str());

        add_fault(&sim.base_url, r#"{"kind":"down"}"#).await;
        for _ in 0..3 {
            let _ = client.lookup(&cpr(RESIDENT)).await;
        }
        assert_eq!(client.resilience().breaker_state(), BreakerState::Open);
        let before = requests(&sim);
        let report = client.probe().await;
        assert!(!report.ok && report.detail.contains("503"), "{}", report.detail);
        assert_eq!(requests(&sim), before + 1, "the probe reached the service");

        reset(&sim.base_url).await;
        let report = client.probe().await;
        assert!(report.ok, "{}", report.detail);
        assert_eq!(client.resilience().breaker_state(), BreakerState::Closed);
    }
}
