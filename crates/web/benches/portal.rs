//! Portal benchmark (issue 5 point 8): N signed-in participants (default 200)
//! load "Mine opgaver" on PostgreSQL through `wrk`, one connection each;
//! then the same server's static stylesheet under the same load, for
//! comparison. Prints requests/s, p50 and p99 for both and their ratio.
//!
//! Before the load, every participant's page is fetched once and must be a
//! 200 with their own name and task on it; during the load the wrk script
//! counts every answer that is not a 200.
//!
//! `cargo bench -p web --bench portal` with `VALGHALLA_TEST_PG_URL` set
//! (bench/portal sets it). `PORTAL_BENCH_N` (default 200) participants and
//! connections, `PORTAL_BENCH_SECONDS` (default 15) per run,
//! `PORTAL_BENCH_THREADS` (default 2) wrk threads.

#[path = "portal/seed.rs"]
mod seed;
#[path = "portal/wrk.rs"]
mod wrk;

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use store::repo::sessions::{self, NewSession, SessionApp};
use store::tenants::{Tenant, TenantRegistry};
use store::testing::TestDb;
use web::auth::cookies::PORTAL;

use seed::Person;
use wrk::{Figures, Load};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let n = setting("PORTAL_BENCH_N", 200) as usize;
    let load = Load {
        connections: n,
        threads: setting("PORTAL_BENCH_THREADS", 2) as usize,
        duration: Duration::from_secs(setting("PORTAL_BENCH_SECONDS", 15)),
    };
    anyhow::ensure!(
        std::env::var_os(store::testing::PG_URL_VAR).is_some(),
        "set {} to a PostgreSQL server (bench/portal does)",
        store::testing::PG_URL_VAR
    );
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(bench(n, load))
}

async fn bench(n: usize, load: Load) -> anyhow::Result<()> {
    let t = TestDb::postgres().await?;
    let tenant = tenant(&t)?;
    let people = seed::populate(&tenant.db, &tenant.vault, n).await?;
    let cookies = sign_in(&tenant, &people).await?;
    let base = serve(tenant).await?;
    check_pages(&base, &people, &cookies).await?;
    let dir = tempfile::tempdir()?;
    let portal = measure(&base, "/mine-opgaver", &cookies, dir.path(), &load).await?;
    let css = measure(&base, "/static/valghalla.css", &[], dir.path(), &load).await?;
    report(n, &load, &portal, &css);
    anyhow::ensure!(portal.not_ok == 0 && css.not_ok == 0, "some answers were not 200");
    Ok(())
}

fn tenant(t: &TestDb) -> anyhow::Result<Tenant> {
    Ok(Tenant {
        key: "korsbaek".into(),
        name: "Korsbæk Kommune".into(),
        cvr: domain::Cvr::parse("12345674")?,
        municipality: domain::MunicipalityCode::parse(seed::HOME)?,
        admin_host: "admin.korsbaek.test".into(),
        portal_host: "korsbaek.test".into(),
        db: t.db.clone(),
        vault: store::crypto::CprVault::new(&[7; 32]),
    })
}

/// A portal session per person, as MitID sign-in leaves it; the cookies.
async fn sign_in(tenant: &Tenant, people: &[Person]) -> anyhow::Result<Vec<String>> {
    let mut cookies = Vec::with_capacity(people.len());
    for person in people {
        let new = NewSession {
            app: SessionApp::Portal,
            user_id: None,
            participant_id: Some(person.id),
            lifetime: chrono::Duration::hours(12),
            data: serde_json::json!({ "name": person.name }),
        };
        let (token, _) = sessions::create(&tenant.db, new).await?;
        cookies.push(format!("{PORTAL}={}", token.as_str()));
    }
    Ok(cookies)
}

/// Starts the app with the tenant's portal at 127.0.0.1; its base URL.
async fn serve(tenant: Tenant) -> anyhow::Result<String> {
    let mut registry = TenantRegistry::new();
    let tenant = registry.add(tenant);
    registry.alias("127.0.0.1", &tenant);
    let mut state = web::AppState::new(registry);
    state.secure_cookies = false;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = web::app(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(base)
}

/// Every person's page once: a 200 with their name and their task.
async fn check_pages(base: &str, people: &[Person], cookies: &[String]) -> anyhow::Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    for (person, cookie) in people.iter().zip(cookies) {
        let response = client.get(format!("{base}/mine-opgaver")).header("cookie", cookie).send().await?;
        let status = response.status();
        let body = response.text().await?;
        anyhow::ensure!(status == 200, "{} got {status}: {body}", person.name);
        anyhow::ensure!(
            body.contains(&person.name) && body.contains(seed::MAIN_TASK),
            "{}'s page lacks their name or task: {body}",
            person.name
        );
    }
    Ok(())
}

async fn measure(
    base: &str,
    path: &str,
    cookies: &[String],
    dir: &std::path::Path,
    load: &Load,
) -> anyhow::Result<Figures> {
    let script = dir.join(format!("{}.lua", if cookies.is_empty() { "static" } else { "portal" }));
    std::fs::write(&script, wrk::script(cookies)).context("writing the wrk script")?;
    let url = format!("{base}{path}");
    let load = load.clone();
    // wrk blocks this thread; the server runs on the runtime's workers.
    tokio::task::spawn_blocking(move || wrk::run(&url, &script, &load)).await?
}

fn report(n: usize, load: &Load, portal: &Figures, css: &Figures) {
    let cores = std::thread::available_parallelism().map(|c| c.get()).unwrap_or(1);
    println!(
        "portal bench: PostgreSQL, {n} signed-in participants, wrk -c{} -t{} -d{}s --latency, {cores} CPU cores \
         shared by server, PostgreSQL and wrk",
        load.connections,
        load.threads,
        load.duration.as_secs()
    );
    println!("{:<28} {:>12} {:>10} {:>10} {:>10} {:>8}", "", "requests/s", "p50 ms", "p99 ms", "requests", "not 200");
    for (name, f) in [("GET /mine-opgaver", portal), ("GET /static/valghalla.css", css)] {
        println!(
            "{name:<28} {:>12.1} {:>10.2} {:>10.2} {:>10} {:>8}",
            f.per_second,
            f.p50.as_secs_f64() * 1e3,
            f.p99.as_secs_f64() * 1e3,
            f.requests,
            f.not_ok
        );
        if let Some(errors) = &f.socket_errors {
            println!("  socket errors: {errors}");
        }
    }
    println!(
        "ratio static / portal: {:.1}x requests/s, p99 portal / static: {:.1}x",
        css.per_second / portal.per_second,
        portal.p99.as_secs_f64() / css.p99.as_secs_f64()
    );
}
