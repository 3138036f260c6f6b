//! The control API every simulator shares (integrations reference §11): a fault registry,
//! a request recorder, an injectable clock, and the `/__sim/*` router that drives them.
//!
//! A simulator builds its own axum routes and hands them to [`SimControl::wrap`]. The
//! wrapper records every request (method, path, query, headers, body), applies the
//! *generic* faults that need no knowledge of the wire format (`down`, `downtime_window`,
//! `http_status`, `delay_ms`) before the request reaches the simulator, and merges the
//! control routes, which are never recorded and never faulted (tests must be able to
//! switch a broken simulator back on). Wire-format faults (a SOAP fault, a SAML status)
//! are looked up by the simulator's handlers with [`Faults::take`].
//!
//! JSON shapes are documented in `crates/simulators/README.md`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Bodies larger than this are cut in the record (a simulator never needs more to assert on).
const MAX_RECORDED_BODY: usize = 2 * 1024 * 1024;

/// Poisoning only happens if a test thread panicked while holding the lock; the data is
/// still usable for the remaining assertions, so recover instead of cascading panics.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

// ---------------------------------------------------------------------------------------
// Clock
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum ClockMode {
    System,
    Fixed(DateTime<Utc>),
    Offset(chrono::Duration),
}

/// Wall clock the simulators use for timestamps and validity windows, so that tests can
/// pin or shift time (token expiry, assertion validity) without sleeping.
#[derive(Debug, Clone)]
pub struct Clock(Arc<Mutex<ClockMode>>);

impl Default for Clock {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(ClockMode::System)))
    }
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match *lock(&self.0) {
            ClockMode::System => Utc::now(),
            ClockMode::Fixed(t) => t,
            ClockMode::Offset(d) => Utc::now() + d,
        }
    }
    /// Freeze the clock at `t`.
    pub fn set_fixed(&self, t: DateTime<Utc>) {
        *lock(&self.0) = ClockMode::Fixed(t);
    }
    /// Run the real clock shifted by `seconds` (negative = in the past).
    pub fn set_offset(&self, seconds: i64) {
        *lock(&self.0) = ClockMode::Offset(chrono::Duration::seconds(seconds));
    }
    pub fn set_system(&self) {
        *lock(&self.0) = ClockMode::System;
    }
}

// ---------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------

/// One fault rule as posted to `POST /__sim/faults`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FaultSpec {
    /// What to do, e.g. `down`, `delay_ms`, `authn_failed` (see the README for each simulator).
    pub kind: String,
    /// Only requests whose path starts with this prefix match (e.g. `/nemlogin/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Only requests about this key match (a user id, a CPR number …; the simulator decides).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Apply to this many matching requests, then disappear; absent = until reset or deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// Kind-specific parameters.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub params: Value,
}

impl FaultSpec {
    pub fn new(kind: &str) -> Self {
        Self { kind: kind.into(), path: None, key: None, times: None, params: Value::Null }
    }
    pub fn once(mut self) -> Self {
        self.times = Some(1);
        self
    }
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }
    pub fn path(mut self, prefix: &str) -> Self {
        self.path = Some(prefix.into());
        self
    }
    pub fn key(mut self, key: &str) -> Self {
        self.key = Some(key.into());
        self
    }
    pub fn params(mut self, params: Value) -> Self {
        self.params = params;
        self
    }
    /// A string parameter, if present.
    pub fn param_str(&self, name: &str) -> Option<&str> {
        self.params.get(name).and_then(Value::as_str)
    }
    pub fn param_u64(&self, name: &str) -> Option<u64> {
        self.params.get(name).and_then(Value::as_u64)
    }

    fn matches(&self, kind: &str, path: &str, key: Option<&str>) -> bool {
        self.kind == kind
            && self.path.as_deref().is_none_or(|p| path.starts_with(p))
            && self.key.as_deref().is_none_or(|k| key == Some(k))
    }
}

/// A registered rule with the id `POST /__sim/faults` answered.
#[derive(Debug, Clone, Serialize)]
pub struct FaultRule {
    pub id: u64,
    #[serde(flatten)]
    pub spec: FaultSpec,
}

/// Registry of active fault rules. Cloning shares the registry.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    rules: Arc<Mutex<Vec<FaultRule>>>,
    next_id: Arc<AtomicU64>,
}

impl Faults {
    pub fn add(&self, spec: FaultSpec) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        lock(&self.rules).push(FaultRule { id, spec });
        id
    }

    /// The first rule of `kind` matching `path`/`key`; a counted rule loses one use and
    /// disappears when it has none left (take-once when `times` is 1).
    pub fn take(&self, kind: &str, path: &str, key: Option<&str>) -> Option<FaultSpec> {
        let mut rules = lock(&self.rules);
        let index = rules.iter().position(|r| r.spec.matches(kind, path, key))?;
        let spec = rules[index].spec.clone();
        if let Some(times) = rules[index].spec.times.as_mut() {
            *times = times.saturating_sub(1);
            if *times == 0 {
                rules.remove(index);
            }
        }
        Some(spec)
    }

    /// Like [`Self::take`] but never uses a rule up (for windows and other standing state).
    pub fn peek(&self, kind: &str, path: &str, key: Option<&str>) -> Option<FaultSpec> {
        lock(&self.rules).iter().find(|r| r.spec.matches(kind, path, key)).map(|r| r.spec.clone())
    }

    pub fn remove(&self, id: u64) -> bool {
        let mut rules = lock(&self.rules);
        let before = rules.len();
        rules.retain(|r| r.id != id);
        rules.len() != before
    }

    pub fn list(&self) -> Vec<FaultRule> {
        lock(&self.rules).clone()
    }

    pub fn clear(&self) {
        lock(&self.rules).clear();
    }

    /// Whether a `downtime_window` rule covers `now` for this path. Rules whose window
    /// has passed are dropped so that the list stays readable.
    pub fn in_downtime(&self, path: &str, now: DateTime<Utc>) -> bool {
        let mut rules = lock(&self.rules);
        rules.retain(|r| r.spec.kind != "downtime_window" || window(&r.spec).is_some_and(|(_, to)| to > now));
        rules
            .iter()
            .filter(|r| r.spec.matches("downtime_window", path, None))
            .filter_map(|r| window(&r.spec))
            .any(|(from, to)| from <= now && now < to)
    }
}

fn window(spec: &FaultSpec) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let at = |name| spec.param_str(name).and_then(|s| DateTime::parse_from_rfc3339(s).ok()).map(|t| t.to_utc());
    Some((at("from")?, at("to")?))
}

// ---------------------------------------------------------------------------------------
// Recorder
// ---------------------------------------------------------------------------------------

/// One request as the simulator received it, plus what the simulator made of it.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedRequest {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub method: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    pub headers: BTreeMap<String, String>,
    pub body: String,
    /// Status of the answer; absent while the handler is still running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Set by the handler, e.g. the parsed AuthnRequest and whether its signature held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<Value>,
}

#[derive(Debug, Clone, Default)]
pub struct Recorder {
    entries: Arc<Mutex<Vec<RecordedRequest>>>,
    next_seq: Arc<AtomicU64>,
}

impl Recorder {
    /// Adds an entry and returns its `seq`. Public for simulators that record something
    /// other than HTTP requests (the SMTP sink records each message it accepts).
    pub fn push(&self, mut entry: RecordedRequest) -> u64 {
        let seq = self.next_seq.fetch_add(1, Ordering::Relaxed) + 1;
        entry.seq = seq;
        lock(&self.entries).push(entry);
        seq
    }
    fn update(&self, seq: u64, f: impl FnOnce(&mut RecordedRequest)) {
        if let Some(e) = lock(&self.entries).iter_mut().find(|e| e.seq == seq) {
            f(e);
        }
    }
    pub fn all(&self) -> Vec<RecordedRequest> {
        lock(&self.entries).clone()
    }
    pub fn clear(&self) {
        lock(&self.entries).clear();
    }
}

/// Put into every recorded request's extensions so a handler can attach what it parsed.
#[derive(Debug, Clone)]
pub struct RecordHandle {
    recorder: Recorder,
    seq: u64,
}

impl RecordHandle {
    /// Attach `detail` to the recorded request; object fields are merged into what an
    /// earlier annotation of the same request left (a later step adds, never erases).
    pub fn annotate(&self, detail: Value) {
        self.recorder.update(self.seq, |e| match (e.detail.as_mut(), detail) {
            (Some(Value::Object(old)), Value::Object(new)) => old.extend(new),
            (_, detail) => e.detail = Some(detail),
        });
    }
}

// ---------------------------------------------------------------------------------------
// SimControl: the shared state and the /__sim router
// ---------------------------------------------------------------------------------------

type ResetHook = Arc<dyn Fn() + Send + Sync>;

/// Faults, recorder and clock of one simulator server. Cloning shares everything.
#[derive(Clone, Default)]
pub struct SimControl {
    pub faults: Faults,
    pub recorder: Recorder,
    pub clock: Clock,
    reset_hooks: Arc<Mutex<Vec<ResetHook>>>,
}

impl SimControl {
    /// Run `hook` on `POST /__sim/reset` (for a simulator's own state: sessions, caches).
    pub fn on_reset(&self, hook: impl Fn() + Send + Sync + 'static) {
        lock(&self.reset_hooks).push(Arc::new(hook));
    }

    pub fn reset(&self) {
        self.faults.clear();
        self.recorder.clear();
        self.clock.set_system();
        let hooks = lock(&self.reset_hooks).clone();
        for hook in hooks {
            hook();
        }
    }

    /// Record and fault `app`'s routes and add the `/__sim/*` control routes.
    pub fn wrap(&self, app: Router) -> Router {
        let app = app.layer(middleware::from_fn_with_state(self.clone(), record_and_fault));
        app.merge(self.router())
    }

    /// The `/__sim/*` routes alone.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/__sim/faults", post(add_fault).get(list_faults).delete(clear_faults))
            .route("/__sim/faults/{id}", axum::routing::delete(delete_fault))
            .route("/__sim/requests", get(list_requests).delete(clear_requests))
            .route("/__sim/reset", post(reset))
            .route("/__sim/clock", post(set_clock).get(get_clock))
            .with_state(self.clone())
    }
}

/// `downtime_window` accepts either absolute `from`/`to` or a relative `seconds` (from now),
/// which is turned into absolute times here so the window does not move.
async fn add_fault(State(sim): State<SimControl>, Json(mut spec): Json<FaultSpec>) -> Response {
    if spec.kind == "downtime_window" {
        let now = sim.clock.now();
        if let Some(secs) = spec.param_u64("seconds") {
            let to = now + chrono::Duration::seconds(secs as i64);
            spec.params = serde_json::json!({ "from": now.to_rfc3339(), "to": to.to_rfc3339() });
        }
        if window(&spec).is_none() {
            let msg = "downtime_window needs params.from and params.to (RFC 3339) or params.seconds";
            return (StatusCode::BAD_REQUEST, msg).into_response();
        }
    }
    let id = sim.faults.add(spec);
    (StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response()
}

async fn list_faults(State(sim): State<SimControl>) -> Json<Vec<FaultRule>> {
    Json(sim.faults.list())
}

async fn clear_faults(State(sim): State<SimControl>) -> StatusCode {
    sim.faults.clear();
    StatusCode::NO_CONTENT
}

async fn delete_fault(State(sim): State<SimControl>, axum::extract::Path(id): axum::extract::Path<u64>) -> StatusCode {
    if sim.faults.remove(id) { StatusCode::NO_CONTENT } else { StatusCode::NOT_FOUND }
}

#[derive(Deserialize)]
struct RequestFilter {
    path: Option<String>,
}

async fn list_requests(State(sim): State<SimControl>, Query(f): Query<RequestFilter>) -> Json<Vec<RecordedRequest>> {
    let all = sim.recorder.all();
    Json(match f.path {
        Some(p) => all.into_iter().filter(|r| r.path.starts_with(&p)).collect(),
        None => all,
    })
}

async fn clear_requests(State(sim): State<SimControl>) -> StatusCode {
    sim.recorder.clear();
    StatusCode::NO_CONTENT
}

async fn reset(State(sim): State<SimControl>) -> StatusCode {
    sim.reset();
    StatusCode::NO_CONTENT
}

/// `{"now": "<RFC 3339>"}` freezes, `{"offset_seconds": N}` shifts, `{}` returns to the system clock.
#[derive(Deserialize)]
struct ClockRequest {
    now: Option<DateTime<Utc>>,
    offset_seconds: Option<i64>,
}

async fn set_clock(State(sim): State<SimControl>, Json(req): Json<ClockRequest>) -> Json<Value> {
    match (req.now, req.offset_seconds) {
        (Some(t), _) => sim.clock.set_fixed(t),
        (None, Some(s)) => sim.clock.set_offset(s),
        (None, None) => sim.clock.set_system(),
    }
    Json(serde_json::json!({ "now": sim.clock.now().to_rfc3339() }))
}

async fn get_clock(State(sim): State<SimControl>) -> Json<Value> {
    Json(serde_json::json!({ "now": sim.clock.now().to_rfc3339() }))
}

/// What an unavailable front proxy answers: an HTML page, not the service's own format.
fn unavailable_page() -> Response {
    let body = "<!doctype html><html lang=\"da\"><head><meta charset=\"utf-8\"><title>503 Service Unavailable</title>\
                </head><body><h1>Tjenesten er midlertidigt utilgængelig</h1><p>Prøv igen senere.</p></body></html>";
    let mut resp = (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    resp
}

async fn record_and_fault(State(sim): State<SimControl>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_RECORDED_BODY).await.unwrap_or_default();
    let path = parts.uri.path().to_owned();
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let seq = sim.recorder.push(RecordedRequest {
        seq: 0,
        at: sim.clock.now(),
        method: parts.method.to_string(),
        path: path.clone(),
        query: parts.uri.query().map(str::to_owned),
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        status: None,
        detail: None,
    });
    parts.extensions.insert(RecordHandle { recorder: sim.recorder.clone(), seq });

    let response = if sim.faults.in_downtime(&path, sim.clock.now()) || sim.faults.take("down", &path, None).is_some() {
        unavailable_page()
    } else if let Some(f) = sim.faults.take("http_status", &path, None) {
        let status = f.param_u64("status").and_then(|s| StatusCode::from_u16(s as u16).ok());
        let body = f.param_str("body").unwrap_or_default().to_owned();
        (status.unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), body).into_response()
    } else {
        if let Some(f) = sim.faults.take("delay_ms", &path, None) {
            tokio::time::sleep(Duration::from_millis(f.param_u64("ms").unwrap_or(5_000))).await;
        }
        next.run(Request::from_parts(parts, Body::from(bytes))).await
    };
    let status = response.status().as_u16();
    sim.recorder.update(seq, |e| e.status = Some(status));
    response
}
