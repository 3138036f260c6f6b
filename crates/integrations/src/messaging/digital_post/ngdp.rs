//! Direct Næste generation Digital Post (reference §4.5): the same MeMo
//! letter, sent without KOMBIT in between.
//!
//! What is public: the hosts (`https://api.test.digitalpost.dk`,
//! `https://api.digitalpost.dk`), REST over HTTPS with the sender system's
//! FOCES3/VOCES3 certificate (mTLS, no token chain), a connection agreement
//! with the Agency for Digital Government, the MeMo XML as the message format,
//! and receipts by REST push or pull.
//!
//! What is NOT public in the sources we have, and therefore assumed here and
//! configurable: the send path ([`NGDP_MEMO_PATH`] is a guess), the headers
//! (we send `x-TransaktionsId` as on Serviceplatformen), the answer (any 2xx
//! is taken as accepted, with no reference read from the body) and how a
//! duplicate `messageUUID` is answered (taken as 409, as for SF1601). There is
//! no registration lookup: an unregistered citizen is refused by the send (a
//! 4xx, so `Permanent`). Check all of this against NgDP's documentation
//! before production use.

use std::sync::Arc;

use async_trait::async_trait;
use uuid::Uuid;

use super::{Answer, MemoSender, NGDP_INTEGRATION, exempt, failed, letter};
use crate::https::{self, BuildError, ClientIdentity};
use crate::messaging::{Channel, Outgoing, SendError, Sent, Transport};
use crate::resilience::{CallError, Idempotency, Resilience, Settings};

/// Assumed (unverified) path of the MeMo send operation.
pub const NGDP_MEMO_PATH: &str = "/apis/v1/messages/memos";

#[derive(Debug, Clone)]
pub struct NgdpConfig {
    /// `https://api.test.digitalpost.dk`, `https://api.digitalpost.dk` or a simulator.
    pub base: String,
    /// Defaults to [`NGDP_MEMO_PATH`].
    pub memo_path: String,
    pub sender: MemoSender,
    pub identity: ClientIdentity,
    pub trusted_roots: Option<Vec<u8>>,
    pub tenant: Option<String>,
    pub settings: Settings,
}

impl NgdpConfig {
    pub fn new(base: &str, sender: MemoSender, identity: ClientIdentity) -> Self {
        NgdpConfig {
            base: base.trim_end_matches('/').to_owned(),
            memo_path: NGDP_MEMO_PATH.to_owned(),
            sender,
            identity,
            trusted_roots: None,
            tenant: None,
            settings: Settings::default(),
        }
    }
}

pub struct NgdpClient {
    http: reqwest::Client,
    url: String,
    sender: MemoSender,
    resilience: Arc<Resilience>,
}

impl NgdpClient {
    pub fn new(config: NgdpConfig) -> Result<Self, BuildError> {
        let resilience = Arc::new(Resilience::new(NGDP_INTEGRATION, config.tenant.as_deref(), config.settings.clone()));
        let http = https::client(https::Transport {
            endpoint: &config.base,
            identity: Some(&config.identity),
            trusted_roots: config.trusted_roots.as_deref(),
            settings: &config.settings,
        })?;
        let url = format!("{}{}", config.base, config.memo_path);
        Ok(NgdpClient { http, url, sender: config.sender, resilience })
    }

    pub fn resilience(&self) -> &Arc<Resilience> {
        &self.resilience
    }

    async fn attempt(&self, body: &str, message_id: Uuid) -> Result<Answer, CallError> {
        let settings = self.resilience.settings();
        let sent = self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/xml; charset=UTF-8")
            .header("x-TransaktionsId", message_id.to_string())
            .body(body.to_owned())
            .send()
            .await
            .map_err(|e| https::transport_error(e, settings))?;
        let status = sent.status().as_u16();
        let bytes = sent.bytes().await.map_err(|e| https::transport_error(e, settings))?;
        if (200..300).contains(&status) {
            return Ok(Answer::Accepted(None));
        }
        Answer::from_status(status, &String::from_utf8_lossy(&bytes))
    }
}

#[async_trait]
impl Transport for NgdpClient {
    fn channel(&self) -> Channel {
        Channel::DigitalPost
    }

    async fn send(&self, message: &Outgoing) -> Result<Sent, SendError> {
        exempt(message)?;
        let memo = letter(message, &self.sender, self.resilience.now())?;
        let body = format!(r#"<?xml version="1.0" encoding="UTF-8"?>{}"#, memo.xml);
        let answer = self
            .resilience
            .call(Idempotency::NonIdempotent, || self.attempt(&body, message.message_id))
            .await
            .map_err(failed)?;
        answer.into_result(message)
    }
}
