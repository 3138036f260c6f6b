//! Test helpers. The SAML messages a service provider would send are written here by
//! hand from the reference (not built by the SP code in `integrations`, nor by the
//! simulator's own builders), and checked with Debian's `xmlsec1` where crypto matters.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rsa::pkcs8::DecodePrivateKey as _;
use simulators::idp::{Flavour, IdpConfig, SimIdp, SimIdpHandle, SpConfig};

pub const SP_ENTITY: &str = "https://korsbaek.example/saml/metadata";
pub const SP_ACS: &str = "https://korsbaek.example/saml/acs";
pub const SP_SLO: &str = "https://korsbaek.example/saml/slo";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys").join(name)
}

pub fn read_fixture(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture")
}

/// The registered SP: the test SP key pair signs requests and receives encrypted assertions.
pub fn sp() -> SpConfig {
    SpConfig::new(SP_ENTITY, SP_ACS)
        .slo_url(SP_SLO)
        .signing_cert(read_fixture("sp-cert.pem"))
        .encryption_cert(read_fixture("sp-cert.pem"))
}

pub async fn start(flavour: Flavour) -> (String, SimIdpHandle) {
    start_with(IdpConfig::new(flavour, sp())).await
}

pub async fn start_with(config: IdpConfig) -> (String, SimIdpHandle) {
    SimIdp::start(config).await.expect("simulator starts")
}

pub fn client() -> reqwest::Client {
    // reqwest is built without a default TLS provider (ring, no C deps).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// An AuthnRequest as an OIOSAML SP sends it, written out by hand.
pub fn authn_request_xml(id: &str, destination: &str, acs: &str, issuer: &str) -> String {
    format!(
        r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="2026-11-27T10:00:00Z" Destination="{destination}" AssertionConsumerServiceURL="{acs}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"><saml:Issuer>{issuer}</saml:Issuer><samlp:NameIDPolicy AllowCreate="true" Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"/><samlp:RequestedAuthnContext Comparison="minimum"><saml:AuthnContextClassRef>https://data.gov.dk/concept/core/nsis/loa/Substantial</saml:AuthnContextClassRef></samlp:RequestedAuthnContext></samlp:AuthnRequest>"#
    )
}

pub fn logout_request_xml(id: &str, destination: &str, name_id: &str, session_index: &str) -> String {
    format!(
        r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="2026-11-27T10:05:00Z" Destination="{destination}"><saml:Issuer>{SP_ENTITY}</saml:Issuer><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">{name_id}</saml:NameID><samlp:SessionIndex>{session_index}</samlp:SessionIndex></samlp:LogoutRequest>"#
    )
}

/// Percent-encode all but unreserved characters (what a browser-side SP would send).
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub fn dec(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                out.push(u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap(), 16).unwrap());
                i += 2;
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

pub fn deflate_b64(xml: &str) -> String {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(xml.as_bytes()).unwrap();
    B64.encode(e.finish().unwrap())
}

pub fn inflate_b64(b64: &str) -> String {
    use std::io::Read as _;
    let mut s = String::new();
    flate2::read::DeflateDecoder::new(B64.decode(b64).unwrap().as_slice()).read_to_string(&mut s).unwrap();
    s
}

const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

/// A redirect-binding query for `param` (SAMLRequest), signed with `key_pem` when given.
pub fn redirect_query(param: &str, xml: &str, relay: Option<&str>, key_pem: Option<&str>) -> String {
    let mut q = format!("{param}={}", enc(&deflate_b64(xml)));
    if let Some(r) = relay {
        q += &format!("&RelayState={}", enc(r));
    }
    if let Some(pem) = key_pem {
        q += &format!("&SigAlg={}", enc(RSA_SHA256));
        let key = rsa::PrivateKey::from_pkcs8_pem(pem).unwrap();
        let sig = key.pkcs1v15_sign::<rsa::sha2::Sha256>(q.as_bytes()).unwrap();
        q += &format!("&Signature={}", enc(&B64.encode(sig)));
    }
    q
}

/// A signed SSO URL for a fresh hand-written AuthnRequest; returns (url, request id).
pub fn sso_url(base: &str, flavour: Flavour, relay: Option<&str>) -> (String, String) {
    let id = format!("_req{}", uuid::Uuid::new_v4().simple());
    let sso = format!("{base}/{}/sso", flavour.path());
    let xml = authn_request_xml(&id, &sso, SP_ACS, SP_ENTITY);
    let q = redirect_query("SAMLRequest", &xml, relay, Some(&read_fixture("sp-key.pem")));
    (format!("{sso}?{q}"), id)
}

/// The value of a hidden input in a page (`name="N" value="V"`), HTML-unescaped.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(
        html[start..end]
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// What the browser would POST to the ACS: the decoded Response XML and the RelayState.
pub struct Posted {
    pub xml: String,
    pub relay_state: Option<String>,
}

pub async fn get_ok(url: &str) -> String {
    let resp = client().get(url).send().await.expect("request");
    assert_eq!(resp.status(), 200, "GET {url}");
    resp.text().await.unwrap()
}

pub fn posted(html: &str) -> Posted {
    assert!(html.contains(&format!("action=\"{SP_ACS}\"")), "form posts to the ACS: {html}");
    let b64 = hidden(html, "SAMLResponse").expect("SAMLResponse field");
    Posted { xml: String::from_utf8(B64.decode(b64).unwrap()).unwrap(), relay_state: hidden(html, "RelayState") }
}

/// Sign in straight away as `user` (the `?user=` shortcut).
pub async fn sign_in(base: &str, flavour: Flavour, user: &str) -> (Posted, String) {
    let (url, id) = sso_url(base, flavour, Some("/efter-login"));
    (posted(&get_ok(&format!("{url}&user={user}")).await), id)
}

pub fn xml(doc: &str) -> simulators::xml::Element {
    simulators::xml::parse(doc).expect("well-formed XML")
}

pub const SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";

/// Attribute values by name from an Assertion element.
pub fn attribute(assertion: &simulators::xml::Element, name: &str) -> Option<Vec<String>> {
    let statement = assertion.child(SAML, "AttributeStatement")?;
    statement
        .children_named(SAML, "Attribute")
        .find(|a| a.attr("Name") == Some(name))
        .map(|a| a.children_named(SAML, "AttributeValue").map(|v| v.text.clone()).collect())
}

pub fn status_codes(response: &simulators::xml::Element) -> Vec<String> {
    let mut out = Vec::new();
    let mut code = response.child(SAMLP, "Status").and_then(|s| s.child(SAMLP, "StatusCode"));
    while let Some(c) = code {
        out.push(
            c.attr("Value").unwrap_or_default().trim_start_matches("urn:oasis:names:tc:SAML:2.0:status:").to_owned(),
        );
        code = c.child(SAMLP, "StatusCode");
    }
    out
}

// --- xmlsec1 --------------------------------------------------------------------------

/// Whether Debian's `xmlsec1` is there; tests that need it say so when it is not.
pub fn xmlsec1() -> bool {
    let found = Command::new("xmlsec1").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("SKIPPED: xmlsec1 is not on PATH (apt-get install -y xmlsec1); interop check not run");
    }
    found
}

fn temp_file(content: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(content.as_bytes()).unwrap();
    f
}

/// `xmlsec1 --verify` of the first signature under the element `node` (namespace:name),
/// trusting only `cert`. Returns whether xmlsec1 said OK, and its output.
pub fn xmlsec1_verify(doc: &str, node: &str, cert: &str) -> (bool, String) {
    let file = temp_file(doc);
    let out = Command::new("xmlsec1")
        .args(["--verify", "--pubkey-cert-pem", &fixture(cert).to_string_lossy()])
        .args(["--id-attr:ID", &format!("{SAML}:Assertion")])
        .args(["--id-attr:ID", &format!("{SAMLP}:Response")])
        .args(["--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor"])
        .args(["--node-xpath", &format!("//*[local-name()='{node}']/*[local-name()='Signature']")])
        .arg(file.path())
        .output()
        .expect("xmlsec1 runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success() && text.contains("OK"), text)
}

/// `xmlsec1 --decrypt` with the SP key; the decrypted document or xmlsec1's complaint.
pub fn xmlsec1_decrypt(doc: &str, key: &str) -> Result<String, String> {
    let file = temp_file(doc);
    let out = Command::new("xmlsec1")
        .args(["--decrypt", "--privkey-pem", &fixture(key).to_string_lossy()])
        .arg(file.path())
        .output()
        .expect("xmlsec1 runs");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}
