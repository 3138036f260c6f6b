//! "Task changed" (issue 6, beyond OS2valghalla): when a task type's times or
//! a work location's address change, everybody who has said yes to such a
//! seat, or holds an invitation already sent, from today on in an active
//! election, is told — in the transaction that makes the change.

use chrono::{DateTime, Utc};
use domain::{MessageKind, SeatStatus};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entity::{elections, seats};
use crate::error::{Error, Result};
use crate::repo::messages::{self, Queued};

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// The task type's start or end time.
    TaskType(Uuid),
    /// The work location's address.
    WorkLocation(Uuid),
}

/// Queues a "task changed" message per affected seat; returns how many.
pub async fn notify(db: &impl ConnectionTrait, changed: Changed, now: DateTime<Utc>) -> Result<usize> {
    let told = Condition::any().add(seats::Column::State.eq(SeatStatus::Accepted.as_str())).add(
        Condition::all()
            .add(seats::Column::State.eq(SeatStatus::Invited.as_str()))
            .add(seats::Column::InvitationSent.eq(true)),
    );
    let which = match changed {
        Changed::TaskType(id) => seats::Column::TaskTypeId.eq(id),
        Changed::WorkLocation(id) => seats::Column::WorkLocationId.eq(id),
    };
    let affected = seats::Entity::find()
        .find_also_related(elections::Entity)
        .filter(which)
        .filter(told)
        .filter(elections::Column::Active.eq(true))
        .filter(seats::Column::TaskDate.gte(domain::danish_date(now)))
        .all(db)
        .await
        .map_err(Error::db("finding the seats a change concerns"))?;
    let mut queued = 0;
    for (seat, election) in affected {
        let (Some(participant), Some(election)) = (seat.participant_id, election) else { continue };
        let message =
            Queued { participant, election: Some(election.id), seat: Some(seat.id), kind: MessageKind::TaskChanged };
        messages::queue(db, message, &election.channel_order, now).await?;
        queued += 1;
    }
    Ok(queued)
}
