//! Digital Post simulator (integrations reference §11.3–11.6): the KOMBIT STS REST façade,
//! the AccessTokenService, SF1601 `KombiPostAfsend_1` (`/kombi` and `/memos`),
//! `PostForespoerg_1`, a direct-NgDP endpoint (§11.5; its real path is unknown, see
//! [`NGDP_PATH`]) and a status-callback driver, on one port with the shared control API.
//!
//! Written from the reference alone, sharing nothing with `integrations::messaging`.
//!
//! The token chain is checked end to end: the STS binds its assertion to `UseKey` (which must
//! be the TLS client certificate), the access token to the assertion's certificate and
//! audience, and the send to a live token of the right audience presented over the same
//! certificate. The assertion is a self-consistent SAML 2.0 assertion but is not XML-signed:
//! the simulator is its own STS and verifies an assertion by its record of what it issued.

mod letters;
mod receipts;
mod sts;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::control::SimControl;
use crate::cpr::server;
pub use crate::cpr::{ClientAuth, ClientCert, TlsConfig};
pub use letters::Letter;

pub const STS_PATH: &str = "/runtime/api/rest/wstrust/v1/issue";
pub const TOKEN_PATH: &str = "/service/AccessTokenService_1/token";
pub const KOMBI_PATH: &str = "/service/KombiPostAfsend_1/kombi";
pub const MEMOS_PATH: &str = "/service/KombiPostAfsend_1/memos";
pub const FORESPOERG_PATH: &str = "/service/PostForespoerg_1/digitalpost";
pub const NEMSMS_PATH: &str = "/service/PostForespoerg_1/nemsms";
/// Direct NgDP: the reference found no public path; this is the one the simulator serves.
pub const NGDP_PATH: &str = "/apis/v1/messages/memos";

pub const KOMBI_AUDIENCE: &str = "http://entityid.kombit.dk/service/kombipostafsend/1";
pub const FORESPOERG_AUDIENCE: &str = "http://entityid.kombit.dk/service/postforespoerg/1";

/// A citizen's Digital Post status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Registration {
    #[default]
    Registered,
    /// Exempt ("fritaget"): no mailbox.
    Exempt,
    NotRegistered,
}

/// How a second letter with a known `messageUUID` is answered (reference §11.4: configurable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DuplicatePolicy {
    /// HTTP 409 Conflict.
    #[default]
    Conflict,
    /// HTTP 400, as a schema/business validation error.
    BadRequest,
    /// HTTP 200 with the first letter's answer again.
    Idempotent,
}

#[derive(Debug, Clone)]
pub struct DigitalPostSimConfig {
    /// HTTPS with client certificates; `None` = plain HTTP (then `UseKey` alone is the binding).
    pub tls: Option<TlsConfig>,
    /// Sender CVRs with a service agreement; `None` = every 8-digit CVR.
    pub agreements: Option<Vec<String>>,
    /// Per CPR number; others get `default_registration`.
    pub registrations: BTreeMap<String, Registration>,
    pub default_registration: Registration,
    pub saml_lifetime: Duration,
    /// The access token's `expires_in`.
    pub access_token_lifetime: Duration,
    pub duplicates: DuplicatePolicy,
    /// Where the callback driver POSTs receipts unless told otherwise (our `/digitalpost/receipts`).
    pub receipt_url: Option<String>,
    /// Send "Modtaget" and then "Afleveret Digital Post" to `receipt_url` after each accepted letter.
    pub auto_receipts: bool,
}

impl Default for DigitalPostSimConfig {
    fn default() -> Self {
        Self {
            tls: None,
            agreements: None,
            registrations: BTreeMap::new(),
            default_registration: Registration::Registered,
            saml_lifetime: Duration::from_secs(3600),
            access_token_lifetime: Duration::from_secs(3600),
            duplicates: DuplicatePolicy::default(),
            receipt_url: None,
            auto_receipts: false,
        }
    }
}

/// What the STS or the token service handed out, and what it is bound to.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub audience: String,
    pub cvr: String,
    /// DER of the certificate the grant is bound to.
    pub certificate: Vec<u8>,
    pub expires: DateTime<Utc>,
}

pub(crate) struct DpState {
    pub control: SimControl,
    pub config: DigitalPostSimConfig,
    pub registrations: RwLock<BTreeMap<String, Registration>>,
    /// Assertion ID → grant.
    pub assertions: Mutex<HashMap<String, Grant>>,
    /// Access token → grant.
    pub tokens: Mutex<HashMap<String, Grant>>,
    pub letters: Mutex<Vec<Letter>>,
    /// For receipts to our receiver.
    pub http: reqwest::Client,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl DpState {
    pub fn registration(&self, cpr: &str) -> Registration {
        let registrations = self.registrations.read().unwrap_or_else(|e| e.into_inner());
        registrations.get(cpr).copied().unwrap_or(self.config.default_registration)
    }

    fn reset(&self) {
        *self.registrations.write().unwrap_or_else(|e| e.into_inner()) = self.config.registrations.clone();
        lock(&self.assertions).clear();
        lock(&self.tokens).clear();
        lock(&self.letters).clear();
    }
}

fn router(state: Arc<DpState>) -> Router {
    let app = Router::new()
        .route(STS_PATH, post(sts::issue))
        .route(TOKEN_PATH, post(sts::access_token))
        .route(KOMBI_PATH, post(letters::kombi))
        .route(MEMOS_PATH, post(letters::kombi))
        .route(FORESPOERG_PATH, get(letters::forespoerg))
        .route(NEMSMS_PATH, get(letters::forespoerg))
        .route(NGDP_PATH, post(letters::ngdp))
        .with_state(state.clone());
    let own = Router::new()
        .route("/__sim/digitalpost/letters", get(list_letters))
        .route("/__sim/digitalpost/registrations/{cpr}", put(put_registration))
        .route("/__sim/digitalpost/receipts", post(receipts::send))
        .with_state(state.clone());
    state.control.wrap(app).merge(own)
}

async fn list_letters(State(state): State<Arc<DpState>>) -> Json<Vec<Letter>> {
    Json(lock(&state.letters).clone())
}

#[derive(Deserialize)]
struct RegistrationBody {
    status: Registration,
}

async fn put_registration(
    State(state): State<Arc<DpState>>,
    Path(cpr): Path<String>,
    Json(body): Json<RegistrationBody>,
) -> Response {
    if cpr.len() != 10 || !cpr.bytes().all(|b| b.is_ascii_digit()) {
        return (StatusCode::BAD_REQUEST, "a CPR number is 10 digits").into_response();
    }
    state.registrations.write().unwrap_or_else(|e| e.into_inner()).insert(cpr, body.status);
    StatusCode::NO_CONTENT.into_response()
}

/// A running simulator; dropping it stops the server.
pub struct DigitalPostSimHandle {
    pub base_url: String,
    pub addr: SocketAddr,
    pub control: SimControl,
    state: Arc<DpState>,
    task: tokio::task::JoinHandle<()>,
}

impl DigitalPostSimHandle {
    pub fn sts_url(&self) -> String {
        format!("{}{STS_PATH}", self.base_url)
    }

    /// The letters received so far (accepted or not), in order.
    pub fn letters(&self) -> Vec<Letter> {
        lock(&self.state.letters).clone()
    }

    pub fn set_registration(&self, cpr: &str, registration: Registration) {
        self.state.registrations.write().unwrap_or_else(|e| e.into_inner()).insert(cpr.to_owned(), registration);
    }
}

impl Drop for DigitalPostSimHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn receipt_client() -> anyhow::Result<reqwest::Client> {
    // reqwest is built without a default crypto provider; ring, as everywhere else.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Ok(reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?)
}

pub struct DigitalPostSimulator;

impl DigitalPostSimulator {
    pub async fn start(config: DigitalPostSimConfig) -> anyhow::Result<(String, DigitalPostSimHandle)> {
        Self::start_on("127.0.0.1:0", config).await
    }

    pub async fn start_on(addr: &str, config: DigitalPostSimConfig) -> anyhow::Result<(String, DigitalPostSimHandle)> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let control = SimControl::default();
        let acceptor = config.tls.as_ref().map(|t| server::acceptor(t, control.faults.clone())).transpose()?;
        let scheme = if acceptor.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{addr}");
        let state = Arc::new(DpState {
            control: control.clone(),
            registrations: RwLock::new(config.registrations.clone()),
            assertions: Mutex::default(),
            tokens: Mutex::default(),
            letters: Mutex::default(),
            http: receipt_client()?,
            config,
        });
        let weak = Arc::downgrade(&state);
        control.on_reset(move || {
            if let Some(state) = weak.upgrade() {
                state.reset();
            }
        });
        let task = tokio::spawn(server::serve(listener, router(state.clone()), acceptor, control.faults.clone()));
        Ok((base_url.clone(), DigitalPostSimHandle { base_url, addr, control, state, task }))
    }
}
