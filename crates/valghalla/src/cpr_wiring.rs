//! A tenant's CPR providers, built from its `[tenants.X.cpr]` entry: the
//! chain the admin app, the portal and the CPR jobs ask, in the configured
//! order (e.g. `["sf1520", "datafordeleren", "local_copy"]`), and the integrations the status
//! page watches.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use integrations::cpr::datafordeleren::{DatafordelerenClient, DatafordelerenConfig};
use integrations::cpr::sf1520::{Sf1520Client, Sf1520Config};
use integrations::cpr::{Chain, ClientIdentity, CprRegistry};
use integrations::resilience::Settings;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use store::tenants::Tenant;

/// `[tenants.X.cpr]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CprConfig {
    /// Asked in this order until one answers: `sf1520`, `datafordeleren`, `local_copy`.
    #[serde(default = "local_copy_only")]
    pub providers: Vec<String>,
    #[serde(default)]
    pub sf1520: Option<RemoteEntry>,
    #[serde(default)]
    pub datafordeleren: Option<RemoteEntry>,
}

impl Default for CprConfig {
    fn default() -> Self {
        CprConfig { providers: local_copy_only(), sf1520: None, datafordeleren: None }
    }
}

fn local_copy_only() -> Vec<String> {
    vec!["local_copy".to_owned()]
}

/// `[tenants.X.cpr.sf1520]` (Serviceplatformen's PersonBaseDataExtended) and
/// `[tenants.X.cpr.datafordeleren]` (Datafordeleren's CPR REST): both are
/// reached over mutual TLS with the organisation certificate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteEntry {
    pub endpoint: String,
    /// PEM certificate chain and key of the organisation certificate ...
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    /// ... or the PKCS#12 file (`.p12`/`.pfx`) it was delivered as, with its
    /// password (best from the environment, `VALGHALLA_TENANTS__X__CPR__…__CLIENT_P12_PASSWORD`).
    pub client_p12: Option<PathBuf>,
    pub client_p12_password: Option<SecretString>,
    /// PEM CA certificates to trust instead of the system's (test setups).
    pub trusted_roots: Option<PathBuf>,
    /// Timeouts, concurrency, retries and circuit breaker.
    #[serde(default)]
    pub resilience: Settings,
}

impl RemoteEntry {
    /// A plain-http endpoint without certificates (simulators on the loopback).
    pub fn plain(endpoint: impl Into<String>) -> Self {
        RemoteEntry {
            endpoint: endpoint.into(),
            client_cert: None,
            client_key: None,
            client_p12: None,
            client_p12_password: None,
            trusted_roots: None,
            resilience: Settings::default(),
        }
    }

    fn problems(&self, field: &str) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        let mut problem = |sub: &str, message: &str| problems.push((format!("{field}.{sub}"), message.to_owned()));
        if let Err(message) = self.resilience.validate() {
            problem("resilience", &message);
        }
        if self.client_cert.is_some() != self.client_key.is_some() {
            problem("client_key", "client_cert and client_key go together");
        }
        if self.client_p12.is_some() && self.client_cert.is_some() {
            problem("client_p12", "give either client_p12 or client_cert/client_key, not both");
        }
        if self.client_p12.is_some() && self.client_p12_password.is_none() {
            problem("client_p12_password", "client_p12 needs its password (\"\" if it has none)");
        }
        problems
    }

    /// The organisation certificate, if configured, read from files relative to `base_dir`.
    pub(crate) fn identity(&self, base_dir: &Path, name: &str) -> anyhow::Result<Option<ClientIdentity>> {
        if let Some(p12) = &self.client_p12 {
            let path = base_dir.join(p12);
            let password = self.client_p12_password.as_ref().map(|p| p.expose_secret()).unwrap_or_default();
            let identity = ClientIdentity::from_pkcs12_file(&path, password)
                .with_context(|| format!("reading the {name} PKCS#12 certificate {}", path.display()))?;
            return Ok(Some(identity));
        }
        let (Some(cert), Some(key)) = (&self.client_cert, &self.client_key) else {
            return Ok(None);
        };
        let (cert, key) = (base_dir.join(cert), base_dir.join(key));
        let identity = ClientIdentity::from_pem_files(&cert, &key)
            .with_context(|| format!("reading the {name} client certificate {}", cert.display()))?;
        Ok(Some(identity))
    }

    pub(crate) fn trusted_roots(&self, base_dir: &Path, name: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let Some(roots) = &self.trusted_roots else {
            return Ok(None);
        };
        let path = base_dir.join(roots);
        let pem = std::fs::read(&path).with_context(|| format!("reading the {name} trust roots {}", path.display()))?;
        Ok(Some(pem))
    }
}

impl CprConfig {
    /// The problems with this entry, as (field, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        for p in &self.providers {
            let entry = match p.as_str() {
                "local_copy" => continue,
                "sf1520" => &self.sf1520,
                "datafordeleren" => &self.datafordeleren,
                other => {
                    problems.push(("cpr.providers".into(), format!("unknown CPR provider \"{other}\"")));
                    continue;
                }
            };
            if entry.is_none() {
                problems.push((format!("cpr.{p}"), format!("provider \"{p}\" needs a [cpr.{p}] entry")));
            }
        }
        if self.providers.is_empty() {
            problems.push(("cpr.providers".into(), "name at least one provider".into()));
        }
        for (name, entry) in [("sf1520", &self.sf1520), ("datafordeleren", &self.datafordeleren)] {
            if let Some(entry) = entry {
                problems.extend(entry.problems(&format!("cpr.{name}")));
            }
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
            "datafordeleren" => {
                let entry =
                    config.datafordeleren.as_ref().context("provider datafordeleren without [cpr.datafordeleren]")?;
                let client = Arc::new(datafordeleren(entry, tenant, base_dir)?);
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

fn sf1520(entry: &RemoteEntry, tenant: &Tenant, base_dir: &Path) -> anyhow::Result<Sf1520Client> {
    let mut config = Sf1520Config::new(entry.endpoint.clone(), tenant.cvr.clone());
    config.tenant = Some(tenant.key.clone());
    config.settings = entry.resilience.clone();
    config.identity = entry.identity(base_dir, "SF1520")?;
    config.trusted_roots = entry.trusted_roots(base_dir, "SF1520")?;
    Sf1520Client::new(config).map_err(|e| anyhow::anyhow!("SF1520 client: {e}"))
}

fn datafordeleren(entry: &RemoteEntry, tenant: &Tenant, base_dir: &Path) -> anyhow::Result<DatafordelerenClient> {
    let mut config = DatafordelerenConfig::new(entry.endpoint.clone());
    config.tenant = Some(tenant.key.clone());
    config.settings = entry.resilience.clone();
    config.identity = entry.identity(base_dir, "Datafordeleren")?;
    config.trusted_roots = entry.trusted_roots(base_dir, "Datafordeleren")?;
    DatafordelerenClient::new(config).map_err(|e| anyhow::anyhow!("Datafordeleren client: {e}"))
}

/// What the jobs of every tenant need, once the registries are built.
pub fn job_services(tenant: &Tenant, cpr: &web::cpr::TenantCpr) -> jobs::Services {
    jobs::Services {
        cpr: Some(jobs::CprServices {
            registry: cpr.registry.clone(),
            vault: tenant.vault.clone(),
            municipality: tenant.municipality.clone(),
        }),
        messaging: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_are_checked() {
        assert!(CprConfig::default().problems().is_empty());
        let sf_without_entry = CprConfig { providers: vec!["sf1520".into()], ..CprConfig::default() };
        assert_eq!(sf_without_entry.problems()[0].0, "cpr.sf1520");
        let df_without_entry = CprConfig { providers: vec!["datafordeleren".into()], ..CprConfig::default() };
        assert_eq!(df_without_entry.problems()[0].0, "cpr.datafordeleren");
        assert!(df_without_entry.problems()[0].1.contains("[cpr.datafordeleren]"));
        let unknown = CprConfig { providers: vec!["dawa".into()], ..CprConfig::default() };
        assert_eq!(unknown.problems()[0].0, "cpr.providers");
    }

    #[test]
    fn a_certificate_is_given_one_way_and_completely() {
        let check = |entry: RemoteEntry| {
            let config = CprConfig {
                providers: vec!["sf1520".into(), "datafordeleren".into()],
                sf1520: Some(RemoteEntry::plain("http://127.0.0.1:1/")),
                datafordeleren: Some(entry),
            };
            config.problems().into_iter().map(|(field, _)| field).collect::<Vec<_>>()
        };
        assert!(check(RemoteEntry::plain("http://127.0.0.1:1/")).is_empty());
        let p12 = RemoteEntry { client_p12: Some("org.p12".into()), ..RemoteEntry::plain("https://x/") };
        assert_eq!(check(p12.clone()), ["cpr.datafordeleren.client_p12_password"]);
        let with_password = RemoteEntry { client_p12_password: Some(SecretString::from("")), ..p12.clone() };
        assert!(check(with_password).is_empty());
        let both = RemoteEntry {
            client_cert: Some("c.pem".into()),
            client_key: Some("k.pem".into()),
            client_p12_password: Some(SecretString::from("x")),
            ..p12
        };
        assert_eq!(check(both), ["cpr.datafordeleren.client_p12"]);
        let half = RemoteEntry { client_cert: Some("c.pem".into()), ..RemoteEntry::plain("https://x/") };
        assert_eq!(check(half), ["cpr.datafordeleren.client_key"]);
    }
}
