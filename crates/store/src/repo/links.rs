//! Public links (SPEC issue 5 point 2): a team sign-up link, a task link for
//! one seat kind, and a filtered task-list link. The token in the URL is the
//! only key, so it is 128 random bits; an admin revokes a link and it stops
//! working at once.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entity::links;
use crate::error::{Error, Result};
use crate::repo::audit::{self, Actor, AuditAction, AuditEntry};

/// The seat kind a task link offers: one task type at one work location on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatKind {
    pub work_location: Uuid,
    pub task_type: Uuid,
    pub date: NaiveDate,
}

/// What a filtered task-list link narrows the free seats to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFilter {
    pub work_location: Option<Uuid>,
    pub task_type: Option<Uuid>,
    pub date: Option<NaiveDate>,
}

/// What a link opens. Each kind carries exactly what it needs, so a task
/// link without a team cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkTarget {
    /// Sign-up into a team.
    Team { team: Uuid, election: Option<Uuid> },
    /// Sign-up into a team and onto a free seat of one kind.
    Task { team: Uuid, election: Uuid, kind: SeatKind },
    /// A list of free seats in an election.
    Filtered { election: Uuid, team: Option<Uuid>, filter: TaskFilter },
}

impl LinkTarget {
    fn key(&self) -> &'static str {
        match self {
            LinkTarget::Team { .. } => "team",
            LinkTarget::Task { .. } => "task",
            LinkTarget::Filtered { .. } => "filtered",
        }
    }

    fn columns(&self) -> (Option<Uuid>, Option<Uuid>, serde_json::Value) {
        match self {
            LinkTarget::Team { team, election } => (*election, Some(*team), serde_json::json!({})),
            LinkTarget::Task { team, election, kind } => (Some(*election), Some(*team), to_json(kind)),
            LinkTarget::Filtered { election, team, filter } => (Some(*election), *team, to_json(filter)),
        }
    }

    fn from_row(row: &links::Model) -> Result<LinkTarget> {
        let broken = || Error::conflict("link", "Linket er ugyldigt");
        let target = match (row.kind.as_str(), row.election_id, row.team_id) {
            ("team", election, Some(team)) => LinkTarget::Team { team, election },
            ("task", Some(election), Some(team)) => {
                let kind = serde_json::from_value(row.target.clone()).map_err(|_| broken())?;
                LinkTarget::Task { team, election, kind }
            }
            ("filtered", Some(election), team) => {
                let filter = serde_json::from_value(row.target.clone()).map_err(|_| broken())?;
                LinkTarget::Filtered { election, team, filter }
            }
            _ => return Err(broken()),
        };
        Ok(target)
    }
}

/// The JSON of a target part; these plain structs always serialize.
fn to_json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// A stored link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: Uuid,
    pub token: String,
    pub target: LinkTarget,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Link {
    fn of(row: links::Model) -> Result<Link> {
        let target = LinkTarget::from_row(&row)?;
        Ok(Link { id: row.id, token: row.token, target, created_at: row.created_at, revoked_at: row.revoked_at })
    }

    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

/// 128 random bits as 32 hex digits: unguessable and safe in any URL.
fn new_token() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

pub async fn create(db: &impl ConnectionTrait, actor: &Actor, target: LinkTarget, now: DateTime<Utc>) -> Result<Link> {
    let (election_id, team_id, json) = target.columns();
    let row = links::ActiveModel {
        id: Set(Uuid::new_v4()),
        kind: Set(target.key().to_owned()),
        token: Set(new_token()),
        election_id: Set(election_id),
        team_id: Set(team_id),
        target: Set(json),
        created_at: Set(now.trunc_subsecs(6)),
        revoked_at: Set(None),
    }
    .insert(db)
    .await
    .map_err(Error::db("creating a link"))?;
    let entry = AuditEntry::new(AuditAction::Create, "links").entity(row.id).description(describe(&target));
    audit::record(db, actor, entry).await?;
    Link::of(row)
}

fn describe(target: &LinkTarget) -> &'static str {
    match target {
        LinkTarget::Team { .. } => "Tilmeldingslink til hold oprettet",
        LinkTarget::Task { .. } => "Opgavelink oprettet",
        LinkTarget::Filtered { .. } => "Link til opgaveliste oprettet",
    }
}

/// The link with `token` unless it is revoked or unknown.
pub async fn find_active(db: &impl ConnectionTrait, token: &str) -> Result<Option<Link>> {
    let row = links::Entity::find()
        .filter(links::Column::Token.eq(token))
        .filter(links::Column::RevokedAt.is_null())
        .one(db)
        .await
        .map_err(Error::db("reading a link"))?;
    row.map(Link::of).transpose()
}

/// The link with `token`, revoked or not: a revoked link is told apart
/// from one that never existed.
pub async fn find(db: &impl ConnectionTrait, token: &str) -> Result<Option<Link>> {
    let row = links::Entity::find()
        .filter(links::Column::Token.eq(token))
        .one(db)
        .await
        .map_err(Error::db("reading a link"))?;
    row.map(Link::of).transpose()
}

/// Revokes a link; revoking it again changes nothing.
pub async fn revoke(db: &impl ConnectionTrait, actor: &Actor, id: Uuid, now: DateTime<Utc>) -> Result<()> {
    let row = links::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(Error::db("reading a link"))?
        .ok_or(Error::not_found("Linket"))?;
    if row.revoked_at.is_some() {
        return Ok(());
    }
    let mut active: links::ActiveModel = row.into();
    active.revoked_at = Set(Some(now.trunc_subsecs(6)));
    active.update(db).await.map_err(Error::db("revoking a link"))?;
    let entry = AuditEntry::new(AuditAction::Update, "links").entity(id).description("Link tilbagekaldt");
    audit::record(db, actor, entry).await?;
    Ok(())
}

/// An election's or a team's links (revoked ones included), newest first.
pub async fn list(db: &impl ConnectionTrait, election: Option<Uuid>, team: Option<Uuid>) -> Result<Vec<Link>> {
    let mut query = links::Entity::find().order_by_desc(links::Column::CreatedAt);
    if let Some(election) = election {
        query = query.filter(links::Column::ElectionId.eq(election));
    }
    if let Some(team) = team {
        query = query.filter(links::Column::TeamId.eq(team));
    }
    query.all(db).await.map_err(Error::db("listing links"))?.into_iter().map(Link::of).collect()
}
