//! Every failure the SF1520 client must classify, retries, the breaker, the
//! health probe and the provider chain.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use domain::CprNumber;
use integrations::cpr::{Chain, CprAnswer, CprError, CprRegistry, Provider};
use integrations::resilience::{BreakerState, CallError, ErrorKind, HealthProbe, HealthState, ManualClock};

use super::stub::{Reply, Stub, refused_endpoint};
use super::{client, client_with_clock, cpr, fixture};

const ANNE: &str = "1505851234";

fn service_error(error: CprError) -> CallError {
    match error {
        CprError::Service { provider: Provider::Sf1520, error } => error,
        other => panic!("expected a service failure, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_cpr_is_not_a_service_failure() {
    let stub = Stub::start(Reply::soap_fault(fixture("fault-unknown-cpr.xml"))).await;
    let client = client(stub.endpoint());
    let error = client.lookup(&cpr("0101500000")).await.unwrap_err();
    assert_eq!(error, CprError::UnknownCpr { provider: Provider::Sf1520 });
    assert!(error.is_unknown_cpr() && !error.is_unavailable());
    assert_eq!(stub.hits(), 1, "an answer is not retried");
    let status = client.resilience().status();
    assert_eq!(status.state, HealthState::Up);
    assert_eq!(status.failures, 0);
}

#[tokio::test]
async fn unknown_cpr_also_with_http_200() {
    let stub = Stub::start(Reply::soap(fixture("fault-unknown-cpr.xml"))).await;
    let error = client(stub.endpoint()).lookup(&cpr("0101500000")).await.unwrap_err();
    assert!(error.is_unknown_cpr());
}

#[tokio::test]
async fn other_soap_faults_are_refusals_with_the_pnr_masked() {
    for reply in
        [Reply::soap_fault(fixture("fault-authorisation.xml")), Reply::soap(fixture("fault-authorisation.xml"))]
    {
        let stub = Stub::start(reply).await;
        let client = client(stub.endpoint());
        let error = client.lookup(&cpr(ANNE)).await.unwrap_err();
        assert!(error.is_unavailable());
        let text = error.to_string();
        let call = service_error(error);
        assert_eq!(call.kind(), ErrorKind::Fault);
        match &call {
            CallError::Fault { code, text } => {
                assert_eq!(code, "AUTH-SERVICEAFTALE");
                assert!(text.contains("Ingen gyldig serviceaftale for CVR 29189846"));
            }
            other => panic!("{other:?}"),
        }
        assert!(!text.contains(ANNE), "{text}");
        assert!(text.contains("150585-****"), "{text}");
        assert_eq!(stub.hits(), 1, "a refusal is not retried");
        let last = client.resilience().status().last_error.unwrap();
        assert_eq!(last.kind, ErrorKind::Fault);
        assert!(!last.message.contains(ANNE));
    }
}

#[tokio::test]
async fn server_errors_without_soap_are_retried_to_the_limit() {
    let stub = Stub::start(Reply::html(502, fixture("proxy-502.html"))).await;
    let error = client(stub.endpoint()).lookup(&cpr(ANNE)).await.unwrap_err();
    match service_error(error) {
        CallError::Status { status, detail } => {
            assert_eq!(status, 502);
            assert!(detail.contains("Bad Gateway"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(stub.hits(), 3, "one attempt and two retries");
}

#[tokio::test]
async fn a_retry_after_a_passing_failure_succeeds() {
    let stub = Stub::start(Reply::soap(fixture("resident-here.xml"))).await;
    stub.then(Reply::status(503, b"busy".to_vec()));
    stub.then(Reply::html(502, fixture("proxy-502.html")));
    let answer = client(stub.endpoint()).lookup(&cpr(ANNE)).await.unwrap();
    assert_eq!(answer.record.name.first_names, "Anne");
    assert_eq!(stub.hits(), 3);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let stub = Stub::start(Reply::status(403, Vec::new())).await;
    let error = service_error(client(stub.endpoint()).lookup(&cpr(ANNE)).await.unwrap_err());
    assert_eq!(error.kind(), ErrorKind::Status);
    assert_eq!(stub.hits(), 1);
}

#[tokio::test]
async fn a_slow_answer_times_out_and_is_retried() {
    let slow = Reply::soap(fixture("resident-here.xml")).delayed(Duration::from_secs(3));
    let stub = Stub::start(slow).await;
    let started = std::time::Instant::now();
    let error = service_error(client(stub.endpoint()).lookup(&cpr(ANNE)).await.unwrap_err());
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(stub.hits(), 3);
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

#[tokio::test]
async fn malformed_answers_are_not_retried() {
    for body in [fixture("malformed-truncated.xml"), fixture("wrong-namespace.xml"), b"not xml".to_vec()] {
        let stub = Stub::start(Reply::soap(body)).await;
        let client = client(stub.endpoint());
        let error = service_error(client.lookup(&cpr(ANNE)).await.unwrap_err());
        assert_eq!(error.kind(), ErrorKind::Malformed, "{error}");
        assert_eq!(stub.hits(), 1);
        assert_eq!(client.resilience().status().failures, 1);
    }
}

#[tokio::test]
async fn connection_refused() {
    let client = client(refused_endpoint().await);
    let error = service_error(client.lookup(&cpr(ANNE)).await.unwrap_err());
    assert_eq!(error.kind(), ErrorKind::Connect);
    let status = client.resilience().status();
    assert_eq!(status.calls, 3, "connect failures are retried");
    assert_eq!(status.breaker, BreakerState::Open, "three failures open the breaker");
}

#[tokio::test]
async fn the_breaker_opens_and_recovers_through_a_half_open_probe() {
    let clock = Arc::new(ManualClock::new());
    let stub = Stub::start(Reply::status(500, b"down".to_vec())).await;
    let client = client_with_clock(stub.endpoint(), clock.clone());

    // Three failed attempts (one lookup with two retries) open the breaker.
    client.lookup(&cpr(ANNE)).await.unwrap_err();
    assert_eq!(stub.hits(), 3);
    assert_eq!(client.resilience().breaker_state(), BreakerState::Open);

    // While open, lookups fail at once without contacting the service.
    let error = service_error(client.lookup(&cpr(ANNE)).await.unwrap_err());
    assert_eq!(error.kind(), ErrorKind::BreakerOpen);
    assert_eq!(stub.hits(), 3);
    assert_eq!(client.resilience().status().state, HealthState::Down);

    // After the cool-down one probe goes through; it fails, so the breaker reopens.
    clock.advance(Duration::from_secs(30));
    let error = service_error(client.lookup(&cpr(ANNE)).await.unwrap_err());
    assert_eq!(error.kind(), ErrorKind::Status);
    assert_eq!(stub.hits(), 4, "only the probe, no retries past the reopened breaker");
    assert_eq!(client.resilience().breaker_state(), BreakerState::Open);

    // The service is back: after the next cool-down the probe succeeds and closes it.
    stub.set_default(Reply::soap(fixture("resident-here.xml")));
    clock.advance(Duration::from_secs(30));
    let answer = client.lookup(&cpr(ANNE)).await.unwrap();
    assert_eq!(answer.source, Provider::Sf1520);
    assert_eq!(stub.hits(), 5);
    let status = client.resilience().status();
    assert_eq!(status.breaker, BreakerState::Closed);
    assert_eq!(status.state, HealthState::Up);
    assert!(status.last_success.is_some());
}

#[tokio::test]
async fn the_health_probe_really_asks_the_service() {
    let stub = Stub::start(Reply::soap_fault(fixture("fault-unknown-cpr.xml"))).await;
    let client = client(stub.endpoint());
    let report = client.probe().await;
    assert!(report.ok, "{}", report.detail);
    assert_eq!(report.integration, "sf1520");
    assert_eq!(stub.hits(), 1);
    assert!(stub.received()[0].body.contains("PersonLookupRequest"));

    stub.set_default(Reply::html(503, fixture("proxy-502.html")));
    let report = client.probe().await;
    assert!(!report.ok);
    assert!(report.detail.contains("503"), "{}", report.detail);
    assert_eq!(stub.hits(), 2, "a probe is not retried");
}

#[tokio::test]
async fn the_probe_bypasses_an_open_breaker_and_closes_it() {
    let stub = Stub::start(Reply::status(500, Vec::new())).await;
    let client = client(stub.endpoint());
    client.lookup(&cpr(ANNE)).await.unwrap_err();
    assert_eq!(client.resilience().breaker_state(), BreakerState::Open);
    stub.set_default(Reply::soap_fault(fixture("fault-unknown-cpr.xml")));
    let report = client.probe().await;
    assert!(report.ok, "{}", report.detail);
    assert_eq!(client.resilience().breaker_state(), BreakerState::Closed);
}

/// A stand-in for the local copy (test code only): answers from canned records.
struct CannedCopy {
    answer: Result<CprAnswer, CprError>,
}

#[async_trait]
impl CprRegistry for CannedCopy {
    fn provider(&self) -> Provider {
        Provider::LocalCopy
    }

    async fn lookup(&self, _cpr: &CprNumber) -> Result<CprAnswer, CprError> {
        self.answer.clone()
    }
}

async fn stale_copy_of_anne() -> CannedCopy {
    let stub = Stub::start(Reply::soap(fixture("resident-here.xml"))).await;
    let mut answer = client(stub.endpoint()).lookup(&cpr(ANNE)).await.unwrap();
    answer.source = Provider::LocalCopy;
    answer.fresh = false;
    answer.as_of -= chrono::Duration::days(3);
    CannedCopy { answer: Ok(answer) }
}

#[tokio::test]
async fn the_chain_falls_back_and_says_who_answered() {
    let down = client(refused_endpoint().await);
    let chain = Chain::new(vec![Arc::new(down), Arc::new(stale_copy_of_anne().await)]).unwrap();
    assert_eq!(chain.providers(), [Provider::Sf1520, Provider::LocalCopy]);
    let answer = chain.lookup(&cpr(ANNE)).await.unwrap();
    assert_eq!(answer.source, Provider::LocalCopy);
    assert_eq!(answer.fallback_from, [Provider::Sf1520]);
    assert!(!answer.fresh);
    assert_eq!(answer.age(answer.fetched_at).num_days(), 3);
    assert_eq!(answer.record.name.first_names, "Anne");
}

#[tokio::test]
async fn the_chain_prefers_the_first_provider_that_works() {
    let stub = Stub::start(Reply::soap(fixture("resident-here.xml"))).await;
    let chain = Chain::new(vec![Arc::new(client(stub.endpoint())), Arc::new(stale_copy_of_anne().await)]).unwrap();
    let answer = chain.lookup(&cpr(ANNE)).await.unwrap();
    assert_eq!(answer.source, Provider::Sf1520);
    assert!(answer.fresh && answer.fallback_from.is_empty());
}

#[tokio::test]
async fn the_chain_stops_at_unknown_cpr() {
    let stub = Stub::start(Reply::soap_fault(fixture("fault-unknown-cpr.xml"))).await;
    let chain = Chain::new(vec![Arc::new(client(stub.endpoint())), Arc::new(stale_copy_of_anne().await)]).unwrap();
    let error = chain.lookup(&cpr(ANNE)).await.unwrap_err();
    assert_eq!(error, CprError::UnknownCpr { provider: Provider::Sf1520 });
}

#[tokio::test]
async fn the_chain_reports_every_failure_when_all_fail() {
    let down = client(refused_endpoint().await);
    let empty = CannedCopy { answer: Err(CprError::NoRecord { provider: Provider::LocalCopy }) };
    let chain = Chain::new(vec![Arc::new(down), Arc::new(empty)]).unwrap();
    let error = chain.lookup(&cpr(ANNE)).await.unwrap_err();
    let CprError::AllFailed(failures) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(failures.len(), 2);
    assert!(
        matches!(&failures[0], CprError::Service { provider: Provider::Sf1520, error } if error.kind() == ErrorKind::Connect)
    );
    assert_eq!(failures[1], CprError::NoRecord { provider: Provider::LocalCopy });
    assert!(error.is_unavailable());
    assert!(!error.to_string().contains(ANNE));
    assert!(Chain::new(Vec::new()).is_none());
}
