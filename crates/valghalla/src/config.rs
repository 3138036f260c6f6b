//! Configuration: a TOML file plus `VALGHALLA_…` environment overrides (`__`
//! nests, e.g. `VALGHALLA_TENANTS__KORSBAEK__DATABASE_URL`).
//!
//! Each tenant is checked on its own, so a broken entry is reported with its
//! tenant and field and skipped while the others still serve.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use domain::{AdminRole, Cvr, MunicipalityCode};
use figment::Figment;
use figment::providers::{Env, Format, Toml};
use figment::value::Value;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::cpr_wiring::CprConfig;

/// The whole file, with tenants still unchecked.
#[derive(Debug, Deserialize)]
pub struct RawConfig {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub tenants: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// `/metrics` and `/health/*` also on a separate listener, for operators.
    #[serde(default)]
    pub ops_listen: Option<SocketAddr>,
    #[serde(default)]
    pub log_format: LogFormat,
    /// Run the job runner inside `serve` (the default) or only in `worker`.
    #[serde(default = "yes")]
    pub run_jobs: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig { listen: default_listen(), ops_listen: None, log_format: LogFormat::default(), run_jobs: true }
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Json,
    Pretty,
}

/// One tenant's entry as written in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTenant {
    name: String,
    #[serde(deserialize_with = "text_or_number")]
    cvr: String,
    #[serde(deserialize_with = "text_or_number")]
    municipality_code: String,
    admin_host: String,
    portal_host: String,
    database_url: String,
    /// 32 bytes as 64 hex digits: encrypts CPR numbers at rest and keys their hash.
    cpr_key: SecretString,
    /// Public base URLs (scheme, host, port) of the admin app and the portal,
    /// from which the SAML endpoints are made; default `https://{host}`.
    #[serde(default)]
    admin_url: Option<String>,
    #[serde(default)]
    portal_url: Option<String>,
    /// FK Adgangsstyring, for the admin app.
    #[serde(default)]
    identity_provider: Option<IdentityProvider>,
    /// NemLog-in, for the portal and the admins' MitID (link and fallback).
    #[serde(default)]
    portal_identity_provider: Option<PortalIdentityProvider>,
    /// FK privilege URI → role (`administrator`, `secretariat`, `reader`).
    #[serde(default)]
    roles: BTreeMap<String, String>,
    #[serde(default)]
    sessions: Sessions,
    /// A MitID fallback sign-in grants the last FK roles only if FK granted
    /// them within this many days.
    #[serde(default = "thirty")]
    fallback_max_role_age_days: i64,
    /// The CPR providers, asked in order (`[tenants.X.cpr]`).
    #[serde(default)]
    cpr: CprConfig,
    /// The message channels (`[tenants.X.messaging]`).
    #[serde(default)]
    messaging: crate::messaging_wiring::MessagingConfig,
}

fn thirty() -> i64 {
    30
}

/// Where admins sign in: FK Adgangsstyring. `serve` refuses a tenant
/// without one, and one whose metadata has no signing certificate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityProvider {
    /// The IdP's metadata: a file (relative to the configuration file) or an
    /// `https://` URL, fetched at startup.
    pub metadata: String,
    /// Our entity ID; default `{admin_url}/admin/saml/metadata`.
    #[serde(default)]
    pub entity_id: Option<String>,
    /// Our signing key and certificate (PEM files); FK also encrypts to it.
    pub signing_key: String,
    pub signing_cert: String,
}

/// Where participants (and admins, for MitID) sign in: NemLog-in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalIdentityProvider {
    pub metadata: String,
    /// The portal SP's entity ID; default `{portal_url}/saml/metadata`.
    #[serde(default)]
    pub entity_id: Option<String>,
    /// The admin app's NemLog-in SP (linking MitID, fallback sign-in);
    /// default `{admin_url}/admin/saml/mitid/metadata`.
    #[serde(default)]
    pub admin_entity_id: Option<String>,
    pub signing_key: String,
    pub signing_cert: String,
    /// NemLog-in encrypts assertions to this certificate.
    pub encryption_key: String,
    pub encryption_cert: String,
}

/// Idle timeouts of the sessions, in minutes.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Sessions {
    #[serde(default = "sixty")]
    pub admin_idle_minutes: i64,
    #[serde(default = "sixty")]
    pub portal_idle_minutes: i64,
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions { admin_idle_minutes: 60, portal_idle_minutes: 60 }
    }
}

fn sixty() -> i64 {
    60
}

/// A tenant entry that passed every check.
#[derive(Debug)]
pub struct TenantConfig {
    pub key: String,
    pub name: String,
    pub cvr: Cvr,
    pub municipality: MunicipalityCode,
    pub admin_host: String,
    pub portal_host: String,
    pub database_url: String,
    pub cpr_key: [u8; 32],
    pub identity_provider: Option<IdentityProvider>,
    /// Everything else about signing in (see `crate::saml`).
    pub sign_in: SignIn,
    pub cpr: CprConfig,
    pub messaging: crate::messaging_wiring::MessagingConfig,
}

/// A tenant's sign-in settings beyond the FK metadata.
#[derive(Debug, Clone)]
pub struct SignIn {
    /// `https://{admin_host}` unless configured.
    pub admin_url: String,
    pub portal_url: String,
    pub portal_identity_provider: Option<PortalIdentityProvider>,
    pub roles: BTreeMap<String, AdminRole>,
    pub sessions: Sessions,
    pub fallback_max_role_age_days: i64,
    /// Relative file paths in the entry are relative to this directory (the
    /// configuration file's).
    pub base_dir: PathBuf,
}

impl Default for SignIn {
    fn default() -> Self {
        SignIn {
            admin_url: String::new(),
            portal_url: String::new(),
            portal_identity_provider: None,
            roles: BTreeMap::new(),
            sessions: Sessions::default(),
            fallback_max_role_age_days: 30,
            base_dir: PathBuf::from("."),
        }
    }
}

/// One problem in the file, located by tenant and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub tenant: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.tenant, &self.field) {
            (Some(t), Some(field)) => write!(f, "tenant \"{t}\", field \"{field}\": {}", self.message),
            (Some(t), None) => write!(f, "tenant \"{t}\": {}", self.message),
            (None, Some(field)) => write!(f, "field \"{field}\": {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

/// The checked configuration: good tenants, and the errors of the bad ones.
#[derive(Debug)]
pub struct Config {
    pub server: ServerConfig,
    pub tenants: Vec<TenantConfig>,
    pub errors: Vec<ConfigError>,
}

/// Reads the file and the environment. A file that cannot be read or whose
/// `[server]` part is wrong is an error; a bad tenant is only recorded.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    if !path.exists() {
        return Err(ConfigError { tenant: None, field: None, message: format!("{} does not exist", path.display()) });
    }
    let figment = Figment::new().merge(Toml::file(path)).merge(Env::prefixed("VALGHALLA_").split("__"));
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    from_figment_in(figment, &base_dir)
}

#[cfg(test)]
pub fn from_figment(figment: Figment) -> Result<Config, ConfigError> {
    from_figment_in(figment, Path::new("."))
}

/// As [`from_figment`], with relative paths in tenant entries taken from `base_dir`.
pub fn from_figment_in(figment: Figment, base_dir: &Path) -> Result<Config, ConfigError> {
    let raw: RawConfig = figment.extract().map_err(|e| figment_error(None, e))?;
    let mut tenants = Vec::new();
    let mut errors = Vec::new();
    for (key, value) in raw.tenants {
        match check_tenant(&key, value, base_dir) {
            Ok(t) => tenants.push(t),
            Err(mut errs) => errors.append(&mut errs),
        }
    }
    check_unique_hosts(&mut tenants, &mut errors);
    Ok(Config { server: raw.server, tenants, errors })
}

fn check_tenant(key: &str, value: Value, base_dir: &Path) -> Result<TenantConfig, Vec<ConfigError>> {
    let raw: RawTenant = value.deserialize().map_err(|e| vec![figment_error(Some(key), e)])?;
    let mut errors = Vec::new();
    let mut fail = |field: &str, message: String| {
        errors.push(ConfigError { tenant: Some(key.to_owned()), field: Some(field.to_owned()), message })
    };
    if raw.name.trim().is_empty() {
        fail("name", "must not be empty".into());
    }
    let cvr = Cvr::parse(&raw.cvr).map_err(|e| fail("cvr", e.to_string())).ok();
    let municipality =
        MunicipalityCode::parse(&raw.municipality_code).map_err(|e| fail("municipality_code", e.to_string())).ok();
    for (field, host) in [("admin_host", &raw.admin_host), ("portal_host", &raw.portal_host)] {
        if !valid_host(host) {
            fail(field, format!("\"{host}\" is not a host name"));
        }
    }
    if let Err(e) = store::Backend::from_url(&raw.database_url) {
        fail("database_url", e.to_string());
    }
    let cpr_key = parse_key(raw.cpr_key.expose_secret()).map_err(|m| fail("cpr_key", m)).ok();
    let mut roles = BTreeMap::new();
    for (uri, role) in &raw.roles {
        match AdminRole::parse(role.trim()) {
            Ok(r) => {
                roles.insert(uri.trim().to_owned(), r);
            }
            Err(_) => fail("roles", format!("\"{role}\" (for {uri}) is not administrator, secretariat or reader")),
        }
    }
    for (field, url) in [("admin_url", &raw.admin_url), ("portal_url", &raw.portal_url)] {
        if let Some(url) = url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            fail(field, format!("\"{url}\" must start with https:// (or http:// for a local test)"));
        }
    }
    if raw.sessions.admin_idle_minutes < 1 || raw.sessions.portal_idle_minutes < 1 {
        fail("sessions", "idle timeouts must be at least 1 minute".into());
    }
    if raw.fallback_max_role_age_days < 1 {
        fail("fallback_max_role_age_days", "must be at least 1".into());
    }
    for (field, message) in raw.cpr.problems().into_iter().chain(raw.messaging.problems()) {
        fail(&field, message);
    }
    let base = |url: &Option<String>, host: &str| {
        url.as_deref()
            .map(|u| u.trim().trim_end_matches('/').to_owned())
            .unwrap_or_else(|| format!("https://{}", host.trim().to_ascii_lowercase()))
    };
    let admin_url = base(&raw.admin_url, &raw.admin_host);
    let portal_url = base(&raw.portal_url, &raw.portal_host);
    match (cvr, municipality, cpr_key, errors.is_empty()) {
        (Some(cvr), Some(municipality), Some(cpr_key), true) => Ok(TenantConfig {
            key: key.to_owned(),
            name: raw.name.trim().to_owned(),
            cvr,
            municipality,
            admin_host: raw.admin_host.trim().to_ascii_lowercase(),
            portal_host: raw.portal_host.trim().to_ascii_lowercase(),
            database_url: raw.database_url.trim().to_owned(),
            cpr_key,
            identity_provider: raw.identity_provider,
            sign_in: SignIn {
                admin_url,
                portal_url,
                portal_identity_provider: raw.portal_identity_provider,
                roles,
                sessions: raw.sessions,
                fallback_max_role_age_days: raw.fallback_max_role_age_days,
                base_dir: base_dir.to_path_buf(),
            },
            cpr: raw.cpr,
            messaging: raw.messaging,
        }),
        _ => Err(errors),
    }
}

fn valid_host(host: &str) -> bool {
    let host = host.trim();
    !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

fn parse_key(hex_key: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(hex_key.trim()).map_err(|_| "must be 64 hexadecimal digits".to_owned())?;
    bytes.try_into().map_err(|_| "must be 64 hexadecimal digits (32 bytes)".to_owned())
}

/// Two tenants may not share a host name: the host is what keeps them apart.
fn check_unique_hosts(tenants: &mut Vec<TenantConfig>, errors: &mut Vec<ConfigError>) {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut clashing = Vec::new();
    for t in tenants.iter() {
        for (field, host) in [("admin_host", &t.admin_host), ("portal_host", &t.portal_host)] {
            match seen.get(host) {
                Some(owner) if owner != &t.key => {
                    errors.push(ConfigError {
                        tenant: Some(t.key.clone()),
                        field: Some(field.to_owned()),
                        message: format!("\"{host}\" is already used by tenant \"{owner}\""),
                    });
                    clashing.push(t.key.clone());
                }
                _ => {
                    seen.insert(host.clone(), t.key.clone());
                }
            }
        }
    }
    tenants.retain(|t| !clashing.contains(&t.key));
}

/// Environment overrides arrive typed ("0999" becomes the number 999), so a
/// code may come as a number; the domain parser pads it again.
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrNumber {
        Text(String),
        Number(u64),
    }
    Ok(match TextOrNumber::deserialize(d)? {
        TextOrNumber::Text(s) => s,
        TextOrNumber::Number(n) => n.to_string(),
    })
}

fn figment_error(tenant: Option<&str>, e: figment::Error) -> ConfigError {
    let mut field =
        e.path.iter().skip_while(|p| *p == "tenants" || Some(p.as_str()) == tenant).cloned().collect::<Vec<_>>();
    if let figment::error::Kind::MissingField(name) = &e.kind {
        field.push(name.to_string());
    }
    let field = if field.is_empty() { None } else { Some(field.join(".")) };
    ConfigError { tenant: tenant.map(str::to_owned), field, message: e.kind.to_string() }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    fn tenant(key: &str, admin_host: &str) -> String {
        format!(
            "[tenants.{key}]\nname = \"{key} Kommune\"\ncvr = \"12345674\"\nmunicipality_code = \"101\"\n\
             admin_host = \"{admin_host}\"\nportal_host = \"portal.{admin_host}\"\n\
             database_url = \"sqlite://data/{key}.db\"\ncpr_key = \"{KEY}\"\n"
        )
    }

    fn parse(toml: &str) -> Config {
        from_figment(Figment::new().merge(Toml::string(toml))).expect("server part is valid")
    }

    #[test]
    fn a_good_tenant_is_normalised() {
        let config = parse(&tenant("korsbaek", "Admin.Korsbaek.Example"));
        assert!(config.errors.is_empty(), "{:?}", config.errors);
        let t = &config.tenants[0];
        assert_eq!(t.municipality.as_str(), "0101");
        assert_eq!(t.admin_host, "admin.korsbaek.example");
        assert_eq!(t.cpr_key[0], 0x00);
        assert!(t.identity_provider.is_none());
    }

    #[test]
    fn a_broken_tenant_is_reported_by_field_and_the_others_survive() {
        let broken = tenant("lilleby", "lilleby.example").replace("12345674", "12345678").replace(KEY, "nothex");
        let config = parse(&format!("{}{broken}", tenant("korsbaek", "korsbaek.example")));
        assert_eq!(config.tenants.len(), 1);
        assert_eq!(config.tenants[0].key, "korsbaek");
        let fields: Vec<_> = config.errors.iter().map(|e| (e.tenant.as_deref(), e.field.as_deref())).collect();
        assert_eq!(fields, [(Some("lilleby"), Some("cvr")), (Some("lilleby"), Some("cpr_key"))]);
    }

    #[test]
    fn a_missing_field_is_named() {
        let config = parse("[tenants.x]\nname = \"X\"\n");
        assert_eq!(config.errors[0].tenant.as_deref(), Some("x"));
        assert!(config.errors[0].field.is_some());
        assert!(config.errors[0].to_string().starts_with("tenant \"x\", field "));
    }

    #[test]
    fn an_unknown_database_scheme_is_explained() {
        let config = parse(&tenant("x", "x.example").replace("sqlite://data/x.db", "mysql://db/x"));
        assert_eq!(config.errors[0].field.as_deref(), Some("database_url"));
        assert!(config.errors[0].message.contains("mysql"));
    }

    #[test]
    fn two_tenants_may_not_share_a_host() {
        let config = parse(&format!("{}{}", tenant("a", "same.example"), tenant("b", "same.example")));
        assert_eq!(config.tenants.len(), 1);
        assert_eq!(config.errors[0].tenant.as_deref(), Some("b"));
        assert_eq!(config.errors[0].field.as_deref(), Some("admin_host"));
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail fixes the closure's error type
    fn environment_overrides_nest_with_double_underscore() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("v.toml", &tenant("korsbaek", "korsbaek.example"))?;
            jail.set_env("VALGHALLA_TENANTS__KORSBAEK__MUNICIPALITY_CODE", "0147");
            jail.set_env("VALGHALLA_SERVER__LISTEN", "0.0.0.0:9000");
            let config = load(Path::new("v.toml")).map_err(|e| e.to_string())?;
            assert_eq!(config.tenants[0].municipality.as_str(), "0147");
            assert_eq!(config.server.listen.port(), 9000);
            Ok(())
        });
    }

    /// The example configuration, with paths relative to its directory.
    pub fn example() -> Config {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
        from_figment_in(Figment::new().merge(Toml::file(dir.join("example.toml"))), &dir).expect("example parses")
    }

    #[test]
    fn the_example_file_is_valid() {
        let config = example();
        assert!(config.errors.is_empty(), "{:?}", config.errors);
        assert_eq!(config.tenants.len(), 2);
        assert!(config.tenants.iter().all(|t| t.identity_provider.is_some()));
        let korsbaek = &config.tenants[0].sign_in;
        assert_eq!(korsbaek.admin_url, "https://korsbaek.adm.valghalla.example");
        assert_eq!(korsbaek.roles.len(), 3);
        assert_eq!(korsbaek.sessions, Sessions { admin_idle_minutes: 60, portal_idle_minutes: 60 });
        assert_eq!(korsbaek.fallback_max_role_age_days, 30);
        assert!(korsbaek.portal_identity_provider.is_some());
        let messaging = &config.tenants[0].messaging;
        assert!(messaging.digital_post.is_some() && messaging.email.is_some() && messaging.sms.is_some());
        let deadlines = messaging.deadlines().expect("the example's deadlines are valid");
        let defaults = domain::delivery::Deadlines::default();
        for kind in domain::MessageKind::ALL {
            assert_eq!(deadlines.of(kind), defaults.of(kind), "the example shows the default of {kind:?}");
        }
    }

    #[test]
    fn message_deadlines_are_checked_by_field() {
        let extra = "[tenants.x.messaging.deadlines]\ninvitation = \"2 days\"\ntask_reminder = \"0m\"\n\
                     reminder = \"12h\"\ngroup_message = \"90s\"\n";
        let config = parse(&format!("{}{extra}", tenant("x", "x.example")));
        let errors: Vec<_> = config.errors.iter().map(|e| (e.field.as_deref().unwrap(), e.message.as_str())).collect();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert_eq!(errors[0].0, "messaging.deadlines.invitation");
        assert!(errors[0].1.contains("\"2 days\" is not a duration"), "{errors:?}");
        assert_eq!(errors[1], ("messaging.deadlines.reminder", errors[1].1));
        assert!(errors[1].1.contains("task_reminder"), "the kinds are listed: {errors:?}");
        assert_eq!(errors[2], ("messaging.deadlines.task_reminder", "must be more than 0"));
        let config =
            parse(&format!("{}[tenants.x.messaging.deadlines]\ngroup_message = \"90s\"\n", tenant("x", "x.example")));
        let deadlines = config.tenants[0].messaging.deadlines().expect("valid");
        assert_eq!(deadlines.of(domain::MessageKind::GroupMessage), std::time::Duration::from_secs(90));
        assert_eq!(
            deadlines.of(domain::MessageKind::Invitation),
            domain::delivery::deadline(domain::MessageKind::Invitation)
        );
    }

    #[test]
    fn sign_in_settings_are_checked_by_field() {
        let extra = "admin_url = \"ftp://x\"\nfallback_max_role_age_days = 0\n\
                     [tenants.x.roles]\n\"urn:a\" = \"superuser\"\n";
        let config = parse(&format!("{}{extra}", tenant("x", "x.example")));
        let fields: Vec<_> = config.errors.iter().filter_map(|e| e.field.as_deref()).collect();
        assert_eq!(fields, ["roles", "admin_url", "fallback_max_role_age_days"], "{:?}", config.errors);
        // Defaults: https://<host>, 60 minutes, 30 days.
        let config = parse(&tenant("y", "Y.example"));
        let s = &config.tenants[0].sign_in;
        assert_eq!((s.admin_url.as_str(), s.portal_url.as_str()), ("https://y.example", "https://portal.y.example"));
        assert_eq!((s.sessions.admin_idle_minutes, s.fallback_max_role_age_days), (60, 30));
    }
}
