//! Health probes that really contact the service.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Something the status page's "test now" button and `/health/ready` can run.
/// A probe contacts the remote service for real (no cached answer) and is not
/// refused by an open breaker; its outcome is recorded in the integration's status.
#[async_trait]
pub trait HealthProbe: Send + Sync {
    /// The integration's name, as in its status snapshot ("sf1520").
    fn integration(&self) -> &str;

    async fn probe(&self) -> ProbeReport;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProbeReport {
    pub integration: String,
    pub ok: bool,
    pub checked_at: DateTime<Utc>,
    #[serde(rename = "latency_ms", serialize_with = "millis")]
    pub latency: Duration,
    /// What was checked and what came back; scrubbed of CPR numbers.
    pub detail: String,
}

fn millis<S: serde::Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u128(value.as_millis())
}
