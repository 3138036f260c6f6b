//! Work locations (polling places), the task types and teams that apply at
//! each, and their responsibles. Every change writes its audit rows in the
//! same transaction.

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;
use domain::PostalCode;
use domain::master::{Name, danish_order, matches_search};
use domain::staffing::{StaffingRefusal, may_change_staffing, may_delete_work_location};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
    TransactionSession,
};
use uuid::Uuid;

use super::catalogue::{self, Names};
use super::staffing::{self, Change, Responsibles};
use super::{Conn, begin_write};
use crate::entity::{
    areas, election_work_locations, elections, seats, work_location_responsibles, work_location_task_types,
    work_location_teams, work_locations,
};
use crate::error::{Error, Result, Unique};
use crate::repo::audit::{Actor, AuditAction};

const TABLE: &str = "work_locations";
const WHAT: &str = "Arbejdsstedet";

const NAMES: Names = Names {
    table: TABLE,
    key_column: "title_key",
    field: "title",
    taken: "Der findes allerede et arbejdssted med den titel",
};

const UNIQUE: &[Unique] = &[NAMES.unique()];

const RESPONSIBLES: Responsibles =
    Responsibles { table: "work_location_responsibles", owner: "Arbejdssted", role: "arbejdsstedsansvarlig" };

/// What staff enter for a work location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkLocationInput {
    pub title: Name,
    pub area_id: Uuid,
    pub address: Name,
    pub postal_code: PostalCode,
    pub city: Name,
    /// "Afstemningsområde" number.
    pub vote_location: Option<u32>,
    pub task_types: BTreeSet<Uuid>,
    pub teams: BTreeSet<Uuid>,
    pub responsibles: BTreeSet<Uuid>,
}

/// One row of the work-location list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkLocationSummary {
    pub id: Uuid,
    pub title: String,
    pub area: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub vote_location: Option<i32>,
    pub active_elections: u64,
}

/// A work location with what applies at it, for the edit form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkLocation {
    pub work_location: work_locations::Model,
    pub task_types: BTreeSet<Uuid>,
    pub teams: BTreeSet<Uuid>,
    pub responsibles: BTreeSet<Uuid>,
    /// While non-zero, task types and teams cannot be changed.
    pub active_elections: u64,
}

/// Work locations whose title, area, address, postal code or city matches
/// `search`, in Danish order.
pub async fn list(conn: &impl ConnectionTrait, search: &str) -> Result<Vec<WorkLocationSummary>> {
    let areas: HashMap<Uuid, String> =
        catalogue::choices::<areas::Entity>(conn, areas::Column::Id, areas::Column::Name).await?.into_iter().collect();
    let active = active_elections_per_location(conn).await?;
    let mut rows: Vec<WorkLocationSummary> = work_locations::Entity::find()
        .all(conn)
        .await
        .map_err(Error::db("listing work locations"))?
        .into_iter()
        .map(|w| WorkLocationSummary {
            area: areas.get(&w.area_id).cloned().unwrap_or_default(),
            active_elections: active.get(&w.id).copied().unwrap_or(0),
            id: w.id,
            title: w.title,
            address: w.address,
            postal_code: w.postal_code,
            city: w.city,
            vote_location: w.vote_location,
        })
        .filter(|w| {
            matches_search(&format!("{} {} {} {} {}", w.title, w.area, w.address, w.postal_code, w.city), search)
        })
        .collect();
    rows.sort_by(|a, b| danish_order(&a.title, &b.title));
    Ok(rows)
}

pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<WorkLocation>> {
    let found = work_locations::Entity::find_by_id(id).one(conn).await.map_err(Error::db("reading a work location"))?;
    let Some(work_location) = found else { return Ok(None) };
    Ok(Some(WorkLocation {
        work_location,
        task_types: task_types_of(conn, id).await?,
        teams: teams_of(conn, id).await?,
        responsibles: responsibles_of(conn, id).await?,
        active_elections: active_elections(conn, id).await?,
    }))
}

pub async fn create<C: Conn>(db: &C, actor: &Actor, input: &WorkLocationInput) -> Result<Uuid> {
    let txn = begin_write(db).await?;
    ensure_unique(&txn, None, &input.title).await?;
    ensure_area(&txn, input.area_id).await?;
    let now = Utc::now();
    let id = Uuid::new_v4();
    let mut row = work_locations::ActiveModel { id: Set(id), created_at: Set(now), ..Default::default() };
    fill(&mut row, input);
    row.insert(&txn).await.map_err(Error::db_unique("creating a work location", UNIQUE))?;
    let text = format!("Arbejdssted oprettet: {} ({})", input.title, address_line(input));
    catalogue::audit(&txn, actor, AuditAction::Create, TABLE, id, text).await?;
    set_task_types(&txn, id, &input.task_types).await?;
    set_teams(&txn, id, &input.teams).await?;
    set_responsibles(&txn, actor, id, input).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(id)
}

/// Saves the work location. While it is part of an active election a change
/// of its task types or teams is refused with
/// `Error::Conflict { field: "task_types" | "teams", .. }`.
pub async fn update<C: Conn>(db: &C, actor: &Actor, id: Uuid, input: &WorkLocationInput) -> Result<()> {
    let txn = begin_write(db).await?;
    let old = find(&txn, id).await?;
    ensure_unique(&txn, Some(id), &input.title).await?;
    ensure_area(&txn, input.area_id).await?;
    let task_types_changed = task_types_of(&txn, id).await? != input.task_types;
    let teams_changed = teams_of(&txn, id).await? != input.teams;
    if task_types_changed || teams_changed {
        let field = if task_types_changed { "task_types" } else { "teams" };
        may_change_staffing(active_elections(&txn, id).await?)
            .map_err(|refusal| Error::conflict(field, refusal.to_string()))?;
    }
    let mut changes = describe_changes(&old, input);
    if task_types_changed {
        changes.push("opgavetyper ændret".to_owned());
        set_task_types(&txn, id, &input.task_types).await?;
    }
    if teams_changed {
        changes.push("teams ændret".to_owned());
        set_teams(&txn, id, &input.teams).await?;
    }
    let moved = (old.address.as_str(), old.postal_code.as_str(), old.city.as_str())
        != (input.address.as_str(), input.postal_code.as_str(), input.city.as_str());
    let mut row: work_locations::ActiveModel = old.into();
    fill(&mut row, input);
    row.update(&txn).await.map_err(Error::db_unique("updating a work location", UNIQUE))?;
    if moved {
        super::seats::changed::notify(&txn, super::seats::changed::Changed::WorkLocation(id), Utc::now()).await?;
    }
    if !changes.is_empty() {
        let text = format!("Arbejdssted ændret: {} ({})", input.title, changes.join("; "));
        catalogue::audit(&txn, actor, AuditAction::Update, TABLE, id, text).await?;
    }
    set_responsibles(&txn, actor, id, input).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(())
}

/// Why the work location may not be deleted now, if anything stops it.
pub async fn delete_refusal(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<StaffingRefusal>> {
    Ok(may_delete_work_location(active_elections(conn, id).await?).err())
}

/// How many seats (all in inactive elections, or it could not be deleted)
/// go with the work location.
pub async fn seat_count(conn: &impl ConnectionTrait, id: Uuid) -> Result<u64> {
    seats::Entity::find()
        .filter(seats::Column::WorkLocationId.eq(id))
        .count(conn)
        .await
        .map_err(Error::db("counting the seats of a work location"))
}

/// Deletes the work location with its seats, or refuses with
/// `Error::Conflict { field: "delete", .. }` while an active election
/// includes it.
pub async fn delete<C: Conn>(db: &C, actor: &Actor, id: Uuid) -> Result<()> {
    let txn = begin_write(db).await?;
    let old = find(&txn, id).await?;
    if let Some(refusal) = delete_refusal(&txn, id).await? {
        return Err(staffing::refused(refusal));
    }
    let seats = seat_count(&txn, id).await?;
    work_locations::Entity::delete_by_id(id).exec(&txn).await.map_err(Error::db("deleting a work location"))?;
    let text = format!("Arbejdssted slettet: {} ({seats} opgaver slettet med)", old.title);
    catalogue::audit(&txn, actor, AuditAction::Delete, TABLE, id, text).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(())
}

/// How many active elections include the work location.
pub async fn active_elections(conn: &impl ConnectionTrait, id: Uuid) -> Result<u64> {
    election_work_locations::Entity::find()
        .filter(election_work_locations::Column::WorkLocationId.eq(id))
        .filter(election_work_locations::Column::ElectionId.in_subquery(active_election_ids()))
        .count(conn)
        .await
        .map_err(Error::db("counting active elections of a work location"))
}

fn active_election_ids() -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(elections::Column::Id)
        .from(elections::Entity)
        .and_where(elections::Column::Active.eq(true))
        .take()
}

async fn active_elections_per_location(conn: &impl ConnectionTrait) -> Result<HashMap<Uuid, u64>> {
    let rows: Vec<Uuid> = election_work_locations::Entity::find()
        .select_only()
        .column(election_work_locations::Column::WorkLocationId)
        .filter(election_work_locations::Column::ElectionId.in_subquery(active_election_ids()))
        .into_tuple()
        .all(conn)
        .await
        .map_err(Error::db("finding work locations in active elections"))?;
    let mut counts = HashMap::new();
    for id in rows {
        *counts.entry(id).or_insert(0) += 1;
    }
    Ok(counts)
}

async fn find(conn: &impl ConnectionTrait, id: Uuid) -> Result<work_locations::Model> {
    work_locations::Entity::find_by_id(id)
        .one(conn)
        .await
        .map_err(Error::db("reading a work location"))?
        .ok_or(Error::not_found(WHAT))
}

async fn ensure_unique(conn: &impl ConnectionTrait, except: Option<Uuid>, title: &Name) -> Result<()> {
    let existing =
        catalogue::choices::<work_locations::Entity>(conn, work_locations::Column::Id, work_locations::Column::Title)
            .await?;
    NAMES.ensure_free(&existing, except, title, "et arbejdssted med titlen")
}

async fn ensure_area(conn: &impl ConnectionTrait, area_id: Uuid) -> Result<()> {
    let found = areas::Entity::find_by_id(area_id).one(conn).await.map_err(Error::db("reading an area"))?;
    if found.is_none() {
        return Err(Error::conflict("area_id", "Vælg et område"));
    }
    Ok(())
}

fn address_line(input: &WorkLocationInput) -> String {
    format!("{}, {} {}", input.address, input.postal_code, input.city)
}

fn vote_location(input: &WorkLocationInput) -> Option<i32> {
    input.vote_location.map(|n| i32::try_from(n).unwrap_or(i32::MAX))
}

fn fill(row: &mut work_locations::ActiveModel, input: &WorkLocationInput) {
    row.title = Set(input.title.as_str().to_owned());
    row.title_key = Set(input.title.key());
    row.area_id = Set(input.area_id);
    row.address = Set(input.address.as_str().to_owned());
    row.postal_code = Set(input.postal_code.as_str().to_owned());
    row.city = Set(input.city.as_str().to_owned());
    row.vote_location = Set(vote_location(input));
    row.updated_at = Set(Utc::now());
}

fn describe_changes(old: &work_locations::Model, new: &WorkLocationInput) -> Vec<String> {
    let mut changes = Vec::new();
    if old.title != new.title.as_str() {
        changes.push(format!("titel var »{}«", old.title));
    }
    if old.area_id != new.area_id {
        changes.push("område ændret".to_owned());
    }
    let old_address = format!("{}, {} {}", old.address, old.postal_code, old.city);
    if old_address != address_line(new) {
        changes.push(format!("adresse var »{old_address}«"));
    }
    if old.vote_location != vote_location(new) {
        changes.push("afstemningsområde ændret".to_owned());
    }
    changes
}

async fn ids_of<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    owner: E::Column,
    id: Uuid,
    wanted: E::Column,
) -> Result<BTreeSet<Uuid>> {
    let ids: Vec<Uuid> = E::find()
        .select_only()
        .column(wanted)
        .filter(owner.eq(id))
        .into_tuple()
        .all(conn)
        .await
        .map_err(Error::db("reading what applies at a work location"))?;
    Ok(ids.into_iter().collect())
}

async fn task_types_of(conn: &impl ConnectionTrait, id: Uuid) -> Result<BTreeSet<Uuid>> {
    use work_location_task_types::Column as C;
    ids_of::<work_location_task_types::Entity>(conn, C::WorkLocationId, id, C::TaskTypeId).await
}

async fn teams_of(conn: &impl ConnectionTrait, id: Uuid) -> Result<BTreeSet<Uuid>> {
    use work_location_teams::Column as C;
    ids_of::<work_location_teams::Entity>(conn, C::WorkLocationId, id, C::TeamId).await
}

async fn responsibles_of(conn: &impl ConnectionTrait, id: Uuid) -> Result<BTreeSet<Uuid>> {
    use work_location_responsibles::Column as C;
    ids_of::<work_location_responsibles::Entity>(conn, C::WorkLocationId, id, C::ParticipantId).await
}

/// A task type or team that no longer exists is refused next to its list.
fn missing_choice(field: &'static str) -> impl FnOnce(sea_orm::DbErr) -> Error {
    move |err| {
        if crate::error::violates_foreign_key(&err) {
            Error::conflict(field, "En af de valgte findes ikke længere. Indlæs siden igen.")
        } else {
            Error::db("linking a work location")(err)
        }
    }
}

async fn set_task_types(conn: &impl ConnectionTrait, id: Uuid, wanted: &BTreeSet<Uuid>) -> Result<()> {
    for change in staffing::diff(&task_types_of(conn, id).await?, wanted) {
        match change {
            Change::Added(task_type) => {
                work_location_task_types::ActiveModel { work_location_id: Set(id), task_type_id: Set(task_type) }
                    .insert(conn)
                    .await
                    .map_err(missing_choice("task_types"))?;
            }
            Change::Removed(task_type) => {
                work_location_task_types::Entity::delete_by_id((id, task_type))
                    .exec(conn)
                    .await
                    .map_err(Error::db("unlinking a task type"))?;
            }
        }
    }
    Ok(())
}

async fn set_teams(conn: &impl ConnectionTrait, id: Uuid, wanted: &BTreeSet<Uuid>) -> Result<()> {
    for change in staffing::diff(&teams_of(conn, id).await?, wanted) {
        match change {
            Change::Added(team) => {
                work_location_teams::ActiveModel { work_location_id: Set(id), team_id: Set(team) }
                    .insert(conn)
                    .await
                    .map_err(missing_choice("teams"))?;
            }
            Change::Removed(team) => {
                work_location_teams::Entity::delete_by_id((id, team))
                    .exec(conn)
                    .await
                    .map_err(Error::db("unlinking a team"))?;
            }
        }
    }
    Ok(())
}

async fn set_responsibles(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    input: &WorkLocationInput,
) -> Result<()> {
    for change in staffing::diff(&responsibles_of(conn, id).await?, &input.responsibles) {
        // The audit step also checks that the participant exists.
        RESPONSIBLES.audit(conn, actor, id, input.title.as_str(), change).await?;
        match change {
            Change::Added(participant) => {
                work_location_responsibles::ActiveModel { work_location_id: Set(id), participant_id: Set(participant) }
                    .insert(conn)
                    .await
                    .map_err(Error::db("adding a work-location responsible"))?;
            }
            Change::Removed(participant) => {
                work_location_responsibles::Entity::delete_by_id((id, participant))
                    .exec(conn)
                    .await
                    .map_err(Error::db("removing a work-location responsible"))?;
            }
        }
    }
    Ok(())
}
