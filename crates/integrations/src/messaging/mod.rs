//! The channels a message can go out on — Digital Post (SF1601, or NgDP
//! directly), e-mail and SMS — behind one trait, so that delivery (the jobs
//! crate) can try them in the election's order and fall through on its own.
//!
//! A transport never decides what happens next; it says what happened:
//! delivered to the channel, refused for good, not reachable this way, or
//! failed for now (try again later). Retries and deadlines belong to delivery.

use async_trait::async_trait;
use domain::CprNumber;
use domain::contact::{Email, Mobile};
use uuid::Uuid;

use crate::resilience::CallError;

pub mod digital_post;
pub mod email;
pub mod pacing;
pub mod receipts;
pub mod sms;

pub use domain::delivery::Channel;

/// Who receives the message, with every address we have for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub cpr: CprNumber,
    pub name: String,
    pub email: Option<Email>,
    pub mobile: Option<Mobile>,
    /// Exempt from Digital Post (CPR says so): skip that channel at once.
    pub exempt_digital_post: bool,
}

impl Recipient {
    /// Whether `channel` has somewhere to send to (an address, or Digital
    /// Post not exempt). A channel without one refuses before any request.
    pub fn has_address_for(&self, channel: Channel) -> bool {
        match channel {
            Channel::DigitalPost => !self.exempt_digital_post,
            Channel::Email => self.email.is_some(),
            Channel::Sms => self.mobile.is_some(),
        }
    }
}

/// A file sent along (a task type's PDF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// One message, rendered, ready for any channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Fixed when the message was queued; the Digital Post `messageUUID`.
    /// A retry after an unknown outcome sends the same id, so the receiver
    /// can refuse a duplicate instead of delivering a second letter.
    pub message_id: Uuid,
    /// The SMS gateway's `messageid`, also fixed at queue time.
    pub sms_id: String,
    pub recipient: Recipient,
    pub subject: String,
    /// The main document / e-mail body as HTML.
    pub html: String,
    /// The same as plain text (the e-mail's text alternative).
    pub text: String,
    /// The short SMS text.
    pub sms_text: String,
    pub attachments: Vec<Attachment>,
}

/// What a channel accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The channel's own reference (e.g. the SMTP queue id), if it gave one.
    pub reference: Option<String>,
}

/// Why a channel did not take the message.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// This channel cannot reach the person (exempt, no address, not
    /// registered): go to the next channel at once, nothing was sent.
    #[error("kan ikke nås via denne kanal: {0}")]
    Unreachable(String),
    /// Refused for good (invalid number, message rejected): the next
    /// channel at once; trying again would fail the same way.
    #[error("afvist: {0}")]
    Permanent(String),
    /// Failed for now (down, timeout, 5xx): try again later, until the
    /// message kind's deadline.
    #[error("midlertidig fejl: {0}")]
    Temporary(CallError),
    /// Nothing was sent because the channel asked us to slow down, or our own
    /// pace for it has no free slot soon: try again after the wait. Not a
    /// failure; only the time it takes counts towards the deadline.
    #[error("venter {} ms på kanalens hastighedsgrænse", .0.as_millis())]
    Throttled(std::time::Duration),
}

/// A channel's client.
#[async_trait]
pub trait Transport: Send + Sync {
    fn channel(&self) -> Channel;

    /// Sends one message. Must be safe to call again with the same message
    /// after an unknown outcome (same ids).
    async fn send(&self, message: &Outgoing) -> Result<Sent, SendError>;
}
