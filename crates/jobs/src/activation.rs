//! `election.queue_messages`: after an election is activated, queues its
//! waiting invitations and confirmations in batches, so the admin page can
//! show progress and no transaction holds thousands of rows. Each batch
//! commits on its own; a crash or a rerun continues where it stopped.

use store::repo::seats::activation::{self, JOB, JobPayload};

use crate::{Handlers, JobContext, JobError};

/// Messages queued per transaction.
const BATCH: u64 = 200;

pub fn register(handlers: &mut Handlers) {
    handlers.register_typed(JOB, |ctx: JobContext, payload: JobPayload| async move {
        let mut total = 0;
        loop {
            let queued = activation::queue_pending(&ctx.db, payload.election, BATCH, ctx.now)
                .await
                .map_err(JobError::retryable)?;
            if queued == 0 {
                break;
            }
            total += queued;
        }
        tracing::info!(election = %payload.election, total, "activation messages queued");
        Ok(())
    });
}
