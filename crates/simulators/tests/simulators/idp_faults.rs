//! Every IdP fault, programmed through the HTTP control API, changes the output as meant.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use simulators::idp::{Flavour, IdpConfig};

use super::support::*;

async fn fault(base: &str, body: Value) -> u64 {
    let resp = client().post(format!("{base}/__sim/faults")).json(&body).send().await.unwrap();
    assert_eq!(resp.status(), 201, "fault accepted: {body}");
    resp.json::<Value>().await.unwrap()["id"].as_u64().unwrap()
}

/// A NemLog-in IdP whose assertions stay readable (encryption is tested elsewhere).
async fn plain_nemlogin() -> (String, simulators::idp::SimIdpHandle) {
    let mut config = IdpConfig::new(Flavour::NemLogin, sp());
    config.encrypt_assertion = Some(false);
    start_with(config).await
}

fn time(s: Option<&str>) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s.expect("timestamp")).unwrap().to_utc()
}

#[tokio::test]
async fn authn_failed_is_taken_once() {
    let (base, _idp) = start(Flavour::Fk).await;
    fault(&base, json!({ "kind": "authn_failed", "times": 1 })).await;
    let (posted, request_id) = sign_in(&base, Flavour::Fk, "admin").await;
    let r = xml(&posted.xml);
    assert_eq!(status_codes(&r), ["Responder", "AuthnFailed"]);
    assert_eq!(r.attr("InResponseTo"), Some(request_id.as_str()));
    assert!(r.child(SAML, "Assertion").is_none());
    if xmlsec1() {
        assert!(xmlsec1_verify(&posted.xml, "Response", "idp-cert.pem").0, "an error response is signed too");
    }
    let (posted, _) = sign_in(&base, Flavour::Fk, "admin").await;
    assert_eq!(status_codes(&xml(&posted.xml)), ["Success"], "used up after one response");
}

#[tokio::test]
async fn status_fault_sets_any_second_level_code_and_message() {
    let (base, _idp) = start(Flavour::Fk).await;
    fault(&base, json!({ "kind": "status", "times": 1, "params": { "second": "RequestDenied", "message": "Nej" } }))
        .await;
    let (posted, _) = sign_in(&base, Flavour::Fk, "admin").await;
    let r = xml(&posted.xml);
    assert_eq!(status_codes(&r), ["Responder", "RequestDenied"]);
    assert_eq!(r.child(SAMLP, "Status").unwrap().child_text(SAMLP, "StatusMessage").as_deref(), Some("Nej"));
}

#[tokio::test]
async fn loa_low_in_both_flavours() {
    let (base, _idp) = plain_nemlogin().await;
    fault(&base, json!({ "kind": "loa_low" })).await;
    let (posted, _) = sign_in(&base, Flavour::NemLogin, "karen").await;
    let r = xml(&posted.xml);
    let a = r.child(SAML, "Assertion").unwrap();
    assert_eq!(attribute(a, "https://data.gov.dk/concept/core/nsis/loa"), Some(vec!["Low".into()]));
    assert_eq!(a.descendants(SAML, "AuthnContextClassRef")[0].text, "https://data.gov.dk/concept/core/nsis/loa/Low");

    let (base, _idp) = start(Flavour::Fk).await;
    fault(&base, json!({ "kind": "loa", "params": { "value": "Low" } })).await;
    let (posted, _) = sign_in(&base, Flavour::Fk, "laeser").await;
    let r = xml(&posted.xml);
    let a = r.child(SAML, "Assertion").unwrap();
    assert_eq!(attribute(a, "dk:gov:saml:attribute:AssuranceLevel"), Some(vec!["2".into()]));
    assert_eq!(attribute(a, "https://data.gov.dk/concept/core/nsis/loa"), Some(vec!["Low".into()]));
}

#[tokio::test]
async fn missing_attributes_default_and_named() {
    let (base, _idp) = start(Flavour::Fk).await;
    fault(&base, json!({ "kind": "missing_attributes", "times": 1 })).await;
    let (posted, _) = sign_in(&base, Flavour::Fk, "laeser").await;
    let r = xml(&posted.xml);
    let a = r.child(SAML, "Assertion").unwrap();
    assert!(attribute(a, "dk:gov:saml:attribute:Privileges_intermediate").is_none());
    assert!(attribute(a, "https://data.gov.dk/model/core/eid/privilegesIntermediate").is_none());
    assert!(attribute(a, "https://data.gov.dk/concept/core/nsis/loa").is_some(), "only the privileges go");

    let (base, _idp) = plain_nemlogin().await;
    fault(&base, json!({ "kind": "missing_attributes", "times": 1 })).await;
    let (posted, _) = sign_in(&base, Flavour::NemLogin, "karen").await;
    let r = xml(&posted.xml);
    let a = r.child(SAML, "Assertion").unwrap();
    assert!(attribute(a, "https://data.gov.dk/model/core/eid/cprNumber").is_none());
    assert!(attribute(a, "https://data.gov.dk/model/core/eid/cprUuid").is_some());

    fault(&base, json!({ "kind": "missing_attributes", "params": { "names": ["cprUuid", "https://data.gov.dk/model/core/eid/fullName"] } })).await;
    let (posted, _) = sign_in(&base, Flavour::NemLogin, "karen").await;
    let r = xml(&posted.xml);
    let a = r.child(SAML, "Assertion").unwrap();
    assert!(attribute(a, "https://data.gov.dk/model/core/eid/cprUuid").is_none());
    assert!(attribute(a, "https://data.gov.dk/model/core/eid/fullName").is_none());
    assert!(attribute(a, "https://data.gov.dk/model/core/eid/cprNumber").is_some());
}

#[tokio::test]
async fn expired_and_not_yet_valid_assertions_are_still_validly_signed() {
    let (base, _idp) = start(Flavour::Fk).await;
    let now = Utc::now();
    fault(&base, json!({ "kind": "expired", "times": 1 })).await;
    let (posted, _) = sign_in(&base, Flavour::Fk, "admin").await;
    let r = xml(&posted.xml);
    let a = r.child(SAML, "Assertion").unwrap();
    let conditions = a.child(SAML, "Conditions").unwrap();
    assert!(time(conditions.attr("NotOnOrAfter")) < now);
    let data = a.descendants(SAML, "SubjectConfirmationData")[0];
    assert!(time(data.attr("NotOnOrAfter")) < now);
    if xmlsec1() {
        assert!(xmlsec1_verify(&posted.xml, "Assertion", "idp-cert.pem").0, "only the time is wrong");
    }

    fault(&base, json!({ "kind": "not_yet_valid", "times": 1 })).await;
    let (posted, _) = sign_in(&base, Flavour::Fk, "admin").await;
    let r = xml(&posted.xml);
    let conditions = r.child(SAML, "Assertion").unwrap().child(SAML, "Conditions").unwrap();
    assert!(time(conditions.attr("NotBefore")) > Utc::now() + chrono::Duration::seconds(60));
}

#[tokio::test]
async fn bad_signature_uses_the_evil_key() {
    let (base, _idp) = start(Flavour::Fk).await;
    fault(&base, json!({ "kind": "bad_signature", "times": 1 })).await;
    let (posted, _) = sign_in(&base, Flavour::Fk, "admin").await;
    let r = xml(&posted.xml);
    assert_eq!(status_codes(&r), ["Success"]);
    let evil_cert: String = read_fixture("evil-cert.pem").lines().filter(|l| !l.starts_with("-----")).collect();
    assert!(posted.xml.contains(&evil_cert), "the attacker's certificate is in KeyInfo");
    if xmlsec1() {
        for node in ["Response", "Assertion"] {
            assert!(!xmlsec1_verify(&posted.xml, node, "idp-cert.pem").0, "{node}: not the IdP's signature");
            let (ok, out) = xmlsec1_verify(&posted.xml, node, "evil-cert.pem");
            assert!(ok, "{node}: a real signature, by the wrong key: {out}");
        }
    }
}

#[tokio::test]
async fn unsigned_wrong_audience_and_replay() {
    let (base, _idp) = start(Flavour::Fk).await;
    fault(&base, json!({ "kind": "unsigned_assertion", "times": 1 })).await;
    let (posted, _) = sign_in(&base, Flavour::Fk, "admin").await;
    let r = xml(&posted.xml);
    assert_eq!(r.children[1].name, "Signature", "the Response is still signed");
    assert!(r.child(SAML, "Assertion").unwrap().children.iter().all(|c| c.name != "Signature"));

    fault(&base, json!({ "kind": "unsigned", "times": 1 })).await;
    let (posted, _) = sign_in(&base, Flavour::Fk, "admin").await;
    assert!(!posted.xml.contains("Signature"), "nothing signed");

    fault(&base, json!({ "kind": "wrong_audience", "times": 1 })).await;
    let (posted, _) = sign_in(&base, Flavour::Fk, "admin").await;
    let r = xml(&posted.xml);
    assert_eq!(r.descendants(SAML, "Audience")[0].text, "https://wrong-audience.example/saml");

    let (first, first_id) = sign_in(&base, Flavour::Fk, "admin").await;
    fault(&base, json!({ "kind": "replay", "times": 1 })).await;
    let (second, second_id) = sign_in(&base, Flavour::Fk, "sekretariat").await;
    assert_ne!(first_id, second_id);
    assert_eq!(first.xml, second.xml, "the earlier response, byte for byte");
}

#[tokio::test]
async fn faults_can_be_scoped_to_a_user_or_a_flavour() {
    let (base, _idp) = simulators::idp::SimIdp::start_all(vec![IdpConfig::new(Flavour::Fk, sp()), {
        let mut c = IdpConfig::new(Flavour::NemLogin, sp());
        c.encrypt_assertion = Some(false);
        c
    }])
    .await
    .unwrap();
    fault(&base, json!({ "kind": "authn_failed", "key": "sekretariat" })).await;
    fault(&base, json!({ "kind": "down", "path": "/nemlogin/" })).await;
    let (posted, _) = sign_in(&base, Flavour::Fk, "admin").await;
    assert_eq!(status_codes(&xml(&posted.xml)), ["Success"]);
    let (posted, _) = sign_in(&base, Flavour::Fk, "sekretariat").await;
    assert_eq!(status_codes(&xml(&posted.xml)), ["Responder", "AuthnFailed"]);
    let (url, _) = sso_url(&base, Flavour::NemLogin, None);
    assert_eq!(client().get(url).send().await.unwrap().status(), 503);
    assert_eq!(client().get(format!("{base}/fk/metadata")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn idp_down_answers_503_everywhere_but_the_control_api() {
    let (base, _idp) = start(Flavour::NemLogin).await;
    let id = fault(&base, json!({ "kind": "down" })).await;
    let (sso, _) = sso_url(&base, Flavour::NemLogin, None);
    for url in [format!("{base}/nemlogin/metadata"), sso, format!("{base}/static/autopost.js")] {
        let resp = client().get(&url).send().await.unwrap();
        assert_eq!(resp.status(), 503, "{url}");
        assert!(resp.text().await.unwrap().contains("midlertidigt utilgængelig"));
    }
    let faults: Value = client().get(format!("{base}/__sim/faults")).send().await.unwrap().json().await.unwrap();
    assert_eq!(faults[0]["kind"], "down");
    let deleted = client().delete(format!("{base}/__sim/faults/{id}")).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(client().get(format!("{base}/nemlogin/metadata")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn downtime_window_relative_and_absolute() {
    let (base, _idp) = start(Flavour::Fk).await;
    let metadata = format!("{base}/fk/metadata");
    fault(&base, json!({ "kind": "downtime_window", "params": { "seconds": 3600 } })).await;
    assert_eq!(client().get(&metadata).send().await.unwrap().status(), 503);
    client().post(format!("{base}/__sim/reset")).send().await.unwrap();
    assert_eq!(client().get(&metadata).send().await.unwrap().status(), 200);

    let later = Utc::now() + chrono::Duration::hours(1);
    let params = json!({ "from": later.to_rfc3339(), "to": (later + chrono::Duration::hours(1)).to_rfc3339() });
    fault(&base, json!({ "kind": "downtime_window", "params": params })).await;
    assert_eq!(client().get(&metadata).send().await.unwrap().status(), 200, "window not begun");
    // Move the simulator's clock into the window.
    let clock = json!({ "offset_seconds": 5400 });
    client().post(format!("{base}/__sim/clock")).json(&clock).send().await.unwrap();
    assert_eq!(client().get(&metadata).send().await.unwrap().status(), 503, "inside the window");

    let bad =
        client().post(format!("{base}/__sim/faults")).json(&json!({ "kind": "downtime_window" })).send().await.unwrap();
    assert_eq!(bad.status(), 400, "a window needs its times");
}

#[tokio::test]
async fn slow_idp_and_http_status() {
    let (base, _idp) = start(Flavour::Fk).await;
    fault(&base, json!({ "kind": "delay_ms", "times": 1, "params": { "ms": 400 } })).await;
    let started = Instant::now();
    assert_eq!(client().get(format!("{base}/fk/metadata")).send().await.unwrap().status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(400));
    let started = Instant::now();
    client().get(format!("{base}/fk/metadata")).send().await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(400), "taken once");

    fault(&base, json!({ "kind": "http_status", "times": 1, "params": { "status": 502, "body": "Bad Gateway" } }))
        .await;
    let resp = client().get(format!("{base}/fk/metadata")).send().await.unwrap();
    assert_eq!(resp.status(), 502);
    assert_eq!(resp.text().await.unwrap(), "Bad Gateway");
}
