//! How long a failed job waits before its next attempt: exponential backoff
//! with full jitter, so jobs that failed together (an integration went down)
//! do not all come back at the same moment.

use std::time::Duration;

use rand::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The ceiling after the first failure; it doubles with every further failure.
    pub base: Duration,
    /// The ceiling never grows beyond this.
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { base: Duration::from_secs(10), cap: Duration::from_secs(60 * 60) }
    }
}

impl Backoff {
    /// The most a job may wait after its `attempt`-th failed attempt (1-based):
    /// `min(cap, base × 2^(attempt-1))`.
    pub fn ceiling(&self, attempt: i32) -> Duration {
        let doublings = attempt.saturating_sub(1).clamp(0, 30) as u32;
        self.base.saturating_mul(1 << doublings).min(self.cap)
    }

    /// A random wait between zero and [`ceiling`](Self::ceiling).
    pub fn delay(&self, attempt: i32) -> Duration {
        self.delay_with(attempt, &mut rand::rng())
    }

    pub fn delay_with(&self, attempt: i32, rng: &mut impl Rng) -> Duration {
        let ceiling = self.ceiling(attempt).as_millis().min(u64::MAX as u128) as u64;
        Duration::from_millis(rng.random_range(0..=ceiling))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn backoff() -> Backoff {
        Backoff { base: Duration::from_secs(2), cap: Duration::from_secs(60) }
    }

    #[test]
    fn ceiling_doubles_up_to_the_cap() {
        let b = backoff();
        let ceilings: Vec<u64> = (1..=7).map(|a| b.ceiling(a).as_secs()).collect();
        assert_eq!(ceilings, [2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(b.ceiling(i32::MAX), Duration::from_secs(60));
        assert_eq!(b.ceiling(0), Duration::from_secs(2));
    }

    #[test]
    fn delay_is_spread_between_zero_and_the_ceiling() {
        let b = backoff();
        let mut rng = StdRng::seed_from_u64(7);
        let delays: Vec<Duration> = (0..500).map(|_| b.delay_with(4, &mut rng)).collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(16)));
        // Full jitter: both halves of the range are used.
        assert!(delays.iter().any(|d| *d < Duration::from_secs(4)));
        assert!(delays.iter().any(|d| *d > Duration::from_secs(12)));
    }
}
