//! The resilience layer every client goes through.
//!
//! One [`Resilience`] per integration and tenant holds the settings, a
//! concurrency limit, the circuit breaker, the status for the admin page and
//! the metrics. A client wraps each remote call in [`Resilience::call`]:
//!
//! 1. the breaker is asked first; while it is open the call fails at once with
//!    [`CallError::BreakerOpen`] and the service is not contacted;
//! 2. the call waits for a free slot (at most `max_concurrency` in flight);
//! 3. the attempt is cut off after `total_timeout`;
//! 4. the outcome is counted: successes and [`CallError::NotFound`] answers are
//!    healthy, everything else is a failure of the service;
//! 5. transient failures (timeout, connect, 5xx, 429) of **idempotent** calls
//!    are retried up to `max_retries` times with jittered exponential backoff;
//!    non-idempotent calls are never retried here (they are retried by the job
//!    queue with an idempotency key, if at all).

mod backoff;
mod breaker;
mod clock;
mod error;
mod probe;
mod settings;
mod status;

#[cfg(test)]
mod tests;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

pub use backoff::{Backoff, Jitter};
pub use breaker::{Admission, BreakerState, CircuitBreaker, Rejected};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{CallError, ErrorKind, excerpt, scrub};
pub use probe::{HealthProbe, ProbeReport};
pub use settings::{BreakerSettings, RetrySettings, Settings};
pub use status::{HealthState, LastError, StatusSnapshot, names as metric_names};

use clock::lock;
use status::{Tracker, names};

/// Whether a call may safely be made twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Reads and lookups: retried on transient failures.
    Idempotent,
    /// Sends and other changes: one attempt only.
    NonIdempotent,
}

/// The resilience state of one integration for one tenant.
pub struct Resilience {
    integration: String,
    tenant: Option<String>,
    settings: Settings,
    clock: Arc<dyn Clock>,
    breaker: CircuitBreaker,
    slots: Semaphore,
    backoff: Backoff,
    jitter: Mutex<Jitter>,
    tracker: Mutex<Tracker>,
}

impl std::fmt::Debug for Resilience {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resilience")
            .field("integration", &self.integration)
            .field("tenant", &self.tenant)
            .field("settings", &self.settings)
            .field("breaker", &self.breaker.state())
            .finish_non_exhaustive()
    }
}

impl Resilience {
    pub fn new(integration: impl Into<String>, tenant: Option<&str>, settings: Settings) -> Self {
        Resilience::with_clock(integration, tenant, settings, Arc::new(SystemClock))
    }

    /// As [`Resilience::new`], with an injected clock (tests move a [`ManualClock`]).
    pub fn with_clock(
        integration: impl Into<String>,
        tenant: Option<&str>,
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let resilience = Resilience {
            integration: integration.into(),
            tenant: tenant.map(str::to_owned),
            breaker: CircuitBreaker::new(settings.breaker.clone(), clock.clone()),
            slots: Semaphore::new(settings.max_concurrency.max(1)),
            backoff: Backoff::new(&settings.retry),
            jitter: Mutex::new(Jitter::new()),
            tracker: Mutex::new(Tracker::default()),
            settings,
            clock,
        };
        resilience.publish_breaker_state();
        resilience
    }

    pub fn integration(&self) -> &str {
        &self.integration
    }

    pub fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn breaker_state(&self) -> BreakerState {
        self.breaker.state()
    }

    /// The wall-clock time as this layer sees it (injectable).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.wall()
    }

    /// A copy of the status for the admin page.
    pub fn status(&self) -> StatusSnapshot {
        lock(&self.tracker).snapshot(
            &self.integration,
            self.tenant.as_deref(),
            self.breaker.state(),
            self.breaker.consecutive_failures(),
        )
    }

    /// Runs `op` under the breaker, the concurrency limit and the timeout, and
    /// retries transient failures of idempotent calls. `op` makes one attempt
    /// each time it is called.
    pub async fn call<T, F, Fut>(&self, idempotency: Idempotency, mut op: F) -> Result<T, CallError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, CallError>>,
    {
        let max_retries = match idempotency {
            Idempotency::Idempotent => self.settings.retry.max_retries,
            Idempotency::NonIdempotent => 0,
        };
        let mut retry = 0;
        let mut last_failure = None;
        loop {
            let error = match self.attempt(&mut op, Gate::Breaker).await {
                Ok(value) => return Ok(value),
                Err(CallError::BreakerOpen(wait)) => {
                    // The breaker opened during our retries: report what the service did.
                    return Err(last_failure.unwrap_or(CallError::BreakerOpen(wait)));
                }
                Err(error) => error,
            };
            if !error.is_transient() || retry >= max_retries {
                return Err(error);
            }
            let delay = self.backoff.delay(retry, &mut lock(&self.jitter));
            metrics::counter!(names::RETRIES, &self.labels()).increment(1);
            tracing::debug!(
                integration = %self.integration,
                tenant = self.tenant.as_deref().unwrap_or(""),
                retry = retry + 1,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                kind = error.kind().as_str(),
                "retrying after a transient failure"
            );
            last_failure = Some(error);
            tokio::time::sleep(delay).await;
            retry += 1;
        }
    }

    /// One attempt that the breaker does not refuse and that is not retried,
    /// for health probes. Its outcome is recorded like any call's: a success
    /// closes an open breaker, a failure counts towards opening it.
    pub async fn probe_call<T, F, Fut>(&self, op: F) -> Result<T, CallError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, CallError>>,
    {
        let mut op = Some(op);
        let mut once = || {
            let op = op.take().expect("a probe runs once");
            op()
        };
        self.attempt(&mut once, Gate::Bypass).await
    }

    async fn attempt<T, F, Fut>(&self, op: &mut F, gate: Gate) -> Result<T, CallError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, CallError>>,
    {
        let admission = match gate {
            Gate::Bypass => Admission::Normal,
            Gate::Breaker => match self.breaker.admit() {
                Ok(admission) => admission,
                Err(rejected) => {
                    let mut labels = self.labels();
                    labels.push(("outcome", "rejected".into()));
                    metrics::counter!(names::CALLS, &labels).increment(1);
                    let mut labels = self.labels();
                    labels.push(("kind", ErrorKind::BreakerOpen.as_str().into()));
                    metrics::counter!(names::ERRORS, &labels).increment(1);
                    return Err(CallError::BreakerOpen(rejected.retry_after));
                }
            },
        };
        self.publish_breaker_state();
        let mut guard = AbandonGuard { breaker: &self.breaker, admission, armed: true };
        let _slot = self.slots.acquire().await.map_err(|_| CallError::connect("integration shut down"))?;
        let started = Instant::now();
        let timeout = self.settings.total_timeout;
        let result = match tokio::time::timeout(timeout, op()).await {
            Ok(result) => result,
            Err(_) => Err(CallError::Timeout(timeout)),
        };
        guard.armed = false;
        self.record(&result, admission, started.elapsed());
        result
    }

    fn record<T>(&self, result: &Result<T, CallError>, admission: Admission, latency: Duration) {
        let wall = self.clock.wall();
        let outcome = match result {
            Ok(_) => "success",
            Err(CallError::NotFound) => "not_found",
            Err(CallError::Throttled(_)) => "throttled",
            Err(_) => "error",
        };
        match result {
            Err(error) if error.is_service_failure() => {
                self.breaker.on_failure(admission);
                lock(&self.tracker).failure(wall, latency, error);
                let mut labels = self.labels();
                labels.push(("kind", error.kind().as_str().into()));
                metrics::counter!(names::ERRORS, &labels).increment(1);
                tracing::warn!(
                    integration = %self.integration,
                    tenant = self.tenant.as_deref().unwrap_or(""),
                    kind = error.kind().as_str(),
                    latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
                    breaker = self.breaker.state().as_str(),
                    error = %error,
                    "integration call failed"
                );
            }
            _ => {
                self.breaker.on_success(admission);
                lock(&self.tracker).success(wall, latency);
            }
        }
        let mut labels = self.labels();
        labels.push(("outcome", outcome.into()));
        metrics::counter!(names::CALLS, &labels).increment(1);
        metrics::histogram!(names::LATENCY, &self.labels()).record(latency.as_secs_f64());
        self.publish_breaker_state();
    }

    fn publish_breaker_state(&self) {
        metrics::gauge!(names::BREAKER, &self.labels()).set(self.breaker.state().gauge_value());
    }

    fn labels(&self) -> Vec<(&'static str, String)> {
        vec![("integration", self.integration.clone()), ("tenant", self.tenant.clone().unwrap_or_default())]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    Breaker,
    Bypass,
}

/// Frees a half-open probe's slot if the caller drops the call midway.
struct AbandonGuard<'a> {
    breaker: &'a CircuitBreaker,
    admission: Admission,
    armed: bool,
}

impl Drop for AbandonGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.breaker.on_abandoned(self.admission);
        }
    }
}
