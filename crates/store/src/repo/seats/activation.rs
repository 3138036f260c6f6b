//! The messages an election's activation sends: the invitations and
//! confirmations of **this** election that waited while it was inactive
//! (OS2valghalla 3 sent those of every election). Each seat's
//! `invitation_sent` / `registration_sent` flag is set in the transaction
//! that queues its message, so running the activation again never sends
//! anything twice, and a crash in the middle leaves the rest for the rerun.

use chrono::{DateTime, Utc};
use domain::{MessageKind, SeatStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionSession,
};
use uuid::Uuid;

use crate::entity::{elections, seats};
use crate::error::{Error, Result};
use crate::repo::messages::{self, Queued};
use crate::repo::{Conn, begin_write};

/// How far the activation's messages have come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Messages still to be queued.
    pub pending: u64,
    /// Messages queued (sent or on their way).
    pub queued: u64,
}

impl Progress {
    pub fn total(&self) -> u64 {
        self.pending + self.queued
    }

    /// Whole per cent done; 100 when there is nothing to do.
    pub fn percent(&self) -> u64 {
        (self.queued * 100).checked_div(self.total()).unwrap_or(100)
    }
}

fn invited(sent: bool) -> Condition {
    Condition::all()
        .add(seats::Column::State.eq(SeatStatus::Invited.as_str()))
        .add(seats::Column::InvitationSent.eq(sent))
}

fn accepted(sent: bool) -> Condition {
    Condition::all()
        .add(seats::Column::State.eq(SeatStatus::Accepted.as_str()))
        .add(seats::Column::RegistrationSent.eq(sent))
}

async fn count(db: &impl ConnectionTrait, election: Uuid, which: Condition) -> Result<u64> {
    seats::Entity::find()
        .filter(seats::Column::ElectionId.eq(election))
        .filter(which)
        .count(db)
        .await
        .map_err(Error::db("counting an election's messages"))
}

pub async fn progress(db: &impl ConnectionTrait, election: Uuid) -> Result<Progress> {
    let pending = count(db, election, Condition::any().add(invited(false)).add(accepted(false))).await?;
    let queued = count(db, election, Condition::any().add(invited(true)).add(accepted(true))).await?;
    Ok(Progress { pending, queued })
}

/// Queues up to `batch` waiting messages of an active election in one
/// transaction; returns how many. Zero means done (or the election is not
/// active: then nothing may be sent).
pub async fn queue_pending(db: &impl Conn, election_id: Uuid, batch: u64, now: DateTime<Utc>) -> Result<u64> {
    let txn = begin_write(db).await?;
    let Some(election) =
        elections::Entity::find_by_id(election_id).one(&txn).await.map_err(Error::db("reading an election"))?
    else {
        return Ok(0);
    };
    if !election.active {
        return Ok(0);
    }
    let waiting = seats::Entity::find()
        .filter(seats::Column::ElectionId.eq(election_id))
        .filter(Condition::any().add(invited(false)).add(accepted(false)))
        .order_by_asc(seats::Column::Id)
        .limit(batch)
        .all(&txn)
        .await
        .map_err(Error::db("reading waiting messages"))?;
    let mut queued = 0;
    for seat in waiting {
        let Some(participant) = seat.participant_id else { continue };
        let (kind, flag) = if seat.state == SeatStatus::Invited.as_str() {
            (MessageKind::Invitation, seats::Column::InvitationSent)
        } else {
            (MessageKind::RegistrationConfirmation, seats::Column::RegistrationSent)
        };
        let marked = seats::Entity::update_many()
            .col_expr(flag, Expr::value(true))
            .filter(seats::Column::Id.eq(seat.id))
            .filter(seats::Column::State.eq(seat.state.as_str()))
            .filter(flag.eq(false))
            .exec(&txn)
            .await
            .map_err(Error::db("marking a message as queued"))?;
        if marked.rows_affected == 1 {
            let message = Queued { participant, election: Some(election_id), seat: Some(seat.id), kind };
            messages::queue(&txn, message, &election.channel_order, now).await?;
            queued += 1;
        }
    }
    txn.commit().await.map_err(Error::db("committing queued messages"))?;
    Ok(queued)
}

/// The job that queues an election's waiting messages, batch by batch.
pub const JOB: &str = "election.queue_messages";

/// Payload of [`JOB`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JobPayload {
    pub election: Uuid,
}

/// Starts (or restarts) the queueing inside the caller's transaction.
/// Starting twice is harmless: each message is queued once whatever runs.
pub async fn start(conn: &impl ConnectionTrait, election: Uuid) -> Result<()> {
    let payload = serde_json::to_value(JobPayload { election }).map_err(|e| Error::conflict("job", e.to_string()))?;
    crate::outbox::enqueue(conn, crate::outbox::NewJob::new(JOB, payload))
        .await
        .map_err(Error::db("queueing an election's messages"))?;
    Ok(())
}
