//! Participants signed up while CPR could not be asked are "provisional"
//! (SPEC §7). This job asks CPR again; while CPR is still down it fails as
//! retryable, so the queue's backoff keeps trying until CPR answers. The
//! same check runs when an admin presses "Re-validate now".

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::{Eligibility, MunicipalityCode, Rule};
use integrations::cpr::{CprError, CprRegistry};
use serde::{Deserialize, Serialize};
use store::crypto::CprVault;
use store::outbox::NewJob;
use store::repo::audit::Actor;
use store::repo::participant_details::{self as details, CheckBasis};
use store::repo::participants::{self, ValidationState};
use uuid::Uuid;

use crate::cpr::recheck::Recheck;
pub use crate::cpr::sync::cpr_data;
use crate::cpr::sync::{PersonOutcome, SyncError};
use crate::{Handlers, JobError};

/// Validates one provisional participant against CPR.
pub const VALIDATE_PROVISIONAL: &str = "cpr.validate_provisional";

/// What a tenant's CPR jobs need: its provider chain, the key that opens
/// stored CPR numbers, and its own municipality (for the residence rule).
#[derive(Clone)]
pub struct CprServices {
    pub registry: Arc<dyn CprRegistry>,
    pub vault: CprVault,
    pub municipality: MunicipalityCode,
}

/// The outside services a tenant's job handlers use. A tenant without CPR
/// (`cpr: None`) still runs every other job; its CPR jobs fail as retryable
/// so that they run once CPR is configured.
#[derive(Clone, Default)]
pub struct Services {
    pub cpr: Option<CprServices>,
    /// The tenant's message channels. Without them `message.deliver` jobs
    /// wait in the queue for a worker that has them.
    pub messaging: Option<crate::delivery::Messaging>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Payload {
    pub participant_id: Uuid,
}

/// The job for one participant; enqueue it in the transaction that creates
/// them. One job per participant: the key makes a second enqueue a no-op.
pub fn job(participant_id: Uuid) -> NewJob {
    let payload = serde_json::to_value(Payload { participant_id }).expect("payload serialises");
    NewJob::new(VALIDATE_PROVISIONAL, payload).idempotency_key(format!("{VALIDATE_PROVISIONAL}:{participant_id}"))
}

pub(crate) fn register(handlers: &mut Handlers, services: &Services) {
    register_sweep(handlers, services);
    let cpr = services.cpr.clone();
    handlers.register_typed(VALIDATE_PROVISIONAL, move |ctx, payload: Payload| {
        let cpr = cpr.clone();
        async move {
            let cpr = cpr.ok_or_else(|| JobError::retryable("CPR is not configured for this tenant"))?;
            let current = match participants::get(&ctx.db, payload.participant_id).await {
                Ok(p) => p,
                // Deleted meanwhile: nothing left to validate.
                Err(store::Error::NotFound { .. }) => return Ok(()),
                Err(e) => return Err(JobError::retryable(e)),
            };
            if current.validation_state != ValidationState::Provisional.as_str() {
                return Ok(());
            }
            match revalidate(&ctx.db, &cpr, &Actor::system(), payload.participant_id, ctx.now).await {
                Ok(outcome) => {
                    tracing::info!(state = outcome.state.as_str(), "provisional participant validated");
                    Ok(())
                }
                Err(Revalidation::Unavailable(message)) => Err(JobError::Retryable(message)),
                Err(Revalidation::Store(e)) => Err(JobError::retryable(e)),
            }
        }
    });
}

/// Every few minutes: validates the provisional participants still waiting.
/// A long outage outlasts the attempts of each person's own job, and a job
/// that gave up must not leave anybody provisional for ever. Stops at the
/// first lookup CPR does not answer: it is still down, and the next sweep
/// tries again, so validation follows within minutes of CPR coming back.
pub const SWEEP: &str = "cpr.provisional_sweep";

/// Participants one sweep validates at most; the next sweep takes the rest.
const SWEEP_BATCH: u64 = 500;

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub validated: usize,
    /// CPR did not answer, so the sweep stopped early.
    pub cpr_down: bool,
}

pub async fn sweep(db: &sea_orm::DatabaseConnection, cpr: &CprServices, now: DateTime<Utc>) -> store::Result<Swept> {
    let filter = participants::ParticipantFilter {
        validation: Some(ValidationState::Provisional),
        ..participants::ParticipantFilter::default()
    };
    let waiting = participants::list(db, &filter, store::repo::Page { number: 1, size: SWEEP_BATCH }).await?;
    let mut swept = Swept::default();
    for participant in waiting.items {
        match revalidate(db, cpr, &Actor::system(), participant.id, now).await {
            Ok(_) => swept.validated += 1,
            Err(Revalidation::Unavailable(_)) => {
                swept.cpr_down = true;
                break;
            }
            Err(Revalidation::Store(e)) => return Err(e),
        }
    }
    Ok(swept)
}

fn register_sweep(handlers: &mut Handlers, services: &Services) {
    let cpr = services.cpr.clone();
    handlers.register(SWEEP, move |ctx, _| {
        let cpr = cpr.clone();
        async move {
            // Without CPR configured there is nothing to ask; not a failure.
            let Some(cpr) = cpr else { return Ok(()) };
            let swept = sweep(&ctx.db, &cpr, ctx.now).await.map_err(JobError::retryable)?;
            if swept.validated > 0 || swept.cpr_down {
                tracing::info!(validated = swept.validated, cpr_down = swept.cpr_down, "provisional sweep");
            }
            Ok(())
        }
    });
}

/// The result of a successful check.
#[derive(Debug, Clone)]
pub struct Validated {
    pub state: ValidationState,
    pub eligibility: Eligibility,
    pub basis: CheckBasis,
    /// What happened to the participant's seats.
    pub seats: PersonOutcome,
}

#[derive(Debug, thiserror::Error)]
pub enum Revalidation {
    /// CPR could not be asked (or only a stale copy answered); try again later.
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Store(#[from] store::Error),
}

/// Looks the participant up in CPR now, stores the answer, and sets the
/// validation state from every rule for the next date they are needed.
/// The lookup is audited (masked number). A stale answer (local copy) is
/// stored but does not decide the state: only CPR itself may confirm a
/// provisional sign-up or fail a participant.
pub async fn revalidate(
    db: &sea_orm::DatabaseConnection,
    cpr: &CprServices,
    actor: &Actor,
    participant_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Validated, Revalidation> {
    let participant = participants::get(db, participant_id).await?;
    let number = participants::cpr_of(&cpr.vault, &participant)?;
    let masked = number.masked();
    let answer = cpr.registry.lookup(&number).await;
    let outcome = match &answer {
        Ok(a) => format!("svar fra {}", a.source),
        Err(e) if e.is_unknown_cpr() => "CPR-nummeret findes ikke".to_owned(),
        Err(_) => "CPR svarede ikke".to_owned(),
    };
    details::record_lookup(db, actor, Some(participant_id), &masked, &outcome).await?;
    let basis = details::check_basis(db, participant_id, domain::danish_date(now)).await?;
    let answer = match answer {
        Ok(answer) => answer,
        Err(CprError::UnknownCpr { .. }) => {
            // A number CPR does not know cannot be anybody eligible.
            let eligibility =
                domain::evaluate(&dead_facts(&participant), basis.date, &basis.rules, false, &cpr.municipality);
            participants::set_validation(
                db,
                actor,
                participant_id,
                ValidationState::Failing,
                &[domain::Rule::Alive],
                now,
            )
            .await?;
            return Ok(Validated {
                state: ValidationState::Failing,
                eligibility,
                basis,
                seats: PersonOutcome::default(),
            });
        }
        Err(e) => return Err(Revalidation::Unavailable(e.to_string())),
    };
    participants::update_cpr_data(db, actor, participant_id, cpr_data(&answer)).await?;
    if !answer.fresh {
        return Err(Revalidation::Unavailable(format!("kun et ældre svar fra {}", answer.source)));
    }
    crate::cpr::local_copy::remember(db, &cpr.vault, &answer).await?;
    let facts = answer.record.person_facts();
    let eligibility = domain::evaluate(&facts, basis.date, &basis.rules, false, &cpr.municipality);
    // Seats taken while the sign-up was provisional get the sync's rules:
    // a failing one is reviewed or released, never silently kept.
    let recheck =
        Recheck { participant: participant_id, facts: &facts, fresh: true, municipality: &cpr.municipality, now };
    let mut seats = PersonOutcome::default();
    let mut failed: BTreeSet<Rule> = recheck.run(db, actor, &mut seats).await.map_err(|e| match e {
        SyncError::Store(e) => Revalidation::Store(e),
        other => Revalidation::Unavailable(other.to_string()),
    })?;
    failed.extend(eligibility.failed());
    let failed: Vec<Rule> = failed.into_iter().collect();
    let state = if failed.is_empty() { ValidationState::Valid } else { ValidationState::Failing };
    participants::set_validation(db, actor, participant_id, state, &failed, now).await?;
    Ok(Validated { state, eligibility, basis, seats })
}

fn dead_facts(participant: &store::entity::participants::Model) -> domain::PersonFacts {
    domain::PersonFacts {
        birth_date: participant.birth_date,
        municipality_code: None,
        citizenship: None,
        deceased: true,
        disappeared: false,
        under_guardianship: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tenant_has_the_handler_and_one_job_per_participant() {
        assert!(crate::catalog::handlers().contains(VALIDATE_PROVISIONAL));
        let id = Uuid::new_v4();
        let (a, b) = (job(id), job(id));
        assert_eq!(a.idempotency_key, b.idempotency_key);
        assert_ne!(a.idempotency_key, job(Uuid::new_v4()).idempotency_key);
        let payload: Payload = serde_json::from_value(a.payload).unwrap();
        assert_eq!(payload.participant_id, id);
    }
}
