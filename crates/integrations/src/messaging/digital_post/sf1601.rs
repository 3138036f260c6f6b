//! SF1601 through Serviceplatformen (reference §4.1–4.3). Every call carries
//! our organisation certificate (mTLS); the access token is bound to it.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use domain::CprNumber;
use serde_json::Value;
use uuid::Uuid;

use super::tokens::{Audience, TokenSettings, Tokens};
use super::{Answer, MemoSender, SF1601_INTEGRATION, exempt, failed, kombi, letter};
use crate::https::{self, BuildError, ClientIdentity};
use crate::messaging::{Channel, Outgoing, SendError, Sent, Transport};
use crate::resilience::{CallError, HealthProbe, Idempotency, ProbeReport, Resilience, Settings};

pub const KOMBI_PATH: &str = "/service/KombiPostAfsend_1/kombi";
pub const TOKEN_PATH: &str = "/service/AccessTokenService_1/token";
pub const POST_FORESPOERG_PATH: &str = "/service/PostForespoerg_1/digitalpost";
pub const STS_PATH: &str = "/runtime/api/rest/wstrust/v1/issue";

#[derive(Debug, Clone)]
pub struct Sf1601Config {
    /// The STS REST issue URL, e.g. `https://n2adgangsstyring.eksterntest-stoettesystemerne.dk`
    /// followed by [`STS_PATH`], or a simulator's.
    pub sts_endpoint: String,
    /// `https://exttest.serviceplatformen.dk`, `https://prod.serviceplatformen.dk` or a simulator.
    pub service_base: String,
    pub sender: MemoSender,
    /// The organisation certificate: mTLS, `UseKey` and holder-of-key.
    pub identity: ClientIdentity,
    /// PEM CA certificates to trust instead of the system's (a simulator's test CA).
    pub trusted_roots: Option<Vec<u8>>,
    /// Ask `PostForespoerg` before sending, so an unregistered citizen goes
    /// to the next channel without a refused letter.
    pub check_registration: bool,
    /// Tokens are renewed this long before they expire (half their life if shorter).
    pub token_refresh_margin: Duration,
    pub tenant: Option<String>,
    pub settings: Settings,
}

impl Sf1601Config {
    pub fn new(sts_endpoint: &str, service_base: &str, sender: MemoSender, identity: ClientIdentity) -> Self {
        Sf1601Config {
            sts_endpoint: sts_endpoint.to_owned(),
            service_base: service_base.trim_end_matches('/').to_owned(),
            sender,
            identity,
            trusted_roots: None,
            check_registration: true,
            token_refresh_margin: Duration::from_secs(300),
            tenant: None,
            settings: Settings::default(),
        }
    }
}

pub struct Sf1601Client {
    http: reqwest::Client,
    service_base: String,
    sender: MemoSender,
    check_registration: bool,
    tokens: Tokens,
    resilience: Arc<Resilience>,
}

impl Sf1601Client {
    pub fn new(config: Sf1601Config) -> Result<Self, BuildError> {
        let resilience =
            Arc::new(Resilience::new(SF1601_INTEGRATION, config.tenant.as_deref(), config.settings.clone()));
        Sf1601Client::with_resilience(config, resilience)
    }

    /// As [`Sf1601Client::new`] with a resilience layer (and clock) the caller keeps.
    pub fn with_resilience(config: Sf1601Config, resilience: Arc<Resilience>) -> Result<Self, BuildError> {
        if !config.sts_endpoint.starts_with("https://") && !config.sts_endpoint.starts_with("http://") {
            return Err(BuildError::Endpoint(config.sts_endpoint));
        }
        let http = https::client(https::Transport {
            endpoint: &config.service_base,
            identity: Some(&config.identity),
            trusted_roots: config.trusted_roots.as_deref(),
            settings: &config.settings,
        })?;
        let certificate = config
            .identity
            .leaf_certificate_der()
            .ok_or_else(|| BuildError::Identity("no certificate in the client identity".into()))?;
        let tokens = Tokens::new(
            http.clone(),
            TokenSettings {
                sts_url: config.sts_endpoint,
                token_url: format!("{}{TOKEN_PATH}", config.service_base),
                cvr: config.sender.cvr.clone(),
                certificate,
                refresh_margin: config.token_refresh_margin,
            },
            resilience.clone(),
        );
        Ok(Sf1601Client {
            http,
            service_base: config.service_base,
            sender: config.sender,
            check_registration: config.check_registration,
            tokens,
            resilience,
        })
    }

    pub fn resilience(&self) -> &Arc<Resilience> {
        &self.resilience
    }

    /// `PostForespoerg`: whether the citizen can receive Digital Post. A
    /// technical failure (its token included) answers `true`, as OS2sofd does:
    /// the send itself fails, and is retried or falls through, if the citizen
    /// cannot receive the letter.
    pub async fn is_registered(&self, cpr: &CprNumber) -> bool {
        let authorization = match self.tokens.authorization(Audience::PostForespoerg).await {
            Ok(authorization) => authorization,
            Err(error) => {
                tracing::warn!(%error, "no PostForespoerg token; sending without knowing the registration");
                return true;
            }
        };
        let url = format!("{}{POST_FORESPOERG_PATH}", self.service_base);
        let result = self.resilience.call(Idempotency::Idempotent, || self.ask(&url, &authorization, cpr)).await;
        match result {
            Ok(Some(registered)) => registered,
            Ok(None) => {
                self.tokens.invalidate(Audience::PostForespoerg, &authorization).await;
                tracing::warn!("PostForespoerg refused the token; sending without knowing the registration");
                true
            }
            Err(error) => {
                tracing::warn!(%error, "PostForespoerg failed; sending without knowing the registration");
                true
            }
        }
    }

    /// `Ok(None)` when the token was refused.
    async fn ask(&self, url: &str, authorization: &str, cpr: &CprNumber) -> Result<Option<bool>, CallError> {
        let settings = self.resilience.settings();
        let sent = headers(self.http.get(url), authorization, Uuid::new_v4())
            .query(&[("cprNumber", cpr.expose())])
            .send()
            .await
            .map_err(|e| https::transport_error(e, settings))?;
        let status = sent.status().as_u16();
        let bytes = sent.bytes().await.map_err(|e| https::transport_error(e, settings))?;
        match status {
            200 => {}
            401 => return Ok(None),
            _ => return Err(CallError::status(status, &String::from_utf8_lossy(&bytes))),
        }
        let answer: Value =
            serde_json::from_slice(&bytes).map_err(|e| CallError::malformed(format!("ikke JSON: {e}")))?;
        answer.get("result").and_then(Value::as_bool).map(Some).ok_or_else(|| CallError::malformed("intet result"))
    }

    async fn post_kombi(&self, body: &str, message_id: Uuid) -> Result<(Answer, String), SendError> {
        let authorization = self.tokens.authorization(Audience::KombiPostAfsend).await.map_err(failed)?;
        let url = format!("{}{KOMBI_PATH}", self.service_base);
        let answer = self
            .resilience
            .call(Idempotency::NonIdempotent, || self.attempt(&url, &authorization, body, message_id))
            .await
            .map_err(failed)?;
        Ok((answer, authorization))
    }

    async fn attempt(&self, url: &str, authorization: &str, body: &str, message_id: Uuid) -> Result<Answer, CallError> {
        let settings = self.resilience.settings();
        let sent = headers(self.http.post(url), authorization, message_id)
            .header(reqwest::header::CONTENT_TYPE, "application/xml; charset=UTF-8")
            .body(body.to_owned())
            .send()
            .await
            .map_err(|e| https::transport_error(e, settings))?;
        let status = sent.status().as_u16();
        let bytes = sent.bytes().await.map_err(|e| https::transport_error(e, settings))?;
        let text = String::from_utf8_lossy(&bytes);
        if status != 200 {
            return Answer::from_status(status, &text);
        }
        kombi::response(&text)
            .map(Answer::Kombi)
            .ok_or_else(|| CallError::malformed(format!("intet kombi_response: {text}")))
    }
}

/// The three headers every Serviceplatformen REST call carries (reference §4.1 step 3).
fn headers(request: reqwest::RequestBuilder, authorization: &str, transaction: Uuid) -> reqwest::RequestBuilder {
    request
        .header(reqwest::header::AUTHORIZATION, authorization)
        .header("x-TransaktionsId", transaction.to_string())
        .header("x-TransaktionsTid", chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

#[async_trait]
impl Transport for Sf1601Client {
    fn channel(&self) -> Channel {
        Channel::DigitalPost
    }

    async fn send(&self, message: &Outgoing) -> Result<Sent, SendError> {
        exempt(message)?;
        let memo = letter(message, &self.sender, self.resilience.now())?;
        if self.check_registration && !self.is_registered(&message.recipient.cpr).await {
            return Err(SendError::Unreachable("ikke tilmeldt Digital Post".into()));
        }
        let body = kombi::request(&memo);
        // The letter's id is also the transaction id, so receipts and the
        // platform's logs can be matched to our message log (as Valghalla does).
        let (answer, used) = self.post_kombi(&body, message.message_id).await?;
        if !matches!(answer, Answer::Unauthorized) {
            return answer.into_result(message);
        }
        // Exactly one refresh-and-retry: the token may have expired early or
        // been revoked; a second 401 means our certificate or agreement is wrong.
        self.tokens.invalidate(Audience::KombiPostAfsend, &used).await;
        let (answer, _) = self.post_kombi(&body, message.message_id).await?;
        answer.into_result(message)
    }
}

#[async_trait]
impl HealthProbe for Sf1601Client {
    fn integration(&self) -> &str {
        SF1601_INTEGRATION
    }

    /// Fetches a new STS token for sending (reference §10.2): it proves the
    /// STS, our certificate and the service agreement without sending a letter.
    async fn probe(&self) -> ProbeReport {
        let started = std::time::Instant::now();
        let (ok, detail) = match self.tokens.probe(Audience::KombiPostAfsend).await {
            Ok(()) => (true, "STS udstedte et token til KombiPostAfsend".to_owned()),
            Err(error) => (false, format!("STS-token kunne ikke hentes: {error}")),
        };
        ProbeReport {
            integration: SF1601_INTEGRATION.to_owned(),
            ok,
            checked_at: self.resilience.now(),
            latency: started.elapsed(),
            detail,
        }
    }
}
