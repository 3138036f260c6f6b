//! End-to-end journeys in a real headless Chromium over WebDriver, against
//! the real binary (`valghalla demo`: the app, its SQLite data and the FK
//! Adgangsstyring and NemLog-in simulators), with axe-core run on every page
//! visited. Needs Debian's `chromium` and `chromium-driver`; without them the
//! test says SKIPPED and passes (`.ci/run` installs them).
//!
//! Journeys: an admin signs in through the simulated FK IdP and reaches the
//! election list; a participant signs in through the simulated NemLog-in and
//! reaches "Mine opgaver"; the fallback (FK down → switch on → MitID sign-in
//! with the last FK roles → switch off → refused).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_valghalla");
const AXE: &str = include_str!("assets/axe.min.js");

/// A child process killed (by its own id) when the test ends.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts the demo on a free port; its base URL and the IdP simulators' URL.
fn start_demo(dir: &std::path::Path) -> (Process, String, String) {
    let mut child = Command::new(BIN)
        .args(["demo", "--port", "0", "--data-dir", dir.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut base, mut idp) = (None, None);
    let started = Instant::now();
    while idp.is_none() && started.elapsed() < Duration::from_secs(90) {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(url) = line.trim().strip_prefix("administration:") {
            base = Some(url.trim().trim_end_matches("/admin").to_owned());
        }
        if let Some(rest) = line.trim().strip_prefix("IdP-simulatorer:") {
            idp = rest.split_whitespace().next().map(str::to_owned);
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    (Process(child), base.expect("app URL"), idp.expect("IdP URL"))
}

async fn start_browser() -> (Process, Client) {
    let port = free_port();
    let driver = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Process(driver);
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"] }),
    );
    let started = Instant::now();
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return (driver, client),
            Err(e) if started.elapsed() < Duration::from_secs(20) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("chromedriver did not answer: {e}"),
        }
    }
}

/// Runs axe-core on the current page and fails on any violation.
async fn axe(client: &Client, page: &str) {
    client.execute(AXE, vec![]).await.expect("axe injected");
    let script = "const done = arguments[arguments.length - 1];
        axe.run(document, { resultTypes: ['violations'] })
          .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')) }))))
          .catch(e => done([{ id: 'axe-error', help: String(e), nodes: [] }]));";
    let violations = client.execute_async(script, vec![]).await.expect("axe ran");
    let list = violations.as_array().cloned().unwrap_or_default();
    assert!(list.is_empty(), "axe-core violations on {page}: {}", serde_json::to_string_pretty(&violations).unwrap());
}

/// Waits until the browser is at a URL starting with `prefix`.
async fn wait_for_url(client: &Client, prefix: &str) -> String {
    let started = Instant::now();
    loop {
        let url = client.current_url().await.expect("url").to_string();
        if url.starts_with(prefix) {
            return url;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "still at {url}, waiting for {prefix}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The page's text; retried while a navigation replaces the document.
async fn text(client: &Client) -> String {
    let started = Instant::now();
    loop {
        let attempt = match client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await,
            Err(e) => Err(e),
        };
        match attempt {
            Ok(text) => return text,
            Err(e) if started.elapsed() < Duration::from_secs(10) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("no page text: {e}"),
        }
    }
}

async fn click(client: &Client, locator: Locator<'_>) {
    client.find(locator).await.unwrap_or_else(|e| panic!("{locator:?} not found: {e}")).click().await.expect("click");
}

/// On the simulator's pick page, chooses `user`; the answer posts itself (autopost.js) to our ACS.
async fn pick(client: &Client, idp: &str, user: &str) {
    wait_for_url(client, idp).await;
    axe(client, "the IdP simulator's pick page").await;
    click(client, Locator::Css(&format!("button[name='user'][value='{user}']"))).await;
}

async fn sim(idp: &str, method: &str, path: &str, body: Value) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let url = format!("{idp}{path}");
    let request = if method == "POST" { client.post(url).json(&body) } else { client.delete(url) };
    assert!(request.send().await.expect("simulator control API").status().is_success());
}

#[tokio::test]
async fn journeys_in_chromium() {
    if !on_path("chromium") || !on_path("chromedriver") {
        println!("SKIPPED: chromium and chromedriver are not on PATH (apt-get install chromium chromium-driver)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_demo, base, idp) = start_demo(dir.path());
    let (_driver, client) = start_browser().await;

    // 1. An admin signs in through the simulated FK Adgangsstyring and reaches the elections.
    client.goto(&format!("{base}/admin/login")).await.unwrap();
    axe(&client, "/admin/login").await;
    click(&client, Locator::LinkText("Log ind med FK Adgangsstyring")).await;
    pick(&client, &idp, "admin").await;
    wait_for_url(&client, &format!("{base}/admin")).await;
    assert!(text(&client).await.contains("Anna Administrator"));
    axe(&client, "/admin").await;
    click(&client, Locator::LinkText("Valg")).await;
    wait_for_url(&client, &format!("{base}/admin/elections")).await;
    let elections = text(&client).await;
    assert!(elections.contains("Folketingsvalg"), "{elections}");
    axe(&client, "/admin/elections").await;

    // 3a. FK goes down while Anna is signed in; she switches the fallback on.
    sim(&idp, "POST", "/__sim/faults", json!({ "kind": "down", "path": "/fk/" })).await;
    client.goto(&format!("{base}/admin/status")).await.unwrap();
    axe(&client, "/admin/status").await;
    click(&client, Locator::Css("form[action='/admin/status/fallback'] button")).await;
    wait_for_url(&client, &format!("{base}/admin/status")).await;
    assert!(text(&client).await.contains("Nødadgang er slået til"));
    axe(&client, "/admin/status (fallback on)").await;
    client.delete_all_cookies().await.unwrap();

    // 3b. With FK down, the sign-in page offers MitID; Anna gets her last FK role.
    client.goto(&format!("{base}/admin/login")).await.unwrap();
    axe(&client, "/admin/login (fallback on)").await;
    click(&client, Locator::LinkText("Log ind med FK Adgangsstyring")).await;
    wait_for_url(&client, &idp).await;
    let down = text(&client).await;
    assert!(down.contains("midlertidigt utilgængelig"), "FK is down: {down}");
    client.goto(&format!("{base}/admin/login")).await.unwrap();
    click(&client, Locator::LinkText("Log ind med MitID (nødadgang)")).await;
    pick(&client, &idp, "anna").await;
    wait_for_url(&client, &format!("{base}/admin")).await;
    let home = text(&client).await;
    assert!(
        home.contains("Anna Administrator") && home.contains("Administrator") && home.contains("Nødadgang"),
        "{home}"
    );
    axe(&client, "/admin (fallback session)").await;

    // 3c. She switches the fallback off; MitID then gives no admin access.
    client.goto(&format!("{base}/admin/status")).await.unwrap();
    click(&client, Locator::Css("form[action='/admin/status/fallback'] button")).await;
    wait_for_url(&client, &format!("{base}/admin/status")).await;
    assert!(text(&client).await.contains("Nødadgang er slået fra"));
    client.delete_all_cookies().await.unwrap();
    client.goto(&format!("{base}/admin/login")).await.unwrap();
    assert!(!text(&client).await.contains("nødadgang)"));
    client.goto(&format!("{base}/admin/saml/mitid/login")).await.unwrap();
    let refused = text(&client).await;
    assert!(refused.contains("Nødadgang er slået fra"), "{refused}");
    axe(&client, "the refusal page").await;
    sim(&idp, "DELETE", "/__sim/faults", json!({})).await;

    // 2. A participant signs in through the simulated NemLog-in and reaches "Mine opgaver".
    client.delete_all_cookies().await.unwrap();
    client.goto(&format!("{base}/")).await.unwrap();
    axe(&client, "the portal front page").await;
    click(&client, Locator::Css("main a[href='/login']")).await;
    pick(&client, &idp, "karen").await;
    wait_for_url(&client, &format!("{base}/mine-opgaver")).await;
    let tasks = text(&client).await;
    assert!(tasks.contains("Mine opgaver") && tasks.contains("Korsbæk Skole"), "{tasks}");
    axe(&client, "/mine-opgaver").await;

    client.close().await.unwrap();
}
