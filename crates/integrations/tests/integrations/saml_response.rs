//! The assertion consumer accepting what the reference implementation signed
//! and encrypted, and reading the login from it.

use chrono::Duration;
use integrations::saml::attributes::{self, Loa};
use integrations::saml::{ResponseError, consume_response, uri, validate_response};

use crate::fixtures::{self, FIXTURE_CPR, MemoryPending, MemoryReplay, at, b64, now, read};

#[test]
fn fk_response_with_signed_assertion_gives_the_login() {
    let (sp, idp) = (fixtures::fk_sp(), fixtures::fk_idp());
    let login = validate_response(&b64(&read("fk-assertion-signed.xml")), &idp, &sp, now()).unwrap().login;
    assert_eq!(login.issuer, "https://fk-idp.example/saml");
    assert_eq!(login.name_id, "C=DK,O=12345678,CN=Anna Admin,Serial=9f0b2c1e-3d4a-4b5c-8d6e-7f8091a2b3c4");
    assert_eq!(login.name_id_format.as_deref(), Some(uri::NAMEID_X509_SUBJECT));
    assert_eq!(login.session_index.as_deref(), Some("_fk-session-1"));
    assert_eq!(login.in_response_to, "_req1");
    assert_eq!(login.assertion_id, "_assert1");
    assert_eq!(login.not_on_or_after, Some(at("2026-03-02T18:00:00Z")));
    assert_eq!(login.attributes.get(attributes::names::SPEC_VERSION), Some("OIO-SAML-3.0"));
    assert_eq!(attributes::loa(&login), Some(Loa::Substantial));
    assert!(attributes::require_fk_assurance(&login).is_ok());

    let privileges = attributes::privileges(&login).unwrap();
    assert_eq!(privileges.len(), 4);
    let ours = attributes::privileges_for_cvr(&privileges, "12345678");
    let uris: Vec<_> = ours.iter().map(|p| p.privilege.as_str()).collect();
    assert_eq!(
        uris,
        [
            "http://valghalla.example/roles/usersystemrole/administrator/1",
            "http://valghalla.example/roles/usersystemrole/reader/1"
        ]
    );
    assert_eq!(ours[0].constraints.len(), 2);
    assert_eq!(ours[0].constraints[0].name, "http://valghalla.example/constraints/kle/1");
    assert_eq!(ours[0].constraints[0].value, "85.*");
}

#[test]
fn both_signed_and_rollover_key_are_accepted() {
    let (sp, idp) = (fixtures::fk_sp(), fixtures::fk_idp());
    for name in ["fk-both-signed.xml", "fk-assertion-signed-rollover.xml"] {
        let result = validate_response(&b64(&read(name)), &idp, &sp, now());
        assert!(result.is_ok(), "{name}: {result:?}");
    }
}

#[test]
fn response_signature_alone_suffices_when_so_configured() {
    let (mut sp, idp) = (fixtures::fk_sp(), fixtures::fk_idp());
    sp.require_signed_assertion = false;
    let login = validate_response(&b64(&read("fk-response-signed-only.xml")), &idp, &sp, now()).unwrap().login;
    assert_eq!(login.assertion_id, "_assert1");
}

#[test]
fn nemlogin_encrypted_assertions_decrypt_verify_and_read() {
    let (sp, idp) = (fixtures::nemlogin_sp(), fixtures::nemlogin_idp());
    for name in ["nemlogin-encrypted-aes256-gcm.xml", "nemlogin-encrypted-aes128-cbc.xml", "nemlogin-signed.xml"] {
        let login =
            validate_response(&b64(&read(name)), &idp, &sp, now()).unwrap_or_else(|e| panic!("{name}: {e}")).login;
        assert_eq!(login.name_id_format.as_deref(), Some(uri::NAMEID_PERSISTENT));
        assert_eq!(login.session_index.as_deref(), Some("_nl-session-1"));
        let person = attributes::nemlogin_identity(&login, Loa::Substantial).unwrap();
        assert_eq!(person.cpr.expose(), FIXTURE_CPR);
        assert_eq!(person.cpr_uuid.as_deref(), Some("urn:uuid:2f1c9a7e-6b5d-4c3e-8a1f-0e9d8c7b6a50"));
        assert_eq!(person.full_name.as_deref(), Some("Peter Testperson Ågård"));
        assert_eq!(person.loa, Loa::Substantial);
        // Nothing personal in Debug output (it may end up in a log line).
        let debug = format!("{login:?} {person:?}");
        assert!(!debug.contains(FIXTURE_CPR) && !debug.contains("5e0d2f8a"), "{debug}");
    }
}

#[test]
fn decryption_needs_our_key() {
    let (mut sp, idp) = (fixtures::nemlogin_sp(), fixtures::nemlogin_idp());
    sp.encryption = Some(fixtures::credential("evil"));
    let error = validate_response(&b64(&read("nemlogin-encrypted-aes256-gcm.xml")), &idp, &sp, now()).unwrap_err();
    assert!(matches!(error, ResponseError::Decryption(_)), "{error:?}");
}

#[test]
fn tampered_gcm_ciphertext_is_refused() {
    let (mut sp, idp) = (fixtures::nemlogin_sp(), fixtures::nemlogin_idp());
    sp.require_signed_response = false;
    // Without the Response signature (which would catch the change first), so
    // that the GCM tag is what must refuse it.
    let signed = read("nemlogin-encrypted-aes256-gcm.xml");
    let xml = signed.replacen(fixtures::slice(&signed, "<ds:Signature", "</ds:Signature>"), "", 1);
    // Flip one base64 character inside the content CipherValue (the last one).
    let at_value = xml.rfind("<xenc:CipherValue>").unwrap() + "<xenc:CipherValue>".len() + 10;
    let mut bytes = xml.into_bytes();
    bytes[at_value] = if bytes[at_value] == b'A' { b'B' } else { b'A' };
    let xml = String::from_utf8(bytes).unwrap();
    let error = validate_response(&b64(&xml), &idp, &sp, now()).unwrap_err();
    assert!(matches!(error, ResponseError::Decryption(_)), "{error:?}");
}

#[test]
fn clock_skew_is_allowed_but_small() {
    let (sp, idp) = (fixtures::fk_sp(), fixtures::fk_idp());
    let response = b64(&read("fk-assertion-signed.xml"));
    assert!(validate_response(&response, &idp, &sp, at("2026-03-02T10:05:30Z")).is_ok());
    assert!(validate_response(&response, &idp, &sp, at("2026-03-02T09:58:30Z")).is_ok());
    assert!(validate_response(&response, &idp, &sp, at("2026-03-02T10:06:00Z")).is_err());
}

#[test]
fn idp_error_status_is_reported_with_its_codes() {
    let (sp, idp) = (fixtures::fk_sp(), fixtures::fk_idp());
    let xml = read("fk-response-unsigned.xml").replace(
        r#"<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>"#,
        r#"<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"/></samlp:StatusCode>"#,
    );
    let error = validate_response(&b64(&xml), &idp, &sp, now()).unwrap_err();
    assert_eq!(
        error,
        ResponseError::Status {
            code: uri::STATUS_RESPONDER.into(),
            sub_code: Some("urn:oasis:names:tc:SAML:2.0:status:AuthnFailed".into())
        }
    );
}

#[tokio::test]
async fn consume_takes_the_pending_request_once() {
    let (sp, idp) = (fixtures::nemlogin_sp(), fixtures::nemlogin_idp());
    let pending = MemoryPending::with(&["_req2"]);
    let replay = MemoryReplay::default();
    let response = b64(&read("nemlogin-encrypted-aes256-gcm.xml"));
    let login = consume_response(&response, &idp, &sp, now(), &pending, &replay).await.unwrap();
    assert_eq!(login.in_response_to, "_req2");
    assert!(pending.requests.lock().unwrap().is_empty());
    let kept_until = replay.0.lock().unwrap()["_assert2"];
    assert_eq!(kept_until, at("2026-03-02T10:05:00Z") + Duration::seconds(60));
}

#[tokio::test]
async fn an_expired_pending_request_is_refused() {
    let (sp, idp) = (fixtures::fk_sp(), fixtures::fk_idp());
    let pending = MemoryPending::with(&["_req1"]);
    pending.requests.lock().unwrap().get_mut("_req1").unwrap().expires_at = at("2026-03-02T10:00:30Z");
    let error =
        consume_response(&b64(&read("fk-assertion-signed.xml")), &idp, &sp, now(), &pending, &MemoryReplay::default())
            .await
            .unwrap_err();
    assert_eq!(error, ResponseError::RequestExpired(at("2026-03-02T10:00:30Z")));
}
