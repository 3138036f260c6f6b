//! SF1520 simulator against hand-written requests (integrations reference §1.3) and the
//! response elements reference §1.4 names, for every fixture person; bad requests get the
//! faults of §1.7. Helpers here are shared by the other `cpr_*` test modules.

use std::time::Duration;

use simulators::cpr::{CprSimConfig, CprSimHandle, CprSimulator, Persons};
use simulators::xml::{self, Element};

pub const SOAP: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const PBDE: &str = "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/";
pub const SPF: &str = "http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/";
pub const ACTION: &str = "\"http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/PersonLookup\"";
pub const KORSBAEK_CVR: &str = "12345674";

/// A PersonLookup request as a WCF client with `AuthorityContext` sends it, written by hand.
pub fn request(cvr: &str, pnr: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <pbde:PersonLookupRequest xmlns:pbde="http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/"
        xmlns:autctx="http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/"
        xmlns:pnr="http://serviceplatformen.dk/xml/schemas/cpr/PNR/1/">
      <autctx:AuthorityContext>
        <autctx:MunicipalityCVR>{cvr}</autctx:MunicipalityCVR>
      </autctx:AuthorityContext>
      <pnr:PNR>{pnr}</pnr:PNR>
    </pbde:PersonLookupRequest>
  </soap:Body>
</soap:Envelope>"#
    )
}

/// A client that opens a new connection per request (so `close_connection` is seen) and
/// gives up after 20 s.
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().pool_max_idle_per_host(0).timeout(Duration::from_secs(20)).build().unwrap()
}

pub async fn start() -> (String, CprSimHandle) {
    start_with(CprSimConfig::default()).await
}

pub async fn start_with(config: CprSimConfig) -> (String, CprSimHandle) {
    CprSimulator::start(config).await.expect("CPR simulator starts")
}

pub async fn post(
    http: &reqwest::Client,
    url: &str,
    action: Option<&str>,
    body: String,
) -> reqwest::Result<reqwest::Response> {
    let mut req = http.post(url).header("content-type", "text/xml; charset=utf-8").body(body);
    if let Some(a) = action {
        req = req.header("SOAPAction", a);
    }
    req.send().await
}

/// Look `pnr` up as Korsbæk; (status, body).
pub async fn lookup(sim: &CprSimHandle, pnr: &str) -> (u16, String) {
    let resp = post(&client(), &sim.sf1520_url(), Some(ACTION), request(KORSBAEK_CVR, pnr)).await.expect("answer");
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// The `PersonLookupResponse` inside a SOAP 1.1 envelope.
pub fn response_of(doc: &str) -> Element {
    let env = xml::parse(doc).unwrap_or_else(|e| panic!("well-formed XML ({e}): {doc}"));
    assert!(env.is(SOAP, "Envelope"), "SOAP 1.1 envelope: {doc}");
    let body = env.child(SOAP, "Body").expect("Body");
    body.child(PBDE, "PersonLookupResponse").unwrap_or_else(|| panic!("PersonLookupResponse: {doc}")).clone()
}

/// Text at a path of `pbde` children, e.g. `["persondata", "navn", "fornavn"]`.
pub fn at(el: &Element, path: &[&str]) -> Option<String> {
    let mut cur = el;
    for name in path {
        cur = cur.child(PBDE, name)?;
    }
    Some(cur.text.clone())
}

/// (faultcode resolved to `{namespace}local`, faultstring, ErrorCode) of a SOAP fault.
pub fn fault_of(doc: &str) -> (String, String, String) {
    let env = xml::parse(doc).unwrap_or_else(|e| panic!("well-formed XML ({e}): {doc}"));
    let fault = env.child(SOAP, "Body").and_then(|b| b.child(SOAP, "Fault")).unwrap_or_else(|| panic!("Fault: {doc}"));
    // faultcode/faultstring/detail are unqualified in SOAP 1.1.
    let child =
        |name: &str| fault.children.iter().find(|c| c.name == name && c.ns.is_none()).map(|c| c.text.trim().to_owned());
    let code = child("faultcode").expect("faultcode");
    let (prefix, local) = code.split_once(':').expect("faultcode is a QName");
    let ns = env.attr(&format!("xmlns:{prefix}")).expect("the faultcode prefix is declared on the Envelope");
    let detail = fault.children.iter().find(|c| c.name == "detail").expect("detail");
    let error = detail.descendants(SPF, "Error");
    let error_code = error.first().and_then(|e| e.child_text(SPF, "ErrorCode")).expect("spf:ErrorCode");
    assert!(error[0].child(SPF, "ErrorText").is_some(), "spf:ErrorText");
    (format!("{{{ns}}}{local}"), child("faultstring").expect("faultstring"), error_code)
}

pub fn pnr_of(label: &str) -> String {
    Persons::builtin().by_label(label).unwrap_or_else(|| panic!("fixture {label}")).pnr.clone()
}

#[tokio::test]
async fn every_fixture_person_is_answered_with_its_own_record() {
    let (_, sim) = start().await;
    for person in Persons::builtin().iter() {
        let (status, doc) = lookup(&sim, &person.pnr).await;
        assert_eq!(status, 200, "{:?}: {doc}", person.label);
        let resp = response_of(&doc);
        assert_eq!(at(&resp, &["persondata", "personnummer"]), Some(person.pnr.clone()));
        assert_eq!(at(&resp, &["persondata", "status", "status"]), Some(person.status.to_string()));
        assert_eq!(at(&resp, &["persondata", "navn", "efternavn"]), Some(person.last_name.clone()));
        assert!(at(&resp, &["persondata", "foedselsdato", "dato"]).is_some());
        assert!(at(&resp, &["persondata", "alder"]).unwrap().parse::<u32>().is_ok(), "alder holds an integer");
    }
}

#[tokio::test]
async fn resident_here_has_the_skeleton_of_reference_1_4() {
    let (_, sim) = start().await;
    let (_, doc) = lookup(&sim, "1205851236").await;
    let r = response_of(&doc);
    let p = |path: &[&str]| at(&r, &[&["persondata"], path].concat());
    assert_eq!(p(&["navn", "fornavn"]).as_deref(), Some("Karen"));
    assert_eq!(p(&["navn", "mellemnavn"]), None, "no middle name, no element");
    assert_eq!(p(&["navn", "personadresseringsnavn"]).as_deref(), Some("Testesen,Karen"));
    assert_eq!(p(&["foedselsdato", "dato"]).as_deref(), Some("1985-05-12"));
    assert_eq!(p(&["koen"]).as_deref(), Some("K"));
    assert_eq!(p(&["status", "status"]).as_deref(), Some("1"));
    assert_eq!(p(&["civilstand", "civilstand"]).as_deref(), Some("G"));
    assert_eq!(p(&["statsborgerskab", "landekode"]).as_deref(), Some("5100"));
    assert_eq!(p(&["statsborgerskab", "landekodeMyndighedsnavn"]).as_deref(), Some("Danmark"));
    assert_eq!(p(&["umyndiggoerelse", "umyndiggjort"]).as_deref(), Some("false"));
    assert_eq!(p(&["adressebeskyttelse", "beskyttet"]), None, "element may be absent");
    assert_eq!(p(&["tilmeldtDigitalpost"]).as_deref(), Some("true"));
    assert_eq!(p(&["tilmeldtNemsms"]).as_deref(), Some("false"));
    let a = |path: &[&str]| at(&r, &[&["adresse", "aktuelAdresse"], path].concat());
    assert_eq!(a(&["kommunekode"]).as_deref(), Some("999"), "no leading zeros, as the real service");
    assert_eq!(a(&["kommuneCvr"]).as_deref(), Some("12345674"));
    assert_eq!(a(&["vejkode"]).as_deref(), Some("101"));
    assert_eq!(a(&["standardadresse"]).as_deref(), Some("Skolevej 12A, 1. tv"));
    assert_eq!(a(&["postnummer"]).as_deref(), Some("4999"));
    assert_eq!(a(&["postdistrikt"]).as_deref(), Some("Korsbæk"));
    assert_eq!(a(&["distrikter", "valgdistriktKode"]).as_deref(), Some("01"));
    assert_eq!(a(&["tilflytningsdato"]).as_deref(), Some("2018-03-01"));
    assert!(r.child(PBDE, "adresse").unwrap().child(PBDE, "udrejseoplysninger").is_none());
    // Children of persondata come in the schema's order (reference §1.4).
    let names: Vec<&str> = r.child(PBDE, "persondata").unwrap().children.iter().map(|c| c.name.as_str()).collect();
    let order = [
        "personnummer",
        "navn",
        "foedselsdato",
        "alder",
        "koen",
        "status",
        "civilstand",
        "statsborgerskab",
        "tilmeldtDigitalpost",
    ];
    let positions: Vec<usize> = order.iter().map(|n| names.iter().position(|x| x == n).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "order {names:?}");
}

#[tokio::test]
async fn the_special_cases_of_reference_11_1() {
    let (_, sim) = start().await;
    let get = async |label: &str| response_of(&lookup(&sim, &pnr_of(label)).await.1);

    let r = get("middle_name").await;
    assert_eq!(at(&r, &["persondata", "navn", "fornavn"]).as_deref(), Some("Mads"));
    assert_eq!(at(&r, &["persondata", "navn", "mellemnavn"]).as_deref(), Some("Peter"));
    assert_eq!(at(&r, &["adresse", "aktuelAdresse", "standardadresse"]).as_deref(), Some("Torvet 3, st."));

    let r = get("aeoeaa").await;
    assert_eq!(at(&r, &["persondata", "navn", "efternavn"]).as_deref(), Some("Ørsted-Æbelø"));
    assert_eq!(at(&r, &["persondata", "navn", "fornavn"]).as_deref(), Some("Åse"));
    assert_eq!(at(&r, &["adresse", "aktuelAdresse", "postdistrikt"]).as_deref(), Some("Korsbæk Ø"));
    assert_eq!(at(&r, &["persondata", "tilmeldtDigitalpost"]), None, "absent, not false");

    let r = get("other_municipality").await;
    assert_eq!(at(&r, &["adresse", "aktuelAdresse", "kommunekode"]).as_deref(), Some("751"));
    assert_eq!(at(&r, &["adresse", "aktuelAdresse", "postdistrikt"]).as_deref(), Some("Aarhus C"));

    let r = get("foreign").await;
    assert_eq!(at(&r, &["persondata", "statsborgerskab", "landekode"]).as_deref(), Some("5120"));

    let r = get("under_18").await;
    assert_eq!(at(&r, &["persondata", "foedselsdato", "dato"]).as_deref(), Some("2015-03-01"));
    assert!(at(&r, &["persondata", "alder"]).unwrap().parse::<u32>().unwrap() < 18);

    let r = get("guardianship").await;
    assert_eq!(at(&r, &["persondata", "umyndiggoerelse", "umyndiggjort"]).as_deref(), Some("true"));
    assert_eq!(at(&r, &["persondata", "umyndiggoerelse", "relationVaergenavn"]).as_deref(), Some("Bodil Værge"));

    let r = get("protected").await;
    assert_eq!(at(&r, &["persondata", "adressebeskyttelse", "beskyttet"]).as_deref(), Some("true"));
    let r = get("protection_expired").await;
    assert_eq!(at(&r, &["persondata", "adressebeskyttelse", "beskyttet"]).as_deref(), Some("false"));
    assert_eq!(at(&r, &["persondata", "tilmeldtDigitalpost"]).as_deref(), Some("false"));

    let r = get("dead").await;
    assert_eq!(at(&r, &["persondata", "status", "status"]).as_deref(), Some("90"));
    assert_eq!(at(&r, &["persondata", "status", "statusdato"]).as_deref(), Some("2025-10-03"));
    assert!(r.child(PBDE, "adresse").is_none(), "no address block at all");

    let r = get("disappeared").await;
    assert_eq!(at(&r, &["persondata", "status", "status"]).as_deref(), Some("70"));
    assert_eq!(at(&r, &["persondata", "forsvindingsdato"]).as_deref(), Some("2023-02-01"));
    let adresse = r.child(PBDE, "adresse").expect("adresse with only a contact address");
    assert!(adresse.child(PBDE, "aktuelAdresse").is_none() && adresse.child(PBDE, "udrejseoplysninger").is_none());
    assert_eq!(at(&r, &["adresse", "kontaktAdresse", "kontaktAdr1"]).as_deref(), Some("c/o Advokat Jensen"));

    let r = get("emigrated").await;
    assert_eq!(at(&r, &["persondata", "status", "status"]).as_deref(), Some("80"));
    assert!(at(&r, &["adresse", "aktuelAdresse"]).is_none(), "emigrants have no aktuelAdresse");
    let u = |n: &str| at(&r, &["adresse", "udrejseoplysninger", n]);
    assert_eq!(u("udrejselandekode").as_deref(), Some("5110"));
    assert_eq!(u("udrejsedato").as_deref(), Some("2024-08-15"));
    assert_eq!(u("udlandsadresse1").as_deref(), Some("Storgata 5"));
    assert_eq!(u("udlandsadresse2").as_deref(), Some("0155 Oslo"));
    assert_eq!(u("udlandsadresse3").as_deref(), Some("NORGE"));

    for (label, status) in [("no_residence", "20"), ("annulled", "30"), ("deleted", "50"), ("changed_pnr", "60")] {
        let r = get(label).await;
        assert_eq!(at(&r, &["persondata", "status", "status"]).as_deref(), Some(status), "{label}");
        assert!(r.child(PBDE, "adresse").is_none(), "{label}: no address block");
    }
    let r = get("changed_pnr").await;
    assert_eq!(at(&r, &["persondata", "gaeldendePersonnummer"]), Some(pnr_of("changed_pnr_new")));
}

#[tokio::test]
async fn unknown_pnr_is_a_soap_fault_saying_pnr_not_found() {
    let (_, sim) = start().await;
    let (status, doc) = lookup(&sim, "0101010000").await;
    assert_eq!(status, 500, "SOAP 1.1 faults travel with HTTP 500");
    let (code, text, error) = fault_of(&doc);
    assert_eq!(code, format!("{{{SOAP}}}Client"));
    assert!(text.contains("PNR not found"), "{text}");
    assert_eq!(error, "PNRNotFound");
    assert!(!doc.contains("0101010000"), "the CPR number is not echoed into fault texts");
}
