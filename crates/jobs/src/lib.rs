//! Durable jobs in the tenant database (SPEC §2.5, §8).
//!
//! Jobs are enqueued with [`store::outbox::enqueue`], inside the transaction
//! of the domain change that causes them. This crate runs them:
//!
//! - [`Handlers`] maps a job kind to an async handler;
//! - [`run_next_job`] claims one due job under a lease, runs it and records
//!   the outcome (success, retry after an exponential [`Backoff`] with full
//!   jitter, or dead with the last error);
//! - [`Runner`] loops over that with a fixed number of slots until shutdown;
//! - [`Scheduler`] enqueues periodic jobs exactly once per period.
//!
//! Jobs run at least once: a worker that dies mid-run leaves a lease that
//! runs out, and the job runs again. Handlers must therefore be idempotent.
//! Logs name a job by id and kind only; payloads may hold personal data.
//!
//! Wiring, once per tenant database:
//!
//! ```no_run
//! # async fn wire(db: store::DatabaseConnection) -> Result<(), jobs::Error> {
//! use std::{sync::Arc, time::Duration};
//! use jobs::{Clock, Every, Handlers, JobError, Runner, Schedule, Scheduler, Worker};
//!
//! let mut handlers = Handlers::new();
//! handlers.register("sessions.sweep", |ctx, _payload| async move {
//!     let _ = (&ctx.db, ctx.now); // delete expired sessions …
//!     Ok(())
//! });
//! handlers.register("message.send", |_ctx, _payload| async move {
//!     Err(JobError::retryable("gateway timed out"))
//! });
//! let hourly = Every::Interval(Duration::from_secs(3600));
//! let scheduler = Scheduler::new(vec![Schedule::new("sessions.sweep", hourly, "sessions.sweep", serde_json::json!({}))])?;
//!
//! let (stop, stopped) = tokio::sync::watch::channel(false);
//! let runner = Runner::new(db.clone(), Arc::new(handlers), Worker::new(Worker::unique_owner())).concurrency(4);
//! let running = tokio::spawn(runner.run(stopped.clone()));
//! let ticking = tokio::spawn(async move { scheduler.run(&db, &Clock::System, Duration::from_secs(30), stopped).await });
//! // On shutdown: running jobs finish, then both loops return.
//! stop.send(true).ok();
//! let _ = tokio::join!(running, ticking);
//! # Ok(()) }
//! ```

pub mod activation;
mod backoff;
pub mod catalog;
mod clock;
pub mod cpr;
pub mod delivery;
mod handlers;
pub mod provisional;
mod runner;
mod schedule;
mod worker;

pub use backoff::Backoff;
pub use clock::Clock;
pub use handlers::{Handlers, JobContext, JobError};
pub use provisional::{CprServices, Services};
pub use runner::Runner;
pub use schedule::{Every, Schedule, Scheduler};
pub use store::outbox::{JobState, NewJob, enqueue};
pub use worker::{Outcome, Worker, run_next_job};

/// Errors of the queue itself (never of a job: those are [`JobError`]s).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("job queue database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("invalid schedule: {0}")]
    InvalidSchedule(String),
}
