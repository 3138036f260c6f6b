//! The test harness: starts `web::app` on 127.0.0.1:0 over a test database
//! and signs admins in through the demo sign-in page.

#![allow(dead_code)]

use std::sync::Arc;

use domain::AdminRole;
use reqwest::redirect::Policy;
use store::testing::TestDb;
use store::tenants::{Tenant, TenantRegistry};

pub struct TestApp {
    pub base: String,
    pub tenant: Arc<Tenant>,
    pub neighbour: Option<Arc<Tenant>>,
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

impl TestApp {
    /// The app with one tenant, Korsbæk, reached at `base` (127.0.0.1).
    pub async fn start(t: TestDb) -> anyhow::Result<TestApp> {
        Self::start_with(t, Vec::new()).await
    }

    /// The app with Korsbæk at 127.0.0.1 and a neighbour municipality,
    /// Lilleby, reached with the Host header `admin.lilleby.test`.
    pub async fn start_with_neighbour(t: TestDb, neighbour: TestDb) -> anyhow::Result<(TestApp, Arc<Tenant>)> {
        let app = Self::start_with(t, vec![neighbour]).await?;
        let lilleby = app.neighbour.clone().expect("neighbour registered");
        Ok((app, lilleby))
    }

    async fn start_with(t: TestDb, others: Vec<TestDb>) -> anyhow::Result<TestApp> {
        let mut registry = TenantRegistry::new();
        let tenant = registry.add(test_tenant("korsbaek", "Korsbæk Kommune", "12345674", &t)?);
        registry.alias("127.0.0.1", &tenant);
        let neighbour = match others.first() {
            Some(db) => Some(registry.add(test_tenant("lilleby", "Lilleby Kommune", "12345682", db)?)),
            None => None,
        };
        let mut state = web::AppState::new(registry);
        state.demo_login = true;
        state.secure_cookies = false;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move { axum::serve(listener, web::app(state)).await });
        Ok(TestApp { base, tenant, neighbour, _db: t, _others: others })
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
        // Like a browser that sends the form's hidden field, the client
        // proves it read a page of this session: it sends the CSRF token.
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(web::csrf::HEADER, web::csrf::token_for(&session).parse()?);
        let jar = Arc::new(reqwest::cookie::Jar::default());
        jar.add_cookie_str(&format!("vh_admin={session}; Path=/admin"), &self.base.parse()?);
        Ok(reqwest::Client::builder()
            .cookie_provider(jar)
            .default_headers(headers)
            .redirect(Policy::none())
            .build()?)
    }
}

/// Signs a new admin with `role` in and returns the session cookie's value.
pub async fn session_of(app: &TestApp, role: AdminRole) -> anyhow::Result<String> {
    app.new_session(role).await
}

impl TestApp {
    async fn new_session(&self, role: AdminRole) -> anyhow::Result<String> {
        let name = format!("Test {}", role.label());
        let new = store::repo::users::NewUser { name, email: None, fk_uuid: None, role };
        let user = store::repo::users::create(self.db(), &store::repo::audit::Actor::system(), new).await?.id;
        let response =
            self.anonymous().post(self.url("/admin/demo-login")).form(&[("user_id", user.to_string())]).send().await?;
        anyhow::ensure!(response.status().is_redirection(), "sign-in failed: {}", response.status());
        session_cookie(&response).ok_or_else(|| anyhow::anyhow!("no session cookie"))
    }
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
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("vh_admin="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

/// Where a redirect response points.
pub fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}
