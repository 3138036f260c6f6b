//! What the remote CPR services (SF1520, Datafordeleren) do alike around
//! their own request and answer: the resilience layer, the log span with the
//! masked number, "not found" as its own answer, and the health probe.

use std::time::Instant;

use async_trait::async_trait;
use domain::CprNumber;
use tracing::Instrument;

use super::{CprAnswer, CprError, CprRecord, Provider};
use crate::resilience::{CallError, Idempotency, ProbeReport, Resilience};

/// A number whose date part is valid but whose serial CPR never issues (0000
/// on 1 January 1900); the probe asks for it when no probe person is configured.
const NOBODY: &str = "0101000000";

/// One remote CPR service: how it asks once, and what it is called.
#[async_trait]
pub(super) trait RemoteCpr: Send + Sync {
    fn provider(&self) -> Provider;
    /// The service's method, as the status page names it.
    fn method(&self) -> &'static str;
    fn resilience(&self) -> &Resilience;
    fn probe_cpr(&self) -> Option<&CprNumber>;
    /// One request; every failure classified.
    async fn attempt(&self, cpr: &CprNumber) -> Result<CprRecord, CallError>;
}

/// A lookup through the resilience layer (retries, breaker, status).
pub(super) async fn lookup(remote: &impl RemoteCpr, cpr: &CprNumber) -> Result<CprAnswer, CprError> {
    let provider = remote.provider();
    let span = tracing::info_span!("cpr_lookup", provider = provider.as_str(), cpr = %cpr.masked());
    async {
        let result = remote.resilience().call(Idempotency::Idempotent, || remote.attempt(cpr)).await;
        let fetched_at = remote.resilience().now();
        match result {
            Ok(record) => {
                tracing::debug!(status = record.status.code(), "CPR record received");
                Ok(CprAnswer::live(record, provider, fetched_at))
            }
            Err(CallError::NotFound) => {
                tracing::info!("{provider} says the number does not exist");
                Err(CprError::UnknownCpr { provider })
            }
            Err(error) => Err(CprError::Service { provider, error }),
        }
    }
    .instrument(span)
    .await
}

/// Looks up the probe person for real; "no such person" counts as healthy:
/// the service answered.
pub(super) async fn probe(remote: &impl RemoteCpr) -> ProbeReport {
    let fallback = CprNumber::parse(NOBODY).expect("a valid CPR number");
    let cpr = remote.probe_cpr().unwrap_or(&fallback);
    let method = remote.method();
    let started = Instant::now();
    let (ok, detail) = match remote.resilience().probe_call(|| remote.attempt(cpr)).await {
        Ok(record) => (true, format!("{method} answered (status {:02})", record.status.code())),
        Err(CallError::NotFound) => (true, format!("{method} answered: no such person")),
        Err(error) => (false, format!("{method} failed: {error}")),
    };
    ProbeReport {
        integration: remote.provider().as_str().to_owned(),
        ok,
        checked_at: remote.resilience().now(),
        latency: started.elapsed(),
        detail,
    }
}
