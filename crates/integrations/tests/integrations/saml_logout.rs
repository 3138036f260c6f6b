//! Single logout both ways over the redirect binding, against messages the
//! IdP side signed with openssl.

use integrations::saml::{
    BindingError, IncomingLogoutRequest, LogoutError, LogoutRequest, LogoutResponseMessage, LogoutStatus, MessageKind,
    decode_redirect, uri,
};

use crate::fixtures::{self, at, certificate, read};

fn query(name: &str) -> String {
    read(name).trim().to_string()
}

#[test]
fn sp_initiated_logout_request_is_signed_and_addressed() {
    let (sp, idp) = (fixtures::nemlogin_sp(), fixtures::nemlogin_idp());
    let request = LogoutRequest::new(
        &sp,
        &idp,
        "https://data.gov.dk/model/core/eid/person/uuid/5e0d2f8a",
        Some(uri::NAMEID_PERSISTENT),
        Some("_nl-session-1"),
        at("2026-03-02T11:00:00Z"),
    )
    .unwrap();
    let url = request.redirect_url(&sp.signing, Some("bye")).unwrap();
    let (endpoint, query) = url.split_once('?').unwrap();
    assert_eq!(endpoint, "https://nemlogin-idp.example/slo/redirect");
    let message = decode_redirect(query, &[sp.signing.certificate().clone()]).unwrap();
    assert_eq!(message.kind, MessageKind::Request);
    for expected in [
        format!(r#"ID="{}""#, request.id),
        r#"Destination="https://nemlogin-idp.example/slo/redirect""#.into(),
        "<saml:Issuer>https://valghalla.example/saml/metadata</saml:Issuer>".into(),
        format!(
            r#"<saml:NameID Format="{}">https://data.gov.dk/model/core/eid/person/uuid/5e0d2f8a</saml:NameID>"#,
            uri::NAMEID_PERSISTENT
        ),
        "<samlp:SessionIndex>_nl-session-1</samlp:SessionIndex>".into(),
    ] {
        assert!(message.xml.contains(&expected), "missing {expected} in {}", message.xml);
    }
}

#[test]
fn logout_needs_a_redirect_slo_endpoint() {
    let (sp, mut idp) = (fixtures::nemlogin_sp(), fixtures::nemlogin_idp());
    idp.single_logout.clear();
    let error = LogoutRequest::new(&sp, &idp, "x", None, None, at("2026-03-02T11:00:00Z")).unwrap_err();
    assert_eq!(error, LogoutError::NoRedirectSlo);
}

#[test]
fn idp_logout_response_is_verified_and_matched_to_our_request() {
    let (sp, idp) = (fixtures::nemlogin_sp(), fixtures::nemlogin_idp());
    let q = query("idp-logout-response.query");
    let response = LogoutResponseMessage::from_redirect(&q, &idp, &sp, "_sp-logout-1").unwrap();
    assert!(response.is_success());
    assert_eq!(response.in_response_to, "_sp-logout-1");

    assert_eq!(
        LogoutResponseMessage::from_redirect(&q, &idp, &sp, "_sp-logout-2").unwrap_err(),
        LogoutError::InResponseTo
    );
    let mut evil_idp = idp.clone();
    evil_idp.signing_certificates = vec![certificate("evil")];
    assert_eq!(
        LogoutResponseMessage::from_redirect(&q, &evil_idp, &sp, "_sp-logout-1").unwrap_err(),
        LogoutError::Binding(BindingError::BadSignature)
    );
    let other_idp = fixtures::fk_idp();
    assert!(matches!(
        LogoutResponseMessage::from_redirect(&q, &other_idp, &sp, "_sp-logout-1"),
        Err(LogoutError::Issuer { .. })
    ));
}

#[test]
fn idp_initiated_logout_is_verified_and_answered() {
    let (sp, idp) = (fixtures::nemlogin_sp(), fixtures::nemlogin_idp());
    let now = at("2026-03-02T11:01:00Z");
    let incoming = IncomingLogoutRequest::from_redirect(&query("idp-logout-request.query"), &idp, &sp, now).unwrap();
    assert_eq!(incoming.id, "_idp-logout-1");
    assert_eq!(incoming.name_id, "https://data.gov.dk/model/core/eid/person/uuid/5e0d2f8a-1b3c-4d5e-9f60-718293a4b5c6");
    assert_eq!(incoming.session_indexes, ["_nl-session-1"]);
    assert_eq!(incoming.relay_state.as_deref(), Some("idp relay/42"));

    let answer = incoming.response(&sp, &idp, LogoutStatus::Success, now).unwrap();
    let url = answer.redirect_url(&sp.signing).unwrap();
    let (endpoint, q) = url.split_once('?').unwrap();
    assert_eq!(endpoint, "https://nemlogin-idp.example/slo/redirect/response");
    let message = decode_redirect(q, &[sp.signing.certificate().clone()]).unwrap();
    assert_eq!(message.kind, MessageKind::Response);
    assert_eq!(message.relay_state.as_deref(), Some("idp relay/42"));
    assert!(message.xml.contains(r#"InResponseTo="_idp-logout-1""#));
    assert!(message.xml.contains(uri::STATUS_SUCCESS));

    let denied = incoming.response(&sp, &idp, LogoutStatus::RequestDenied, now).unwrap().to_xml();
    assert!(denied.contains(uri::STATUS_REQUESTER) && denied.contains(uri::STATUS_REQUEST_DENIED));
}

#[test]
fn idp_initiated_logout_checks_time_destination_and_kind() {
    let (mut sp, idp) = (fixtures::nemlogin_sp(), fixtures::nemlogin_idp());
    let q = query("idp-logout-request.query");
    assert!(matches!(
        IncomingLogoutRequest::from_redirect(&q, &idp, &sp, at("2026-03-02T11:07:00Z")),
        Err(LogoutError::Expired(_))
    ));
    assert_eq!(
        IncomingLogoutRequest::from_redirect(
            &query("idp-logout-response.query"),
            &idp,
            &sp,
            at("2026-03-02T11:01:00Z")
        )
        .unwrap_err(),
        LogoutError::WrongMessage { expected: "LogoutRequest" }
    );
    sp.slo_url = "https://other.example/saml/slo".into();
    assert!(matches!(
        IncomingLogoutRequest::from_redirect(&q, &idp, &sp, at("2026-03-02T11:01:00Z")),
        Err(LogoutError::Destination { .. })
    ));
}
