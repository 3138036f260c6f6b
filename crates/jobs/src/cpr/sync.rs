//! The CPR sync (SPEC §8, issue 4 point 5), replacing OS2valghalla's weekly
//! "load everybody and remove whoever fails":
//!
//! - `cpr.sync` (daily) plans: one `cpr.sync_person` job for each participant
//!   with an invited or accepted seat in an active or upcoming election, with
//!   `run_at` spread evenly over [`SyncSettings::spread`] so CPR sees a steady
//!   trickle instead of a burst, and an idempotency key per person and day so
//!   a re-planned day queues nobody twice;
//! - `cpr.sync_person` asks the registry, updates the participant and the
//!   local copy, and re-evaluates every seat: a failing unanswered invitation
//!   lapses; a failing accepted seat goes to the review list when its task is
//!   within the tenant's review window (`cpr_review::review_window`),
//!   otherwise it is released and `message.removed_by_cpr` is queued; an
//!   open review entry closes itself when the seat passes again. A stale
//!   answer (not `fresh`) changes no seat at all ([`super::recheck`]).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::{MunicipalityCode, Rule};
use futures::StreamExt;
use integrations::cpr::{CprAnswer, CprError, CprRecord, CprRegistry, DigitalPost};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use store::crypto::CprVault;
use store::entity::message_log;
use store::outbox::{self, NewJob};
use store::repo::Actor;
use store::repo::cpr_review;
use store::repo::participants::{self, CprData, ValidationState};
use uuid::Uuid;

use super::recheck::Recheck;
use crate::{Handlers, JobContext, JobError};

/// Plans the day's sync.
pub const SYNC: &str = "cpr.sync";
/// Syncs one participant.
pub const SYNC_PERSON: &str = "cpr.sync_person";
/// Records the "removed because of new CPR data" message (delivery comes later).
pub const REMOVED_BY_CPR: &str = "message.removed_by_cpr";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncSettings {
    /// The person jobs of one plan are spread over this period.
    pub spread: Duration,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings { spread: Duration::from_secs(20 * 3600) }
    }
}

/// What a person sync needs beyond the database.
#[derive(Clone)]
pub struct CprSync {
    pub registry: Arc<dyn CprRegistry>,
    pub vault: CprVault,
    /// The tenant's own municipality (the residence rule).
    pub municipality: MunicipalityCode,
    pub settings: SyncSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonPayload {
    pub participant: Uuid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedPayload {
    pub participant: Uuid,
    pub seat: Uuid,
    pub election: Uuid,
}

/// What one person's sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonOutcome {
    /// The answer was live; the participant's data was updated.
    pub fresh: bool,
    /// CPR says the number does not exist; nothing was changed.
    pub unknown_cpr: bool,
    pub seats_checked: usize,
    pub invitations_retracted: usize,
    pub sent_to_review: usize,
    pub removed: usize,
    /// Seats failing on a stale answer, left as they were.
    pub kept_on_stale_data: usize,
    /// Open review entries closed because the seat passes again.
    pub reviews_closed: usize,
}

/// The "removed because of new CPR data" job, once per seat and person
/// (also queued when staff remove someone from the review list).
pub fn removed_message_job(payload: RemovedPayload) -> NewJob {
    NewJob::new(REMOVED_BY_CPR, serde_json::to_value(payload).expect("json"))
        .idempotency_key(format!("{REMOVED_BY_CPR}:{}:{}", payload.seat, payload.participant))
}

/// Queues one person job per participant to sync, spread over `spread`
/// from `now`. Returns how many participants were planned.
pub async fn plan(db: &DatabaseConnection, now: DateTime<Utc>, spread: Duration) -> store::Result<usize> {
    let day = domain::danish_date(now);
    let people = cpr_review::participants_to_sync(db, day).await?;
    let n = people.len().max(1) as u32;
    let step = spread / n;
    for (i, participant) in people.iter().enumerate() {
        let run_at = now + chrono::Duration::from_std(step * i as u32).unwrap_or_default();
        let job =
            NewJob::new(SYNC_PERSON, serde_json::to_value(PersonPayload { participant: *participant }).expect("json"))
                .idempotency_key(format!("{SYNC_PERSON}:{participant}:{day}"))
                .run_at(run_at)
                .max_attempts(5);
        outbox::enqueue(db, job).await.map_err(store::Error::db("queueing a CPR sync job"))?;
    }
    Ok(people.len())
}

impl CprSync {
    /// With the default settings.
    pub fn new(registry: Arc<dyn CprRegistry>, vault: CprVault, municipality: MunicipalityCode) -> Self {
        CprSync { registry, vault, municipality, settings: SyncSettings::default() }
    }

    /// Syncs one participant. A participant deleted meanwhile is not an error.
    pub async fn sync_person(
        &self,
        db: &DatabaseConnection,
        participant: Uuid,
        now: DateTime<Utc>,
    ) -> Result<PersonOutcome, SyncError> {
        let row = match participants::get(db, participant).await {
            Ok(row) => row,
            Err(e) if e.is_not_found() => return Ok(PersonOutcome::default()),
            Err(e) => return Err(SyncError::Store(e)),
        };
        let cpr = participants::cpr_of(&self.vault, &row)?;
        let answer = match self.registry.lookup(&cpr).await {
            Ok(answer) => answer,
            // A number CPR does not know is for a person to look into, not
            // for a job to act on.
            Err(e) if e.is_unknown_cpr() => {
                tracing::warn!(participant = %participant, "CPR does not know the participant's number");
                return Ok(PersonOutcome { unknown_cpr: true, ..PersonOutcome::default() });
            }
            Err(e) => return Err(SyncError::Cpr(e)),
        };
        let actor = Actor::system();
        store_answer(db, &self.vault, &actor, &row, &answer).await?;
        let mut outcome = PersonOutcome { fresh: answer.fresh, ..PersonOutcome::default() };
        let facts = answer.record.person_facts();
        let recheck =
            Recheck { participant, facts: &facts, fresh: answer.fresh, municipality: &self.municipality, now };
        let failed_rules = recheck.run(db, &actor, &mut outcome).await?;
        if answer.fresh {
            let failed: Vec<Rule> = failed_rules.into_iter().collect();
            let state = if failed.is_empty() { ValidationState::Valid } else { ValidationState::Failing };
            participants::set_validation(db, &actor, participant, state, &failed, now).await?;
        }
        Ok(outcome)
    }

    /// Syncs every participant now, `concurrency` at a time (the admin's
    /// "sync now", and the benchmark). Failures are counted, not fatal.
    pub async fn sync_all(
        &self,
        db: &DatabaseConnection,
        now: DateTime<Utc>,
        concurrency: usize,
    ) -> store::Result<SyncTotals> {
        let people = cpr_review::participants_to_sync(db, domain::danish_date(now)).await?;
        let results: Vec<_> = futures::stream::iter(people)
            .map(|p| async move { self.sync_person(db, p, now).await })
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
        let mut totals = SyncTotals::default();
        for result in results {
            match result {
                Ok(o) => {
                    totals.synced += 1;
                    totals.removed += o.removed + o.invitations_retracted;
                    totals.sent_to_review += o.sent_to_review;
                }
                Err(_) => totals.failed += 1,
            }
        }
        Ok(totals)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncTotals {
    pub synced: usize,
    pub failed: usize,
    pub removed: usize,
    pub sent_to_review: usize,
}

/// Why a person sync failed; never names the CPR number.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(transparent)]
    Crypto(#[from] store::crypto::CryptoError),
    #[error(transparent)]
    Cpr(CprError),
    #[error("seat transition refused: {0}")]
    Seat(String),
}

/// Writes an answer to the participant and, when it is live, to the local
/// copy. A copy only replaces what we hold when it is newer than it. Returns
/// whether the participant's data changed.
pub(crate) async fn store_answer(
    db: &DatabaseConnection,
    vault: &CprVault,
    actor: &Actor,
    row: &store::entity::participants::Model,
    answer: &CprAnswer,
) -> store::Result<bool> {
    let newer = row.cpr_fetched_at.is_none_or(|at| answer.as_of > at);
    let data = cpr_data(answer);
    // Most answers change nothing; skipping the write keeps the audit log to
    // real changes and the sync's database load down.
    let changed = (answer.fresh || newer) && !same_data(row, &data);
    if changed {
        participants::update_cpr_data(db, actor, row.id, data).await?;
    }
    if answer.fresh {
        super::local_copy::remember(db, vault, answer).await?;
    }
    Ok(changed)
}

/// Whether the participant already holds exactly this data (the source and
/// date aside).
fn same_data(row: &store::entity::participants::Model, data: &CprData) -> bool {
    row.first_name == data.first_name
        && row.last_name == data.last_name
        && row.street_address == data.street_address
        && row.co_address == data.co_address
        && row.postal_code == data.postal_code
        && row.city == data.city
        && row.municipality_code.as_deref() == data.municipality_code.as_ref().map(|m| m.as_str())
        && row.citizenship.as_deref() == data.citizenship.as_ref().map(|c| c.as_str())
        && row.birth_date == data.birth_date
        && row.deceased == data.deceased
        && row.disappeared == data.disappeared
        && row.under_guardianship == data.under_guardianship
        && row.exempt_digital_post == data.exempt_digital_post
        && row.protected_address == data.protected_address
}

/// The participant's CPR-derived columns from an answer.
pub fn cpr_data(answer: &CprAnswer) -> CprData {
    let r: &CprRecord = &answer.record;
    let address = r.address.as_ref();
    CprData {
        first_name: r.name.given_names(),
        last_name: r.name.last_name.clone(),
        street_address: address.map(|a| a.street.clone()).unwrap_or_default(),
        co_address: address.and_then(|a| a.co_name.clone()).unwrap_or_default(),
        postal_code: address.and_then(|a| a.postal_code.clone()).unwrap_or_default(),
        city: address.and_then(|a| a.city.clone()).unwrap_or_default(),
        municipality_code: r.municipality().cloned(),
        citizenship: r.citizenship.as_ref().map(|c| c.country),
        birth_date: r.birth_date,
        deceased: r.is_deceased(),
        disappeared: r.is_disappeared(),
        under_guardianship: r.under_guardianship(),
        exempt_digital_post: r.digital_post == DigitalPost::Exempt,
        protected_address: r.protected_address,
        source: answer.source.as_str().to_owned(),
        fetched_at: answer.as_of,
    }
}

/// Registers `cpr.sync`, `cpr.sync_person` and `message.removed_by_cpr`.
/// Without a registry (`sync: None`) person jobs fail as retryable, so they
/// run once CPR is configured instead of dying.
pub fn register(handlers: &mut Handlers, sync: Option<Arc<CprSync>>) {
    let spread = sync.as_ref().map(|s| s.settings.spread).unwrap_or(SyncSettings::default().spread);
    handlers.register(SYNC, move |ctx: JobContext, _| async move {
        let planned = plan(&ctx.db, ctx.now, spread).await.map_err(JobError::retryable)?;
        tracing::info!(planned, "CPR sync planned");
        Ok(())
    });
    handlers.register_typed(REMOVED_BY_CPR, |ctx: JobContext, payload: RemovedPayload| async move {
        record_removed_message(&ctx.db, payload, ctx.now).await.map_err(JobError::retryable)
    });
    handlers.register_typed(SYNC_PERSON, move |ctx: JobContext, payload: PersonPayload| {
        let sync = sync.clone();
        async move {
            let sync = sync.ok_or_else(|| JobError::retryable("CPR is not configured for this tenant"))?;
            match sync.sync_person(&ctx.db, payload.participant, ctx.now).await {
                Ok(outcome) => {
                    tracing::info!(participant = %payload.participant, ?outcome, "CPR sync of a participant done");
                    Ok(())
                }
                Err(SyncError::Crypto(e)) => Err(JobError::permanent(e)),
                Err(e) => Err(JobError::retryable(e)),
            }
        }
    });
}

/// Queues the message (and its delivery), once per seat and person: the job
/// may run twice after a crash.
pub async fn record_removed_message(
    db: &DatabaseConnection,
    payload: RemovedPayload,
    now: DateTime<Utc>,
) -> Result<(), store::Error> {
    let kind = domain::MessageKind::RemovedByNewCprData;
    let existing = message_log::Entity::find()
        .filter(message_log::Column::ParticipantId.eq(payload.participant))
        .filter(message_log::Column::SeatId.eq(payload.seat))
        .filter(message_log::Column::Kind.eq(kind.as_str()))
        .one(db)
        .await
        .map_err(store::Error::db("reading the message log"))?;
    if existing.is_some() {
        return Ok(());
    }
    let order = store::repo::elections::get(db, payload.election)
        .await?
        .map(|e| e.channel_order)
        .unwrap_or_else(|| store::repo::elections::DEFAULT_CHANNEL_ORDER.to_owned());
    let message = store::repo::messages::Queued {
        participant: payload.participant,
        election: Some(payload.election),
        // The seat is free again and may be reused; the log keeps which it was.
        seat: Some(payload.seat),
        kind,
    };
    store::repo::messages::queue(db, message, &order, now).await?;
    Ok(())
}
