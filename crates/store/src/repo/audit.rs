//! The audit log: who did what to which record, and when. Rows are written by
//! the repositories in the transaction of the change they describe, so a
//! change without its audit row (or the reverse) cannot be committed.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select, Set,
};
use uuid::Uuid;

use super::{Page, Paged, contains_pattern};
use crate::entity::audit_log;
use crate::error::{Error, Result};

/// Who is acting. Staff act as themselves; jobs act as the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub name: String,
    /// Logged in through a fallback (MitID instead of FK Adgangsstyring).
    pub fallback: bool,
}

impl Actor {
    pub fn system() -> Self {
        Actor { user_id: None, name: "System".to_owned(), fallback: false }
    }

    pub fn user(user_id: Uuid, name: impl Into<String>) -> Self {
        Actor { user_id: Some(user_id), name: name.into(), fallback: false }
    }

    /// A citizen acting on their own data in the portal; they are not a user.
    pub fn citizen(name: impl Into<String>) -> Self {
        Actor { user_id: None, name: name.into(), fallback: false }
    }

    pub fn with_fallback(mut self, fallback: bool) -> Self {
        self.fallback = fallback;
        self
    }
}

/// What was done. Stored as [`AuditAction::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    Create,
    Update,
    Delete,
    View,
    CprLookup,
    ListGenerated,
    Export,
    Login,
    Logout,
    PermissionChange,
}

impl AuditAction {
    pub const ALL: [AuditAction; 10] = [
        AuditAction::Create,
        AuditAction::Update,
        AuditAction::Delete,
        AuditAction::View,
        AuditAction::CprLookup,
        AuditAction::ListGenerated,
        AuditAction::Export,
        AuditAction::Login,
        AuditAction::Logout,
        AuditAction::PermissionChange,
    ];

    /// Stable key stored in the database. Never change one.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::Delete => "delete",
            AuditAction::View => "view",
            AuditAction::CprLookup => "cpr_lookup",
            AuditAction::ListGenerated => "list_generated",
            AuditAction::Export => "export",
            AuditAction::Login => "login",
            AuditAction::Logout => "logout",
            AuditAction::PermissionChange => "permission_change",
        }
    }

    pub fn parse(key: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == key)
    }

    /// Danish name shown in the audit log viewer.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::Create => "Oprettet",
            AuditAction::Update => "Ændret",
            AuditAction::Delete => "Slettet",
            AuditAction::View => "Vist",
            AuditAction::CprLookup => "CPR-opslag",
            AuditAction::ListGenerated => "Liste dannet",
            AuditAction::Export => "Eksporteret",
            AuditAction::Login => "Logget ind",
            AuditAction::Logout => "Logget ud",
            AuditAction::PermissionChange => "Rettighed ændret",
        }
    }
}

/// One audit row to write. The description must never contain a CPR number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub action: AuditAction,
    pub entity_table: String,
    pub entity_id: Option<String>,
    pub participant_id: Option<Uuid>,
    pub description: String,
}

impl AuditEntry {
    pub fn new(action: AuditAction, entity_table: impl Into<String>) -> Self {
        AuditEntry {
            action,
            entity_table: entity_table.into(),
            entity_id: None,
            participant_id: None,
            description: String::new(),
        }
    }

    pub fn entity(mut self, id: impl ToString) -> Self {
        self.entity_id = Some(id.to_string());
        self
    }

    pub fn participant(mut self, id: Uuid) -> Self {
        self.participant_id = Some(id);
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }
}

/// Writes one audit row. Pass the transaction of the change it describes.
pub async fn record(db: &impl ConnectionTrait, actor: &Actor, entry: AuditEntry) -> Result<audit_log::Model> {
    audit_log::ActiveModel {
        id: Set(Uuid::new_v4()),
        at: Set(Utc::now()),
        actor_user_id: Set(actor.user_id),
        actor_name: Set(actor.name.clone()),
        fallback: Set(actor.fallback),
        action: Set(entry.action.as_str().to_owned()),
        entity_table: Set(entry.entity_table),
        entity_id: Set(entry.entity_id),
        participant_id: Set(entry.participant_id),
        description: Set(entry.description),
    }
    .insert(db)
    .await
    .map_err(Error::db("writing an audit row"))
}

/// Filters for the audit log viewer; `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub until: Option<DateTime<Utc>>,
    pub actor_user_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
    pub action: Option<AuditAction>,
    pub entity_table: Option<String>,
    pub entity_id: Option<String>,
    /// Searched in the description and the actor's name.
    pub text: Option<String>,
}

fn filtered(filter: &AuditFilter) -> Select<audit_log::Entity> {
    use audit_log::Column as C;
    let mut query = audit_log::Entity::find();
    if let Some(from) = filter.from {
        query = query.filter(C::At.gte(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(C::At.lt(until));
    }
    if let Some(user) = filter.actor_user_id {
        query = query.filter(C::ActorUserId.eq(user));
    }
    if let Some(participant) = filter.participant_id {
        query = query.filter(C::ParticipantId.eq(participant));
    }
    if let Some(action) = filter.action {
        query = query.filter(C::Action.eq(action.as_str()));
    }
    if let Some(table) = &filter.entity_table {
        query = query.filter(C::EntityTable.eq(table.as_str()));
    }
    if let Some(id) = &filter.entity_id {
        query = query.filter(C::EntityId.eq(id.as_str()));
    }
    if let Some(text) = filter.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = contains_pattern(&text.to_lowercase());
        let like =
            |column: C| Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(pattern.clone()).escape('\\'));
        query = query.filter(like(C::Description).or(like(C::ActorName)));
    }
    query
}

/// Newest first.
pub async fn list(db: &impl ConnectionTrait, filter: &AuditFilter, page: Page) -> Result<Paged<audit_log::Model>> {
    let query = filtered(filter);
    let total = query.clone().count(db).await.map_err(Error::db("counting audit rows"))?;
    let items = query
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id)
        .offset(page.offset())
        .limit(page.size)
        .all(db)
        .await
        .map_err(Error::db("listing audit rows"))?;
    Ok(Paged { items, total, page })
}

/// Retention: removes rows older than `cutoff`; returns how many.
pub async fn delete_older_than(db: &impl ConnectionTrait, cutoff: DateTime<Utc>) -> Result<u64> {
    let result = audit_log::Entity::delete_many()
        .filter(audit_log::Column::At.lt(cutoff))
        .exec(db)
        .await
        .map_err(Error::db("deleting old audit rows"))?;
    Ok(result.rows_affected)
}
