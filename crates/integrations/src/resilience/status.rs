//! What the admin status page shows for one integration, and its metrics.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use super::breaker::BreakerState;
use super::error::{CallError, ErrorKind};

/// The overall state of an integration, derived from its breaker and last call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthState {
    /// No call has been made yet.
    Unknown,
    /// The last call (or probe) succeeded.
    Up,
    /// The last call failed, or the breaker is probing.
    Degraded,
    /// The breaker is open: calls are refused without contacting the service.
    Down,
}

impl HealthState {
    pub fn as_str(self) -> &'static str {
        match self {
            HealthState::Unknown => "unknown",
            HealthState::Up => "up",
            HealthState::Degraded => "degraded",
            HealthState::Down => "down",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastError {
    pub at: DateTime<Utc>,
    pub kind: ErrorKind,
    /// Scrubbed of CPR numbers.
    pub message: String,
}

/// A point-in-time copy of one integration's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusSnapshot {
    pub integration: String,
    pub tenant: Option<String>,
    pub state: HealthState,
    pub breaker: BreakerState,
    pub consecutive_failures: u32,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<LastError>,
    #[serde(serialize_with = "millis_opt", rename = "last_latency_ms")]
    pub last_latency: Option<Duration>,
    /// Calls that reached the service (attempts, including retries and probes).
    pub calls: u64,
    /// Of those, the ones that failed.
    pub failures: u64,
}

fn millis_opt<S: Serializer>(value: &Option<Duration>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(duration) => serializer.serialize_some(&duration.as_millis()),
        None => serializer.serialize_none(),
    }
}

/// The mutable part behind a snapshot.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    calls: u64,
    failures: u64,
    last_ok: Option<bool>,
    last_success: Option<DateTime<Utc>>,
    last_error: Option<LastError>,
    last_latency: Option<Duration>,
}

impl Tracker {
    pub(crate) fn success(&mut self, at: DateTime<Utc>, latency: Duration) {
        self.calls += 1;
        self.last_ok = Some(true);
        self.last_success = Some(at);
        self.last_latency = Some(latency);
    }

    pub(crate) fn failure(&mut self, at: DateTime<Utc>, latency: Duration, error: &CallError) {
        self.calls += 1;
        self.failures += 1;
        self.last_ok = Some(false);
        self.last_latency = Some(latency);
        self.last_error = Some(LastError { at, kind: error.kind(), message: error.to_string() });
    }

    pub(crate) fn snapshot(
        &self,
        integration: &str,
        tenant: Option<&str>,
        breaker: BreakerState,
        consecutive_failures: u32,
    ) -> StatusSnapshot {
        let state = match (breaker, self.last_ok) {
            (BreakerState::Open, _) => HealthState::Down,
            (BreakerState::HalfOpen, _) | (_, Some(false)) => HealthState::Degraded,
            (_, Some(true)) => HealthState::Up,
            (_, None) => HealthState::Unknown,
        };
        StatusSnapshot {
            integration: integration.to_owned(),
            tenant: tenant.map(str::to_owned),
            state,
            breaker,
            consecutive_failures,
            last_success: self.last_success,
            last_error: self.last_error.clone(),
            last_latency: self.last_latency,
            calls: self.calls,
            failures: self.failures,
        }
    }
}

/// Metric names, shared by every integration; labels `integration` and `tenant`.
pub mod names {
    /// Counter; extra label `outcome` = `success` | `not_found` | `error` | `rejected`.
    pub const CALLS: &str = "integration_calls_total";
    /// Counter; extra label `kind` = an [`ErrorKind`](crate::resilience::ErrorKind) name.
    pub const ERRORS: &str = "integration_errors_total";
    /// Counter of retries made.
    pub const RETRIES: &str = "integration_retries_total";
    /// Histogram of attempt latency in seconds.
    pub const LATENCY: &str = "integration_call_duration_seconds";
    /// Gauge: 0 closed, 1 half-open, 2 open.
    pub const BREAKER: &str = "integration_breaker_state";
}
