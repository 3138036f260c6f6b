//! The binary as an operator uses it: configuration checks, tenant listing,
//! migrations, and the demo answering over HTTP.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_valghalla");
const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// The example IdP metadata and the demo's (public, test-only) SP keys.
const METADATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/idp/fk-adgangsstyring-metadata.xml");
const SP_KEY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/sp-key.pem");
const SP_CERT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/sp-cert.pem");

fn tenant(key: &str, dir: &std::path::Path, idp: bool) -> String {
    let idp = if idp {
        format!(
            "[tenants.{key}.identity_provider]\nmetadata = \"{METADATA}\"\nsigning_key = \"{SP_KEY}\"\n\
             signing_cert = \"{SP_CERT}\"\n[tenants.{key}.roles]\n\"urn:admin\" = \"administrator\"\n"
        )
    } else {
        String::new()
    };
    format!(
        "[tenants.{key}]\nname = \"{key}\"\ncvr = \"12345674\"\nmunicipality_code = \"0999\"\n\
         admin_host = \"adm.{key}.test\"\nportal_host = \"{key}.test\"\n\
         database_url = \"sqlite://{}/{key}.db?mode=rwc\"\ncpr_key = \"{KEY}\"\n{idp}",
        dir.display()
    )
}

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(BIN).args(args).env_remove("VALGHALLA_CONFIG").output().expect("runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[test]
fn config_check_names_tenant_and_field_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v.toml");
    let bad = tenant("lilleby", dir.path(), true).replace("0999", "12345");
    std::fs::write(&file, format!("{}{bad}", tenant("korsbaek", dir.path(), true))).unwrap();
    let (ok, text) = run(&["config", "check", "--config", file.to_str().unwrap()]);
    assert!(!ok, "{text}");
    assert!(text.contains("ok: tenant \"korsbaek\""), "{text}");
    assert!(text.contains("tenant \"lilleby\", field \"municipality_code\""), "{text}");
}

/// IdP metadata without a signing certificate: `config check` names tenant
/// and field, and `serve` skips that tenant while the others start.
#[test]
fn metadata_without_a_signing_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(METADATA).unwrap();
    let start = example.find("<md:KeyDescriptor use=\"signing\">").unwrap();
    let end = example[start..].find("</md:KeyDescriptor>").unwrap() + start + "</md:KeyDescriptor>".len();
    let unsigned = dir.path().join("unsigned.xml");
    std::fs::write(&unsigned, format!("{}{}", &example[..start], &example[end..])).unwrap();
    let bad = tenant("lilleby", dir.path(), true)
        .replace(METADATA, unsigned.to_str().unwrap())
        .replace("adm.lilleby", "adm2.lilleby");
    let file = dir.path().join("v.toml");
    std::fs::write(&file, format!("{}{bad}", tenant("korsbaek", dir.path(), true))).unwrap();
    let (ok, text) = run(&["config", "check", "--config", file.to_str().unwrap()]);
    assert!(!ok, "{text}");
    assert!(text.contains("ok: tenant \"korsbaek\""), "{text}");
    assert!(text.contains("tenant \"lilleby\", field \"identity_provider.metadata\""), "{text}");
    assert!(text.contains("no signing certificate"), "{text}");
}

#[test]
fn fallback_login_switch_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v.toml");
    std::fs::write(&file, tenant("korsbaek", dir.path(), true)).unwrap();
    let config = file.to_str().unwrap();
    let (ok, text) = run(&[
        "tenant",
        "fallback-login",
        "on",
        "--tenant",
        "korsbaek",
        "--until",
        "2099-12-01 18:00",
        "--config",
        config,
    ]);
    assert!(ok && text.contains("ON until 2099-12-01T17:00:00+00:00"), "{text}");
    let (ok, text) = run(&["tenant", "fallback-login", "off", "--tenant", "korsbaek", "--config", config]);
    assert!(ok && text.contains("is OFF"), "{text}");
    let (ok, text) = run(&["tenant", "fallback-login", "on", "--tenant", "nowhere", "--config", config]);
    assert!(!ok && text.contains("no valid tenant"), "{text}");
    let (ok, text) =
        run(&["tenant", "fallback-login", "on", "--tenant", "korsbaek", "--until", "soon", "--config", config]);
    assert!(!ok && text.contains("not a time"), "{text}");
}

#[test]
fn config_check_passes_the_example() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/example.toml");
    let (ok, text) = run(&["config", "check", "--config", example]);
    assert!(ok, "{text}");
}

#[test]
fn migrate_and_tenant_list() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v.toml");
    std::fs::write(&file, tenant("korsbaek", dir.path(), false)).unwrap();
    let (ok, text) = run(&["migrate", "--config", file.to_str().unwrap()]);
    assert!(ok && text.contains("migrated: tenant \"korsbaek\""), "{text}");
    assert!(dir.path().join("korsbaek.db").exists());
    let (ok, text) = run(&["tenant", "list", "--config", file.to_str().unwrap()]);
    assert!(ok && text.contains("adm.korsbaek.test") && text.contains("12345674"), "{text}");
}

#[test]
fn serve_refuses_a_tenant_without_identity_provider() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v.toml");
    std::fs::write(&file, tenant("korsbaek", dir.path(), false)).unwrap();
    let (ok, text) = run(&["serve", "--config", file.to_str().unwrap()]);
    assert!(!ok, "{text}");
    assert!(text.contains("no identity_provider"), "{text}");
    assert!(text.contains("no tenant could be started"), "{text}");
}

/// Starts the demo on a free port, reads its banner, and checks that it
/// serves the seeded municipality; a second start reuses the data.
#[test]
fn demo_starts_seeds_and_serves() {
    let dir = tempfile::tempdir().unwrap();
    for expected in ["new, seeded", "reused"] {
        let mut child = Command::new(BIN)
            .args(["demo", "--port", "0", "--data-dir", dir.path().to_str().unwrap()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("demo starts");
        let (base, idp) = read_banner(&mut child, expected);
        let login = get(&format!("{base}/admin/login"));
        let to_idp = get(&format!("{base}/admin/saml/login"));
        let metadata = get(&format!("{idp}/fk/metadata"));
        let old_demo_login = get(&format!("{base}/admin/demo-login"));
        let ready = get(&format!("{base}/health/ready"));
        child.kill().ok();
        child.wait().ok();
        // Sign-in goes only through the simulated IdPs.
        assert!(login.contains("Log ind med FK Adgangsstyring") && login.contains("Demo"), "{login}");
        assert!(to_idp.contains(&format!("location: {idp}/fk/sso?SAMLRequest=")), "{to_idp}");
        assert!(metadata.contains("EntityDescriptor"), "{metadata}");
        assert!(old_demo_login.contains(" 404 Not Found"), "{old_demo_login}");
        assert!(ready.contains("\"database\":\"ok\""), "{ready}");
    }
}

/// The app's and the IdP simulators' base URLs from the banner.
fn read_banner(child: &mut std::process::Child, expected: &str) -> (String, String) {
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let started = Instant::now();
    let mut base = None;
    let mut idp = None;
    let mut seen = String::new();
    while started.elapsed() < Duration::from_secs(60) {
        let Some(Ok(line)) = lines.next() else { break };
        seen.push_str(&line);
        seen.push('\n');
        if let Some(url) = line.trim().strip_prefix("administration:") {
            base = Some(url.trim().trim_end_matches("/admin").to_owned());
        }
        if let Some(rest) = line.trim().strip_prefix("IdP-simulatorer:") {
            idp = rest.split_whitespace().next().map(str::to_owned);
            break;
        }
    }
    // Keep reading: a closed pipe would make the demo's next println! fail.
    std::thread::spawn(move || lines.for_each(drop));
    assert!(seen.contains(expected), "banner: {seen}");
    let base = base.unwrap_or_else(|| panic!("no URL in the banner: {seen}"));
    (base, idp.unwrap_or_else(|| panic!("no IdP URL in the banner: {seen}")))
}

/// A minimal HTTP/1.0 GET, so the test needs no client library.
fn get(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("http url");
    let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, "/".into()));
    let mut stream = std::net::TcpStream::connect(host.replace("localhost", "127.0.0.1")).expect("connects");
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
    let mut body = String::new();
    stream.read_to_string(&mut body).unwrap();
    body
}
