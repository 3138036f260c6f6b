//! What the participant portal reads about the signed-in person: their
//! portal roles (team and work-location responsibilities) and their seats.
//! The portal's authorization decides from these, so they are read fresh on
//! every request rather than stored in the session.

use chrono::{NaiveDate, NaiveTime};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entity::{
    elections, seats, task_types, team_members, team_responsibles, teams, work_location_responsibles, work_locations,
};
use crate::error::{Error, Result};
use crate::repo::links::SeatKind;

/// The teams and work locations a participant is responsible for, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Responsibilities {
    pub teams: Vec<(Uuid, String)>,
    pub work_locations: Vec<(Uuid, String)>,
}

pub async fn responsibilities(db: &impl ConnectionTrait, participant_id: Uuid) -> Result<Responsibilities> {
    let teams = team_responsibles::Entity::find()
        .filter(team_responsibles::Column::ParticipantId.eq(participant_id))
        .find_also_related(teams::Entity)
        .all(db)
        .await
        .map_err(Error::db("reading team responsibilities"))?
        .into_iter()
        .filter_map(|(_, team)| team.map(|t| (t.id, t.name)))
        .collect();
    let work_locations = work_location_responsibles::Entity::find()
        .filter(work_location_responsibles::Column::ParticipantId.eq(participant_id))
        .find_also_related(work_locations::Entity)
        .all(db)
        .await
        .map_err(Error::db("reading work-location responsibilities"))?
        .into_iter()
        .filter_map(|(_, location)| location.map(|l| (l.id, l.title)))
        .collect();
    Ok(Responsibilities { teams, work_locations })
}

/// One of the participant's seats, as "Mine opgaver" lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MySeat {
    pub seat_id: Uuid,
    pub election: String,
    pub date: NaiveDate,
    pub task_type: String,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub work_location: String,
    pub address: String,
    pub team: String,
    /// The seat state key (`invited`, `accepted`, …).
    pub state: String,
    pub task_type_id: Uuid,
    pub payment_kr: Option<i32>,
    /// The election's lock period: no cancelling from this many days before.
    pub lock_days: u32,
    pub participant_id: Option<Uuid>,
    pub invitation_code: Option<Uuid>,
}

/// The participant's seats, by date.
pub async fn my_seats(db: &impl ConnectionTrait, participant_id: Uuid) -> Result<Vec<MySeat>> {
    let rows = seats::Entity::find()
        .filter(seats::Column::ParticipantId.eq(participant_id))
        .order_by_asc(seats::Column::TaskDate)
        .all(db)
        .await
        .map_err(Error::db("reading a participant's seats"))?;
    let mut out = Vec::with_capacity(rows.len());
    // A person has a handful of seats: reading each one's parts is simpler
    // than a five-way join and as fast at this size.
    for seat in rows {
        out.extend(describe(db, seat).await?);
    }
    Ok(out)
}

/// One seat with its election, place, team and task, or `None` when it is gone.
pub async fn seat_view(db: &impl ConnectionTrait, seat_id: Uuid) -> Result<Option<MySeat>> {
    match seats::Entity::find_by_id(seat_id).one(db).await.map_err(Error::db("reading a seat"))? {
        Some(seat) => describe(db, seat).await,
        None => Ok(None),
    }
}

async fn describe(db: &impl ConnectionTrait, seat: seats::Model) -> Result<Option<MySeat>> {
    let election = elections::Entity::find_by_id(seat.election_id).one(db).await;
    let location = work_locations::Entity::find_by_id(seat.work_location_id).one(db).await;
    let team = teams::Entity::find_by_id(seat.team_id).one(db).await;
    let task_type = task_types::Entity::find_by_id(seat.task_type_id).one(db).await;
    let context = Error::db("reading a seat's election, place, team and task");
    let (Some(election), Some(location), Some(team), Some(task_type)) = (
        election.map_err(Error::db("reading an election"))?,
        location.map_err(Error::db("reading a work location"))?,
        team.map_err(Error::db("reading a team"))?,
        task_type.map_err(context)?,
    ) else {
        return Ok(None);
    };
    Ok(Some(MySeat {
        seat_id: seat.id,
        election: election.title,
        date: seat.task_date,
        task_type: task_type.title,
        start: task_type.start_time,
        end: task_type.end_time,
        work_location: location.title,
        address: format!("{}, {} {}", location.address, location.postal_code, location.city),
        team: team.name,
        state: seat.state,
        task_type_id: task_type.id,
        payment_kr: task_type.payment_kr,
        lock_days: u32::try_from(election.lock_days).unwrap_or(0),
        participant_id: seat.participant_id,
        invitation_code: seat.invitation_code,
    }))
}

/// A free seat of one kind (election, team, work location, task type, date),
/// for a task link's sign-up.
pub async fn free_seat_of_kind(
    db: &impl ConnectionTrait,
    election: Uuid,
    team: Uuid,
    kind: &SeatKind,
) -> Result<Option<Uuid>> {
    let seat = seats::Entity::find()
        .filter(seats::Column::ElectionId.eq(election))
        .filter(seats::Column::TeamId.eq(team))
        .filter(seats::Column::WorkLocationId.eq(kind.work_location))
        .filter(seats::Column::TaskTypeId.eq(kind.task_type))
        .filter(seats::Column::TaskDate.eq(kind.date))
        .filter(seats::Column::State.eq("available"))
        .order_by_asc(seats::Column::CreatedAt)
        .one(db)
        .await
        .map_err(Error::db("finding a free seat"))?;
    Ok(seat.map(|s| s.id))
}

/// The free seats a participant may take on their own: in their teams, from
/// `today` on, in active elections, of task types that are not trusted
/// (trusted tasks are only given by the secretariat).
pub async fn open_seats(db: &impl ConnectionTrait, participant_id: Uuid, today: NaiveDate) -> Result<Vec<MySeat>> {
    let teams: Vec<Uuid> = team_members::Entity::find()
        .filter(team_members::Column::ParticipantId.eq(participant_id))
        .all(db)
        .await
        .map_err(Error::db("reading a participant's teams"))?
        .into_iter()
        .map(|m| m.team_id)
        .collect();
    if teams.is_empty() {
        return Ok(Vec::new());
    }
    let rows = seats::Entity::find()
        .filter(seats::Column::TeamId.is_in(teams))
        .filter(seats::Column::State.eq("available"))
        .filter(seats::Column::TaskDate.gte(today))
        .inner_join(elections::Entity)
        .filter(elections::Column::Active.eq(true))
        .inner_join(task_types::Entity)
        .filter(task_types::Column::Trusted.eq(false))
        .order_by_asc(seats::Column::TaskDate)
        .all(db)
        .await
        .map_err(Error::db("reading free seats"))?;
    let mut out = Vec::with_capacity(rows.len());
    for seat in rows {
        out.extend(describe(db, seat).await?);
    }
    Ok(out)
}

/// The setting that says how long (days after their last task) a person who
/// served stays on file before they may delete their own profile.
pub const RETENTION_KEY: &str = "participant_retention_days";
/// One year: long enough for the municipality to settle payments and answer
/// complaints about the election the person worked at.
pub const DEFAULT_RETENTION_DAYS: u64 = 365;

/// Why a person may not delete their own profile now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteRefusal {
    /// An accepted task is inside its lock period: the municipality counts on them.
    Locked { task_type: String, date: NaiveDate },
    /// They served; their data is kept until `until` (inclusive).
    Retained { until: NaiveDate },
}

/// Reference §3's rules for deleting one's own profile, with its flaw fixed:
/// having served blocks deletion only during the retention period.
pub async fn self_delete_refusal(
    db: &impl ConnectionTrait,
    participant_id: Uuid,
    today: NaiveDate,
) -> Result<Option<DeleteRefusal>> {
    let held = my_seats(db, participant_id).await?;
    let locked = held
        .iter()
        .find(|s| s.state == "accepted" && s.date >= today && !domain::lock::may_cancel(s.date, s.lock_days, today));
    if let Some(seat) = locked {
        return Ok(Some(DeleteRefusal::Locked { task_type: seat.task_type.clone(), date: seat.date }));
    }
    let served = held.iter().filter(|s| matches!(s.state.as_str(), "accepted" | "checked_in") && s.date < today);
    let Some(last) = served.map(|s| s.date).max() else { return Ok(None) };
    let days = super::settings::get(db, RETENTION_KEY)
        .await?
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(DEFAULT_RETENTION_DAYS);
    let until = last.checked_add_days(chrono::Days::new(days)).unwrap_or(NaiveDate::MAX);
    Ok((today <= until).then_some(DeleteRefusal::Retained { until }))
}
