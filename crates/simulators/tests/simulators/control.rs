//! The shared control API: recording, listing, clearing and resetting.

use serde_json::{Value, json};
use simulators::control::{FaultSpec, Faults};
use simulators::idp::Flavour;

use super::support::*;

#[tokio::test]
async fn requests_are_recorded_with_what_the_simulator_made_of_them_and_reset_clears_all() {
    let (base, _idp) = start(Flavour::Fk).await;
    let (url, request_id) = sso_url(&base, Flavour::Fk, Some("/start"));
    get_ok(&url).await;
    get_ok(&format!("{base}/fk/metadata")).await;
    client().post(format!("{base}/__sim/faults")).json(&json!({ "kind": "down" })).send().await.unwrap();

    let all: Vec<Value> = client().get(format!("{base}/__sim/requests")).send().await.unwrap().json().await.unwrap();
    assert_eq!(all.len(), 2, "control calls are not recorded: {all:#?}");
    let sso = &all[0];
    assert_eq!(sso["method"], "GET");
    assert_eq!(sso["path"], "/fk/sso");
    assert_eq!(sso["status"], 200);
    assert!(sso["query"].as_str().unwrap().starts_with("SAMLRequest="));
    assert!(sso["headers"]["host"].is_string());
    assert_eq!(sso["detail"]["type"], "AuthnRequest");
    assert_eq!(sso["detail"]["request"]["id"], request_id.as_str());
    assert_eq!(sso["detail"]["relay_state"], "/start");
    assert_eq!(sso["detail"]["signature"], "valid");

    let filtered: Vec<Value> =
        client().get(format!("{base}/__sim/requests?path=/fk/meta")).send().await.unwrap().json().await.unwrap();
    assert_eq!(filtered.len(), 1);

    // A 503 caused by a fault is recorded too.
    assert_eq!(client().get(format!("{base}/fk/metadata")).send().await.unwrap().status(), 503);
    let all: Vec<Value> = client().get(format!("{base}/__sim/requests")).send().await.unwrap().json().await.unwrap();
    assert_eq!(all.last().unwrap()["status"], 503);

    let reset = client().post(format!("{base}/__sim/reset")).send().await.unwrap();
    assert_eq!(reset.status(), 204);
    let all: Vec<Value> = client().get(format!("{base}/__sim/requests")).send().await.unwrap().json().await.unwrap();
    assert!(all.is_empty());
    let faults: Vec<Value> = client().get(format!("{base}/__sim/faults")).send().await.unwrap().json().await.unwrap();
    assert!(faults.is_empty());
    assert_eq!(client().get(format!("{base}/fk/metadata")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn reset_forgets_pending_sign_ins_and_sessions() {
    let (base, _idp) = start(Flavour::Fk).await;
    let (url, _) = sso_url(&base, Flavour::Fk, None);
    let pending = hidden(&get_ok(&url).await, "pending").unwrap();
    sign_in(&base, Flavour::Fk, "admin").await;
    client().post(format!("{base}/__sim/reset")).send().await.unwrap();
    let login = client()
        .post(format!("{base}/fk/sso/login"))
        .form(&[("pending", pending.as_str()), ("user", "admin")])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 400);
    let initiate = client().get(format!("{base}/fk/slo/initiate")).send().await.unwrap();
    assert_eq!(initiate.status(), 404);
}

#[tokio::test]
async fn clock_can_be_frozen_and_released() {
    let (base, _idp) = start(Flavour::Fk).await;
    let set: Value = client()
        .post(format!("{base}/__sim/clock"))
        .json(&json!({ "now": "2030-01-02T03:04:05Z" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(set["now"].as_str().unwrap().starts_with("2030-01-02T03:04:05"));
    let (posted, _) = sign_in(&base, Flavour::Fk, "admin").await;
    assert!(posted.xml.contains("IssueInstant=\"2030-01-02T03:04:05Z\""));
    client().post(format!("{base}/__sim/clock")).json(&json!({})).send().await.unwrap();
    let (posted, _) = sign_in(&base, Flavour::Fk, "admin").await;
    assert!(!posted.xml.contains("2030-01-02"));
}

#[test]
fn fault_registry_counts_matches_and_scopes() {
    let faults = Faults::default();
    faults.add(FaultSpec::new("x").times(2).path("/a/"));
    faults.add(FaultSpec::new("y").key("k"));
    assert!(faults.take("x", "/b/1", None).is_none(), "path scope");
    assert!(faults.take("x", "/a/1", None).is_some());
    assert!(faults.peek("x", "/a/1", None).is_some(), "peek does not use it");
    assert!(faults.take("x", "/a/1", None).is_some());
    assert!(faults.take("x", "/a/1", None).is_none(), "used up after two");
    assert!(faults.take("y", "/", None).is_none() && faults.take("y", "/", Some("other")).is_none());
    assert!(faults.take("y", "/", Some("k")).is_some() && faults.take("y", "/", Some("k")).is_some(), "persistent");
    assert_eq!(faults.list().len(), 1);
}
