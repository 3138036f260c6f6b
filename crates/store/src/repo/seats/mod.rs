//! Seats: distributing them, filling them and answering them (SPEC §3).
//!
//! The domain decides every transition (`domain::SeatState`); this module
//! carries one out: the seat row changes only if nobody changed it meanwhile,
//! and its history row, message and audit row are written in the same
//! transaction.

pub mod activation;
mod answer;
pub mod changed;
mod checks;
mod distribute;
mod overview;
pub mod reminders;

use chrono::{DateTime, SubsecRound, Utc};
use domain::{MessageKind, SeatState, SeatStatus, Transition};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

pub use answer::{Answer, accept, assign, cancel, reject, release_team_seats, remove, reply_on_behalf};
pub use checks::{Checks, ConflictLine, checks, person_facts};
pub use distribute::{Distributed, KindCount, distribute, move_free_seats};
pub use overview::{
    Counts, OverviewFilter, OverviewRow, RejectedLine, SeatLine, overview, rejected_history, seat_lines,
};

use super::audit::{self, Actor, AuditAction, AuditEntry};
use super::messages::{self, Queued};
use crate::entity::{elections, rejected_seats, seats};
use crate::error::{Error, Result};

/// Reads a seat; `NotFound` when it is gone.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<seats::Model> {
    seats::Entity::find_by_id(id).one(db).await.map_err(Error::db("reading a seat"))?.ok_or(Error::not_found("Pladsen"))
}

/// The domain state of a stored seat.
pub fn state_of(seat: &seats::Model) -> Result<SeatState> {
    let status = SeatStatus::ALL.into_iter().find(|s| s.as_str() == seat.state);
    let state = match (status, seat.participant_id) {
        (Some(SeatStatus::Available), None) => SeatState::Available,
        (Some(SeatStatus::Invited), Some(participant)) => {
            SeatState::Invited { participant, invitation_code: seat.invitation_code.unwrap_or_default() }
        }
        (Some(SeatStatus::Accepted), Some(participant)) => SeatState::Accepted { participant },
        (Some(SeatStatus::CheckedIn), Some(participant)) => SeatState::CheckedIn { participant },
        (Some(SeatStatus::NoShow), Some(participant)) => SeatState::NoShow { participant },
        _ => return Err(Error::conflict("seat", "Pladsen har en ugyldig tilstand")),
    };
    Ok(state)
}

/// Why a seat changed, for the history row and the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cause {
    Assigned,
    Accepted,
    Rejected,
    Cancelled,
    RemovedByAdmin,
    RemovedFromTeam,
    AnsweredOnBehalf,
}

impl Cause {
    fn describe(self) -> &'static str {
        match self {
            Cause::Assigned => "Deltager inviteret til opgave",
            Cause::Accepted => "Opgave accepteret",
            Cause::Rejected => "Invitation afvist",
            Cause::Cancelled => "Opgave afmeldt af deltageren",
            Cause::RemovedByAdmin => "Deltager fjernet fra opgave",
            Cause::RemovedFromTeam => "Deltager fjernet fra holdet og dermed fra opgaven",
            Cause::AnsweredOnBehalf => "Svar afgivet på deltagerens vegne",
        }
    }

    /// The reason kept in `rejected_seats`.
    fn history_reason(self) -> &'static str {
        match self {
            Cause::Cancelled => "afmeldt",
            Cause::RemovedFromTeam => "fjernet fra hold",
            _ => "afvist",
        }
    }
}

/// Carries out `transition` on `seat` inside `txn`. Refused with a conflict
/// when the seat changed since it was read (someone else answered first).
pub(crate) async fn apply(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    seat: &seats::Model,
    transition: Transition,
    cause: Cause,
    now: DateTime<Utc>,
) -> Result<()> {
    let now = now.trunc_subsecs(6);
    let election = elections::Entity::find_by_id(seat.election_id)
        .one(txn)
        .await
        .map_err(Error::db("reading a seat's election"))?
        .ok_or(Error::not_found("Valget"))?;
    let sent = message_due(&election, seat, transition.message);
    write_state(txn, seat, transition.state, sent, now).await?;
    let participant = transition.participant.ok_or_else(|| Error::conflict("seat", "Pladsen har ingen deltager"))?;
    if transition.write_rejection_history {
        write_history(txn, seat, participant, cause.history_reason(), now).await?;
    }
    if let (Some(kind), true) = (transition.message, sent) {
        let message = Queued { participant, election: Some(seat.election_id), seat: Some(seat.id), kind };
        messages::queue(txn, message, &election.channel_order, now).await?;
    }
    let entry = AuditEntry::new(AuditAction::Update, "seats").entity(seat.id).participant(participant).description(
        format!("{} ({}, {})", cause.describe(), transition.state.status().label(), seat.task_date.format("%d-%m-%Y")),
    );
    audit::record(txn, actor, entry).await?;
    Ok(())
}

/// Whether the transition's message goes out now. Nothing is sent for an
/// inactive election: its invitations and confirmations go out at activation
/// (the seat's `invitation_sent`/`registration_sent` stay false until then),
/// and a retraction of an invitation never sent would puzzle its reader.
fn message_due(election: &elections::Model, seat: &seats::Model, kind: Option<MessageKind>) -> bool {
    match kind {
        None => false,
        Some(_) if !election.active => false,
        Some(MessageKind::RetractedInvitation) => seat.invitation_sent,
        Some(_) => true,
    }
}

/// Writes the new state, guarded by the old one.
async fn write_state(
    txn: &impl ConnectionTrait,
    seat: &seats::Model,
    state: SeatState,
    sent: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    use seats::Column as C;
    let never = || Expr::value(Option::<DateTime<Utc>>::None);
    let mut update = seats::Entity::update_many()
        .col_expr(C::State, Expr::value(state.status().as_str()))
        .col_expr(C::ParticipantId, Expr::value(state.participant()))
        .col_expr(C::InvitationCode, Expr::value(state.invitation_code()))
        .col_expr(C::UpdatedAt, Expr::value(now));
    update = match state {
        SeatState::Available => update
            .col_expr(C::InvitedAt, never())
            .col_expr(C::AcceptedAt, never())
            .col_expr(C::InvitationReminderAt, never())
            .col_expr(C::TaskReminderAt, never())
            .col_expr(C::CheckedInAt, never())
            .col_expr(C::InvitationSent, Expr::value(false))
            .col_expr(C::RegistrationSent, Expr::value(false)),
        SeatState::Invited { .. } => update
            .col_expr(C::InvitedAt, Expr::value(now))
            .col_expr(C::AcceptedAt, never())
            .col_expr(C::InvitationReminderAt, never())
            .col_expr(C::TaskReminderAt, never())
            .col_expr(C::InvitationSent, Expr::value(sent))
            .col_expr(C::RegistrationSent, Expr::value(false)),
        SeatState::Accepted { .. } => {
            update.col_expr(C::AcceptedAt, Expr::value(now)).col_expr(C::RegistrationSent, Expr::value(sent))
        }
        SeatState::CheckedIn { .. } => update.col_expr(C::CheckedInAt, Expr::value(now)),
        SeatState::NoShow { .. } => update,
    };
    let guard = match seat.participant_id {
        Some(p) => C::ParticipantId.eq(p),
        None => C::ParticipantId.is_null(),
    };
    let result = update
        .filter(C::Id.eq(seat.id))
        .filter(C::State.eq(seat.state.as_str()))
        .filter(guard)
        .exec(txn)
        .await
        .map_err(Error::db("changing a seat"))?;
    if result.rows_affected == 1 { Ok(()) } else { Err(changed_meanwhile()) }
}

pub(crate) fn changed_meanwhile() -> Error {
    Error::conflict("seat", "Pladsen er blevet ændret imens. Indlæs siden igen, og prøv på ny.")
}

async fn write_history(
    txn: &impl ConnectionTrait,
    seat: &seats::Model,
    participant: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    rejected_seats::ActiveModel {
        id: Set(Uuid::new_v4()),
        seat_id: Set(Some(seat.id)),
        election_id: Set(seat.election_id),
        work_location_id: Set(seat.work_location_id),
        team_id: Set(seat.team_id),
        task_type_id: Set(seat.task_type_id),
        participant_id: Set(participant),
        task_date: Set(seat.task_date),
        reason: Set(reason.to_owned()),
        rejected_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(Error::db("writing the rejection history"))?;
    Ok(())
}
