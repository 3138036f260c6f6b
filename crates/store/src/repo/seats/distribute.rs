//! Distributing seats: how many of each kind (date × team × task type) a work
//! location has in an election, and moving free seats between teams.
//!
//! Lowering a count takes free seats first, then unanswered invitations (each
//! invitee is told), and never an accepted seat; what could not be taken is
//! reported so the form can say so.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use domain::{SeatState, SeatStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionSession,
};
use uuid::Uuid;

use super::{Cause, apply, state_of};
use crate::entity::{election_work_locations, elections, seats, work_location_task_types, work_location_teams};
use crate::error::{Error, Result};
use crate::repo::audit::{self, Actor, AuditAction, AuditEntry};
use crate::repo::{Conn, begin_write};

/// The wanted number of seats of one kind at a work location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KindCount {
    pub date: NaiveDate,
    pub team: Uuid,
    pub task_type: Uuid,
    pub count: u32,
}

/// What a distribution did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Distributed {
    pub added: usize,
    /// Free seats deleted.
    pub removed: usize,
    /// Invited seats deleted, each with a queued retraction.
    pub retracted: usize,
    /// Kinds whose count could not be lowered that far because of accepted
    /// seats, with how many seats remain above the wish.
    pub not_removed: Vec<(KindCount, u32)>,
}

type Kind = (NaiveDate, Uuid, Uuid);

/// Sets the counts of the given kinds; kinds not mentioned are left alone.
pub async fn distribute(
    db: &impl Conn,
    actor: &Actor,
    election_id: Uuid,
    work_location: Uuid,
    wanted: &[KindCount],
    now: DateTime<Utc>,
) -> Result<Distributed> {
    let txn = begin_write(db).await?;
    let election = check_place(&txn, election_id, work_location).await?;
    let mut current = seats_by_kind(&txn, election_id, work_location).await?;
    let mut done = Distributed::default();
    for want in wanted {
        check_kind(&txn, &election, work_location, want).await?;
        let have = current.remove(&(want.date, want.team, want.task_type)).unwrap_or_default();
        let target = want.count as usize;
        if have.len() < target {
            for _ in have.len()..target {
                insert_seat(&txn, election_id, work_location, want, now).await?;
                done.added += 1;
            }
        } else if have.len() > target {
            let left = lower(&txn, actor, have, target, now, &mut done).await?;
            if left > target {
                done.not_removed.push((*want, (left - target) as u32));
            }
        }
    }
    let entry = AuditEntry::new(AuditAction::Update, "seats").entity(work_location).description(format!(
        "Opgaver fordelt i »{}«: {} oprettet, {} ledige fjernet, {} invitationer trukket tilbage",
        election.title, done.added, done.removed, done.retracted
    ));
    audit::record(&txn, actor, entry).await?;
    txn.commit().await.map_err(Error::db("committing a distribution"))?;
    Ok(done)
}

/// Takes seats away until `target` remain or only accepted ones are left;
/// returns how many remain.
async fn lower(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    mut have: Vec<seats::Model>,
    target: usize,
    now: DateTime<Utc>,
    done: &mut Distributed,
) -> Result<usize> {
    // Free seats go first, then the newest invitations.
    have.sort_by_key(|s| (removal_rank(&s.state), std::cmp::Reverse(s.invited_at)));
    let mut left = have.len();
    for seat in have {
        if left <= target {
            break;
        }
        let state = state_of(&seat)?;
        let Ok(transition) = state.retract_by_count_lowering() else { break };
        if let SeatState::Invited { .. } = state {
            apply(txn, actor, &seat, transition, Cause::RemovedByAdmin, now).await?;
            done.retracted += 1;
        } else {
            done.removed += 1;
        }
        seat.delete(txn).await.map_err(Error::db("deleting a seat"))?;
        left -= 1;
    }
    Ok(left)
}

fn removal_rank(state: &str) -> u8 {
    match state {
        s if s == SeatStatus::Available.as_str() => 0,
        s if s == SeatStatus::Invited.as_str() => 1,
        _ => 2,
    }
}

/// Moves up to `count` free seats of one kind from one team to another at
/// the same work location. Seats anybody is invited to or holds never move.
#[allow(clippy::too_many_arguments)]
pub async fn move_free_seats(
    db: &impl Conn,
    actor: &Actor,
    election_id: Uuid,
    work_location: Uuid,
    kind: KindCount,
    to_team: Uuid,
    now: DateTime<Utc>,
) -> Result<usize> {
    let txn = begin_write(db).await?;
    let election = check_place(&txn, election_id, work_location).await?;
    check_kind(&txn, &election, work_location, &KindCount { team: to_team, ..kind }).await?;
    let free = seats::Entity::find()
        .filter(seats::Column::ElectionId.eq(election_id))
        .filter(seats::Column::WorkLocationId.eq(work_location))
        .filter(seats::Column::TeamId.eq(kind.team))
        .filter(seats::Column::TaskTypeId.eq(kind.task_type))
        .filter(seats::Column::TaskDate.eq(kind.date))
        .filter(seats::Column::State.eq(SeatStatus::Available.as_str()))
        .limit(u64::from(kind.count))
        .all(&txn)
        .await
        .map_err(Error::db("reading free seats"))?;
    let moved = free.len();
    for seat in free {
        let mut row: seats::ActiveModel = seat.into();
        row.team_id = Set(to_team);
        row.updated_at = Set(now.trunc_subsecs(6));
        row.update(&txn).await.map_err(Error::db("moving a seat"))?;
    }
    let entry = AuditEntry::new(AuditAction::Update, "seats")
        .entity(work_location)
        .description(format!("{moved} ledige opgaver flyttet til et andet team"));
    audit::record(&txn, actor, entry).await?;
    txn.commit().await.map_err(Error::db("committing a move of seats"))?;
    Ok(moved)
}

async fn check_place(db: &impl ConnectionTrait, election: Uuid, work_location: Uuid) -> Result<elections::Model> {
    let election = elections::Entity::find_by_id(election)
        .one(db)
        .await
        .map_err(Error::db("reading an election"))?
        .ok_or(Error::not_found("Valget"))?;
    let taking_part = election_work_locations::Entity::find_by_id((election.id, work_location))
        .one(db)
        .await
        .map_err(Error::db("reading the election's work locations"))?;
    if taking_part.is_none() {
        return Err(Error::conflict("work_location", "Arbejdsstedet deltager ikke i valget"));
    }
    Ok(election)
}

async fn check_kind(
    db: &impl ConnectionTrait,
    election: &elections::Model,
    work_location: Uuid,
    kind: &KindCount,
) -> Result<()> {
    if kind.date < election.first_task_date || kind.date > election.last_task_date {
        return Err(Error::conflict("date", "Datoen ligger uden for valgets opgavedage"));
    }
    let team = work_location_teams::Entity::find_by_id((work_location, kind.team))
        .one(db)
        .await
        .map_err(Error::db("reading a work location's teams"))?;
    if team.is_none() {
        return Err(Error::conflict("team", "Teamet er ikke knyttet til arbejdsstedet"));
    }
    let task_type = work_location_task_types::Entity::find_by_id((work_location, kind.task_type))
        .one(db)
        .await
        .map_err(Error::db("reading a work location's task types"))?;
    if task_type.is_none() {
        return Err(Error::conflict("task_type", "Opgavetypen er ikke knyttet til arbejdsstedet"));
    }
    Ok(())
}

async fn seats_by_kind(
    db: &impl ConnectionTrait,
    election: Uuid,
    work_location: Uuid,
) -> Result<BTreeMap<Kind, Vec<seats::Model>>> {
    let rows = seats::Entity::find()
        .filter(seats::Column::ElectionId.eq(election))
        .filter(seats::Column::WorkLocationId.eq(work_location))
        .order_by_asc(seats::Column::CreatedAt)
        .all(db)
        .await
        .map_err(Error::db("reading a work location's seats"))?;
    let mut kinds: BTreeMap<Kind, Vec<seats::Model>> = BTreeMap::new();
    for seat in rows {
        kinds.entry((seat.task_date, seat.team_id, seat.task_type_id)).or_default().push(seat);
    }
    Ok(kinds)
}

async fn insert_seat(
    db: &impl ConnectionTrait,
    election: Uuid,
    work_location: Uuid,
    kind: &KindCount,
    now: DateTime<Utc>,
) -> Result<()> {
    let now = now.trunc_subsecs(6);
    seats::ActiveModel {
        id: Set(Uuid::new_v4()),
        election_id: Set(election),
        work_location_id: Set(work_location),
        team_id: Set(kind.team),
        task_type_id: Set(kind.task_type),
        task_date: Set(kind.date),
        state: Set(SeatStatus::Available.as_str().to_owned()),
        participant_id: Set(None),
        invitation_code: Set(None),
        invited_at: Set(None),
        accepted_at: Set(None),
        invitation_reminder_at: Set(None),
        task_reminder_at: Set(None),
        checked_in_at: Set(None),
        invitation_sent: Set(false),
        registration_sent: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(Error::db("creating a seat"))?;
    Ok(())
}
