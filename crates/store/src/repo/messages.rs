//! The message queue: one `message_log` row per message to one person,
//! written in the same transaction as the change that causes it, so that a
//! seat never changes without its message and no message exists for a change
//! that was rolled back. Delivery over the channels reads these rows.

use chrono::{DateTime, SubsecRound, Utc};
use domain::MessageKind;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::entity::message_log;
use crate::error::{Error, Result};

/// Status of a message nobody has tried to deliver yet.
pub const QUEUED: &str = "queued";

/// One message to be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queued {
    pub participant: Uuid,
    pub election: Option<Uuid>,
    pub seat: Option<Uuid>,
    pub kind: MessageKind,
}

/// Queues the message and returns its id. The Digital Post message id is
/// fixed here, at queue time, so a retry after an unknown outcome can never
/// become a second letter.
pub async fn queue(
    db: &impl ConnectionTrait,
    message: Queued,
    channel_order: &str,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let id = Uuid::new_v4();
    let now = now.trunc_subsecs(6);
    message_log::ActiveModel {
        id: Set(id),
        participant_id: Set(message.participant),
        election_id: Set(message.election),
        // The seat may be freed and reused; the log keeps which it was.
        seat_id: Set(message.seat),
        kind: Set(message.kind.as_str().to_owned()),
        send_type: Set("automatic".to_owned()),
        channel_order: Set(channel_order.to_owned()),
        channels_tried: Set(String::new()),
        channel: Set(None),
        status: Set(QUEUED.to_owned()),
        subject: Set(String::new()),
        body: Set(String::new()),
        sms_text: Set(String::new()),
        attempts: Set(0),
        last_error: Set(None),
        digital_post_message_id: Set(Uuid::new_v4()),
        sms_message_id: Set(id.simple().to_string()),
        email_message_id: Set(None),
        queued_at: Set(now),
        sent_at: Set(None),
        delivered_at: Set(None),
        failed_at: Set(None),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(Error::db("queueing a message"))?;
    Ok(id)
}

/// The messages queued for a person, newest first.
pub async fn of_participant(db: &impl ConnectionTrait, participant: Uuid) -> Result<Vec<message_log::Model>> {
    message_log::Entity::find()
        .filter(message_log::Column::ParticipantId.eq(participant))
        .order_by_desc(message_log::Column::QueuedAt)
        .all(db)
        .await
        .map_err(Error::db("reading a participant's messages"))
}

/// The messages of one election, newest first.
pub async fn of_election(db: &impl ConnectionTrait, election: Uuid) -> Result<Vec<message_log::Model>> {
    message_log::Entity::find()
        .filter(message_log::Column::ElectionId.eq(election))
        .order_by_desc(message_log::Column::QueuedAt)
        .all(db)
        .await
        .map_err(Error::db("reading an election's messages"))
}
