//! The current time, injectable so tests can let leases run out and backoffs
//! pass without waiting.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// A clock that only moves when told to; clones share the same time.
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    pub fn manual(start: DateTime<Utc>) -> Self {
        Clock::Manual(Arc::new(Mutex::new(start)))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Manual(t) => *lock(t),
        }
    }

    /// Moves a manual clock forward; the system clock ignores it.
    pub fn advance(&self, by: Duration) {
        if let Clock::Manual(t) = self {
            let mut t = lock(t);
            *t = later(*t, by);
        }
    }

    /// Sets a manual clock; the system clock ignores it.
    pub fn set(&self, to: DateTime<Utc>) {
        if let Clock::Manual(t) = self {
            *lock(t) = to;
        }
    }
}

// A poisoned lock only means a test panicked while holding it; the time in it is still fine.
fn lock(t: &Mutex<DateTime<Utc>>) -> std::sync::MutexGuard<'_, DateTime<Utc>> {
    t.lock().unwrap_or_else(|e| e.into_inner())
}

/// `t + by`, saturating instead of panicking on absurd durations.
pub(crate) fn later(t: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(by).ok().and_then(|by| t.checked_add_signed(by)).unwrap_or(DateTime::<Utc>::MAX_UTC)
}
