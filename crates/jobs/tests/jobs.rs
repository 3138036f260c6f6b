//! The job queue on both backends: transactional enqueue, idempotency keys,
//! outcomes, retries, leases, concurrent runners and the scheduler.

#[path = "jobs/delivery.rs"]
mod delivery;
#[path = "jobs/drill.rs"]
mod drill;
#[path = "jobs/pacing.rs"]
mod pacing;
#[path = "jobs/words.rs"]
mod words;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use jobs::{
    Backoff, Clock, Every, Handlers, JobContext, JobError, JobState, NewJob, Outcome, Runner, Schedule, Scheduler,
    Worker, run_next_job,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use serde_json::json;
use store::outbox;
use uuid::Uuid;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 1, 12, 0, 0).unwrap()
}

fn worker(clock: &Clock) -> Worker {
    Worker::new("test-worker")
        .with_clock(clock.clone())
        .with_backoff(Backoff { base: Duration::from_secs(10), cap: Duration::from_secs(80) })
        .with_lease(Duration::from_secs(60))
}

type Log = Arc<Mutex<Vec<Uuid>>>;

/// Handlers for `kind` that record which jobs ran.
fn recording(kind: &str) -> (Handlers, Log) {
    let log: Log = Arc::default();
    let mut handlers = Handlers::new();
    let seen = log.clone();
    handlers.register(kind, move |ctx: JobContext, _payload| {
        seen.lock().unwrap().push(ctx.id);
        async { Ok(()) }
    });
    (handlers, log)
}

/// Runs due jobs until none is left.
async fn drain(db: &DatabaseConnection, handlers: &Handlers, worker: &Worker) -> anyhow::Result<Vec<Outcome>> {
    let mut outcomes = Vec::new();
    while let Some(outcome) = run_next_job(db, handlers, worker).await? {
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

async fn job(db: &DatabaseConnection, id: Uuid) -> anyhow::Result<outbox::Job> {
    outbox::get(db, id).await?.ok_or_else(|| anyhow::anyhow!("job {id} is missing"))
}

async fn count(db: &DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
    Ok(row.expect("a count row").try_get("", "n")?)
}

store::store_tests! {
    async fn rolled_back_enqueue_never_runs(t: TestDb) {
        let clock = Clock::manual(start());
        let tx = t.db.begin().await?;
        let lost = outbox::enqueue_at(&tx, NewJob::new("note", json!({"n": 1})), clock.now()).await?;
        tx.rollback().await?;
        let tx = t.db.begin().await?;
        // The system-clock variant; its run time lies before the test clock's.
        let kept = outbox::enqueue(&tx, NewJob::new("note", json!({"n": 2}))).await?;
        tx.commit().await?;

        let (handlers, ran) = recording("note");
        let outcomes = drain(&t.db, &handlers, &worker(&clock)).await?;
        assert_eq!(outcomes, [Outcome::Succeeded { id: kept, kind: "note".into() }]);
        assert_eq!(*ran.lock().unwrap(), [kept]);
        assert!(outbox::get(&t.db, lost).await?.is_none());
    }

    async fn idempotency_key_makes_a_second_enqueue_a_no_op(t: TestDb) {
        let now = start();
        let keyed = |n: i32| NewJob::new("note", json!({ "n": n })).idempotency_key("invite:42");
        // A key taken in a rolled-back transaction is free again.
        let tx = t.db.begin().await?;
        outbox::enqueue_at(&tx, keyed(0), now).await?;
        tx.rollback().await?;

        let tx = t.db.begin().await?;
        let first = outbox::enqueue_at(&tx, keyed(1), now).await?;
        assert_eq!(outbox::enqueue_at(&tx, keyed(2), now).await?, first, "same transaction");
        tx.commit().await?;
        assert_eq!(outbox::enqueue_at(&t.db, keyed(3), now).await?, first, "later transaction");
        assert_eq!(job(&t.db, first).await?.payload, json!({"n": 1}));

        // Still a no-op once the job has run: the key is never reused.
        let (handlers, ran) = recording("note");
        drain(&t.db, &handlers, &worker(&Clock::manual(now))).await?;
        assert_eq!(outbox::enqueue_at(&t.db, keyed(4), now).await?, first);
        assert!(drain(&t.db, &handlers, &worker(&Clock::manual(now))).await?.is_empty());
        assert_eq!(*ran.lock().unwrap(), [first]);
        // Jobs without a key never collide.
        let a = outbox::enqueue_at(&t.db, NewJob::new("note", json!({})), now).await?;
        let b = outbox::enqueue_at(&t.db, NewJob::new("note", json!({})), now).await?;
        assert_ne!(a, b);
        assert_eq!(count(&t.db, "SELECT COUNT(*) AS n FROM jobs").await?, 3);
    }

    async fn successful_job_is_recorded(t: TestDb) {
        let clock = Clock::manual(start());
        let id = outbox::enqueue_at(&t.db, NewJob::new("greet", json!({"to": "Ida"})), clock.now()).await?;
        let seen: Arc<Mutex<Option<(i32, serde_json::Value)>>> = Arc::default();
        let mut handlers = Handlers::new();
        let record = seen.clone();
        handlers.register("greet", move |ctx, payload| {
            *record.lock().unwrap() = Some((ctx.attempt, payload));
            async { Ok(()) }
        });
        let w = worker(&clock);
        clock.advance(Duration::from_secs(1));
        assert_eq!(run_next_job(&t.db, &handlers, &w).await?, Some(Outcome::Succeeded { id, kind: "greet".into() }));
        assert_eq!(*seen.lock().unwrap(), Some((1, json!({"to": "Ida"}))));

        let row = job(&t.db, id).await?;
        assert_eq!(row.state, JobState::Succeeded);
        assert_eq!((row.attempts, row.finished_at), (1, Some(clock.now())));
        assert_eq!((row.lease_owner, row.lease_expires_at, row.last_error), (None, None, None));
        assert_eq!(run_next_job(&t.db, &handlers, &w).await?, None);
    }

    async fn future_job_waits_for_its_time(t: TestDb) {
        let clock = Clock::manual(start());
        let later = start() + chrono::Duration::minutes(5);
        let id = outbox::enqueue_at(&t.db, NewJob::new("note", json!({})).run_at(later), clock.now()).await?;
        let (handlers, _) = recording("note");
        assert_eq!(run_next_job(&t.db, &handlers, &worker(&clock)).await?, None);
        clock.set(later);
        assert_eq!(run_next_job(&t.db, &handlers, &worker(&clock)).await?.map(|o| o.id()), Some(id));
    }

    async fn retryable_failures_back_off_then_die_with_the_last_error(t: TestDb) {
        let clock = Clock::manual(start());
        let id = outbox::enqueue_at(&t.db, NewJob::new("flaky", json!({})).max_attempts(3), clock.now()).await?;
        let mut handlers = Handlers::new();
        handlers.register("flaky", |ctx, _| async move {
            Err(JobError::retryable(format!("service down (attempt {})", ctx.attempt)))
        });
        let w = worker(&clock);
        for (attempt, ceiling) in [(1, 10), (2, 20)] {
            let now = clock.now();
            let Some(Outcome::Retrying { attempt: a, at, error, .. }) = run_next_job(&t.db, &handlers, &w).await? else {
                panic!("attempt {attempt} should be retried");
            };
            assert_eq!((a, error.as_str()), (attempt, format!("service down (attempt {attempt})").as_str()));
            // Full jitter: anywhere from now to the doubled ceiling.
            assert!(at >= now && at <= now + chrono::Duration::seconds(ceiling), "retry at {at}");
            let row = job(&t.db, id).await?;
            assert_eq!((row.state, row.run_at, row.lease_owner), (JobState::Queued, at, None));
            if at > now {
                assert_eq!(run_next_job(&t.db, &handlers, &w).await?, None, "not due before its backoff");
            }
            clock.set(at);
        }
        let last = run_next_job(&t.db, &handlers, &w).await?;
        let error = "service down (attempt 3)".to_owned();
        assert_eq!(last, Some(Outcome::Dead { id, kind: "flaky".into(), attempts: 3, error: error.clone() }));
        let row = job(&t.db, id).await?;
        assert_eq!((row.state, row.attempts, row.last_error), (JobState::Dead, 3, Some(error)));
        assert_eq!(row.finished_at, Some(clock.now()));
        assert_eq!(run_next_job(&t.db, &handlers, &w).await?, None);

        // Visible in the dead-letter list, and an operator can send it round again.
        assert_eq!(outbox::list(&t.db, JobState::Dead, 10).await?.len(), 1);
        assert_eq!(outbox::counts(&t.db).await?, [(JobState::Dead, 1)]);
        assert!(outbox::requeue_dead(&t.db, id, clock.now()).await?);
        assert!(matches!(run_next_job(&t.db, &handlers, &w).await?, Some(Outcome::Retrying { attempt: 1, .. })));
    }

    async fn permanent_error_kills_the_job_at_once(t: TestDb) {
        let clock = Clock::manual(start());
        let id = outbox::enqueue_at(&t.db, NewJob::new("bad", json!({})).max_attempts(5), clock.now()).await?;
        let mut handlers = Handlers::new();
        handlers.register("bad", |_, _| async { Err(JobError::permanent("participant no longer exists")) });
        let outcome = run_next_job(&t.db, &handlers, &worker(&clock)).await?;
        let error = "participant no longer exists".to_owned();
        assert_eq!(outcome, Some(Outcome::Dead { id, kind: "bad".into(), attempts: 1, error: error.clone() }));
        let row = job(&t.db, id).await?;
        assert_eq!((row.state, row.attempts, row.last_error), (JobState::Dead, 1, Some(error)));
    }

    async fn undecodable_payload_is_permanent_and_not_quoted(t: TestDb) {
        #[derive(serde::Deserialize)]
        struct Reminder {
            #[allow(dead_code)]
            participant: Uuid,
        }
        let clock = Clock::manual(start());
        let payload = json!({"participant": "0101801234"});
        let id = outbox::enqueue_at(&t.db, NewJob::new("remind", payload), clock.now()).await?;
        let mut handlers = Handlers::new();
        handlers.register_typed("remind", |_, _: Reminder| async { Ok(()) });
        let Some(Outcome::Dead { error, .. }) = run_next_job(&t.db, &handlers, &worker(&clock)).await? else {
            panic!("an undecodable payload is a permanent failure");
        };
        assert!(!error.contains("0101801234"), "the payload leaked into the error: {error}");
        assert_eq!(job(&t.db, id).await?.last_error, Some(error));
    }

    async fn panicking_handler_counts_as_a_failed_attempt(t: TestDb) {
        let clock = Clock::manual(start());
        let id = outbox::enqueue_at(&t.db, NewJob::new("fragile", json!({})), clock.now()).await?;
        let mut handlers = Handlers::new();
        handlers.register("fragile", |ctx, _| async move {
            if ctx.attempt == 1 {
                panic!("index out of bounds");
            }
            Ok(())
        });
        let w = worker(&clock);
        let Some(Outcome::Retrying { at, error, .. }) = run_next_job(&t.db, &handlers, &w).await? else {
            panic!("a panic should be retried");
        };
        assert_eq!(error, "handler panicked: index out of bounds");
        clock.set(at);
        assert_eq!(run_next_job(&t.db, &handlers, &w).await?, Some(Outcome::Succeeded { id, kind: "fragile".into() }));
        assert_eq!(job(&t.db, id).await?.attempts, 2);
    }

    async fn job_of_a_dead_worker_runs_again_when_its_lease_expires(t: TestDb) {
        let clock = Clock::manual(start());
        let now = clock.now();
        let id = outbox::enqueue_at(&t.db, NewJob::new("note", json!({})), now).await?;
        // A process claims the job and dies without finishing it.
        let lease_until = now + chrono::Duration::seconds(30);
        let dead = outbox::claim(&t.db, "dead-process", &["note"], now, lease_until).await?.expect("claimed");
        assert_eq!((dead.job.id, dead.lease.attempt), (id, 1));

        let (handlers, ran) = recording("note");
        let w = worker(&clock);
        clock.advance(Duration::from_secs(29));
        assert_eq!(run_next_job(&t.db, &handlers, &w).await?, None, "the lease still holds");
        clock.advance(Duration::from_secs(1));
        assert_eq!(run_next_job(&t.db, &handlers, &w).await?, Some(Outcome::Succeeded { id, kind: "note".into() }));
        assert_eq!(*ran.lock().unwrap(), [id]);
        assert_eq!(job(&t.db, id).await?.attempts, 2);

        // Should the old process wake up, it can no longer change the job.
        assert!(!outbox::complete(&t.db, &dead.lease, clock.now()).await?);
        let retry = outbox::AfterFailure::RetryAt(clock.now());
        assert!(!outbox::fail(&t.db, &dead.lease, "late", retry, clock.now()).await?);
        assert_eq!(job(&t.db, id).await?.state, JobState::Succeeded);
    }

    async fn lease_expiring_on_the_last_attempt_kills_the_job(t: TestDb) {
        let clock = Clock::manual(start());
        let now = clock.now();
        let id = outbox::enqueue_at(&t.db, NewJob::new("note", json!({})).max_attempts(1), now).await?;
        outbox::claim(&t.db, "dead-process", &["note"], now, now + chrono::Duration::seconds(30)).await?;
        clock.advance(Duration::from_secs(30));
        let (handlers, ran) = recording("note");
        let outcome = run_next_job(&t.db, &handlers, &worker(&clock)).await?;
        assert!(matches!(outcome, Some(Outcome::Dead { attempts: 2, ref error, .. }) if error.contains("lease expired")));
        assert!(ran.lock().unwrap().is_empty(), "the job had no attempts left");
        assert_eq!(job(&t.db, id).await?.state, JobState::Dead);
    }

    async fn job_of_an_unknown_kind_waits(t: TestDb) {
        let clock = Clock::manual(start());
        let id = outbox::enqueue_at(&t.db, NewJob::new("from-a-newer-release", json!({})), clock.now()).await?;
        let (handlers, _) = recording("note");
        assert_eq!(run_next_job(&t.db, &handlers, &worker(&clock)).await?, None);
        assert_eq!(job(&t.db, id).await?.state, JobState::Queued);
    }

    async fn postgres_claim_skips_rows_locked_by_another_claim(t: TestDb) {
        if t.db.get_database_backend() != DbBackend::Postgres {
            return Ok(()); // SQLite has a single runner; its writers wait for each other.
        }
        let now = start();
        let a = outbox::enqueue_at(&t.db, NewJob::new("note", json!({})).run_at(now), now).await?;
        let b = outbox::enqueue_at(&t.db, NewJob::new("note", json!({})).run_at(now + chrono::Duration::seconds(1)), now).await?;
        let until = now + chrono::Duration::minutes(1);
        let later = now + chrono::Duration::seconds(2);
        // The first claim's transaction stays open, so its row stays locked.
        let tx = t.db.begin().await?;
        let first = outbox::claim(&tx, "one", &["note"], later, until).await?.expect("claimed");
        assert_eq!(first.job.id, a);
        let second = tokio::time::timeout(Duration::from_secs(5), outbox::claim(&t.db, "two", &["note"], later, until))
            .await
            .expect("a locked row must be skipped, not waited for")?
            .expect("the other job is free");
        assert_eq!(second.job.id, b);
        tx.rollback().await?;
    }

    async fn two_runners_run_every_job_exactly_once(t: TestDb) {
        const JOBS: usize = 40;
        let mut ids = HashSet::new();
        for n in 0..JOBS {
            ids.insert(outbox::enqueue(&t.db, NewJob::new("count", json!({ "n": n }))).await?);
        }
        #[derive(Default)]
        struct Seen {
            running: HashSet<Uuid>,
            runs: HashMap<Uuid, usize>,
            overlaps: usize,
            most_at_once: usize,
        }
        let seen: Arc<Mutex<Seen>> = Arc::default();
        let mut handlers = Handlers::new();
        let shared = seen.clone();
        handlers.register("count", move |ctx, _| {
            let seen = shared.clone();
            async move {
                {
                    let mut s = seen.lock().unwrap();
                    if !s.running.insert(ctx.id) {
                        s.overlaps += 1;
                    }
                    *s.runs.entry(ctx.id).or_default() += 1;
                    s.most_at_once = s.most_at_once.max(s.running.len());
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
                seen.lock().unwrap().running.remove(&ctx.id);
                Ok(())
            }
        });
        let handlers = Arc::new(handlers);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let runners: Vec<_> = ["machine-a", "machine-b"]
            .into_iter()
            .map(|owner| {
                let runner = Runner::new(t.db.clone(), handlers.clone(), Worker::new(owner))
                    .concurrency(3)
                    .poll_interval(Duration::from_millis(10));
                tokio::spawn(runner.run(stopped.clone()))
            })
            .collect();
        tokio::time::timeout(Duration::from_secs(60), async {
            while seen.lock().unwrap().runs.len() < JOBS {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("all jobs ran");
        stop.send(true)?;
        for runner in runners {
            tokio::time::timeout(Duration::from_secs(10), runner).await.expect("runner stops")?;
        }

        {
            let s = seen.lock().unwrap();
            assert_eq!(s.overlaps, 0, "a job ran on two workers at once");
            assert_eq!(s.runs.keys().copied().collect::<HashSet<_>>(), ids);
            assert!(s.runs.values().all(|&n| n == 1), "a job ran twice: {:?}", s.runs);
            assert!(s.most_at_once >= 2, "the runners never ran jobs side by side");
        }
        assert_eq!(outbox::counts(&t.db).await?, [(JobState::Succeeded, JOBS as u64)]);
    }

    async fn scheduler_enqueues_each_period_once_across_instances_and_restarts(t: TestDb) {
        let hourly = Schedule::new("sweep-sessions", Every::Interval(Duration::from_secs(3600)), "sweep", json!({}));
        let instances: Vec<Scheduler> = (0..4).map(|_| Scheduler::new(vec![hourly.clone()])).collect::<Result<_, _>>()?;
        let at = |h: u32, m: u32| Utc.with_ymd_and_hms(2030, 3, 1, h, m, 0).unwrap();

        // Four processes tick at the same moment: one enqueues.
        let ticks = futures::future::join_all(instances.iter().map(|s| s.tick(&t.db, at(12, 10)))).await;
        let enqueued: Vec<Uuid> = ticks.into_iter().collect::<Result<Vec<_>, _>>()?.concat();
        assert_eq!(enqueued.len(), 1);
        // A restarted process later in the same hour enqueues nothing.
        let restarted = Scheduler::new(vec![hourly.clone()])?;
        assert!(restarted.tick(&t.db, at(12, 59)).await?.is_empty());
        // The next hour is a new period, again enqueued once.
        let ticks = futures::future::join_all(instances.iter().map(|s| s.tick(&t.db, at(13, 0)))).await;
        assert_eq!(ticks.into_iter().collect::<Result<Vec<_>, _>>()?.concat().len(), 1);
        assert!(restarted.tick(&t.db, at(13, 30)).await?.is_empty());

        assert_eq!(count(&t.db, "SELECT COUNT(*) AS n FROM schedule_runs").await?, 2);
        let (handlers, ran) = recording("sweep");
        drain(&t.db, &handlers, &worker(&Clock::manual(at(13, 30)))).await?;
        assert_eq!(ran.lock().unwrap().len(), 2);
    }
}
