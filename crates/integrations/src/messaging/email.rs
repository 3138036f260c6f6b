//! E-mail over SMTP with `lettre` (reference integrations.md §9): STARTTLS, implicit TLS
//! (SMTPS) or plain (local relays and the simulator), optional AUTH, HTML with a plain-text
//! alternative, attachments.
//!
//! The `Message-ID` is `<message_id@sender domain>`, taken from the id fixed at queue
//! time, so a message sent again after an unknown outcome (the connection dropped after
//! DATA) is recognisable as the same message by the recipient's mail system and by us.
//!
//! A rejection (5xx) is the service working and saying no to this message, so it is a
//! success for the breaker and a [`SendError::Permanent`] for delivery; a 4xx, a timeout
//! or a broken connection is [`SendError::Temporary`].

use std::sync::Arc;

use async_trait::async_trait;
use domain::contact::Email;
use lettre::message::header::ContentType;
use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{Channel, Outgoing, SendError, Sent, Transport};
use crate::resilience::{CallError, HealthProbe, Idempotency, ProbeReport, Resilience, Settings, excerpt};

/// The integration's name in metrics and on the status page.
pub const INTEGRATION: &str = "email";

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS; refuses to go on without it (port 587).
    StartTls,
    /// TLS from the first byte (SMTPS, port 465).
    ImplicitTls,
    /// No TLS at all: only for a relay on the same host or the simulator.
    Plain,
}

/// Everything the client needs for one tenant.
#[derive(Clone)]
pub struct EmailConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// `(user, password)` for AUTH; `None`: the relay does not want it.
    pub credentials: Option<(String, String)>,
    /// The sender's display name (tenant `MailSender`).
    pub from_name: String,
    pub from_address: Email,
    pub reply_to: Option<Email>,
    /// PEM CA certificates to trust besides the platform's (a test CA).
    pub trusted_roots: Option<Vec<u8>>,
    /// The name given in EHLO (this server's host name); `None`: the address literal
    /// `[127.0.0.1]`, which RFC 5321 allows but strict relays may refuse.
    pub hello_name: Option<String>,
    pub tenant: Option<String>,
    pub settings: Settings,
}

/// Without the password.
impl std::fmt::Debug for EmailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .field("from_address", &self.from_address)
            .field("hello_name", &self.hello_name)
            .field("tenant", &self.tenant)
            .finish_non_exhaustive()
    }
}

/// Why the client could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailBuildError {
    #[error("settings: {0}")]
    Settings(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("afsenderadressen kan ikke bruges: {0}")]
    Sender(String),
}

/// The SMTP client.
#[derive(Clone)]
pub struct EmailClient {
    smtp: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    reply_to: Option<Mailbox>,
    resilience: Arc<Resilience>,
}

impl std::fmt::Debug for EmailClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailClient").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl EmailClient {
    pub fn new(config: EmailConfig) -> Result<Self, EmailBuildError> {
        let resilience = Arc::new(Resilience::new(INTEGRATION, config.tenant.as_deref(), config.settings.clone()));
        EmailClient::with_resilience(config, resilience)
    }

    pub fn with_resilience(config: EmailConfig, resilience: Arc<Resilience>) -> Result<Self, EmailBuildError> {
        config.settings.validate().map_err(EmailBuildError::Settings)?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .tls(tls(&config)?)
            .timeout(Some(config.settings.total_timeout));
        if let Some(name) = &config.hello_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let mailbox =
            |email: &Email, name: Option<String>| email.as_str().parse().map(|address| Mailbox::new(name, address));
        Ok(EmailClient {
            smtp: builder.build(),
            from: mailbox(&config.from_address, Some(config.from_name.clone()))
                .map_err(|e| EmailBuildError::Sender(e.to_string()))?,
            reply_to: config
                .reply_to
                .as_ref()
                .map(|r| mailbox(r, None))
                .transpose()
                .map_err(|e| EmailBuildError::Sender(e.to_string()))?,
            resilience,
        })
    }

    pub fn resilience(&self) -> &Arc<Resilience> {
        &self.resilience
    }

    fn compose(&self, message: &Outgoing, to: &Email) -> Result<Message, SendError> {
        let address = to.as_str().parse().map_err(|e| SendError::Permanent(format!("ugyldig e-mailadresse: {e}")))?;
        let domain = self.from.email.domain();
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(Some(message.recipient.name.clone()), address))
            .subject(message.subject.clone())
            .message_id(Some(format!("<{}@{domain}>", message.message_id)));
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(reply_to.clone());
        }
        let body = MultiPart::alternative_plain_html(message.text.clone(), message.html.clone());
        let built = if message.attachments.is_empty() {
            builder.multipart(body)
        } else {
            let mixed = message
                .attachments
                .iter()
                .fold(MultiPart::mixed().multipart(body), |mixed, a| mixed.singlepart(attachment(a)));
            builder.multipart(mixed)
        };
        built.map_err(|e| SendError::Permanent(format!("e-mailen kunne ikke bygges: {e}")))
    }

    /// One SMTP transaction. `Ok(Err(_))` is a rejection: the server answered.
    async fn attempt(&self, email: &Message) -> Result<Result<Sent, String>, CallError> {
        match self.smtp.send(email.clone()).await {
            Ok(response) => Ok(Ok(Sent { reference: response.message().next().map(excerpt) })),
            Err(e) if e.is_permanent() => Ok(Err(excerpt(&e.to_string()))),
            Err(e) => Err(self.classify(&e)),
        }
    }

    fn classify(&self, error: &lettre::transport::smtp::Error) -> CallError {
        if error.is_timeout() {
            return CallError::Timeout(self.resilience.settings().total_timeout);
        }
        match error.status() {
            Some(code) => CallError::Status { status: u16::from(code), detail: excerpt(&error.to_string()) },
            None => CallError::connect(chain(error)),
        }
    }
}

#[async_trait]
impl Transport for EmailClient {
    fn channel(&self) -> Channel {
        Channel::Email
    }

    async fn send(&self, message: &Outgoing) -> Result<Sent, SendError> {
        let Some(to) = &message.recipient.email else {
            return Err(SendError::Unreachable("ingen e-mailadresse".into()));
        };
        let email = self.compose(message, to)?;
        // One attempt: delivery retries with the same Message-ID.
        match self.resilience.call(Idempotency::NonIdempotent, || self.attempt(&email)).await {
            Ok(Ok(sent)) => Ok(sent),
            Ok(Err(rejection)) => Err(SendError::Permanent(format!("mailserveren afviste e-mailen: {rejection}"))),
            Err(error) => Err(SendError::Temporary(error)),
        }
    }
}

#[async_trait]
impl HealthProbe for EmailClient {
    fn integration(&self) -> &str {
        INTEGRATION
    }

    /// Connects, greets (EHLO, STARTTLS and AUTH as configured), sends NOOP and quits
    /// (reference §10.2); no mail is sent.
    async fn probe(&self) -> ProbeReport {
        let started = std::time::Instant::now();
        let attempt = || async {
            match self.smtp.test_connection().await {
                Ok(true) => Ok(()),
                Ok(false) => Err(CallError::connect("NOOP blev ikke besvaret")),
                Err(e) if e.is_permanent() => Err(CallError::fault(&code(&e), &e.to_string())),
                Err(e) => Err(self.classify(&e)),
            }
        };
        let (ok, detail) = match self.resilience.probe_call(attempt).await {
            Ok(()) => (true, "mailserveren svarede på EHLO og NOOP".to_owned()),
            Err(error) => (false, format!("mailserveren kunne ikke bruges: {error}")),
        };
        ProbeReport {
            integration: INTEGRATION.to_owned(),
            ok,
            checked_at: self.resilience.now(),
            latency: started.elapsed(),
            detail,
        }
    }
}

fn code(error: &lettre::transport::smtp::Error) -> String {
    error.status().map(|c| c.to_string()).unwrap_or_default()
}

fn tls(config: &EmailConfig) -> Result<Tls, EmailBuildError> {
    if config.security == SmtpSecurity::Plain {
        return Ok(Tls::None);
    }
    let mut parameters = TlsParameters::builder(config.host.clone());
    if let Some(pem) = &config.trusted_roots {
        let certificate = Certificate::from_pem(pem).map_err(|e| EmailBuildError::Tls(e.to_string()))?;
        parameters = parameters.add_root_certificate(certificate);
    }
    let parameters = parameters.build_rustls().map_err(|e| EmailBuildError::Tls(chain(&e)))?;
    Ok(match config.security {
        SmtpSecurity::ImplicitTls => Tls::Wrapper(parameters),
        _ => Tls::Required(parameters),
    })
}

fn attachment(file: &super::Attachment) -> SinglePart {
    let content_type = ContentType::parse(&file.content_type)
        .unwrap_or_else(|_| ContentType::parse("application/octet-stream").expect("a valid MIME type"));
    MimeAttachment::new(file.filename.clone()).body(file.bytes.clone(), content_type)
}

fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    excerpt(&text)
}
