//! Digital Post status receipts: recorded once per Beskedfordeler message
//! (`BeskedId`), and applied to the message they are about — delivered, or
//! failed and on to the next channel.

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, TransactionSession};
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
    // Locked (on PostgreSQL) so that a send being recorded at this moment
    // either comes first and is seen here, or comes after and sees this receipt.
    let message = message_log::Entity::find()
        .filter(message_log::Column::DigitalPostMessageId.eq(receipt.message_uuid))
        .lock_exclusive()
        .one(&txn)
        .await
        .map_err(Error::db("finding a receipt's message"))?;
    if let Some(message) = message {
        match PostStatus::parse(&receipt.status_text) {
            PostStatus::Delivered => messages::record(&txn, message.id, Outcome::Delivered, now).await?,
            // Not yet recorded as sent: `after_letter_sent` finds this receipt.
            PostStatus::Failed if message.channel.as_deref() == Some(DIGITAL_POST) => {
                move_on(&txn, message.id, receipt, now).await?
            }
            _ => {}
        }
    }
    txn.commit().await.map_err(Error::db("committing a Digital Post receipt"))?;
    Ok(Applied::Recorded)
}

const DIGITAL_POST: &str = "digital_post";

/// "Fejlet": Digital Post is given up and a job of its own tries the next
/// channel (the first delivery job is finished). Keyed by the receipt, so the
/// two places that may see the same receipt queue one job.
async fn move_on(txn: &impl ConnectionTrait, message: Uuid, receipt: &Receipt, now: DateTime<Utc>) -> Result<()> {
    let error = format!("Digital Post: Fejlet {}", receipt.detail).trim().to_owned();
    messages::record(txn, message, Outcome::Left { channel: DIGITAL_POST.into(), error }, now).await?;
    let payload = serde_json::json!({ "message": message });
    let job = NewJob::new(messages::DELIVER, payload)
        .idempotency_key(format!("{}:{}:{}", messages::DELIVER, message, receipt.besked_id))
        .max_attempts(10_000);
    outbox::enqueue_at(txn, job, now).await.map_err(Error::db("queueing the next channel"))?;
    Ok(())
}

/// Just after a letter is recorded as sent, in the same transaction: a
/// "Fejlet" receipt may have come while the send was being recorded (Digital
/// Post can answer before our own write lands); it moves the message on now.
pub(crate) async fn after_letter_sent(
    txn: &impl ConnectionTrait,
    message: &message_log::Model,
    now: DateTime<Utc>,
) -> Result<()> {
    let uuid = message.digital_post_message_id;
    let receipts = receipt::Entity::find()
        .filter(receipt::Column::MessageUuid.eq(uuid))
        .all(txn)
        .await
        .map_err(Error::db("reading a letter's receipts"))?;
    let failed = receipts.into_iter().find(|r| PostStatus::parse(&r.status) == PostStatus::Failed);
    if let Some(r) = failed {
        let receipt = Receipt { besked_id: r.besked_id, message_uuid: uuid, status_text: r.status, detail: r.detail };
        move_on(txn, message.id, &receipt, now).await?;
    }
    Ok(())
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
