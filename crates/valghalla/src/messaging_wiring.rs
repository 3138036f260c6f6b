//! A tenant's message channels (`[tenants.X.messaging]`): Digital Post over
//! SF1601, e-mail over SMTP and SMS through the gateway, each optional. A
//! channel left out is skipped by delivery as "not set up", so the next one
//! in the election's order takes the message.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use domain::delivery::{Channel, Deadlines, parse_deadline};
use domain::{Email, MessageKind};
use integrations::messaging::Transport;
use integrations::messaging::digital_post::{MemoSender, Sf1601Client, Sf1601Config};
use integrations::messaging::email::{EmailClient, EmailConfig, SmtpSecurity};
use integrations::messaging::pacing::paced;
use integrations::messaging::sms::{SmsClient, SmsConfig};
use integrations::resilience::Settings;
use jobs::delivery::{Messaging, TemplateComposer};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use store::tenants::Tenant;

use crate::cpr_wiring::RemoteEntry;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagingConfig {
    pub digital_post: Option<DigitalPostEntry>,
    pub email: Option<EmailEntry>,
    pub sms: Option<SmsEntry>,
    /// Addresses the Beskedfordeler pushes Digital Post receipts from.
    #[serde(default)]
    pub receipt_senders: Vec<IpAddr>,
    /// How long a message of a kind may take in all ("invitation" = "48h");
    /// a kind not named keeps its default (`domain::delivery::deadline`).
    #[serde(default)]
    pub deadlines: BTreeMap<String, String>,
}

/// SF1601: the STS issue URL and Serviceplatformen (with the organisation
/// certificate in `service`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigitalPostEntry {
    pub sts_endpoint: String,
    pub service: RemoteEntry,
    /// The sender as citizens see it; default the tenant's name.
    pub sender_label: Option<String>,
    /// Ask PostForespoerg first, so the unregistered go to the next channel.
    #[serde(default = "yes")]
    pub check_registration: bool,
    /// Letters a second at most from this process; none: no limit.
    pub max_per_second: Option<f64>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailEntry {
    pub host: String,
    pub port: u16,
    /// "starttls" (default), "tls" or "plain" (a relay on this host only).
    #[serde(default)]
    pub security: Option<String>,
    pub user: Option<String>,
    pub password: Option<SecretString>,
    pub from_name: String,
    pub from_address: String,
    pub hello_name: Option<String>,
    /// E-mails a second at most from this process; none: no limit.
    pub max_per_second: Option<f64>,
    #[serde(default)]
    pub resilience: Settings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsEntry {
    pub base_url: String,
    pub username: String,
    pub password: SecretString,
    pub sender_alias: String,
    /// SMS a second at most from this process (each process keeps its own
    /// pace); the gateway answers more with 429.
    #[serde(default = "sms_per_second")]
    pub max_per_second: f64,
    #[serde(default)]
    pub resilience: Settings,
}

/// The gateway publishes no limit; ten a second sends an election's SMS
/// fallbacks in minutes and stays clear of a cautious gateway.
fn sms_per_second() -> f64 {
    10.0
}

impl MessagingConfig {
    /// The problems with this entry, as (field, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut problems = self.rate_problems();
        if let Some(email) = &self.email {
            if Email::parse(&email.from_address).is_err() {
                problems.push(("messaging.email.from_address".into(), "not an e-mail address".into()));
            }
            if security(email.security.as_deref()).is_none() {
                problems.push(("messaging.email.security".into(), "use \"starttls\", \"tls\" or \"plain\"".into()));
            }
        }
        problems.extend(self.deadlines().err().unwrap_or_default());
        problems
    }

    /// The deadlines, or what is wrong with them as (field, message).
    pub fn deadlines(&self) -> Result<Deadlines, Vec<(String, String)>> {
        let mut deadlines = Deadlines::default();
        let mut problems = Vec::new();
        for (key, text) in &self.deadlines {
            let field = format!("messaging.deadlines.{key}");
            let Ok(kind) = MessageKind::parse(key) else {
                let kinds: Vec<&str> = MessageKind::ALL.iter().map(|k| k.as_str()).collect();
                problems.push((field, format!("not a message kind; use one of {}", kinds.join(", "))));
                continue;
            };
            match parse_deadline(text) {
                Ok(deadline) => deadlines = deadlines.with(kind, deadline),
                Err(e) => problems.push((field, e.to_string())),
            }
        }
        if problems.is_empty() { Ok(deadlines) } else { Err(problems) }
    }
}

impl MessagingConfig {
    fn rate_problems(&self) -> Vec<(String, String)> {
        let rates = [
            ("digital_post", self.digital_post.as_ref().and_then(|e| e.max_per_second)),
            ("email", self.email.as_ref().and_then(|e| e.max_per_second)),
            ("sms", self.sms.as_ref().map(|e| e.max_per_second)),
        ];
        rates
            .into_iter()
            .filter(|(_, rate)| rate.is_some_and(|r| !(r.is_finite() && r > 0.0)))
            .map(|(channel, _)| (format!("messaging.{channel}.max_per_second"), "must be above 0".into()))
            .collect()
    }
}

fn security(value: Option<&str>) -> Option<SmtpSecurity> {
    match value.unwrap_or("starttls") {
        "starttls" => Some(SmtpSecurity::StartTls),
        "tls" => Some(SmtpSecurity::ImplicitTls),
        "plain" => Some(SmtpSecurity::Plain),
        _ => None,
    }
}

/// The tenant's channels, ready for delivery; `None` when none is set up
/// (then messages wait in the queue rather than fail for want of a channel).
pub fn build(
    config: &MessagingConfig,
    tenant: &Arc<Tenant>,
    portal_url: &str,
    base_dir: &Path,
) -> anyhow::Result<Option<Messaging>> {
    let mut transports: HashMap<Channel, Arc<dyn Transport>> = HashMap::new();
    if let Some(entry) = &config.digital_post {
        let client = Arc::new(digital_post(entry, tenant, base_dir)?);
        transports.insert(Channel::DigitalPost, paced(client, entry.max_per_second));
    }
    if let Some(entry) = &config.email {
        transports.insert(Channel::Email, paced(Arc::new(email(entry, tenant)?), entry.max_per_second));
    }
    if let Some(entry) = &config.sms {
        let sms = SmsConfig {
            base_url: entry.base_url.clone(),
            username: entry.username.clone(),
            password: entry.password.expose_secret().to_owned(),
            sender_alias: entry.sender_alias.clone(),
            tenant: Some(tenant.key.clone()),
            settings: entry.resilience.clone(),
        };
        let client = Arc::new(SmsClient::new(sms).context("building the SMS client")?);
        transports.insert(Channel::Sms, paced(client, Some(entry.max_per_second)));
    }
    if transports.is_empty() {
        return Ok(None);
    }
    let composer = TemplateComposer { tenant: tenant.clone(), portal_url: portal_url.trim_end_matches('/').to_owned() };
    let deadlines = config.deadlines().map_err(|problems| {
        let (field, message) = &problems[0];
        anyhow::anyhow!("{field}: {message}")
    })?;
    Ok(Some(Messaging { transports, vault: tenant.vault.clone(), composer: Arc::new(composer), deadlines }))
}

fn digital_post(entry: &DigitalPostEntry, tenant: &Tenant, base_dir: &Path) -> anyhow::Result<Sf1601Client> {
    let identity = entry
        .service
        .identity(base_dir, "Digital Post")?
        .context("Digital Post needs the organisation certificate (client_cert/client_key or client_p12)")?;
    let label = entry.sender_label.clone().unwrap_or_else(|| tenant.name.clone());
    let sender = MemoSender { cvr: tenant.cvr.clone(), label };
    let mut config = Sf1601Config::new(&entry.sts_endpoint, &entry.service.endpoint, sender, identity);
    config.trusted_roots = entry.service.trusted_roots(base_dir, "Digital Post")?;
    config.check_registration = entry.check_registration;
    config.tenant = Some(tenant.key.clone());
    config.settings = entry.service.resilience.clone();
    Sf1601Client::new(config).context("building the Digital Post client")
}

fn email(entry: &EmailEntry, tenant: &Tenant) -> anyhow::Result<EmailClient> {
    let from_address = Email::parse(&entry.from_address).map_err(|e| anyhow::anyhow!("from_address: {e}"))?;
    let credentials = match (&entry.user, &entry.password) {
        (Some(user), Some(password)) => Some((user.clone(), password.expose_secret().to_owned())),
        _ => None,
    };
    let config = EmailConfig {
        host: entry.host.clone(),
        port: entry.port,
        security: security(entry.security.as_deref()).context("messaging.email.security")?,
        credentials,
        from_name: entry.from_name.clone(),
        from_address,
        reply_to: None,
        trusted_roots: None,
        hello_name: entry.hello_name.clone(),
        tenant: Some(tenant.key.clone()),
        settings: entry.resilience.clone(),
    };
    EmailClient::new(config).context("building the e-mail client")
}
