//! `valghalla demo`: one fictional municipality on SQLite under the data
//! directory, seeded on first start and reused afterwards.

mod cpr_persons;
mod idp;
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

pub async fn run(addr: SocketAddr, data_dir: &Path, cpr_persons: Option<&Path>) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut config = tenant_config(data_dir)?;
    let tenant = crate::tenants::open(&config).await?;
    let seeded = seed::seed_if_empty(&tenant.db, &tenant.vault).await.context("seeding the demo data")?;
    // CPR comes from the SF1520 simulator, then the local copy when it is down.
    let mut persons = match cpr_persons {
        Some(path) => simulators::cpr::Persons::from_file(path)?,
        None => simulators::cpr::Persons::builtin(),
    };
    cpr_persons::add_participants(&mut persons, &tenant.db, &tenant.vault).await.context("CPR persons")?;
    cpr_persons::add_newcomer(&mut persons).context("the newcomer's CPR data")?;
    let post_sim = digital_post_sim(&persons);
    let sim = simulators::cpr::CprSimConfig { persons, ..Default::default() };
    let (cpr_sim_url, cpr_sim) = simulators::cpr::CprSimulator::start(sim).await?;
    config.cpr = cpr_config(&cpr_sim.sf1520_url());
    let mut registry = store::tenants::TenantRegistry::new();
    let tenant = registry.add(tenant);
    for host in ["localhost", "127.0.0.1", "::1"] {
        registry.alias(host, &tenant);
    }
    // Bound first: the SAML endpoints the IdPs know contain the port.
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    let local = listener.local_addr()?;
    let base = public_base(local);
    let (idp, auth) = idp::start(&base, local.ip()).await?;
    let receipts = Some(format!("{base}/digitalpost/receipts"));
    let post_sim = simulators::digital_post::DigitalPostSimConfig { receipt_url: receipts, ..post_sim };
    let (post_sim_url, post_sim) = simulators::digital_post::DigitalPostSimulator::start(post_sim).await?;
    let sms_sim = simulators::sms::SmsSimulator::start(Default::default()).await?;
    let smtp_sim = simulators::smtp::SmtpSimulator::start(Default::default()).await?;
    config.messaging = messaging_config(data_dir, &post_sim, &sms_sim, &smtp_sim)?;
    config.sign_in.portal_url = base.clone();
    let cpr = crate::tenants::build_cpr(&registry, std::slice::from_ref(&config));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let messaging = crate::tenants::build_messaging(&registry, std::slice::from_ref(&config));
    crate::tenants::start_jobs(&registry, &cpr, &messaging, &stopped)?;
    let mut state = web::AppState::new(registry)
        .with_auth(std::collections::HashMap::from([(TENANT_KEY.to_owned(), auth)]))
        .with_cpr(cpr);
    state.demo = true;
    state.secure_cookies = false;
    state.metrics = Some(install_metrics()?);
    print_banner(&base, &idp.base_url, data_dir, seeded, started);
    println!("CPR (SF1520-simulator): {cpr_sim_url} (fejl: {cpr_sim_url}/__sim/faults)");
    println!("Digital Post (SF1601-simulator): {post_sim_url} (breve: {post_sim_url}/__sim/digitalpost/letters)");
    let sms = sms_sim.base_url.trim_end_matches('/');
    println!("SMS (gateway-simulator): {sms}/sms (beskeder: {sms}/__sim/sms/messages)");
    let smtp = &smtp_sim.control_url;
    println!("E-mail (SMTP-simulator): {} (e-mails: {smtp}/__sim/smtp/messages)", smtp_sim.smtp_url);
    print_messaging(&base, &post_sim_url, waiting_invitations(&tenant.db).await);
    let served = crate::tenants::serve_on(listener, None, state).await;
    let _ = stop.send(true);
    drop(idp);
    drop(cpr_sim);
    drop(post_sim);
    drop(sms_sim);
    drop(smtp_sim);
    served
}

/// Digital Post knows the demo's people as CPR does (not signed up there, not signed up
/// here) and sends a receipt for every accepted letter.
fn digital_post_sim(persons: &simulators::cpr::Persons) -> simulators::digital_post::DigitalPostSimConfig {
    use simulators::digital_post::Registration;
    let registrations = persons
        .iter()
        .filter(|p| p.digital_post == Some(false))
        .map(|p| (p.pnr.clone(), Registration::NotRegistered))
        .collect();
    simulators::digital_post::DigitalPostSimConfig { registrations, auto_receipts: true, ..Default::default() }
}

/// Every channel at its simulator: Digital Post with the test PKI's client
/// certificate (written beside the demo database), e-mail and SMS plain on
/// the loopback.
fn messaging_config(
    data_dir: &Path,
    post: &simulators::digital_post::DigitalPostSimHandle,
    sms: &simulators::sms::SmsSimHandle,
    smtp: &simulators::smtp::SmtpSimHandle,
) -> anyhow::Result<crate::messaging_wiring::MessagingConfig> {
    use simulators::cpr::tls_fixtures::{CLIENT_CERT_PEM, CLIENT_KEY_PEM};
    let (cert, key) = (data_dir.join("demo-dp-client-cert.pem"), data_dir.join("demo-dp-client-key.pem"));
    std::fs::write(&cert, CLIENT_CERT_PEM).with_context(|| format!("writing {}", cert.display()))?;
    std::fs::write(&key, CLIENT_KEY_PEM).with_context(|| format!("writing {}", key.display()))?;
    let service = crate::cpr_wiring::RemoteEntry {
        client_cert: Some(cert),
        client_key: Some(key),
        ..crate::cpr_wiring::RemoteEntry::plain(post.base_url.clone())
    };
    let defaults = simulators::sms::SmsSimConfig::default();
    Ok(crate::messaging_wiring::MessagingConfig {
        digital_post: Some(crate::messaging_wiring::DigitalPostEntry {
            sts_endpoint: post.sts_url(),
            service,
            sender_label: None,
            check_registration: true,
            max_per_second: None,
        }),
        email: Some(crate::messaging_wiring::EmailEntry {
            host: smtp.smtp_addr.ip().to_string(),
            port: smtp.smtp_addr.port(),
            security: Some("plain".into()),
            user: None,
            password: None,
            from_name: TENANT_NAME.into(),
            from_address: "valg@korsbaek.example".into(),
            hello_name: Some("localhost".into()),
            max_per_second: None,
            resilience: Default::default(),
        }),
        sms: Some(crate::messaging_wiring::SmsEntry {
            base_url: sms.base_url.clone(),
            username: defaults.username,
            password: defaults.password.into(),
            sender_alias: "Korsbaek".into(),
            max_per_second: 10.0,
            resilience: Default::default(),
        }),
        receipt_senders: Vec::new(),
        deadlines: demo_deadlines(),
    })
}

/// How long a demo message may take in all: a third of it per channel, so
/// "Digital Post down → e-mail or SMS" takes half a minute, not the hours a
/// municipality gives it (`[tenants.X.messaging.deadlines]`).
const DEMO_DEADLINE: &str = "90s";

fn demo_deadlines() -> std::collections::BTreeMap<String, String> {
    domain::MessageKind::ALL.into_iter().map(|kind| (kind.as_str().to_owned(), DEMO_DEADLINE.to_owned())).collect()
}

/// Invited seats whose invitation has not been sent (it goes on activation).
async fn waiting_invitations(db: &sea_orm::DatabaseConnection) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    use store::entity::seats;
    seats::Entity::find()
        .filter(seats::Column::State.eq("invited"))
        .filter(seats::Column::InvitationSent.eq(false))
        .count(db)
        .await
        .unwrap_or(0)
}

fn print_messaging(base: &str, post: &str, waiting: u64) {
    println!();
    println!("Beskeder: valgets rækkefølge (Digital Post → e-mail → SMS), alle kanaler er simulatorer.");
    if waiting > 0 {
        println!("  {waiting} invitationer venter: aktivér valget (Valg → valget → Aktivér) for at sende dem.");
    }
    println!("  beskedlog:       {base}/admin/messages");
    println!("  kvitteringer:    {base}/digitalpost/receipts (Digital Post-simulatoren sender dem selv)");
    println!(
        "  frister:         {DEMO_DEADLINE} pr. besked, en tredjedel pr. kanal (i drift 12–48 timer: \
         [tenants.X.messaging.deadlines])"
    );
    println!(
        "  Digital Post ned: curl -X POST -H 'content-type: application/json' -d '{{\"kind\":\"down\"}}' \
         {post}/__sim/faults"
    );
    println!("  og op igen:       curl -X DELETE {post}/__sim/faults");
    println!();
}

/// SF1520 at the simulator (plain http on the loopback), then the local copy.
fn cpr_config(sf1520_url: &str) -> crate::cpr_wiring::CprConfig {
    crate::cpr_wiring::CprConfig {
        providers: vec!["sf1520".into(), "local_copy".into()],
        sf1520: Some(crate::cpr_wiring::RemoteEntry::plain(sf1520_url)),
        datafordeleren: None,
    }
}

/// The address people open: `localhost` for a loopback bind (the URL the
/// IdPs send them back to must be the one they started at).
fn public_base(addr: SocketAddr) -> String {
    if addr.ip().is_loopback() { format!("http://localhost:{}", addr.port()) } else { format!("http://{addr}") }
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
        // The demo's sign-in settings are made in `idp::start`, not read.
        identity_provider: None,
        sign_in: Default::default(),
        cpr: Default::default(),
        messaging: Default::default(),
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

fn print_banner(base: &str, idp: &str, data_dir: &Path, seeded: bool, started: Instant) {
    println!();
    println!("Valghalla demo · {TENANT_NAME}");
    println!("  data:            {} ({})", data_dir.display(), if seeded { "new, seeded" } else { "reused" });
    println!("  administration:  {base}/admin");
    println!("  deltagerportal:  {base}/");
    println!("  health:          {base}/health/ready");
    println!("  metrics:         {base}/metrics");
    println!("  IdP-simulatorer: {idp} (fejl: {idp}/__sim/faults)");
    println!("  started in {} ms", started.elapsed().as_millis());
    println!();
    println!("Log ind gennem de simulerede identitetsudbydere; vælg en testbruger på deres side.");
    println!("Administration (FK Adgangsstyring):");
    for (id, name, _, role) in seed::ADMINS {
        let linked = if id == "admin" {
            format!("; MitID \"{}\" knyttet til nødadgang", idp::ANNA_MITID)
        } else {
            String::new()
        };
        println!("  {id:<17} {name} ({}{linked})", role.label());
    }
    println!("  {:<17} rolle i en anden kommune: ingen adgang", "anden-kommune");
    println!("  {:<17} ingen rettigheder: ingen adgang", "uden-rettigheder");
    println!("Deltagerportal (MitID via NemLog-in):");
    for (id, _, first, last, part) in seed::CITIZENS {
        let what = match part {
            seed::Part::Participant => "deltager med en opgave",
            seed::Part::TeamResponsible => "holdansvarlig og deltager",
            seed::Part::WorkLocationResponsible => "arbejdsstedsansvarlig og deltager",
        };
        println!("  {id:<17} {first} {last}: {what}");
    }
    println!("  {:<17} Nina Nyborg: ikke deltager endnu, kan tilmelde sig via et holdlink", idp::NEWCOMER_MITID);
    println!("  {:<17} ikke deltager", "ung");
    println!("  {:<17} MitID på lavt niveau: afvises", "lav");
    println!(
        "Nødadgang: slå den til på {base}/admin/status (som admin), log så ind med MitID \"{}\".",
        idp::ANNA_MITID
    );
    println!();
}
