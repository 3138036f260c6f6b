//! The durable job queue in the tenant database (SPEC §2.5, transactional outbox).
//!
//! A repository that changes domain data calls [`enqueue`] with the same
//! transaction, so the change and the jobs it causes commit or roll back
//! together. The `jobs` crate claims, runs and retries the jobs through the
//! functions here; this module owns the SQL and nothing else.
//!
//! A claimed job carries a lease (owner + expiry). Every state change after the
//! claim is guarded by that lease, so a worker that lost its lease (it was too
//! slow, another worker took the job over) cannot overwrite the newer attempt.
//!
//! All times are passed in by the caller so tests can move the clock; they are
//! cut to whole microseconds, the precision PostgreSQL keeps, so a value reads
//! back equal to what was written on both backends.

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    Statement, TransactionSession, TransactionTrait, Value,
};
use uuid::Uuid;

pub use job::{JobState, Model as Job};

/// Attempts a job gets when [`NewJob::max_attempts`] is not called.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;

/// Longest error text kept in `last_error`; the rest is cut off.
const MAX_ERROR_CHARS: usize = 2000;

/// The `jobs` table.
pub mod job {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "jobs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub kind: String,
        pub payload: Json,
        pub idempotency_key: Option<String>,
        pub state: JobState,
        /// Claims so far, including the one now running.
        pub attempts: i32,
        pub max_attempts: i32,
        /// When a queued job becomes due.
        pub run_at: DateTimeUtc,
        pub lease_owner: Option<String>,
        pub lease_expires_at: Option<DateTimeUtc>,
        pub last_error: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub finished_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
    #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
    pub enum JobState {
        #[sea_orm(string_value = "queued")]
        Queued,
        #[sea_orm(string_value = "running")]
        Running,
        #[sea_orm(string_value = "succeeded")]
        Succeeded,
        /// Out of attempts or failed permanently; kept with its last error.
        #[sea_orm(string_value = "dead")]
        Dead,
    }
}

/// A job to put on the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub kind: String,
    /// Handed to the handler as is. It may hold personal data, so it is never logged.
    pub payload: serde_json::Value,
    /// A second enqueue with the same key is a no-op that returns the first
    /// job's id, whatever state that job is in (the key is never reused).
    pub idempotency_key: Option<String>,
    /// Not before this time; `None` means now.
    pub run_at: Option<DateTime<Utc>>,
    pub max_attempts: i32,
}

impl NewJob {
    pub fn new(kind: impl Into<String>, payload: serde_json::Value) -> Self {
        NewJob { kind: kind.into(), payload, idempotency_key: None, run_at: None, max_attempts: DEFAULT_MAX_ATTEMPTS }
    }

    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }

    /// At least one attempt is always made.
    pub fn max_attempts(mut self, attempts: i32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }
}

/// Proof of a claim: only the holder may finish the attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub job_id: Uuid,
    pub owner: String,
    /// The attempt number the claim produced; a later claim of the same job has a higher one.
    pub attempt: i32,
}

/// A job just claimed for running.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub job: Job,
    pub lease: Lease,
}

/// What happens to a job whose attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Queued again, due at this time.
    RetryAt(DateTime<Utc>),
    /// No more attempts.
    Dead,
}

/// Enqueues `job` on `conn` — pass the caller's transaction so the job only
/// exists if that transaction commits. Returns the job's id, or the existing
/// job's id when the idempotency key is already taken.
pub async fn enqueue<C: ConnectionTrait>(conn: &C, job: NewJob) -> Result<Uuid, DbErr> {
    enqueue_at(conn, job, Utc::now()).await
}

/// [`enqueue`] with an explicit current time.
pub async fn enqueue_at<C: ConnectionTrait>(conn: &C, job: NewJob, now: DateTime<Utc>) -> Result<Uuid, DbErr> {
    let now = micros(now);
    let id = Uuid::new_v4();
    let sql = "INSERT INTO jobs (id, kind, payload, idempotency_key, state, attempts, max_attempts, \
               run_at, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, $7, $7) \
               ON CONFLICT (idempotency_key) DO NOTHING";
    let values: Vec<Value> = vec![
        id.into(),
        job.kind.into(),
        job.payload.into(),
        job.idempotency_key.clone().into(),
        job.max_attempts.max(1).into(),
        micros(job.run_at.unwrap_or(now)).into(),
        now.into(),
    ];
    if execute(conn, sql, values).await? == 1 {
        return Ok(id);
    }
    // Only a taken idempotency key makes the insert do nothing.
    let key = job.idempotency_key.ok_or_else(|| DbErr::Custom("job insert ignored without a key".into()))?;
    existing_id(conn, &key).await
}

async fn existing_id<C: ConnectionTrait>(conn: &C, key: &str) -> Result<Uuid, DbErr> {
    let sql = "SELECT id FROM jobs WHERE idempotency_key = $1";
    let row = query_one(conn, sql, vec![key.into()]).await?;
    let row = row.ok_or_else(|| DbErr::RecordNotFound(format!("job with idempotency key {key}")))?;
    row.try_get("", "id")
}

/// Enqueues the job of one period of a schedule unless that period was enqueued
/// before (by this process before a restart, or by another process). The
/// `schedule_runs` row and the job are written in one transaction and the
/// table's primary key decides who wins, so a period runs at most once.
/// Returns the new job's id, or `None` if the period was already taken.
pub async fn enqueue_once<C: TransactionTrait>(
    db: &C,
    schedule: &str,
    period_key: &str,
    job: NewJob,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, DbErr> {
    let tx = db.begin().await?;
    let id = enqueue_at(&tx, job, now).await?;
    let sql = "INSERT INTO schedule_runs (schedule_name, period_key, job_id, created_at) \
               VALUES ($1, $2, $3, $4) ON CONFLICT (schedule_name, period_key) DO NOTHING";
    let values = vec![schedule.into(), period_key.into(), id.into(), micros(now).into()];
    if execute(&tx, sql, values).await? == 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    tx.commit().await?;
    Ok(Some(id))
}

// ---------------------------------------------------------------------------------------------
// Per-backend SQL. This is the only place where the two databases need different statements.
// ---------------------------------------------------------------------------------------------

/// A job is due if it is queued and its time has come, or if it is running
/// under a lease that ran out (its worker died or hung).
const DUE: &str = "((state = 'queued' AND run_at <= $1) OR (state = 'running' AND lease_expires_at <= $1))";
const CLAIM_SET: &str =
    "state = 'running', attempts = attempts + 1, lease_owner = $2, lease_expires_at = $3, updated_at = $1";

fn claim_sql(backend: DbBackend, kind_params: &str) -> String {
    match backend {
        // Several workers on several machines: lock the chosen row and let the
        // others skip it, so they pick another job instead of waiting.
        DbBackend::Postgres => format!(
            "WITH next AS (SELECT id FROM jobs WHERE kind IN ({kind_params}) AND {DUE} \
             ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
             UPDATE jobs SET {CLAIM_SET} FROM next WHERE jobs.id = next.id RETURNING jobs.*"
        ),
        // SQLite has one writer at a time and a writing statement takes the
        // write lock before it reads, so choosing and claiming in one UPDATE
        // is atomic. (MySQL is not supported and never reaches here.)
        _ => format!(
            "UPDATE jobs SET {CLAIM_SET} WHERE id = (SELECT id FROM jobs WHERE kind IN ({kind_params}) AND {DUE} \
             ORDER BY run_at, id LIMIT 1) RETURNING *"
        ),
    }
}

// ---------------------------------------------------------------------------------------------

/// Claims the most overdue job of one of `kinds` for `owner`, leased until
/// `lease_until`. A worker passes only the kinds it has handlers for, so a job
/// of a kind a newer version introduced waits for a worker that knows it.
///
/// The returned job may already have used up its attempts (its last worker
/// died mid-run); the caller should then mark it dead instead of running it.
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    owner: &str,
    kinds: &[&str],
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Option<Claimed>, DbErr> {
    if kinds.is_empty() {
        return Ok(None);
    }
    let kind_params: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect();
    let sql = claim_sql(conn.get_database_backend(), &kind_params.join(", "));
    let mut values: Vec<Value> = vec![micros(now).into(), owner.into(), micros(lease_until).into()];
    values.extend(kinds.iter().map(|k| Value::from(*k)));
    let Some(row) = query_one(conn, &sql, values).await? else { return Ok(None) };
    let job = Job::from_query_result(&row, "")?;
    let lease = Lease { job_id: job.id, owner: owner.to_owned(), attempt: job.attempts };
    Ok(Some(Claimed { job, lease }))
}

/// Marks the leased attempt succeeded. `false` if the lease was lost.
pub async fn complete<C: ConnectionTrait>(conn: &C, lease: &Lease, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let sql = "UPDATE jobs SET state = 'succeeded', lease_owner = NULL, lease_expires_at = NULL, \
               finished_at = $1, updated_at = $1 \
               WHERE id = $2 AND state = 'running' AND lease_owner = $3 AND attempts = $4";
    let values = vec![micros(now).into(), lease.job_id.into(), lease.owner.as_str().into(), lease.attempt.into()];
    Ok(execute(conn, sql, values).await? == 1)
}

/// Records a failed attempt: queued again for later, or dead. The error is
/// kept either way. `false` if the lease was lost.
pub async fn fail<C: ConnectionTrait>(
    conn: &C,
    lease: &Lease,
    error: &str,
    next: AfterFailure,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let now = micros(now);
    let (state, run_at, finished_at) = match next {
        AfterFailure::RetryAt(at) => ("queued", Some(micros(at)), None),
        AfterFailure::Dead => ("dead", None, Some(now)),
    };
    let sql = "UPDATE jobs SET state = $1, run_at = COALESCE($2, run_at), finished_at = $3, last_error = $4, \
               lease_owner = NULL, lease_expires_at = NULL, updated_at = $5 \
               WHERE id = $6 AND state = 'running' AND lease_owner = $7 AND attempts = $8";
    let values = vec![
        state.into(),
        run_at.into(),
        finished_at.into(),
        cut(error).into(),
        now.into(),
        lease.job_id.into(),
        lease.owner.as_str().into(),
        lease.attempt.into(),
    ];
    Ok(execute(conn, sql, values).await? == 1)
}

/// Puts the leased attempt back on the queue, due at `at`, without using up
/// an attempt and keeping the last error: nothing failed, the job was asked to
/// wait (a channel's rate limit). `false` if the lease was lost.
pub async fn postpone<C: ConnectionTrait>(
    conn: &C,
    lease: &Lease,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let sql = "UPDATE jobs SET state = 'queued', run_at = $1, attempts = attempts - 1, \
               lease_owner = NULL, lease_expires_at = NULL, updated_at = $2 \
               WHERE id = $3 AND state = 'running' AND lease_owner = $4 AND attempts = $5";
    let values = vec![
        micros(at).into(),
        micros(now).into(),
        lease.job_id.into(),
        lease.owner.as_str().into(),
        lease.attempt.into(),
    ];
    Ok(execute(conn, sql, values).await? == 1)
}

/// Moves the lease expiry of a running attempt (a heartbeat for long jobs).
/// `false` if the lease was lost.
pub async fn extend_lease<C: ConnectionTrait>(
    conn: &C,
    lease: &Lease,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let sql = "UPDATE jobs SET lease_expires_at = $1, updated_at = $2 \
               WHERE id = $3 AND state = 'running' AND lease_owner = $4 AND attempts = $5";
    let values = vec![
        micros(until).into(),
        micros(now).into(),
        lease.job_id.into(),
        lease.owner.as_str().into(),
        lease.attempt.into(),
    ];
    Ok(execute(conn, sql, values).await? == 1)
}

/// Puts a dead job back on the queue with a fresh set of attempts (an
/// operator's "try again"); its last error stays until the next failure.
/// `false` if the job is not dead.
pub async fn requeue_dead<C: ConnectionTrait>(conn: &C, id: Uuid, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let sql = "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, finished_at = NULL, updated_at = $1 \
               WHERE id = $2 AND state = 'dead'";
    Ok(execute(conn, sql, vec![micros(now).into(), id.into()]).await? == 1)
}

/// Deletes succeeded and dead jobs that finished before `before` (retention:
/// payloads may hold personal data). Their idempotency keys become free again.
pub async fn purge_finished<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let sql = "DELETE FROM jobs WHERE state IN ('succeeded', 'dead') AND finished_at < $1";
    execute(conn, sql, vec![micros(before).into()]).await
}

/// One job by id.
pub async fn get<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Option<Job>, DbErr> {
    job::Entity::find_by_id(id).one(conn).await
}

/// Jobs in one state, most recently changed first (e.g. the dead-letter list).
pub async fn list<C: ConnectionTrait>(conn: &C, state: JobState, limit: u64) -> Result<Vec<Job>, DbErr> {
    job::Entity::find()
        .filter(job::Column::State.eq(state))
        .order_by_desc(job::Column::UpdatedAt)
        .limit(limit)
        .all(conn)
        .await
}

/// Number of jobs in each state; states without jobs are left out.
pub async fn counts<C: ConnectionTrait>(conn: &C) -> Result<Vec<(JobState, u64)>, DbErr> {
    let rows = job::Entity::find()
        .select_only()
        .column(job::Column::State)
        .column_as(job::Column::Id.count(), "n")
        .group_by(job::Column::State)
        .into_tuple::<(JobState, i64)>()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|(state, n)| (state, n.max(0) as u64)).collect())
}

async fn execute<C: ConnectionTrait>(conn: &C, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
    let stmt = Statement::from_sql_and_values(conn.get_database_backend(), sql, values);
    Ok(conn.execute_raw(stmt).await?.rows_affected())
}

async fn query_one<C: ConnectionTrait>(
    conn: &C,
    sql: &str,
    values: Vec<Value>,
) -> Result<Option<sea_orm::QueryResult>, DbErr> {
    let stmt = Statement::from_sql_and_values(conn.get_database_backend(), sql, values);
    conn.query_one_raw(stmt).await
}

fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

fn cut(error: &str) -> String {
    error.chars().take(MAX_ERROR_CHARS).collect()
}
