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

use async_trait::async_trait;
use domain::CprNumber;

use super::remote::{self, RemoteCpr};
use super::{CprAnswer, CprError, CprRecord, CprRegistry, Provider};
use crate::https::{self, BuildError, ClientIdentity, Transport};
use crate::resilience::{CallError, HealthProbe, ProbeReport, Resilience, Settings};

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
}

#[async_trait]
impl RemoteCpr for DatafordelerenClient {
    fn provider(&self) -> Provider {
        Provider::Datafordeleren
    }

    fn method(&self) -> &'static str {
        "PersonFullListSimple"
    }

    fn resilience(&self) -> &Resilience {
        &self.resilience
    }

    fn probe_cpr(&self) -> Option<&CprNumber> {
        self.probe_cpr.as_ref()
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
        let today = domain::danish_date(self.resilience.now());
        mapping::read_answer(&bytes, cpr, today)
    }
}

#[async_trait]
impl CprRegistry for DatafordelerenClient {
    fn provider(&self) -> Provider {
        Provider::Datafordeleren
    }

    async fn lookup(&self, cpr: &CprNumber) -> Result<CprAnswer, CprError> {
        remote::lookup(self, cpr).await
    }
}

#[async_trait]
impl HealthProbe for DatafordelerenClient {
    fn integration(&self) -> &str {
        INTEGRATION
    }

    async fn probe(&self) -> ProbeReport {
        remote::probe(self).await
    }
}
