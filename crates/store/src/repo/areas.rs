//! Areas: the municipality's own grouping of work locations (constituency,
//! district, "Nord"). Every change writes its audit row in the same
//! transaction.

use std::collections::HashMap;

use chrono::Utc;
use domain::master::{DeleteRefusal, Name, danish_order, matches_search, may_delete_area};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
    TransactionSession,
};
use uuid::Uuid;

use super::catalogue::{self, Names};
use super::{Conn, begin_write};
use crate::entity::{areas, work_locations};
use crate::error::{Error, Result, Unique};
use crate::repo::audit::{Actor, AuditAction};

const TABLE: &str = "areas";
const WHAT: &str = "Området";

const NAMES: Names =
    Names { table: TABLE, key_column: "name_key", field: "name", taken: "Der findes allerede et område med det navn" };

const UNIQUE: &[Unique] = &[NAMES.unique()];

/// What staff enter for an area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaInput {
    pub name: Name,
    /// Free text, may be empty.
    pub description: String,
}

/// One row of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaSummary {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub work_locations: u64,
}

/// Areas whose name or description matches `search`, in Danish order.
pub async fn list(conn: &impl ConnectionTrait, search: &str) -> Result<Vec<AreaSummary>> {
    let counts = work_locations_per_area(conn).await?;
    let mut rows: Vec<AreaSummary> = areas::Entity::find()
        .all(conn)
        .await
        .map_err(Error::db("listing areas"))?
        .into_iter()
        .filter(|row| matches_search(&format!("{} {}", row.name, row.description), search))
        .map(|row| AreaSummary {
            id: row.id,
            work_locations: counts.get(&row.id).copied().unwrap_or(0),
            name: row.name,
            description: row.description,
        })
        .collect();
    rows.sort_by(|a, b| danish_order(&a.name, &b.name));
    Ok(rows)
}

/// Every area as (id, name), in Danish order: the choices of the work
/// location form.
pub async fn choices(conn: &impl ConnectionTrait) -> Result<Vec<(Uuid, String)>> {
    catalogue::choices::<areas::Entity>(conn, areas::Column::Id, areas::Column::Name).await
}

pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<areas::Model>> {
    areas::Entity::find_by_id(id).one(conn).await.map_err(Error::db("reading an area"))
}

pub async fn create<C: Conn>(db: &C, actor: &Actor, input: &AreaInput) -> Result<Uuid> {
    let txn = begin_write(db).await?;
    ensure_unique(&txn, None, &input.name).await?;
    let now = Utc::now();
    let id = Uuid::new_v4();
    let mut row = areas::ActiveModel { id: Set(id), created_at: Set(now), ..Default::default() };
    fill(&mut row, input);
    row.insert(&txn).await.map_err(Error::db_unique("creating an area", UNIQUE))?;
    catalogue::audit(&txn, actor, AuditAction::Create, TABLE, id, format!("Område oprettet: {}", input.name)).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(id)
}

pub async fn update<C: Conn>(db: &C, actor: &Actor, id: Uuid, input: &AreaInput) -> Result<()> {
    let txn = begin_write(db).await?;
    let old = get(&txn, id).await?.ok_or(Error::not_found(WHAT))?;
    ensure_unique(&txn, Some(id), &input.name).await?;
    let changes = describe_changes(&old, input);
    let mut row: areas::ActiveModel = old.into();
    fill(&mut row, input);
    row.update(&txn).await.map_err(Error::db_unique("updating an area", UNIQUE))?;
    if !changes.is_empty() {
        let text = format!("Område ændret: {} ({})", input.name, changes.join("; "));
        catalogue::audit(&txn, actor, AuditAction::Update, TABLE, id, text).await?;
    }
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(())
}

/// Why the area may not be deleted now, if anything stops it.
pub async fn delete_refusal(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<DeleteRefusal>> {
    let in_it = work_locations::Entity::find()
        .filter(work_locations::Column::AreaId.eq(id))
        .count(conn)
        .await
        .map_err(Error::db("counting work locations of an area"))?;
    let total = areas::Entity::find().count(conn).await.map_err(Error::db("counting areas"))?;
    Ok(may_delete_area(in_it, total).err())
}

/// Deletes the area, or refuses with `Error::Conflict { field: "delete", .. }`
/// while it has work locations or is the last one.
pub async fn delete<C: Conn>(db: &C, actor: &Actor, id: Uuid) -> Result<()> {
    let txn = begin_write(db).await?;
    let old = get(&txn, id).await?.ok_or(Error::not_found(WHAT))?;
    if let Some(refusal) = delete_refusal(&txn, id).await? {
        return Err(catalogue::refused(refusal));
    }
    areas::Entity::delete_by_id(id)
        .exec(&txn)
        .await
        // The foreign key from work locations is the backstop when one was
        // added to the area after the check.
        .map_err(catalogue::in_use(DeleteRefusal::AreaHasWorkLocations(1), "deleting an area"))?;
    catalogue::audit(&txn, actor, AuditAction::Delete, TABLE, id, format!("Område slettet: {}", old.name)).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(())
}

async fn ensure_unique(conn: &impl ConnectionTrait, except: Option<Uuid>, name: &Name) -> Result<()> {
    let existing = choices(conn).await?;
    NAMES.ensure_free(&existing, except, name, "et område med navnet")
}

fn fill(row: &mut areas::ActiveModel, input: &AreaInput) {
    row.name = Set(input.name.as_str().to_owned());
    row.name_key = Set(input.name.key());
    row.description = Set(input.description.trim().to_owned());
    row.updated_at = Set(Utc::now());
}

fn describe_changes(old: &areas::Model, new: &AreaInput) -> Vec<String> {
    let mut changes = Vec::new();
    if old.name != new.name.as_str() {
        changes.push(format!("navn var »{}«", old.name));
    }
    if old.description != new.description.trim() {
        changes.push("beskrivelse ændret".to_owned());
    }
    changes
}

async fn work_locations_per_area(conn: &impl ConnectionTrait) -> Result<HashMap<Uuid, u64>> {
    let rows: Vec<(Uuid, i64)> = work_locations::Entity::find()
        .select_only()
        .column(work_locations::Column::AreaId)
        .column_as(Expr::col(work_locations::Column::Id).count(), "n")
        .group_by(work_locations::Column::AreaId)
        .into_tuple()
        .all(conn)
        .await
        .map_err(Error::db("counting work locations per area"))?;
    Ok(rows.into_iter().map(|(id, n)| (id, u64::try_from(n).unwrap_or(0))).collect())
}
