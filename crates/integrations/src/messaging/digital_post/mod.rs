//! Digital Post, two ways behind the same [`Transport`](super::Transport):
//! [`Sf1601Client`] through KOMBIT's Serviceplatformen (STS token, access
//! token, `KombiPostAfsend_1/kombi`, `PostForespoerg_1`; reference §4.1–4.3)
//! and [`NgdpClient`] straight to Næste generation Digital Post (§4.5, whose
//! public description is incomplete — see that module). Both send the same
//! MeMo 1.1 letter built by [`memo`].
//!
//! Both say what happened and nothing more: an exempt or unregistered citizen
//! is `Unreachable`, a letter or call the platform refuses is `Permanent`,
//! 5xx, 429, timeouts and unreadable answers are `Temporary`. An unreadable
//! answer may hide an accepted letter; sending again is still safe because the
//! `messageUUID` is fixed at queue time and a duplicate is refused (HTTP 409),
//! which both clients take as "already delivered".

mod kombi;
pub mod memo;
mod ngdp;
mod sf1601;
mod tokens;

pub use crate::https::{BuildError, ClientIdentity};
pub use memo::{MemoError, MemoSender};
pub use ngdp::{NGDP_MEMO_PATH, NgdpClient, NgdpConfig};
pub use sf1601::{KOMBI_PATH, POST_FORESPOERG_PATH, STS_PATH, Sf1601Client, Sf1601Config, TOKEN_PATH};
pub use tokens::Audience;

use super::{Outgoing, SendError, Sent};
use crate::resilience::{CallError, excerpt};

/// Integration names in metrics and on the status page.
pub const SF1601_INTEGRATION: &str = "digital_post_sf1601";
pub const NGDP_INTEGRATION: &str = "digital_post_ngdp";

/// What a send call got back, before it is turned into the trait's answer.
#[derive(Debug)]
enum Answer {
    /// HTTP 200 from SF1601 (may still say `Result=false`).
    Kombi(kombi::KombiResponse),
    /// A 2xx from NgDP.
    Accepted(Option<String>),
    /// 409: this `messageUUID` was received before — by an earlier attempt
    /// whose answer we never saw.
    Duplicate,
    /// 401: the token was refused.
    Unauthorized,
    /// Another 4xx: the platform refused the letter or the call.
    Rejected { status: u16, detail: String },
}

impl Answer {
    /// From an HTTP status and body; `Err` for failures worth trying again.
    fn from_status(status: u16, body: &str) -> Result<Answer, CallError> {
        match status {
            401 => Ok(Answer::Unauthorized),
            409 => Ok(Answer::Duplicate),
            429 | 500.. => Err(CallError::status(status, body)),
            400..=499 => Ok(Answer::Rejected { status, detail: excerpt(body) }),
            _ => Err(CallError::status(status, body)),
        }
    }

    fn into_result(self, message: &Outgoing) -> Result<Sent, SendError> {
        match self {
            Answer::Kombi(response) if response.accepted() => Ok(Sent { reference: response.transmission_id }),
            Answer::Kombi(response) => Err(SendError::Permanent(format!(
                "Digital Post tog ikke imod brevet (Result={}, Advis: {})",
                response.result,
                response.advis_text.as_deref().unwrap_or("ingen")
            ))),
            Answer::Accepted(reference) => Ok(Sent { reference }),
            Answer::Duplicate => {
                tracing::info!(message_id = %message.message_id, "Digital Post had this letter already");
                Ok(Sent { reference: None })
            }
            Answer::Unauthorized => Err(SendError::Permanent("Digital Post afviste adgangen (HTTP 401)".into())),
            Answer::Rejected { status, detail } => {
                Err(SendError::Permanent(format!("Digital Post afviste brevet (HTTP {status}): {detail}")))
            }
        }
    }
}

/// A failed call (token or send): a refusal is for good, anything else for now.
fn failed(error: CallError) -> SendError {
    match &error {
        CallError::Status { status, .. } if (400..500).contains(status) && *status != 429 => {
            SendError::Permanent(format!("Digital Post afviste kaldet: {error}"))
        }
        CallError::Fault { .. } => SendError::Permanent(format!("Digital Post afviste kaldet: {error}")),
        _ => SendError::Temporary(error),
    }
}

fn exempt(message: &Outgoing) -> Result<(), SendError> {
    if message.recipient.exempt_digital_post {
        return Err(SendError::Unreachable("fritaget for Digital Post".into()));
    }
    Ok(())
}

/// The MeMo letter of `message`, or why it cannot be one.
fn letter(
    message: &Outgoing,
    sender: &MemoSender,
    created: chrono::DateTime<chrono::Utc>,
) -> Result<memo::Memo, SendError> {
    memo::build(&memo::MemoInput {
        message_uuid: message.message_id,
        sender,
        recipient: &message.recipient.cpr,
        recipient_name: &message.recipient.name,
        label: &message.subject,
        html: &message.html,
        attachments: &message.attachments,
        created,
    })
    .map_err(|e| SendError::Permanent(format!("brevet kan ikke sendes som Digital Post: {e}")))
}
