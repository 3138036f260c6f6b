//! `valghalla demo`: one fictional municipality on SQLite under the data
//! directory, seeded on first start and reused afterwards.

mod seed;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::config::TenantConfig;

pub const TENANT_KEY: &str = "korsbaek";
pub const TENANT_NAME: &str = "Korsbæk Kommune";
/// Fictional; passes the CVR modulus-11 check.
pub const CVR: &str = "12345674";
/// Not a real municipality code, so no real person is ever "resident here".
pub const MUNICIPALITY_CODE: &str = "0999";

pub async fn run(addr: SocketAddr, data_dir: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let config = tenant_config(data_dir)?;
    let tenant = crate::tenants::open(&config).await?;
    let seeded = seed::seed_if_empty(&tenant.db, &tenant.vault).await.context("seeding the demo data")?;
    let mut registry = store::tenants::TenantRegistry::new();
    let tenant = registry.add(tenant);
    for host in ["localhost", "127.0.0.1", "::1"] {
        registry.alias(host, &tenant);
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    crate::tenants::start_jobs(&registry, &stopped)?;
    let mut state = web::AppState::new(registry);
    state.demo_login = true;
    state.secure_cookies = false;
    state.metrics = Some(install_metrics()?);
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    print_banner(listener.local_addr()?, data_dir, seeded, started);
    let served = crate::tenants::serve_on(listener, None, state).await;
    let _ = stop.send(true);
    served
}

fn tenant_config(data_dir: &Path) -> anyhow::Result<TenantConfig> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let db_path = data_dir.join("korsbaek.db");
    Ok(TenantConfig {
        key: TENANT_KEY.into(),
        name: TENANT_NAME.into(),
        cvr: domain::Cvr::parse(CVR)?,
        municipality: domain::MunicipalityCode::parse(MUNICIPALITY_CODE)?,
        admin_host: "localhost".into(),
        portal_host: "localhost".into(),
        database_url: format!("sqlite://{}?mode=rwc", db_path.display()),
        cpr_key: demo_key(data_dir)?,
        identity_provider: None,
    })
}

/// The demo's CPR key lives beside its database so a restart can still read
/// what it encrypted; a real tenant's key comes from the configuration.
fn demo_key(data_dir: &Path) -> anyhow::Result<[u8; 32]> {
    let path = data_dir.join("demo-cpr.key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let bytes = hex::decode(text.trim()).context("reading the demo key")?;
        return bytes.try_into().map_err(|_| anyhow::anyhow!("{} is not a 32-byte key", path.display()));
    }
    let key: [u8; 32] = rand::random();
    std::fs::write(&path, hex::encode(key)).with_context(|| format!("writing {}", path.display()))?;
    Ok(key)
}

pub fn install_metrics() -> anyhow::Result<PrometheusHandle> {
    PrometheusBuilder::new().install_recorder().context("installing the metrics recorder")
}

fn print_banner(addr: SocketAddr, data_dir: &Path, seeded: bool, started: Instant) {
    let base = format!("http://{}", if addr.ip().is_loopback() { format!("localhost:{}", addr.port()) } else { addr.to_string() });
    println!();
    println!("Valghalla demo · {TENANT_NAME}");
    println!("  data:            {} ({})", data_dir.display(), if seeded { "new, seeded" } else { "reused" });
    println!("  administration:  {base}/admin");
    println!("  deltagerportal:  {base}/");
    println!("  health:          {base}/health/ready");
    println!("  metrics:         {base}/metrics");
    println!("  started in {} ms", started.elapsed().as_millis());
    println!();
    println!("Log ind i administrationen som en af demoens brugere:");
    for (name, role) in seed::ADMINS {
        println!("  {name:<18} {}", role.label());
    }
    println!();
}
