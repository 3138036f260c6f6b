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
