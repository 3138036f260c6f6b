//! Running one job: claim, call the handler under a lease, record the outcome.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::FutureExt;
use sea_orm::DatabaseConnection;
use store::outbox::{self, AfterFailure, Job, Lease};
use tracing::Instrument;
use uuid::Uuid;

use crate::clock::later;
use crate::{Backoff, Clock, Error, Handlers, JobContext, JobError};

/// Who is claiming jobs, and how.
#[derive(Debug, Clone)]
pub struct Worker {
    /// Written on claimed jobs; unique per process (see [`Worker::unique_owner`]).
    pub owner: String,
    pub clock: Clock,
    pub backoff: Backoff,
    /// How long a claim lasts without a heartbeat. A running handler renews it
    /// every third of this, so only a dead or hung worker lets it run out.
    pub lease: Duration,
}

/// Shortest lease accepted; heartbeats come every third of it.
const MIN_LEASE: Duration = Duration::from_secs(1);

impl Worker {
    pub fn new(owner: impl Into<String>) -> Self {
        Worker {
            owner: owner.into(),
            clock: Clock::System,
            backoff: Backoff::default(),
            lease: Duration::from_secs(5 * 60),
        }
    }

    /// An owner id naming the host and process, unique across restarts.
    pub fn unique_owner() -> String {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into());
        format!("{host}:{}:{}", std::process::id(), &Uuid::new_v4().simple().to_string()[..8])
    }

    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(MIN_LEASE);
        self
    }

    fn lease_until(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        later(now, self.lease)
    }
}

/// What became of one claimed job.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Succeeded {
        id: Uuid,
        kind: String,
    },
    /// Failed and queued again, due at `at`.
    Retrying {
        id: Uuid,
        kind: String,
        attempt: i32,
        at: DateTime<Utc>,
        error: String,
    },
    /// Failed for good; kept in the dead-letter state with `error`.
    Dead {
        id: Uuid,
        kind: String,
        attempts: i32,
        error: String,
    },
    /// Asked to wait; queued again, due at `at`, with its attempt given back.
    Postponed {
        id: Uuid,
        kind: String,
        at: DateTime<Utc>,
    },
    /// The lease ran out and another worker took the job over before this
    /// attempt finished; its result was discarded.
    LeaseLost {
        id: Uuid,
        kind: String,
    },
}

impl Outcome {
    pub fn id(&self) -> Uuid {
        match self {
            Outcome::Succeeded { id, .. }
            | Outcome::Retrying { id, .. }
            | Outcome::Dead { id, .. }
            | Outcome::Postponed { id, .. }
            | Outcome::LeaseLost { id, .. } => *id,
        }
    }
}

/// Claims one due job of a kind `handlers` knows, runs it and records the
/// outcome. `None` if no job is due. A database error after the handler ran
/// leaves the job leased; it runs again when the lease runs out (at least once).
pub async fn run_next_job(
    db: &DatabaseConnection,
    handlers: &Handlers,
    worker: &Worker,
) -> Result<Option<Outcome>, Error> {
    let now = worker.clock.now();
    let kinds = handlers.kinds();
    let Some(claimed) = outbox::claim(db, &worker.owner, &kinds, now, worker.lease_until(now)).await? else {
        return Ok(None);
    };
    let (job, lease) = (claimed.job, claimed.lease);
    // Id and kind only: the payload may hold personal data.
    let span = tracing::info_span!("job", job.id = %job.id, job.kind = %job.kind, attempt = job.attempts);
    async {
        let result = if job.attempts > job.max_attempts {
            Err(JobError::permanent("the worker stopped during the last attempt (lease expired)"))
        } else {
            run_handler(db, handlers, worker, &job, &lease).await
        };
        finish(db, worker, &job, &lease, result).await.map(Some)
    }
    .instrument(span)
    .await
}

async fn run_handler(
    db: &DatabaseConnection,
    handlers: &Handlers,
    worker: &Worker,
    job: &Job,
    lease: &Lease,
) -> Result<(), JobError> {
    let ctx = JobContext {
        id: job.id,
        kind: job.kind.clone(),
        attempt: job.attempts,
        max_attempts: job.max_attempts,
        db: db.clone(),
        now: worker.clock.now(),
    };
    let Some(run) = handlers.call(ctx, job.payload.clone()) else {
        return Err(JobError::permanent("no handler for this job kind"));
    };
    // A panicking handler must not take the worker down; it counts as a failed attempt.
    match with_heartbeat(db, worker, lease, AssertUnwindSafe(run).catch_unwind()).await {
        Ok(result) => result,
        Err(panic) => Err(JobError::Retryable(format!("handler panicked: {}", panic_message(&*panic)))),
    }
}

/// Polls `run` to completion, renewing the lease while it runs.
async fn with_heartbeat<F: Future>(db: &DatabaseConnection, worker: &Worker, lease: &Lease, run: F) -> F::Output {
    let beat = worker.lease.max(MIN_LEASE) / 3;
    let mut run = std::pin::pin!(run);
    loop {
        tokio::select! {
            output = &mut run => return output,
            _ = tokio::time::sleep(beat) => renew(db, worker, lease).await,
        }
    }
}

async fn renew(db: &DatabaseConnection, worker: &Worker, lease: &Lease) {
    let now = worker.clock.now();
    match outbox::extend_lease(db, lease, worker.lease_until(now), now).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!("lease lost while the job was running"),
        Err(e) => tracing::warn!(error = %e, "could not renew the lease"),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".into()
    }
}

async fn finish(
    db: &DatabaseConnection,
    worker: &Worker,
    job: &Job,
    lease: &Lease,
    result: Result<(), JobError>,
) -> Result<Outcome, Error> {
    let now = worker.clock.now();
    let (id, kind) = (job.id, job.kind.clone());
    let error = match result {
        Ok(()) => {
            if !outbox::complete(db, lease, now).await? {
                return Ok(lease_lost(id, kind));
            }
            tracing::info!("job succeeded");
            return Ok(Outcome::Succeeded { id, kind });
        }
        Err(JobError::Postponed(wait)) => return postpone(db, lease, (id, kind), later(now, wait), now).await,
        Err(error) => error,
    };
    let next = match &error {
        JobError::Retryable(_) | JobError::RetryBy { .. } if job.attempts < job.max_attempts => {
            let at = later(now, worker.backoff.delay(job.attempts));
            AfterFailure::RetryAt(match &error {
                JobError::RetryBy { by, .. } => at.min((*by).max(now)),
                _ => at,
            })
        }
        _ => AfterFailure::Dead,
    };
    let message = error.to_string();
    if !outbox::fail(db, lease, &message, next, now).await? {
        return Ok(lease_lost(id, kind));
    }
    Ok(match next {
        AfterFailure::RetryAt(at) => {
            tracing::warn!(error = %message, retry_at = %at, "job failed; it will be retried");
            Outcome::Retrying { id, kind, attempt: job.attempts, at, error: message }
        }
        AfterFailure::Dead => {
            tracing::error!(error = %message, "job failed for good; it is now dead");
            Outcome::Dead { id, kind, attempts: job.attempts, error: message }
        }
    })
}

async fn postpone(
    db: &DatabaseConnection,
    lease: &Lease,
    (id, kind): (Uuid, String),
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Outcome, Error> {
    if !outbox::postpone(db, lease, at, now).await? {
        return Ok(lease_lost(id, kind));
    }
    tracing::debug!(run_at = %at, "job postponed");
    Ok(Outcome::Postponed { id, kind, at })
}

fn lease_lost(id: Uuid, kind: String) -> Outcome {
    tracing::warn!("the lease ran out and another worker took the job over; this result is discarded");
    Outcome::LeaseLost { id, kind }
}
