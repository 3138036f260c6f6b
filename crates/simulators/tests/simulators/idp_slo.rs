//! Single logout both ways over the HTTP-Redirect binding.

use base64::Engine as _;
use rsa::pkcs8::DecodePublicKey as _;
use serde_json::json;
use simulators::idp::Flavour;

use super::support::*;

/// Split a redirect Location into its target and raw query.
fn split(location: &str) -> (&str, &str) {
    location.split_once('?').expect("a query")
}

/// Check the IdP's redirect signature with the IdP certificate, by hand (openssl-style:
/// RSA-SHA256 over `SAMLResponse=…[&RelayState=…]&SigAlg=…` as received).
fn verify_idp_redirect(query: &str, param: &str, cert: &str) -> bool {
    let get = |name: &str| {
        query.split('&').find_map(|kv| kv.split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v.to_owned()))
    };
    let mut octets = format!("{param}={}", get(param).unwrap());
    if let Some(relay) = get("RelayState") {
        octets += &format!("&RelayState={relay}");
    }
    octets += &format!("&SigAlg={}", get("SigAlg").unwrap());
    assert_eq!(dec(&get("SigAlg").unwrap()), "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
    let signature = base64::engine::general_purpose::STANDARD.decode(dec(&get("Signature").unwrap())).unwrap();
    let spki = cert_spki(cert);
    let key = rsa::PublicKey::from_public_key_der(&spki).unwrap();
    key.pkcs1v15_verify::<rsa::sha2::Sha256>(octets.as_bytes(), &signature).is_ok()
}

/// SubjectPublicKeyInfo of a fixture certificate (the simulator's small DER helper, which
/// its own unit tests check against every fixture certificate).
fn cert_spki(cert: &str) -> Vec<u8> {
    let pem = read_fixture(cert);
    simulators::idp::crypto::spki_from_cert(&simulators::idp::crypto::pem_to_der(&pem, "CERTIFICATE").unwrap()).unwrap()
}

#[tokio::test]
async fn sp_initiated_logout_gets_a_signed_logout_response() {
    let (base, idp) = start(Flavour::Fk).await;
    let (posted, _) = sign_in(&base, Flavour::Fk, "admin").await;
    let r = xml(&posted.xml);
    let a = r.child(SAML, "Assertion").unwrap();
    let name_id = a.descendants(SAML, "NameID")[0].text.clone();
    let session_index = a.child(SAML, "AuthnStatement").unwrap().attr("SessionIndex").unwrap().to_owned();

    let slo = format!("{base}/fk/slo");
    let request = logout_request_xml("_logout1", &slo, &name_id, &session_index);
    let query = redirect_query("SAMLRequest", &request, Some("/farvel"), Some(&read_fixture("sp-key.pem")));
    let resp = client().get(format!("{slo}?{query}")).send().await.unwrap();
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let (target, q) = split(&location);
    assert_eq!(target, SP_SLO);
    assert!(verify_idp_redirect(q, "SAMLResponse", "idp-cert.pem"), "signed by the IdP key");
    assert!(!verify_idp_redirect(q, "SAMLResponse", "evil-cert.pem"));
    let relay = q.split('&').find_map(|kv| kv.strip_prefix("RelayState=")).unwrap();
    assert_eq!(dec(relay), "/farvel");
    let saml = q.split('&').find_map(|kv| kv.strip_prefix("SAMLResponse=")).unwrap();
    let response = xml(&inflate_b64(&dec(saml)));
    assert!(response.is(SAMLP, "LogoutResponse"));
    assert_eq!(response.attr("InResponseTo"), Some("_logout1"));
    assert_eq!(response.attr("Destination"), Some(SP_SLO));
    assert_eq!(status_codes(&response), ["Success"]);

    let recorded = idp.control.recorder.all();
    let detail = recorded.iter().rev().find(|r| r.path == "/fk/slo").unwrap().detail.clone().unwrap();
    assert_eq!(detail["type"], "LogoutRequest");
    assert_eq!(detail["signature"], "valid");
    assert_eq!(detail["sessions_ended"], 1);
    assert_eq!(detail["request"]["session_indexes"][0], session_index.as_str());

    // Unsigned or badly signed LogoutRequests are refused.
    let unsigned = redirect_query("SAMLRequest", &request, None, None);
    assert_eq!(client().get(format!("{slo}?{unsigned}")).send().await.unwrap().status(), 400);
}

#[tokio::test]
async fn logout_faults_status_and_bad_signature() {
    let (base, _idp) = start(Flavour::NemLogin).await;
    let slo = format!("{base}/nemlogin/slo");
    let key = read_fixture("sp-key.pem");
    let send = |id: &str| {
        let q = redirect_query("SAMLRequest", &logout_request_xml(id, &slo, "x", "s"), None, Some(&key));
        client().get(format!("{slo}?{q}")).send()
    };
    let post = |body: serde_json::Value| client().post(format!("{base}/__sim/faults")).json(&body).send();
    post(json!({ "kind": "status", "path": "/nemlogin/slo", "times": 1, "params": { "second": "RequestDenied" } }))
        .await
        .unwrap();
    let resp = send("_l1").await.unwrap();
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let (_, q) = split(&location);
    let saml = q.split('&').find_map(|kv| kv.strip_prefix("SAMLResponse=")).unwrap();
    assert_eq!(status_codes(&xml(&inflate_b64(&dec(saml)))), ["Responder", "RequestDenied"]);

    post(json!({ "kind": "bad_signature", "path": "/nemlogin/slo", "times": 1 })).await.unwrap();
    let resp = send("_l2").await.unwrap();
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let (_, q) = split(&location);
    assert!(!verify_idp_redirect(q, "SAMLResponse", "idp-cert.pem"));
    assert!(verify_idp_redirect(q, "SAMLResponse", "evil-cert.pem"));
}

#[tokio::test]
async fn idp_initiated_logout_and_the_sp_answer() {
    let (base, idp) = start(Flavour::NemLogin).await;
    sign_in(&base, Flavour::NemLogin, "karen").await;
    let resp = client().get(format!("{base}/nemlogin/slo/initiate?user=karen")).send().await.unwrap();
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let (target, q) = split(&location);
    assert_eq!(target, SP_SLO);
    assert!(verify_idp_redirect(q, "SAMLRequest", "idp-cert.pem"));
    let saml = q.split('&').find_map(|kv| kv.strip_prefix("SAMLRequest=")).unwrap();
    let request = xml(&inflate_b64(&dec(saml)));
    assert!(request.is(SAMLP, "LogoutRequest"));
    assert_eq!(
        request.child_text(SAML, "NameID").as_deref(),
        Some("https://data.gov.dk/model/core/eid/person/uuid/8b0b7d1e-2f43-4a57-9c1a-0b0000000001")
    );
    assert!(request.child_text(SAMLP, "SessionIndex").is_some());
    let again = client().get(format!("{base}/nemlogin/slo/initiate?user=karen")).send().await.unwrap();
    assert_eq!(again.status(), 404, "the session is gone");

    // The SP answers with its own signed LogoutResponse; the IdP shows "logged out".
    let answer = format!(
        r#"<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_spanswer" Version="2.0" IssueInstant="2026-11-27T10:06:00Z" Destination="{base}/nemlogin/slo" InResponseTo="{}"><saml:Issuer>{SP_ENTITY}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>"#,
        request.attr("ID").unwrap()
    );
    let q = redirect_query("SAMLResponse", &answer, None, Some(&read_fixture("sp-key.pem")));
    let page = get_ok(&format!("{base}/nemlogin/slo?{q}")).await;
    assert!(page.contains("Du er logget ud"));
    let detail = idp.control.recorder.all().last().unwrap().detail.clone().unwrap();
    assert_eq!(detail["type"], "LogoutResponse");
    assert_eq!(detail["signature"], "valid");
    assert_eq!(detail["response"]["in_response_to"], request.attr("ID").unwrap());
}
