//! Re-checks a participant's held seats against new CPR data, the same way
//! for the daily sync and for a provisional sign-up that CPR has now answered
//! for: a failing seat is kept, sent to review or released as
//! `domain::revalidation` decides (with the tenant's review window), and an
//! open review entry closes itself once fresh data passes its rules again.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use domain::revalidation::{FailingSeat, failing_seat};
use domain::{MunicipalityCode, PersonFacts, Rule, SeatState, SeatStatus, evaluate};
use sea_orm::DatabaseConnection;
use store::repo::Actor;
use store::repo::cpr_review::{self, SeatToCheck};
use uuid::Uuid;

use super::sync::{PersonOutcome, RemovedPayload, SyncError, removed_message_job};

/// The person and the data their seats are checked against.
pub struct Recheck<'a> {
    pub participant: Uuid,
    pub facts: &'a PersonFacts,
    /// Only a fresh (live) answer may take a seat or close a review.
    pub fresh: bool,
    pub municipality: &'a MunicipalityCode,
    pub now: DateTime<Utc>,
}

impl Recheck<'_> {
    /// Acts on every held seat from today on, counting into `outcome`.
    /// Returns every rule some seat failed.
    pub async fn run(
        &self,
        db: &DatabaseConnection,
        actor: &Actor,
        outcome: &mut PersonOutcome,
    ) -> Result<BTreeSet<Rule>, SyncError> {
        let day = domain::danish_date(self.now);
        let window = cpr_review::review_window(db).await?;
        let mut failed_rules = BTreeSet::new();
        for seat in cpr_review::seats_to_check(db, self.participant, day).await? {
            outcome.seats_checked += 1;
            let eligibility =
                evaluate(self.facts, seat.seat.task_date, &seat.rules, seat.validation_off, self.municipality);
            let failed = eligibility.failed();
            if failed.is_empty() {
                if self.fresh && cpr_review::close_as_eligible(db, seat.seat.id, self.participant, self.now).await? {
                    outcome.reviews_closed += 1;
                }
                continue;
            }
            failed_rules.extend(failed.iter().copied());
            let Some(status) = seat.status() else { continue };
            match failing_seat(status, seat.seat.task_date, day, window, self.fresh) {
                FailingSeat::Keep => outcome.kept_on_stale_data += 1,
                decision => act_on_failing_seat(db, actor, &seat, &failed, decision, self.now, outcome).await?,
            }
        }
        Ok(failed_rules)
    }
}

async fn act_on_failing_seat(
    db: &DatabaseConnection,
    actor: &Actor,
    seat: &SeatToCheck,
    failed: &[Rule],
    decision: FailingSeat,
    now: DateTime<Utc>,
    outcome: &mut PersonOutcome,
) -> Result<(), SyncError> {
    let Some(state) = seat_state(seat) else { return Ok(()) };
    let participant = state.participant().expect("a held seat names its participant");
    if decision == FailingSeat::Review {
        if cpr_review::open(db, seat.seat.id, participant, failed, now).await? {
            outcome.sent_to_review += 1;
        }
        return Ok(());
    }
    // The domain decides who is told: only someone who had said yes.
    let transition = state.remove_by_validation().map_err(|e| SyncError::Seat(e.to_string()))?;
    let message = transition.message.map(|_| {
        removed_message_job(RemovedPayload { participant, seat: seat.seat.id, election: seat.seat.election_id })
    });
    let description = "Fjernet fra opgaven: opfylder ikke kravene efter nye CPR-oplysninger";
    if cpr_review::release_seat(db, actor, seat.seat.id, participant, message, description).await? {
        match state.status() {
            SeatStatus::Invited => outcome.invitations_retracted += 1,
            _ => outcome.removed += 1,
        }
    }
    Ok(())
}

fn seat_state(seat: &SeatToCheck) -> Option<SeatState> {
    let participant = seat.seat.participant_id?;
    match seat.status()? {
        SeatStatus::Invited => {
            Some(SeatState::Invited { participant, invitation_code: seat.seat.invitation_code.unwrap_or_default() })
        }
        SeatStatus::Accepted => Some(SeatState::Accepted { participant }),
        _ => None,
    }
}
