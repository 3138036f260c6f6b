//! The seat state machine: one seat is one place to fill (election × work
//! location × team × task type × date).
//!
//! Transitions are pure: each returns the new state and the side effects the
//! caller must carry out in the same transaction (history row, message), so
//! that no code path can change a seat and forget the consequences.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::lock::may_cancel;
use crate::message::MessageKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SeatState {
    Available,
    Invited { participant: Uuid, invitation_code: Uuid },
    Accepted { participant: Uuid },
    CheckedIn { participant: Uuid },
    NoShow { participant: Uuid },
}

/// A state without its data, for filters, columns and error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatStatus {
    Available,
    Invited,
    Accepted,
    CheckedIn,
    NoShow,
}

impl SeatStatus {
    pub const ALL: [SeatStatus; 5] =
        [SeatStatus::Available, SeatStatus::Invited, SeatStatus::Accepted, SeatStatus::CheckedIn, SeatStatus::NoShow];

    /// Stable key for storage.
    pub fn as_str(self) -> &'static str {
        match self {
            SeatStatus::Available => "available",
            SeatStatus::Invited => "invited",
            SeatStatus::Accepted => "accepted",
            SeatStatus::CheckedIn => "checked_in",
            SeatStatus::NoShow => "no_show",
        }
    }

    /// Danish status as shown in lists.
    pub fn label(self) -> &'static str {
        match self {
            SeatStatus::Available => "Ledig",
            SeatStatus::Invited => "Ubesvaret",
            SeatStatus::Accepted => "Tilmeldt",
            SeatStatus::CheckedIn => "Mødt",
            SeatStatus::NoShow => "Udeblevet",
        }
    }
}

impl fmt::Display for SeatStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Everything that can be done to a seat; named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatAction {
    Invite,
    Accept,
    Reject,
    CancelByParticipant,
    RemoveByAdmin,
    RemoveByValidation,
    RetractByCountLowering,
    CheckIn,
    MarkNoShow,
}

impl SeatAction {
    pub const ALL: [SeatAction; 9] = [
        SeatAction::Invite,
        SeatAction::Accept,
        SeatAction::Reject,
        SeatAction::CancelByParticipant,
        SeatAction::RemoveByAdmin,
        SeatAction::RemoveByValidation,
        SeatAction::RetractByCountLowering,
        SeatAction::CheckIn,
        SeatAction::MarkNoShow,
    ];

    /// Danish verb phrase, completing "Kan ikke …".
    pub fn label(self) -> &'static str {
        match self {
            SeatAction::Invite => "invitere til pladsen",
            SeatAction::Accept => "tilmelde til pladsen",
            SeatAction::Reject => "afvise invitationen",
            SeatAction::CancelByParticipant => "afmelde pladsen",
            SeatAction::RemoveByAdmin => "fjerne deltageren fra pladsen",
            SeatAction::RemoveByValidation => "fjerne deltageren ved validering",
            SeatAction::RetractByCountLowering => "nedlægge pladsen",
            SeatAction::CheckIn => "registrere fremmøde",
            SeatAction::MarkNoShow => "registrere udeblivelse",
        }
    }
}

impl fmt::Display for SeatAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SeatError {
    #[error("Kan ikke {action}, når pladsen har status »{from}«")]
    NotAllowed { from: SeatStatus, action: SeatAction },
    #[error("Invitationen gælder ikke længere")]
    InvitationMismatch,
    #[error("Pladsen tilhører en anden deltager")]
    WrongParticipant,
    #[error("Fristen for at afmelde sig opgaven er overskredet")]
    LockPeriod,
    #[error("Fremmøde kan kun registreres på opgavedagen")]
    NotTaskDate,
}

/// A new state plus the side effects the caller must perform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub state: SeatState,
    /// Whom the side effects concern: after a removal the seat no longer
    /// names its former holder, but the history row and message need them.
    pub participant: Option<Uuid>,
    /// Write a rejected-task row (feeds the "rejected" overview and group
    /// messages to people who said no).
    pub write_rejection_history: bool,
    pub message: Option<MessageKind>,
}

impl Transition {
    fn to(state: SeatState) -> Transition {
        Transition { state, participant: state.participant(), write_rejection_history: false, message: None }
    }

    fn freed(former: Uuid) -> Transition {
        Transition { participant: Some(former), ..Transition::to(SeatState::Available) }
    }

    fn with_message(self, message: MessageKind) -> Transition {
        Transition { message: Some(message), ..self }
    }

    fn with_history(self) -> Transition {
        Transition { write_rejection_history: true, ..self }
    }
}

impl SeatState {
    pub fn status(&self) -> SeatStatus {
        match self {
            SeatState::Available => SeatStatus::Available,
            SeatState::Invited { .. } => SeatStatus::Invited,
            SeatState::Accepted { .. } => SeatStatus::Accepted,
            SeatState::CheckedIn { .. } => SeatStatus::CheckedIn,
            SeatState::NoShow { .. } => SeatStatus::NoShow,
        }
    }

    pub fn participant(&self) -> Option<Uuid> {
        match *self {
            SeatState::Available => None,
            SeatState::Invited { participant, .. }
            | SeatState::Accepted { participant }
            | SeatState::CheckedIn { participant }
            | SeatState::NoShow { participant } => Some(participant),
        }
    }

    pub fn invitation_code(&self) -> Option<Uuid> {
        match *self {
            SeatState::Invited { invitation_code, .. } => Some(invitation_code),
            _ => None,
        }
    }

    fn not_allowed(&self, action: SeatAction) -> SeatError {
        SeatError::NotAllowed { from: self.status(), action }
    }

    /// Available → Invited. The caller supplies a fresh code for every
    /// invitation so that an old link never opens a new invitation. The
    /// Invitation message is due now if the election is active, otherwise
    /// at activation; that timing is the caller's.
    pub fn invite(&self, participant: Uuid, invitation_code: Uuid) -> Result<Transition, SeatError> {
        match self {
            SeatState::Available => {
                let state = SeatState::Invited { participant, invitation_code };
                Ok(Transition::to(state).with_message(MessageKind::Invitation))
            }
            _ => Err(self.not_allowed(SeatAction::Invite)),
        }
    }

    /// Invited → Accepted when `participant` is the invitee or the code of
    /// the link matches; Available → Accepted is self sign-up (no code).
    /// A code presented for an Available seat means the invitation was
    /// withdrawn, so it is refused rather than turned into a sign-up.
    pub fn accept(&self, participant: Uuid, invitation_code: Option<Uuid>) -> Result<Transition, SeatError> {
        let accepted = |participant| {
            Transition::to(SeatState::Accepted { participant }).with_message(MessageKind::RegistrationConfirmation)
        };
        match *self {
            SeatState::Available if invitation_code.is_some() => Err(SeatError::InvitationMismatch),
            SeatState::Available => Ok(accepted(participant)),
            SeatState::Invited { .. } => {
                let invitee = self.answering_invitee(participant, invitation_code)?;
                Ok(accepted(invitee))
            }
            _ => Err(self.not_allowed(SeatAction::Accept)),
        }
    }

    /// Invited → Available; the invitee said no.
    pub fn reject(&self, participant: Uuid, invitation_code: Option<Uuid>) -> Result<Transition, SeatError> {
        match self {
            SeatState::Invited { .. } => {
                let invitee = self.answering_invitee(participant, invitation_code)?;
                Ok(Transition::freed(invitee).with_history().with_message(MessageKind::CancellationConfirmation))
            }
            _ => Err(self.not_allowed(SeatAction::Reject)),
        }
    }

    /// The invitee, if whoever answers may answer for them.
    fn answering_invitee(&self, participant: Uuid, code: Option<Uuid>) -> Result<Uuid, SeatError> {
        match *self {
            SeatState::Invited { participant: invitee, invitation_code }
                if participant == invitee || code == Some(invitation_code) =>
            {
                Ok(invitee)
            }
            _ => Err(SeatError::InvitationMismatch),
        }
    }

    /// Accepted → Available, by the participant, before the lock period.
    /// Enforced here, not only in the UI, so no client can get around it.
    pub fn cancel_by_participant(
        &self,
        participant: Uuid,
        task_date: NaiveDate,
        lock_days: u32,
        today: NaiveDate,
    ) -> Result<Transition, SeatError> {
        let SeatState::Accepted { participant: holder } = *self else {
            return Err(self.not_allowed(SeatAction::CancelByParticipant));
        };
        if holder != participant {
            return Err(SeatError::WrongParticipant);
        }
        if !may_cancel(task_date, lock_days, today) {
            return Err(SeatError::LockPeriod);
        }
        Ok(Transition::freed(holder).with_history().with_message(MessageKind::CancellationConfirmation))
    }

    /// An administrator takes the person off the seat.
    pub fn remove_by_admin(&self) -> Result<Transition, SeatError> {
        match *self {
            SeatState::Invited { participant, .. } => {
                Ok(Transition::freed(participant).with_message(MessageKind::RetractedInvitation))
            }
            SeatState::Accepted { participant } => {
                Ok(Transition::freed(participant).with_message(MessageKind::RemovedFromTask))
            }
            _ => Err(self.not_allowed(SeatAction::RemoveByAdmin)),
        }
    }

    /// New CPR data made the person ineligible. Only someone who had said
    /// yes is told; an unanswered invitation lapses quietly.
    pub fn remove_by_validation(&self) -> Result<Transition, SeatError> {
        match *self {
            SeatState::Invited { participant, .. } => Ok(Transition::freed(participant)),
            SeatState::Accepted { participant } => {
                Ok(Transition::freed(participant).with_message(MessageKind::RemovedByNewCprData))
            }
            _ => Err(self.not_allowed(SeatAction::RemoveByValidation)),
        }
    }

    /// The seat count of a kind was lowered and this seat is to go. A free
    /// seat goes without consequence; an invitee is told (the reference
    /// system deleted such seats silently, leaving dead links); a seat
    /// someone has accepted is never taken this way.
    ///
    /// On `Ok` the caller deletes the seat; the returned state is Available.
    pub fn retract_by_count_lowering(&self) -> Result<Transition, SeatError> {
        match *self {
            SeatState::Available => Ok(Transition::to(SeatState::Available)),
            SeatState::Invited { participant, .. } => {
                Ok(Transition::freed(participant).with_message(MessageKind::RetractedInvitation))
            }
            _ => Err(self.not_allowed(SeatAction::RetractByCountLowering)),
        }
    }

    /// Accepted → CheckedIn on the task date. Also NoShow → CheckedIn, for
    /// someone marked absent who turns up late.
    pub fn check_in(&self, task_date: NaiveDate, today: NaiveDate) -> Result<Transition, SeatError> {
        match *self {
            SeatState::Accepted { participant } | SeatState::NoShow { participant } => {
                on_task_date(task_date, today)?;
                Ok(Transition::to(SeatState::CheckedIn { participant }))
            }
            _ => Err(self.not_allowed(SeatAction::CheckIn)),
        }
    }

    /// Accepted → NoShow on the task date.
    pub fn mark_no_show(&self, task_date: NaiveDate, today: NaiveDate) -> Result<Transition, SeatError> {
        match *self {
            SeatState::Accepted { participant } => {
                on_task_date(task_date, today)?;
                Ok(Transition::to(SeatState::NoShow { participant }))
            }
            _ => Err(self.not_allowed(SeatAction::MarkNoShow)),
        }
    }
}

fn on_task_date(task_date: NaiveDate, today: NaiveDate) -> Result<(), SeatError> {
    if task_date == today { Ok(()) } else { Err(SeatError::NotTaskDate) }
}

#[cfg(test)]
mod tests;
