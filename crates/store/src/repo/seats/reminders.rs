//! Reminders (issue 6): an unanswered invitation is reminded every N days,
//! an accepted task N days before it (when its task type asks for
//! reminders). The seat's `invitation_reminder_at` / `task_reminder_at` is
//! set in the transaction that queues the reminder, guarded by its old
//! value, so a reminder run twice (or by two workers) sends each once.

use chrono::{DateTime, Days, NaiveDate, SubsecRound, Utc};
use domain::{MessageKind, SeatStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionSession};

use crate::entity::{elections, seats, task_types};
use crate::error::{Error, Result};
use crate::repo::messages::{self, Queued};
use crate::repo::{Conn, begin_write, settings};

/// Setting: days between invitation reminders (0 turns them off).
pub const INVITATION_EVERY_DAYS: &str = "invitation_reminder_days";
/// Setting: days before the task that its reminder goes out (0 turns them off).
pub const TASK_DAYS_BEFORE: &str = "task_reminder_days";

const DEFAULT_INVITATION_EVERY_DAYS: u64 = 7;
const DEFAULT_TASK_DAYS_BEFORE: u64 = 3;

async fn days(db: &impl ConnectionTrait, key: &str, default: u64) -> Result<u64> {
    Ok(settings::get(db, key).await?.and_then(|v| v.trim().parse().ok()).unwrap_or(default))
}

/// Queues the invitation reminders due at `now`; returns how many.
pub async fn invitation_reminders(db: &impl Conn, now: DateTime<Utc>) -> Result<usize> {
    let every = days(db, INVITATION_EVERY_DAYS, DEFAULT_INVITATION_EVERY_DAYS).await?;
    if every == 0 {
        return Ok(0);
    }
    let today = domain::danish_date(now);
    // Whole days: invited (or reminded) on a day at least `every` days ago.
    let since = today.checked_sub_days(Days::new(every - 1)).unwrap_or(today);
    let cutoff = since.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let txn = begin_write(db).await?;
    let due = seats::Entity::find()
        .inner_join(elections::Entity)
        .filter(elections::Column::Active.eq(true))
        .filter(seats::Column::State.eq(SeatStatus::Invited.as_str()))
        .filter(seats::Column::InvitationSent.eq(true))
        .filter(seats::Column::TaskDate.gte(today))
        .filter(seats::Column::InvitedAt.lt(cutoff))
        .filter(
            sea_orm::Condition::any()
                .add(seats::Column::InvitationReminderAt.is_null())
                .add(seats::Column::InvitationReminderAt.lt(cutoff)),
        )
        .all(&txn)
        .await
        .map_err(Error::db("finding invitation reminders"))?;
    let mut queued = 0;
    for seat in due {
        if mark(&txn, &seat, seats::Column::InvitationReminderAt, seat.invitation_reminder_at, now).await? {
            queue(&txn, &seat, MessageKind::InvitationReminder, now).await?;
            queued += 1;
        }
    }
    txn.commit().await.map_err(Error::db("committing invitation reminders"))?;
    Ok(queued)
}

/// Queues the task reminders due on `now`'s date; returns how many.
pub async fn task_reminders(db: &impl Conn, now: DateTime<Utc>) -> Result<usize> {
    let before = days(db, TASK_DAYS_BEFORE, DEFAULT_TASK_DAYS_BEFORE).await?;
    if before == 0 {
        return Ok(0);
    }
    let today = domain::danish_date(now);
    let horizon: NaiveDate = today.checked_add_days(Days::new(before)).unwrap_or(today);
    let txn = begin_write(db).await?;
    let reminding: Vec<uuid::Uuid> = task_types::Entity::find()
        .select_only()
        .column(task_types::Column::Id)
        .filter(task_types::Column::SendReminder.eq(true))
        .into_tuple()
        .all(&txn)
        .await
        .map_err(Error::db("reading task types"))?;
    let due = seats::Entity::find()
        .inner_join(elections::Entity)
        .filter(elections::Column::Active.eq(true))
        .filter(seats::Column::State.eq(SeatStatus::Accepted.as_str()))
        .filter(seats::Column::TaskReminderAt.is_null())
        .filter(seats::Column::TaskDate.gte(today))
        .filter(seats::Column::TaskDate.lte(horizon))
        .filter(seats::Column::TaskTypeId.is_in(reminding))
        .all(&txn)
        .await
        .map_err(Error::db("finding task reminders"))?;
    let mut queued = 0;
    for seat in due {
        if mark(&txn, &seat, seats::Column::TaskReminderAt, None, now).await? {
            queue(&txn, &seat, MessageKind::TaskReminder, now).await?;
            queued += 1;
        }
    }
    txn.commit().await.map_err(Error::db("committing task reminders"))?;
    Ok(queued)
}

/// Sets the reminder time if it is still what was read; false if another
/// run got there first.
async fn mark(
    txn: &impl ConnectionTrait,
    seat: &seats::Model,
    column: seats::Column,
    was: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let guard = match was {
        Some(at) => column.eq(at),
        None => column.is_null(),
    };
    let result = seats::Entity::update_many()
        .col_expr(column, Expr::value(now.trunc_subsecs(6)))
        .filter(seats::Column::Id.eq(seat.id))
        .filter(seats::Column::State.eq(seat.state.as_str()))
        .filter(guard)
        .exec(txn)
        .await
        .map_err(Error::db("marking a reminder"))?;
    Ok(result.rows_affected == 1)
}

async fn queue(txn: &impl ConnectionTrait, seat: &seats::Model, kind: MessageKind, now: DateTime<Utc>) -> Result<()> {
    let Some(participant) = seat.participant_id else { return Ok(()) };
    let order = elections::Entity::find_by_id(seat.election_id)
        .one(txn)
        .await
        .map_err(Error::db("reading an election"))?
        .map(|e| e.channel_order)
        .unwrap_or_default();
    let message = Queued { participant, election: Some(seat.election_id), seat: Some(seat.id), kind };
    messages::queue(txn, message, &order, now).await?;
    Ok(())
}
