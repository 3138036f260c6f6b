//! A tenant's CPR providers, built from its `[tenants.X.cpr]` entry: the
//! chain the admin app, the portal and the CPR jobs ask, in the configured
//! order (e.g. `["sf1520", "local_copy"]`), and the integrations the status
//! page watches.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use integrations::cpr::sf1520::{ClientIdentity, Sf1520Client, Sf1520Config};
use integrations::cpr::{Chain, CprRegistry};
use integrations::resilience::Settings;
use serde::Deserialize;
use store::tenants::Tenant;

/// `[tenants.X.cpr]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CprConfig {
    /// Asked in this order until one answers: `sf1520`, `local_copy`.
    #[serde(default = "local_copy_only")]
    pub providers: Vec<String>,
    #[serde(default)]
    pub sf1520: Option<Sf1520Entry>,
}

impl Default for CprConfig {
    fn default() -> Self {
        CprConfig { providers: local_copy_only(), sf1520: None }
    }
}

fn local_copy_only() -> Vec<String> {
    vec!["local_copy".to_owned()]
}

/// `[tenants.X.cpr.sf1520]`: Serviceplatformen's PersonBaseDataExtended.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Sf1520Entry {
    pub endpoint: String,
    /// PEM certificate chain and key of the organisation certificate
    /// (PKCS#12 must be converted first: `openssl pkcs12 -nodes`).
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    /// PEM CA certificates to trust instead of the system's (test setups).
    pub trusted_roots: Option<PathBuf>,
    /// Timeouts, concurrency, retries and circuit breaker.
    #[serde(default)]
    pub resilience: Settings,
}

impl CprConfig {
    /// The problems with this entry, as (field, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        for p in &self.providers {
            match p.as_str() {
                "local_copy" => {}
                "sf1520" if self.sf1520.is_none() => {
                    problems.push(("cpr.sf1520".into(), "provider \"sf1520\" needs a [cpr.sf1520] entry".into()))
                }
                "sf1520" => {}
                other => problems.push(("cpr.providers".into(), format!("unknown CPR provider \"{other}\""))),
            }
        }
        if self.providers.is_empty() {
            problems.push(("cpr.providers".into(), "name at least one provider".into()));
        }
        if let Some(e) = &self.sf1520
            && let Err(message) = e.resilience.validate()
        {
            problems.push(("cpr.sf1520.resilience".into(), message.to_string()));
        }
        problems
    }
}

/// Builds the tenant's registry chain and the monitors of its remote providers.
pub fn build(config: &CprConfig, tenant: &Tenant, base_dir: &Path) -> anyhow::Result<web::cpr::TenantCpr> {
    let mut providers: Vec<Arc<dyn CprRegistry>> = Vec::new();
    let mut monitors = Vec::new();
    for name in &config.providers {
        match name.as_str() {
            "sf1520" => {
                let entry = config.sf1520.as_ref().context("provider sf1520 without [cpr.sf1520]")?;
                let client = Arc::new(sf1520(entry, tenant, base_dir)?);
                monitors.push(web::cpr::Monitor { resilience: client.resilience().clone(), probe: client.clone() });
                providers.push(client);
            }
            "local_copy" => {
                providers.push(Arc::new(jobs::cpr::LocalCopy::new(tenant.db.clone(), tenant.vault.clone())));
            }
            other => anyhow::bail!("unknown CPR provider \"{other}\""),
        }
    }
    let registry: Arc<dyn CprRegistry> = match providers.len() {
        1 => providers.remove(0),
        _ => Arc::new(Chain::new(providers).context("no CPR provider configured")?),
    };
    Ok(web::cpr::TenantCpr { registry, monitors })
}

fn sf1520(entry: &Sf1520Entry, tenant: &Tenant, base_dir: &Path) -> anyhow::Result<Sf1520Client> {
    let mut config = Sf1520Config::new(entry.endpoint.clone(), tenant.cvr.clone());
    config.tenant = Some(tenant.key.clone());
    config.settings = entry.resilience.clone();
    if let (Some(cert), Some(key)) = (&entry.client_cert, &entry.client_key) {
        let (cert, key) = (base_dir.join(cert), base_dir.join(key));
        config.identity = Some(
            ClientIdentity::from_pem_files(&cert, &key)
                .with_context(|| format!("reading the SF1520 client certificate {}", cert.display()))?,
        );
    }
    if let Some(roots) = &entry.trusted_roots {
        let path = base_dir.join(roots);
        config.trusted_roots =
            Some(std::fs::read(&path).with_context(|| format!("reading the SF1520 trust roots {}", path.display()))?);
    }
    Sf1520Client::new(config).map_err(|e| anyhow::anyhow!("SF1520 client: {e}"))
}

/// What the jobs of every tenant need, once the registries are built.
pub fn job_services(tenant: &Tenant, cpr: &web::cpr::TenantCpr) -> jobs::Services {
    jobs::Services {
        cpr: Some(jobs::CprServices {
            registry: cpr.registry.clone(),
            vault: tenant.vault.clone(),
            municipality: tenant.municipality.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_are_checked() {
        assert!(CprConfig::default().problems().is_empty());
        let sf_without_entry = CprConfig { providers: vec!["sf1520".into()], sf1520: None };
        assert_eq!(sf_without_entry.problems()[0].0, "cpr.sf1520");
        let unknown = CprConfig { providers: vec!["datafordeleren".into()], sf1520: None };
        assert!(unknown.problems()[0].1.contains("datafordeleren"));
    }
}
