//! Content pages of the participant portal (front page, FAQ, privacy
//! statement, consent text …), one row per page key.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, Set, TransactionSession};

use super::audit::{self, Actor, AuditAction, AuditEntry};
use super::{Conn, begin_write};
use crate::entity::web_pages;
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebPage {
    pub key: String,
    pub title: String,
    pub body: String,
    /// Pages that can be switched off (FAQ, consent) are hidden when false.
    pub active: bool,
}

pub async fn get(db: &impl ConnectionTrait, key: &str) -> Result<Option<web_pages::Model>> {
    web_pages::Entity::find_by_id(key.to_owned()).one(db).await.map_err(Error::db("reading a web page"))
}

pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<web_pages::Model>> {
    web_pages::Entity::find().order_by_asc(web_pages::Column::Key).all(db).await.map_err(Error::db("listing web pages"))
}

/// Creates or replaces a page.
pub async fn set(db: &impl Conn, actor: &Actor, page: WebPage) -> Result<web_pages::Model> {
    use web_pages::Column as C;
    let row = web_pages::ActiveModel {
        key: Set(page.key.clone()),
        title: Set(page.title),
        body: Set(page.body),
        active: Set(page.active),
        updated_at: Set(Utc::now()),
    };
    let upsert = OnConflict::column(C::Key).update_columns([C::Title, C::Body, C::Active, C::UpdatedAt]).to_owned();
    let tx = begin_write(db).await?;
    web_pages::Entity::insert(row).on_conflict(upsert).exec(&tx).await.map_err(Error::db("saving a web page"))?;
    let entry = AuditEntry::new(AuditAction::Update, "web_pages")
        .entity(&page.key)
        .description(format!("Siden {} ændret", page.key));
    audit::record(&tx, actor, entry).await?;
    let saved = get(&tx, &page.key).await?.ok_or(Error::not_found("Siden"))?;
    tx.commit().await.map_err(Error::db("committing a web page"))?;
    Ok(saved)
}
