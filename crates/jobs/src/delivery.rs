//! `message.deliver`: sends one queued message over the election's channels
//! in order, falling through as `domain::delivery` says — at once past a
//! channel that cannot reach the person or refuses for good, after the
//! channel's share of the deadline when it keeps failing for now. The
//! message's ids were fixed when it was queued, so an attempt repeated after
//! an unknown outcome is recognised by the receiver, never a second letter.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::MessageKind;
use domain::delivery::{self, Attempt, Channel, Next};
use integrations::messaging::{Attachment, Outgoing, Recipient, SendError, Transport};
use integrations::resilience::scrub;
use sea_orm::DatabaseConnection;
use store::crypto::CprVault;
use store::entity::message_log;
use store::repo::messages::{self, DELIVER, DeliverPayload, Outcome, SentWords, status};
use store::repo::participants;

use crate::{Handlers, JobContext, JobError};

/// A message's words, filled in for its person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Content {
    pub subject: String,
    pub html: String,
    pub text: String,
    pub sms_text: String,
    pub attachments: Vec<Attachment>,
}

/// Fills in a queued message's template (the templates live in the store).
#[async_trait]
pub trait Composer: Send + Sync {
    async fn compose(&self, db: &DatabaseConnection, message: &message_log::Model) -> Result<Content, String>;
}

/// A tenant's channels and what delivery needs besides them.
#[derive(Clone)]
pub struct Messaging {
    pub transports: HashMap<Channel, Arc<dyn Transport>>,
    pub vault: CprVault,
    pub composer: Arc<dyn Composer>,
    /// How long each kind of message may take (the tenant's, else the defaults).
    pub deadlines: delivery::Deadlines,
}

/// Where an attempt left the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// Sent, or had been already.
    Done,
    /// Every channel was given up.
    Failed,
    /// Failed for now; try again later, at the latest `by` (when the
    /// channel's share of the deadline ends and the next channel's turn comes).
    RetryLater { error: String, by: Option<DateTime<Utc>> },
    /// The channel asked to wait this long (its rate limit): nothing failed.
    Postponed(Duration),
}

pub fn register(handlers: &mut Handlers, messaging: Messaging) {
    let messaging = Arc::new(messaging);
    handlers.register_typed(DELIVER, move |ctx: JobContext, payload: DeliverPayload| {
        let messaging = messaging.clone();
        async move {
            match deliver(&ctx.db, &messaging, payload.message, ctx.now).await {
                Ok(Delivered::RetryLater { error, by: Some(by) }) => Err(JobError::RetryBy { error, by }),
                Ok(Delivered::RetryLater { error, by: None }) => Err(JobError::Retryable(error)),
                Ok(Delivered::Postponed(wait)) => Err(JobError::Postponed(wait)),
                Ok(_) => Ok(()),
                Err(store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(JobError::retryable(e)),
            }
        }
    });
}

/// One delivery attempt of a message.
pub async fn deliver(
    db: &DatabaseConnection,
    messaging: &Messaging,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> store::Result<Delivered> {
    let row = messages::get(db, id).await?;
    if [status::SENT, status::DELIVERED, status::FAILED].contains(&row.status.as_str()) {
        return Ok(if row.status == status::FAILED { Delivered::Failed } else { Delivered::Done });
    }
    let kind = MessageKind::parse(&row.kind).unwrap_or(MessageKind::GroupMessage);
    let order = delivery::channel_order(&row.channel_order);
    let left = messages::channels_left(&row);
    let outgoing = match outgoing(db, messaging, &row).await {
        Ok(outgoing) => outgoing,
        // Nothing was tried on a channel: the usual backoff.
        Err(error) => return Ok(Delivered::RetryLater { error, by: None }),
    };
    let mut last_error = String::from("ingen kanal er sat op");
    for (position, channel) in order.iter().enumerate() {
        if left.iter().any(|c| c == channel.as_str()) {
            continue;
        }
        let Tried { attempt, reference, error, wait } = attempt(messaging, *channel, &outgoing).await;
        let until = messaging.deadlines.channel_deadline(kind, row.queued_at, position, order.len());
        let key = channel.as_str().to_owned();
        match delivery::after(attempt, now, until) {
            Next::Done => {
                let words = words_sent(*channel, &outgoing);
                messages::record_alone(db, id, Outcome::Sent { channel: key, reference, words }, now).await?;
                return Ok(Delivered::Done);
            }
            Next::RetryLater => {
                if let Some(wait) = wait {
                    // Not a failure: only the time it takes counts against the deadline.
                    return Ok(Delivered::Postponed(wait));
                }
                messages::record(db, id, Outcome::Retrying { channel: key, error: error.clone() }, now).await?;
                return Ok(Delivered::RetryLater { error, by: Some(until) });
            }
            Next::NextChannel => {
                tracing::info!(message = %id, channel = key, "channel left: {error}");
                messages::record(db, id, Outcome::Left { channel: key, error: error.clone() }, now).await?;
                last_error = error;
            }
        }
    }
    messages::record(db, id, Outcome::Failed { error: last_error }, now).await?;
    Ok(Delivered::Failed)
}

/// What one channel did with the message.
struct Tried {
    attempt: Attempt,
    reference: Option<String>,
    error: String,
    /// The channel asked to wait this long before the next try.
    wait: Option<Duration>,
}

async fn attempt(messaging: &Messaging, channel: Channel, outgoing: &Outgoing) -> Tried {
    let tried = |attempt, reference, error| Tried { attempt, reference, error, wait: None };
    let Some(transport) = messaging.transports.get(&channel) else {
        return tried(Attempt::Unreachable, None, format!("{} er ikke sat op", channel.label()));
    };
    let error = match transport.send(outgoing).await {
        Ok(sent) => return tried(Attempt::Sent, sent.reference, String::new()),
        Err(e) => e,
    };
    let (attempt, wait) = match error {
        SendError::Unreachable(_) => (Attempt::Unreachable, None),
        SendError::Permanent(_) => (Attempt::Permanent, None),
        SendError::Temporary(_) => (Attempt::Temporary, None),
        // Waits while the channel's share of the deadline lasts, like a
        // temporary failure, but without counting as one.
        SendError::Throttled(wait) => (Attempt::Temporary, Some(wait)),
    };
    // The text goes to the log, the message log and the admin page; a remote
    // answer echoing the recipient's CPR number must not take it there.
    Tried { attempt, reference: None, error: scrub(&format!("{}: {error}", channel.label())), wait }
}

/// The words that went out on `channel`, for the message log. Templates
/// have no CPR placeholder, but words staff wrote might hold a number.
fn words_sent(channel: Channel, outgoing: &Outgoing) -> SentWords {
    match channel {
        Channel::Sms => SentWords::Sms(scrub(&outgoing.sms_text)),
        Channel::DigitalPost | Channel::Email => {
            SentWords::Letter { subject: scrub(&outgoing.subject), body: scrub(&outgoing.text) }
        }
    }
}

/// The message rendered for its person, with every address we hold.
async fn outgoing(
    db: &DatabaseConnection,
    messaging: &Messaging,
    row: &message_log::Model,
) -> Result<Outgoing, String> {
    let person = participants::get(db, row.participant_id).await.map_err(|e| e.to_string())?;
    let cpr = participants::cpr_of(&messaging.vault, &person).map_err(|e| e.to_string())?;
    let content = messaging.composer.compose(db, row).await?;
    let recipient = Recipient {
        cpr,
        name: participants::full_name(&person),
        email: person.email.as_deref().and_then(|e| domain::Email::parse(e).ok()),
        mobile: person.mobile.as_deref().and_then(|m| domain::Mobile::parse(m).ok()),
        exempt_digital_post: person.exempt_digital_post,
    };
    Ok(Outgoing {
        message_id: row.digital_post_message_id,
        sms_id: row.sms_message_id.clone(),
        recipient,
        subject: content.subject,
        html: content.html,
        text: content.text,
        sms_text: content.sms_text,
        attachments: content.attachments,
    })
}

/// Composes from the store's templates (the election's, else the default).
pub struct TemplateComposer {
    pub tenant: Arc<store::tenants::Tenant>,
    /// The portal's base URL, for links in the message.
    pub portal_url: String,
}

#[async_trait]
impl Composer for TemplateComposer {
    async fn compose(&self, db: &DatabaseConnection, message: &message_log::Model) -> Result<Content, String> {
        let links = store::repo::templates::Links { portal_url: &self.portal_url, tenant: &self.tenant };
        let today = domain::danish_date(Utc::now());
        let composed =
            store::repo::templates::compose(db, &links, message.id, today).await.map_err(|e| e.to_string())?;
        Ok(Content {
            subject: composed.subject,
            html: composed.html,
            text: composed.text,
            sms_text: composed.sms_text,
            attachments: composed
                .attachments
                .into_iter()
                .map(|a| Attachment { filename: a.file_name, content_type: a.mime_type, bytes: a.content })
                .collect(),
        })
    }
}
