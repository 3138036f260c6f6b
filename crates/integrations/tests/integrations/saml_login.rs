//! SP-initiated login (AuthnRequest over the HTTP-Redirect binding) and the
//! redirect binding's signatures, checked against openssl both ways.

use std::process::Command;

use chrono::Duration;
use integrations::saml::{AuthnRequest, BindingError, MessageKind, RequestedLoa, decode_redirect};

use crate::fixtures::{self, DIR, certificate, now, read};

#[test]
fn authn_request_goes_to_the_redirect_sso_signed_and_complete() {
    let mut sp = fixtures::nemlogin_sp();
    sp.requested_loa = Some(RequestedLoa::Substantial);
    let idp = fixtures::nemlogin_idp();
    let request = AuthnRequest::new(&sp, &idp, now());
    let url = request.redirect_url(&sp.signing, Some("/mine-opgaver")).unwrap();
    let (endpoint, query) = url.split_once('?').unwrap();
    assert_eq!(endpoint, "https://nemlogin-idp.example/sso/redirect");

    let message = decode_redirect(query, &[sp.signing.certificate().clone()]).unwrap();
    assert_eq!(message.kind, MessageKind::Request);
    assert_eq!(message.relay_state.as_deref(), Some("/mine-opgaver"));
    for expected in [
        format!(r#"ID="{}""#, request.id),
        r#"Version="2.0""#.to_string(),
        r#"IssueInstant="2026-03-02T10:01:00Z""#.to_string(),
        r#"Destination="https://nemlogin-idp.example/sso/redirect""#.to_string(),
        r#"AssertionConsumerServiceURL="https://valghalla.example/saml/acs""#.to_string(),
        r#"ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST""#.to_string(),
        "<saml:Issuer>https://valghalla.example/saml/metadata</saml:Issuer>".to_string(),
        r#"<samlp:RequestedAuthnContext Comparison="minimum"><saml:AuthnContextClassRef>https://data.gov.dk/concept/core/nsis/loa/Substantial</saml:AuthnContextClassRef>"#.to_string(),
    ] {
        assert!(message.xml.contains(&expected), "missing {expected} in {}", message.xml);
    }

    let pending = request.pending(Duration::minutes(10));
    assert_eq!(pending.id, request.id);
    assert_eq!(pending.expires_at, now() + Duration::minutes(10));
}

#[test]
fn request_ids_are_fresh() {
    let (sp, idp) = (fixtures::fk_sp(), fixtures::fk_idp());
    assert_ne!(AuthnRequest::new(&sp, &idp, now()).id, AuthnRequest::new(&sp, &idp, now()).id);
}

#[test]
fn openssl_signed_idp_message_verifies_and_tampering_does_not() {
    let query = read("idp-logout-request.query");
    let query = query.trim();
    let message = decode_redirect(query, &[certificate("idp")]).unwrap();
    assert_eq!(message.relay_state.as_deref(), Some("idp relay/42"));
    assert!(message.xml.contains(r#"ID="_idp-logout-1""#));

    // The rollover key is listed too: any trusted key may have signed.
    assert!(decode_redirect(query, &[certificate("idp-rollover"), certificate("idp")]).is_ok());
    assert_eq!(decode_redirect(query, &[certificate("evil")]).unwrap_err(), BindingError::BadSignature);
    let tampered = query.replace("RelayState=idp%20relay", "RelayState=evil%20relay");
    assert_eq!(decode_redirect(&tampered, &[certificate("idp")]).unwrap_err(), BindingError::BadSignature);
    let without_relay: String =
        query.split('&').filter(|p| !p.starts_with("RelayState=")).collect::<Vec<_>>().join("&");
    assert_eq!(decode_redirect(&without_relay, &[certificate("idp")]).unwrap_err(), BindingError::BadSignature);
}

/// Our redirect signature must verify with openssl over the exact query octets.
#[test]
fn our_redirect_signature_verifies_with_openssl() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("SKIPPED: openssl is not on PATH");
        return;
    }
    let (sp, idp) = (fixtures::fk_sp(), fixtures::fk_idp());
    let url = AuthnRequest::new(&sp, &idp, now()).redirect_url(&sp.signing, Some("x y")).unwrap();
    let query = url.split_once('?').unwrap().1;
    let (signed, signature) = query.split_once("&Signature=").unwrap();
    let signature = integrations_test_decode(signature);

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sig = dir.path().join("sig");
    let public = dir.path().join("pub.pem");
    std::fs::write(&data, signed).unwrap();
    std::fs::write(&sig, signature).unwrap();
    let pubkey = Command::new("openssl")
        .args(["x509", "-pubkey", "-noout", "-in", &format!("{DIR}/sp-cert.pem")])
        .output()
        .unwrap();
    std::fs::write(&public, pubkey.stdout).unwrap();
    let verify = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(&public)
        .arg("-signature")
        .arg(&sig)
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&verify.stdout).trim(), "Verified OK");
}

fn integrations_test_decode(value: &str) -> Vec<u8> {
    use base64::Engine as _;
    let mut text = String::new();
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            text.push(u8::from_str_radix(&value[i + 1..i + 3], 16).unwrap() as char);
            i += 3;
        } else {
            text.push(bytes[i] as char);
            i += 1;
        }
    }
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}
