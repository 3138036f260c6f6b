//! Copying an election's seats and template slots into a duplicate.

use std::collections::BTreeSet;

use chrono::Utc;
use domain::SeatStatus;
use domain::election::CopyPlan;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::entity::{election_message_templates, election_task_type_message_templates, seats};
use crate::error::{Error, Result};

/// Seats per INSERT: well below SQLite's limit on bound parameters.
const BATCH: usize = 500;

/// The new election and how many seats it got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    pub id: Uuid,
    pub seats: u64,
}

/// Copies the seats of `source` at `work_locations` that lie in the plan's
/// window into `target`, each on its shifted date, free and with no
/// invitation history. Returns how many were copied.
pub async fn seats(
    conn: &impl ConnectionTrait,
    source: Uuid,
    target: Uuid,
    plan: &CopyPlan,
    work_locations: &BTreeSet<Uuid>,
) -> Result<u64> {
    let (from, to) = plan.window();
    let originals = seats::Entity::find()
        .filter(seats::Column::ElectionId.eq(source))
        .filter(seats::Column::WorkLocationId.is_in(work_locations.iter().copied()))
        .filter(seats::Column::TaskDate.between(from, to))
        .all(conn)
        .await
        .map_err(Error::db("reading the seats to copy"))?;
    let now = Utc::now();
    let copies: Vec<seats::ActiveModel> =
        originals.iter().filter_map(|seat| Some(empty_copy(seat, target, plan.shift(seat.task_date)?, now))).collect();
    let copied = copies.len() as u64;
    let mut copies = copies.into_iter().peekable();
    while copies.peek().is_some() {
        let batch: Vec<_> = copies.by_ref().take(BATCH).collect();
        seats::Entity::insert_many(batch).exec_without_returning(conn).await.map_err(Error::db("copying seats"))?;
    }
    Ok(copied)
}

fn empty_copy(
    seat: &seats::Model,
    target: Uuid,
    task_date: chrono::NaiveDate,
    now: chrono::DateTime<Utc>,
) -> seats::ActiveModel {
    seats::ActiveModel {
        id: Set(Uuid::new_v4()),
        election_id: Set(target),
        work_location_id: Set(seat.work_location_id),
        team_id: Set(seat.team_id),
        task_type_id: Set(seat.task_type_id),
        task_date: Set(task_date),
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
}

/// The duplicate starts with the source's message templates (defaults and
/// per-task-type overrides), as the communication step of the copy wizard
/// would otherwise make staff pick all of them again.
pub async fn template_slots(conn: &impl ConnectionTrait, source: Uuid, target: Uuid) -> Result<()> {
    let slots = election_message_templates::Entity::find()
        .filter(election_message_templates::Column::ElectionId.eq(source))
        .all(conn)
        .await
        .map_err(Error::db("reading template slots"))?;
    if !slots.is_empty() {
        let rows = slots.into_iter().map(|s| election_message_templates::ActiveModel {
            election_id: Set(target),
            kind: Set(s.kind),
            template_id: Set(s.template_id),
        });
        election_message_templates::Entity::insert_many(rows)
            .exec_without_returning(conn)
            .await
            .map_err(Error::db("copying template slots"))?;
    }
    let overrides = election_task_type_message_templates::Entity::find()
        .filter(election_task_type_message_templates::Column::ElectionId.eq(source))
        .all(conn)
        .await
        .map_err(Error::db("reading template overrides"))?;
    if !overrides.is_empty() {
        let rows = overrides.into_iter().map(|s| election_task_type_message_templates::ActiveModel {
            election_id: Set(target),
            task_type_id: Set(s.task_type_id),
            kind: Set(s.kind),
            template_id: Set(s.template_id),
        });
        election_task_type_message_templates::Entity::insert_many(rows)
            .exec_without_returning(conn)
            .await
            .map_err(Error::db("copying template overrides"))?;
    }
    Ok(())
}
