//! Wiring configured tenants to their databases, and the `serve`, `migrate`
//! and `tenant list` commands.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use store::tenants::{Tenant, TenantRegistry};

use crate::config::{Config, TenantConfig};

/// Opens and migrates a tenant's database.
pub async fn open(t: &TenantConfig) -> anyhow::Result<Tenant> {
    let db =
        store::connect_and_migrate(&t.database_url).await.with_context(|| format!("tenant \"{}\": database", t.key))?;
    Ok(Tenant {
        key: t.key.clone(),
        name: t.name.clone(),
        cvr: t.cvr.clone(),
        municipality: t.municipality.clone(),
        admin_host: t.admin_host.clone(),
        portal_host: t.portal_host.clone(),
        db,
        vault: store::crypto::CprVault::new(&t.cpr_key),
    })
}

/// Opens every tenant that can be opened; one that fails is logged and
/// skipped so the others still serve.
pub async fn open_all(tenants: &[TenantConfig]) -> TenantRegistry {
    let mut registry = TenantRegistry::new();
    for t in tenants {
        match open(t).await {
            Ok(tenant) => {
                registry.add(tenant);
            }
            Err(e) => tracing::error!(tenant = %t.key, error = format!("{e:#}"), "tenant skipped"),
        }
    }
    registry
}

pub async fn serve(config: Config, run_jobs: bool) -> anyhow::Result<()> {
    for e in &config.errors {
        tracing::error!(error = %e, "configuration error; tenant skipped");
    }
    let (with_idp, missing_idp): (Vec<_>, Vec<_>) =
        config.tenants.into_iter().partition(|t| t.identity_provider.is_some());
    for t in &missing_idp {
        tracing::error!(tenant = %t.key, "no identity_provider configured; tenant skipped (admins could not sign in)");
    }
    // A tenant whose IdP metadata cannot be read or has no signing
    // certificate is refused; the others still serve.
    let mut ready = Vec::new();
    let mut auth = std::collections::HashMap::new();
    for t in with_idp {
        match crate::saml::load(&t).await {
            Ok(a) => {
                auth.insert(t.key.clone(), a);
                ready.push(t);
            }
            Err(errors) => {
                for e in errors {
                    tracing::error!(error = %e, "sign-in configuration error; tenant skipped");
                }
            }
        }
    }
    let registry = open_all(&ready).await;
    anyhow::ensure!(!registry.all().is_empty(), "no tenant could be started");
    let cpr = build_cpr(&registry, &ready);
    let messaging = build_messaging(&registry, &ready);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    if run_jobs && config.server.run_jobs {
        start_jobs(&registry, &cpr, &messaging, &stopped)?;
    }
    let senders = receipt_senders(&ready);
    let mut state = web::AppState::new(registry).with_auth(auth).with_cpr(cpr).with_receipt_senders(senders);
    state.metrics = Some(crate::demo::install_metrics()?);
    let served = listen(config.server.listen, config.server.ops_listen, state).await;
    let _ = stop.send(true);
    served
}

/// `valghalla worker`: only the job runners, for deployments that split web
/// and jobs (several workers may run against PostgreSQL).
pub async fn work(config: Config) -> anyhow::Result<()> {
    for e in &config.errors {
        tracing::error!(error = %e, "configuration error; tenant skipped");
    }
    let registry = open_all(&config.tenants).await;
    anyhow::ensure!(!registry.all().is_empty(), "no tenant could be started");
    let cpr = build_cpr(&registry, &config.tenants);
    let messaging = build_messaging(&registry, &config.tenants);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let handles = start_jobs(&registry, &cpr, &messaging, &stopped)?;
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    let _ = stop.send(true);
    for handle in handles {
        let _ = handle.await;
    }
    Ok(())
}

/// Each open tenant's CPR providers. A tenant whose providers cannot be built
/// (e.g. an unreadable certificate) is logged and runs without CPR: sign-ups
/// become provisional until it is fixed, instead of the tenant going down.
pub fn build_cpr(registry: &TenantRegistry, configs: &[TenantConfig]) -> HashMap<String, web::cpr::TenantCpr> {
    let mut built = HashMap::new();
    for tenant in registry.all() {
        let Some(config) = configs.iter().find(|c| c.key == tenant.key) else { continue };
        match crate::cpr_wiring::build(&config.cpr, tenant, &config.sign_in.base_dir) {
            Ok(cpr) => {
                built.insert(tenant.key.clone(), cpr);
            }
            Err(e) => tracing::error!(tenant = %tenant.key, error = format!("{e:#}"), "CPR not available for tenant"),
        }
    }
    built
}

/// Each open tenant's message channels. A tenant whose channels cannot be
/// built is logged and runs without delivery: its messages wait in the queue
/// until it is fixed, none is lost.
pub fn build_messaging(
    registry: &TenantRegistry,
    configs: &[TenantConfig],
) -> HashMap<String, jobs::delivery::Messaging> {
    let mut built = HashMap::new();
    for tenant in registry.all() {
        let Some(config) = configs.iter().find(|c| c.key == tenant.key) else { continue };
        let portal_url = &config.sign_in.portal_url;
        match crate::messaging_wiring::build(&config.messaging, tenant, portal_url, &config.sign_in.base_dir) {
            Ok(Some(messaging)) => {
                built.insert(tenant.key.clone(), messaging);
            }
            Ok(None) => tracing::warn!(tenant = %tenant.key, "no message channel set up; messages wait in the queue"),
            Err(e) => {
                tracing::error!(tenant = %tenant.key, error = format!("{e:#}"), "messages not delivered for tenant")
            }
        }
    }
    built
}

/// Who may push Digital Post receipts: loopback and every tenant's list.
pub fn receipt_senders(configs: &[TenantConfig]) -> Vec<std::net::IpAddr> {
    let mut senders: Vec<std::net::IpAddr> =
        vec![std::net::Ipv4Addr::LOCALHOST.into(), std::net::Ipv6Addr::LOCALHOST.into()];
    senders.extend(configs.iter().flat_map(|c| c.messaging.receipt_senders.iter().copied()));
    senders
}

/// One job runner and scheduler per tenant database, with the tenant's CPR
/// and message channels.
pub fn start_jobs(
    registry: &TenantRegistry,
    cpr: &HashMap<String, web::cpr::TenantCpr>,
    messaging: &HashMap<String, jobs::delivery::Messaging>,
    stopped: &tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let mut handles = Vec::new();
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "valghalla".into());
    for tenant in registry.all() {
        let owner = format!("{host}/{}/{}", std::process::id(), tenant.key);
        let mut services = match cpr.get(&tenant.key) {
            Some(c) => crate::cpr_wiring::job_services(tenant, c),
            None => jobs::Services::default(),
        };
        services.messaging = messaging.get(&tenant.key).cloned();
        handles.extend(jobs::catalog::start_with(tenant.db.clone(), owner, stopped.clone(), &services)?);
    }
    Ok(handles)
}

/// Serves the app until Ctrl-C; optionally the ops endpoints on their own port.
pub async fn listen(addr: SocketAddr, ops: Option<SocketAddr>, state: web::AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    serve_on(listener, ops, state).await
}

pub async fn serve_on(
    listener: tokio::net::TcpListener,
    ops: Option<SocketAddr>,
    state: web::AppState,
) -> anyhow::Result<()> {
    let addr = listener.local_addr().context("reading the bound address")?;
    if let Some(ops_addr) = ops {
        let ops_listener =
            tokio::net::TcpListener::bind(ops_addr).await.with_context(|| format!("binding {ops_addr}"))?;
        let ops_app = web::ops::routes().with_state(state.clone());
        tokio::spawn(async move { axum::serve(ops_listener, ops_app).await });
    }
    tracing::info!(%addr, "listening");
    // Connection info gives the sign-in rate limit the client's address.
    let app = web::app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving http")
}

pub async fn migrate(config: Config, only: Option<&str>) -> anyhow::Result<ExitCode> {
    let mut failed = !config.errors.is_empty();
    for e in &config.errors {
        eprintln!("skipped: {e}");
    }
    for t in config.tenants.iter().filter(|t| only.is_none_or(|k| k == t.key)) {
        match open(t).await {
            Ok(_) => println!("migrated: tenant \"{}\"", t.key),
            Err(e) => {
                failed = true;
                eprintln!("failed: {e:#}");
            }
        }
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

pub fn list(config: &Config) {
    println!("{:<16} {:<28} {:<9} {:<5} {:<30} {:<30}", "TENANT", "NAME", "CVR", "KOM", "ADMIN HOST", "PORTAL HOST");
    for t in &config.tenants {
        println!(
            "{:<16} {:<28} {:<9} {:<5} {:<30} {:<30}",
            t.key,
            t.name,
            t.cvr.as_str(),
            t.municipality.as_str(),
            t.admin_host,
            t.portal_host
        );
    }
    for e in &config.errors {
        println!("invalid: {e}");
    }
}

/// `valghalla tenant fallback-login on|off`: the operator's switch for the
/// admins' MitID fallback, audited like the Administrators' button.
pub async fn fallback_login(
    config: Config,
    key: &str,
    on: bool,
    until: Option<chrono::DateTime<chrono::Utc>>,
) -> anyhow::Result<()> {
    let t = config
        .tenants
        .iter()
        .find(|t| t.key == key)
        .with_context(|| format!("no valid tenant \"{key}\" in the configuration"))?;
    let tenant = open(t).await?;
    let switch = store::repo::saml_state::FallbackSwitch { on, until: until.filter(|_| on) };
    let actor = store::repo::Actor { user_id: None, name: "Driftsoperatør (kommandolinje)".into(), fallback: false };
    store::repo::saml_state::set_fallback_login(&tenant.db, &actor, switch).await?;
    match (on, switch.until) {
        (false, _) => println!("tenant \"{key}\": MitID fallback sign-in is OFF"),
        (true, None) => println!("tenant \"{key}\": MitID fallback sign-in is ON until switched off"),
        (true, Some(until)) => println!("tenant \"{key}\": MitID fallback sign-in is ON until {}", until.to_rfc3339()),
    }
    Ok(())
}

/// `--until`: RFC 3339, or `YYYY-MM-DD HH:MM` (also with `T`) in Danish time.
pub fn parse_until(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    use chrono::TimeZone;
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(at.with_timezone(&chrono::Utc));
    }
    let local = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(text.trim(), f).ok())
        .ok_or_else(|| format!("\"{text}\" is not a time (use 2026-12-01 18:00 or RFC 3339)"))?;
    chrono_tz::Europe::Copenhagen
        .from_local_datetime(&local)
        .earliest()
        .map(|at| at.with_timezone(&chrono::Utc))
        .ok_or_else(|| format!("\"{text}\" does not exist in Danish time"))
}

#[cfg(test)]
mod tests {
    use super::parse_until;

    #[test]
    fn until_is_read_in_danish_time_or_rfc3339() {
        assert_eq!(parse_until("2026-12-01 18:00").unwrap().to_rfc3339(), "2026-12-01T17:00:00+00:00");
        assert_eq!(parse_until("2026-07-01T18:00").unwrap().to_rfc3339(), "2026-07-01T16:00:00+00:00");
        assert_eq!(parse_until("2026-12-01T18:00:00Z").unwrap().to_rfc3339(), "2026-12-01T18:00:00+00:00");
        assert!(parse_until("tomorrow").is_err());
    }
}
