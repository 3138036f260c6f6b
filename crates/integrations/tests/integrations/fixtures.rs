//! Shared test data: the xmlsec1-made fixtures and the settings they were made for.

#![allow(dead_code)]

use chrono::{DateTime, Utc};
use integrations::saml::{Certificate, Credential, IdpMetadata, ServiceProvider};

pub const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/saml");

pub fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn credential(name: &str) -> Credential {
    Credential::from_pem(&read(&format!("{name}-key.pem")), &read(&format!("{name}-cert.pem"))).unwrap()
}

pub fn certificate(name: &str) -> Certificate {
    Certificate::from_pem(&read(&format!("{name}-cert.pem"))).unwrap()
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

/// One minute into the fixtures' five-minute validity window.
pub fn now() -> DateTime<Utc> {
    at("2026-03-02T10:01:00Z")
}

/// The admin app of the test tenant, as the FK fixtures were addressed.
pub fn fk_sp() -> ServiceProvider {
    ServiceProvider::new(
        "https://admin.valghalla.example/saml/metadata",
        "https://admin.valghalla.example/admin/saml/acs",
        "https://admin.valghalla.example/admin/saml/slo",
        credential("sp"),
    )
}

/// The portal of the test tenant, as the NemLog-in fixtures were addressed.
pub fn nemlogin_sp() -> ServiceProvider {
    let mut sp = ServiceProvider::new(
        "https://valghalla.example/saml/metadata",
        "https://valghalla.example/saml/acs",
        "https://valghalla.example/saml/slo",
        credential("sp"),
    );
    sp.require_signed_response = true;
    sp
}

pub fn fk_idp() -> IdpMetadata {
    IdpMetadata::from_xml(&read("fk-idp-metadata.xml")).unwrap()
}

pub fn nemlogin_idp() -> IdpMetadata {
    IdpMetadata::from_xml(&read("nemlogin-idp-metadata.xml")).unwrap()
}

pub fn b64(xml: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(xml)
}

/// Pending requests in memory. `take` removes the entry unless `keep` is set,
/// which models a store that forgets to consume (to test the replay cache alone).
#[derive(Default)]
pub struct MemoryPending {
    pub requests: std::sync::Mutex<std::collections::HashMap<String, integrations::saml::PendingRequest>>,
    pub keep: bool,
}

impl MemoryPending {
    pub fn with(ids: &[&str]) -> Self {
        let pending = MemoryPending::default();
        for id in ids {
            pending.requests.lock().unwrap().insert(
                id.to_string(),
                integrations::saml::PendingRequest {
                    id: id.to_string(),
                    created_at: at("2026-03-02T09:59:30Z"),
                    expires_at: at("2026-03-02T10:09:30Z"),
                },
            );
        }
        pending
    }
}

impl integrations::saml::PendingRequests for MemoryPending {
    async fn take(
        &self,
        request_id: &str,
    ) -> Result<Option<integrations::saml::PendingRequest>, integrations::saml::StoreError> {
        let mut requests = self.requests.lock().unwrap();
        Ok(if self.keep { requests.get(request_id).cloned() } else { requests.remove(request_id) })
    }
}

/// Replay cache in memory.
#[derive(Default)]
pub struct MemoryReplay(pub std::sync::Mutex<std::collections::HashMap<String, DateTime<Utc>>>);

impl integrations::saml::ReplayCache for MemoryReplay {
    async fn remember(
        &self,
        assertion_id: &str,
        keep_until: DateTime<Utc>,
    ) -> Result<bool, integrations::saml::StoreError> {
        let mut seen = self.0.lock().unwrap();
        if seen.contains_key(assertion_id) {
            return Ok(false);
        }
        seen.insert(assertion_id.to_string(), keep_until);
        Ok(true)
    }
}

/// The text of the first element starting with `open` (e.g. `<saml:Assertion `)
/// up to and including `close`, for cutting attack variants out of signed files.
pub fn slice<'a>(xml: &'a str, open: &str, close: &str) -> &'a str {
    let start = xml.find(open).unwrap_or_else(|| panic!("no {open}"));
    let end = xml[start..].find(close).unwrap_or_else(|| panic!("no {close}")) + start + close.len();
    &xml[start..end]
}

/// The CPR number in the NemLog-in fixtures: must never appear in an error.
pub const FIXTURE_CPR: &str = "0101709995";
