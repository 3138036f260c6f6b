//! SMTP sink simulator (integrations reference §9, §11.9): a small tokio SMTP server that
//! accepts mail (EHLO/HELO, STARTTLS, AUTH PLAIN/LOGIN, MAIL FROM, RCPT TO, DATA, RSET,
//! NOOP, QUIT) and records every accepted message. It is plain SMTP (optionally offering
//! STARTTLS) or implicit TLS, with the committed test certificate (`fixtures/tls`).
//!
//! The control API (`/__sim/*`) is served over HTTP on a port of its own. Accepted
//! messages appear in `GET /__sim/requests` (method `DATA`, path `/smtp/message`, the
//! MIME text as body) and in `GET /__sim/smtp/messages`. Faults (see the README) are
//! addressed by stage through the rule's `path`: `/smtp/connect`, `/smtp/ehlo`,
//! `/smtp/mail`, `/smtp/rcpt`, `/smtp/data`, `/smtp/message` (after the final dot); `key`
//! is the recipient at `rcpt` and `message`. Kinds: `reply` (`params.code`, `params.text`),
//! `drop` (close without answering; at `message` the message is kept first, the lost-answer
//! case), `stall` (never answer), and the shared `down` /
//! `downtime_window` (421 at connect) and `delay_ms` (before the greeting).

mod session;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::control::SimControl;
use crate::cpr::tls_fixtures;

/// How clients reach the SMTP port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmtpSecurity {
    /// Plain SMTP, no STARTTLS offered.
    #[default]
    Plain,
    /// Plain SMTP offering STARTTLS; MAIL is refused (530) before it.
    StartTls,
    /// TLS from the first byte (SMTPS, port 465 in production).
    ImplicitTls,
}

#[derive(Debug, Clone, Default)]
pub struct SmtpSimConfig {
    pub security: SmtpSecurity,
    /// `(user, password)` AUTH PLAIN/LOGIN must present before MAIL; `None`: no AUTH.
    pub credentials: Option<(String, String)>,
}

/// One message the sink accepted.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SmtpMessage {
    pub at: DateTime<Utc>,
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The `Message-ID` header, without angle brackets.
    pub message_id: Option<String>,
    /// The MIME text as received, dot-unstuffed.
    pub data: String,
    pub tls: bool,
    pub authenticated_as: Option<String>,
}

pub(crate) struct SmtpState {
    control: SimControl,
    config: SmtpSimConfig,
    tls: Option<TlsAcceptor>,
    messages: Mutex<Vec<SmtpMessage>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running SMTP sink; dropping it stops both ports.
pub struct SmtpSimHandle {
    /// `smtp://127.0.0.1:<port>` (or `smtps://` for implicit TLS).
    pub smtp_url: String,
    pub smtp_addr: SocketAddr,
    /// `http://127.0.0.1:<port>`: the `/__sim/*` control API.
    pub control_url: String,
    pub control: SimControl,
    state: Arc<SmtpState>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl SmtpSimHandle {
    pub fn messages(&self) -> Vec<SmtpMessage> {
        lock(&self.state.messages).clone()
    }
}

impl Drop for SmtpSimHandle {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn acceptor() -> anyhow::Result<TlsAcceptor> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain =
        CertificateDer::pem_slice_iter(tls_fixtures::SERVER_CERT_PEM.as_bytes()).collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_slice(tls_fixtures::SERVER_KEY_PEM.as_bytes())?;
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

async fn messages(State(state): State<Arc<SmtpState>>) -> Json<Vec<SmtpMessage>> {
    Json(lock(&state.messages).clone())
}

pub struct SmtpSimulator;

impl SmtpSimulator {
    /// Both ports on 127.0.0.1, chosen by the system.
    pub async fn start(config: SmtpSimConfig) -> anyhow::Result<SmtpSimHandle> {
        Self::start_on("127.0.0.1:0", "127.0.0.1:0", config).await
    }

    pub async fn start_on(smtp_addr: &str, control_addr: &str, config: SmtpSimConfig) -> anyhow::Result<SmtpSimHandle> {
        let smtp = TcpListener::bind(smtp_addr).await?;
        let smtp_addr = smtp.local_addr()?;
        let http = TcpListener::bind(control_addr).await?;
        let control_url = format!("http://{}", http.local_addr()?);
        let control = SimControl::default();
        let tls = (config.security != SmtpSecurity::Plain).then(acceptor).transpose()?;
        let scheme = if config.security == SmtpSecurity::ImplicitTls { "smtps" } else { "smtp" };
        let state = Arc::new(SmtpState { control: control.clone(), config, tls, messages: Mutex::new(Vec::new()) });
        let weak = Arc::downgrade(&state);
        control.on_reset(move || {
            if let Some(state) = weak.upgrade() {
                lock(&state.messages).clear();
            }
        });
        let app = control
            .router()
            .merge(Router::new().route("/__sim/smtp/messages", get(messages)).with_state(state.clone()));
        let http_task = tokio::spawn(async move {
            if let Err(e) = axum::serve(http, app).await {
                tracing::warn!(error = %e, "SMTP simulator control port stopped");
            }
        });
        let smtp_task = tokio::spawn(session::accept_loop(smtp, state.clone()));
        Ok(SmtpSimHandle {
            smtp_url: format!("{scheme}://{smtp_addr}"),
            smtp_addr,
            control_url,
            control,
            state,
            tasks: vec![http_task, smtp_task],
        })
    }
}
