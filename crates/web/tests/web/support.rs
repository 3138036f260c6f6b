//! The test harness: starts `web::app` on 127.0.0.1:0 over a test database.
//! Most tests get a session for a role directly from the store (`sign_in`);
//! the sign-in tests start the IdP simulators and go through SAML for real
//! (`start_with_saml`, `fk_sign_in`, `mitid_sign_in`).

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use domain::AdminRole;
use integrations::saml::{Credential, IdpMetadata, RequestedLoa, ServiceProvider};
use reqwest::redirect::Policy;
use simulators::idp::{Flavour, IdpConfig, SimIdp, SimIdpHandle, SpConfig};
use store::repo::sessions::{self, NewSession, SessionApp};
use store::tenants::{Tenant, TenantRegistry};
use store::testing::TestDb;
use web::auth::{SamlSide, TenantAuth};

pub const SP_KEY: &str = include_str!("../../../simulators/fixtures/keys/sp-key.pem");
pub const SP_CERT: &str = include_str!("../../../simulators/fixtures/keys/sp-cert.pem");
/// The role URIs of the simulator's built-in FK users.
pub const ROLE_URI: &str = "http://valghalla.dk/roles/usersystemrole";

pub struct TestApp {
    pub base: String,
    pub tenant: Arc<Tenant>,
    pub neighbour: Option<Arc<Tenant>>,
    /// The IdP simulators (FK and NemLog-in on one port), if started.
    pub idp: Option<SimIdpHandle>,
    _db: TestDb,
    _others: Vec<TestDb>,
}

fn test_tenant(key: &str, name: &str, cvr: &str, db: &TestDb) -> anyhow::Result<Tenant> {
    Ok(Tenant {
        key: key.into(),
        name: name.into(),
        cvr: domain::Cvr::parse(cvr)?,
        municipality: domain::MunicipalityCode::parse("0999")?,
        admin_host: format!("admin.{key}.test"),
        portal_host: format!("{key}.test"),
        db: db.db.clone(),
        vault: store::crypto::CprVault::new(&[7; 32]),
    })
}

/// A change to the tenant's sign-in settings.
pub type AuthChange = Box<dyn FnOnce(&mut TenantAuth) + Send>;

/// How a test wants the app configured.
#[derive(Default)]
pub struct Options {
    pub saml: bool,
    /// Changes to the tenant's sign-in settings (after the defaults).
    pub auth: Option<AuthChange>,
    pub login_limit: Option<(u32, u32)>,
    /// The tenant's CPR registry and status-page integrations (tests use a fake).
    pub cpr: Option<web::cpr::TenantCpr>,
    /// Who may push Digital Post receipts, instead of loopback.
    pub receipt_senders: Option<Vec<std::net::IpAddr>>,
}

impl TestApp {
    /// The app with one tenant, Korsbæk, reached at `base` (127.0.0.1).
    pub async fn start(t: TestDb) -> anyhow::Result<TestApp> {
        Self::start_with(t, Vec::new(), Options::default()).await
    }

    /// Korsbæk with FK Adgangsstyring and NemLog-in simulators.
    pub async fn start_with_saml(t: TestDb) -> anyhow::Result<TestApp> {
        Self::start_with(t, Vec::new(), Options { saml: true, ..Options::default() }).await
    }

    pub async fn start_with_options(t: TestDb, options: Options) -> anyhow::Result<TestApp> {
        Self::start_with(t, Vec::new(), options).await
    }

    /// The app with Korsbæk at 127.0.0.1 and a neighbour municipality,
    /// Lilleby, reached with the Host header `admin.lilleby.test`.
    pub async fn start_with_neighbour(t: TestDb, neighbour: TestDb) -> anyhow::Result<(TestApp, Arc<Tenant>)> {
        let app = Self::start_with(t, vec![neighbour], Options::default()).await?;
        let lilleby = app.neighbour.clone().expect("neighbour registered");
        Ok((app, lilleby))
    }

    async fn start_with(t: TestDb, others: Vec<TestDb>, options: Options) -> anyhow::Result<TestApp> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut registry = TenantRegistry::new();
        let tenant = registry.add(test_tenant("korsbaek", "Korsbæk Kommune", "12345674", &t)?);
        registry.alias("127.0.0.1", &tenant);
        let neighbour = match others.first() {
            Some(db) => Some(registry.add(test_tenant("lilleby", "Lilleby Kommune", "12345682", db)?)),
            None => None,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let mut auth = TenantAuth::default();
        let idp = if options.saml {
            let (sides, handle) = start_idps(&base).await?;
            auth.admin = Some(sides.0);
            auth.portal = Some(sides.1);
            auth.admin_mitid = Some(sides.2);
            auth.roles = [
                (format!("{ROLE_URI}/administrator/1"), AdminRole::Administrator),
                (format!("{ROLE_URI}/sekretariat/1"), AdminRole::Secretariat),
                (format!("{ROLE_URI}/laeser/1"), AdminRole::Reader),
            ]
            .into_iter()
            .collect();
            Some(handle)
        } else {
            None
        };
        if let Some(change) = options.auth {
            change(&mut auth);
        }
        let mut state = web::AppState::new(registry).with_auth(HashMap::from([("korsbaek".to_owned(), auth)]));
        state.secure_cookies = false;
        if let Some((burst, per_minute)) = options.login_limit {
            state.login_limiter = Arc::new(web::auth::rate_limit::RateLimiter::new(burst, per_minute));
        }
        if let Some(cpr) = options.cpr {
            state = state.with_cpr(HashMap::from([("korsbaek".to_owned(), cpr)]));
        }
        if let Some(senders) = options.receipt_senders {
            state = state.with_receipt_senders(senders);
        }
        let app = web::app(state).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(TestApp { base, tenant, neighbour, idp, _db: t, _others: others })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        &self.tenant.db
    }

    /// A client without a session that does not follow redirects.
    pub fn anonymous(&self) -> reqwest::Client {
        // reqwest is built without a default TLS provider (ring, no C deps);
        // these plain-http tests still need one installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client")
    }

    /// A client signed in as a new admin with `role`.
    pub async fn sign_in(&self, role: AdminRole) -> anyhow::Result<reqwest::Client> {
        let session = session_of(self, role).await?;
        self.client_with(web::auth::cookies::ADMIN, "/admin", &session)
    }

    /// A client with the session cookie `name`, sending the session's CSRF
    /// token like a browser sends the forms' hidden field.
    pub fn client_with(&self, name: &str, path: &str, session: &str) -> anyhow::Result<reqwest::Client> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(web::csrf::HEADER, web::csrf::token_for(session).parse()?);
        let jar = Arc::new(reqwest::cookie::Jar::default());
        jar.add_cookie_str(&format!("{name}={session}; Path={path}"), &self.base.parse()?);
        Ok(reqwest::Client::builder().cookie_provider(jar).default_headers(headers).redirect(Policy::none()).build()?)
    }

    /// A portal client signed in as `participant_id` (or as a person who is
    /// no participant, with `None`).
    pub async fn sign_in_citizen(&self, participant_id: Option<uuid::Uuid>) -> anyhow::Result<reqwest::Client> {
        let new = NewSession {
            app: SessionApp::Portal,
            user_id: None,
            participant_id,
            lifetime: chrono::Duration::hours(1),
            data: serde_json::json!({ "name": "Test Borger" }),
        };
        let (token, _) = sessions::create(self.db(), new).await?;
        self.client_with(web::auth::cookies::PORTAL, "/", token.as_str())
    }
}

impl TestApp {
    /// A portal client signed in with MitID as the person with `cpr` (the
    /// number kept in the session as sign-in keeps it, for sign-up).
    pub async fn sign_in_mitid(
        &self,
        cpr: &str,
        participant_id: Option<uuid::Uuid>,
    ) -> anyhow::Result<reqwest::Client> {
        let cpr = domain::CprNumber::parse(cpr)?;
        let new = NewSession {
            app: SessionApp::Portal,
            user_id: None,
            participant_id,
            lifetime: chrono::Duration::hours(1),
            data: serde_json::json!({ "name": "Test Borger", "cpr": hex::encode(self.tenant.vault.encrypt(&cpr)) }),
        };
        let (token, _) = sessions::create(self.db(), new).await?;
        self.client_with(web::auth::cookies::PORTAL, "/", token.as_str())
    }
}

/// A session for a new admin with `role` in `tenant`; the cookie value.
pub async fn admin_session(tenant: &Tenant, role: AdminRole) -> anyhow::Result<String> {
    let name = format!("Test {}", role.label());
    let new = store::repo::users::NewUser { name, email: None, fk_uuid: None, role };
    let user = store::repo::users::create(&tenant.db, &store::repo::audit::Actor::system(), new).await?;
    let new = NewSession {
        app: SessionApp::Admin,
        user_id: Some(user.id),
        participant_id: None,
        lifetime: chrono::Duration::hours(1),
        data: serde_json::json!({ "role": role.as_str(), "fallback": false }),
    };
    let (token, _) = sessions::create(&tenant.db, new).await?;
    Ok(token.as_str().to_owned())
}

/// Signs a new admin with `role` in and returns the session cookie's value.
pub async fn session_of(app: &TestApp, role: AdminRole) -> anyhow::Result<String> {
    admin_session(&app.tenant, role).await
}

/// Starts FK Adgangsstyring and NemLog-in simulators knowing our three SPs
/// (admin/FK, portal/NemLog-in, admin/NemLog-in) at `base`, and reads their
/// metadata as a tenant would.
async fn start_idps(base: &str) -> anyhow::Result<((SamlSide, SamlSide, SamlSide), SimIdpHandle)> {
    let sp = |path: &str| {
        SpConfig::new(format!("{base}{path}/saml/metadata"), format!("{base}{path}/saml/acs"))
            .slo_url(format!("{base}{path}/saml/slo"))
            .signing_cert(SP_CERT)
            .encryption_cert(SP_CERT)
    };
    let mitid = SpConfig::new(format!("{base}/admin/saml/mitid/metadata"), format!("{base}/admin/saml/mitid/acs"))
        .slo_url(format!("{base}/admin/saml/mitid/slo"))
        .signing_cert(SP_CERT)
        .encryption_cert(SP_CERT);
    let fk = IdpConfig::new(Flavour::Fk, sp("/admin"));
    let mut nemlogin = IdpConfig::new(Flavour::NemLogin, sp(""));
    nemlogin.sps.push(mitid);
    let (_, handle) = SimIdp::start_all(vec![fk, nemlogin]).await?;
    let client = reqwest::Client::new();
    let fk_meta = IdpMetadata::from_xml(&client.get(handle.url(Flavour::Fk, "metadata")).send().await?.text().await?)?;
    let nl_meta =
        IdpMetadata::from_xml(&client.get(handle.url(Flavour::NemLogin, "metadata")).send().await?.text().await?)?;
    let credential = Credential::from_pem(SP_KEY, SP_CERT)?;
    let provider = |entity: String, acs: String, slo: String, loa: Option<RequestedLoa>| {
        let mut sp = ServiceProvider::new(entity, acs, slo, credential.clone());
        sp.requested_loa = loa;
        sp
    };
    let urls =
        |path: &str| (format!("{base}{path}/metadata"), format!("{base}{path}/acs"), format!("{base}{path}/slo"));
    let (e, a, s) = urls("/admin/saml");
    let admin = SamlSide { sp: provider(e, a, s, None), idp: fk_meta };
    let (e, a, s) = urls("/saml");
    let portal = SamlSide { sp: provider(e, a, s, Some(RequestedLoa::Substantial)), idp: nl_meta.clone() };
    let (e, a, s) = urls("/admin/saml/mitid");
    let admin_mitid = SamlSide { sp: provider(e, a, s, Some(RequestedLoa::Substantial)), idp: nl_meta };
    Ok(((admin, portal, admin_mitid), handle))
}

/// The body of a response, with its status checked.
pub async fn page(response: reqwest::Response, status: u16) -> anyhow::Result<String> {
    let actual = response.status().as_u16();
    let body = response.text().await?;
    anyhow::ensure!(actual == status, "expected {status}, got {actual}: {body}");
    Ok(body)
}

/// The admin session cookie a response sets.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    cookie_named(response, "vh_admin")
}

/// The value of cookie `name` a response sets (empty when it is cleared).
pub fn cookie_named(response: &reqwest::Response, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(prefix.as_str()).map(str::to_owned))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

/// Where a redirect response points.
pub fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// The HTTP-POST binding form of an IdP answer page: its action and fields.
pub fn post_form(html: &str) -> anyhow::Result<(String, Vec<(String, String)>)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
        let end = tag[start..].find('"')? + start;
        Some(unescape(&tag[start..end]))
    };
    let form_start = html.find("<form").ok_or_else(|| anyhow::anyhow!("no form in: {html}"))?;
    let form_tag = &html[form_start..html[form_start..].find('>').map(|e| e + form_start).unwrap_or(html.len())];
    let action = attr(form_tag, "action").ok_or_else(|| anyhow::anyhow!("no action"))?;
    let mut fields = Vec::new();
    for input in html.split("<input").skip(1) {
        let tag = &input[..input.find('>').unwrap_or(input.len())];
        if let (Some(name), Some(value)) = (attr(tag, "name"), attr(tag, "value")) {
            fields.push((name, value));
        }
    }
    Ok((action, fields))
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// What a SAML sign-in through a simulator ended with.
pub struct SignIn {
    /// The browser-like client (cookie store, no automatic redirects).
    pub client: reqwest::Client,
    /// Our ACS's answer.
    pub response: reqwest::Response,
    /// The SAMLResponse that was posted, for replay tests.
    pub saml_response: String,
    pub acs: String,
}

impl TestApp {
    /// Starts at `start` (a path of ours that redirects to the IdP), picks
    /// `user` on the simulator and posts its answer to our ACS.
    pub async fn saml_sign_in(&self, client: reqwest::Client, start: &str, user: &str) -> anyhow::Result<SignIn> {
        let to_idp = client.get(self.url(start)).send().await?;
        anyhow::ensure!(to_idp.status().is_redirection(), "{start}: {}", to_idp.status());
        let idp_url = format!("{}&user={user}", location(&to_idp));
        let answer = client.get(&idp_url).send().await?;
        let html = page(answer, 200).await?;
        let (acs, fields) = post_form(&html)?;
        let saml_response =
            fields.iter().find(|(k, _)| k == "SAMLResponse").map(|(_, v)| v.clone()).unwrap_or_default();
        let response = client.post(&acs).form(&fields).send().await?;
        Ok(SignIn { client, response, saml_response, acs })
    }

    /// An admin sign-in through the simulated FK Adgangsstyring.
    pub async fn fk_sign_in(&self, user: &str) -> anyhow::Result<SignIn> {
        self.saml_sign_in(self.anonymous(), "/admin/saml/login", user).await
    }

    /// A portal sign-in through the simulated NemLog-in.
    pub async fn mitid_sign_in(&self, user: &str) -> anyhow::Result<SignIn> {
        self.saml_sign_in(self.anonymous(), "/login", user).await
    }

    /// Adds a fault to the IdP simulators (see the simulators' README).
    pub async fn idp_fault(&self, fault: serde_json::Value) -> anyhow::Result<()> {
        let handle = self.idp.as_ref().expect("started with SAML");
        let response =
            reqwest::Client::new().post(format!("{}/__sim/faults", handle.base_url)).json(&fault).send().await?;
        anyhow::ensure!(response.status().is_success(), "fault refused: {}", response.text().await?);
        Ok(())
    }
}
