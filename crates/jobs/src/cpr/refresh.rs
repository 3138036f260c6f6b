//! `cpr.refresh_local_copy` (daily): keeps the local copy, the fallback when
//! every live provider is down, close to current for every participant and
//! not only for those the sync checks. Each run asks the live chain about the
//! 1/30 of participants whose data is oldest, one at a time, so a month of
//! runs covers everybody while CPR sees a trickle within the chain's own
//! concurrency limit. A stale answer (the chain fell back to the copy itself)
//! writes nothing, and that person stays first in line for the next run.

use integrations::cpr::CprRegistry;
use sea_orm::DatabaseConnection;
use store::crypto::CprVault;
use store::repo::Actor;
use store::repo::participants;

use super::sync::store_answer;
use crate::provisional::CprServices;
use crate::{Handlers, JobContext, JobError};

pub const REFRESH_LOCAL_COPY: &str = "cpr.refresh_local_copy";
/// One run a day: everybody is refreshed about once a month.
const RUNS_PER_MONTH: u64 = 30;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RefreshOutcome {
    pub asked: usize,
    pub refreshed: usize,
    /// Only the local copy answered; nothing was written.
    pub stale: usize,
    /// No answer (CPR down, or a number CPR does not know).
    pub failed: usize,
}

/// Refreshes today's share of participants from `registry`.
pub async fn refresh_share(
    db: &DatabaseConnection,
    registry: &dyn CprRegistry,
    vault: &CprVault,
) -> store::Result<RefreshOutcome> {
    let actor = Actor::system();
    let mut outcome = RefreshOutcome::default();
    for id in participants::oldest_cpr_data(db, RUNS_PER_MONTH).await? {
        let row = match participants::get(db, id).await {
            Ok(row) => row,
            // Deleted since the list was read.
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e),
        };
        let cpr = participants::cpr_of(vault, &row)?;
        outcome.asked += 1;
        match registry.lookup(&cpr).await {
            Ok(answer) if answer.fresh => {
                // Unchanged data still moves its date, or this person would
                // stay "oldest" and be asked again tomorrow. (The sync does
                // not do this: measured, the extra write per person made it
                // 40 % slower on SQLite.)
                if !store_answer(db, vault, &actor, &row, &answer).await? {
                    participants::confirm_cpr_data(db, row.id, answer.source.as_str(), answer.as_of).await?;
                }
                outcome.refreshed += 1;
            }
            Ok(_) => outcome.stale += 1,
            Err(_) => outcome.failed += 1,
        }
    }
    Ok(outcome)
}

/// Registers the refresh. Without CPR a run does nothing: there is nothing
/// newer to fetch, and tomorrow's run comes anyway.
pub fn register(handlers: &mut Handlers, cpr: Option<CprServices>) {
    handlers.register(REFRESH_LOCAL_COPY, move |ctx: JobContext, _| {
        let cpr = cpr.clone();
        async move {
            let Some(cpr) = cpr else {
                tracing::info!("no CPR configured; local copy not refreshed");
                return Ok(());
            };
            let outcome =
                refresh_share(&ctx.db, cpr.registry.as_ref(), &cpr.vault).await.map_err(JobError::retryable)?;
            tracing::info!(?outcome, "local CPR copy refreshed");
            Ok(())
        }
    });
}
