//! SMS through the Computopic gateway's XML API (`smssys.dk`, reference integrations.md §8):
//! `POST {base}sms` with HTTP Basic auth, an `<sms>` document in, a `<status>` document with
//! one `<statusline>` per number out; `code` 0 means accepted.
//!
//! One message goes to one person, so every request carries exactly one number and the
//! per-number outcome is the outcome of the send. A retry therefore never has "numbers that
//! already succeeded" to leave out; what it must not do is send the same text twice. The
//! `messageid` is fixed at queue time and sent on every attempt, and a gateway honouring it
//! answers a repeat with code 0 without sending again — that answer counts as delivered
//! (reference §8 only *suggests* idempotent `messageid`; it is not documented by the vendor,
//! and the simulator implements it so the behaviour is tested end to end).
//!
//! Numbers: Danish numbers go out as their 8 national digits with `countrycode` 45 (as
//! OS2sofd sends them); foreign numbers as `+<digits>` with an empty `countrycode` (as
//! Valghalla sends numbers "as stored"), since the country code applies to the whole request.

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use domain::contact::Mobile;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

use super::{Channel, Outgoing, SendError, Sent, Transport};
use crate::resilience::{CallError, HealthProbe, Idempotency, ProbeReport, Resilience, Settings, excerpt};

/// The integration's name in metrics and on the status page.
pub const INTEGRATION: &str = "sms";

pub const PRODUCTION_BASE_URL: &str = "https://smssys.dk/";

/// Everything the client needs for one tenant.
#[derive(Clone)]
pub struct SmsConfig {
    /// The gateway's base URL; `sms` is appended (a missing final `/` is added).
    pub base_url: String,
    pub username: String,
    pub password: String,
    /// `senderalias`: the name or number shown as sender (tenant setting).
    pub sender_alias: String,
    pub tenant: Option<String>,
    pub settings: Settings,
}

/// Without the password.
impl std::fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsConfig")
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .field("sender_alias", &self.sender_alias)
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

/// Why the client could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsBuildError {
    #[error("the SMS gateway URL must be an http(s) URL: {0}")]
    BaseUrl(String),
    #[error("settings: {0}")]
    Settings(String),
    #[error("HTTP client: {0}")]
    Client(String),
}

/// The gateway client.
#[derive(Clone)]
pub struct SmsClient {
    http: reqwest::Client,
    endpoint: String,
    authorization: String,
    sender_alias: String,
    resilience: Arc<Resilience>,
}

/// Without the credentials in the Authorization header.
impl std::fmt::Debug for SmsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsClient").field("endpoint", &self.endpoint).finish_non_exhaustive()
    }
}

impl SmsClient {
    pub fn new(config: SmsConfig) -> Result<Self, SmsBuildError> {
        let resilience = Arc::new(Resilience::new(INTEGRATION, config.tenant.as_deref(), config.settings.clone()));
        SmsClient::with_resilience(config, resilience)
    }

    pub fn with_resilience(config: SmsConfig, resilience: Arc<Resilience>) -> Result<Self, SmsBuildError> {
        config.settings.validate().map_err(SmsBuildError::Settings)?;
        if !config.base_url.starts_with("https://") && !config.base_url.starts_with("http://") {
            return Err(SmsBuildError::BaseUrl(config.base_url));
        }
        // reqwest is built without a default crypto provider; a second install is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .tls_backend_rustls()
            .connect_timeout(config.settings.connect_timeout)
            .timeout(config.settings.total_timeout)
            .build()
            .map_err(|e| SmsBuildError::Client(e.to_string()))?;
        let base = config.base_url.trim_end_matches('/');
        let credentials = format!("{}:{}", config.username, config.password);
        Ok(SmsClient {
            http,
            endpoint: format!("{base}/sms"),
            authorization: format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(credentials)),
            sender_alias: config.sender_alias,
            resilience,
        })
    }

    pub fn resilience(&self) -> &Arc<Resilience> {
        &self.resilience
    }

    async fn attempt(&self, body: String) -> Result<Vec<StatusLine>, CallError> {
        let response = self
            .http
            .post(&self.endpoint)
            .header(reqwest::header::AUTHORIZATION, &self.authorization)
            .header(reqwest::header::ACCEPT, "application/xml")
            .header(reqwest::header::CONTENT_TYPE, "application/xml; charset=utf-8")
            .body(body)
            .send()
            .await
            .map_err(|e| self.transport_error(e))?;
        let status = response.status().as_u16();
        if status == 429 {
            let wait = response.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok());
            return Err(CallError::throttled(wait));
        }
        let bytes = response.bytes().await.map_err(|e| self.transport_error(e))?;
        let text = String::from_utf8_lossy(&bytes);
        if !(200..300).contains(&status) {
            return Err(CallError::status(status, &text));
        }
        read_status(&text)
    }

    fn transport_error(&self, error: reqwest::Error) -> CallError {
        if error.is_timeout() {
            return CallError::Timeout(self.resilience.settings().total_timeout);
        }
        CallError::connect(error.without_url().to_string())
    }
}

#[async_trait]
impl Transport for SmsClient {
    fn channel(&self) -> Channel {
        Channel::Sms
    }

    async fn send(&self, message: &Outgoing) -> Result<Sent, SendError> {
        let Some(mobile) = &message.recipient.mobile else {
            return Err(SendError::Unreachable("intet mobilnummer".into()));
        };
        let body = request_body(mobile, &message.sms_id, &self.sender_alias, &message.sms_text);
        // One attempt: a lost answer is retried by delivery with the same messageid.
        let lines = self.resilience.call(Idempotency::NonIdempotent, || self.attempt(body.clone())).await;
        match lines {
            Ok(lines) => outcome(&lines),
            Err(CallError::Status { status, detail }) if refused_for_good(status) => {
                Err(SendError::Permanent(format!("SMS-gatewayen afviste kaldet (HTTP {status}): {detail}")))
            }
            // Refused before sending: wait as asked (a second when the gateway does not say).
            Err(CallError::Throttled(wait)) => Err(SendError::Throttled(wait.unwrap_or(DEFAULT_THROTTLE_WAIT))),
            Err(error) => Err(SendError::Temporary(error)),
        }
    }
}

/// How long to wait after a 429 without `Retry-After`.
const DEFAULT_THROTTLE_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

#[async_trait]
impl HealthProbe for SmsClient {
    fn integration(&self) -> &str {
        INTEGRATION
    }

    /// A `HEAD` of the endpoint (reference §10.2: connect, never send): any answer below
    /// 500 proves the gateway is reachable; a 5xx (a front proxy's 503) does not.
    async fn probe(&self) -> ProbeReport {
        let started = std::time::Instant::now();
        let attempt = || async {
            let response = self.http.head(&self.endpoint).send().await.map_err(|e| self.transport_error(e))?;
            let status = response.status().as_u16();
            if status >= 500 { Err(CallError::status(status, "")) } else { Ok(status) }
        };
        let (ok, detail) = match self.resilience.probe_call(attempt).await {
            Ok(status) => (true, format!("SMS-gatewayen svarede (HTTP {status})")),
            Err(error) => (false, format!("SMS-gatewayen kunne ikke nås: {error}")),
        };
        ProbeReport {
            integration: INTEGRATION.to_owned(),
            ok,
            checked_at: self.resilience.now(),
            latency: started.elapsed(),
            detail,
        }
    }
}

/// A 4xx other than timeout/throttling: this request will never be accepted as it is
/// (bad credentials, a refused document), so delivery should move on.
fn refused_for_good(status: u16) -> bool {
    (400..500).contains(&status) && status != 408 && status != 429
}

/// One line of the gateway's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StatusLine {
    code: String,
    description: String,
}

/// The request carries one number, so the one line is the result; more lines than that
/// would be a gateway answering about numbers we never sent, so any refusal wins.
fn outcome(lines: &[StatusLine]) -> Result<Sent, SendError> {
    match lines.iter().find(|l| l.code != "0") {
        // The vendor publishes no code list: every non-zero code refuses this number.
        Some(refused) => Err(SendError::Permanent(format!(
            "SMS-gatewayen afviste nummeret (kode {}): {}",
            excerpt(&refused.code),
            excerpt(&refused.description)
        ))),
        None => Ok(Sent { reference: lines.first().map(|l| excerpt(&l.description)).filter(|d| !d.is_empty()) }),
    }
}

/// `countrycode` and `number` for one recipient.
fn addressing(mobile: &Mobile) -> (&'static str, &str) {
    if mobile.is_danish() { ("45", mobile.national()) } else { ("", mobile.as_str()) }
}

fn request_body(mobile: &Mobile, message_id: &str, sender_alias: &str, text: &str) -> String {
    let (country_code, number) = addressing(mobile);
    let escape = |s: &str| quick_xml::escape::escape(s).into_owned();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sms><countrycode>{}</countrycode><number>{}</number>\
         <messageid>{}</messageid><senderalias>{}</senderalias><message>{}</message></sms>",
        country_code,
        escape(number),
        escape(message_id),
        escape(sender_alias),
        escape(text)
    )
}

/// Reads `<status><statusline><code/><description/></statusline>*</status>`. An answer
/// without any line says nothing about the number: unknown outcome, so Malformed.
fn read_status(text: &str) -> Result<Vec<StatusLine>, CallError> {
    let mut reader = Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut lines = Vec::new();
    let mut saw_root = false;
    loop {
        match reader.read_event().map_err(|e| CallError::malformed(format!("SMS-svaret er ikke XML: {e}")))? {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_owned();
                if path.is_empty() {
                    saw_root = name == "status";
                }
                if name == "statusline" && path.len() == 1 {
                    lines.push(StatusLine { code: String::new(), description: String::new() });
                }
                path.push(name);
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Text(t) => set_field(&path, &mut lines, &t.xml10_content()),
            Event::CData(t) => set_field(&path, &mut lines, &t.xml10_content()),
            Event::GeneralRef(r) => {
                let value = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => predefined(&r.xml10_content()).ok_or_else(|| CallError::malformed("ukendt XML-entitet"))?,
                };
                set_field(&path, &mut lines, &value);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root || !path.is_empty() {
        return Err(CallError::malformed(format!("SMS-svaret er ikke et helt <status>-dokument: {text}")));
    }
    if lines.is_empty() {
        return Err(CallError::malformed("SMS-svaret har ingen statusline"));
    }
    Ok(lines
        .into_iter()
        .map(|l| StatusLine { code: l.code.trim().into(), description: l.description.trim().into() })
        .collect())
}

fn predefined(name: &str) -> Option<String> {
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    };
    Some(c.to_string())
}

fn set_field(path: &[String], lines: &mut [StatusLine], value: &str) {
    let [_, line, field] = path else { return };
    let Some(current) = lines.last_mut().filter(|_| line == "statusline") else { return };
    match field.as_str() {
        "code" => current.code.push_str(value),
        "description" => current.description.push_str(value),
        _ => {}
    }
}
