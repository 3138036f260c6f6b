//! SF1520 request checking: bad requests get the client faults of reference §1.7, other
//! legal spellings are accepted, service agreements, the injectable clock, schema drift.

use simulators::cpr::{AgreementRefusal, CprSimConfig};

use super::cpr::{
    ACTION, KORSBAEK_CVR, PBDE, SOAP, at, client, fault_of, lookup, pnr_of, post, request, response_of, start,
    start_with,
};

#[tokio::test]
async fn bad_requests_get_client_faults() {
    let (_, sim) = start().await;
    let http = client();
    let url = sim.sf1520_url();
    let good = request(KORSBAEK_CVR, "1205851236");
    let cases: Vec<(&str, Option<&str>, String, &str)> = vec![
        ("no SOAPAction", None, good.clone(), "InvalidSOAPAction"),
        (
            "v4 SOAPAction",
            Some("\"http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/4/PersonLookup\""),
            good.clone(),
            "InvalidSOAPAction",
        ),
        ("CVR of 7 digits", Some(ACTION), request("1234567", "1205851236"), "InvalidMunicipalityCVR"),
        ("CVR with letters", Some(ACTION), request("1234567X", "1205851236"), "InvalidMunicipalityCVR"),
        ("PNR with a dash", Some(ACTION), request(KORSBAEK_CVR, "120585-1236"), "InvalidPNR"),
        ("PNR month 13", Some(ACTION), request(KORSBAEK_CVR, "1213851236"), "InvalidPNR"),
        ("PNR day 00", Some(ACTION), request(KORSBAEK_CVR, "0005851236"), "InvalidPNR"),
        ("PNR 11 digits", Some(ACTION), request(KORSBAEK_CVR, "12058512360"), "InvalidPNR"),
        (
            "PNR in the wrong namespace",
            Some(ACTION),
            good.replace("schemas/cpr/PNR/1/", "schemas/cpr/PNR/2/"),
            "InvalidRequest",
        ),
        (
            "CVR in the wrong namespace",
            Some(ACTION),
            good.replace("AuthorityContext/1/", "AuthorityContext/2/"),
            "InvalidRequest",
        ),
        (
            "request of v4",
            Some(ACTION),
            good.replace("PersonBaseDataExtended/5/", "PersonBaseDataExtended/4/"),
            "InvalidRequest",
        ),
        ("not XML", Some(ACTION), "PersonLookup 1205851236".into(), "InvalidRequest"),
        ("unclosed element", Some(ACTION), good.replace("</soap:Envelope>", ""), "InvalidRequest"),
        ("no AuthorityContext", Some(ACTION), request_without_authority("1205851236"), "InvalidRequest"),
        ("PNR before AuthorityContext", Some(ACTION), request_pnr_first(), "InvalidRequest"),
    ];
    for (what, action, body, expected) in cases {
        let resp = post(&http, &url, action, body).await.unwrap();
        assert_eq!(resp.status(), 500, "{what}");
        let (code, _, error) = fault_of(&resp.text().await.unwrap());
        assert_eq!(code, format!("{{{SOAP}}}Client"), "{what}");
        assert_eq!(error, expected, "{what}");
    }
    // SOAP 1.2 is a VersionMismatch, by envelope or by media type.
    let soap12 = good.replace(SOAP, "http://www.w3.org/2003/05/soap-envelope");
    let resp = post(&http, &url, Some(ACTION), soap12).await.unwrap();
    assert_eq!(fault_of(&resp.text().await.unwrap()).0, format!("{{{SOAP}}}VersionMismatch"));
    let resp = http.post(&url).header("content-type", "application/soap+xml").body(good).send().await.unwrap();
    assert_eq!(fault_of(&resp.text().await.unwrap()).0, format!("{{{SOAP}}}VersionMismatch"));
    assert_eq!(http.get(&url).send().await.unwrap().status(), 405, "POST only");
}

fn request_without_authority(pnr: &str) -> String {
    format!(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><PersonLookupRequest xmlns="http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/"><PNR xmlns="http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/">{pnr}</PNR></PersonLookupRequest></s:Body></s:Envelope>"#
    )
}

fn request_pnr_first() -> String {
    r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><p:PersonLookupRequest xmlns:p="http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/" xmlns:a="http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/" xmlns:n="http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/"><n:PNR>1205851236</n:PNR><a:AuthorityContext><a:MunicipalityCVR>12345674</a:MunicipalityCVR></a:AuthorityContext></p:PersonLookupRequest></s:Body></s:Envelope>"#.into()
}

#[tokio::test]
async fn prefixes_are_free_and_header_and_contexts_are_accepted() {
    let (_, sim) = start().await;
    // Default namespaces, another envelope prefix, an empty Header, CallContext and
    // InvocationContext around AuthorityContext, and an unquoted SOAPAction.
    let body = r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Header/><e:Body><PersonLookupRequest xmlns="http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/"><CallContext xmlns="http://serviceplatformen.dk/xml/schemas/CallContext/1/"><OnBehalfOfUser>x</OnBehalfOfUser></CallContext><AuthorityContext xmlns="http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/"><MunicipalityCVR>12345674</MunicipalityCVR></AuthorityContext><InvocationContext xmlns="http://serviceplatformen.dk/xml/schemas/InvocationContext/1/"/><PNR xmlns="http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/">0302700517</PNR></PersonLookupRequest></e:Body></e:Envelope>"#;
    let action = ACTION.trim_matches('"');
    let resp = post(&client(), &sim.sf1520_url(), Some(action), body.into()).await.unwrap();
    assert_eq!(resp.status(), 200);
    let r = response_of(&resp.text().await.unwrap());
    assert_eq!(at(&r, &["persondata", "navn", "mellemnavn"]).as_deref(), Some("Peter"));
}

#[tokio::test]
async fn service_agreements_refuse_other_municipalities() {
    let agreements = Some(vec![KORSBAEK_CVR.to_owned()]);
    let (_, sim) = start_with(CprSimConfig { agreements: agreements.clone(), ..CprSimConfig::default() }).await;
    assert_eq!(lookup(&sim, "1205851236").await.0, 200);
    let resp = post(&client(), &sim.sf1520_url(), Some(ACTION), request("29189846", "1205851236")).await.unwrap();
    assert_eq!(resp.status(), 500);
    assert_eq!(fault_of(&resp.text().await.unwrap()).2, "NoServiceAgreement");

    let config = CprSimConfig { agreements, agreement_refusal: AgreementRefusal::Forbidden, ..CprSimConfig::default() };
    let (_, sim) = start_with(config).await;
    let resp = post(&client(), &sim.sf1520_url(), Some(ACTION), request("29189846", "1205851236")).await.unwrap();
    assert_eq!(resp.status(), 403);
    assert!(resp.text().await.unwrap().is_empty(), "403 without a SOAP body");
}

#[tokio::test]
async fn ages_and_protection_follow_the_simulator_clock() {
    let (base, sim) = start().await;
    let set_clock = async |now: &str| {
        let resp =
            client().post(format!("{base}/__sim/clock")).json(&serde_json::json!({ "now": now })).send().await.unwrap();
        assert!(resp.status().is_success());
    };
    set_clock("2033-02-28T12:00:00Z").await;
    let r = response_of(&lookup(&sim, &pnr_of("under_18")).await.1);
    assert_eq!(at(&r, &["persondata", "alder"]).as_deref(), Some("17"));
    set_clock("2033-03-01T12:00:00Z").await;
    let r = response_of(&lookup(&sim, &pnr_of("under_18")).await.1);
    assert_eq!(at(&r, &["persondata", "alder"]).as_deref(), Some("18"), "the birthday counts");
    set_clock("2020-06-01T12:00:00Z").await;
    let r = response_of(&lookup(&sim, &pnr_of("protection_expired")).await.1);
    assert_eq!(at(&r, &["persondata", "adressebeskyttelse", "beskyttet"]).as_deref(), Some("true"), "in force in 2020");
}

#[tokio::test]
async fn schema_drift_uses_other_legal_spellings() {
    let (base, sim) = start().await;
    let rule = serde_json::json!({ "kind": "schema_drift", "times": 1 });
    client().post(format!("{base}/__sim/faults")).json(&rule).send().await.unwrap();
    let (status, doc) = lookup(&sim, "1205851236").await;
    assert_eq!(status, 200);
    assert!(doc.contains(&format!("<PersonLookupResponse xmlns=\"{PBDE}\">")), "default namespace: {doc}");
    let r = response_of(&doc);
    assert_eq!(at(&r, &["adresse", "aktuelAdresse", "kommunekode"]).as_deref(), Some("0999"));
    assert_eq!(at(&r, &["persondata", "tilmeldtDigitalpost"]).as_deref(), Some("1"), "xs:boolean 1");
    assert_eq!(at(&r, &["persondata", "foedselsdato", "dato"]).as_deref(), Some("1985-05-12+01:00"));
    let r = response_of(&lookup(&sim, "1205851236").await.1);
    assert_eq!(at(&r, &["adresse", "aktuelAdresse", "kommunekode"]).as_deref(), Some("999"), "used up");
}
