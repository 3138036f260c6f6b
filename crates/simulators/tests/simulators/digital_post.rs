//! The Digital Post simulator against the hand-written reference payloads in
//! `crates/integrations/tests/fixtures/digital_post/` (never the client's code): the token
//! chain in both property casings, MeMo validation, duplicates, registrations, and the
//! receipt driver against a stub receiver.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::post;
use base64::Engine as _;
use serde_json::Value;
use simulators::digital_post::{
    DigitalPostSimConfig, DigitalPostSimHandle, DigitalPostSimulator, FORESPOERG_PATH, KOMBI_PATH, Registration,
    STS_PATH, TOKEN_PATH,
};

use crate::support::client;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../integrations/tests/fixtures/digital_post");
const FIXTURE_UUID: &str = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

async fn start() -> DigitalPostSimHandle {
    DigitalPostSimulator::start(DigitalPostSimConfig::default()).await.expect("starts").1
}

/// STS then AccessTokenService with a hand-written request; the `Authorization` value.
async fn token(sim: &DigitalPostSimHandle, sts_request: &str, base64_assertion: bool) -> String {
    let http = client();
    let answer = http
        .post(format!("{}{STS_PATH}", sim.base_url))
        .header("content-type", "application/json")
        .body(fixture(sts_request))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let answer: Value = answer.json().await.unwrap();
    let lifetime = answer["Lifetime"].as_str().unwrap();
    assert!(chrono::NaiveDateTime::parse_from_str(lifetime, "%m/%d/%Y %H:%M:%S").is_ok(), "{lifetime}");
    let assertion = answer["RequestedSecurityToken"]["Assertion"].as_str().unwrap().to_owned();
    assert!(assertion.starts_with("<saml:Assertion"));
    let saml = match base64_assertion {
        true => base64::engine::general_purpose::STANDARD.encode(&assertion),
        false => assertion,
    };
    let answer = http.post(format!("{}{TOKEN_PATH}", sim.base_url)).form(&[("saml-token", saml)]).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(answer["token_type"], "Holder-of-key");
    assert!(answer["expires_in"].as_u64().unwrap() > 0);
    format!("Holder-of-key {}", answer["access_token"].as_str().unwrap())
}

async fn kombi(sim: &DigitalPostSimHandle, authorization: &str, body: String) -> (u16, String) {
    let answer = client()
        .post(format!("{}{KOMBI_PATH}", sim.base_url))
        .header("authorization", authorization)
        .header("x-TransaktionsId", uuid::Uuid::new_v4().to_string())
        .header("x-TransaktionsTid", "2026-03-02T10:00:00Z")
        .header("content-type", "application/xml")
        .body(body)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

#[tokio::test]
async fn the_reference_letter_is_accepted_once_and_a_repeat_is_a_conflict() {
    let sim = start().await;
    let authorization = token(&sim, "sts_request.json", true).await;
    let (status, body) = kombi(&sim, &authorization, fixture("kombi_request.xml")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<Result>true</Result>") && body.contains("<AdvisTekst>Received</AdvisTekst>"), "{body}");
    let letters = sim.letters();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].message_uuid, FIXTURE_UUID);
    assert_eq!(letters[0].files, vec!["content.html", "moedested.pdf"]);
    assert!(body.contains(&letters[0].transmission_id));
    let (status, _) = kombi(&sim, &authorization, fixture("kombi_request.xml")).await;
    assert_eq!(status, 409);
    assert_eq!(sim.letters().len(), 1);
}

#[tokio::test]
async fn broken_letters_are_refused_with_400() {
    let sim = start().await;
    let authorization = token(&sim, "sts_request.json", false).await;
    let reference = fixture("kombi_request.xml");
    let broken = [
        reference.replace(FIXTURE_UUID, "3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
        reference.replace("2026-03-02T10:00:00Z", "2026-03-02T10:00:00"),
        reference.replace("<memo:idType>CVR</memo:idType>", "<memo:idType>CPR</memo:idType>"),
        reference.replace("Indkaldelse til valgtilforordnet", &"x".repeat(257)),
        reference.replace("https://DigitalPost.dk/MeMo-1", "urn:wrong"),
        reference.replace("JVBERi0xLjQgdGVzdA==", ""),
        reference.replace("<memo:language>da</memo:language>", "<memo:language>dan</memo:language>"),
    ];
    for body in broken {
        let (status, answer) = kombi(&sim, &authorization, body).await;
        assert_eq!(status, 400, "{answer}");
    }
    assert!(sim.letters().is_empty());
}

#[tokio::test]
async fn the_token_chain_is_checked() {
    let sim = start().await;
    let (status, _) = kombi(&sim, "Holder-of-key made-up", fixture("kombi_request.xml")).await;
    assert_eq!(status, 401, "unknown token");
    let forespoerg = token(&sim, "sts_request_camel.json", true).await;
    let (status, _) = kombi(&sim, &forespoerg, fixture("kombi_request.xml")).await;
    assert_eq!(status, 401, "a PostForespoerg token is not for sending");
    let authorization = token(&sim, "sts_request.json", true).await;
    sim.control.clock.set_offset(3601);
    let (status, _) = kombi(&sim, &authorization, fixture("kombi_request.xml")).await;
    assert_eq!(status, 401, "expired");
    let stale = client()
        .post(format!("{}{TOKEN_PATH}", sim.base_url))
        .form(&[("saml-token", "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_x\"/>")])
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 401, "an assertion this STS never issued");
}

#[tokio::test]
async fn the_sts_refuses_unknown_services_and_cvrs_without_agreement() {
    let config = DigitalPostSimConfig { agreements: Some(vec!["29189846".into()]), ..Default::default() };
    let (base, _sim) = DigitalPostSimulator::start(config).await.unwrap();
    let post = |body: String| client().post(format!("{base}{STS_PATH}")).body(body).send();
    assert_eq!(post(fixture("sts_request.json")).await.unwrap().status(), 403);
    let other = fixture("sts_request.json").replace("kombipostafsend/1", "somethingelse/1");
    assert_eq!(post(other).await.unwrap().status(), 400);
}

#[tokio::test]
async fn postforespoerg_answers_from_the_registrations() {
    let sim = start().await;
    sim.set_registration("1205851236", Registration::Exempt);
    let authorization = token(&sim, "sts_request_camel.json", false).await;
    let ask = |cpr: &'static str| {
        client()
            .get(format!("{}{FORESPOERG_PATH}?cprNumber={cpr}", sim.base_url))
            .header("authorization", authorization.clone())
            .header("x-TransaktionsId", uuid::Uuid::new_v4().to_string())
            .header("x-TransaktionsTid", "2026-03-02T10:00:00Z")
            .send()
    };
    let answer: Value = ask("1205851236").await.unwrap().json().await.unwrap();
    assert_eq!(answer, serde_json::json!({ "result": false }));
    let answer: Value = ask("0101701234").await.unwrap().json().await.unwrap();
    assert_eq!(answer, serde_json::json!({ "result": true }));
}

/// A stand-in for our `/digitalpost/receipts`: keeps every body; answers `StatusKode 20`
/// except for the first `refuse` receipts (`StatusKode 50`, so the sender tries again).
async fn receiver(refuse: usize) -> (String, Arc<Mutex<Vec<String>>>) {
    let received: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = received.clone();
    let app = Router::new().route(
        "/digitalpost/receipts",
        post(move |body: String| async move {
            let mut seen = seen.lock().unwrap();
            seen.push(body);
            let code = if seen.len() <= refuse { 50 } else { 20 };
            format!(
                "<ModtagBeskedOutput xmlns=\"urn:oio:sts:1.0.0\"><StandardRetur xmlns=\"urn:oio:sagdok:3.0.0\">\
                 <StatusKode>{code}</StatusKode><FejlbeskedTekst>Ok</FejlbeskedTekst></StandardRetur></ModtagBeskedOutput>"
            )
        })
        .head(|| async { "" }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/digitalpost/receipts", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

const STATUS_NS: &str = "http://serviceplatformen.dk/xml/print/PKO_PostStatus/1/types";

/// The decoded `PKO_PostStatus` of a `ModtagBeskedInput`.
fn post_status(body: &str) -> simulators::xml::Element {
    let envelope = simulators::xml::parse(body).unwrap();
    assert!(envelope.is("urn:oio:sts:1.0.0", "ModtagBeskedInput"));
    let data = envelope.descendants("urn:besked:kuvert:1.0", "Base64")[0].text.trim().to_owned();
    let status = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(data).unwrap()).unwrap();
    let status = simulators::xml::parse(&status).unwrap();
    assert!(status.is(STATUS_NS, "PKO_PostStatus"));
    status
}

fn status_codes(received: &Mutex<Vec<String>>) -> Vec<String> {
    let received = received.lock().unwrap();
    received.iter().map(|b| post_status(b).child_text(STATUS_NS, "TransaktionsStatusKode").unwrap()).collect()
}

async fn wait_for(received: &Mutex<Vec<String>>, n: usize) {
    for _ in 0..100 {
        if received.lock().unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{n} receipts expected, got {}", received.lock().unwrap().len());
}

#[tokio::test]
async fn the_receipt_driver_posts_a_beskedfordeler_receipt_after_a_head_probe() {
    let (url, received) = receiver(0).await;
    let sim = start().await;
    let authorization = token(&sim, "sts_request.json", true).await;
    kombi(&sim, &authorization, fixture("kombi_request.xml")).await;
    let request = serde_json::json!({
        "message_uuid": FIXTURE_UUID, "status": "Fejlet", "fejl_detaljer": "Postkassen er lukket – ø", "url": url,
    });
    let answer: Value = client()
        .post(format!("{}/__sim/digitalpost/receipts", sim.base_url))
        .json(&request)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["head_status"], 200);
    assert_eq!(answer["status"], 200);
    assert_eq!(answer["status_kode"], "20");
    let body = received.lock().unwrap().pop().expect("the receiver got the receipt");
    let status = post_status(&body);
    let ns = STATUS_NS;
    assert_eq!(status.child_text(ns, "MessageUUID").as_deref(), Some(FIXTURE_UUID));
    assert_eq!(status.child_text(ns, "TransaktionsStatusKode").as_deref(), Some("Fejlet"));
    assert_eq!(status.child_text(ns, "FejlDetaljer").as_deref(), Some("Postkassen er lukket – ø"));
    assert_eq!(status.child_text(ns, "TransmissionId"), Some(sim.letters()[0].transmission_id.clone()));
}

#[tokio::test]
async fn accepted_letters_get_received_then_delivered_receipts_by_themselves() {
    let (url, received) = receiver(1).await;
    let config = DigitalPostSimConfig { receipt_url: Some(url), auto_receipts: true, ..Default::default() };
    let (_, sim) = DigitalPostSimulator::start(config).await.unwrap();
    let authorization = token(&sim, "sts_request.json", true).await;
    kombi(&sim, &authorization, fixture("kombi_request.xml")).await;
    wait_for(&received, 3).await;
    let codes = status_codes(&received);
    assert_eq!(
        codes,
        ["Modtaget Digital Post", "Modtaget Digital Post", "Afleveret Digital Post"],
        "StatusKode 50 is redelivered"
    );
}

#[tokio::test]
async fn receipt_faults_give_fejlet_or_no_receipt_at_all() {
    let (url, received) = receiver(0).await;
    let config = DigitalPostSimConfig { receipt_url: Some(url), auto_receipts: true, ..Default::default() };
    let (_, sim) = DigitalPostSimulator::start(config).await.unwrap();
    let authorization = token(&sim, "sts_request.json", true).await;
    let rule = |kind: &str| simulators::control::FaultSpec::new(kind).key(FIXTURE_UUID).once();
    sim.control.faults.add(rule("receipt_failed"));
    kombi(&sim, &authorization, fixture("kombi_request.xml")).await;
    wait_for(&received, 2).await;
    assert_eq!(status_codes(&received), ["Modtaget Digital Post", "Fejlet"]);
    let fejl = post_status(&received.lock().unwrap()[1]).child_text(STATUS_NS, "FejlDetaljer").unwrap();
    assert!(!fejl.is_empty());

    let second = fixture("kombi_request.xml").replace(FIXTURE_UUID, "5a6b7c8d-1e2f-4a3b-8c4d-5e6f7a8b9c0d");
    sim.control.faults.add(simulators::control::FaultSpec::new("no_callback").once());
    kombi(&sim, &authorization, second).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(received.lock().unwrap().len(), 2, "accepted but never called back");
}
