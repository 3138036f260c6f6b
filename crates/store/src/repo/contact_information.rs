//! The election secretariat's contact information: one row, seeded empty by
//! the migration. The municipality name is what `!municipality` renders.

use chrono::Utc;
use domain::{Email, PostalCode};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set, TransactionSession};
use uuid::Uuid;

use super::audit::{self, Actor, AuditAction, AuditEntry};
use super::{Conn, begin_write};
use crate::entity::contact_information;
use crate::error::{Error, Result};

const ROW: i32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactInformation {
    pub municipality_name: String,
    pub department: String,
    pub address: String,
    pub postal_code: Option<PostalCode>,
    pub city: String,
    pub phone: String,
    pub email: Option<Email>,
    /// Link to the municipality's secure Digital Post form.
    pub digital_post_url: String,
    pub logo_file_id: Option<Uuid>,
}

pub async fn get(db: &impl ConnectionTrait) -> Result<contact_information::Model> {
    contact_information::Entity::find_by_id(ROW)
        .one(db)
        .await
        .map_err(Error::db("reading the contact information"))?
        .ok_or(Error::not_found("Kontaktoplysningerne"))
}

pub async fn set(db: &impl Conn, actor: &Actor, info: ContactInformation) -> Result<contact_information::Model> {
    let row = contact_information::ActiveModel {
        id: Set(ROW),
        municipality_name: Set(info.municipality_name),
        department: Set(info.department),
        address: Set(info.address),
        postal_code: Set(info.postal_code.map(|p| p.as_str().to_owned()).unwrap_or_default()),
        city: Set(info.city),
        phone: Set(info.phone),
        email: Set(info.email.map(String::from).unwrap_or_default()),
        digital_post_url: Set(info.digital_post_url),
        logo_file_id: Set(info.logo_file_id),
        updated_at: Set(Utc::now()),
    };
    let tx = begin_write(db).await?;
    let saved = row.update(&tx).await.map_err(Error::db("saving the contact information"))?;
    let entry = AuditEntry::new(AuditAction::Update, "contact_information")
        .entity(ROW)
        .description("Kontaktoplysninger ændret");
    audit::record(&tx, actor, entry).await?;
    tx.commit().await.map_err(Error::db("committing the contact information"))?;
    Ok(saved)
}
