//! Sign-in machinery shared by the admin app and the portal: each tenant's
//! SAML settings ([`TenantAuth`]), the server-side request/replay state the
//! SP core needs ([`SamlStore`]), session cookies and the login rate limit.
//!
//! The protocol checks themselves live in `integrations::saml`; this module
//! only wires them to the tenant database and to HTTP.

pub mod cookies;
pub mod rate_limit;
pub mod slo;

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use domain::AdminRole;
use integrations::saml::{
    self, AuthnRequest, IdpMetadata, Login, PendingRequest, PendingRequests, ReplayCache, ResponseError,
    ServiceProvider, StoreError,
};
use sea_orm::DatabaseConnection;
use store::repo::saml_state;
use uuid::Uuid;

/// How long a sign-in may take at the IdP before its answer is refused.
pub const REQUEST_LIFETIME: Duration = Duration::minutes(15);

/// One SAML relationship: our service provider and the IdP it trusts.
#[derive(Debug, Clone)]
pub struct SamlSide {
    pub sp: ServiceProvider,
    pub idp: IdpMetadata,
}

/// Everything about signing in to one tenant.
#[derive(Debug, Clone)]
pub struct TenantAuth {
    /// FK Adgangsstyring for the admin app.
    pub admin: Option<SamlSide>,
    /// NemLog-in (MitID) for the portal.
    pub portal: Option<SamlSide>,
    /// NemLog-in for admins: linking their MitID and the fallback sign-in.
    /// Another SP than the portal's, since its endpoints live on the admin host.
    pub admin_mitid: Option<SamlSide>,
    /// FK privilege URI → role. Only these privileges give access.
    pub roles: BTreeMap<String, AdminRole>,
    pub admin_idle_timeout: Duration,
    pub portal_idle_timeout: Duration,
    /// A fallback sign-in grants the last FK roles only if FK granted them
    /// within this time.
    pub fallback_max_role_age: Duration,
}

impl Default for TenantAuth {
    fn default() -> Self {
        TenantAuth {
            admin: None,
            portal: None,
            admin_mitid: None,
            roles: BTreeMap::new(),
            admin_idle_timeout: Duration::minutes(60),
            portal_idle_timeout: Duration::minutes(60),
            fallback_max_role_age: Duration::days(30),
        }
    }
}

impl TenantAuth {
    /// The roles the tenant's own privileges map to (privileges of other
    /// municipalities must already be filtered out), highest first.
    pub fn roles_for(&self, privilege_uris: impl IntoIterator<Item = impl AsRef<str>>) -> Vec<AdminRole> {
        let mut roles: Vec<AdminRole> =
            privilege_uris.into_iter().filter_map(|uri| self.roles.get(uri.as_ref()).copied()).collect();
        roles.sort();
        roles.dedup();
        roles
    }

    /// Origins (`scheme://host:port`) of every IdP endpoint a browser is sent
    /// to, for the CSP's `form-action` (a form post answered by a redirect to
    /// the IdP counts as a form action in browsers).
    pub fn idp_origins(&self) -> Vec<String> {
        [&self.admin, &self.portal, &self.admin_mitid]
            .into_iter()
            .flatten()
            .flat_map(|side| {
                side.idp.single_sign_on.iter().chain(side.idp.single_logout.iter()).map(|e| e.location.clone())
            })
            .filter_map(|url| origin_of(&url))
            .collect()
    }
}

/// `https://idp.example:8443/sso` → `https://idp.example:8443`.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

/// The server-side state of SAML flows in a tenant database, as the SP core's
/// traits want it. `apps` are the flows whose requests this endpoint may
/// answer; the request taken is kept for the handler (who started it, where to).
pub struct SamlStore<'a> {
    db: &'a DatabaseConnection,
    apps: &'a [&'a str],
    taken: Mutex<Option<saml_state::PendingRequest>>,
}

impl<'a> SamlStore<'a> {
    pub fn new(db: &'a DatabaseConnection, apps: &'a [&'a str]) -> Self {
        SamlStore { db, apps, taken: Mutex::new(None) }
    }

    /// The pending request the last successful `take` removed.
    pub fn taken(&self) -> Option<saml_state::PendingRequest> {
        self.taken.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl PendingRequests for SamlStore<'_> {
    async fn take(&self, request_id: &str) -> Result<Option<PendingRequest>, StoreError> {
        let taken =
            saml_state::take_pending(self.db, request_id, self.apps).await.map_err(|e| StoreError(e.to_string()))?;
        let pending = taken.as_ref().map(|p| PendingRequest {
            id: p.id.clone(),
            created_at: p.created_at,
            expires_at: p.expires_at,
        });
        *self.taken.lock().unwrap_or_else(|e| e.into_inner()) = taken;
        Ok(pending)
    }
}

impl ReplayCache for SamlStore<'_> {
    async fn remember(&self, assertion_id: &str, keep_until: DateTime<Utc>) -> Result<bool, StoreError> {
        saml_state::remember_assertion(self.db, assertion_id, keep_until).await.map_err(|e| StoreError(e.to_string()))
    }
}

/// Builds a signed AuthnRequest for `side`, remembers it for flow `app`, and
/// returns the IdP URL to send the browser to.
pub async fn start_login(
    side: &SamlSide,
    db: &DatabaseConnection,
    app: &str,
    user_id: Option<Uuid>,
    relay_target: Option<String>,
) -> anyhow::Result<String> {
    let now = Utc::now();
    let request = AuthnRequest::new(&side.sp, &side.idp, now);
    // RelayState is not needed: where to go afterwards is kept server-side
    // with the request, so nothing in the URL can redirect the browser.
    let url = request.redirect_url(&side.sp.signing, None)?;
    let pending = saml_state::PendingRequest {
        id: request.id.clone(),
        app: app.to_owned(),
        user_id,
        relay_target,
        created_at: now,
        expires_at: now + REQUEST_LIFETIME,
    };
    saml_state::add_pending(db, &pending).await?;
    Ok(url)
}

/// Checks a posted `SAMLResponse` completely (signatures, conditions, our
/// pending request, replay) and returns the login and the request it answers.
pub async fn consume(
    side: &SamlSide,
    db: &DatabaseConnection,
    apps: &[&str],
    saml_response: &str,
) -> Result<(Login, saml_state::PendingRequest), ResponseError> {
    let store = SamlStore::new(db, apps);
    let login = saml::consume_response(saml_response, &side.idp, &side.sp, Utc::now(), &store, &store).await?;
    let pending = store.taken().ok_or(ResponseError::UnknownInResponseTo)?;
    Ok((login, pending))
}

/// Remembers an SP-initiated LogoutRequest (its ID comes back as the
/// response's InResponseTo; we also send it as RelayState to find it).
pub async fn remember_logout(db: &DatabaseConnection, app: &str, request_id: &str) -> anyhow::Result<()> {
    let now = Utc::now();
    let pending = saml_state::PendingRequest {
        id: request_id.to_owned(),
        app: app.to_owned(),
        user_id: None,
        relay_target: None,
        created_at: now,
        expires_at: now + REQUEST_LIFETIME,
    };
    Ok(saml_state::add_pending(db, &pending).await?)
}

/// What we keep in a session about its SAML login, for single logout.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SamlSession {
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
}

impl SamlSession {
    pub fn of(login: &Login) -> Self {
        SamlSession {
            name_id: login.name_id.clone(),
            name_id_format: login.name_id_format.clone(),
            session_index: login.session_index.clone(),
        }
    }
}

/// A `RelayState`/target path we may redirect to: local, on this app.
pub fn safe_target(target: Option<&str>, prefix: &str, default: &str) -> String {
    match target {
        Some(t) if t.starts_with(prefix) && !t.starts_with("//") && !t.contains("://") && !t.contains('\\') => {
            t.to_owned()
        }
        _ => default.to_owned(),
    }
}

/// The value of `name` in a raw query string, percent-decoded.
pub fn query_param(raw_query: &str, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw_query)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_keep_scheme_and_port() {
        assert_eq!(origin_of("http://127.0.0.1:4000/fk/sso").as_deref(), Some("http://127.0.0.1:4000"));
        assert_eq!(origin_of("https://idp.example?x").as_deref(), Some("https://idp.example"));
        assert_eq!(origin_of("nonsense"), None);
    }

    #[test]
    fn only_local_targets_are_followed() {
        assert_eq!(safe_target(Some("/admin/elections"), "/admin", "/admin"), "/admin/elections");
        assert_eq!(safe_target(Some("//evil.example/admin"), "/", "/"), "/");
        assert_eq!(safe_target(Some("https://evil.example"), "/", "/"), "/");
        assert_eq!(safe_target(Some("/mine-opgaver"), "/admin", "/admin"), "/admin");
        assert_eq!(safe_target(None, "/admin", "/admin"), "/admin");
    }

    #[test]
    fn roles_map_through_the_table_only() {
        let mut auth = TenantAuth::default();
        auth.roles.insert("urn:reader".into(), AdminRole::Reader);
        auth.roles.insert("urn:admin".into(), AdminRole::Administrator);
        assert_eq!(
            auth.roles_for(["urn:reader", "urn:admin", "urn:other"]),
            [AdminRole::Administrator, AdminRole::Reader]
        );
        assert!(auth.roles_for(["urn:other"]).is_empty());
    }
}
