//! Filling and answering seats: an admin assigns, removes or answers for a
//! person; the person accepts, rejects or cancels in the portal. Accepting
//! runs the same checks whoever does it.

use chrono::{DateTime, NaiveDate, Utc};
use domain::{MunicipalityCode, SeatError, SeatStatus};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionSession};
use uuid::Uuid;

use super::checks::{Checks, checks};
use super::{Cause, apply, get, state_of};
use crate::entity::{elections, seats, team_members};
use crate::error::{Error, Result};
use crate::repo::audit::Actor;
use crate::repo::participants;
use crate::repo::{Conn, begin_write};

/// What became of an assignment or acceptance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Done,
    /// Nothing was changed: the checks failed.
    Refused(Checks),
}

fn seat_error(e: SeatError) -> Error {
    match e {
        SeatError::InvitationMismatch | SeatError::WrongParticipant => Error::conflict("invitation", e.to_string()),
        _ => Error::conflict("seat", e.to_string()),
    }
}

/// Invites `participant` to a free seat after the checks; the person joins
/// the seat's team if not already in it.
pub async fn assign(
    db: &impl Conn,
    actor: &Actor,
    seat_id: Uuid,
    participant_id: Uuid,
    own: &MunicipalityCode,
    now: DateTime<Utc>,
) -> Result<Answer> {
    let txn = begin_write(db).await?;
    let seat = get(&txn, seat_id).await?;
    let participant = participants::get(&txn, participant_id).await?;
    let checks = checks(&txn, &seat, &participant, own).await?;
    if !checks.passed() {
        return Ok(Answer::Refused(checks));
    }
    let transition = state_of(&seat)?.invite(participant_id, Uuid::new_v4()).map_err(seat_error)?;
    apply(&txn, actor, &seat, transition, Cause::Assigned, now).await?;
    join_team(&txn, seat.team_id, participant_id).await?;
    commit(txn).await?;
    Ok(Answer::Done)
}

/// The person (or an admin for them) says yes: to their invitation, or
/// (without a code, on a free seat) as a self sign-up.
pub async fn accept(
    db: &impl Conn,
    actor: &Actor,
    seat_id: Uuid,
    participant_id: Uuid,
    code: Option<Uuid>,
    own: &MunicipalityCode,
    now: DateTime<Utc>,
) -> Result<Answer> {
    let txn = begin_write(db).await?;
    let answer = accept_in(&txn, actor, seat_id, participant_id, code, own, now, Cause::Accepted).await?;
    commit(txn).await?;
    Ok(answer)
}

#[allow(clippy::too_many_arguments)]
async fn accept_in(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    seat_id: Uuid,
    participant_id: Uuid,
    code: Option<Uuid>,
    own: &MunicipalityCode,
    now: DateTime<Utc>,
    cause: Cause,
) -> Result<Answer> {
    let seat = get(txn, seat_id).await?;
    // Who answers must be the invitee, or hold the invitation's code.
    let transition = state_of(&seat)?.accept(participant_id, code).map_err(seat_error)?;
    let holder = transition.participant.unwrap_or(participant_id);
    let participant = participants::get(txn, holder).await?;
    let checks = checks(txn, &seat, &participant, own).await?;
    if !checks.passed() {
        return Ok(Answer::Refused(checks));
    }
    apply(txn, actor, &seat, transition, cause, now).await?;
    join_team(txn, seat.team_id, holder).await?;
    Ok(Answer::Done)
}

/// The invitee says no: the seat is free again, a history row is written and
/// a confirmation queued.
pub async fn reject(
    db: &impl Conn,
    actor: &Actor,
    seat_id: Uuid,
    participant_id: Uuid,
    code: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = begin_write(db).await?;
    let seat = get(&txn, seat_id).await?;
    let transition = state_of(&seat)?.reject(participant_id, code).map_err(seat_error)?;
    apply(&txn, actor, &seat, transition, Cause::Rejected, now).await?;
    commit(txn).await
}

/// The holder cancels an accepted seat; refused inside the election's lock
/// period, whatever the client shows.
pub async fn cancel(
    db: &impl Conn,
    actor: &Actor,
    seat_id: Uuid,
    participant_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = begin_write(db).await?;
    let seat = get(&txn, seat_id).await?;
    let lock_days = lock_days(&txn, seat.election_id).await?;
    let today = domain::danish_date(now);
    let transition =
        state_of(&seat)?.cancel_by_participant(participant_id, seat.task_date, lock_days, today).map_err(seat_error)?;
    apply(&txn, actor, &seat, transition, Cause::Cancelled, now).await?;
    commit(txn).await
}

/// An admin takes the person off: "retracted invitation" if invited,
/// "removed from task" if accepted.
pub async fn remove(db: &impl Conn, actor: &Actor, seat_id: Uuid, now: DateTime<Utc>) -> Result<()> {
    let txn = begin_write(db).await?;
    let seat = get(&txn, seat_id).await?;
    let transition = state_of(&seat)?.remove_by_admin().map_err(seat_error)?;
    apply(&txn, actor, &seat, transition, Cause::RemovedByAdmin, now).await?;
    commit(txn).await
}

/// An admin answers an invitation for the invitee (by phone, say). Yes runs
/// the same checks as the person's own yes; no writes the history row.
pub async fn reply_on_behalf(
    db: &impl Conn,
    actor: &Actor,
    seat_id: Uuid,
    yes: bool,
    own: &MunicipalityCode,
    now: DateTime<Utc>,
) -> Result<Answer> {
    let txn = begin_write(db).await?;
    let seat = get(&txn, seat_id).await?;
    let state = state_of(&seat)?;
    let invitee = match (state.status(), state.participant()) {
        (SeatStatus::Invited, Some(p)) => p,
        _ => return Err(Error::conflict("seat", "Der kan kun svares på en ubesvaret invitation")),
    };
    let answer = if yes {
        accept_in(&txn, actor, seat_id, invitee, None, own, now, Cause::AnsweredOnBehalf).await?
    } else {
        let transition = state.reject(invitee, None).map_err(seat_error)?;
        apply(&txn, actor, &seat, transition, Cause::AnsweredOnBehalf, now).await?;
        Answer::Done
    };
    commit(txn).await?;
    Ok(answer)
}

/// A team responsible removed the person from the team: every seat they hold
/// in that team from `today` on is freed, each with its message and a
/// history row. Returns how many seats were freed.
pub async fn release_team_seats(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    participant: Uuid,
    team: Uuid,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<usize> {
    let held = seats::Entity::find()
        .filter(seats::Column::ParticipantId.eq(participant))
        .filter(seats::Column::TeamId.eq(team))
        .filter(seats::Column::TaskDate.gte(today))
        .all(txn)
        .await
        .map_err(Error::db("reading a member's seats"))?;
    let mut freed = 0;
    for seat in held {
        let state = state_of(&seat)?;
        let Ok(mut transition) = state.remove_by_admin() else { continue };
        transition.write_rejection_history = true;
        apply(txn, actor, &seat, transition, Cause::RemovedFromTeam, now).await?;
        freed += 1;
    }
    Ok(freed)
}

async fn lock_days(db: &impl ConnectionTrait, election: Uuid) -> Result<u32> {
    let election = elections::Entity::find_by_id(election)
        .one(db)
        .await
        .map_err(Error::db("reading an election"))?
        .ok_or(Error::not_found("Valget"))?;
    Ok(u32::try_from(election.lock_days).unwrap_or(0))
}

async fn join_team(db: &impl ConnectionTrait, team: Uuid, participant: Uuid) -> Result<()> {
    let row = team_members::ActiveModel { team_id: Set(team), participant_id: Set(participant) };
    let on_conflict = OnConflict::columns([team_members::Column::TeamId, team_members::Column::ParticipantId])
        .do_nothing()
        .to_owned();
    team_members::Entity::insert(row)
        .on_conflict(on_conflict)
        .exec_without_returning(db)
        .await
        .map_err(Error::db("adding a team membership"))?;
    Ok(())
}

async fn commit(txn: impl TransactionSession) -> Result<()> {
    txn.commit().await.map_err(Error::db("committing a seat change"))
}
