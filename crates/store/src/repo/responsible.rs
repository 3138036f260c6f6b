//! What the portal's responsibles read and do (reference §3): a team's
//! members and removing one, who works at a work location on a day, and
//! whom a participant calls about a seat. Who may see which team or work
//! location is decided by the portal before it calls these.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use domain::SeatStatus;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession};
use uuid::Uuid;

use super::audit::{self, Actor, AuditAction, AuditEntry};
use super::seats::{self, Counts, OverviewFilter};
use super::{Conn, begin_write};
use crate::entity::{elections, participants, task_types, team_members, teams, work_location_responsibles};
use crate::error::{Error, Result};

/// A team member as the team responsible sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: Uuid,
    pub name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    /// Seats they hold in this team from `today` on.
    pub seats: u64,
    /// The last day they served on the team, if they did: then a team
    /// responsible may not remove them (see [`domain::staffing::served_on_team`]).
    pub served: Option<NaiveDate>,
}

/// The team's members by name.
pub async fn members(db: &impl ConnectionTrait, team: Uuid, today: NaiveDate) -> Result<Vec<Member>> {
    let ids: Vec<Uuid> = team_members::Entity::find()
        .select_only()
        .column(team_members::Column::ParticipantId)
        .filter(team_members::Column::TeamId.eq(team))
        .into_tuple()
        .all(db)
        .await
        .map_err(Error::db("reading a team's members"))?;
    let held = seats_held(db, team, today).await?;
    let served = served_on_team(db, team, None, today).await?;
    let out = people(db, &ids)
        .await?
        .into_iter()
        .map(|person| Member {
            id: person.id,
            name: full_name(&person),
            seats: held.get(&person.id).copied().unwrap_or(0),
            served: served.get(&person.id).copied(),
            mobile: person.mobile,
            email: person.email,
        })
        .collect();
    Ok(out)
}

/// Seats held per participant in `team` from `today` on, counted in one
/// grouped query: a party's team in a large municipality has hundreds.
async fn seats_held(db: &impl ConnectionTrait, team: Uuid, today: NaiveDate) -> Result<HashMap<Uuid, u64>> {
    use crate::entity::seats::{Column, Entity};
    let rows: Vec<(Uuid, i64)> = Entity::find()
        .select_only()
        .column(Column::ParticipantId)
        .column_as(Column::Id.count(), "n")
        .filter(Column::TeamId.eq(team))
        .filter(Column::ParticipantId.is_not_null())
        .filter(Column::TaskDate.gte(today))
        .group_by(Column::ParticipantId)
        .into_tuple()
        .all(db)
        .await
        .map_err(Error::db("counting members' seats"))?;
    Ok(rows.into_iter().map(|(id, n)| (id, u64::try_from(n).unwrap_or(0))).collect())
}

/// The last day each member (or just `participant`) served on `team`, for
/// those who did. The accepted seats are read with their election's end and
/// the rule in `domain` decides; a team has at most a few thousand of them.
async fn served_on_team(
    db: &impl ConnectionTrait,
    team: Uuid,
    participant: Option<Uuid>,
    today: NaiveDate,
) -> Result<HashMap<Uuid, NaiveDate>> {
    use crate::entity::seats::{Column, Entity};
    let accepted = [SeatStatus::Accepted, SeatStatus::CheckedIn, SeatStatus::NoShow].map(SeatStatus::as_str);
    let mut query = Entity::find()
        .select_only()
        .column(Column::ParticipantId)
        .column(Column::State)
        .column(Column::TaskDate)
        .column(elections::Column::LastTaskDate)
        .inner_join(elections::Entity)
        .filter(Column::TeamId.eq(team))
        .filter(Column::State.is_in(accepted));
    if let Some(participant) = participant {
        query = query.filter(Column::ParticipantId.eq(participant));
    }
    let rows: Vec<(Option<Uuid>, String, NaiveDate, NaiveDate)> =
        query.into_tuple().all(db).await.map_err(Error::db("reading members' past seats"))?;
    let mut served: HashMap<Uuid, NaiveDate> = HashMap::new();
    for (who, state, date, election_ends) in rows {
        let status = SeatStatus::ALL.into_iter().find(|s| s.as_str() == state);
        let Some((who, status)) = who.zip(status) else { continue };
        if domain::staffing::served_on_team(status, date, election_ends, today) {
            let last = served.entry(who).or_insert(date);
            *last = (*last).max(date);
        }
    }
    Ok(served)
}

/// What came of a team responsible's request to remove a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// Gone from the team; this many seats were freed.
    Removed { freed: usize },
    /// They served on the team (last on this day), so they stay.
    Refused { last_served: NaiveDate },
}

/// Removes `participant` from `team` on a team responsible's request,
/// unless they served on the team: their seats in the team from `today` on
/// are freed (each with its message and history row), the membership goes,
/// and an audit row records it, all in one transaction. The person stays a
/// participant, also without any team: retention removes them later, never
/// this.
pub async fn remove_member<C: Conn>(
    db: &C,
    actor: &Actor,
    team: Uuid,
    participant: Uuid,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Removal> {
    let txn = begin_write(db).await?;
    let team_name = teams::Entity::find_by_id(team)
        .one(&txn)
        .await
        .map_err(Error::db("reading a team"))?
        .ok_or(Error::not_found("Holdet"))?
        .name;
    if !is_member(&txn, team, participant).await? {
        return Err(Error::not_found("Medlemmet"));
    }
    if let Some(&last_served) = served_on_team(&txn, team, Some(participant), today).await?.get(&participant) {
        return Ok(Removal::Refused { last_served });
    }
    team_members::Entity::delete_by_id((team, participant))
        .exec(&txn)
        .await
        .map_err(Error::db("removing a team membership"))?;
    let freed = seats::release_team_seats(&txn, actor, participant, team, today, now).await?;
    let entry = AuditEntry::new(AuditAction::Delete, "team_members")
        .entity(team)
        .participant(participant)
        .description(format!("Fjernet fra holdet {team_name} af en holdansvarlig ({freed} opgaver frigivet)"));
    audit::record(&txn, actor, entry).await?;
    txn.commit().await.map_err(Error::db("committing a team removal"))?;
    Ok(Removal::Removed { freed })
}

/// Whether `participant` is a member of `team`.
pub async fn is_member(db: &impl ConnectionTrait, team: Uuid, participant: Uuid) -> Result<bool> {
    let row = team_members::Entity::find_by_id((team, participant))
        .one(db)
        .await
        .map_err(Error::db("reading a team membership"))?;
    Ok(row.is_some())
}

/// The active elections, by first task date: the responsibles' pages show
/// nothing of elections being prepared or archived.
pub async fn active_elections(db: &impl ConnectionTrait) -> Result<Vec<elections::Model>> {
    elections::Entity::find()
        .filter(elections::Column::Active.eq(true))
        .order_by_asc(elections::Column::FirstTaskDate)
        .all(db)
        .await
        .map_err(Error::db("reading the active elections"))
}

/// Somebody holding a seat at a work location on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterLine {
    pub name: String,
    pub mobile: Option<String>,
    pub task_type: String,
    pub team: String,
    pub status: domain::SeatStatus,
    /// Age on the day, from the CPR birth date (the number itself is never shown).
    pub age: u32,
}

/// The seats of one task type at a work location on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskTypeCount {
    pub task_type: String,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub counts: Counts,
}

/// A work location on a day: seats per task type and who holds them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocationDay {
    /// By task type title.
    pub task_types: Vec<TaskTypeCount>,
    /// By name.
    pub roster: Vec<RosterLine>,
    pub free: u64,
}

/// Who works at `location` on `date` in the active elections, and the seats
/// per task type. No addresses: the page they fill shows none, so a
/// protected address cannot leak from it.
pub async fn location_day(db: &impl ConnectionTrait, location: Uuid, date: NaiveDate) -> Result<LocationDay> {
    let filter = OverviewFilter { work_location: Some(location), date: Some(date), ..OverviewFilter::default() };
    let mut lines = Vec::new();
    for election in active_elections(db).await? {
        lines.extend(seats::seat_lines(db, election.id, filter).await?);
    }
    let mut per_type: HashMap<Uuid, (String, Counts)> = HashMap::new();
    for line in &lines {
        let (_, counts) =
            per_type.entry(line.seat.task_type_id).or_insert_with(|| (line.task_type.clone(), Counts::default()));
        match line.status {
            SeatStatus::Available => counts.available += 1,
            SeatStatus::Invited => counts.invited += 1,
            _ => counts.accepted += 1,
        }
    }
    let times: HashMap<Uuid, (NaiveTime, NaiveTime)> = task_types::Entity::find()
        .filter(task_types::Column::Id.is_in(per_type.keys().copied()))
        .all(db)
        .await
        .map_err(Error::db("reading task types"))?
        .into_iter()
        .map(|t| (t.id, (t.start_time, t.end_time)))
        .collect();
    let mut task_types: Vec<TaskTypeCount> = per_type
        .into_iter()
        .filter_map(|(id, (task_type, counts))| {
            let (start, end) = *times.get(&id)?;
            Some(TaskTypeCount { task_type, start, end, counts })
        })
        .collect();
    task_types.sort_by(|a, b| domain::master::danish_order(&a.task_type, &b.task_type));
    let free = lines.iter().filter(|l| l.status == SeatStatus::Available).count() as u64;
    let held: Vec<_> = lines.into_iter().filter_map(|l| l.participant.clone().map(|(id, _)| (id, l))).collect();
    let ids: Vec<Uuid> = held.iter().map(|(id, _)| *id).collect();
    let people: HashMap<Uuid, participants::Model> = people(db, &ids).await?.into_iter().map(|p| (p.id, p)).collect();
    let mut roster: Vec<RosterLine> = held
        .into_iter()
        .filter_map(|(id, line)| {
            let person = people.get(&id)?;
            Some(RosterLine {
                name: full_name(person),
                mobile: person.mobile.clone(),
                task_type: line.task_type,
                team: line.team,
                status: line.status,
                age: domain::age::age_on(person.birth_date, date),
            })
        })
        .collect();
    roster.sort_by(|a, b| domain::master::danish_order(&a.name, &b.name));
    Ok(LocationDay { task_types, roster, free })
}

/// The days `location` has seats in the active elections.
pub async fn location_dates(db: &impl ConnectionTrait, location: Uuid) -> Result<Vec<NaiveDate>> {
    let active: Vec<Uuid> = active_elections(db).await?.into_iter().map(|e| e.id).collect();
    let mut dates: Vec<NaiveDate> = crate::entity::seats::Entity::find()
        .select_only()
        .column(crate::entity::seats::Column::TaskDate)
        .distinct()
        .filter(crate::entity::seats::Column::WorkLocationId.eq(location))
        .filter(crate::entity::seats::Column::ElectionId.is_in(active))
        .into_tuple()
        .all(db)
        .await
        .map_err(Error::db("reading a work location's days"))?;
    dates.sort();
    Ok(dates)
}

/// The responsibles of a work location, by name, with their mobile
/// numbers: whom a participant working there calls.
pub async fn location_contacts(db: &impl ConnectionTrait, location: Uuid) -> Result<Vec<(String, Option<String>)>> {
    let ids: Vec<Uuid> = work_location_responsibles::Entity::find()
        .select_only()
        .column(work_location_responsibles::Column::ParticipantId)
        .filter(work_location_responsibles::Column::WorkLocationId.eq(location))
        .into_tuple()
        .all(db)
        .await
        .map_err(Error::db("reading a work location's responsibles"))?;
    Ok(people(db, &ids).await?.into_iter().map(|p| (full_name(&p), p.mobile)).collect())
}

/// Participants by id, ordered by name.
async fn people(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<participants::Model>> {
    let mut out = Vec::with_capacity(ids.len());
    // Chunks keep the IN list under SQLite's variable limit.
    for chunk in ids.chunks(500) {
        let rows = participants::Entity::find()
            .filter(participants::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await
            .map_err(Error::db("reading participants"))?;
        out.extend(rows);
    }
    out.sort_by(|a, b| domain::master::danish_order(&full_name(a), &full_name(b)));
    Ok(out)
}

fn full_name(p: &participants::Model) -> String {
    format!("{} {}", p.first_name, p.last_name).trim().to_owned()
}
