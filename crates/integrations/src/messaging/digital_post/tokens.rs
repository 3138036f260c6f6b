//! The two-step token chain of Serviceplatformen (reference §4.1): a SAML
//! token from the KOMBIT STS REST façade (`wstrust/v1/issue`, mTLS, bound to
//! our certificate by `UseKey`), exchanged at `AccessTokenService_1/token` for
//! a holder-of-key access token. Both are cached per service and refreshed
//! early, so a send rarely waits for the STS; one lock per service makes
//! concurrent sends share one fetch instead of stampeding the STS.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, NaiveDateTime, Utc};
use domain::Cvr;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::https;
use crate::resilience::{CallError, Idempotency, Resilience};

/// The services a token is issued for (`AppliesTo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    KombiPostAfsend,
    PostForespoerg,
}

impl Audience {
    pub fn entity_id(self) -> &'static str {
        match self {
            Audience::KombiPostAfsend => "http://entityid.kombit.dk/service/kombipostafsend/1",
            Audience::PostForespoerg => "http://entityid.kombit.dk/service/postforespoerg/1",
        }
    }

    fn index(self) -> usize {
        match self {
            Audience::KombiPostAfsend => 0,
            Audience::PostForespoerg => 1,
        }
    }
}

const TOKEN_TYPE: &str = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0";
const REQUEST_TYPE: &str = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue";
const KEY_TYPE: &str = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/PublicKey";

#[derive(Debug, Clone)]
struct Timed<T> {
    value: T,
    /// Expiry less the early-refresh margin: from then on a new one is fetched.
    refresh_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct Slot {
    saml: Option<Timed<String>>,
    /// The whole `Authorization` value: `<token_type> <access_token>`.
    access: Option<Timed<String>>,
}

pub struct Tokens {
    http: reqwest::Client,
    sts_url: String,
    token_url: String,
    cvr: Cvr,
    use_key: String,
    refresh_margin: Duration,
    resilience: Arc<Resilience>,
    slots: [Mutex<Slot>; 2],
}

pub struct TokenSettings {
    pub sts_url: String,
    pub token_url: String,
    pub cvr: Cvr,
    /// DER of our client certificate.
    pub certificate: Vec<u8>,
    pub refresh_margin: Duration,
}

impl Tokens {
    pub fn new(http: reqwest::Client, settings: TokenSettings, resilience: Arc<Resilience>) -> Self {
        Tokens {
            http,
            sts_url: settings.sts_url,
            token_url: settings.token_url,
            cvr: settings.cvr,
            use_key: base64::engine::general_purpose::STANDARD.encode(settings.certificate),
            refresh_margin: settings.refresh_margin,
            resilience,
            slots: [Mutex::new(Slot::default()), Mutex::new(Slot::default())],
        }
    }

    /// The `Authorization` header value for `audience`, from the cache while it
    /// is fresh, else fetched (a new SAML token only when that one is stale too).
    pub async fn authorization(&self, audience: Audience) -> Result<String, CallError> {
        let mut slot = self.slots[audience.index()].lock().await;
        if let Some(access) = slot.access.as_ref().filter(|t| self.fresh(t)) {
            return Ok(access.value.clone());
        }
        let cached = slot.saml.as_ref().filter(|t| self.fresh(t)).map(|t| t.value.clone());
        let saml = match cached.clone() {
            Some(saml) => saml,
            None => self.new_saml(&mut slot, audience).await?,
        };
        let access = match self.resilience.call(Idempotency::Idempotent, || self.exchange(&saml)).await {
            // A cached assertion the token service no longer takes (clock skew,
            // revoked): one new assertion, once.
            Err(CallError::Status { status: 401, .. }) if cached.is_some() => {
                let saml = self.new_saml(&mut slot, audience).await?;
                self.resilience.call(Idempotency::Idempotent, || self.exchange(&saml)).await?
            }
            other => other?,
        };
        let value = access.value.clone();
        slot.access = Some(access);
        Ok(value)
    }

    async fn new_saml(&self, slot: &mut Slot, audience: Audience) -> Result<String, CallError> {
        let saml = self.resilience.call(Idempotency::Idempotent, || self.issue(audience)).await?;
        let value = saml.value.clone();
        slot.saml = Some(saml);
        Ok(value)
    }

    /// A fresh SAML token from the STS, bypassing cache and breaker: the health probe.
    pub async fn probe(&self, audience: Audience) -> Result<(), CallError> {
        self.resilience.probe_call(|| self.issue(audience)).await.map(|_| ())
    }

    /// Forgets the tokens of `audience` after the service refused `used`
    /// (unless another send has replaced it already).
    pub async fn invalidate(&self, audience: Audience, used: &str) {
        let mut slot = self.slots[audience.index()].lock().await;
        if slot.access.as_ref().is_some_and(|t| t.value == used) {
            // The SAML token goes too: an expired or revoked assertion is the
            // likely cause, and a fresh one costs one more call.
            *slot = Slot::default();
        }
    }

    fn fresh<T>(&self, token: &Timed<T>) -> bool {
        self.resilience.now() < token.refresh_at
    }

    async fn issue(&self, audience: Audience) -> Result<Timed<String>, CallError> {
        let body = serde_json::json!({
            "TokenType": TOKEN_TYPE,
            "RequestType": REQUEST_TYPE,
            "KeyType": KEY_TYPE,
            "AnvenderKontekst": { "Cvr": self.cvr.as_str() },
            "UseKey": self.use_key,
            "AppliesTo": { "EndpointReference": { "Address": audience.entity_id() } },
            "OnBehalfOf": null,
        });
        let answer = self.post(self.http.post(&self.sts_url).json(&body)).await?;
        let assertion = field(&answer, "RequestedSecurityToken")
            .and_then(|t| field(t, "Assertion"))
            .and_then(Value::as_str)
            .filter(|a| !a.trim().is_empty())
            .ok_or_else(|| CallError::malformed("STS-svaret har ingen RequestedSecurityToken.Assertion"))?;
        let lifetime = field(&answer, "Lifetime").and_then(Value::as_str).unwrap_or_default();
        let until = NaiveDateTime::parse_from_str(lifetime.trim(), "%m/%d/%Y %H:%M:%S")
            .map_err(|_| CallError::malformed(format!("STS-svarets Lifetime kan ikke læses: {lifetime:?}")))?
            .and_utc();
        Ok(self.timed(assertion.to_owned(), until))
    }

    async fn exchange(&self, saml: &str) -> Result<Timed<String>, CallError> {
        let answer = self.post(self.http.post(&self.token_url).form(&[("saml-token", saml)])).await?;
        let token = field(&answer, "access_token").and_then(Value::as_str).filter(|t| !t.is_empty());
        let token_type = field(&answer, "token_type").and_then(Value::as_str).unwrap_or("Holder-of-key");
        let expires_in = field(&answer, "expires_in").and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()));
        let (Some(token), Some(expires_in)) = (token, expires_in) else {
            return Err(CallError::malformed("adgangstoken-svaret mangler access_token eller expires_in"));
        };
        let until = self.resilience.now() + chrono::Duration::seconds(expires_in as i64);
        Ok(self.timed(format!("{token_type} {token}"), until))
    }

    /// A short-lived token is refreshed at half its life rather than never cached.
    fn timed(&self, value: String, until: DateTime<Utc>) -> Timed<String> {
        let lifetime = (until - self.resilience.now()).to_std().unwrap_or_default();
        let early = self.refresh_margin.min(lifetime / 2);
        Timed { value, refresh_at: until - chrono::Duration::from_std(early).unwrap_or_default() }
    }

    async fn post(&self, request: reqwest::RequestBuilder) -> Result<Value, CallError> {
        let settings = self.resilience.settings();
        let sent = request.send().await.map_err(|e| https::transport_error(e, settings))?;
        let status = sent.status().as_u16();
        let bytes = sent.bytes().await.map_err(|e| https::transport_error(e, settings))?;
        let text = String::from_utf8_lossy(&bytes);
        if status != 200 {
            return Err(CallError::status(status, &text));
        }
        serde_json::from_slice(&bytes).map_err(|e| CallError::malformed(format!("ikke JSON: {e}")))
    }
}

/// The STS façade's property casing differs between clients (reference §4.1):
/// read it case-insensitively.
fn field<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}
