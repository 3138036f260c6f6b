//! SMS gateway simulator (Computopic `smssys.dk`, integrations reference §8 and §11.8):
//! `POST /sms` with HTTP Basic auth, an `<sms>` document in, a `<status>` document with
//! one `<statusline>` per number out. Written from the reference alone; nothing is shared
//! with `integrations::messaging::sms`.
//!
//! Every accepted number is kept as a message (`GET /__sim/sms/messages`). A number can be
//! given a standing error code (`SmsSimConfig::refused`) or a keyed `refuse` fault. A
//! `messageid` already accepted for a number is answered with code 0 and not sent again.
//! Faults on top of the shared ones (see the README): `timeout`, `unauthorized`,
//! `empty_body`, `no_statuslines`, `malformed`, `refuse` (keyed by number), `rate_limit`.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::control::{RecordHandle, SimControl};
use crate::xml;

pub const SMS_PATH: &str = "/sms";

/// Configuration of one simulated gateway.
#[derive(Debug, Clone)]
pub struct SmsSimConfig {
    pub username: String,
    pub password: String,
    /// Numbers (as written in `<number>`, after `countrycode`) that always get this
    /// (code, description) instead of 0.
    pub refused: BTreeMap<String, (String, String)>,
    /// At most this many requests per second; more get 429.
    pub rate_limit_per_second: Option<u32>,
}

impl Default for SmsSimConfig {
    fn default() -> Self {
        let refused = BTreeMap::from([("99999999".to_owned(), ("3".to_owned(), "Ugyldigt nummer".to_owned()))]);
        Self { username: "valghalla".into(), password: "sms-hemmelighed".into(), refused, rate_limit_per_second: None }
    }
}

/// One SMS the gateway accepted.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SmsMessage {
    pub at: DateTime<Utc>,
    /// `countrycode` followed by the number, e.g. `4512345678` or `+4915112345678`.
    pub to: String,
    pub messageid: Option<String>,
    pub sender: String,
    pub text: String,
}

struct SmsState {
    control: SimControl,
    config: SmsSimConfig,
    messages: Mutex<Vec<SmsMessage>>,
    /// (messageid, number) pairs already accepted.
    seen: Mutex<HashSet<(String, String)>>,
    recent: Mutex<VecDeque<Instant>>,
    /// Requests answered 429.
    throttled: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the client sent, read leniently: missing and empty optional elements are the same.
struct SmsRequest {
    country_code: String,
    numbers: Vec<String>,
    message_id: Option<String>,
    sender: String,
    text: String,
}

fn read_request(body: &[u8]) -> Result<SmsRequest, String> {
    let text = std::str::from_utf8(body).map_err(|_| "body is not UTF-8".to_owned())?;
    let root = xml::parse(text).map_err(|e| format!("not XML: {e:#}"))?;
    if root.ns.is_some() || root.name != "sms" {
        return Err(format!("root element must be <sms> without namespace, got <{}>", root.name));
    }
    let field =
        |name: &str| root.children.iter().find(|c| c.ns.is_none() && c.name == name).map(|c| c.text.trim().to_owned());
    let numbers: Vec<String> =
        field("number").unwrap_or_default().split(',').map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).collect();
    if numbers.is_empty() {
        return Err("<number> is missing or empty".into());
    }
    Ok(SmsRequest {
        country_code: field("countrycode").unwrap_or_default(),
        numbers,
        message_id: field("messageid").filter(|m| !m.is_empty()),
        sender: field("senderalias").unwrap_or_default(),
        text: field("message").unwrap_or_default(),
    })
}

fn authorized(headers: &HeaderMap, config: &SmsSimConfig) -> bool {
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", config.username, config.password));
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .is_some_and(|v| v.trim() == expected)
}

fn xml_response(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml; charset=utf-8"));
    resp
}

fn status_document(lines: &[(String, String)]) -> String {
    let lines: String = lines
        .iter()
        .map(|(code, text)| {
            format!("<statusline><code>{}</code><description>{}</description></statusline>", code, xml::escape(text))
        })
        .collect();
    format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<status>{lines}</status>")
}

impl SmsState {
    fn rate_limited(&self) -> bool {
        let Some(limit) = self.config.rate_limit_per_second else { return false };
        let mut recent = lock(&self.recent);
        let now = Instant::now();
        while recent.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1)) {
            recent.pop_front();
        }
        if recent.len() >= limit as usize {
            self.throttled.fetch_add(1, Ordering::Relaxed);
            return true;
        }
        recent.push_back(now);
        false
    }

    /// The code and description for one number, recording the message when accepted.
    fn deliver(&self, request: &SmsRequest, number: &str) -> (String, String) {
        let to = format!("{}{}", request.country_code, number);
        let refused = self.control.faults.take("refuse", SMS_PATH, Some(&to)).map(|f| {
            (f.param_str("code").unwrap_or("3").to_owned(), f.param_str("description").unwrap_or("Afvist").to_owned())
        });
        if let Some(line) = refused.or_else(|| self.config.refused.get(number).cloned()) {
            return line;
        }
        if let Some(id) = &request.message_id
            && !lock(&self.seen).insert((id.clone(), to.clone()))
        {
            return ("0".into(), format!("Dublet af messageid {id}; ikke sendt igen"));
        }
        lock(&self.messages).push(SmsMessage {
            at: self.control.clock.now(),
            to,
            messageid: request.message_id.clone(),
            sender: request.sender.clone(),
            text: request.text.clone(),
        });
        ("0".into(), "OK".into())
    }
}

async fn send(
    State(state): State<Arc<SmsState>>,
    Extension(record): Extension<RecordHandle>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let faults = &state.control.faults;
    if state.rate_limited() {
        return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")], "Too many requests").into_response();
    }
    if faults.take("unauthorized", SMS_PATH, None).is_some() || !authorized(&headers, &state.config) {
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Basic realm=\"smssys\"")]).into_response();
    }
    if faults.take("timeout", SMS_PATH, None).is_some() {
        // Accept and never answer; the client gives up.
        std::future::pending::<()>().await;
    }
    let request = match read_request(&body) {
        Ok(r) => r,
        Err(e) => return xml_response(StatusCode::BAD_REQUEST, status_document(&[("1".into(), e)])),
    };
    if faults.take("empty_body", SMS_PATH, None).is_some() {
        return xml_response(StatusCode::OK, String::new());
    }
    if faults.take("no_statuslines", SMS_PATH, None).is_some() {
        return xml_response(StatusCode::OK, status_document(&[]));
    }
    let lines: Vec<_> = request.numbers.iter().map(|n| state.deliver(&request, n)).collect();
    record.annotate(
        serde_json::json!({ "numbers": request.numbers, "codes": lines.iter().map(|l| &l.0).collect::<Vec<_>>() }),
    );
    let document = status_document(&lines);
    if faults.take("malformed", SMS_PATH, None).is_some() {
        // Sent, but the answer is cut: the client cannot know the outcome.
        return xml_response(StatusCode::OK, document[..document.len() / 2].to_owned());
    }
    xml_response(StatusCode::OK, document)
}

async fn messages(State(state): State<Arc<SmsState>>) -> Json<Vec<SmsMessage>> {
    Json(lock(&state.messages).clone())
}

/// A running SMS gateway simulator; dropping it stops the server.
pub struct SmsSimHandle {
    /// `http://127.0.0.1:<port>/` — the gateway base URL (ends with `/`, as the reference says).
    pub base_url: String,
    pub addr: SocketAddr,
    pub control: SimControl,
    state: Arc<SmsState>,
    task: tokio::task::JoinHandle<()>,
}

impl SmsSimHandle {
    /// Every SMS accepted so far, oldest first.
    pub fn messages(&self) -> Vec<SmsMessage> {
        lock(&self.state.messages).clone()
    }

    /// Requests refused with 429 by the rate limit so far.
    pub fn throttled(&self) -> usize {
        self.state.throttled.load(Ordering::Relaxed)
    }
}

impl Drop for SmsSimHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub struct SmsSimulator;

impl SmsSimulator {
    pub async fn start(config: SmsSimConfig) -> anyhow::Result<SmsSimHandle> {
        Self::start_on("127.0.0.1:0", config).await
    }

    pub async fn start_on(addr: &str, config: SmsSimConfig) -> anyhow::Result<SmsSimHandle> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let control = SimControl::default();
        let state = Arc::new(SmsState {
            control: control.clone(),
            config,
            messages: Mutex::new(Vec::new()),
            seen: Mutex::new(HashSet::new()),
            recent: Mutex::new(VecDeque::new()),
            throttled: AtomicUsize::new(0),
        });
        let weak = Arc::downgrade(&state);
        control.on_reset(move || {
            if let Some(state) = weak.upgrade() {
                lock(&state.messages).clear();
                lock(&state.seen).clear();
                lock(&state.recent).clear();
                state.throttled.store(0, Ordering::Relaxed);
            }
        });
        let app = Router::new().route(SMS_PATH, post(send)).with_state(state.clone());
        let inspect = Router::new().route("/__sim/sms/messages", get(messages)).with_state(state.clone());
        let app = control.wrap(app).merge(inspect);
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!(error = %e, "SMS simulator stopped");
            }
        });
        Ok(SmsSimHandle { base_url: format!("http://{addr}/"), addr, control, state, task })
    }
}
