//! Election types and the eligibility rules each applies. Every change
//! writes its audit row in the same transaction.

use std::collections::HashMap;

use chrono::Utc;
use domain::RuleSet;
use domain::master::{DeleteRefusal, Name, danish_order, matches_search, may_delete_election_type};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
    TransactionSession,
};
use uuid::Uuid;

use super::catalogue::{self, Names};
use super::{Conn, begin_write};
use crate::entity::{election_types, elections};
use crate::error::{Error, Result, Unique};
use crate::repo::audit::{Actor, AuditAction};

const TABLE: &str = "election_types";
const WHAT: &str = "Valgtypen";

const NAMES: Names = Names {
    table: TABLE,
    key_column: "title_key",
    field: "title",
    taken: "Der findes allerede en valgtype med den titel",
};

const UNIQUE: &[Unique] = &[NAMES.unique()];

/// What staff enter for an election type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectionTypeInput {
    pub title: Name,
    /// The optional rules; Alive always applies and is not in here.
    pub rules: RuleSet,
}

/// One row of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectionTypeSummary {
    pub id: Uuid,
    pub title: String,
    pub rules: RuleSet,
    /// Elections, active or not, of this type.
    pub elections: u64,
}

/// The rules an election type row applies.
pub fn rules_of(row: &election_types::Model) -> RuleSet {
    RuleSet {
        age18: row.rule_age18,
        resident_in_municipality: row.rule_resident_in_municipality,
        danish_citizen: row.rule_danish_citizen,
        not_under_guardianship: row.rule_not_under_guardianship,
    }
}

/// Election types whose title matches `search`, in Danish order.
pub async fn list(conn: &impl ConnectionTrait, search: &str) -> Result<Vec<ElectionTypeSummary>> {
    let counts = elections_per_type(conn).await?;
    let mut rows: Vec<ElectionTypeSummary> = election_types::Entity::find()
        .all(conn)
        .await
        .map_err(Error::db("listing election types"))?
        .into_iter()
        .filter(|row| matches_search(&row.title, search))
        .map(|row| ElectionTypeSummary {
            id: row.id,
            rules: rules_of(&row),
            elections: counts.get(&row.id).copied().unwrap_or(0),
            title: row.title,
        })
        .collect();
    rows.sort_by(|a, b| danish_order(&a.title, &b.title));
    Ok(rows)
}

/// Every election type as (id, title), in Danish order: the choices of the
/// election form.
pub async fn choices(conn: &impl ConnectionTrait) -> Result<Vec<(Uuid, String)>> {
    catalogue::choices::<election_types::Entity>(conn, election_types::Column::Id, election_types::Column::Title).await
}

pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<election_types::Model>> {
    election_types::Entity::find_by_id(id).one(conn).await.map_err(Error::db("reading an election type"))
}

pub async fn create<C: Conn>(db: &C, actor: &Actor, input: &ElectionTypeInput) -> Result<Uuid> {
    let txn = begin_write(db).await?;
    ensure_unique(&txn, None, &input.title).await?;
    let now = Utc::now();
    let id = Uuid::new_v4();
    let mut row = election_types::ActiveModel { id: Set(id), created_at: Set(now), ..Default::default() };
    fill(&mut row, input);
    row.insert(&txn).await.map_err(Error::db_unique("creating an election type", UNIQUE))?;
    let text = format!("Valgtype oprettet: {} ({})", input.title, describe_rules(input.rules));
    catalogue::audit(&txn, actor, AuditAction::Create, TABLE, id, text).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(id)
}

pub async fn update<C: Conn>(db: &C, actor: &Actor, id: Uuid, input: &ElectionTypeInput) -> Result<()> {
    let txn = begin_write(db).await?;
    let old = get(&txn, id).await?.ok_or(Error::not_found(WHAT))?;
    ensure_unique(&txn, Some(id), &input.title).await?;
    let changes = describe_changes(&old, input);
    let mut row: election_types::ActiveModel = old.into();
    fill(&mut row, input);
    row.update(&txn).await.map_err(Error::db_unique("updating an election type", UNIQUE))?;
    if !changes.is_empty() {
        let text = format!("Valgtype ændret: {} ({})", input.title, changes.join("; "));
        catalogue::audit(&txn, actor, AuditAction::Update, TABLE, id, text).await?;
    }
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(())
}

/// Why the election type may not be deleted now, if anything stops it.
pub async fn delete_refusal(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<DeleteRefusal>> {
    let using = elections::Entity::find()
        .filter(elections::Column::ElectionTypeId.eq(id))
        .count(conn)
        .await
        .map_err(Error::db("counting elections of a type"))?;
    Ok(may_delete_election_type(using).err())
}

/// Deletes the election type, or refuses with
/// `Error::Conflict { field: "delete", .. }` while any election uses it.
pub async fn delete<C: Conn>(db: &C, actor: &Actor, id: Uuid) -> Result<()> {
    let txn = begin_write(db).await?;
    let old = get(&txn, id).await?.ok_or(Error::not_found(WHAT))?;
    if let Some(refusal) = delete_refusal(&txn, id).await? {
        return Err(catalogue::refused(refusal));
    }
    election_types::Entity::delete_by_id(id)
        .exec(&txn)
        .await
        // The foreign key from elections is the backstop when an election of
        // this type was created after the check.
        .map_err(catalogue::in_use(DeleteRefusal::ElectionTypeInUse(1), "deleting an election type"))?;
    catalogue::audit(&txn, actor, AuditAction::Delete, TABLE, id, format!("Valgtype slettet: {}", old.title)).await?;
    txn.commit().await.map_err(Error::db("committing"))?;
    Ok(())
}

async fn ensure_unique(conn: &impl ConnectionTrait, except: Option<Uuid>, title: &Name) -> Result<()> {
    let existing =
        catalogue::choices::<election_types::Entity>(conn, election_types::Column::Id, election_types::Column::Title)
            .await?;
    NAMES.ensure_free(&existing, except, title, "en valgtype med titlen")
}

fn fill(row: &mut election_types::ActiveModel, input: &ElectionTypeInput) {
    row.title = Set(input.title.as_str().to_owned());
    row.title_key = Set(input.title.key());
    row.rule_age18 = Set(input.rules.age18);
    row.rule_resident_in_municipality = Set(input.rules.resident_in_municipality);
    row.rule_danish_citizen = Set(input.rules.danish_citizen);
    row.rule_not_under_guardianship = Set(input.rules.not_under_guardianship);
    row.updated_at = Set(Utc::now());
}

/// "I live, Fyldt 18 år på opgavedatoen, …" for the audit log.
fn describe_rules(rules: RuleSet) -> String {
    domain::Rule::ALL.into_iter().filter(|r| rules.applies(*r)).map(|r| r.label()).collect::<Vec<_>>().join(", ")
}

fn describe_changes(old: &election_types::Model, new: &ElectionTypeInput) -> Vec<String> {
    let mut changes = Vec::new();
    if old.title != new.title.as_str() {
        changes.push(format!("titel var »{}«", old.title));
    }
    if rules_of(old) != new.rules {
        changes.push(format!("regler: {}", describe_rules(new.rules)));
    }
    changes
}

async fn elections_per_type(conn: &impl ConnectionTrait) -> Result<HashMap<Uuid, u64>> {
    let rows: Vec<(Uuid, i64)> = elections::Entity::find()
        .select_only()
        .column(elections::Column::ElectionTypeId)
        .column_as(Expr::col(elections::Column::Id).count(), "n")
        .group_by(elections::Column::ElectionTypeId)
        .into_tuple()
        .all(conn)
        .await
        .map_err(Error::db("counting elections per type"))?;
    Ok(rows.into_iter().map(|(id, n)| (id, u64::try_from(n).unwrap_or(0))).collect())
}
