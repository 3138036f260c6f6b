//! SAML identity-provider simulators (integrations reference §11.7): FK Adgangsstyring for
//! the admin app and NemLog-in (MitID, OIOSAML 3) for the participant portal.
//!
//! Routes per flavour (`fk` or `nemlogin`):
//! `GET /{flavour}/metadata`, `GET /{flavour}/sso` (HTTP-Redirect AuthnRequest; pick page
//! or `?user=<id>`), `POST /{flavour}/sso/login` (the pick page's form),
//! `GET /{flavour}/slo` (LogoutRequest in, LogoutResponse out; or the SP's LogoutResponse),
//! `GET /{flavour}/slo/initiate` (IdP-initiated logout), plus `/static/autopost.js`,
//! `/static/idp.css` and the shared control API `/__sim/*`.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use simulators::idp::{Flavour, IdpConfig, SimIdp, SpConfig};
//! let sp = SpConfig::new("https://kommune.example/saml/metadata", "https://kommune.example/saml/acs");
//! let (base_url, handle) = SimIdp::start(IdpConfig::new(Flavour::Fk, sp)).await?;
//! println!("{base_url}/fk/metadata");
//! # drop(handle); Ok(()) }
//! ```

pub mod binding;
pub mod crypto;
pub mod messages;
mod metadata;
mod pages;
mod slo;
mod sso;
pub mod users;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::get;
use serde::{Deserialize, Serialize};

use crate::control::SimControl;
use crypto::Signer;
pub use users::{Citizen, FkUser, Loa, Users};

/// Which IdP is simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavour {
    /// FK Adgangsstyring (KOMBIT): municipal staff, privileges as Basic Privilege Profile.
    Fk,
    /// NemLog-in with MitID: citizens, CPR attributes, assertion encrypted.
    #[serde(rename = "nemlogin")]
    NemLogin,
}

impl Flavour {
    /// The path segment the flavour's endpoints live under.
    pub fn path(self) -> &'static str {
        match self {
            Flavour::Fk => "fk",
            Flavour::NemLogin => "nemlogin",
        }
    }
}

/// A service provider registered at the IdP (what its uploaded metadata would say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpConfig {
    pub entity_id: String,
    /// Where responses are POSTed; an AuthnRequest naming another ACS URL is refused.
    pub acs_url: String,
    /// Where LogoutResponses (and IdP-initiated LogoutRequests) are redirected.
    pub slo_url: Option<String>,
    /// When set, AuthnRequests and LogoutRequests must carry a valid redirect signature
    /// by this certificate's key; when absent, signatures are recorded as `not_checked`.
    pub signing_cert_pem: Option<String>,
    /// Assertions are encrypted to this certificate (required for NemLog-in).
    pub encryption_cert_pem: Option<String>,
}

impl SpConfig {
    pub fn new(entity_id: impl Into<String>, acs_url: impl Into<String>) -> Self {
        Self {
            entity_id: entity_id.into(),
            acs_url: acs_url.into(),
            slo_url: None,
            signing_cert_pem: None,
            encryption_cert_pem: None,
        }
    }
    pub fn slo_url(mut self, url: impl Into<String>) -> Self {
        self.slo_url = Some(url.into());
        self
    }
    pub fn signing_cert(mut self, pem: impl Into<String>) -> Self {
        self.signing_cert_pem = Some(pem.into());
        self
    }
    pub fn encryption_cert(mut self, pem: impl Into<String>) -> Self {
        self.encryption_cert_pem = Some(pem.into());
        self
    }
}

/// Configuration of one simulated IdP.
#[derive(Debug, Clone)]
pub struct IdpConfig {
    pub flavour: Flavour,
    /// Registered service providers; an AuthnRequest's Issuer picks one.
    pub sps: Vec<SpConfig>,
    /// Test users (default: the built-in `fixtures/idp-users.toml`).
    pub users: Users,
    /// Entity ID; default `{base_url}/{flavour}`.
    pub entity_id: Option<String>,
    /// Sign the Response as well as the Assertion (default true).
    pub sign_response: bool,
    /// Encrypt the Assertion to the SP's encryption certificate; default: NemLog-in yes, FK no.
    pub encrypt_assertion: Option<bool>,
    /// Validity of an assertion after issue (default 5 minutes).
    pub assertion_lifetime_secs: i64,
    /// The IdP's signing key (PKCS#8 PEM) and certificate; default the committed fixtures.
    pub key_pem: String,
    pub cert_pem: String,
    /// Key and certificate used by the `bad_signature` fault.
    pub evil_key_pem: String,
    pub evil_cert_pem: String,
}

impl IdpConfig {
    pub fn new(flavour: Flavour, sp: SpConfig) -> Self {
        Self {
            flavour,
            sps: vec![sp],
            users: Users::builtin(),
            entity_id: None,
            sign_response: true,
            encrypt_assertion: None,
            assertion_lifetime_secs: 300,
            key_pem: crypto::IDP_KEY_PEM.into(),
            cert_pem: crypto::IDP_CERT_PEM.into(),
            evil_key_pem: crypto::EVIL_KEY_PEM.into(),
            evil_cert_pem: crypto::EVIL_CERT_PEM.into(),
        }
    }
}

/// An SP with its keys decoded once at start.
struct RegisteredSp {
    config: SpConfig,
    verify_key: Option<rsa::PublicKey>,
    encryption_key: Option<sad_rsa::RsaPublicKey>,
}

/// An AuthnRequest waiting for the user to be picked.
#[derive(Debug, Clone)]
struct Pending {
    request: messages::AuthnRequest,
    relay_state: Option<String>,
    sp: usize,
}

/// A sign-in the IdP remembers for single logout.
#[derive(Debug, Clone)]
struct Session {
    session_index: String,
    sp: usize,
    user: String,
    name_id: String,
    name_id_format: String,
}

/// The last POST form produced (for the `replay` fault).
#[derive(Debug, Clone)]
struct PostForm {
    acs_url: String,
    saml_response: String,
    relay_state: Option<String>,
}

#[derive(Default)]
struct Volatile {
    pending: HashMap<String, Pending>,
    sessions: Vec<Session>,
    last_post: Option<PostForm>,
}

/// One running flavour.
struct Idp {
    config: IdpConfig,
    flavour: Flavour,
    /// `{base_url}/{flavour}`: where this IdP's endpoints are.
    base: String,
    entity_id: String,
    signer: Signer,
    evil: Signer,
    sps: Vec<RegisteredSp>,
    encrypt: bool,
    control: SimControl,
    state: Mutex<Volatile>,
}

impl Idp {
    fn new(base_url: &str, config: IdpConfig, control: SimControl) -> anyhow::Result<Self> {
        let flavour = config.flavour;
        let encrypt = config.encrypt_assertion.unwrap_or(flavour == Flavour::NemLogin);
        anyhow::ensure!(!config.sps.is_empty(), "{}: no service provider registered", flavour.path());
        let mut sps = Vec::new();
        for sp in &config.sps {
            let verify_key = sp.signing_cert_pem.as_deref().map(crypto::rsa_public_key).transpose()?;
            let encryption_key = sp.encryption_cert_pem.as_deref().map(crypto::encryption_key).transpose()?;
            anyhow::ensure!(
                !encrypt || encryption_key.is_some(),
                "{}: SP {} has no encryption certificate, but assertions are encrypted",
                flavour.path(),
                sp.entity_id
            );
            sps.push(RegisteredSp { config: sp.clone(), verify_key, encryption_key });
        }
        let base = format!("{}/{}", base_url.trim_end_matches('/'), flavour.path());
        Ok(Self {
            entity_id: config.entity_id.clone().unwrap_or_else(|| base.clone()),
            signer: Signer::new(&config.key_pem, &config.cert_pem)?,
            evil: Signer::new(&config.evil_key_pem, &config.evil_cert_pem)?,
            flavour,
            base,
            sps,
            encrypt,
            control,
            state: Mutex::new(Volatile::default()),
            config,
        })
    }

    fn sp_by_entity(&self, entity_id: &str) -> Option<usize> {
        self.sps.iter().position(|sp| sp.config.entity_id == entity_id)
    }

    fn volatile(&self) -> std::sync::MutexGuard<'_, Volatile> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Build the router for one or more flavours (at most one per flavour) served at
/// `base_url`, wrapped with `control`'s recorder, faults and `/__sim/*` routes.
pub fn router(base_url: &str, configs: Vec<IdpConfig>, control: &SimControl) -> anyhow::Result<Router> {
    let mut app = Router::new()
        .route(
            "/static/autopost.js",
            get(|| async { pages::static_file("text/javascript; charset=utf-8", pages::AUTOPOST_JS) }),
        )
        .route("/static/idp.css", get(|| async { pages::static_file("text/css; charset=utf-8", pages::IDP_CSS) }));
    let mut seen = Vec::new();
    for config in configs {
        anyhow::ensure!(!seen.contains(&config.flavour), "flavour {} configured twice", config.flavour.path());
        seen.push(config.flavour);
        let idp = Arc::new(Idp::new(base_url, config, control.clone())?);
        let weak = Arc::downgrade(&idp);
        control.on_reset(move || {
            if let Some(idp) = weak.upgrade() {
                *idp.volatile() = Volatile::default();
            }
        });
        app = app.merge(flavour_routes(idp));
    }
    Ok(control.wrap(app))
}

fn flavour_routes(idp: Arc<Idp>) -> Router {
    let p = idp.flavour.path();
    Router::new()
        .route(&format!("/{p}/metadata"), get(metadata::metadata))
        .route(&format!("/{p}/sso"), get(sso::sso))
        .route(&format!("/{p}/sso/login"), axum::routing::post(sso::login))
        .route(&format!("/{p}/slo"), get(slo::slo))
        .route(&format!("/{p}/slo/initiate"), get(slo::initiate))
        .with_state(idp)
}

/// A running simulator; dropping it stops the server.
pub struct SimIdpHandle {
    pub base_url: String,
    /// The same faults/recorder/clock the `/__sim/*` API drives, for in-process tests.
    pub control: SimControl,
    task: tokio::task::JoinHandle<()>,
}

impl SimIdpHandle {
    /// `{base_url}/{flavour}/{endpoint}`, e.g. `url(Flavour::Fk, "metadata")`.
    pub fn url(&self, flavour: Flavour, endpoint: &str) -> String {
        format!("{}/{}/{}", self.base_url, flavour.path(), endpoint)
    }
}

impl Drop for SimIdpHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Entry point: start simulated IdPs on `127.0.0.1:0`.
pub struct SimIdp;

impl SimIdp {
    /// Start one flavour; returns its base URL (`http://127.0.0.1:<port>`) and the handle.
    pub async fn start(config: IdpConfig) -> anyhow::Result<(String, SimIdpHandle)> {
        Self::start_all(vec![config]).await
    }

    /// Start several flavours on one server sharing one control API (the demo's setup).
    pub async fn start_all(configs: Vec<IdpConfig>) -> anyhow::Result<(String, SimIdpHandle)> {
        Self::start_on("127.0.0.1:0", configs).await
    }

    /// Like [`Self::start_all`] on a chosen address (the demo may want a fixed port).
    pub async fn start_on(addr: &str, configs: Vec<IdpConfig>) -> anyhow::Result<(String, SimIdpHandle)> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let control = SimControl::default();
        let app = router(&base_url, configs, &control)?;
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "IdP simulator stopped");
            }
        });
        Ok((base_url.clone(), SimIdpHandle { base_url, control, task }))
    }
}
