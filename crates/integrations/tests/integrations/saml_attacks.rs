//! The security tests of issue 3 point 7 that belong to the SP core. Each
//! starts from a message signed by xmlsec1 and shows that the defence named in
//! the test refuses it; where a configuration switch turns a defence off, the
//! same message is shown to pass without it.

use chrono::Duration;
use integrations::saml::attributes::{self, Loa};
use integrations::saml::{
    AttributeError, IdpMetadata, MetadataError, ResponseError, SignatureError, consume_response, validate_response,
};

use crate::fixtures::{self, FIXTURE_CPR, MemoryPending, MemoryReplay, at, b64, certificate, now, read, slice};

fn fk(xml: &str) -> Result<integrations::saml::Login, ResponseError> {
    validate_response(&b64(xml), &fixtures::fk_idp(), &fixtures::fk_sp(), now()).map(|v| v.login)
}

fn signed_assertion(xml: &str) -> &str {
    slice(xml, "<saml:Assertion ", "</saml:Assertion>")
}

/// An unsigned copy of the signed assertion with another identity.
fn evil_assertion(xml: &str, id: &str) -> String {
    let genuine = signed_assertion(xml);
    let signature = slice(genuine, "<ds:Signature", "</ds:Signature>");
    genuine
        .replace(signature, "")
        .replace(r#"ID="_assert1""#, &format!(r#"ID="{id}""#))
        .replace("CN=Anna Admin", "CN=Mallory")
}

fn is_signature_error(result: &Result<integrations::saml::Login, ResponseError>) -> bool {
    matches!(result, Err(ResponseError::Signature { .. }))
}

#[test]
fn unsigned_response_is_refused() {
    let xml = read("fk-response-unsigned.xml");
    assert_eq!(fk(&xml).unwrap_err(), ResponseError::AssertionNotSigned);
    // Even with the assertion-signature requirement off, no signature at all fails.
    let (mut sp, idp) = (fixtures::fk_sp(), fixtures::fk_idp());
    sp.require_signed_assertion = false;
    let error = validate_response(&b64(&xml), &idp, &sp, now()).unwrap_err();
    assert_eq!(error, ResponseError::Signature { element: "Assertion", source: SignatureError::Missing });
}

#[test]
fn signed_response_with_unsigned_assertion_is_refused_when_assertion_signature_required() {
    let xml = read("fk-response-signed-only.xml");
    assert_eq!(fk(&xml).unwrap_err(), ResponseError::AssertionNotSigned);
    // The requirement is the defence: without it the same message passes.
    let (mut sp, idp) = (fixtures::fk_sp(), fixtures::fk_idp());
    sp.require_signed_assertion = false;
    assert!(validate_response(&b64(&xml), &idp, &sp, now()).is_ok());
}

#[test]
fn unsigned_response_is_refused_where_response_signature_required() {
    let (mut sp, idp) = (fixtures::fk_sp(), fixtures::fk_idp());
    sp.require_signed_response = true;
    let error = validate_response(&b64(&read("fk-assertion-signed.xml")), &idp, &sp, now()).unwrap_err();
    assert_eq!(error, ResponseError::ResponseNotSigned);
}

#[test]
fn wrong_key_is_refused() {
    // The genuine message against metadata that trusts another key.
    let mut idp = fixtures::fk_idp();
    idp.signing_certificates = vec![certificate("evil")];
    let result = validate_response(&b64(&read("fk-assertion-signed.xml")), &idp, &fixtures::fk_sp(), now());
    assert!(matches!(&result, Err(ResponseError::Signature { source: SignatureError::Invalid(_), .. })), "{result:?}");
    // The attacker's own signature with the attacker's certificate in KeyInfo.
    let result = fk(&read("fk-assertion-signed-evilkey.xml"));
    assert!(matches!(&result, Err(ResponseError::Signature { source: SignatureError::Invalid(_), .. })), "{result:?}");
}

#[test]
fn rsa_sha1_signature_is_refused() {
    let result = fk(&read("fk-assertion-signed-rsa-sha1.xml"));
    assert!(is_signature_error(&result), "{result:?}");
}

#[test]
fn attribute_changed_after_signing_is_refused() {
    let xml = read("fk-assertion-signed.xml");
    let changed = xml.replace(
        r#"<saml:AttributeValue xsi:type="xs:string">3</saml:AttributeValue>"#,
        r#"<saml:AttributeValue xsi:type="xs:string">4</saml:AttributeValue>"#,
    );
    assert_ne!(changed, xml);
    let result = fk(&changed);
    assert!(
        matches!(&result, Err(ResponseError::Signature { element: "Assertion", source: SignatureError::Invalid(_) })),
        "{result:?}"
    );
}

#[test]
fn other_signed_fields_changed_after_signing_are_refused() {
    let xml = read("fk-assertion-signed.xml");
    for (from, to) in [
        ("CN=Anna Admin", "CN=Mallory"),
        (
            "<saml:Audience>https://admin.valghalla.example/saml/metadata",
            "<saml:Audience>https://admin.valghalla.example/saml/metadata ",
        ),
        (
            r#"Conditions NotBefore="2026-03-02T09:59:00Z" NotOnOrAfter="2026-03-02T10:05:00Z""#,
            r#"Conditions NotBefore="2026-03-02T09:59:00Z" NotOnOrAfter="2027-03-02T10:05:00Z""#,
        ),
        (
            "<saml:Issuer>https://fk-idp.example/saml</saml:Issuer>\n    <ds:Signature",
            "<saml:Issuer>https://fk-idp.example/saml/</saml:Issuer>\n    <ds:Signature",
        ),
    ] {
        let changed = xml.replacen(from, to, 1);
        assert_ne!(changed, xml, "{from}");
        assert!(is_signature_error(&fk(&changed)), "{from}");
    }
}

#[test]
fn cpr_changed_after_signing_is_refused_and_not_echoed() {
    let xml = read("nemlogin-signed.xml").replace(FIXTURE_CPR, "0202809995");
    let error = validate_response(&b64(&xml), &fixtures::nemlogin_idp(), &fixtures::nemlogin_sp(), now()).unwrap_err();
    assert!(matches!(error, ResponseError::Signature { .. }), "{error:?}");
    let text = format!("{error} {error:?}");
    assert!(!text.contains("0202809995") && !text.contains(FIXTURE_CPR), "{text}");
}

#[test]
fn comment_in_name_id_does_not_truncate_it() {
    // exc-c14n drops comments, so the signature stays valid (CVE-2017-11427 class).
    let xml = read("fk-assertion-signed.xml").replace("CN=Anna Admin", "CN=Anna <!---->Admin");
    let login = fk(&xml).unwrap();
    assert_eq!(login.name_id, "C=DK,O=12345678,CN=Anna Admin,Serial=9f0b2c1e-3d4a-4b5c-8d6e-7f8091a2b3c4");
}

#[test]
fn xsw_evil_assertion_before_the_signed_one_is_refused() {
    let xml = read("fk-assertion-signed.xml");
    let genuine = signed_assertion(&xml);
    let attack = xml.replacen(genuine, &format!("{}{genuine}", evil_assertion(&xml, "_evil")), 1);
    assert_eq!(fk(&attack).unwrap_err(), ResponseError::AssertionCount { assertions: 2, encrypted: 0 });
}

#[test]
fn xsw_signed_assertion_moved_under_extensions_is_refused() {
    let xml = read("fk-assertion-signed.xml");
    let genuine = signed_assertion(&xml);
    for evil_id in ["_evil", "_assert1"] {
        let attack = xml.replacen(genuine, &evil_assertion(&xml, evil_id), 1).replacen(
            "</saml:Issuer>",
            &format!("</saml:Issuer><samlp:Extensions>{genuine}</samlp:Extensions>"),
            1,
        );
        assert_eq!(
            fk(&attack).unwrap_err(),
            ResponseError::AssertionCount { assertions: 2, encrypted: 0 },
            "{evil_id}"
        );
    }
    // Only the moved assertion, nothing in its place: not where we read it.
    let moved_only = xml.replacen(genuine, "", 1).replacen(
        "</saml:Issuer>",
        &format!("</saml:Issuer><samlp:Extensions>{genuine}</samlp:Extensions>"),
        1,
    );
    assert_eq!(fk(&moved_only).unwrap_err(), ResponseError::AssertionPlacement);
}

#[test]
fn xsw_evil_assertion_in_signed_response_extensions_is_refused() {
    let xml = read("fk-both-signed.xml");
    let attack = xml.replacen(
        "</ds:Signature>\n  <samlp:Status>",
        &format!(
            "</ds:Signature><samlp:Extensions>{}</samlp:Extensions>\n  <samlp:Status>",
            evil_assertion(&xml, "_evil")
        ),
        1,
    );
    assert_ne!(attack, xml);
    assert!(fk(&attack).is_err());
}

#[test]
fn xsw_signed_assertion_inside_signature_object_is_refused() {
    let xml = read("fk-assertion-signed.xml");
    let genuine = signed_assertion(&xml);
    let signature = slice(genuine, "<ds:Signature", "</ds:Signature>");
    for evil_id in ["_assert1", "_evil"] {
        let wrapped_signature =
            signature.replace("</ds:Signature>", &format!("<ds:Object>{genuine}</ds:Object></ds:Signature>"));
        let evil = genuine
            .replace(signature, &wrapped_signature)
            .replacen(r#"ID="_assert1""#, &format!(r#"ID="{evil_id}""#), 1)
            .replacen("CN=Anna Admin", "CN=Mallory", 1);
        let attack = xml.replacen(genuine, &evil, 1);
        assert!(fk(&attack).is_err(), "{evil_id}");
    }
}

#[test]
fn xsw_duplicate_ids_are_refused() {
    let xml = read("fk-assertion-signed.xml");
    let genuine = signed_assertion(&xml);
    let attack = xml.replacen(genuine, &format!("{}{genuine}", evil_assertion(&xml, "_assert1")), 1);
    assert!(fk(&attack).is_err());
}

#[test]
fn xsw_whole_response_wrapped_in_an_evil_response_is_refused() {
    let xml = read("fk-both-signed.xml");
    let inner = xml.trim_start_matches(r#"<?xml version="1.0" encoding="UTF-8"?>"#).trim();
    let evil = evil_assertion(&xml, "_evil");
    let attack = format!(
        r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_evilresp" Version="2.0" IssueInstant="2026-03-02T10:00:00Z" Destination="https://admin.valghalla.example/admin/saml/acs" InResponseTo="_req1"><saml:Issuer>https://fk-idp.example/saml</saml:Issuer><samlp:Extensions>{inner}</samlp:Extensions><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>{evil}</samlp:Response>"#
    );
    assert!(fk(&attack).is_err());
}

#[test]
fn expired_assertion_is_refused() {
    let result = validate_response(
        &b64(&read("fk-assertion-signed.xml")),
        &fixtures::fk_idp(),
        &fixtures::fk_sp(),
        at("2026-03-02T10:07:00Z"),
    );
    assert!(matches!(result, Err(ResponseError::Expired { .. })), "{result:?}");
}

#[test]
fn not_yet_valid_assertion_is_refused() {
    let result = validate_response(
        &b64(&read("fk-assertion-signed.xml")),
        &fixtures::fk_idp(),
        &fixtures::fk_sp(),
        at("2026-03-02T09:57:00Z"),
    );
    assert!(matches!(result, Err(ResponseError::NotYetValid { element: "Conditions", .. })), "{result:?}");
}

#[test]
fn wrong_audience_is_refused() {
    let (mut sp, idp) = (fixtures::fk_sp(), fixtures::fk_idp());
    sp.entity_id = "https://other-tenant.valghalla.example/saml/metadata".into();
    let error = validate_response(&b64(&read("fk-assertion-signed.xml")), &idp, &sp, now()).unwrap_err();
    assert_eq!(error, ResponseError::Audience);
}

#[test]
fn wrong_destination_is_refused() {
    let (mut sp, idp) = (fixtures::fk_sp(), fixtures::fk_idp());
    sp.acs_url = "https://other-tenant.valghalla.example/admin/saml/acs".into();
    let error = validate_response(&b64(&read("fk-assertion-signed.xml")), &idp, &sp, now()).unwrap_err();
    assert_eq!(error, ResponseError::Destination { found: "https://admin.valghalla.example/admin/saml/acs".into() });
}

#[test]
fn wrong_recipient_is_refused() {
    // The unsigned Response's Destination is re-addressed to another SP, whose
    // ACS it then matches; the signed Recipient still names the original one.
    let other = "https://other-tenant.valghalla.example/admin/saml/acs";
    let xml = read("fk-assertion-signed.xml").replacen(
        r#"Destination="https://admin.valghalla.example/admin/saml/acs""#,
        &format!(r#"Destination="{other}""#),
        1,
    );
    let (mut sp, idp) = (fixtures::fk_sp(), fixtures::fk_idp());
    sp.acs_url = other.into();
    let error = validate_response(&b64(&xml), &idp, &sp, now()).unwrap_err();
    assert_eq!(
        error,
        ResponseError::Recipient { found: Some("https://admin.valghalla.example/admin/saml/acs".into()) }
    );
}

#[test]
fn response_in_response_to_must_match_the_signed_confirmation() {
    let xml = read("fk-assertion-signed.xml").replacen(r#"InResponseTo="_req1""#, r#"InResponseTo="_req9""#, 1);
    assert_eq!(fk(&xml).unwrap_err(), ResponseError::ConfirmationInResponseTo);
}

#[tokio::test]
async fn unknown_in_response_to_is_refused() {
    let (sp, idp) = (fixtures::fk_sp(), fixtures::fk_idp());
    let pending = MemoryPending::with(&["_some-other-request"]);
    let error =
        consume_response(&b64(&read("fk-assertion-signed.xml")), &idp, &sp, now(), &pending, &MemoryReplay::default())
            .await
            .unwrap_err();
    assert_eq!(error, ResponseError::UnknownInResponseTo);
}

#[tokio::test]
async fn replayed_response_is_refused() {
    let (sp, idp) = (fixtures::fk_sp(), fixtures::fk_idp());
    let response = b64(&read("fk-assertion-signed.xml"));
    let replay = MemoryReplay::default();

    // The pending request is taken by the first use: a replay finds none.
    let pending = MemoryPending::with(&["_req1"]);
    consume_response(&response, &idp, &sp, now(), &pending, &replay).await.unwrap();
    let error = consume_response(&response, &idp, &sp, now(), &pending, &replay).await.unwrap_err();
    assert_eq!(error, ResponseError::UnknownInResponseTo);

    // Even if the request store failed to consume, the assertion ID was
    // remembered: the replay cache alone refuses the second use.
    let keeping = MemoryPending { keep: true, ..MemoryPending::with(&["_req1"]) };
    let later = now() + Duration::seconds(30);
    let error = consume_response(&response, &idp, &sp, later, &keeping, &replay).await.unwrap_err();
    assert_eq!(error, ResponseError::Replayed);
}

#[test]
fn loa_low_from_nemlogin_is_refused() {
    let login = validate_response(
        &b64(&read("nemlogin-signed-loa-low.xml")),
        &fixtures::nemlogin_idp(),
        &fixtures::nemlogin_sp(),
        now(),
    )
    .unwrap()
    .login;
    assert_eq!(attributes::loa(&login), Some(Loa::Low));
    let refused = AttributeError::LoaTooLow { found: "Low", required: "Substantial" };
    assert_eq!(attributes::require_loa(&login, Loa::Substantial).unwrap_err(), refused);
    assert_eq!(attributes::nemlogin_identity(&login, Loa::Substantial).unwrap_err(), refused);
    // Low is the only thing wrong with it.
    assert!(attributes::nemlogin_identity(&login, Loa::Low).is_ok());
}

#[test]
fn privilege_scoped_to_another_cvr_gives_nothing() {
    let login = fk(&read("fk-assertion-signed.xml")).unwrap();
    let all = attributes::privileges(&login).unwrap();
    let other = attributes::privileges_for_cvr(&all, "87654321");
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].privilege, "http://valghalla.example/roles/usersystemrole/secretariat/1");
    // The secretariat privilege exists only for the other CVR and an SE number:
    // our tenant must not get it.
    assert!(attributes::privileges_for_cvr(&all, "12345678").iter().all(|p| !p.privilege.ends_with("/secretariat/1")));
    assert!(attributes::privileges_for_cvr(&all, "11223344").is_empty());
}

#[test]
fn idp_metadata_without_signing_certificate_is_refused() {
    let error = IdpMetadata::from_xml(&read("idp-metadata-without-signing-cert.xml")).unwrap_err();
    assert!(matches!(error, MetadataError::NoSigningCertificate { .. }));
}
