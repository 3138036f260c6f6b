//! Datafordeleren's CPR REST service for public authorities (cpr-data.md
//! part B): `GET …/CPR/CprPersonFullSimple/1/REST/PersonFullListSimple
//! ?pnr.personnummer.eq=<PNR>&format=json` over HTTPS with the organisation's
//! OCES certificate (security level 5). Up to about 30 hours behind CPR, so
//! it sits after SF1520 in a chain; its answers still count as live lookups.
//!
//! The non-Current method is used because its path is the confirmed one; the
//! client picks the `aktuel` elements itself.

mod json;
mod mapping;

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use domain::CprNumber;
use tracing::Instrument;

use super::{CprAnswer, CprError, CprRecord, CprRegistry, Provider};
use crate::https::{self, BuildError, ClientIdentity, Transport};
use crate::resilience::{CallError, HealthProbe, Idempotency, ProbeReport, Resilience, Settings};

/// The integration's name in metrics and on the status page.
pub const INTEGRATION: &str = "datafordeleren";

pub const PRODUCTION_ENDPOINT: &str =
    "https://s5-certservices.datafordeler.dk/CPR/CprPersonFullSimple/1/REST/PersonFullListSimple";

/// Everything the client needs for one tenant.
#[derive(Debug, Clone)]
pub struct DatafordelerenConfig {
    /// The method's URL: [`PRODUCTION_ENDPOINT`] or a simulator's.
    pub endpoint: String,
    /// The certificate of the tenant's *tjenestebruger*. Required for `https`.
    pub identity: Option<ClientIdentity>,
    /// PEM CA certificates to trust *instead of* the system's roots.
    pub trusted_roots: Option<Vec<u8>>,
    /// A person the health probe looks up; without one, a number nobody has.
    pub probe_cpr: Option<CprNumber>,
    /// Tenant name for metrics and the status page.
    pub tenant: Option<String>,
    pub settings: Settings,
}

impl DatafordelerenConfig {
    pub fn new(endpoint: impl Into<String>) -> Self {
        DatafordelerenConfig {
            endpoint: endpoint.into(),
            identity: None,
            trusted_roots: None,
            probe_cpr: None,
            tenant: None,
            settings: Settings::default(),
        }
    }
}

/// The real Datafordeleren CPR client.
#[derive(Debug, Clone)]
pub struct DatafordelerenClient {
    http: reqwest::Client,
    endpoint: String,
    probe_cpr: Option<CprNumber>,
    resilience: Arc<Resilience>,
}

impl DatafordelerenClient {
    pub fn new(config: DatafordelerenConfig) -> Result<Self, BuildError> {
        let resilience = Arc::new(Resilience::new(INTEGRATION, config.tenant.as_deref(), config.settings.clone()));
        DatafordelerenClient::with_resilience(config, resilience)
    }

    /// As [`DatafordelerenClient::new`], sharing a resilience layer the caller keeps.
    pub fn with_resilience(config: DatafordelerenConfig, resilience: Arc<Resilience>) -> Result<Self, BuildError> {
        let http = https::client(Transport {
            endpoint: &config.endpoint,
            identity: config.identity.as_ref(),
            trusted_roots: config.trusted_roots.as_deref(),
            settings: &config.settings,
        })?;
        Ok(DatafordelerenClient { http, endpoint: config.endpoint, probe_cpr: config.probe_cpr, resilience })
    }

    pub fn resilience(&self) -> &Arc<Resilience> {
        &self.resilience
    }

    /// One GET; classifies every failure. The PNR is in the query string, so
    /// neither the URL nor a transport error's URL is ever logged.
    async fn attempt(&self, cpr: &CprNumber) -> Result<CprRecord, CallError> {
        let settings = self.resilience.settings();
        let sent = self
            .http
            .get(&self.endpoint)
            .query(&[("pnr.personnummer.eq", cpr.expose()), ("format", "json")])
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| https::transport_error(e, settings))?;
        let status = sent.status().as_u16();
        let bytes = sent.bytes().await.map_err(|e| https::transport_error(e, settings))?;
        if !(200..300).contains(&status) {
            // The error body's shape is unverified (cpr-data.md B.2): status and text.
            return Err(CallError::status(status, &String::from_utf8_lossy(&bytes)));
        }
        let today = self.resilience.now().with_timezone(&chrono_tz::Europe::Copenhagen).date_naive();
        mapping::read_answer(&bytes, cpr, today)
    }

    async fn lookup_via(&self, cpr: &CprNumber, probe: bool) -> Result<CprRecord, CallError> {
        if probe {
            self.resilience.probe_call(|| self.attempt(cpr)).await
        } else {
            self.resilience.call(Idempotency::Idempotent, || self.attempt(cpr)).await
        }
    }
}

#[async_trait]
impl CprRegistry for DatafordelerenClient {
    fn provider(&self) -> Provider {
        Provider::Datafordeleren
    }

    async fn lookup(&self, cpr: &CprNumber) -> Result<CprAnswer, CprError> {
        let span = tracing::info_span!("cpr_lookup", provider = INTEGRATION, cpr = %cpr.masked());
        async {
            let result = self.lookup_via(cpr, false).await;
            let fetched_at = self.resilience.now();
            match result {
                Ok(record) => {
                    tracing::debug!(status = record.status.code(), "CPR record received");
                    Ok(CprAnswer::live(record, Provider::Datafordeleren, fetched_at))
                }
                Err(CallError::NotFound) => {
                    tracing::info!("Datafordeleren says the number does not exist");
                    Err(CprError::UnknownCpr { provider: Provider::Datafordeleren })
                }
                Err(error) => Err(CprError::Service { provider: Provider::Datafordeleren, error }),
            }
        }
        .instrument(span)
        .await
    }
}

/// A number whose date part is valid but whose serial CPR never issues.
const NOBODY: &str = "0101000000";

#[async_trait]
impl HealthProbe for DatafordelerenClient {
    fn integration(&self) -> &str {
        INTEGRATION
    }

    /// Looks up the probe person for real; an empty answer counts as healthy.
    async fn probe(&self) -> ProbeReport {
        let fallback = CprNumber::parse(NOBODY).expect("a valid CPR number");
        let cpr = self.probe_cpr.as_ref().unwrap_or(&fallback);
        let started = Instant::now();
        let (ok, detail) = match self.lookup_via(cpr, true).await {
            Ok(record) => (true, format!("PersonFullListSimple answered (status {:02})", record.status.code())),
            Err(CallError::NotFound) => (true, "PersonFullListSimple answered: no such person".to_owned()),
            Err(error) => (false, format!("PersonFullListSimple failed: {error}")),
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
