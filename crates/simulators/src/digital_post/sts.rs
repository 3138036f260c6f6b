//! KOMBIT STS REST façade and AccessTokenService (reference §4.1, §11.3), plus the
//! holder-of-key check every service endpoint makes, and the handler-level faults.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{Value, json};

use super::{DpState, FORESPOERG_AUDIENCE, Grant, KOMBI_AUDIENCE, STS_PATH, TOKEN_PATH, lock};
use crate::control::RecordHandle;
use crate::cpr::ClientCert;
use crate::xml::escape;

/// The answer format of an endpoint, for injected faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Xml,
}

pub(crate) fn body(status: StatusCode, format: Format, text: String) -> Response {
    let content_type = match format {
        Format::Json => "application/json",
        Format::Xml => "application/xml; charset=utf-8",
    };
    let mut resp = (status, text).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

pub(crate) fn json_error(status: StatusCode, error: &str, description: &str) -> Response {
    body(status, Format::Json, json!({ "error": error, "error_description": description }).to_string())
}

/// Faults the handlers apply (the middleware already did `down`, `downtime_window`,
/// `http_status` and `delay_ms`): `timeout` (never answer), `unauthorized` (401) and `fault`
/// (the service's own error format, `params.status`, default 500).
pub(crate) async fn injected(state: &DpState, path: &str, key: Option<&str>, format: Format) -> Option<Response> {
    let faults = &state.control.faults;
    if faults.take("timeout", path, key).is_some() {
        std::future::pending::<()>().await;
    }
    if faults.take("unauthorized", path, key).is_some() {
        return Some(json_error(StatusCode::UNAUTHORIZED, "invalid_token", "token expired (injected)"));
    }
    let fault = faults.take("fault", path, key)?;
    let status = fault
        .param_u64("status")
        .and_then(|s| StatusCode::from_u16(s as u16).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let text = fault.param_str("text").unwrap_or("Intern fejl i tjenesten (injected)");
    Some(match format {
        Format::Json => json_error(status, "server_error", text),
        Format::Xml => body(
            status,
            Format::Xml,
            format!("<fault><errorCode>{}</errorCode><errorText>{}</errorText></fault>", status.as_u16(), escape(text)),
        ),
    })
}

/// The `malformed` fault: half the answer.
pub(crate) fn maybe_truncated(state: &DpState, path: &str, key: Option<&str>, text: String) -> String {
    if state.control.faults.take("malformed", path, key).is_none() {
        return text;
    }
    let mut cut = text.len() / 2;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text[..cut].to_owned()
}

/// Property names are case-insensitive (OS2sofd camelCase, Python PascalCase).
fn get<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

fn note(record: &Option<Extension<RecordHandle>>, detail: Value) {
    if let Some(Extension(r)) = record {
        r.annotate(detail);
    }
}

pub(crate) async fn issue(
    State(state): State<Arc<DpState>>,
    cert: Option<Extension<ClientCert>>,
    record: Option<Extension<RecordHandle>>,
    request: Bytes,
) -> Response {
    let cert = cert.map_or(ClientCert::PlainHttp, |Extension(c)| c);
    if let Some(resp) = injected(&state, STS_PATH, None, Format::Json).await {
        return resp;
    }
    let grant = match check_issue(&state, &cert, &request) {
        Ok(grant) => grant,
        Err((status, why)) => {
            note(&record, json!({ "service": "sts", "outcome": "refused", "reason": why }));
            return json_error(status, "invalid_request", why);
        }
    };
    let now = state.control.clock.now();
    let id = format!("_{}", uuid::Uuid::new_v4());
    let assertion = assertion(&id, &grant, now);
    let lifetime = grant.expires.format("%m/%d/%Y %H:%M:%S").to_string();
    note(&record, json!({ "service": "sts", "outcome": "issued", "audience": grant.audience, "cvr": grant.cvr }));
    lock(&state.assertions).insert(id, grant);
    let answer = json!({
        "RequestedSecurityToken": { "Assertion": assertion },
        "Lifetime": lifetime,
        "TokenType": "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0",
    });
    body(StatusCode::OK, Format::Json, maybe_truncated(&state, STS_PATH, None, answer.to_string()))
}

fn check_issue(state: &DpState, cert: &ClientCert, request: &[u8]) -> Result<Grant, (StatusCode, &'static str)> {
    let bad = |why| (StatusCode::BAD_REQUEST, why);
    let request: Value = serde_json::from_slice(request).map_err(|_| bad("body is not JSON"))?;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let use_key = text(get(&request, "UseKey")).ok_or(bad("UseKey missing"))?;
    let certificate =
        base64::engine::general_purpose::STANDARD.decode(use_key.trim()).map_err(|_| bad("UseKey is not base64"))?;
    if let ClientCert::Presented(presented) = cert
        && *presented != certificate
    {
        return Err(bad("UseKey is not the TLS client certificate"));
    }
    if certificate.is_empty() {
        return Err(bad("UseKey is empty"));
    }
    let audience =
        text(get(&request, "AppliesTo").and_then(|a| get(a, "EndpointReference")).and_then(|e| get(e, "Address")))
            .ok_or(bad("AppliesTo.EndpointReference.Address missing"))?;
    if audience != KOMBI_AUDIENCE && audience != FORESPOERG_AUDIENCE {
        return Err(bad("AppliesTo names no service this STS issues for"));
    }
    if !text(get(&request, "RequestType")).is_some_and(|t| t.ends_with("/Issue")) {
        return Err(bad("RequestType is not WS-Trust Issue"));
    }
    let cvr = text(get(&request, "AnvenderKontekst").and_then(|a| get(a, "Cvr")))
        .ok_or(bad("AnvenderKontekst.Cvr missing"))?;
    if cvr.len() != 8 || !cvr.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("AnvenderKontekst.Cvr is not a CVR number"));
    }
    if state.config.agreements.as_ref().is_some_and(|a| !a.contains(&cvr)) {
        return Err((StatusCode::FORBIDDEN, "no service agreement for this CVR"));
    }
    let lifetime = chrono::Duration::from_std(state.config.saml_lifetime).unwrap_or_default();
    Ok(Grant { audience, cvr, certificate, expires: state.control.clock.now() + lifetime })
}

fn assertion(id: &str, grant: &Grant, now: chrono::DateTime<chrono::Utc>) -> String {
    let at = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let key = base64::engine::general_purpose::STANDARD.encode(&grant.certificate);
    format!(
        r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" IssueInstant="{now}" Version="2.0"><saml:Issuer>https://sts.simulator.valghalla.local/</saml:Issuer><saml:Subject><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"><saml:SubjectConfirmationData><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{key}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></saml:SubjectConfirmationData></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{now}" NotOnOrAfter="{until}"><saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AttributeStatement><saml:Attribute Name="dk:gov:saml:attribute:CvrNumberIdentifier"><saml:AttributeValue>{cvr}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>"#,
        now = at(now),
        until = at(grant.expires),
        audience = escape(&grant.audience),
        cvr = grant.cvr,
    )
}

pub(crate) async fn access_token(
    State(state): State<Arc<DpState>>,
    cert: Option<Extension<ClientCert>>,
    record: Option<Extension<RecordHandle>>,
    request: Bytes,
) -> Response {
    let cert = cert.map_or(ClientCert::PlainHttp, |Extension(c)| c);
    if let Some(resp) = injected(&state, TOKEN_PATH, None, Format::Json).await {
        return resp;
    }
    let grant = match check_assertion(&state, &cert, &request) {
        Ok(grant) => grant,
        Err((status, why)) => {
            note(&record, json!({ "service": "access_token", "outcome": "refused", "reason": why }));
            return json_error(status, "invalid_grant", why);
        }
    };
    let seconds = state
        .control
        .faults
        .take("expires_in", TOKEN_PATH, None)
        .and_then(|f| f.param_u64("seconds"))
        .unwrap_or(state.config.access_token_lifetime.as_secs());
    let token = uuid::Uuid::new_v4().simple().to_string();
    let expires = state.control.clock.now() + chrono::Duration::seconds(seconds as i64);
    note(&record, json!({ "service": "access_token", "outcome": "issued", "audience": grant.audience }));
    lock(&state.tokens).insert(token.clone(), Grant { expires, ..grant });
    let answer = json!({ "access_token": token, "token_type": "Holder-of-key", "expires_in": seconds });
    body(StatusCode::OK, Format::Json, maybe_truncated(&state, TOKEN_PATH, None, answer.to_string()))
}

fn check_assertion(state: &DpState, cert: &ClientCert, request: &[u8]) -> Result<Grant, (StatusCode, &'static str)> {
    let unauthorized = |why| (StatusCode::UNAUTHORIZED, why);
    let form: Vec<(String, String)> =
        serde_urlencoded::from_bytes(request).map_err(|_| (StatusCode::BAD_REQUEST, "body is not a form"))?;
    let token = form.into_iter().find(|(k, _)| k == "saml-token").map(|(_, v)| v);
    let token = token.ok_or((StatusCode::BAD_REQUEST, "saml-token missing"))?;
    // Valghalla sends the assertion base64-encoded, OS2sofd and Python as is.
    let xml = if token.trim_start().starts_with('<') {
        token
    } else {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(token.trim())
            .map_err(|_| unauthorized("saml-token is neither XML nor base64"))?;
        String::from_utf8(bytes).map_err(|_| unauthorized("saml-token is not UTF-8"))?
    };
    let root = crate::xml::parse(&xml).map_err(|_| unauthorized("saml-token is not XML"))?;
    let id = root.attr("ID").ok_or(unauthorized("the assertion has no ID"))?;
    let grant = lock(&state.assertions).get(id).cloned().ok_or(unauthorized("the assertion was not issued here"))?;
    if grant.expires <= state.control.clock.now() {
        return Err(unauthorized("the assertion has expired"));
    }
    if let ClientCert::Presented(presented) = cert
        && *presented != grant.certificate
    {
        return Err((StatusCode::BAD_REQUEST, "the assertion is bound to another certificate"));
    }
    Ok(grant)
}

/// Holder-of-key: a live token for `audience`, presented over the certificate it is bound to.
pub(crate) fn authorize(
    state: &DpState,
    headers: &HeaderMap,
    cert: &ClientCert,
    audience: &str,
) -> Result<Grant, &'static str> {
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or("no Authorization header")?;
    let token = value.strip_prefix("Holder-of-key ").ok_or("Authorization is not Holder-of-key")?;
    let grant = lock(&state.tokens).get(token.trim()).cloned().ok_or("unknown access token")?;
    if grant.expires <= state.control.clock.now() {
        return Err("access token expired");
    }
    if grant.audience != audience {
        return Err("access token is for another service");
    }
    if let ClientCert::Presented(presented) = cert
        && *presented != grant.certificate
    {
        return Err("access token is bound to another certificate");
    }
    Ok(grant)
}

/// `x-TransaktionsId` must be a UUID and `x-TransaktionsTid` a UTC time ending in `Z`.
pub(crate) fn transaction_headers(headers: &HeaderMap) -> Result<(), &'static str> {
    let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    text("x-TransaktionsId").and_then(|v| uuid::Uuid::parse_str(v).ok()).ok_or("x-TransaktionsId is not a UUID")?;
    let time = text("x-TransaktionsTid").ok_or("x-TransaktionsTid missing")?;
    if !time.ends_with('Z') || chrono::DateTime::parse_from_rfc3339(time).is_err() {
        return Err("x-TransaktionsTid is not a UTC time ending in Z");
    }
    Ok(())
}
