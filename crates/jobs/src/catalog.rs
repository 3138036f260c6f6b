//! The jobs Valghalla runs in every tenant: their handlers and their
//! schedules. A new kind of job is registered here and nowhere else.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveTime;
use sea_orm::DatabaseConnection;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::cpr::refresh::REFRESH_LOCAL_COPY;
use store::repo::seats::reminders;

use crate::provisional::{SWEEP, Services};
use crate::{Clock, Every, Handlers, JobError, Runner, Schedule, Scheduler, Worker};

/// Deletes sessions past their expiry, and expired SAML requests and assertion IDs.
pub const SESSIONS_SWEEP: &str = "sessions.sweep";
/// Deletes finished jobs after a month; dead ones stay until handled.
pub const JOBS_PURGE: &str = "jobs.purge";
/// Deletes audit rows older than the retention period (SPEC §8: 6 months).
pub const AUDIT_RETENTION: &str = "audit.retention";
/// Queues the day's invitation reminders.
pub const INVITATION_REMINDERS: &str = "reminders.invitations";
/// Queues the day's task reminders.
pub const TASK_REMINDERS: &str = "reminders.tasks";

const AUDIT_RETENTION_DAYS: i64 = 183;
const FINISHED_JOBS_KEPT_DAYS: i64 = 30;

/// Every handler of the system, for a tenant without outside services.
pub fn handlers() -> Handlers {
    handlers_with(&Services::default())
}

/// Every handler of the system; handlers that call outside services (CPR)
/// get the tenant's clients from `services`.
pub fn handlers_with(services: &Services) -> Handlers {
    let mut handlers = Handlers::new();
    crate::provisional::register(&mut handlers, services);
    crate::activation::register(&mut handlers);
    handlers.register(INVITATION_REMINDERS, |ctx, _| async move {
        let queued = reminders::invitation_reminders(&ctx.db, ctx.now).await.map_err(JobError::retryable)?;
        tracing::info!(queued, "invitation reminders queued");
        Ok(())
    });
    handlers.register(TASK_REMINDERS, |ctx, _| async move {
        let queued = reminders::task_reminders(&ctx.db, ctx.now).await.map_err(JobError::retryable)?;
        tracing::info!(queued, "task reminders queued");
        Ok(())
    });
    if let Some(messaging) = &services.messaging {
        crate::delivery::register(&mut handlers, messaging.clone());
    }
    handlers.register(SESSIONS_SWEEP, |ctx, _| async move {
        let deleted = store::repo::sessions::delete_expired(&ctx.db, ctx.now).await.map_err(JobError::retryable)?;
        // Pending SAML requests and remembered assertion IDs expire like sessions.
        let saml = store::repo::saml_state::delete_expired(&ctx.db, ctx.now).await.map_err(JobError::retryable)?;
        tracing::info!(deleted, saml, "expired sessions and SAML state deleted");
        Ok(())
    });
    handlers.register(JOBS_PURGE, |ctx, _| async move {
        let before = ctx.now - chrono::Duration::days(FINISHED_JOBS_KEPT_DAYS);
        let deleted = store::outbox::purge_finished(&ctx.db, before).await.map_err(JobError::retryable)?;
        tracing::info!(deleted, "finished jobs purged");
        Ok(())
    });
    handlers.register(AUDIT_RETENTION, |ctx, _| async move {
        let cutoff = ctx.now - chrono::Duration::days(AUDIT_RETENTION_DAYS);
        let deleted = store::repo::audit::delete_older_than(&ctx.db, cutoff).await.map_err(JobError::retryable)?;
        tracing::info!(deleted, "audit rows past retention deleted");
        Ok(())
    });
    let cpr_sync = services
        .cpr
        .as_ref()
        .map(|c| crate::cpr::CprSync::new(c.registry.clone(), c.vault.clone(), c.municipality.clone()));
    crate::cpr::sync::register(&mut handlers, cpr_sync.map(Arc::new));
    crate::cpr::refresh::register(&mut handlers, services.cpr.clone());
    handlers
}

/// Every periodic job of the system.
pub fn schedules() -> Vec<Schedule> {
    let nightly = |hour| Every::DailyAt {
        time: NaiveTime::from_hms_opt(hour, 0, 0).expect("valid hour"),
        tz: chrono_tz::Europe::Copenhagen,
    };
    let empty = serde_json::json!({});
    vec![
        Schedule::new(SESSIONS_SWEEP, Every::Interval(Duration::from_secs(3600)), SESSIONS_SWEEP, empty.clone()),
        // Reminders go out in the morning, once a day.
        Schedule::new(INVITATION_REMINDERS, nightly(9), INVITATION_REMINDERS, empty.clone()),
        Schedule::new(TASK_REMINDERS, nightly(9), TASK_REMINDERS, empty.clone()),
        // Provisional sign-ups are validated within minutes of CPR answering again.
        Schedule::new(SWEEP, Every::Interval(Duration::from_secs(300)), SWEEP, empty.clone()),
        Schedule::new(JOBS_PURGE, nightly(3), JOBS_PURGE, empty.clone()),
        Schedule::new(AUDIT_RETENTION, nightly(4), AUDIT_RETENTION, empty.clone()),
        // Plans the day's CPR sync; the person jobs spread over the day.
        Schedule::new(crate::cpr::sync::SYNC, nightly(1), crate::cpr::sync::SYNC, empty.clone()),
        // A thirtieth of the local copy each night: all of it once a month.
        Schedule::new(REFRESH_LOCAL_COPY, nightly(2), REFRESH_LOCAL_COPY, empty),
    ]
}

/// Runs the job runner and the scheduler for one tenant database until
/// `shutdown` turns true.
pub fn start(
    db: DatabaseConnection,
    owner: String,
    shutdown: watch::Receiver<bool>,
) -> Result<Vec<JoinHandle<()>>, crate::Error> {
    start_with(db, owner, shutdown, &Services::default())
}

/// [`start`] with the tenant's outside services (its CPR registry …).
pub fn start_with(
    db: DatabaseConnection,
    owner: String,
    shutdown: watch::Receiver<bool>,
    services: &Services,
) -> Result<Vec<JoinHandle<()>>, crate::Error> {
    let scheduler = Scheduler::new(schedules())?;
    let runner = Runner::new(db.clone(), Arc::new(handlers_with(services)), Worker::new(owner)).concurrency(4);
    let ticking_shutdown = shutdown.clone();
    Ok(vec![
        tokio::spawn(runner.run(shutdown)),
        tokio::spawn(
            async move { scheduler.run(&db, &Clock::System, Duration::from_secs(30), ticking_shutdown).await },
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schedule_has_a_handler() {
        let handlers = handlers();
        let schedules = schedules();
        assert!(Scheduler::new(schedules.clone()).is_ok());
        for s in schedules {
            assert!(handlers.contains(&s.kind), "no handler for {}", s.kind);
        }
    }
}
