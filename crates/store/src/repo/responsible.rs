//! What the portal's responsibles read and do (reference §3): a team's
//! members and removing one, who works at a work location on a day, and
//! whom a participant calls about a seat. Who may see which team or work
//! location is decided by the portal before it calls these.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionSession};
use uuid::Uuid;

use super::audit::{self, Actor, AuditAction, AuditEntry};
use super::seats::{self, OverviewFilter};
use super::{Conn, begin_write};
use crate::entity::{elections, participants, team_members, teams, work_location_responsibles};
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
    let out = people(db, &ids)
        .await?
        .into_iter()
        .map(|person| Member {
            id: person.id,
            name: full_name(&person),
            seats: held.get(&person.id).copied().unwrap_or(0),
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

/// Removes `participant` from `team` on a team responsible's request: their
/// seats in the team from `today` on are freed (each with its message and
/// history row), the membership goes, and an audit row records it, all in
/// one transaction. The person stays a participant, also without any team:
/// retention removes them later, never this. Returns the seats freed.
pub async fn remove_member<C: Conn>(
    db: &C,
    actor: &Actor,
    team: Uuid,
    participant: Uuid,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<usize> {
    let txn = begin_write(db).await?;
    let team_name = teams::Entity::find_by_id(team)
        .one(&txn)
        .await
        .map_err(Error::db("reading a team"))?
        .ok_or(Error::not_found("Holdet"))?
        .name;
    let removed = team_members::Entity::delete_by_id((team, participant))
        .exec(&txn)
        .await
        .map_err(Error::db("removing a team membership"))?;
    if removed.rows_affected == 0 {
        return Err(Error::not_found("Medlemmet"));
    }
    let freed = seats::release_team_seats(&txn, actor, participant, team, today, now).await?;
    let entry = AuditEntry::new(AuditAction::Delete, "team_members")
        .entity(team)
        .participant(participant)
        .description(format!("Fjernet fra holdet {team_name} af en holdansvarlig ({freed} opgaver frigivet)"));
    audit::record(&txn, actor, entry).await?;
    txn.commit().await.map_err(Error::db("committing a team removal"))?;
    Ok(freed)
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
}

/// Who works at `location` on `date` in the active elections, and how many
/// seats there are still free. No addresses: the page they fill shows none,
/// so a protected address cannot leak from it.
pub async fn roster(db: &impl ConnectionTrait, location: Uuid, date: NaiveDate) -> Result<(Vec<RosterLine>, u64)> {
    let filter = OverviewFilter { work_location: Some(location), date: Some(date), ..OverviewFilter::default() };
    let mut lines = Vec::new();
    let mut free = 0;
    for election in active_elections(db).await? {
        for line in seats::seat_lines(db, election.id, filter).await? {
            match line.participant.clone() {
                Some((id, name)) => lines.push((id, name, line)),
                None => free += 1,
            }
        }
    }
    let ids: Vec<Uuid> = lines.iter().map(|(id, ..)| *id).collect();
    let mobiles: HashMap<Uuid, Option<String>> =
        people(db, &ids).await?.into_iter().map(|p| (p.id, p.mobile)).collect();
    let roster = lines
        .into_iter()
        .map(|(id, name, line)| RosterLine {
            name,
            mobile: mobiles.get(&id).cloned().flatten(),
            task_type: line.task_type,
            team: line.team,
            status: line.status,
        })
        .collect();
    Ok((roster, free))
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
