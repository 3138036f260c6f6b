//! Periodic jobs. Time is cut into periods (one per interval, or one per
//! day); a tick enqueues a schedule's job for the current period unless a
//! `schedule_runs` row says that period was enqueued already. That row is
//! written in the enqueue's transaction and is unique per (schedule, period),
//! so restarts and several scheduling processes never run a period twice.
//!
//! A period missed while nothing was running is not made up for: the next
//! tick enqueues only the current one. Periodic jobs here are sweeps
//! (reminders, retention) that catch up by themselves.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, NaiveTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use sea_orm::DatabaseConnection;
use store::outbox::{self, NewJob};
use tokio::sync::watch;
use uuid::Uuid;

use crate::runner::sleep_unless_stopped;
use crate::{Clock, Error};

/// How often a schedule's job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    /// Periods of this length (whole seconds, at least one), counted from the
    /// Unix epoch, so every process agrees on where a period starts.
    Interval(Duration),
    /// Once a day, from this wall-clock time in `tz` (daylight saving included)
    /// until the same time the next day.
    DailyAt { time: NaiveTime, tz: Tz },
}

impl Every {
    /// Names the period `now` falls in: its start (`2024-05-01T12:00:00Z`) for
    /// intervals, its local date (`2024-05-01`) for daily schedules.
    pub fn period_key(&self, now: DateTime<Utc>) -> String {
        match self {
            Every::Interval(length) => {
                let length = length.as_secs().clamp(1, i64::MAX as u64) as i64;
                let start = now.timestamp().div_euclid(length) * length;
                let start = DateTime::from_timestamp(start, 0).unwrap_or(DateTime::<Utc>::MIN_UTC);
                start.to_rfc3339_opts(SecondsFormat::Secs, true)
            }
            Every::DailyAt { time, tz } => {
                let local = now.with_timezone(tz);
                let today = local.date_naive();
                // Before today's time we are still in the period that began yesterday.
                let day = if local.time() >= *time { today } else { today.pred_opt().unwrap_or(today) };
                day.format("%Y-%m-%d").to_string()
            }
        }
    }
}

/// A job enqueued once per period.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Stable across releases: it is the key in `schedule_runs`.
    pub name: String,
    pub every: Every,
    pub kind: String,
    pub payload: serde_json::Value,
}

impl Schedule {
    pub fn new(name: impl Into<String>, every: Every, kind: impl Into<String>, payload: serde_json::Value) -> Self {
        Schedule { name: name.into(), every, kind: kind.into(), payload }
    }
}

/// Enqueues the jobs of a set of schedules.
#[derive(Debug, Clone)]
pub struct Scheduler {
    schedules: Vec<Schedule>,
}

impl Scheduler {
    /// Refuses empty or repeated names and intervals under one second.
    pub fn new(schedules: Vec<Schedule>) -> Result<Self, Error> {
        let mut names = HashSet::new();
        for s in &schedules {
            if s.name.trim().is_empty() {
                return Err(Error::InvalidSchedule("a schedule has no name".into()));
            }
            if !names.insert(s.name.as_str()) {
                return Err(Error::InvalidSchedule(format!("two schedules are named {:?}", s.name)));
            }
            if matches!(s.every, Every::Interval(d) if d.as_secs() == 0) {
                return Err(Error::InvalidSchedule(format!(
                    "schedule {:?} runs more often than once a second",
                    s.name
                )));
            }
        }
        Ok(Scheduler { schedules })
    }

    pub fn schedules(&self) -> &[Schedule] {
        &self.schedules
    }

    /// Enqueues each schedule's job for the period `now` falls in, unless that
    /// period was enqueued before. Returns the ids of the jobs enqueued now.
    pub async fn tick(&self, db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Vec<Uuid>, Error> {
        let mut enqueued = Vec::new();
        for s in &self.schedules {
            let period = s.every.period_key(now);
            let job = NewJob::new(s.kind.as_str(), s.payload.clone()).run_at(now);
            if let Some(id) = outbox::enqueue_once(db, &s.name, &period, job, now).await? {
                tracing::info!(schedule = %s.name, period = %period, job.id = %id, job.kind = %s.kind, "scheduled job enqueued");
                enqueued.push(id);
            }
        }
        Ok(enqueued)
    }

    /// Ticks every `every` until `shutdown` turns true or its sender is dropped.
    /// A failed tick is logged and tried again at the next one.
    pub async fn run(
        &self,
        db: &DatabaseConnection,
        clock: &Clock,
        every: Duration,
        mut shutdown: watch::Receiver<bool>,
    ) {
        loop {
            if let Err(e) = self.tick(db, clock.now()).await {
                tracing::error!(error = %e, "enqueueing scheduled jobs failed");
            }
            if sleep_unless_stopped(&mut shutdown, every).await {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn interval_periods_start_on_multiples_of_their_length() {
        let hourly = Every::Interval(Duration::from_secs(3600));
        assert_eq!(hourly.period_key(utc("2024-05-01T12:00:00Z")), "2024-05-01T12:00:00Z");
        assert_eq!(hourly.period_key(utc("2024-05-01T12:59:59.999Z")), "2024-05-01T12:00:00Z");
        assert_eq!(hourly.period_key(utc("2024-05-01T13:00:00Z")), "2024-05-01T13:00:00Z");
        let quarter = Every::Interval(Duration::from_secs(15 * 60));
        assert_eq!(quarter.period_key(utc("2024-05-01T12:44:10Z")), "2024-05-01T12:30:00Z");
    }

    #[test]
    fn daily_period_begins_at_the_local_time() {
        let at_two =
            Every::DailyAt { time: NaiveTime::from_hms_opt(2, 0, 0).unwrap(), tz: chrono_tz::Europe::Copenhagen };
        // 01:59 and 02:00 Copenhagen summer time (UTC+2).
        assert_eq!(at_two.period_key(utc("2024-06-10T23:59:00Z")), "2024-06-10");
        assert_eq!(at_two.period_key(utc("2024-06-11T00:00:00Z")), "2024-06-11");
        // Winter time (UTC+1).
        assert_eq!(at_two.period_key(utc("2024-01-11T00:59:00Z")), "2024-01-10");
        assert_eq!(at_two.period_key(utc("2024-01-11T01:00:00Z")), "2024-01-11");
    }

    #[test]
    fn daily_period_survives_daylight_saving_changes() {
        let at_half_two =
            Every::DailyAt { time: NaiveTime::from_hms_opt(2, 30, 0).unwrap(), tz: chrono_tz::Europe::Copenhagen };
        // 31 March 2024: clocks jump from 02:00 to 03:00, so 02:30 never happens;
        // the day's period starts at the jump.
        assert_eq!(at_half_two.period_key(utc("2024-03-31T00:59:00Z")), "2024-03-30");
        assert_eq!(at_half_two.period_key(utc("2024-03-31T01:00:00Z")), "2024-03-31");
        // 27 October 2024: 02:30 happens twice; both fall in the same period.
        let first = Utc.with_ymd_and_hms(2024, 10, 27, 0, 30, 0).unwrap();
        let second = Utc.with_ymd_and_hms(2024, 10, 27, 1, 30, 0).unwrap();
        assert_eq!(at_half_two.period_key(first), "2024-10-27");
        assert_eq!(at_half_two.period_key(second), "2024-10-27");
    }

    #[test]
    fn refuses_bad_schedules() {
        let every = Every::Interval(Duration::from_secs(60));
        let s = |name: &str, every| Schedule::new(name, every, "k", serde_json::Value::Null);
        assert!(Scheduler::new(vec![s("a", every), s("b", every)]).is_ok());
        assert!(Scheduler::new(vec![s("a", every), s("a", every)]).is_err());
        assert!(Scheduler::new(vec![s(" ", every)]).is_err());
        assert!(Scheduler::new(vec![s("a", Every::Interval(Duration::from_millis(500)))]).is_err());
    }
}
