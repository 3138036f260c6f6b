//! A tiny local HTTP stub for the CPR client tests: it answers every request
//! with the next scripted reply (or the default one) and records what it got.
//! Test code only — not a simulator: it knows nothing of the wire format and
//! serves the hand-written fixture bytes it is given.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

/// What the stub answers.
#[derive(Debug, Clone)]
pub enum Reply {
    Respond {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// Waits, then answers.
    Delay(Duration, Box<Reply>),
}

impl Reply {
    /// A SOAP answer (HTTP 200) with a fixture's bytes.
    pub fn soap(body: Vec<u8>) -> Reply {
        Reply::status(200, body)
    }

    /// A SOAP fault: HTTP 500, as SOAP 1.1 sends faults.
    pub fn soap_fault(body: Vec<u8>) -> Reply {
        Reply::status(500, body)
    }

    pub fn status(status: u16, body: Vec<u8>) -> Reply {
        Reply::Respond { status, content_type: "text/xml; charset=utf-8", body }
    }

    /// A JSON answer (Datafordeleren).
    pub fn json(status: u16, body: Vec<u8>) -> Reply {
        Reply::Respond { status, content_type: "application/json; charset=utf-8", body }
    }

    pub fn html(status: u16, body: Vec<u8>) -> Reply {
        Reply::Respond { status, content_type: "text/html; charset=utf-8", body }
    }

    pub fn delayed(self, by: Duration) -> Reply {
        Reply::Delay(by, Box::new(self))
    }
}

/// One request the stub received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: String,
}

#[derive(Debug)]
struct Script {
    next: VecDeque<Reply>,
    default: Reply,
    received: Vec<Received>,
}

#[derive(Clone)]
pub struct Stub {
    pub addr: SocketAddr,
    scheme: &'static str,
    script: Arc<Mutex<Script>>,
}

impl Stub {
    pub async fn start(default: Reply) -> Stub {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Stub::serve(listener, default, "http")
    }

    /// Serves on any listener (e.g. one that speaks TLS).
    pub fn serve<L>(listener: L, default: Reply, scheme: &'static str) -> Stub
    where
        L: axum::serve::Listener<Addr = SocketAddr>,
    {
        let script = Arc::new(Mutex::new(Script { next: VecDeque::new(), default, received: Vec::new() }));
        let app = Router::new().fallback(answer).with_state(script.clone());
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Stub { addr, scheme, script }
    }

    /// The SF1520 endpoint URL on this stub.
    pub fn endpoint(&self) -> String {
        format!("{}://{}/service/CPR/PersonBaseDataExtended/5", self.scheme, self.addr)
    }

    /// The Datafordeleren method URL on this stub.
    pub fn datafordeleren_endpoint(&self) -> String {
        format!("{}://{}/CPR/CprPersonFullSimple/1/REST/PersonFullListSimple", self.scheme, self.addr)
    }

    /// Answers the next request with `reply` (before falling back to the default).
    pub fn then(&self, reply: Reply) -> &Self {
        self.script.lock().unwrap().next.push_back(reply);
        self
    }

    pub fn set_default(&self, reply: Reply) {
        self.script.lock().unwrap().default = reply;
    }

    pub fn received(&self) -> Vec<Received> {
        self.script.lock().unwrap().received.clone()
    }

    pub fn hits(&self) -> usize {
        self.script.lock().unwrap().received.len()
    }
}

async fn answer(
    State(script): State<Arc<Mutex<Script>>>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let reply = {
        let mut script = script.lock().unwrap();
        script.received.push(Received {
            method: method.to_string(),
            path: uri.path().to_owned(),
            query: uri.query().map(str::to_owned),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        let default = script.default.clone();
        script.next.pop_front().unwrap_or(default)
    };
    let mut reply = reply;
    loop {
        match reply {
            Reply::Delay(by, inner) => {
                tokio::time::sleep(by).await;
                reply = *inner;
            }
            Reply::Respond { status, content_type, body } => {
                return Response::builder()
                    .status(StatusCode::from_u16(status).unwrap())
                    .header(header::CONTENT_TYPE, content_type)
                    .body(Body::from(body))
                    .unwrap();
            }
        }
    }
}

/// An address on which nothing listens: connecting is refused.
pub async fn refused_endpoint() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/service/CPR/PersonBaseDataExtended/5")
}
