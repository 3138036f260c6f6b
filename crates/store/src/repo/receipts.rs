//! Digital Post status receipts: recorded once per Beskedfordeler message
//! (`BeskedId`), and applied to the message they are about — delivered, or
//! failed and on to the next channel.

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionSession};
use uuid::Uuid;

use super::messages::{self, Outcome};
use super::{Conn, begin_write};
use crate::entity::message_log;
use crate::error::{Error, Result};
use crate::outbox::{self, NewJob};

/// The `digital_post_receipts` table.
pub mod receipt {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "digital_post_receipts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub besked_id: String,
        pub message_uuid: Uuid,
        pub status: String,
        pub detail: String,
        pub received_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// What Digital Post says happened to a letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostStatus {
    /// Accepted by Digital Post ("Modtaget Digital Post").
    Received,
    /// In the mailbox ("Afleveret Digital Post").
    Delivered,
    /// Could not be delivered ("Fejlet").
    Failed,
    /// A status text we do not know: recorded, nothing changes.
    Other,
}

impl PostStatus {
    /// From `TransaktionsStatusKode`, compared without case.
    pub fn parse(code: &str) -> PostStatus {
        match code.trim().to_lowercase().as_str() {
            "modtaget digital post" => PostStatus::Received,
            "afleveret digital post" => PostStatus::Delivered,
            "fejlet" => PostStatus::Failed,
            _ => PostStatus::Other,
        }
    }
}

/// One receipt as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub besked_id: String,
    pub message_uuid: Uuid,
    pub status_text: String,
    pub detail: String,
}

/// What recording a receipt did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Recorded, and the message updated.
    Recorded,
    /// This `BeskedId` was recorded before; nothing changed.
    Duplicate,
}

/// The message a receipt is about, if it is in this database.
pub async fn message_of(db: &impl ConnectionTrait, message_uuid: Uuid) -> Result<Option<message_log::Model>> {
    message_log::Entity::find()
        .filter(message_log::Column::DigitalPostMessageId.eq(message_uuid))
        .one(db)
        .await
        .map_err(Error::db("finding a receipt's message"))
}

/// Records the receipt and applies it in one transaction, so the caller may
/// acknowledge it only once it is stored. "Fejlet" sends the message on to
/// its next channel.
pub async fn apply(db: &impl Conn, receipt: &Receipt, now: DateTime<Utc>) -> Result<Applied> {
    let txn = begin_write(db).await?;
    let row = receipt::ActiveModel {
        besked_id: Set(receipt.besked_id.clone()),
        message_uuid: Set(receipt.message_uuid),
        status: Set(receipt.status_text.clone()),
        detail: Set(receipt.detail.clone()),
        received_at: Set(now.trunc_subsecs(6)),
    };
    let inserted = receipt::Entity::insert(row)
        .on_conflict(OnConflict::column(receipt::Column::BeskedId).do_nothing().to_owned())
        .exec_without_returning(&txn)
        .await
        .map_err(Error::db("recording a Digital Post receipt"))?;
    if inserted == 0 {
        return Ok(Applied::Duplicate);
    }
    if let Some(message) = message_of(&txn, receipt.message_uuid).await? {
        match PostStatus::parse(&receipt.status_text) {
            PostStatus::Delivered => messages::record(&txn, message.id, Outcome::Delivered, now).await?,
            PostStatus::Failed if message.channel.as_deref() == Some("digital_post") => {
                let error = format!("Digital Post: Fejlet {}", receipt.detail).trim().to_owned();
                let left = Outcome::Left { channel: "digital_post".into(), error };
                messages::record(&txn, message.id, left, now).await?;
                // A job of its own: the first delivery job is finished.
                let payload = serde_json::json!({ "message": message.id });
                let job = NewJob::new(messages::DELIVER, payload)
                    .idempotency_key(format!("{}:{}:{}", messages::DELIVER, message.id, receipt.besked_id))
                    .max_attempts(10_000);
                outbox::enqueue_at(&txn, job, now).await.map_err(Error::db("queueing the next channel"))?;
            }
            _ => {}
        }
    }
    txn.commit().await.map_err(Error::db("committing a Digital Post receipt"))?;
    Ok(Applied::Recorded)
}

/// The newest receipt of each of these Digital Post letters (by message
/// UUID), for the message log.
pub async fn newest_of(
    db: &impl ConnectionTrait,
    message_uuids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, receipt::Model>> {
    use sea_orm::QueryOrder;
    let rows = receipt::Entity::find()
        .filter(receipt::Column::MessageUuid.is_in(message_uuids.iter().copied()))
        .order_by_asc(receipt::Column::ReceivedAt)
        .all(db)
        .await
        .map_err(Error::db("reading Digital Post receipts"))?;
    Ok(rows.into_iter().map(|r| (r.message_uuid, r)).collect())
}
