//! What every journey needs: the demo binary, a headless Chromium, axe-core
//! and a few waits that tolerate navigation.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_valghalla");
const AXE: &str = include_str!("../assets/axe.min.js");

/// A child process killed (by its own id) when the test ends.
pub struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The running demo and the base URLs it printed.
pub struct Demo {
    _process: Process,
    /// The app, e.g. `http://localhost:PORT` (admin at `/admin`, portal at `/`).
    pub base: String,
    /// The FK Adgangsstyring and NemLog-in simulators.
    pub idp: String,
    pub cpr: String,
    pub digital_post: String,
    /// The SMS gateway simulator (control API at its root).
    pub sms: String,
    /// The SMTP simulator's control API.
    pub smtp: String,
}

/// Starts the demo on a free port with its data in `dir`.
pub fn start_demo(dir: &std::path::Path) -> Demo {
    let mut child = Command::new(BIN)
        .args(["demo", "--port", "0", "--data-dir", dir.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("demo starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut urls: [Option<String>; 6] = Default::default();
    let started = Instant::now();
    while urls.iter().any(Option::is_none) && started.elapsed() < Duration::from_secs(90) {
        let Some(Ok(line)) = lines.next() else { break };
        let line = line.trim();
        let first_url = |rest: &str| rest.split_whitespace().next().map(str::to_owned);
        if let Some(url) = line.strip_prefix("administration:") {
            urls[0] = Some(url.trim().trim_end_matches("/admin").to_owned());
        } else if let Some(rest) = line.strip_prefix("IdP-simulatorer:") {
            urls[1] = first_url(rest);
        } else if let Some(rest) = line.strip_prefix("CPR (SF1520-simulator):") {
            urls[2] = first_url(rest);
        } else if let Some(rest) = line.strip_prefix("Digital Post (SF1601-simulator):") {
            urls[3] = first_url(rest);
        } else if let Some(rest) = line.strip_prefix("SMS (gateway-simulator):") {
            urls[4] = first_url(rest).map(|u| u.trim_end_matches("/sms").to_owned());
        } else if let Some(rest) = line.split_once("(e-mails: ").map(|(_, r)| r) {
            urls[5] =
                first_url(rest).map(|u| u.trim_end_matches(')').trim_end_matches("/__sim/smtp/messages").to_owned());
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    let [base, idp, cpr, digital_post, sms, smtp] = urls.map(|url| url.expect("the demo printed every URL"));
    Demo { _process: Process(child), base, idp, cpr, digital_post, sms, smtp }
}

/// True (after saying SKIPPED) when this machine has no Chromium to drive.
pub fn no_browser() -> bool {
    let missing = !on_path("chromium") || !on_path("chromedriver");
    if missing {
        println!("SKIPPED: chromium and chromedriver are not on PATH (apt-get install chromium chromium-driver)");
    }
    missing
}

pub async fn start_browser() -> (Process, Client) {
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
pub async fn axe(client: &Client, page: &str) {
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
pub async fn wait_for_url(client: &Client, prefix: &str) -> String {
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
pub async fn text(client: &Client) -> String {
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

pub async fn click(client: &Client, locator: Locator<'_>) {
    client.find(locator).await.unwrap_or_else(|e| panic!("{locator:?} not found: {e}")).click().await.expect("click");
}

/// On the simulator's pick page, chooses `user`; the answer posts itself (autopost.js) to our ACS.
pub async fn pick(client: &Client, idp: &str, user: &str) {
    wait_for_url(client, idp).await;
    axe(client, "the IdP simulator's pick page").await;
    click(client, Locator::Css(&format!("button[name='user'][value='{user}']"))).await;
}

pub async fn sim(idp: &str, method: &str, path: &str, body: Value) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let url = format!("{idp}{path}");
    let request = if method == "POST" { client.post(url).json(&body) } else { client.delete(url) };
    assert!(request.send().await.expect("simulator control API").status().is_success());
}

/// A simulator's control API answer as JSON, e.g. `/__sim/digitalpost/letters`.
pub async fn sim_get(base: &str, path: &str) -> Value {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::get(format!("{base}{path}")).await.expect("simulator control API");
    assert!(response.status().is_success(), "GET {base}{path}: {}", response.status());
    response.json().await.expect("JSON from the simulator")
}
