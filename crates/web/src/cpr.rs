//! The tenant's CPR registry and the integrations the status page shows.
//! The lead wires both at startup (`AppState::with_cpr`); a tenant without
//! an entry has no CPR: lookups report CPR as unavailable (so sign-ups
//! become provisional) and the status page lists nothing.

use std::collections::HashMap;
use std::sync::Arc;

use integrations::cpr::{CprAnswer, CprError, CprRegistry, Provider};
use integrations::resilience::{HealthProbe, Resilience, StatusSnapshot};
use store::tenants::Tenant;

use crate::state::AppState;

/// One integration on the status page: its resilience layer (for the
/// status snapshot) and its health probe (for "Test nu"). For SF1520:
/// `Monitor { resilience: client.resilience().clone(), probe: client.clone() }`.
#[derive(Clone)]
pub struct Monitor {
    pub resilience: Arc<Resilience>,
    pub probe: Arc<dyn HealthProbe>,
}

impl Monitor {
    pub fn name(&self) -> &str {
        self.probe.integration()
    }

    pub fn status(&self) -> StatusSnapshot {
        self.resilience.status()
    }
}

/// A tenant's CPR registry (usually a `Chain`) and its monitored integrations.
#[derive(Clone)]
pub struct TenantCpr {
    pub registry: Arc<dyn CprRegistry>,
    pub monitors: Vec<Monitor>,
}

impl AppState {
    /// Sets every tenant's CPR registry and monitored integrations (by tenant key).
    pub fn with_cpr(mut self, cpr: HashMap<String, TenantCpr>) -> Self {
        self.integrations = Arc::new(cpr.iter().map(|(k, v)| (k.clone(), v.monitors.clone())).collect());
        self.cpr = Arc::new(cpr.into_iter().map(|(k, v)| (k, v.registry)).collect());
        self
    }

    /// The tenant's CPR registry; one that always answers "unavailable" if none is wired.
    pub fn cpr_for(&self, tenant: &Tenant) -> Arc<dyn CprRegistry> {
        self.cpr.get(&tenant.key).cloned().unwrap_or_else(|| Arc::new(NoCpr))
    }

    pub fn integrations_for(&self, tenant: &Tenant) -> Vec<Monitor> {
        self.integrations.get(&tenant.key).cloned().unwrap_or_default()
    }

    /// What the CPR jobs and "Re-validate now" need for `tenant`.
    pub fn cpr_services(&self, tenant: &Tenant) -> jobs::CprServices {
        jobs::CprServices {
            registry: self.cpr_for(tenant),
            vault: tenant.vault.clone(),
            municipality: tenant.municipality.clone(),
        }
    }
}

/// Stands in for a tenant without CPR configured: every lookup is "unavailable".
struct NoCpr;

#[async_trait::async_trait]
impl CprRegistry for NoCpr {
    fn provider(&self) -> Provider {
        Provider::Sf1520
    }

    async fn lookup(&self, _cpr: &domain::CprNumber) -> Result<CprAnswer, CprError> {
        Err(CprError::Config { provider: Provider::Sf1520, message: "CPR er ikke sat op".into() })
    }
}
