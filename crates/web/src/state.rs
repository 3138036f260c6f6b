use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use store::tenants::TenantRegistry;

/// Shared, read-only state of the web application.
#[derive(Clone)]
pub struct AppState {
    pub tenants: Arc<TenantRegistry>,
    /// Renders `/metrics`; `None` where no recorder is installed (tests).
    pub metrics: Option<PrometheusHandle>,
    /// The demo sign-in page (lists the seeded users) is served only in
    /// `valghalla demo`, never by `serve`.
    pub demo_login: bool,
    /// Whether cookies get the `Secure` flag (not on the plain-http demo).
    pub secure_cookies: bool,
    /// An admin session ends after this long without a request.
    pub admin_idle_timeout: chrono::Duration,
    /// CPR registry per tenant key (see `crate::cpr`).
    pub cpr: Arc<std::collections::HashMap<String, Arc<dyn integrations::cpr::CprRegistry>>>,
    /// Integrations on the status page per tenant key (see `crate::cpr`).
    pub integrations: Arc<std::collections::HashMap<String, Vec<crate::cpr::Monitor>>>,
}

impl AppState {
    pub fn new(tenants: TenantRegistry) -> Self {
        AppState {
            tenants: Arc::new(tenants),
            metrics: None,
            demo_login: false,
            secure_cookies: true,
            admin_idle_timeout: chrono::Duration::minutes(60),
            cpr: Arc::default(),
            integrations: Arc::default(),
        }
    }
}
