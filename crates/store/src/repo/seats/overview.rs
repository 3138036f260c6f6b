//! Reading seats: counts per kind for the task overview (area → work
//! location → team / date / task type), the seats of one kind with their
//! holders, and the rejection history. Counting happens in the database
//! with one grouped query, so Copenhagen's 5 000 seats cost one round trip.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use domain::SeatStatus;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use uuid::Uuid;

use crate::entity::{areas, participants, rejected_seats, seats, task_types, teams, work_locations};
use crate::error::{Error, Result};

/// Seats of a kind by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub available: u64,
    pub invited: u64,
    /// Accepted, including checked in and no-show.
    pub accepted: u64,
    pub rejected: u64,
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.available + self.invited + self.accepted
    }

    pub fn add(&mut self, other: &Counts) {
        self.available += other.available;
        self.invited += other.invited;
        self.accepted += other.accepted;
        self.rejected += other.rejected;
    }
}

/// Which seats the overview shows; `None` is "all".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OverviewFilter {
    pub area: Option<Uuid>,
    pub work_location: Option<Uuid>,
    pub team: Option<Uuid>,
    pub task_type: Option<Uuid>,
    pub date: Option<NaiveDate>,
}

/// One kind of seat at one work location, with names for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewRow {
    pub area_id: Uuid,
    pub area: String,
    pub work_location_id: Uuid,
    pub work_location: String,
    pub team_id: Uuid,
    pub team: String,
    pub task_type_id: Uuid,
    pub task_type: String,
    pub date: NaiveDate,
    pub counts: Counts,
}

type Key = (Uuid, Uuid, Uuid, NaiveDate);

/// Counts for every kind of seat of the election that matches the filter,
/// ordered by area, work location, date, team and task type.
pub async fn overview(db: &impl ConnectionTrait, election: Uuid, filter: OverviewFilter) -> Result<Vec<OverviewRow>> {
    let names = Names::load(db).await?;
    let locations = names.locations_in(filter.area);
    let mut counts: BTreeMap<Key, Counts> = BTreeMap::new();
    let grouped: Vec<(Uuid, Uuid, Uuid, NaiveDate, String, i64)> = filtered(seats::Entity::find(), election, &filter)
        .select_only()
        .columns([seats::Column::WorkLocationId, seats::Column::TeamId, seats::Column::TaskTypeId])
        .column(seats::Column::TaskDate)
        .column(seats::Column::State)
        .column_as(seats::Column::Id.count(), "n")
        .group_by(seats::Column::WorkLocationId)
        .group_by(seats::Column::TeamId)
        .group_by(seats::Column::TaskTypeId)
        .group_by(seats::Column::TaskDate)
        .group_by(seats::Column::State)
        .into_tuple()
        .all(db)
        .await
        .map_err(Error::db("counting seats"))?;
    for (location, team, task_type, date, state, n) in grouped {
        let entry = counts.entry((location, team, task_type, date)).or_default();
        let n = n as u64;
        match SeatStatus::ALL.into_iter().find(|s| s.as_str() == state) {
            Some(SeatStatus::Available) => entry.available += n,
            Some(SeatStatus::Invited) => entry.invited += n,
            _ => entry.accepted += n,
        }
    }
    for row in rejections(db, election, &filter).await? {
        counts.entry((row.work_location_id, row.team_id, row.task_type_id, row.task_date)).or_default().rejected += 1;
    }
    let mut rows: Vec<OverviewRow> = counts
        .into_iter()
        .filter(|((location, ..), _)| locations.as_ref().is_none_or(|l| l.contains(location)))
        .map(|((location, team, task_type, date), counts)| names.row(location, team, task_type, date, counts))
        .collect();
    rows.sort_by(|a, b| {
        (&a.area, &a.work_location, a.date, &a.team, &a.task_type).cmp(&(
            &b.area,
            &b.work_location,
            b.date,
            &b.team,
            &b.task_type,
        ))
    });
    Ok(rows)
}

fn filtered(select: Select<seats::Entity>, election: Uuid, filter: &OverviewFilter) -> Select<seats::Entity> {
    let mut select = select.filter(seats::Column::ElectionId.eq(election));
    if let Some(id) = filter.work_location {
        select = select.filter(seats::Column::WorkLocationId.eq(id));
    }
    if let Some(id) = filter.team {
        select = select.filter(seats::Column::TeamId.eq(id));
    }
    if let Some(id) = filter.task_type {
        select = select.filter(seats::Column::TaskTypeId.eq(id));
    }
    if let Some(date) = filter.date {
        select = select.filter(seats::Column::TaskDate.eq(date));
    }
    select
}

async fn rejections(
    db: &impl ConnectionTrait,
    election: Uuid,
    filter: &OverviewFilter,
) -> Result<Vec<rejected_seats::Model>> {
    let mut select = rejected_seats::Entity::find().filter(rejected_seats::Column::ElectionId.eq(election));
    if let Some(id) = filter.work_location {
        select = select.filter(rejected_seats::Column::WorkLocationId.eq(id));
    }
    if let Some(id) = filter.team {
        select = select.filter(rejected_seats::Column::TeamId.eq(id));
    }
    if let Some(id) = filter.task_type {
        select = select.filter(rejected_seats::Column::TaskTypeId.eq(id));
    }
    if let Some(date) = filter.date {
        select = select.filter(rejected_seats::Column::TaskDate.eq(date));
    }
    select
        .order_by_desc(rejected_seats::Column::RejectedAt)
        .all(db)
        .await
        .map_err(Error::db("reading the rejection history"))
}

/// One seat with its holder, for the action list of a work location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatLine {
    pub seat: seats::Model,
    pub status: SeatStatus,
    pub participant: Option<(Uuid, String)>,
    pub team: String,
    pub task_type: String,
}

/// The seats of one work location in the election matching the filter,
/// by date, task type, team and status.
pub async fn seat_lines(db: &impl ConnectionTrait, election: Uuid, filter: OverviewFilter) -> Result<Vec<SeatLine>> {
    let names = Names::load(db).await?;
    let rows = filtered(seats::Entity::find(), election, &filter)
        .order_by_asc(seats::Column::TaskDate)
        .order_by_asc(seats::Column::CreatedAt)
        .all(db)
        .await
        .map_err(Error::db("reading seats"))?;
    let people = names_of(db, rows.iter().filter_map(|s| s.participant_id)).await?;
    let mut lines: Vec<SeatLine> = rows
        .into_iter()
        .map(|seat| {
            let status =
                SeatStatus::ALL.into_iter().find(|s| s.as_str() == seat.state).unwrap_or(SeatStatus::Available);
            let participant = seat.participant_id.map(|p| (p, people.get(&p).cloned().unwrap_or_default()));
            SeatLine {
                team: names.teams.get(&seat.team_id).cloned().unwrap_or_default(),
                task_type: names.task_types.get(&seat.task_type_id).cloned().unwrap_or_default(),
                status,
                participant,
                seat,
            }
        })
        .collect();
    lines.sort_by(|a, b| {
        (a.seat.task_date, &a.task_type, &a.team, a.status as u8).cmp(&(
            b.seat.task_date,
            &b.task_type,
            &b.team,
            b.status as u8,
        ))
    });
    Ok(lines)
}

/// A rejection, cancellation or removal from a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedLine {
    pub participant: String,
    pub work_location: String,
    pub team: String,
    pub task_type: String,
    pub date: NaiveDate,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// The election's rejection history, newest first.
pub async fn rejected_history(db: &impl ConnectionTrait, election: Uuid) -> Result<Vec<RejectedLine>> {
    let names = Names::load(db).await?;
    let rows = rejections(db, election, &OverviewFilter::default()).await?;
    let people = names_of(db, rows.iter().map(|r| r.participant_id)).await?;
    Ok(rows
        .into_iter()
        .map(|r| RejectedLine {
            participant: people.get(&r.participant_id).cloned().unwrap_or_default(),
            work_location: names.locations.get(&r.work_location_id).map(|l| l.1.clone()).unwrap_or_default(),
            team: names.teams.get(&r.team_id).cloned().unwrap_or_default(),
            task_type: names.task_types.get(&r.task_type_id).cloned().unwrap_or_default(),
            date: r.task_date,
            reason: r.reason,
            at: r.rejected_at,
        })
        .collect())
}

async fn names_of(db: &impl ConnectionTrait, ids: impl Iterator<Item = Uuid>) -> Result<HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = ids.collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut out = HashMap::new();
    // Chunks keep the IN list under SQLite's variable limit.
    for chunk in ids.chunks(500) {
        let rows: Vec<(Uuid, String, String)> = participants::Entity::find()
            .select_only()
            .columns([participants::Column::Id, participants::Column::FirstName, participants::Column::LastName])
            .filter(participants::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await
            .map_err(Error::db("reading participants' names"))?;
        out.extend(rows.into_iter().map(|(id, first, last)| (id, format!("{first} {last}").trim().to_owned())));
    }
    Ok(out)
}

/// Names of the master data, read once per page.
struct Names {
    areas: HashMap<Uuid, String>,
    /// Work location → (area, title).
    locations: HashMap<Uuid, (Uuid, String)>,
    teams: HashMap<Uuid, String>,
    task_types: HashMap<Uuid, String>,
}

impl Names {
    async fn load(db: &impl ConnectionTrait) -> Result<Names> {
        let read = Error::db("reading master data");
        let areas = areas::Entity::find().all(db).await.map_err(read)?;
        let read = Error::db("reading master data");
        let locations = work_locations::Entity::find().all(db).await.map_err(read)?;
        let read = Error::db("reading master data");
        let teams = teams::Entity::find().all(db).await.map_err(read)?;
        let read = Error::db("reading master data");
        let task_types = task_types::Entity::find().all(db).await.map_err(read)?;
        Ok(Names {
            areas: areas.into_iter().map(|a| (a.id, a.name)).collect(),
            locations: locations.into_iter().map(|l| (l.id, (l.area_id, l.title))).collect(),
            teams: teams.into_iter().map(|t| (t.id, t.name)).collect(),
            task_types: task_types.into_iter().map(|t| (t.id, t.title)).collect(),
        })
    }

    fn locations_in(&self, area: Option<Uuid>) -> Option<Vec<Uuid>> {
        let area = area?;
        Some(self.locations.iter().filter(|(_, (a, _))| *a == area).map(|(id, _)| *id).collect())
    }

    fn row(&self, location: Uuid, team: Uuid, task_type: Uuid, date: NaiveDate, counts: Counts) -> OverviewRow {
        let (area_id, work_location) = self.locations.get(&location).cloned().unwrap_or_default();
        OverviewRow {
            area: self.areas.get(&area_id).cloned().unwrap_or_default(),
            area_id,
            work_location_id: location,
            work_location,
            team_id: team,
            team: self.teams.get(&team).cloned().unwrap_or_default(),
            task_type_id: task_type,
            task_type: self.task_types.get(&task_type).cloned().unwrap_or_default(),
            date,
            counts,
        }
    }
}
