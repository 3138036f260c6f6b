//! CPR simulators: SF1520 PersonBaseDataExtended v5 (SOAP 1.1, integrations reference §1,
//! §11.1) and Datafordeleren CPR REST (cpr-data.md part B, reference §11.10), served on one
//! port with the shared control API (`/__sim/*`, [`crate::control`]).
//!
//! Written from the reference alone: nothing here is shared with the real clients in
//! `integrations::cpr` (SPEC §2.7), so a misreading on one side shows up on the other.
//!
//! Routes: `POST /service/CPR/PersonBaseDataExtended/5` (SF1520),
//! `GET /CPR/{CprPersonFullSimple|CprPersonMediumSimple}/1/{REST|rest}/{method}`
//! (Datafordeleren), `/__sim/*` (faults, requests, reset, clock) and
//! `/__sim/cpr/persons[/{pnr}]` (read and change the persons while running).
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use simulators::cpr::{CprSimConfig, CprSimulator, TlsConfig};
//! // Plain HTTP (tests of the XML/JSON handling):
//! let (base_url, handle) = CprSimulator::start(CprSimConfig::default()).await?;
//! // HTTPS requiring a client certificate of the test CA (fixtures/tls):
//! let tls = CprSimConfig { tls: Some(TlsConfig::test()), ..CprSimConfig::default() };
//! let (https_url, tls_handle) = CprSimulator::start(tls).await?;
//! println!("{}", handle.sf1520_url());
//! # drop((base_url, https_url, tls_handle)); Ok(()) }
//! ```

mod datafordeler;
mod faults;
pub mod generate;
pub mod persons;
pub(crate) mod server;
mod sf1520;
mod sf1520_xml;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;

use crate::control::SimControl;
pub use persons::{Address, Emigration, Guardianship, Person, Persons, Protection};
pub use server::{ClientAuth, ClientCert, TlsConfig, tls_fixtures};

/// Where SF1520 listens (the path of the real endpoint).
pub const SF1520_PATH: &str = "/service/CPR/PersonBaseDataExtended/5";
/// The Datafordeleren method clients are expected to call (cpr-data.md B.1).
pub const DATAFORDELER_PATH: &str = "/CPR/CprPersonFullSimple/1/REST/PersonFullListSimple";

/// How a lookup for a CVR without a service agreement is refused (reference §11.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AgreementRefusal {
    /// HTTP 500 with a `ServiceplatformFault` (`NoServiceAgreement`).
    #[default]
    SoapFault,
    /// HTTP 403 without a SOAP body (the front proxy refusing).
    Forbidden,
}

/// A standing request budget: more than `per_second` requests within one second are answered
/// with `status` (429 unless set), as a throttling front proxy would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub per_second: u32,
    pub status: u16,
}

/// Configuration of one CPR simulator server.
#[derive(Debug, Clone)]
pub struct CprSimConfig {
    /// Default: the built-in `fixtures/cpr-persons.toml`.
    pub persons: Persons,
    /// Added to every answer (benchmarks: e.g. 50 ms, SPEC §10).
    pub latency: Duration,
    /// A uniformly random extra of 0..=`latency_jitter` per answer.
    pub latency_jitter: Duration,
    pub rate_limit: Option<RateLimit>,
    /// CVRs with a service agreement (SF1520 `MunicipalityCVR`); `None` = every valid CVR.
    pub agreements: Option<Vec<String>>,
    pub agreement_refusal: AgreementRefusal,
    /// Serve HTTPS with client-certificate checks; `None` = plain HTTP.
    pub tls: Option<TlsConfig>,
    /// Datafordeleren's guardianship key, unverified in the reference (cpr-data.md B.3).
    pub guardianship_key: String,
}

impl Default for CprSimConfig {
    fn default() -> Self {
        Self {
            persons: Persons::builtin(),
            latency: Duration::ZERO,
            latency_jitter: Duration::ZERO,
            rate_limit: None,
            agreements: None,
            agreement_refusal: AgreementRefusal::default(),
            tls: None,
            guardianship_key: "Vaergemaal".into(),
        }
    }
}

/// Counters of the standing faults (`rate_limit`, `flap`).
struct Counters {
    /// When the requests of the last second arrived (a sliding window, so a burst is
    /// limited the same wherever it falls relative to a clock tick).
    recent: VecDeque<Instant>,
    flap: u64,
}

/// Shared state of one running simulator.
pub(crate) struct CprState {
    control: SimControl,
    persons: RwLock<Persons>,
    /// The set as started: what `reset` restores and the `stale` fault serves.
    initial: Persons,
    config: CprSimConfig,
    counters: Mutex<Counters>,
    rng: Mutex<u64>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl CprState {
    /// "Today" in Denmark on the simulator's (injectable) clock: ages and protection windows.
    fn today(&self) -> NaiveDate {
        self.control.clock.now().with_timezone(&chrono_tz::Europe::Copenhagen).date_naive()
    }

    fn person(&self, pnr: &str) -> Option<Person> {
        self.persons.read().unwrap_or_else(|e| e.into_inner()).get(pnr).cloned()
    }

    /// Whether handlers must see a client certificate (TLS with optional client auth; with
    /// required client auth the handshake already refused clients without one).
    fn wants_client_cert(&self) -> bool {
        self.config.tls.as_ref().is_some_and(|t| t.client_auth == ClientAuth::Optional)
    }

    fn reset(&self) {
        *self.persons.write().unwrap_or_else(|e| e.into_inner()) = self.initial.clone();
        let mut c = lock(&self.counters);
        c.recent.clear();
        c.flap = 0;
    }

    /// splitmix64 for latency jitter and `slow` delays; quality is irrelevant here.
    fn random_below(&self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let mut s = lock(&self.rng);
        *s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = *s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

fn router(state: Arc<CprState>) -> Router {
    let app = Router::new()
        .route(SF1520_PATH, post(sf1520::lookup))
        .route("/CPR/{service}/{version}/{rest}/{method}", get(datafordeler::lookup))
        .with_state(state.clone());
    let persons = Router::new()
        .route("/__sim/cpr/persons", get(list_persons))
        .route("/__sim/cpr/persons/{pnr}", get(get_person).put(put_person).delete(delete_person))
        .with_state(state.clone());
    // The persons routes are control routes: merged after `wrap`, so never recorded or faulted.
    state.control.wrap(app).merge(persons)
}

async fn list_persons(State(state): State<Arc<CprState>>) -> Json<Vec<Person>> {
    Json(state.persons.read().unwrap_or_else(|e| e.into_inner()).iter().cloned().collect())
}

async fn get_person(State(state): State<Arc<CprState>>, Path(pnr): Path<String>) -> Response {
    match state.person(&pnr) {
        Some(p) => Json(p).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Replace or add a person (same fields as the TOML file, as JSON), e.g. to make someone
/// die between two sync runs.
async fn put_person(
    State(state): State<Arc<CprState>>,
    Path(pnr): Path<String>,
    Json(person): Json<Person>,
) -> Response {
    if person.pnr != pnr {
        return (StatusCode::BAD_REQUEST, "the path's CPR number and the body's pnr differ").into_response();
    }
    match state.persons.write().unwrap_or_else(|e| e.into_inner()).insert(person) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, format!("{e:#}")).into_response(),
    }
}

async fn delete_person(State(state): State<Arc<CprState>>, Path(pnr): Path<String>) -> StatusCode {
    match state.persons.write().unwrap_or_else(|e| e.into_inner()).remove(&pnr) {
        Some(_) => StatusCode::NO_CONTENT,
        None => StatusCode::NOT_FOUND,
    }
}

/// A running CPR simulator; dropping it stops the server and every open connection
/// (including requests hanging in a `timeout` fault).
pub struct CprSimHandle {
    /// `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`.
    pub base_url: String,
    pub addr: SocketAddr,
    /// The faults/recorder/clock the `/__sim/*` API drives, for in-process tests.
    pub control: SimControl,
    state: Arc<CprState>,
    task: tokio::task::JoinHandle<()>,
}

impl CprSimHandle {
    /// The SF1520 endpoint URL.
    pub fn sf1520_url(&self) -> String {
        format!("{}{SF1520_PATH}", self.base_url)
    }

    /// The Datafordeleren `PersonFullListSimple` URL (append `?pnr.personnummer.eq=…`).
    pub fn datafordeler_url(&self) -> String {
        format!("{}{DATAFORDELER_PATH}", self.base_url)
    }

    /// The persons as they are now.
    pub fn persons(&self) -> Persons {
        self.state.persons.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Add or replace a person (validated); `POST /__sim/reset` restores the started set.
    pub fn upsert_person(&self, person: Person) -> anyhow::Result<()> {
        self.state.persons.write().unwrap_or_else(|e| e.into_inner()).insert(person)
    }

    pub fn remove_person(&self, pnr: &str) -> Option<Person> {
        self.state.persons.write().unwrap_or_else(|e| e.into_inner()).remove(pnr)
    }
}

impl Drop for CprSimHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Entry point.
pub struct CprSimulator;

impl CprSimulator {
    /// Start on `127.0.0.1:0`; returns the base URL and the handle. With `config.tls` set the
    /// server speaks HTTPS only.
    pub async fn start(config: CprSimConfig) -> anyhow::Result<(String, CprSimHandle)> {
        Self::start_on("127.0.0.1:0", config).await
    }

    /// Like [`Self::start`] on a chosen address (the demo may want a fixed port).
    pub async fn start_on(addr: &str, config: CprSimConfig) -> anyhow::Result<(String, CprSimHandle)> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let control = SimControl::default();
        let acceptor = config.tls.as_ref().map(|t| server::acceptor(t, control.faults.clone())).transpose()?;
        let scheme = if acceptor.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{addr}");
        let state = Arc::new(CprState {
            control: control.clone(),
            persons: RwLock::new(config.persons.clone()),
            initial: config.persons.clone(),
            counters: Mutex::new(Counters { recent: VecDeque::new(), flap: 0 }),
            rng: Mutex::new(0x5eed),
            config,
        });
        let weak = Arc::downgrade(&state);
        control.on_reset(move || {
            if let Some(state) = weak.upgrade() {
                state.reset();
            }
        });
        let app = router(state.clone());
        let task = tokio::spawn(server::serve(listener, app, acceptor, control.faults.clone()));
        Ok((base_url.clone(), CprSimHandle { base_url, addr, control, state, task }))
    }
}
