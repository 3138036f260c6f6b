use std::collections::HashMap;
use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use store::tenants::{Tenant, TenantRegistry};

use crate::auth::TenantAuth;
use crate::auth::rate_limit::RateLimiter;

/// Shared, read-only state of the web application.
#[derive(Clone)]
pub struct AppState {
    pub tenants: Arc<TenantRegistry>,
    /// Renders `/metrics`; `None` where no recorder is installed (tests).
    pub metrics: Option<PrometheusHandle>,
    /// `valghalla demo`: pages say that data and sign-ins are fictional.
    pub demo: bool,
    /// Whether cookies get the `Secure` flag (not on the plain-http demo).
    pub secure_cookies: bool,
    /// Sign-in settings per tenant key; a tenant without an entry has no
    /// SAML sign-in (only sessions made otherwise, as in tests, work).
    auth: Arc<HashMap<String, Arc<TenantAuth>>>,
    /// Shared by every sign-in endpoint of every tenant.
    pub login_limiter: Arc<RateLimiter>,
    /// The Content-Security-Policy header, computed once from the IdPs.
    csp: Arc<str>,
    /// CPR registry per tenant key (see `crate::cpr`).
    pub cpr: Arc<std::collections::HashMap<String, Arc<dyn integrations::cpr::CprRegistry>>>,
    /// Integrations on the status page per tenant key (see `crate::cpr`).
    pub integrations: Arc<std::collections::HashMap<String, Vec<crate::cpr::Monitor>>>,
    /// Who may push Digital Post receipts (the Beskedfordeler's addresses);
    /// loopback only unless configured.
    pub receipt_senders: Arc<Vec<std::net::IpAddr>>,
}

impl AppState {
    pub fn new(tenants: TenantRegistry) -> Self {
        AppState {
            tenants: Arc::new(tenants),
            metrics: None,
            demo: false,
            secure_cookies: true,
            auth: Arc::default(),
            login_limiter: Arc::default(),
            csp: crate::security::content_security_policy(&[]).into(),
            cpr: Arc::default(),
            integrations: Arc::default(),
            receipt_senders: Arc::new(vec![std::net::Ipv4Addr::LOCALHOST.into(), std::net::Ipv6Addr::LOCALHOST.into()]),
        }
    }

    /// Replaces the addresses allowed to push Digital Post receipts.
    pub fn with_receipt_senders(mut self, senders: Vec<std::net::IpAddr>) -> Self {
        self.receipt_senders = Arc::new(senders);
        self
    }

    /// Sets every tenant's sign-in settings (by tenant key).
    pub fn with_auth(mut self, auth: HashMap<String, TenantAuth>) -> Self {
        let mut origins: Vec<String> = auth.values().flat_map(TenantAuth::idp_origins).collect();
        origins.sort();
        origins.dedup();
        self.csp = crate::security::content_security_policy(&origins).into();
        self.auth = Arc::new(auth.into_iter().map(|(k, v)| (k, Arc::new(v))).collect());
        self
    }

    /// The tenant's sign-in settings; defaults (no IdP) if it has none.
    pub fn auth(&self, tenant: &Tenant) -> Arc<TenantAuth> {
        self.auth.get(&tenant.key).cloned().unwrap_or_default()
    }

    pub fn csp(&self) -> &str {
        &self.csp
    }

    /// The origin a request came to, as the person typed it (the host has
    /// already picked the tenant); https wherever cookies are secure, that is
    /// everywhere but the demo.
    pub fn request_origin(&self, headers: &axum::http::HeaderMap) -> String {
        let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
        let scheme = if self.secure_cookies { "https" } else { "http" };
        format!("{scheme}://{host}")
    }

    /// Where the tenant's portal links open, for a page of the admin app: the
    /// portal's own host over https, or — when the portal shares the admin
    /// app's host (the demo on `localhost:PORT`) — the origin of this request.
    pub fn portal_origin(&self, tenant: &Tenant, headers: &axum::http::HeaderMap) -> String {
        if tenant.admin_host == tenant.portal_host {
            self.request_origin(headers)
        } else {
            format!("https://{}", tenant.portal_host)
        }
    }
}
