//! The handler registry: which async function runs which kind of job.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::FutureExt;
use futures::future::BoxFuture;
use sea_orm::DatabaseConnection;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// Why a handler failed, which decides what happens next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// Worth trying again later (a remote service is down, a timeout).
    #[error("{0}")]
    Retryable(String),
    /// Worth trying again, but no later than `by`: the backoff may not carry
    /// the next attempt past a deadline that changes what it does (a
    /// message's channel share, after which the next channel is tried).
    #[error("{error}")]
    RetryBy { error: String, by: DateTime<Utc> },
    /// Trying again cannot help (bad payload, the data it refers to is gone);
    /// the job goes straight to the dead-letter state.
    #[error("{0}")]
    Permanent(String),
    /// Nothing failed, but the job must wait this long (a channel's rate
    /// limit): it runs again after the wait without using up an attempt.
    #[error("postponed for {} ms", .0.as_millis())]
    Postponed(std::time::Duration),
}

impl JobError {
    /// The text is stored in `last_error` and logged: keep personal data out of it.
    pub fn retryable(error: impl fmt::Display) -> Self {
        JobError::Retryable(error.to_string())
    }

    /// The text is stored in `last_error` and logged: keep personal data out of it.
    pub fn permanent(error: impl fmt::Display) -> Self {
        JobError::Permanent(error.to_string())
    }
}

/// Lets handlers use `?` on `anyhow` results; an unclassified error is
/// assumed to be passing, so it is retried.
impl From<anyhow::Error> for JobError {
    fn from(error: anyhow::Error) -> Self {
        JobError::Retryable(format!("{error:#}"))
    }
}

/// What a handler knows about the attempt it runs.
#[derive(Debug, Clone)]
pub struct JobContext {
    pub id: Uuid,
    pub kind: String,
    /// 1 on the first attempt.
    pub attempt: i32,
    pub max_attempts: i32,
    /// The tenant database the job came from.
    pub db: DatabaseConnection,
    /// The worker's clock when the attempt started.
    pub now: DateTime<Utc>,
}

impl JobContext {
    /// True if a retryable failure now would make the job dead.
    pub fn is_last_attempt(&self) -> bool {
        self.attempt >= self.max_attempts
    }
}

type HandlerFn = dyn Fn(JobContext, serde_json::Value) -> BoxFuture<'static, Result<(), JobError>> + Send + Sync;

/// Maps job kinds to handlers. Build it once at startup and share it.
#[derive(Clone, Default)]
pub struct Handlers {
    by_kind: HashMap<String, Arc<HandlerFn>>,
}

impl fmt::Debug for Handlers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handlers").field("kinds", &self.kinds()).finish()
    }
}

impl Handlers {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers the handler for `kind`; it gets the raw JSON payload.
    ///
    /// # Panics
    /// If `kind` already has a handler: that is a wiring mistake.
    pub fn register<F, Fut>(&mut self, kind: &str, handler: F) -> &mut Self
    where
        F: Fn(JobContext, serde_json::Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        // The call happens inside the future, so a panic in the handler's
        // synchronous part is caught with the rest (see `worker`).
        let boxed: Arc<HandlerFn> = Arc::new(move |ctx, payload| {
            let handler = handler.clone();
            async move { handler(ctx, payload).await }.boxed()
        });
        let previous = self.by_kind.insert(kind.to_owned(), boxed);
        assert!(previous.is_none(), "two handlers registered for job kind {kind:?}");
        self
    }

    /// Registers a handler that gets the payload decoded as `T`. A payload
    /// that does not decode is a permanent failure.
    pub fn register_typed<T, F, Fut>(&mut self, kind: &str, handler: F) -> &mut Self
    where
        T: DeserializeOwned + Send + 'static,
        F: Fn(JobContext, T) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        self.register(kind, move |ctx, payload| {
            let handler = handler.clone();
            async move {
                // serde's message can quote the offending value, which may be
                // personal data, so only the expected type is reported.
                let payload = serde_json::from_value::<T>(payload).map_err(|_| {
                    JobError::permanent(format!("payload does not decode as {}", std::any::type_name::<T>()))
                })?;
                handler(ctx, payload).await
            }
        })
    }

    /// The registered kinds, sorted.
    pub fn kinds(&self) -> Vec<&str> {
        let mut kinds: Vec<&str> = self.by_kind.keys().map(String::as_str).collect();
        kinds.sort_unstable();
        kinds
    }

    pub fn contains(&self, kind: &str) -> bool {
        self.by_kind.contains_key(kind)
    }

    pub(crate) fn call(
        &self,
        ctx: JobContext,
        payload: serde_json::Value,
    ) -> Option<BoxFuture<'static, Result<(), JobError>>> {
        let handler = self.by_kind.get(&ctx.kind)?;
        Some(handler(ctx, payload))
    }
}
