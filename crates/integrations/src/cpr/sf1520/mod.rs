//! SF1520 "CPR replika opslag", service PersonBaseDataExtended version 5, on
//! KOMBIT's Serviceplatformen: SOAP 1.1 over HTTPS with the organisation's
//! client certificate (reference integrations.md §1).
//!
//! The client certificate is given as PEM (certificate chain and private key,
//! PKCS#8, PKCS#1 or SEC1) or as PKCS#12 ([`ClientIdentity`]).

mod envelope;
mod response;

use std::sync::Arc;

use async_trait::async_trait;
use domain::{CprNumber, Cvr};

use super::remote::{self, RemoteCpr};
use super::{CprAnswer, CprError, CprRecord, CprRegistry, Provider};
use crate::https::{self, Transport};
use crate::resilience::{CallError, HealthProbe, ProbeReport, Resilience, Settings};

pub use crate::https::{BuildError, ClientIdentity, Pkcs12Error};
pub use envelope::{CONTENT_TYPE, SOAP_ACTION};

/// The integration's name in metrics and on the status page.
pub const INTEGRATION: &str = "sf1520";

pub const TEST_ENDPOINT: &str = "https://exttest.serviceplatformen.dk/service/CPR/PersonBaseDataExtended/5";
pub const PRODUCTION_ENDPOINT: &str = "https://prod.serviceplatformen.dk/service/CPR/PersonBaseDataExtended/5";

/// Everything the client needs for one tenant.
#[derive(Debug, Clone)]
pub struct Sf1520Config {
    /// [`TEST_ENDPOINT`], [`PRODUCTION_ENDPOINT`], or a simulator's URL.
    pub endpoint: String,
    /// The municipality the lookups are made for (AuthorityContext/MunicipalityCVR).
    pub municipality_cvr: Cvr,
    /// The organisation certificate registered in Serviceplatformen. Required
    /// for `https` endpoints; plain `http` (local test stubs) may go without.
    pub identity: Option<ClientIdentity>,
    /// PEM CA certificates to trust *instead of* the system's roots (a
    /// simulator's test CA). `None`: the platform's trust store.
    pub trusted_roots: Option<Vec<u8>>,
    /// A person the health probe looks up (in exttest e.g. 1012620000). Without
    /// one, the probe asks about a number that cannot exist and expects "not found".
    pub probe_cpr: Option<CprNumber>,
    /// Tenant name for metrics and the status page.
    pub tenant: Option<String>,
    pub settings: Settings,
}

impl Sf1520Config {
    pub fn new(endpoint: impl Into<String>, municipality_cvr: Cvr) -> Self {
        Sf1520Config {
            endpoint: endpoint.into(),
            municipality_cvr,
            identity: None,
            trusted_roots: None,
            probe_cpr: None,
            tenant: None,
            settings: Settings::default(),
        }
    }
}

/// The real SF1520 client.
#[derive(Debug, Clone)]
pub struct Sf1520Client {
    http: reqwest::Client,
    endpoint: String,
    municipality_cvr: Cvr,
    probe_cpr: Option<CprNumber>,
    resilience: Arc<Resilience>,
}

impl Sf1520Client {
    pub fn new(config: Sf1520Config) -> Result<Self, BuildError> {
        let resilience = Arc::new(Resilience::new(INTEGRATION, config.tenant.as_deref(), config.settings.clone()));
        Sf1520Client::with_resilience(config, resilience)
    }

    /// As [`Sf1520Client::new`], sharing a resilience layer (and its breaker,
    /// status and clock) that the caller made and keeps.
    pub fn with_resilience(config: Sf1520Config, resilience: Arc<Resilience>) -> Result<Self, BuildError> {
        let http = https::client(Transport {
            endpoint: &config.endpoint,
            identity: config.identity.as_ref(),
            trusted_roots: config.trusted_roots.as_deref(),
            settings: &config.settings,
        })?;
        Ok(Sf1520Client {
            http,
            endpoint: config.endpoint,
            municipality_cvr: config.municipality_cvr,
            probe_cpr: config.probe_cpr,
            resilience,
        })
    }

    pub fn resilience(&self) -> &Arc<Resilience> {
        &self.resilience
    }

    fn transport_error(&self, error: reqwest::Error) -> CallError {
        https::transport_error(error, self.resilience.settings())
    }
}

#[async_trait]
impl RemoteCpr for Sf1520Client {
    fn provider(&self) -> Provider {
        Provider::Sf1520
    }

    fn method(&self) -> &'static str {
        "PersonLookup"
    }

    fn resilience(&self) -> &Resilience {
        &self.resilience
    }

    fn probe_cpr(&self) -> Option<&CprNumber> {
        self.probe_cpr.as_ref()
    }

    /// One POST of the lookup request; classifies every failure.
    async fn attempt(&self, cpr: &CprNumber) -> Result<CprRecord, CallError> {
        let sent = self
            .http
            .post(&self.endpoint)
            .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
            .header("SOAPAction", SOAP_ACTION)
            .body(envelope::person_lookup(&self.municipality_cvr, cpr))
            .send()
            .await
            .map_err(|e| self.transport_error(e))?;
        let status = sent.status().as_u16();
        let bytes = sent.bytes().await.map_err(|e| self.transport_error(e))?;
        response::read_answer(status, &bytes, cpr)
    }
}

#[async_trait]
impl CprRegistry for Sf1520Client {
    fn provider(&self) -> Provider {
        Provider::Sf1520
    }

    async fn lookup(&self, cpr: &CprNumber) -> Result<CprAnswer, CprError> {
        remote::lookup(self, cpr).await
    }
}

#[async_trait]
impl HealthProbe for Sf1520Client {
    fn integration(&self) -> &str {
        INTEGRATION
    }

    async fn probe(&self) -> ProbeReport {
        remote::probe(self).await
    }
}
