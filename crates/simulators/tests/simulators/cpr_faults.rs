//! Fault injection of the CPR simulators through the control API (`/__sim/faults`), the
//! request recorder, reset, and the persons control routes.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use simulators::cpr::{CprSimConfig, CprSimHandle};

use super::cpr::{
    ACTION, KORSBAEK_CVR, PBDE, SOAP, at, client, fault_of, lookup, post, request, response_of, start, start_with,
};

async fn fault(base: &str, rule: Value) {
    let resp = client().post(format!("{base}/__sim/faults")).json(&rule).send().await.unwrap();
    assert_eq!(resp.status(), 201, "{rule}");
}

fn rest_url(sim: &CprSimHandle, pnr: &str) -> String {
    format!("{}?pnr.personnummer.eq={pnr}", sim.datafordeler_url())
}

async fn rest(sim: &CprSimHandle, pnr: &str) -> reqwest::Response {
    client().get(rest_url(sim, pnr)).send().await.expect("answer")
}

fn is_html(resp: &reqwest::Response) -> bool {
    resp.headers().get("content-type").is_some_and(|v| v.to_str().unwrap().starts_with("text/html"))
}

#[tokio::test]
async fn down_and_downtime_window_answer_503_html_on_both_services() {
    let (base, sim) = start().await;
    fault(&base, json!({ "kind": "down", "times": 2 })).await;
    let soap = post(&client(), &sim.sf1520_url(), Some(ACTION), request(KORSBAEK_CVR, "1205851236")).await.unwrap();
    assert_eq!(soap.status(), 503);
    assert!(is_html(&soap));
    let json = rest(&sim, "1205851236").await;
    assert_eq!(json.status(), 503);
    assert_eq!(lookup(&sim, "1205851236").await.0, 200, "both uses spent");

    fault(&base, json!({ "kind": "downtime_window", "params": { "seconds": 600 } })).await;
    assert_eq!(lookup(&sim, "1205851236").await.0, 503);
    assert_eq!(rest(&sim, "1205851236").await.status(), 503);
    let shift =
        client().post(format!("{base}/__sim/clock")).json(&json!({ "offset_seconds": 601 })).send().await.unwrap();
    assert!(shift.status().is_success());
    assert_eq!(lookup(&sim, "1205851236").await.0, 200, "after the window");
}

#[tokio::test]
async fn http_status_soap_fault_and_html_error() {
    let (base, sim) = start().await;
    fault(&base, json!({ "kind": "http_status", "times": 1, "params": { "status": 500, "body": "" } })).await;
    assert_eq!(lookup(&sim, "1205851236").await, (500, String::new()));

    fault(&base, json!({ "kind": "soap_fault", "times": 1 })).await;
    let (status, doc) = lookup(&sim, "1205851236").await;
    assert_eq!(status, 500);
    let (code, _, error) = fault_of(&doc);
    assert_eq!((code, error.as_str()), (format!("{{{SOAP}}}Server"), "TechnicalError"));

    let params = json!({ "status": 200, "faultcode": "Client", "code": "X42", "text": "Ugyldig forespørgsel" });
    fault(&base, json!({ "kind": "soap_fault", "times": 1, "params": params })).await;
    let (status, doc) = lookup(&sim, "1205851236").await;
    assert_eq!(status, 200, "valid HTTP 200 carrying a SOAP fault");
    let (code, text, error) = fault_of(&doc);
    assert_eq!((code, text.as_str(), error.as_str()), (format!("{{{SOAP}}}Client"), "Ugyldig forespørgsel", "X42"));

    fault(&base, json!({ "kind": "html_error", "times": 2 })).await;
    let resp = post(&client(), &sim.sf1520_url(), Some(ACTION), request(KORSBAEK_CVR, "1205851236")).await.unwrap();
    assert_eq!(resp.status(), 502);
    assert!(is_html(&resp) && resp.text().await.unwrap().contains("<html"));
    assert_eq!(rest(&sim, "1205851236").await.status(), 502);

    fault(&base, json!({ "kind": "unauthorized", "times": 1 })).await;
    assert_eq!(lookup(&sim, "1205851236").await, (403, String::new()));
    fault(&base, json!({ "kind": "no_agreement", "times": 1 })).await;
    assert_eq!(fault_of(&lookup(&sim, "1205851236").await.1).2, "NoServiceAgreement");
}

#[tokio::test]
async fn per_pnr_faults_let_a_batch_fail_partly() {
    let (base, sim) = start().await;
    fault(&base, json!({ "kind": "soap_fault", "key": "0302700517" })).await;
    fault(&base, json!({ "kind": "http_status", "key": "2412492348", "params": { "status": 503 } })).await;
    fault(&base, json!({ "kind": "down", "key": "1104751011" })).await;
    let mut outcomes = Vec::new();
    for pnr in ["1205851236", "0302700517", "2412492348", "1104751011", "2208902345"] {
        outcomes.push(lookup(&sim, pnr).await.0);
    }
    assert_eq!(outcomes, [200, 500, 503, 503, 200]);
    assert_eq!(rest(&sim, "2412492348").await.status(), 503, "keyed rules match on Datafordeleren too");
    assert_eq!(rest(&sim, "1205851236").await.status(), 200);
}

#[tokio::test]
async fn delay_latency_and_slow() {
    let config = CprSimConfig { latency: Duration::from_millis(50), ..CprSimConfig::default() };
    let (base, sim) = start_with(config).await;
    let started = Instant::now();
    assert_eq!(lookup(&sim, "1205851236").await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(50), "configured latency");

    fault(&base, json!({ "kind": "delay_ms", "times": 1, "params": { "ms": 300 } })).await;
    let started = Instant::now();
    assert_eq!(rest(&sim, "1205851236").await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(350));

    fault(&base, json!({ "kind": "slow", "times": 1, "params": { "min_ms": 200, "max_ms": 250 } })).await;
    let started = Instant::now();
    assert_eq!(lookup(&sim, "1205851236").await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(250));

    fault(&base, json!({ "kind": "latency", "params": { "ms": 100 } })).await;
    for _ in 0..2 {
        let started = Instant::now();
        lookup(&sim, "1205851236").await;
        assert!(started.elapsed() >= Duration::from_millis(150), "standing latency on top of the configured one");
    }
}

#[tokio::test]
async fn timeout_never_answers_or_stalls_mid_body() {
    let (base, sim) = start().await;
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(1500)).build().unwrap();
    fault(&base, json!({ "kind": "timeout", "times": 1 })).await;
    let err = post(&impatient, &sim.sf1520_url(), Some(ACTION), request(KORSBAEK_CVR, "1205851236")).await.unwrap_err();
    assert!(err.is_timeout(), "{err}");

    fault(&base, json!({ "kind": "timeout", "times": 1, "params": { "stage": "body" } })).await;
    let resp = post(&impatient, &sim.sf1520_url(), Some(ACTION), request(KORSBAEK_CVR, "1205851236")).await.unwrap();
    assert_eq!(resp.status(), 200, "headers arrive");
    let err = resp.text().await.unwrap_err();
    assert!(err.is_timeout() || err.is_body() || err.is_decode(), "the body never completes: {err}");
    assert_eq!(lookup(&sim, "1205851236").await.0, 200, "the simulator still serves others");
}

#[tokio::test]
async fn close_connection_drops_before_any_answer() {
    let (base, sim) = start().await;
    fault(&base, json!({ "kind": "close_connection", "times": 1 })).await;
    let err = client().get(rest_url(&sim, "1205851236")).send().await.unwrap_err();
    assert!(!err.is_timeout() && err.status().is_none(), "a connection error, not an HTTP answer: {err}");
    assert_eq!(rest(&sim, "1205851236").await.status(), 200, "used up");
}

#[tokio::test]
async fn malformed_answers() {
    let (base, sim) = start().await;
    fault(&base, json!({ "kind": "malformed", "times": 1 })).await;
    let (status, doc) = lookup(&sim, "1205851236").await;
    assert_eq!(status, 200);
    assert!(simulators::xml::parse(&doc).is_err(), "truncated XML: {doc}");

    fault(&base, json!({ "kind": "malformed", "times": 1, "params": { "variant": "wrong_namespace" } })).await;
    let doc = lookup(&sim, "1205851236").await.1;
    let env = simulators::xml::parse(&doc).unwrap();
    let body = env.child(SOAP, "Body").unwrap();
    assert!(body.child(PBDE, "PersonLookupResponse").is_none(), "not in the v5 namespace");
    assert!(body.children[0].ns.as_deref().unwrap().ends_with("/PersonBaseDataExtended/4/"));

    fault(&base, json!({ "kind": "malformed", "times": 1, "params": { "variant": "not_xml" } })).await;
    assert!(simulators::xml::parse(&lookup(&sim, "1205851236").await.1).is_err());

    fault(&base, json!({ "kind": "malformed", "times": 1 })).await;
    let text = rest(&sim, "1205851236").await.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "truncated JSON: {text}");
    fault(&base, json!({ "kind": "malformed", "times": 1, "params": { "variant": "wrong_shape" } })).await;
    let doc: Value = rest(&sim, "1205851236").await.json().await.unwrap();
    assert!(doc.is_array() && doc.get("Personer").is_none(), "{doc}");
    fault(&base, json!({ "kind": "malformed", "times": 1, "params": { "variant": "not_json" } })).await;
    assert!(rest(&sim, "1205851236").await.json::<Value>().await.is_err());
}

#[tokio::test]
async fn rate_limit_and_flap() {
    let (base, sim) = start().await;
    fault(&base, json!({ "kind": "rate_limit", "params": { "per_second": 2 } })).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let resp = rest(&sim, "1205851236").await;
        if resp.status() == 429 {
            assert_eq!(resp.headers()["retry-after"], "1");
        }
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 429, 429], "refused requests do not count");
    client().delete(format!("{base}/__sim/faults")).send().await.unwrap();

    fault(&base, json!({ "kind": "flap" })).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(lookup(&sim, "1205851236").await.0);
    }
    assert_eq!(statuses, [503, 200, 503, 200]);
}

#[tokio::test]
async fn stale_serves_the_snapshot_of_the_start() {
    let (base, sim) = start().await;
    let mut karen = sim.persons().get("1205851236").unwrap().clone();
    karen.last_name = "Nygift".into();
    let put = client().put(format!("{base}/__sim/cpr/persons/1205851236")).json(&karen).send().await.unwrap();
    assert_eq!(put.status(), 204);
    let fresh: Value = rest(&sim, "1205851236").await.json().await.unwrap();
    assert_eq!(fresh["Personer"][0]["Person"]["Navne"][0]["Navn"]["efternavn"], "Nygift");
    fault(&base, json!({ "kind": "stale" })).await;
    let stale: Value = rest(&sim, "1205851236").await.json().await.unwrap();
    assert_eq!(stale["Personer"][0]["Person"]["Navne"][0]["Navn"]["efternavn"], "Testesen", "data lag");
    let soap = response_of(&lookup(&sim, "1205851236").await.1);
    assert_eq!(at(&soap, &["persondata", "navn", "efternavn"]).as_deref(), Some("Nygift"), "SF1520 is live");
}

#[tokio::test]
async fn requests_are_recorded_with_what_the_simulator_made_of_them() {
    let (base, sim) = start().await;
    lookup(&sim, "1205851236").await;
    lookup(&sim, "0101010000").await;
    rest(&sim, "0302700517").await;
    let http = client();
    let all: Vec<Value> = http.get(format!("{base}/__sim/requests")).send().await.unwrap().json().await.unwrap();
    assert_eq!(all.len(), 3);
    let first = &all[0];
    assert_eq!(
        (&first["method"], &first["path"], &first["status"]),
        (&json!("POST"), &json!("/service/CPR/PersonBaseDataExtended/5"), &json!(200))
    );
    assert!(first["body"].as_str().unwrap().contains("<pnr:PNR>1205851236</pnr:PNR>"));
    assert_eq!(first["headers"]["soapaction"], ACTION);
    let d = &first["detail"];
    assert_eq!(
        (&d["service"], &d["cvr"], &d["pnr"], &d["outcome"]),
        (&json!("sf1520"), &json!(KORSBAEK_CVR), &json!("1205851236"), &json!("found"))
    );
    assert_eq!(d["client_cert"], "plain_http");
    assert_eq!(all[1]["detail"]["outcome"], "pnr_not_found");
    assert_eq!(all[2]["detail"]["service"], "datafordeler");
    assert_eq!(all[2]["query"], "pnr.personnummer.eq=0302700517");
    let soap_only: Vec<Value> =
        http.get(format!("{base}/__sim/requests?path=/service/")).send().await.unwrap().json().await.unwrap();
    assert_eq!(soap_only.len(), 2);
    assert_eq!(sim.control.recorder.all().len(), 3, "the same recorder in-process");
}

#[tokio::test]
async fn reset_clears_faults_recordings_and_restores_the_persons() {
    let (base, sim) = start().await;
    let http = client();
    fault(&base, json!({ "kind": "down" })).await;
    let gone = http.delete(format!("{base}/__sim/cpr/persons/1205851236")).send().await.unwrap();
    assert_eq!(gone.status(), 204, "control routes are never faulted");
    assert_eq!(lookup(&sim, "1205851236").await.0, 503);
    assert_eq!(http.post(format!("{base}/__sim/reset")).send().await.unwrap().status(), 204);
    let faults: Vec<Value> = http.get(format!("{base}/__sim/faults")).send().await.unwrap().json().await.unwrap();
    assert!(faults.is_empty());
    let recorded: Vec<Value> = http.get(format!("{base}/__sim/requests")).send().await.unwrap().json().await.unwrap();
    assert!(recorded.is_empty());
    assert_eq!(lookup(&sim, "1205851236").await.0, 200, "the deleted person is back");
}

#[tokio::test]
async fn persons_control_routes_validate_and_change_answers() {
    let (base, sim) = start().await;
    let http = client();
    let url = format!("{base}/__sim/cpr/persons");
    let all: Vec<Value> = http.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(all.len(), sim.persons().len());
    let karen: Value = http.get(format!("{url}/1205851236")).send().await.unwrap().json().await.unwrap();
    assert_eq!(karen["address"]["municipality_code"], "0999");
    assert_eq!(http.get(format!("{url}/0101010000")).send().await.unwrap().status(), 404);

    // Karen dies: status 90 and no address.
    let mut dead = karen.clone();
    dead["status"] = json!(90);
    dead["status_date"] = json!("2026-11-01");
    let refused = http.put(format!("{url}/1205851236")).json(&dead).send().await.unwrap();
    assert_eq!(refused.status(), 400, "a dead person with an address is impossible");
    dead.as_object_mut().unwrap().remove("address");
    assert_eq!(http.put(format!("{url}/1205851236")).json(&dead).send().await.unwrap().status(), 204);
    let r = response_of(&lookup(&sim, "1205851236").await.1);
    assert_eq!(at(&r, &["persondata", "status", "status"]).as_deref(), Some("90"));
    assert!(r.child(PBDE, "adresse").is_none());
    let mismatch = http.put(format!("{url}/0302700517")).json(&dead).send().await.unwrap();
    assert_eq!(mismatch.status(), 400);
    assert_eq!(http.delete(format!("{url}/1205851236")).send().await.unwrap().status(), 204);
    assert_eq!(fault_of(&lookup(&sim, "1205851236").await.1).2, "PNRNotFound");
}
