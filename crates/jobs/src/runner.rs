//! The long-running job loop: a fixed number of slots, each claiming and
//! running one job at a time, until shutdown is signalled.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::{Handlers, Worker, run_next_job};

/// Longest wait after repeated database errors before claiming again.
const MAX_ERROR_WAIT: Duration = Duration::from_secs(30);

/// Runs jobs until shutdown. Start it with a `watch` channel and send `true`
/// (or drop the sender) to stop: each slot finishes the job it is running
/// and then returns, so no attempt is cut off half-way.
pub struct Runner {
    db: DatabaseConnection,
    handlers: Arc<Handlers>,
    worker: Worker,
    concurrency: usize,
    poll_interval: Duration,
}

impl Runner {
    pub fn new(db: DatabaseConnection, handlers: Arc<Handlers>, worker: Worker) -> Self {
        Runner { db, handlers, worker, concurrency: 4, poll_interval: Duration::from_secs(1) }
    }

    /// Jobs run at the same time by this runner (at least one).
    pub fn concurrency(mut self, slots: usize) -> Self {
        self.concurrency = slots.max(1);
        self
    }

    /// How long an idle slot waits before looking for due jobs again.
    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll_interval = every;
        self
    }

    /// Runs until `shutdown` turns true or its sender is dropped.
    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        let mut slots = JoinSet::new();
        for slot in 0..self.concurrency {
            // Distinct owners make it visible in the table which slot holds a lease.
            let worker = Worker { owner: format!("{}/{slot}", self.worker.owner), ..self.worker.clone() };
            let slot = Slot { db: self.db.clone(), handlers: self.handlers.clone(), worker, poll: self.poll_interval };
            slots.spawn(slot.run(shutdown.clone()));
        }
        tracing::info!(owner = %self.worker.owner, slots = self.concurrency, "job runner started");
        while let Some(joined) = slots.join_next().await {
            if let Err(e) = joined {
                tracing::error!(error = %e, "a job runner slot stopped unexpectedly");
            }
        }
        tracing::info!(owner = %self.worker.owner, "job runner stopped");
    }
}

struct Slot {
    db: DatabaseConnection,
    handlers: Arc<Handlers>,
    worker: Worker,
    poll: Duration,
}

impl Slot {
    async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut failures = 0u32;
        while !stopping(&shutdown) {
            let wait = match run_next_job(&self.db, &self.handlers, &self.worker).await {
                // More jobs may be due: look again at once.
                Ok(Some(_)) => {
                    failures = 0;
                    continue;
                }
                Ok(None) => {
                    failures = 0;
                    self.poll
                }
                Err(e) => {
                    tracing::error!(error = %e, "claiming or finishing a job failed");
                    failures = failures.saturating_add(1);
                    error_wait(failures)
                }
            };
            if sleep_unless_stopped(&mut shutdown, wait).await {
                break;
            }
        }
    }
}

/// Doubles from one second while the database keeps failing, so an outage
/// is not hammered.
fn error_wait(failures: u32) -> Duration {
    Duration::from_secs(1 << failures.clamp(1, 6).saturating_sub(1)).min(MAX_ERROR_WAIT)
}

fn stopping(shutdown: &watch::Receiver<bool>) -> bool {
    *shutdown.borrow() || shutdown.has_changed().is_err()
}

/// Sleeps for `wait`; true if shutdown came first.
pub(crate) async fn sleep_unless_stopped(shutdown: &mut watch::Receiver<bool>, wait: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(wait) => false,
        // An error means the sender is gone, which also means stop.
        _ = shutdown.wait_for(|stop| *stop) => true,
    }
}
