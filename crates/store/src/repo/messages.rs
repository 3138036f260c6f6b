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
use crate::repo::group::Words;

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
    insert(db, message, channel_order, None, now).await
}

/// Queues a message that carries its own words (a group message) instead of
/// its kind's template.
pub async fn queue_with_words(
    db: &impl ConnectionTrait,
    message: Queued,
    channel_order: &str,
    words: &Words,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    insert(db, message, channel_order, Some(words), now).await
}

async fn insert(
    db: &impl ConnectionTrait,
    message: Queued,
    channel_order: &str,
    words: Option<&Words>,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let text = |pick: fn(&Words) -> &String| words.map(|w| pick(w).clone()).unwrap_or_default();
    let id = Uuid::new_v4();
    let now = now.trunc_subsecs(6);
    message_log::ActiveModel {
        id: Set(id),
        participant_id: Set(message.participant),
        election_id: Set(message.election),
        // The seat may be freed and reused; the log keeps which it was.
        seat_id: Set(message.seat),
        kind: Set(message.kind.as_str().to_owned()),
        send_type: Set(if words.is_some() { "group" } else { "automatic" }.to_owned()),
        channel_order: Set(channel_order.to_owned()),
        channels_tried: Set(String::new()),
        channel: Set(None),
        status: Set(QUEUED.to_owned()),
        subject: Set(text(|w| &w.subject)),
        body: Set(text(|w| &w.body)),
        sms_text: Set(text(|w| &w.sms_text)),
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
    crate::outbox::enqueue_at(db, deliver_job(id), now).await.map_err(Error::db("queueing a message's delivery"))?;
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

/// Which of an election's messages a progress bar counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batch {
    /// Invitations and registration confirmations, the ones activation sends.
    Activation,
    /// Group messages ("Send besked").
    Group,
}

/// How far a batch of messages has come: how many have each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub queued: u64,
    pub fell_back: u64,
    pub sent: u64,
    pub delivered: u64,
    pub failed: u64,
}

impl Tally {
    pub fn total(&self) -> u64 {
        self.queued + self.fell_back + self.sent + self.delivered + self.failed
    }

    /// Still on their way to a channel (queued, or trying the next one).
    pub fn waiting(&self) -> u64 {
        self.queued + self.fell_back
    }
}

/// Counts an election's messages of `batch` by status, in one grouped query.
pub async fn tally(db: &impl ConnectionTrait, election: Uuid, batch: Batch) -> Result<Tally> {
    use sea_orm::QuerySelect;
    let select = message_log::Entity::find()
        .select_only()
        .column(message_log::Column::Status)
        .column_as(message_log::Column::Id.count(), "n")
        .filter(message_log::Column::ElectionId.eq(election));
    let select = match batch {
        Batch::Activation => select.filter(message_log::Column::SendType.eq("automatic")).filter(
            message_log::Column::Kind
                .is_in([MessageKind::Invitation.as_str(), MessageKind::RegistrationConfirmation.as_str()]),
        ),
        Batch::Group => select.filter(message_log::Column::SendType.eq("group")),
    };
    let rows: Vec<(String, i64)> = select
        .group_by(message_log::Column::Status)
        .into_tuple()
        .all(db)
        .await
        .map_err(Error::db("counting an election's messages"))?;
    let mut tally = Tally::default();
    for (key, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        match key.as_str() {
            status::QUEUED => tally.queued += n,
            status::FELL_BACK => tally.fell_back += n,
            status::SENT => tally.sent += n,
            status::DELIVERED => tally.delivered += n,
            status::FAILED => tally.failed += n,
            _ => {}
        }
    }
    Ok(tally)
}

/// The job that delivers one queued message over its channels.
pub const DELIVER: &str = "message.deliver";

/// Payload of [`DELIVER`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeliverPayload {
    pub message: Uuid,
}

/// The delivery job of a message. Its attempts are practically unlimited:
/// the message kind's deadline, not a retry count, decides when to give up.
pub fn deliver_job(message: Uuid) -> crate::outbox::NewJob {
    let payload = serde_json::json!({ "message": message });
    crate::outbox::NewJob::new(DELIVER, payload).idempotency_key(format!("{DELIVER}:{message}")).max_attempts(10_000)
}

/// Statuses of a message.
pub mod status {
    pub const QUEUED: &str = super::QUEUED;
    /// Handed to a channel.
    pub const SENT: &str = "sent";
    /// The channel confirmed delivery (a Digital Post receipt).
    pub const DELIVERED: &str = "delivered";
    /// A channel was left and the next one is being tried.
    pub const FELL_BACK: &str = "fell_back";
    /// No channel could deliver it.
    pub const FAILED: &str = "failed";
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<message_log::Model> {
    message_log::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(Error::db("reading a message"))?
        .ok_or(Error::not_found("Beskeden"))
}

/// The channels a message has left, in order.
pub fn channels_left(row: &message_log::Model) -> Vec<String> {
    row.channels_tried.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect()
}

/// What an attempt did to the message's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent {
        channel: String,
        reference: Option<String>,
        words: SentWords,
    },
    /// Still trying this channel; the error is kept.
    Retrying {
        channel: String,
        error: String,
    },
    /// This channel was given up; the next one follows.
    Left {
        channel: String,
        error: String,
    },
    /// Every channel was given up.
    Failed {
        error: String,
    },
    /// A receipt confirmed delivery.
    Delivered,
}

/// The words a channel sent, kept on the message for the log (the text is
/// composed at delivery). The caller keeps CPR numbers out of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SentWords {
    /// Digital Post or e-mail: the subject and the body as text.
    Letter { subject: String, body: String },
    /// The SMS text.
    Sms(String),
}

/// Records an attempt's outcome on the message.
pub async fn record(db: &impl ConnectionTrait, id: Uuid, outcome: Outcome, now: DateTime<Utc>) -> Result<()> {
    let row = get(db, id).await?;
    let sent = matches!(outcome, Outcome::Sent { .. });
    let now = now.trunc_subsecs(6);
    let mut active: message_log::ActiveModel = row.clone().into();
    active.updated_at = Set(now);
    match outcome {
        Outcome::Sent { channel, reference, words } => {
            match words {
                // The SMS text stays: a receipt saying "Fejlet" sends the
                // message on, maybe by SMS, composed again from it.
                SentWords::Letter { subject, body } => {
                    active.subject = Set(subject);
                    active.body = Set(body);
                }
                SentWords::Sms(text) => {
                    active.subject = Set(String::new());
                    active.body = Set(String::new());
                    active.sms_text = Set(text);
                }
            }
            // The status is set below, unless a receipt came first.
            active.channel = Set(Some(channel));
            active.attempts = Set(row.attempts + 1);
            active.sent_at = Set(Some(now));
            if reference.is_some() {
                active.email_message_id = Set(reference);
            }
        }
        Outcome::Retrying { channel, error } => {
            active.channel = Set(Some(channel));
            active.attempts = Set(row.attempts + 1);
            active.last_error = Set(Some(error));
        }
        Outcome::Left { channel, error } => {
            let mut left = channels_left(&row);
            if !left.contains(&channel) {
                left.push(channel);
            }
            active.channels_tried = Set(left.join(","));
            active.status = Set(status::FELL_BACK.to_owned());
            active.channel = Set(None);
            active.last_error = Set(Some(error));
        }
        Outcome::Failed { error } => {
            active.status = Set(status::FAILED.to_owned());
            active.failed_at = Set(Some(now));
            active.last_error = Set(Some(error));
        }
        Outcome::Delivered => {
            active.status = Set(status::DELIVERED.to_owned());
            active.delivered_at = Set(Some(now));
        }
    }
    active.update(db).await.map_err(Error::db("recording a delivery attempt"))?;
    if sent {
        mark_sent(db, id).await?;
    }
    Ok(())
}

/// [`record`] in a transaction of its own, for callers outside one: a letter's
/// send and a "Fejlet" receipt that raced it are then seen together.
pub async fn record_alone(db: &impl super::Conn, id: Uuid, outcome: Outcome, now: DateTime<Utc>) -> Result<()> {
    use sea_orm::TransactionSession;
    let txn = super::begin_write(db).await?;
    let letter = matches!(&outcome, Outcome::Sent { channel, .. } if channel == "digital_post");
    record(&txn, id, outcome, now).await?;
    if letter {
        super::receipts::after_letter_sent(&txn, &get(&txn, id).await?, now).await?;
    }
    txn.commit().await.map_err(Error::db("committing a delivery attempt"))
}

/// Marks a message sent in one statement that leaves a delivered one alone:
/// Digital Post may push its receipt while the send is still being recorded.
async fn mark_sent(db: &impl ConnectionTrait, id: Uuid) -> Result<()> {
    message_log::Entity::update_many()
        .col_expr(message_log::Column::Status, sea_orm::sea_query::Expr::value(status::SENT))
        .filter(message_log::Column::Id.eq(id))
        .filter(message_log::Column::Status.ne(status::DELIVERED))
        .exec(db)
        .await
        .map_err(Error::db("marking a message sent"))?;
    Ok(())
}

/// Audits that staff opened a message's page: its words carry the person's
/// name and address, as a profile does (reference §2.5: every view is logged).
pub async fn record_view(
    db: &impl ConnectionTrait,
    actor: &super::audit::Actor,
    message: &message_log::Model,
    name: &str,
) -> Result<()> {
    use super::audit::{AuditAction, AuditEntry};
    let entry = AuditEntry::new(AuditAction::View, "message_log")
        .entity(message.id)
        .participant(message.participant_id)
        .description(format!("Besked vist: {name}"));
    super::audit::record(db, actor, entry).await?;
    Ok(())
}

/// People no channel could reach: failed messages, newest first.
pub async fn unreachable(db: &impl ConnectionTrait) -> Result<Vec<message_log::Model>> {
    message_log::Entity::find()
        .filter(message_log::Column::Status.eq(status::FAILED))
        .order_by_desc(message_log::Column::FailedAt)
        .all(db)
        .await
        .map_err(Error::db("reading failed messages"))
}

/// The message log's filters; `None` is "all".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub election: Option<Uuid>,
    pub participant: Option<Uuid>,
}

/// A page of the message log, newest first, with each person's name.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &LogFilter,
    page: super::Page,
) -> Result<super::Paged<(message_log::Model, String)>> {
    use sea_orm::{PaginatorTrait, QuerySelect};
    let mut select = message_log::Entity::find();
    if let Some(status) = &filter.status {
        select = select.filter(message_log::Column::Status.eq(status.as_str()));
    }
    if let Some(kind) = &filter.kind {
        select = select.filter(message_log::Column::Kind.eq(kind.as_str()));
    }
    if let Some(election) = filter.election {
        select = select.filter(message_log::Column::ElectionId.eq(election));
    }
    if let Some(participant) = filter.participant {
        select = select.filter(message_log::Column::ParticipantId.eq(participant));
    }
    let total = select.clone().count(db).await.map_err(Error::db("counting messages"))?;
    let rows = select
        .order_by_desc(message_log::Column::QueuedAt)
        .offset((page.number.max(1) - 1) * page.size)
        .limit(page.size)
        .find_also_related(crate::entity::participants::Entity)
        .all(db)
        .await
        .map_err(Error::db("reading the message log"))?;
    let items = rows
        .into_iter()
        .map(|(m, p)| {
            let name = p.map(|p| format!("{} {}", p.first_name, p.last_name).trim().to_owned()).unwrap_or_default();
            (m, name)
        })
        .collect();
    Ok(super::Paged { items, total, page })
}

/// Queues the message again as a new one (new ids: a deliberate resend is
/// a new letter) and writes an audit row. Returns the new message's id.
pub async fn send_again(
    db: &impl super::Conn,
    actor: &super::audit::Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    use sea_orm::TransactionSession;
    let txn = super::begin_write(db).await?;
    let old = get(&txn, id).await?;
    let kind = MessageKind::parse(&old.kind).map_err(|_| Error::not_found("Beskedtypen"))?;
    let again = Queued { participant: old.participant_id, election: old.election_id, seat: old.seat_id, kind };
    let new = queue(&txn, again, &old.channel_order, now).await?;
    let entry = super::audit::AuditEntry::new(super::audit::AuditAction::Create, "message_log")
        .entity(new)
        .participant(old.participant_id)
        .description(format!("Besked sendt igen: {}", kind.label()));
    super::audit::record(&txn, actor, entry).await?;
    txn.commit().await.map_err(Error::db("committing a resend"))?;
    Ok(new)
}
