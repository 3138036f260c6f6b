//! Teams (parties and groups that nominate participants) and their
//! responsibles. Every change writes its audit rows in the same transaction.

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;
use domain::master::{Name, danish_order, matches_search};
use domain::staffing::{StaffingRefusal, may_delete_team};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
    TransactionSession,
};
use uuid::Uuid;

use super::catalogue::{self, Names};
use super::staffing::{self, Change, Responsibles};
use super::{Conn, begin_write};
use crate::entity::{elections, seats, team_members, team_responsibles, teams};
use crate::error::{Error, Result, Unique};
use crate::repo::audit::{Actor, AuditAction};

const TABLE: &str = "teams";
const WHAT: &str = "Teamet";

const NAMES: Names =
    Names { table: TABLE, key_column: "name_key", field: "name", taken: "Der findes allerede et team med det navn" };

const UNIQUE: &[Unique] = &[NAMES.unique()];

const RESPONSIBLES: Responsibles = Responsibles { table: "team_responsibles", owner: "Team", role: "teamansvarlig" };

/// What staff enter for a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamInput {
    pub name: Name,
    pub short_name: Name,
    /// Free text, may be empty.
    pub description: String,
    /// Participants who get the team-responsible role in the portal.
    pub responsibles: BTreeSet<Uuid>,
}

/// One row of the team list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamSummary {
    pub id: Uuid,
    pub name: String,
    pub short_name: String,
    pub members: u64,
    pub responsibles: u64,
}

/// A team with its responsibles, for the edit form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub team: teams::Model,
    pub responsibles: BTreeSet<Uuid>,
}

/// Teams whose name, short name or description matches `search`, in Danish
/// order.
pub async fn list(conn: &impl ConnectionTrait, search: &str) -> Result<Vec<TeamSummary>> {
    let members = count_per_team::<team_members::Entity>(conn, team_members::Column::TeamId).await?;
    let responsibles = count_per_team::<team_responsibles::Entity>(conn, team_responsibles::Column::TeamId).await?;
    let mut rows: Vec<TeamSummary> = teams::Entity::find()
        .all(conn)
        .await
        .map_err(Error::db("listing teams"))?
        .into_iter()
        .filter(|t| matches_search(&format!("{} {} {}", t.name, t.short_name, t.description), search))
        .map(|t| TeamSummary {
            id: t.id,
            members: members.get(&t.id).copied().unwrap_or(0),
            responsibles: responsibles.get(&t.id).copied().unwrap_or(0),
            name: t.name,
            short_name: t.short_name,
        })
        .collect();
    rows.sort_by(|a, b| danish_order(&a.name, &b.name));
    Ok(rows)
}

/// Every team as (id, name), in Danish order: the choices of a checkbox list.
pub async fn choices(conn: &impl ConnectionTrait) -> Result<Vec<(Uuid, String)>> {
    catalogue::choices::<teams::Entity>(conn, teams::Column::Id, teams::Column::Name).await
}

pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Team>> {
    let Some(team) = teams::Entity::find_by_id(id).one(conn).await.map_err(Error::db("reading a team"))? else {
        return Ok(None);
    };
    let responsibles = responsibles_of(conn, id).await?;
    Ok(Some(Team { team, responsibles }))
}

pub async fn create<C: Conn>(db: &C, actor: &Actor, input: &TeamInput) -> Result<Uuid> {
    let txn = begin_write(db).await?;
    ensure_unique(&txn, None, &input.name).await?;
    let now = Utc::now();
    let id = Uuid::new_v4();
    let mut row = teams::ActiveModel { id: Set(id), created_at: Set(now), ..Default::default() };
    fill(&mut row, input);
    row.insert(&txn).await.map_err(Error::db_unique("creating a team", UNIQUE))?;
    catalogue::audit(&txn, actor, AuditAction::Create, TABLE, id, format!("Team oprettet: {}", input.name)).await?;
    set_responsibles(&txn, actor, id, input).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(id)
}

pub async fn update<C: Conn>(db: &C, actor: &Actor, id: Uuid, input: &TeamInput) -> Result<()> {
    let txn = begin_write(db).await?;
    let old = find(&txn, id).await?;
    ensure_unique(&txn, Some(id), &input.name).await?;
    let changes = describe_changes(&old, input);
    let mut row: teams::ActiveModel = old.into();
    fill(&mut row, input);
    row.update(&txn).await.map_err(Error::db_unique("updating a team", UNIQUE))?;
    if !changes.is_empty() {
        let text = format!("Team ændret: {} ({})", input.name, changes.join("; "));
        catalogue::audit(&txn, actor, AuditAction::Update, TABLE, id, text).await?;
    }
    set_responsibles(&txn, actor, id, input).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(())
}

/// Why the team may not be deleted now, if anything stops it.
pub async fn delete_refusal(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<StaffingRefusal>> {
    let active = active_elections_with_seats(conn, id).await?;
    let stranded = members_only_here(conn, id).await?;
    Ok(may_delete_team(active, stranded).err())
}

/// How many seats (in inactive elections, or it could not be deleted) go with
/// the team.
pub async fn seat_count(conn: &impl ConnectionTrait, id: Uuid) -> Result<u64> {
    seats::Entity::find()
        .filter(seats::Column::TeamId.eq(id))
        .count(conn)
        .await
        .map_err(Error::db("counting the seats of a team"))
}

/// Deletes the team with its seats, or refuses with
/// `Error::Conflict { field: "delete", .. }` (see [`delete_refusal`]).
pub async fn delete<C: Conn>(db: &C, actor: &Actor, id: Uuid) -> Result<()> {
    let txn = begin_write(db).await?;
    let old = find(&txn, id).await?;
    if let Some(refusal) = delete_refusal(&txn, id).await? {
        return Err(staffing::refused(refusal));
    }
    let seats = seat_count(&txn, id).await?;
    teams::Entity::delete_by_id(id).exec(&txn).await.map_err(Error::db("deleting a team"))?;
    let text = format!("Team slettet: {} ({seats} opgaver slettet med)", old.name);
    catalogue::audit(&txn, actor, AuditAction::Delete, TABLE, id, text).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(())
}

async fn find(conn: &impl ConnectionTrait, id: Uuid) -> Result<teams::Model> {
    teams::Entity::find_by_id(id).one(conn).await.map_err(Error::db("reading a team"))?.ok_or(Error::not_found(WHAT))
}

async fn ensure_unique(conn: &impl ConnectionTrait, except: Option<Uuid>, name: &Name) -> Result<()> {
    let existing = choices(conn).await?;
    NAMES.ensure_free(&existing, except, name, "et team med navnet")
}

fn fill(row: &mut teams::ActiveModel, input: &TeamInput) {
    row.name = Set(input.name.as_str().to_owned());
    row.name_key = Set(input.name.key());
    row.short_name = Set(input.short_name.as_str().to_owned());
    row.description = Set(input.description.trim().to_owned());
    row.updated_at = Set(Utc::now());
}

fn describe_changes(old: &teams::Model, new: &TeamInput) -> Vec<String> {
    let mut changes = Vec::new();
    if old.name != new.name.as_str() {
        changes.push(format!("navn var »{}«", old.name));
    }
    if old.short_name != new.short_name.as_str() {
        changes.push(format!("kort navn var »{}«", old.short_name));
    }
    if old.description != new.description.trim() {
        changes.push("beskrivelse ændret".to_owned());
    }
    changes
}

async fn responsibles_of(conn: &impl ConnectionTrait, id: Uuid) -> Result<BTreeSet<Uuid>> {
    let ids: Vec<Uuid> = team_responsibles::Entity::find()
        .select_only()
        .column(team_responsibles::Column::ParticipantId)
        .filter(team_responsibles::Column::TeamId.eq(id))
        .into_tuple()
        .all(conn)
        .await
        .map_err(Error::db("reading team responsibles"))?;
    Ok(ids.into_iter().collect())
}

async fn set_responsibles(conn: &impl ConnectionTrait, actor: &Actor, id: Uuid, input: &TeamInput) -> Result<()> {
    let current = responsibles_of(conn, id).await?;
    for change in staffing::diff(&current, &input.responsibles) {
        // The audit step also checks that the participant exists.
        RESPONSIBLES.audit(conn, actor, id, input.name.as_str(), change).await?;
        match change {
            Change::Added(participant) => {
                team_responsibles::ActiveModel { team_id: Set(id), participant_id: Set(participant) }
                    .insert(conn)
                    .await
                    .map_err(Error::db("adding a team responsible"))?;
            }
            Change::Removed(participant) => {
                team_responsibles::Entity::delete_by_id((id, participant))
                    .exec(conn)
                    .await
                    .map_err(Error::db("removing a team responsible"))?;
            }
        }
    }
    Ok(())
}

async fn count_per_team<E: EntityTrait>(conn: &impl ConnectionTrait, team: E::Column) -> Result<HashMap<Uuid, u64>> {
    let rows: Vec<(Uuid, i64)> = E::find()
        .select_only()
        .column(team)
        .column_as(Expr::col(team).count(), "n")
        .group_by(team)
        .into_tuple()
        .all(conn)
        .await
        .map_err(Error::db("counting per team"))?;
    Ok(rows.into_iter().map(|(id, n)| (id, u64::try_from(n).unwrap_or(0))).collect())
}

/// How many active elections have seats for the team.
async fn active_elections_with_seats(conn: &impl ConnectionTrait, team_id: Uuid) -> Result<u64> {
    let active = Query::select()
        .column(elections::Column::Id)
        .from(elections::Entity)
        .and_where(elections::Column::Active.eq(true))
        .take();
    let ids: Vec<Uuid> = seats::Entity::find()
        .select_only()
        .column(seats::Column::ElectionId)
        .distinct()
        .filter(seats::Column::TeamId.eq(team_id))
        .filter(seats::Column::ElectionId.in_subquery(active))
        .into_tuple()
        .all(conn)
        .await
        .map_err(Error::db("finding active elections of a team"))?;
    Ok(ids.len() as u64)
}

/// Members for whom this is their only team.
async fn members_only_here(conn: &impl ConnectionTrait, team_id: Uuid) -> Result<u64> {
    let other = Alias::new("other");
    let in_another_team = Query::select()
        .expr(Expr::val(1))
        .from_as(team_members::Entity, other.clone())
        .and_where(
            Expr::col((other.clone(), team_members::Column::ParticipantId))
                .equals((team_members::Entity, team_members::Column::ParticipantId)),
        )
        .and_where(Expr::col((other, team_members::Column::TeamId)).ne(team_id))
        .take();
    team_members::Entity::find()
        .filter(team_members::Column::TeamId.eq(team_id))
        .filter(Expr::not_exists(in_another_team))
        .count(conn)
        .await
        .map_err(Error::db("counting members only in a team"))
}
