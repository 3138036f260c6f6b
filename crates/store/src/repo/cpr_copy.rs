//! The local CPR copy: the last known record of each person, keyed by the
//! keyed hash of the CPR number, with the number itself only encrypted and the
//! record as JSON without any CPR number (the caller stores
//! `integrations::cpr::StoredRecord`; this crate does not know its shape).
//! Extract files are recorded by checksum so that importing one twice changes
//! nothing.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use domain::CprNumber;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionSession,
};
use uuid::Uuid;

use super::{Conn, begin_write};
use crate::crypto::CprVault;
use crate::error::{Error, Result};

/// The `cpr_copy` table.
pub mod entry {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "cpr_copy")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub cpr_hash: String,
        pub cpr_encrypted: Vec<u8>,
        pub record: Json,
        /// When the data was last known current at its source.
        pub as_of: DateTimeUtc,
        /// "extract", "sf1520", "datafordeleren".
        pub source: String,
        /// The extract file it came from, if any (`cpr_imports.id`).
        pub source_file_id: Option<Uuid>,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `cpr_imports` table.
pub mod import {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "cpr_imports")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub checksum: String,
        pub name: String,
        pub produced_on: Option<Date>,
        pub imported_at: DateTimeUtc,
        pub persons: i32,
        pub skipped: i32,
        pub updated: i32,
        pub unchanged: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Inserted,
    Updated,
    /// Same record as stored, or older than the stored one (kept as it was).
    Unchanged,
}

/// One record to store.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyRecord {
    pub cpr: CprNumber,
    /// Must not contain the CPR number.
    pub record: serde_json::Value,
    pub as_of: DateTime<Utc>,
    pub source: String,
}

/// Stores `new` unless the stored record is newer or the same.
pub async fn upsert(
    db: &impl ConnectionTrait,
    vault: &CprVault,
    new: &CopyRecord,
    source_file_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Upserted> {
    // Two jobs may learn about the same person at once; whoever loses the
    // insert finds the row on the second pass and compares dates like anyone.
    for _ in 0..2 {
        if let Some(done) = upsert_once(db, vault, new, source_file_id, now).await? {
            return Ok(done);
        }
    }
    Err(Error::conflict("cpr_copy", "Den lokale CPR-kopi blev ændret samtidig; prøv igen"))
}

/// `None` when another writer inserted the person between our read and
/// our insert.
async fn upsert_once(
    db: &impl ConnectionTrait,
    vault: &CprVault,
    new: &CopyRecord,
    source_file_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Option<Upserted>> {
    let hash = vault.hash(&new.cpr);
    let as_of = new.as_of.trunc_subsecs(6);
    let current =
        entry::Entity::find_by_id(hash.clone()).one(db).await.map_err(Error::db("reading the local CPR copy"))?;
    let row = entry::ActiveModel {
        cpr_hash: Set(hash),
        cpr_encrypted: Set(vault.encrypt(&new.cpr)),
        record: Set(new.record.clone()),
        as_of: Set(as_of),
        source: Set(new.source.clone()),
        source_file_id: Set(source_file_id),
        updated_at: Set(now.trunc_subsecs(6)),
    };
    let done = match current {
        None => {
            let inserted = entry::Entity::insert(row)
                .on_conflict(OnConflict::column(entry::Column::CprHash).do_nothing().to_owned())
                .exec_without_returning(db)
                .await
                .map_err(Error::db("adding to the local CPR copy"))?;
            if inserted == 0 {
                return Ok(None);
            }
            Upserted::Inserted
        }
        // An older file (or a replayed one) must not undo newer data.
        Some(old) if old.as_of > as_of => Upserted::Unchanged,
        // The same record confirmed later: only its date moves, so the copy
        // says "current as of" the latest confirmation.
        Some(old) if old.record == new.record => {
            if old.as_of != as_of {
                let confirmed = entry::ActiveModel {
                    cpr_hash: Set(old.cpr_hash),
                    as_of: Set(as_of),
                    updated_at: Set(now.trunc_subsecs(6)),
                    ..Default::default()
                };
                confirmed.update(db).await.map_err(Error::db("updating the local CPR copy"))?;
            }
            Upserted::Unchanged
        }
        Some(_) => {
            row.update(db).await.map_err(Error::db("updating the local CPR copy"))?;
            Upserted::Updated
        }
    };
    Ok(Some(done))
}

/// The stored record for `cpr`, if any.
pub async fn get(db: &impl ConnectionTrait, vault: &CprVault, cpr: &CprNumber) -> Result<Option<entry::Model>> {
    entry::Entity::find_by_id(vault.hash(cpr)).one(db).await.map_err(Error::db("reading the local CPR copy"))
}

pub async fn count(db: &impl ConnectionTrait) -> Result<u64> {
    entry::Entity::find().count(db).await.map_err(Error::db("counting the local CPR copy"))
}

/// Hex SHA-256 of a file's bytes: the identity of an extract file.
pub fn checksum(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

/// An extract file about to be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFile {
    /// Hex SHA-256 of the file's bytes.
    pub checksum: String,
    /// The file name, for the operator.
    pub name: String,
    pub produced_on: Option<NaiveDate>,
    /// Records of types not read, for the operator.
    pub skipped: u32,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportCounts {
    /// The file had been imported before; nothing was changed.
    pub already_imported: bool,
    pub persons: u32,
    pub skipped: u32,
    pub inserted: u32,
    pub updated: u32,
    pub unchanged: u32,
}

/// Stores every record of one file in one transaction: the file is applied
/// whole or not at all, and a file with a known checksum is not applied again.
pub async fn import(
    db: &impl Conn,
    vault: &CprVault,
    file: &ImportFile,
    records: &[CopyRecord],
    now: DateTime<Utc>,
) -> Result<ImportCounts> {
    let tx = begin_write(db).await?;
    let known = import::Entity::find()
        .filter(import::Column::Checksum.eq(file.checksum.as_str()))
        .one(&tx)
        .await
        .map_err(Error::db("looking up an imported CPR file"))?;
    if let Some(known) = known {
        return Ok(ImportCounts {
            already_imported: true,
            persons: known.persons as u32,
            skipped: known.skipped as u32,
            inserted: 0,
            updated: 0,
            unchanged: records.len() as u32,
        });
    }
    let id = Uuid::new_v4();
    let mut counts = ImportCounts {
        already_imported: false,
        persons: records.len() as u32,
        skipped: file.skipped,
        inserted: 0,
        updated: 0,
        unchanged: 0,
    };
    // The import row goes first so the records can name it.
    let row = import::ActiveModel {
        id: Set(id),
        checksum: Set(file.checksum.clone()),
        name: Set(file.name.clone()),
        produced_on: Set(file.produced_on),
        imported_at: Set(now.trunc_subsecs(6)),
        persons: Set(counts.persons as i32),
        skipped: Set(file.skipped as i32),
        updated: Set(0),
        unchanged: Set(0),
    };
    row.insert(&tx).await.map_err(Error::db("recording a CPR file import"))?;
    for record in records {
        match upsert(&tx, vault, record, Some(id), now).await? {
            Upserted::Inserted => counts.inserted += 1,
            Upserted::Updated => counts.updated += 1,
            Upserted::Unchanged => counts.unchanged += 1,
        }
    }
    let done = import::ActiveModel {
        id: Set(id),
        updated: Set((counts.inserted + counts.updated) as i32),
        unchanged: Set(counts.unchanged as i32),
        ..Default::default()
    };
    done.update(&tx).await.map_err(Error::db("recording a CPR file import"))?;
    tx.commit().await.map_err(Error::db("committing a CPR file import"))?;
    Ok(counts)
}

/// The imports, newest first.
pub async fn imports(db: &impl ConnectionTrait) -> Result<Vec<import::Model>> {
    import::Entity::find()
        .order_by_desc(import::Column::ImportedAt)
        .all(db)
        .await
        .map_err(Error::db("listing CPR file imports"))
}
