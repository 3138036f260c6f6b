//! Jittered exponential backoff between retries.
//!
//! The ceiling doubles with every retry (`initial × 2^n`, capped at `max`), and
//! the actual wait is drawn uniformly from the upper half of the ceiling
//! ("equal jitter"): never shorter than half the ceiling, so a struggling
//! service gets breathing room, and spread out, so callers do not retry in step.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::Duration;

use super::settings::RetrySettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
}

impl Backoff {
    pub fn new(settings: &RetrySettings) -> Self {
        Backoff { initial: settings.initial_backoff, max: settings.max_backoff.max(settings.initial_backoff) }
    }

    /// The longest wait before retry number `retry` (0 = the first retry).
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        self.initial.saturating_mul(factor).min(self.max)
    }

    /// The shortest wait before retry number `retry`.
    pub fn floor(&self, retry: u32) -> Duration {
        self.ceiling(retry) / 2
    }

    /// A wait in `floor(retry)..=ceiling(retry)`.
    pub fn delay(&self, retry: u32, jitter: &mut Jitter) -> Duration {
        let floor = self.floor(retry);
        let spread = self.ceiling(retry) - floor;
        let nanos = u64::try_from(spread.as_nanos()).unwrap_or(u64::MAX);
        let extra = if nanos == 0 { 0 } else { jitter.next_u64() % (nanos + 1) };
        floor + Duration::from_nanos(extra)
    }
}

/// A small xorshift generator seeded from the process's hash randomness: the
/// spread of retries needs no cryptographic quality and no extra dependency.
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    pub fn new() -> Self {
        let seed = RandomState::new().hash_one(std::time::Instant::now());
        Jitter::seeded(seed)
    }

    pub fn seeded(seed: u64) -> Self {
        Jitter(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

impl Default for Jitter {
    fn default() -> Self {
        Jitter::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backoff(initial_ms: u64, max_ms: u64) -> Backoff {
        Backoff::new(&RetrySettings {
            max_retries: 10,
            initial_backoff: Duration::from_millis(initial_ms),
            max_backoff: Duration::from_millis(max_ms),
        })
    }

    #[test]
    fn ceiling_doubles_and_is_capped() {
        let b = backoff(100, 1000);
        let ceilings: Vec<u128> = (0..7).map(|n| b.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000, 1000]);
        assert_eq!(b.ceiling(u32::MAX), Duration::from_millis(1000));
    }

    #[test]
    fn every_delay_lies_within_its_bounds() {
        let b = backoff(50, 2000);
        let mut jitter = Jitter::seeded(42);
        for retry in 0..12 {
            for _ in 0..500 {
                let delay = b.delay(retry, &mut jitter);
                assert!(delay >= b.floor(retry), "retry {retry}: {delay:?} below floor");
                assert!(delay <= b.ceiling(retry), "retry {retry}: {delay:?} above ceiling");
                assert!(delay <= Duration::from_millis(2000));
            }
        }
    }

    #[test]
    fn delays_are_spread_not_fixed() {
        let b = backoff(1000, 1000);
        let mut jitter = Jitter::seeded(7);
        let delays: std::collections::HashSet<Duration> = (0..50).map(|_| b.delay(0, &mut jitter)).collect();
        assert!(delays.len() > 40, "jitter should spread the waits");
    }

    #[test]
    fn zero_backoff_means_no_wait() {
        let b = backoff(0, 0);
        assert_eq!(b.delay(3, &mut Jitter::seeded(1)), Duration::ZERO);
    }
}
