//! Tests of the call path: retries, breaker, concurrency, status and metrics.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use metrics::{
    Counter, CounterFn, Gauge, GaugeFn, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder, SharedString, Unit,
};

use super::*;

fn settings(max_retries: u32, threshold: u32) -> Settings {
    Settings {
        total_timeout: Duration::from_millis(200),
        max_concurrency: 4,
        retry: RetrySettings {
            max_retries,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(4),
        },
        breaker: BreakerSettings { failure_threshold: threshold, cool_down: Duration::from_secs(60) },
        ..Settings::default()
    }
}

fn layer(max_retries: u32, threshold: u32) -> (Resilience, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let layer = Resilience::with_clock("test", Some("aarhus"), settings(max_retries, threshold), clock.clone());
    (layer, clock)
}

/// Runs `layer.call` with an operation that fails with `error` every time and counts attempts.
async fn always(layer: &Resilience, idempotency: Idempotency, error: CallError) -> (u32, CallError) {
    let attempts = AtomicU32::new(0);
    let result: Result<(), _> = layer
        .call(idempotency, || {
            attempts.fetch_add(1, Ordering::SeqCst);
            let error = error.clone();
            async move { Err(error) }
        })
        .await;
    (attempts.load(Ordering::SeqCst), result.unwrap_err())
}

#[tokio::test]
async fn idempotent_calls_are_retried_up_to_the_limit() {
    let (layer, _) = layer(3, 100);
    let (attempts, error) = always(&layer, Idempotency::Idempotent, CallError::connect("refused")).await;
    assert_eq!(attempts, 4, "one attempt plus three retries");
    assert_eq!(error.kind(), ErrorKind::Connect);
    assert_eq!(layer.status().calls, 4);
}

#[tokio::test]
async fn non_idempotent_calls_are_never_retried() {
    let (layer, _) = layer(5, 100);
    for error in
        [CallError::connect("refused"), CallError::Timeout(Duration::from_secs(1)), CallError::status(503, "down")]
    {
        let (attempts, _) = always(&layer, Idempotency::NonIdempotent, error).await;
        assert_eq!(attempts, 1);
    }
}

#[tokio::test]
async fn permanent_failures_are_not_retried() {
    let (layer, _) = layer(5, 100);
    for error in [
        CallError::fault("Client", "no service agreement"),
        CallError::malformed("truncated"),
        CallError::status(403, "forbidden"),
        CallError::NotFound,
    ] {
        let (attempts, _) = always(&layer, Idempotency::Idempotent, error).await;
        assert_eq!(attempts, 1);
    }
}

#[tokio::test]
async fn a_retry_that_succeeds_returns_the_value() {
    let (layer, _) = layer(2, 100);
    let attempts = AtomicU32::new(0);
    let value = layer
        .call(Idempotency::Idempotent, || {
            let n = attempts.fetch_add(1, Ordering::SeqCst);
            async move { if n == 0 { Err(CallError::status(502, "")) } else { Ok(n) } }
        })
        .await;
    assert_eq!(value, Ok(1));
    let status = layer.status();
    assert_eq!(status.state, HealthState::Up);
    assert_eq!(status.breaker, BreakerState::Closed);
}

#[tokio::test]
async fn slow_attempts_time_out() {
    let (layer, _) = layer(0, 100);
    let result: Result<(), _> = layer
        .call(Idempotency::Idempotent, || async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(())
        })
        .await;
    assert_eq!(result, Err(CallError::Timeout(Duration::from_millis(200))));
}

#[tokio::test]
async fn the_breaker_opens_rejects_and_recovers_through_a_probe() {
    let (layer, clock) = layer(0, 3);
    for _ in 0..3 {
        always(&layer, Idempotency::Idempotent, CallError::status(500, "")).await;
    }
    assert_eq!(layer.breaker_state(), BreakerState::Open);
    assert_eq!(layer.status().state, HealthState::Down);

    let (attempts, error) = always(&layer, Idempotency::Idempotent, CallError::NotFound).await;
    assert_eq!(attempts, 0, "an open breaker does not contact the service");
    assert_eq!(error.kind(), ErrorKind::BreakerOpen);

    clock.advance(Duration::from_secs(60));
    let (attempts, _) = always(&layer, Idempotency::Idempotent, CallError::connect("still down")).await;
    assert_eq!(attempts, 1, "one half-open probe");
    assert_eq!(layer.breaker_state(), BreakerState::Open, "a failed probe reopens");

    clock.advance(Duration::from_secs(60));
    let ok: Result<u8, _> = layer.call(Idempotency::Idempotent, || async { Ok(7) }).await;
    assert_eq!(ok, Ok(7));
    assert_eq!(layer.breaker_state(), BreakerState::Closed);
    assert_eq!(layer.status().state, HealthState::Up);
}

#[tokio::test]
async fn not_found_is_healthy_and_does_not_open_the_breaker() {
    let (layer, _) = layer(0, 1);
    let (_, error) = always(&layer, Idempotency::Idempotent, CallError::NotFound).await;
    assert_eq!(error, CallError::NotFound);
    let status = layer.status();
    assert_eq!(status.breaker, BreakerState::Closed);
    assert_eq!(status.state, HealthState::Up);
    assert_eq!(status.failures, 0);
}

#[tokio::test]
async fn retries_stop_when_the_breaker_opens_and_report_the_real_failure() {
    let (layer, _) = layer(5, 2);
    let (attempts, error) = always(&layer, Idempotency::Idempotent, CallError::status(503, "")).await;
    assert_eq!(attempts, 2);
    assert_eq!(error.kind(), ErrorKind::Status);
}

#[tokio::test]
async fn a_probe_call_bypasses_the_open_breaker_and_closes_it() {
    let (layer, _) = layer(0, 1);
    always(&layer, Idempotency::Idempotent, CallError::connect("down")).await;
    assert_eq!(layer.breaker_state(), BreakerState::Open);
    let result = layer.probe_call(|| async { Ok::<_, CallError>(()) }).await;
    assert_eq!(result, Ok(()));
    assert_eq!(layer.breaker_state(), BreakerState::Closed);
}

#[tokio::test]
async fn status_keeps_the_last_success_and_the_last_error() {
    let (layer, clock) = layer(0, 100);
    assert_eq!(layer.status().state, HealthState::Unknown);
    layer.call(Idempotency::Idempotent, || async { Ok::<_, CallError>(()) }).await.unwrap();
    let success_at = layer.status().last_success.unwrap();
    clock.advance(Duration::from_secs(5));
    always(&layer, Idempotency::Idempotent, CallError::fault("Server", "PNR 0101701234 fejl")).await;
    let status = layer.status();
    assert_eq!(status.state, HealthState::Degraded);
    assert_eq!(status.last_success, Some(success_at));
    let last_error = status.last_error.unwrap();
    assert_eq!(last_error.kind, ErrorKind::Fault);
    assert_eq!(last_error.at, success_at + chrono::Duration::seconds(5));
    assert!(last_error.message.contains("010170-****"));
    assert!(!last_error.message.contains("0101701234"));
    assert!(status.last_latency.is_some());
    assert_eq!((status.calls, status.failures), (2, 1));
    assert_eq!(status.integration, "test");
    assert_eq!(status.tenant.as_deref(), Some("aarhus"));
}

#[tokio::test]
async fn concurrency_is_bounded() {
    let layer = Arc::new(Resilience::new("test", None, Settings { max_concurrency: 2, ..settings(0, 100) }));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (layer, in_flight, peak) = (layer.clone(), in_flight.clone(), peak.clone());
            tokio::spawn(async move {
                layer
                    .call(Idempotency::Idempotent, || {
                        let (in_flight, peak) = (in_flight.clone(), peak.clone());
                        async move {
                            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                            peak.fetch_max(now, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            in_flight.fetch_sub(1, Ordering::SeqCst);
                            Ok::<_, CallError>(())
                        }
                    })
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(peak.load(Ordering::SeqCst), 2);
}

/// Records metric values by "name{label=value,...}".
#[derive(Default, Clone)]
struct Captured(Arc<Mutex<HashMap<String, f64>>>);

struct Cell(Arc<Mutex<HashMap<String, f64>>>, String);

impl CounterFn for Cell {
    fn increment(&self, value: u64) {
        *self.0.lock().unwrap().entry(self.1.clone()).or_default() += value as f64;
    }
    fn absolute(&self, value: u64) {
        self.0.lock().unwrap().insert(self.1.clone(), value as f64);
    }
}

impl GaugeFn for Cell {
    fn increment(&self, value: f64) {
        *self.0.lock().unwrap().entry(self.1.clone()).or_default() += value;
    }
    fn decrement(&self, value: f64) {
        *self.0.lock().unwrap().entry(self.1.clone()).or_default() -= value;
    }
    fn set(&self, value: f64) {
        self.0.lock().unwrap().insert(self.1.clone(), value);
    }
}

impl HistogramFn for Cell {
    fn record(&self, _value: f64) {
        *self.0.lock().unwrap().entry(self.1.clone()).or_default() += 1.0;
    }
}

impl Captured {
    fn cell(&self, key: &Key) -> Arc<Cell> {
        let mut labels: Vec<String> = key.labels().map(|l| format!("{}={}", l.key(), l.value())).collect();
        labels.sort();
        Arc::new(Cell(self.0.clone(), format!("{}{{{}}}", key.name(), labels.join(","))))
    }

    fn get(&self, key: &str) -> f64 {
        self.0.lock().unwrap().get(key).copied().unwrap_or_default()
    }
}

impl Recorder for Captured {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(self.cell(key))
    }
    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::from_arc(self.cell(key))
    }
    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(self.cell(key))
    }
}

#[test]
fn metrics_count_calls_errors_latency_and_breaker_state() {
    let captured = Captured::default();
    metrics::with_local_recorder(&captured, || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        runtime.block_on(async {
            let (layer, _) = layer(1, 2);
            layer.call(Idempotency::Idempotent, || async { Ok::<_, CallError>(()) }).await.unwrap();
            always(&layer, Idempotency::Idempotent, CallError::NotFound).await;
            always(&layer, Idempotency::Idempotent, CallError::connect("refused")).await;
            always(&layer, Idempotency::Idempotent, CallError::connect("refused")).await;
        });
    });
    let key = |name: &str, extra: &str| {
        let mut labels = vec!["integration=test", "tenant=aarhus"];
        if !extra.is_empty() {
            labels.push(extra);
        }
        labels.sort();
        format!("{name}{{{}}}", labels.join(","))
    };
    let calls = |outcome: &str| captured.get(&key("integration_calls_total", &format!("outcome={outcome}")));
    assert_eq!(calls("success"), 1.0);
    assert_eq!(calls("not_found"), 1.0);
    assert_eq!(calls("error"), 2.0);
    assert_eq!(calls("rejected"), 1.0);
    assert_eq!(captured.get(&key("integration_errors_total", "kind=connect")), 2.0);
    assert_eq!(captured.get(&key("integration_errors_total", "kind=breaker_open")), 1.0);
    assert_eq!(captured.get(&key("integration_retries_total", "")), 1.0);
    assert_eq!(captured.get(&key("integration_call_duration_seconds", "")), 4.0);
    assert_eq!(captured.get(&key("integration_breaker_state", "")), 2.0);
}
