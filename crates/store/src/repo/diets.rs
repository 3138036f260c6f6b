//! Special diets participants may choose. Every change writes its audit row
//! in the same transaction.

use std::collections::HashMap;

use chrono::Utc;
use domain::master::{Name, danish_order, diet_delete_warning, matches_search};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
    TransactionSession,
};
use uuid::Uuid;

use super::catalogue::{self, Names};
use super::{Conn, begin_write};
use crate::entity::{elections, participant_diets, special_diets};
use crate::error::{Error, Result, Unique};
use crate::repo::audit::{Actor, AuditAction};

const TABLE: &str = "special_diets";
const WHAT: &str = "Specialkosten";

const NAMES: Names = Names {
    table: TABLE,
    key_column: "title_key",
    field: "title",
    taken: "Der findes allerede en specialkost med den titel",
};

const UNIQUE: &[Unique] = &[NAMES.unique()];

/// What staff enter for a special diet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DietInput {
    pub title: Name,
}

/// One row of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DietSummary {
    pub id: Uuid,
    pub title: String,
    /// Participants who have chosen it.
    pub participants: u64,
}

/// Special diets whose title matches `search`, in Danish order.
pub async fn list(conn: &impl ConnectionTrait, search: &str) -> Result<Vec<DietSummary>> {
    let counts = participants_per_diet(conn).await?;
    let mut rows: Vec<DietSummary> = special_diets::Entity::find()
        .all(conn)
        .await
        .map_err(Error::db("listing special diets"))?
        .into_iter()
        .filter(|row| matches_search(&row.title, search))
        .map(|row| DietSummary {
            id: row.id,
            participants: counts.get(&row.id).copied().unwrap_or(0),
            title: row.title,
        })
        .collect();
    rows.sort_by(|a, b| danish_order(&a.title, &b.title));
    Ok(rows)
}

/// Every special diet as (id, title), in Danish order: the choices of the
/// participant forms.
pub async fn choices(conn: &impl ConnectionTrait) -> Result<Vec<(Uuid, String)>> {
    catalogue::choices::<special_diets::Entity>(conn, special_diets::Column::Id, special_diets::Column::Title).await
}

pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<special_diets::Model>> {
    special_diets::Entity::find_by_id(id).one(conn).await.map_err(Error::db("reading a special diet"))
}

pub async fn create<C: Conn>(db: &C, actor: &Actor, input: &DietInput) -> Result<Uuid> {
    let txn = begin_write(db).await?;
    ensure_unique(&txn, None, &input.title).await?;
    let now = Utc::now();
    let id = Uuid::new_v4();
    let mut row = special_diets::ActiveModel { id: Set(id), created_at: Set(now), ..Default::default() };
    fill(&mut row, input);
    row.insert(&txn).await.map_err(Error::db_unique("creating a special diet", UNIQUE))?;
    let text = format!("Specialkost oprettet: {}", input.title);
    catalogue::audit(&txn, actor, AuditAction::Create, TABLE, id, text).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(id)
}

pub async fn update<C: Conn>(db: &C, actor: &Actor, id: Uuid, input: &DietInput) -> Result<()> {
    let txn = begin_write(db).await?;
    let old = get(&txn, id).await?.ok_or(Error::not_found(WHAT))?;
    ensure_unique(&txn, Some(id), &input.title).await?;
    let renamed = old.title != input.title.as_str();
    let old_title = old.title.clone();
    let mut row: special_diets::ActiveModel = old.into();
    fill(&mut row, input);
    row.update(&txn).await.map_err(Error::db_unique("updating a special diet", UNIQUE))?;
    if renamed {
        let text = format!("Specialkost ændret: {} (titel var »{old_title}«)", input.title);
        catalogue::audit(&txn, actor, AuditAction::Update, TABLE, id, text).await?;
    }
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(())
}

/// The warning to show before deleting, while any election is active.
pub async fn delete_warning(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<String>> {
    let active = elections::Entity::find()
        .filter(elections::Column::Active.eq(true))
        .count(conn)
        .await
        .map_err(Error::db("counting active elections"))?;
    Ok(diet_delete_warning(active, participants_with(conn, id).await?))
}

/// Deletes the diet and removes it from every participant who had chosen
/// it; returns how many that were.
pub async fn delete<C: Conn>(db: &C, actor: &Actor, id: Uuid) -> Result<u64> {
    let txn = begin_write(db).await?;
    let old = get(&txn, id).await?.ok_or(Error::not_found(WHAT))?;
    // Explicit rather than left to ON DELETE CASCADE, so the audit row can
    // say how many people lost it.
    let removed = participant_diets::Entity::delete_many()
        .filter(participant_diets::Column::DietId.eq(id))
        .exec(&txn)
        .await
        .map_err(Error::db("removing a special diet from participants"))?
        .rows_affected;
    special_diets::Entity::delete_by_id(id).exec(&txn).await.map_err(Error::db("deleting a special diet"))?;
    let people = if removed == 1 { "1 deltager".to_owned() } else { format!("{removed} deltagere") };
    let text = format!("Specialkost slettet: {} (fjernet fra {people})", old.title);
    catalogue::audit(&txn, actor, AuditAction::Delete, TABLE, id, text).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(removed)
}

async fn ensure_unique(conn: &impl ConnectionTrait, except: Option<Uuid>, title: &Name) -> Result<()> {
    let existing = choices(conn).await?;
    NAMES.ensure_free(&existing, except, title, "en specialkost med titlen")
}

fn fill(row: &mut special_diets::ActiveModel, input: &DietInput) {
    row.title = Set(input.title.as_str().to_owned());
    row.title_key = Set(input.title.key());
    row.updated_at = Set(Utc::now());
}

async fn participants_with(conn: &impl ConnectionTrait, id: Uuid) -> Result<u64> {
    participant_diets::Entity::find()
        .filter(participant_diets::Column::DietId.eq(id))
        .count(conn)
        .await
        .map_err(Error::db("counting participants with a special diet"))
}

async fn participants_per_diet(conn: &impl ConnectionTrait) -> Result<HashMap<Uuid, u64>> {
    let rows: Vec<(Uuid, i64)> = participant_diets::Entity::find()
        .select_only()
        .column(participant_diets::Column::DietId)
        .column_as(Expr::col(participant_diets::Column::ParticipantId).count(), "n")
        .group_by(participant_diets::Column::DietId)
        .into_tuple()
        .all(conn)
        .await
        .map_err(Error::db("counting participants per special diet"))?;
    Ok(rows.into_iter().map(|(id, n)| (id, u64::try_from(n).unwrap_or(0))).collect())
}
