//! Our XML signatures checked by the independent reference implementation,
//! the `xmlsec1` command (Debian package `xmlsec1`). Skipped, visibly, where it
//! is not installed.

use std::path::Path;
use std::process::Command;

use integrations::saml::{SpMetadata, uri};

use crate::fixtures::{self, DIR};

fn xmlsec1_verify(file: &Path) -> Option<bool> {
    let output = Command::new("xmlsec1")
        .args(["--verify", "--pubkey-cert-pem", &format!("{DIR}/sp-cert.pem")])
        .args(["--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor"])
        .arg(file)
        .output()
        .ok()?;
    Some(output.status.success())
}

#[test]
fn our_signed_sp_metadata_verifies_with_xmlsec1() {
    if Command::new("xmlsec1").arg("--version").output().is_err() {
        eprintln!(
            "SKIPPED our_signed_sp_metadata_verifies_with_xmlsec1: xmlsec1 is not on PATH (apt-get install xmlsec1)"
        );
        return;
    }
    let mut sp = fixtures::nemlogin_sp();
    sp.name_id_format = Some(uri::NAMEID_PERSISTENT.into());
    let signed = SpMetadata::for_sp(&sp).to_signed_xml(&sp.signing).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("metadata.xml");
    std::fs::write(&good, &signed).unwrap();
    assert_eq!(xmlsec1_verify(&good), Some(true), "xmlsec1 refused our signature:\n{signed}");

    // Control: xmlsec1 does refuse a changed document, so the pass above means something.
    let bad = dir.path().join("tampered.xml");
    std::fs::write(&bad, signed.replace("https://valghalla.example/saml/acs", "https://evil.example/acs")).unwrap();
    assert_eq!(xmlsec1_verify(&bad), Some(false));
}
