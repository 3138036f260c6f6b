//! The tenant's local CPR copy (`cpr_copy`, fed by extract files and by the
//! sync) as a CPR provider. Its answers are never fresh: they say when the
//! data was last known current (`as_of`), and the sync never removes anybody
//! on them.

use async_trait::async_trait;
use chrono::Utc;
use domain::CprNumber;
use integrations::cpr::{CprAnswer, CprError, CprRecord, CprRegistry, Provider, StoredRecord};
use integrations::resilience::CallError;
use sea_orm::DatabaseConnection;
use store::crypto::CprVault;
use store::repo::cpr_copy::{self, CopyRecord, Upserted};

/// Reads one tenant's `cpr_copy`.
#[derive(Debug, Clone)]
pub struct LocalCopy {
    db: DatabaseConnection,
    vault: CprVault,
}

impl LocalCopy {
    pub fn new(db: DatabaseConnection, vault: CprVault) -> Self {
        LocalCopy { db, vault }
    }
}

#[async_trait]
impl CprRegistry for LocalCopy {
    fn provider(&self) -> Provider {
        Provider::LocalCopy
    }

    async fn lookup(&self, cpr: &CprNumber) -> Result<CprAnswer, CprError> {
        let service = |error| CprError::Service { provider: Provider::LocalCopy, error };
        let row = cpr_copy::get(&self.db, &self.vault, cpr)
            .await
            // The store's message names what failed, never the number.
            .map_err(|e| service(CallError::Connect(e.to_string())))?
            .ok_or(CprError::NoRecord { provider: Provider::LocalCopy })?;
        let stored: StoredRecord = serde_json::from_value(row.record)
            .map_err(|_| service(CallError::Malformed("stored CPR record does not decode".into())))?;
        Ok(CprAnswer {
            record: stored.into_record(cpr.clone()),
            source: Provider::LocalCopy,
            fetched_at: Utc::now(),
            as_of: row.as_of,
            fresh: false,
            fallback_from: Vec::new(),
        })
    }
}

/// The row the copy keeps for a record: the record without its CPR number.
pub fn copy_record(record: &CprRecord, as_of: chrono::DateTime<Utc>, source: &str) -> CopyRecord {
    CopyRecord {
        cpr: record.cpr.clone(),
        record: serde_json::to_value(record.to_stored()).expect("a CPR record serialises"),
        as_of,
        source: source.to_owned(),
    }
}

/// Keeps the copy current with a fresh answer from a live provider, so the
/// copy has the last known record when that provider is down.
pub async fn remember(db: &DatabaseConnection, vault: &CprVault, answer: &CprAnswer) -> store::Result<Upserted> {
    let row = copy_record(&answer.record, answer.as_of, answer.source.as_str());
    cpr_copy::upsert(db, vault, &row, None, Utc::now()).await
}
