//! The CPR simulators over HTTPS with client certificates (reference §1.1, §11 intro,
//! cpr-data.md B.1): the committed test PKI in `fixtures/tls/`.

use std::time::Duration;

use serde_json::{Value, json};
use simulators::cpr::{ClientAuth, CprSimConfig, CprSimHandle, TlsConfig, tls_fixtures};

use super::cpr::{ACTION, KORSBAEK_CVR, at, post, request, response_of, start_with};

/// A client trusting only the test CA, presenting `identity` (cert + key PEM) if given.
fn tls_client(identity: Option<&str>) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ca = reqwest::Certificate::from_pem(tls_fixtures::CA_CERT_PEM.as_bytes()).unwrap();
    let mut builder = reqwest::Client::builder()
        .tls_backend_rustls()
        .tls_certs_only([ca])
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10));
    if let Some(pem) = identity {
        builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

async fn start_tls(auth: ClientAuth) -> (String, CprSimHandle) {
    start_with(CprSimConfig { tls: Some(TlsConfig::test().client_auth(auth)), ..CprSimConfig::default() }).await
}

async fn sf1520(http: &reqwest::Client, sim: &CprSimHandle) -> reqwest::Result<reqwest::Response> {
    post(http, &sim.sf1520_url(), Some(ACTION), request(KORSBAEK_CVR, "1205851236")).await
}

async fn rest(http: &reqwest::Client, sim: &CprSimHandle) -> reqwest::Result<reqwest::Response> {
    http.get(format!("{}?pnr.personnummer.eq=1205851236", sim.datafordeler_url())).send().await
}

#[tokio::test]
async fn the_registered_certificate_gets_answers_from_both_services() {
    let (base, sim) = start_tls(ClientAuth::Required).await;
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let http = tls_client(Some(tls_fixtures::CLIENT_IDENTITY_PEM));
    let resp = sf1520(&http, &sim).await.unwrap();
    assert_eq!(resp.status(), 200);
    let r = response_of(&resp.text().await.unwrap());
    assert_eq!(at(&r, &["persondata", "navn", "fornavn"]).as_deref(), Some("Karen"));
    let doc: Value = rest(&http, &sim).await.unwrap().json().await.unwrap();
    assert_eq!(doc["Personer"][0]["Person"]["status"], "bopael_i_danmark");
    let recorded = sim.control.recorder.all();
    assert_eq!(recorded[0].detail.as_ref().unwrap()["client_cert"], "presented");
    // The control API is on the same TLS port.
    let faults: Vec<Value> = http.get(format!("{base}/__sim/faults")).send().await.unwrap().json().await.unwrap();
    assert!(faults.is_empty());
}

#[tokio::test]
async fn without_or_with_a_wrong_certificate_the_handshake_is_refused() {
    let (_, sim) = start_tls(ClientAuth::Required).await;
    for (what, identity) in [
        ("no certificate", None),
        ("certificate of an untrusted CA", Some(tls_fixtures::OTHER_CLIENT_IDENTITY_PEM)),
        ("expired certificate", Some(tls_fixtures::EXPIRED_CLIENT_IDENTITY_PEM)),
    ] {
        let http = tls_client(identity);
        let err = sf1520(&http, &sim).await.expect_err(what);
        assert!(err.status().is_none() && !err.is_timeout(), "{what}: refused at the TLS level: {err}");
        assert!(rest(&http, &sim).await.is_err(), "{what}: Datafordeleren too");
    }
    // Plain HTTP to the TLS port gets nothing useful either.
    let plain = reqwest::Client::new();
    let url = sim.sf1520_url().replace("https://", "http://");
    assert!(plain.post(url).send().await.map_or(true, |r| !r.status().is_success()));
    assert!(sim.control.recorder.all().is_empty(), "no request got through");
}

#[tokio::test]
async fn tls_reject_refuses_even_the_registered_certificate() {
    let (base, sim) = start_tls(ClientAuth::Required).await;
    let http = tls_client(Some(tls_fixtures::CLIENT_IDENTITY_PEM));
    let rule = json!({ "kind": "tls_reject", "times": 1 });
    assert_eq!(http.post(format!("{base}/__sim/faults")).json(&rule).send().await.unwrap().status(), 201);
    let err = sf1520(&http, &sim).await.expect_err("refused once");
    assert!(err.status().is_none(), "{err}");
    assert_eq!(sf1520(&http, &sim).await.unwrap().status(), 200, "then accepted again");
}

#[tokio::test]
async fn optional_client_auth_answers_403_without_a_certificate() {
    let (_, sim) = start_tls(ClientAuth::Optional).await;
    let anonymous = tls_client(None);
    let resp = sf1520(&anonymous, &sim).await.unwrap();
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().is_empty(), "no SOAP body");
    assert_eq!(rest(&anonymous, &sim).await.unwrap().status(), 403);
    let detail = sim.control.recorder.all()[0].detail.clone().unwrap();
    assert_eq!((&detail["client_cert"], &detail["outcome"]), (&json!("absent"), &json!("no_client_certificate")));
    let http = tls_client(Some(tls_fixtures::CLIENT_IDENTITY_PEM));
    assert_eq!(sf1520(&http, &sim).await.unwrap().status(), 200);
    assert_eq!(rest(&http, &sim).await.unwrap().status(), 200);
    assert!(
        rest(&tls_client(Some(tls_fixtures::OTHER_CLIENT_IDENTITY_PEM)), &sim).await.is_err(),
        "unknown CA: refused"
    );
}
