//! Per-tenant settings as string key/value pairs. Typed access (numbers,
//! durations) belongs to the feature that owns a key.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, Set, TransactionSession};

use super::audit::{self, Actor, AuditAction, AuditEntry};
use super::{Conn, begin_write};
use crate::entity::settings;
use crate::error::{Error, Result};

pub async fn get(db: &impl ConnectionTrait, key: &str) -> Result<Option<String>> {
    let row = settings::Entity::find_by_id(key.to_owned()).one(db).await.map_err(Error::db("reading a setting"))?;
    Ok(row.map(|r| r.value))
}

/// All settings, by key.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<settings::Model>> {
    settings::Entity::find().order_by_asc(settings::Column::Key).all(db).await.map_err(Error::db("reading settings"))
}

/// Creates or replaces a setting.
pub async fn set(db: &impl Conn, actor: &Actor, key: &str, value: &str) -> Result<()> {
    let row =
        settings::ActiveModel { key: Set(key.to_owned()), value: Set(value.to_owned()), updated_at: Set(Utc::now()) };
    let upsert = OnConflict::column(settings::Column::Key)
        .update_columns([settings::Column::Value, settings::Column::UpdatedAt])
        .to_owned();
    let tx = begin_write(db).await?;
    settings::Entity::insert(row).on_conflict(upsert).exec(&tx).await.map_err(Error::db("saving a setting"))?;
    let entry =
        AuditEntry::new(AuditAction::Update, "settings").entity(key).description(format!("Indstillingen {key} ændret"));
    audit::record(&tx, actor, entry).await?;
    tx.commit().await.map_err(Error::db("committing a setting"))
}
