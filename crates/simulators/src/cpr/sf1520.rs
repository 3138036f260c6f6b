//! SF1520 `PersonLookup` (integrations reference §1.1–1.7, §11.1): checks the request as the
//! real service would (SOAP 1.1 envelope, `SOAPAction`, namespaces, element order,
//! `MunicipalityCVR` 8 digits, `PNR` 10 digits with a valid day and month, service
//! agreement) and answers with a `PersonLookupResponse` or a SOAP fault.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::faults::{Delivery, deliver};
use super::sf1520_xml::{self as doc, AUTCTX, CALLCTX, INVCTX, PBDE, PNR, SOAP11, SOAP12, Style};
use super::{AgreementRefusal, ClientCert, CprState, SF1520_PATH};
use crate::control::RecordHandle;
use crate::xml::{self, Element};

pub(crate) const SOAP_ACTION: &str =
    "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/PersonLookup";
const XML_TYPE: &str = "text/xml; charset=utf-8";

/// A fault to answer with: SOAP `faultcode` (without prefix), Serviceplatform error code, text.
#[derive(Debug)]
struct Fault {
    faultcode: &'static str,
    code: &'static str,
    text: String,
}

impl Fault {
    fn client(code: &'static str, text: impl Into<String>) -> Self {
        Self { faultcode: "Client", code, text: text.into() }
    }
    /// SOAP 1.1 demands HTTP 500 for a fault.
    fn response(&self, delivery: Delivery) -> Response {
        let body = doc::fault(self.faultcode, &self.text, self.code, &self.text);
        deliver(StatusCode::INTERNAL_SERVER_ERROR, XML_TYPE, body.into_bytes(), delivery)
    }
}

/// What a well-formed request asks for.
#[derive(Debug)]
struct Lookup {
    cvr: String,
    pnr: String,
}

pub(crate) async fn lookup(
    State(state): State<Arc<CprState>>,
    cert: Option<Extension<ClientCert>>,
    record: Option<Extension<RecordHandle>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let cert = cert.map_or(ClientCert::PlainHttp, |Extension(c)| c);
    // Two annotations at most: what was asked (before any delay, so a hanging request still
    // shows it), then the outcome. The recorder's update is a search, and benchmarks send 10⁴.
    let note = |detail: serde_json::Value| {
        if let Some(Extension(r)) = &record {
            r.annotate(detail);
        }
    };
    let parsed = parse(&headers, &body);
    let asked = match &parsed {
        Ok(l) => {
            json!({ "service": "sf1520", "client_cert": cert.describe(), "cvr": l.cvr, "pnr": l.pnr })
        }
        Err(_) => json!({ "service": "sf1520", "client_cert": cert.describe() }),
    };
    note(asked);
    if state.wants_client_cert() && cert == ClientCert::Absent {
        note(json!({ "outcome": "no_client_certificate" }));
        return StatusCode::FORBIDDEN.into_response();
    }
    let key = parsed.as_ref().ok().map(|l| l.pnr.clone());
    let delivery = match state.before(SF1520_PATH, key.as_deref()).await {
        Ok(d) => d,
        Err(resp) => {
            note(json!({ "outcome": "fault_injected" }));
            return resp;
        }
    };
    let lookup = match parsed {
        Ok(l) => l,
        Err(fault) => {
            note(json!({ "outcome": "invalid_request", "error_code": fault.code }));
            return fault.response(delivery);
        }
    };
    let (response, outcome) = answer(&state, &lookup, delivery);
    note(json!({ "outcome": outcome }));
    response
}

/// Authorisation, injected SOAP faults, the person or "PNR not found", malformations.
fn answer(state: &CprState, lookup: &Lookup, delivery: Delivery) -> (Response, &'static str) {
    let faults = &state.control.faults;
    let key = Some(lookup.pnr.as_str());
    let agreed = state.config.agreements.as_ref().is_none_or(|a| a.contains(&lookup.cvr));
    if !agreed || faults.take("no_agreement", SF1520_PATH, key).is_some() {
        let resp = match state.config.agreement_refusal {
            AgreementRefusal::Forbidden => StatusCode::FORBIDDEN.into_response(),
            AgreementRefusal::SoapFault => Fault {
                faultcode: "Client",
                code: "NoServiceAgreement",
                text: "No service agreement for the calling system and MunicipalityCVR".into(),
            }
            .response(delivery),
        };
        return (resp, "no_agreement");
    }
    if let Some(f) = faults.take("soap_fault", SF1520_PATH, key) {
        let faultcode = if f.param_str("faultcode") == Some("Client") { "Client" } else { "Server" };
        let text = f.param_str("text").unwrap_or("Technical error in CPR replica lookup").to_owned();
        let code = f.param_str("code").unwrap_or("TechnicalError").to_owned();
        let body = doc::fault(faultcode, &text, &code, &text);
        // `status: 200` is the "valid HTTP 200 but SOAP Fault" case of reference §11.1.
        let status = match f.param_u64("status") {
            Some(200) => StatusCode::OK,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        return (deliver(status, XML_TYPE, body.into_bytes(), delivery), "soap_fault_injected");
    }
    let Some(person) = state.person(&lookup.pnr) else {
        // The text clients key on (reference §1.7); the CPR number is not repeated in it,
        // since fault texts end up in logs.
        let fault = Fault::client("PNRNotFound", "PNR not found");
        return (fault.response(delivery), "pnr_not_found");
    };
    let style = Style { drift: faults.take("schema_drift", SF1520_PATH, key).is_some() };
    let mut body = doc::lookup_response(&person, state.today(), style);
    let mut outcome = "found";
    if let Some(f) = faults.take("malformed", SF1520_PATH, key) {
        body = doc::malformed(&body, f.param_str("variant").unwrap_or("truncated"));
        outcome = "malformed_injected";
    }
    (deliver(StatusCode::OK, XML_TYPE, body.into_bytes(), delivery), outcome)
}

/// Checks in the order a SOAP stack meets them: transport headers, envelope, operation,
/// then the operation's fields.
fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Lookup, Fault> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let content_type = header("content-type").unwrap_or_default().to_ascii_lowercase();
    if content_type.starts_with("application/soap+xml") {
        return Err(Fault {
            faultcode: "VersionMismatch",
            code: "InvalidRequest",
            text: "SOAP 1.2 is not supported; send SOAP 1.1 (text/xml)".into(),
        });
    }
    if !content_type.starts_with("text/xml") {
        return Err(Fault::client("InvalidRequest", "Content-Type must be text/xml"));
    }
    // SOAP 1.1 quotes the action URI; an unquoted value is tolerated as most stacks do.
    let action = header("soapaction").map(|a| a.trim_matches('"'));
    if action != Some(SOAP_ACTION) {
        return Err(Fault::client("InvalidSOAPAction", format!("SOAPAction must be \"{SOAP_ACTION}\"")));
    }
    let text = std::str::from_utf8(body).map_err(|_| Fault::client("InvalidRequest", "The request is not UTF-8"))?;
    let root = xml::parse(text)
        .map_err(|e| Fault::client("InvalidRequest", format!("The request is not well-formed XML: {e}")))?;
    if root.is(SOAP12, "Envelope") {
        return Err(Fault {
            faultcode: "VersionMismatch",
            code: "InvalidRequest",
            text: "SOAP 1.2 envelope; send SOAP 1.1".into(),
        });
    }
    if !root.is(SOAP11, "Envelope") {
        return Err(Fault::client("InvalidRequest", "The root element must be the SOAP 1.1 Envelope"));
    }
    let mut parts = root.children.iter();
    let mut body_el = parts.next();
    if body_el.is_some_and(|e| e.is(SOAP11, "Header")) {
        body_el = parts.next();
    }
    let body_el = body_el
        .filter(|e| e.is(SOAP11, "Body"))
        .ok_or_else(|| Fault::client("InvalidRequest", "The Envelope must hold an optional Header and a Body"))?;
    if parts.next().is_some() {
        return Err(Fault::client("InvalidRequest", "Nothing may follow the SOAP Body"));
    }
    let [request] = body_el.children.as_slice() else {
        return Err(Fault::client("InvalidRequest", "The Body must hold exactly one PersonLookupRequest"));
    };
    if !request.is(PBDE, "PersonLookupRequest") {
        let ns = request.ns.as_deref().unwrap_or("no namespace");
        return Err(Fault::client("InvalidRequest", format!("Unknown operation {{{ns}}}{}", request.name)));
    }
    fields(request)
}

/// `CallContext?, AuthorityContext?, InvocationContext?, PNR` in that order (reference §1.3).
fn fields(request: &Element) -> Result<Lookup, Fault> {
    const SEQUENCE: [(&str, &str); 4] =
        [(CALLCTX, "CallContext"), (AUTCTX, "AuthorityContext"), (INVCTX, "InvocationContext"), (PNR, "PNR")];
    let mut next = 0;
    let (mut cvr, mut pnr) = (None, None);
    for child in &request.children {
        let Some(pos) = SEQUENCE.iter().position(|(ns, name)| child.is(ns, name)) else {
            let ns = child.ns.as_deref().unwrap_or("no namespace");
            return Err(Fault::client(
                "InvalidRequest",
                format!("Unexpected element {{{ns}}}{} in PersonLookupRequest", child.name),
            ));
        };
        if pos < next {
            return Err(Fault::client("InvalidRequest", format!("{} is out of order or repeated", child.name)));
        }
        next = pos + 1;
        match pos {
            1 => cvr = Some(municipality_cvr(child)?),
            3 => pnr = Some(child.text.clone()),
            _ => {}
        }
    }
    let cvr = cvr.ok_or_else(|| {
        Fault::client("InvalidRequest", "AuthorityContext/MunicipalityCVR is required (service agreements are per CVR)")
    })?;
    let pnr = pnr.ok_or_else(|| Fault::client("InvalidPNR", "PNR is required"))?;
    if !valid_pnr(&pnr) {
        return Err(Fault::client("InvalidPNR", "PNR must be 10 digits with day 01-31 and month 01-12"));
    }
    Ok(Lookup { cvr, pnr })
}

fn municipality_cvr(context: &Element) -> Result<String, Fault> {
    let [only] = context.children.as_slice() else {
        return Err(Fault::client("InvalidMunicipalityCVR", "AuthorityContext must hold exactly one MunicipalityCVR"));
    };
    if !only.is(AUTCTX, "MunicipalityCVR") {
        return Err(Fault::client(
            "InvalidMunicipalityCVR",
            "AuthorityContext must hold MunicipalityCVR in its namespace",
        ));
    }
    // No trimming: the schema type is a digit pattern, whitespace included is invalid.
    let cvr = &only.text;
    if cvr.len() != 8 || !cvr.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Fault::client("InvalidMunicipalityCVR", "MunicipalityCVR must be 8 digits"));
    }
    Ok(cvr.clone())
}

/// 10 digits, day 01–31, month 01–12; no modulus-11 (numbers after 2007 may fail it).
fn valid_pnr(pnr: &str) -> bool {
    if pnr.len() != 10 || !pnr.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (day, month): (u32, u32) = (pnr[0..2].parse().unwrap_or(0), pnr[2..4].parse().unwrap_or(0));
    (1..=31).contains(&day) && (1..=12).contains(&month)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pnr_rule_is_digits_day_and_month_only() {
        assert!(valid_pnr("0101701234"));
        assert!(valid_pnr("3102701234"), "no calendar check beyond 01-31");
        assert!(!valid_pnr("0013701234"));
        assert!(!valid_pnr("3201701234"));
        assert!(!valid_pnr("010170-1234"));
        assert!(!valid_pnr("010170123"));
    }
}
