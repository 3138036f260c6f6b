//! What the participant portal reads about the signed-in person: their
//! portal roles (team and work-location responsibilities) and their seats.
//! The portal's authorization decides from these, so they are read fresh on
//! every request rather than stored in the session.

use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveTime};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::entity::{
    elections, seats, task_types, team_members, team_responsibles, teams, work_location_responsibles, work_locations,
};
use crate::error::{Error, Result};
use crate::repo::links::{SeatKind, TaskFilter};

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
    pub election_id: Uuid,
    pub work_location_id: Uuid,
    pub team_id: Uuid,
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
    Ok(Some(compose(seat, &election, &location, &team, &task_type)))
}

/// Many seats described with one query per kind of part (not four per
/// seat): a filtered list in a large municipality has thousands of seats.
async fn describe_all(db: &impl ConnectionTrait, rows: Vec<seats::Model>) -> Result<Vec<MySeat>> {
    fn ids(rows: &[seats::Model], of: impl Fn(&seats::Model) -> Uuid) -> Vec<Uuid> {
        let set: BTreeSet<Uuid> = rows.iter().map(of).collect();
        set.into_iter().collect()
    }
    let elections: HashMap<Uuid, elections::Model> = elections::Entity::find()
        .filter(elections::Column::Id.is_in(ids(&rows, |s| s.election_id)))
        .all(db)
        .await
        .map_err(Error::db("reading elections"))?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let locations: HashMap<Uuid, work_locations::Model> = work_locations::Entity::find()
        .filter(work_locations::Column::Id.is_in(ids(&rows, |s| s.work_location_id)))
        .all(db)
        .await
        .map_err(Error::db("reading work locations"))?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let teams: HashMap<Uuid, teams::Model> = teams::Entity::find()
        .filter(teams::Column::Id.is_in(ids(&rows, |s| s.team_id)))
        .all(db)
        .await
        .map_err(Error::db("reading teams"))?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let task_types: HashMap<Uuid, task_types::Model> = task_types::Entity::find()
        .filter(task_types::Column::Id.is_in(ids(&rows, |s| s.task_type_id)))
        .all(db)
        .await
        .map_err(Error::db("reading task types"))?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|seat| {
            let election = elections.get(&seat.election_id)?;
            let location = locations.get(&seat.work_location_id)?;
            let team = teams.get(&seat.team_id)?;
            let task_type = task_types.get(&seat.task_type_id)?;
            Some(compose(seat, election, location, team, task_type))
        })
        .collect())
}

fn compose(
    seat: seats::Model,
    election: &elections::Model,
    location: &work_locations::Model,
    team: &teams::Model,
    task_type: &task_types::Model,
) -> MySeat {
    MySeat {
        seat_id: seat.id,
        election: election.title.clone(),
        date: seat.task_date,
        task_type: task_type.title.clone(),
        start: task_type.start_time,
        end: task_type.end_time,
        work_location: location.title.clone(),
        address: format!("{}, {} {}", location.address, location.postal_code, location.city),
        team: team.name.clone(),
        state: seat.state,
        task_type_id: task_type.id,
        payment_kr: task_type.payment_kr,
        lock_days: u32::try_from(election.lock_days).unwrap_or(0),
        participant_id: seat.participant_id,
        invitation_code: seat.invitation_code,
        election_id: seat.election_id,
        work_location_id: seat.work_location_id,
        team_id: seat.team_id,
    }
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

/// Which free seats a list offers. Every list offers only free seats in
/// active elections, from `today` on, of task types that are not trusted
/// (trusted tasks are only given by the secretariat); these narrow it more.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FreeSeats {
    pub election: Option<Uuid>,
    /// `None`: any team; `Some`: only these (an empty list offers nothing).
    pub teams: Option<Vec<Uuid>>,
    pub filter: TaskFilter,
}

/// The free seats `which` offers, by date.
pub async fn free_seats(db: &impl ConnectionTrait, which: &FreeSeats, today: NaiveDate) -> Result<Vec<MySeat>> {
    let mut query = seats::Entity::find()
        .filter(seats::Column::State.eq("available"))
        .filter(seats::Column::TaskDate.gte(today))
        .inner_join(elections::Entity)
        .filter(elections::Column::Active.eq(true))
        .inner_join(task_types::Entity)
        .filter(task_types::Column::Trusted.eq(false));
    if let Some(teams) = &which.teams {
        if teams.is_empty() {
            return Ok(Vec::new());
        }
        query = query.filter(seats::Column::TeamId.is_in(teams.iter().copied()));
    }
    let filter = &which.filter;
    let narrowing = [
        (seats::Column::ElectionId, which.election),
        (seats::Column::WorkLocationId, filter.work_location),
        (seats::Column::TaskTypeId, filter.task_type),
    ];
    for (column, id) in narrowing {
        if let Some(id) = id {
            query = query.filter(column.eq(id));
        }
    }
    if let Some(date) = filter.date {
        query = query.filter(seats::Column::TaskDate.eq(date));
    }
    let rows = query
        .order_by_asc(seats::Column::TaskDate)
        .order_by_asc(seats::Column::CreatedAt)
        .all(db)
        .await
        .map_err(Error::db("reading free seats"))?;
    describe_all(db, rows).await
}

/// The free seats a participant may take on their own: those of the teams
/// they are a member of or responsible for (reference §3).
pub async fn open_seats(db: &impl ConnectionTrait, participant_id: Uuid, today: NaiveDate) -> Result<Vec<MySeat>> {
    let member: Vec<Uuid> = team_members::Entity::find()
        .select_only()
        .column(team_members::Column::TeamId)
        .filter(team_members::Column::ParticipantId.eq(participant_id))
        .into_tuple()
        .all(db)
        .await
        .map_err(Error::db("reading a participant's teams"))?;
    let responsible = responsibilities(db, participant_id).await?.teams.into_iter().map(|(id, _)| id);
    let teams: BTreeSet<Uuid> = member.into_iter().chain(responsible).collect();
    let which = FreeSeats { teams: Some(teams.into_iter().collect()), ..FreeSeats::default() };
    free_seats(db, &which, today).await
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
