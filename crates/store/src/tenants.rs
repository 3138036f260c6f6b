//! The tenant registry: one municipality, one database. A request's host name
//! picks the tenant; nothing else may.

use std::collections::HashMap;
use std::sync::Arc;

use domain::{Cvr, MunicipalityCode};
use sea_orm::DatabaseConnection;

use crate::crypto::CprVault;

/// One municipality and its open database.
#[derive(Debug)]
pub struct Tenant {
    /// The key of the tenant in the configuration file.
    pub key: String,
    /// Display name, e.g. "Korsbæk Kommune".
    pub name: String,
    pub cvr: Cvr,
    pub municipality: MunicipalityCode,
    pub admin_host: String,
    pub portal_host: String,
    pub db: DatabaseConnection,
    /// Encrypts and hashes this tenant's CPR numbers.
    pub vault: CprVault,
}

/// Host name → tenant. Host names are compared lower-case and without port.
#[derive(Debug, Default, Clone)]
pub struct TenantRegistry {
    tenants: Vec<Arc<Tenant>>,
    by_host: HashMap<String, Arc<Tenant>>,
}

impl TenantRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a tenant under its admin and portal host names.
    pub fn add(&mut self, tenant: Tenant) -> Arc<Tenant> {
        let tenant = Arc::new(tenant);
        for host in [&tenant.admin_host, &tenant.portal_host] {
            self.by_host.insert(normalise_host(host), tenant.clone());
        }
        self.tenants.push(tenant.clone());
        tenant
    }

    /// Lets an extra host name reach an existing tenant (the demo maps
    /// `localhost` and `127.0.0.1` to its only tenant).
    pub fn alias(&mut self, host: &str, tenant: &Arc<Tenant>) {
        self.by_host.insert(normalise_host(host), tenant.clone());
    }

    /// The tenant serving `host` (a Host header value, port allowed).
    pub fn by_host(&self, host: &str) -> Option<Arc<Tenant>> {
        self.by_host.get(&normalise_host(host)).cloned()
    }

    pub fn by_key(&self, key: &str) -> Option<Arc<Tenant>> {
        self.tenants.iter().find(|t| t.key == key).cloned()
    }

    pub fn all(&self) -> &[Arc<Tenant>] {
        &self.tenants
    }
}

/// Lower-cases a host and strips a port, also from a bracketed IPv6 literal.
fn normalise_host(host: &str) -> String {
    let host = host.trim().to_ascii_lowercase();
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default().to_owned();
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name.to_owned(),
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::normalise_host;

    #[test]
    fn hosts_are_compared_without_port_and_case() {
        assert_eq!(normalise_host("Korsbaek.Example:8443"), "korsbaek.example");
        assert_eq!(normalise_host("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(normalise_host("[::1]:8080"), "::1");
        assert_eq!(normalise_host("localhost"), "localhost");
    }
}
