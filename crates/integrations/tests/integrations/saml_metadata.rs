//! IdP metadata parsing and SP metadata generation.

use integrations::saml::{Binding, IdpMetadata, MetadataError, SignatureError, SpMetadata, uri};

use crate::fixtures::{self, at, certificate, read};

#[test]
fn fk_metadata_gives_entity_endpoints_and_both_signing_keys() {
    let idp = fixtures::fk_idp();
    assert_eq!(idp.entity_id, "https://fk-idp.example/saml");
    assert!(idp.want_authn_requests_signed);
    assert_eq!(idp.signing_certificates, vec![certificate("idp"), certificate("idp-rollover")]);
    assert_eq!(idp.encryption_certificates, vec![certificate("idp")]);
    assert_eq!(idp.sso_redirect_url(), "https://fk-idp.example/sso/redirect");
    assert!(idp.single_sign_on.iter().any(|e| e.binding == Binding::HttpPost));
    let slo = idp.slo_redirect().unwrap();
    assert_eq!(slo.location, "https://fk-idp.example/slo/redirect");
    assert_eq!(slo.response_location.as_deref(), Some("https://fk-idp.example/slo/redirect/response"));
}

#[test]
fn metadata_without_signing_certificate_is_refused_with_a_clear_message() {
    let error = IdpMetadata::from_xml(&read("idp-metadata-without-signing-cert.xml")).unwrap_err();
    assert_eq!(error, MetadataError::NoSigningCertificate { entity_id: "https://fk-idp.example/saml".into() });
    let message = error.to_string();
    assert!(message.contains("https://fk-idp.example/saml"), "{message}");
    assert!(message.contains("no signing certificate"), "{message}");
}

#[test]
fn key_descriptor_without_use_counts_for_signing() {
    let xml = read("idp-metadata-without-signing-cert.xml").replace(r#"use="encryption""#, "");
    let idp = IdpMetadata::from_xml(&xml).unwrap();
    assert_eq!(idp.signing_certificates, vec![certificate("idp")]);
}

#[test]
fn signed_metadata_verifies_against_the_pinned_certificate_only() {
    let xml = read("nemlogin-idp-metadata-signed.xml");
    let idp = IdpMetadata::from_signed_xml(&xml, &[certificate("idp")]).unwrap();
    assert_eq!(idp.entity_id, "https://nemlogin-idp.example/saml");

    let wrong_key = IdpMetadata::from_signed_xml(&xml, &[certificate("evil")]).unwrap_err();
    assert!(matches!(wrong_key, MetadataError::Signature(SignatureError::Invalid(_))), "{wrong_key:?}");

    let tampered = xml.replace("https://nemlogin-idp.example/sso/redirect", "https://evil.example/sso");
    let error = IdpMetadata::from_signed_xml(&tampered, &[certificate("idp")]).unwrap_err();
    assert!(matches!(error, MetadataError::Signature(SignatureError::Invalid(_))), "{error:?}");

    let unsigned = IdpMetadata::from_signed_xml(&read("nemlogin-idp-metadata.xml"), &[certificate("idp")]);
    assert_eq!(unsigned.unwrap_err(), MetadataError::Signature(SignatureError::Missing));
}

#[test]
fn other_documents_are_not_metadata() {
    assert_eq!(IdpMetadata::from_xml("<x/>").unwrap_err(), MetadataError::NotEntityDescriptor);
    assert!(matches!(IdpMetadata::from_xml("<not xml"), Err(MetadataError::Xml(_))));
}

#[test]
fn metadata_without_redirect_sso_is_refused() {
    let xml = read("nemlogin-idp-metadata.xml").replace(
        r#"Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://nemlogin-idp.example/sso/redirect""#,
        r#"Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact" Location="https://nemlogin-idp.example/sso/artifact""#,
    );
    assert!(matches!(IdpMetadata::from_xml(&xml), Err(MetadataError::NoRedirectSso { .. })));
}

#[test]
fn entities_descriptor_with_one_idp_is_accepted() {
    let inner = read("nemlogin-idp-metadata.xml");
    let inner = inner.trim_start_matches(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let xml = format!(
        r#"<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" validUntil="2026-06-01T00:00:00Z">{inner}</md:EntitiesDescriptor>"#
    );
    let idp = IdpMetadata::from_xml(&xml).unwrap();
    assert_eq!(idp.entity_id, "https://nemlogin-idp.example/saml");
    assert!(idp.check_valid_at(at("2026-05-31T00:00:00Z")).is_ok());
    assert!(matches!(idp.check_valid_at(at("2026-06-01T00:00:00Z")), Err(MetadataError::Expired(_))));
}

#[test]
fn sp_metadata_lists_endpoints_keys_and_formats() {
    let mut sp = fixtures::nemlogin_sp();
    sp.name_id_format = Some(uri::NAMEID_PERSISTENT.into());
    let mut metadata = SpMetadata::for_sp(&sp);
    metadata.technical_contact = Some("drift@valghalla.example".into());
    let xml = metadata.to_xml();
    for expected in [
        r#"entityID="https://valghalla.example/saml/metadata""#,
        r#"<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://valghalla.example/saml/acs""#,
        r#"<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://valghalla.example/saml/slo""#,
        r#"<md:KeyDescriptor use="signing">"#,
        r#"<md:KeyDescriptor use="encryption">"#,
        "<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>",
        r#"AuthnRequestsSigned="true" WantAssertionsSigned="true""#,
        "drift@valghalla.example",
    ] {
        assert!(xml.contains(expected), "missing {expected} in {xml}");
    }
    assert!(xml.contains(&sp.signing.certificate().to_base64()));
    let signed = metadata.to_signed_xml(&sp.signing).unwrap();
    assert!(signed.contains("<ds:SignatureValue>") || signed.contains("SignatureValue>"));
}
