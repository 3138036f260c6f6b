//! A small circuit breaker.
//!
//! Closed: every call goes through; `failure_threshold` consecutive failures open it.
//! Open: every call is rejected at once until `cool_down` has passed.
//! Half-open: exactly one probe call goes through; its success closes the
//! breaker, its failure opens it for another `cool_down`. Other calls are
//! rejected while the probe is out.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::clock::{Clock, lock};
use super::settings::BreakerSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }

    /// The value of the `integration_breaker_state` gauge.
    pub fn gauge_value(self) -> f64 {
        match self {
            BreakerState::Closed => 0.0,
            BreakerState::HalfOpen => 1.0,
            BreakerState::Open => 2.0,
        }
    }
}

/// How a call was let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The breaker is closed.
    Normal,
    /// The one half-open probe: its outcome decides the breaker's state.
    Probe,
}

/// The breaker refused the call; the next probe is allowed after `retry_after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejected {
    pub retry_after: Duration,
}

#[derive(Debug, Clone, Copy)]
enum State {
    Closed,
    Open { until: Instant },
    HalfOpen { probe_out: bool },
}

#[derive(Debug)]
struct Inner {
    state: State,
    consecutive_failures: u32,
}

pub struct CircuitBreaker {
    settings: BreakerSettings,
    clock: Arc<dyn Clock>,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for CircuitBreaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CircuitBreaker").field("state", &self.state()).finish_non_exhaustive()
    }
}

impl CircuitBreaker {
    pub fn new(settings: BreakerSettings, clock: Arc<dyn Clock>) -> Self {
        CircuitBreaker { settings, clock, inner: Mutex::new(Inner { state: State::Closed, consecutive_failures: 0 }) }
    }

    /// Asks to make a call. A cooled-down open breaker turns half-open and
    /// admits this call as its probe.
    pub fn admit(&self) -> Result<Admission, Rejected> {
        let now = self.clock.now();
        let mut inner = lock(&self.inner);
        match inner.state {
            State::Closed => Ok(Admission::Normal),
            State::Open { until } if now < until => Err(Rejected { retry_after: until - now }),
            State::Open { .. } | State::HalfOpen { probe_out: false } => {
                inner.state = State::HalfOpen { probe_out: true };
                Ok(Admission::Probe)
            }
            State::HalfOpen { probe_out: true } => Err(Rejected { retry_after: Duration::ZERO }),
        }
    }

    /// The service answered: the breaker closes and the failure count restarts.
    pub fn on_success(&self, _admission: Admission) {
        let mut inner = lock(&self.inner);
        inner.state = State::Closed;
        inner.consecutive_failures = 0;
    }

    /// The service failed this call.
    pub fn on_failure(&self, admission: Admission) {
        let now = self.clock.now();
        let mut inner = lock(&self.inner);
        inner.consecutive_failures = inner.consecutive_failures.saturating_add(1);
        let open = State::Open { until: now + self.settings.cool_down };
        match (admission, inner.state) {
            (Admission::Probe, _) => inner.state = open,
            (Admission::Normal, State::Closed) if inner.consecutive_failures >= self.settings.failure_threshold => {
                inner.state = open;
            }
            // A call admitted before the breaker opened, ending late: counted, nothing more.
            _ => {}
        }
    }

    /// The call was dropped before it ended (its caller went away). A probe's
    /// slot is freed so that the next call can probe; nothing else changes.
    pub fn on_abandoned(&self, admission: Admission) {
        let mut inner = lock(&self.inner);
        if admission == Admission::Probe && matches!(inner.state, State::HalfOpen { probe_out: true }) {
            inner.state = State::HalfOpen { probe_out: false };
        }
    }

    pub fn state(&self) -> BreakerState {
        match lock(&self.inner).state {
            State::Closed => BreakerState::Closed,
            State::Open { .. } => BreakerState::Open,
            State::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    pub fn consecutive_failures(&self) -> u32 {
        lock(&self.inner).consecutive_failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resilience::clock::ManualClock;

    const COOL_DOWN: Duration = Duration::from_secs(30);

    fn breaker(threshold: u32) -> (CircuitBreaker, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new());
        let settings = BreakerSettings { failure_threshold: threshold, cool_down: COOL_DOWN };
        (CircuitBreaker::new(settings, clock.clone()), clock)
    }

    fn fail(breaker: &CircuitBreaker, times: u32) {
        for _ in 0..times {
            let admission = breaker.admit().expect("admitted");
            breaker.on_failure(admission);
        }
    }

    #[test]
    fn opens_after_n_consecutive_failures() {
        let (b, _) = breaker(3);
        fail(&b, 2);
        assert_eq!(b.state(), BreakerState::Closed);
        fail(&b, 1);
        assert_eq!(b.state(), BreakerState::Open);
    }

    #[test]
    fn a_success_resets_the_count() {
        let (b, _) = breaker(3);
        fail(&b, 2);
        b.on_success(b.admit().unwrap());
        fail(&b, 2);
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(b.consecutive_failures(), 2);
    }

    #[test]
    fn rejects_while_open_and_says_how_long() {
        let (b, clock) = breaker(1);
        fail(&b, 1);
        assert_eq!(b.admit(), Err(Rejected { retry_after: COOL_DOWN }));
        clock.advance(Duration::from_secs(10));
        assert_eq!(b.admit(), Err(Rejected { retry_after: Duration::from_secs(20) }));
        assert_eq!(b.state(), BreakerState::Open);
    }

    #[test]
    fn after_cool_down_lets_exactly_one_probe_through() {
        let (b, clock) = breaker(1);
        fail(&b, 1);
        clock.advance(COOL_DOWN);
        assert_eq!(b.admit(), Ok(Admission::Probe));
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert!(b.admit().is_err(), "a second call must wait for the probe");
    }

    #[test]
    fn a_successful_probe_closes() {
        let (b, clock) = breaker(2);
        fail(&b, 2);
        clock.advance(COOL_DOWN + Duration::from_secs(1));
        let probe = b.admit().unwrap();
        b.on_success(probe);
        assert_eq!(b.state(), BreakerState::Closed);
        assert_eq!(b.consecutive_failures(), 0);
        assert_eq!(b.admit(), Ok(Admission::Normal));
    }

    #[test]
    fn a_failed_probe_reopens_for_a_new_cool_down() {
        let (b, clock) = breaker(2);
        fail(&b, 2);
        clock.advance(COOL_DOWN);
        let probe = b.admit().unwrap();
        b.on_failure(probe);
        assert_eq!(b.state(), BreakerState::Open);
        assert_eq!(b.admit(), Err(Rejected { retry_after: COOL_DOWN }));
        clock.advance(COOL_DOWN);
        assert_eq!(b.admit(), Ok(Admission::Probe));
    }

    #[test]
    fn an_abandoned_probe_frees_the_slot() {
        let (b, clock) = breaker(1);
        fail(&b, 1);
        clock.advance(COOL_DOWN);
        let probe = b.admit().unwrap();
        b.on_abandoned(probe);
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert_eq!(b.admit(), Ok(Admission::Probe));
    }

    #[test]
    fn a_late_failure_does_not_extend_the_open_period() {
        let (b, clock) = breaker(1);
        let early = b.admit().unwrap();
        fail(&b, 1);
        clock.advance(COOL_DOWN - Duration::from_secs(1));
        b.on_failure(early);
        clock.advance(Duration::from_secs(1));
        assert_eq!(b.admit(), Ok(Admission::Probe));
    }
}
