//! Single logout over the HTTP-Redirect binding, both ways: the SP's LogoutRequest is
//! answered with a signed LogoutResponse redirected to the SP's SLO URL, and
//! `/slo/initiate` starts an IdP-side logout by redirecting a signed LogoutRequest to it.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::binding::{check_signature, inflate_message, raw_param, signed_redirect_url, url_decode};
use super::messages::{self, ResponseHeader, Status, new_id};
use super::{Idp, pages};
use crate::control::RecordHandle;

fn redirect(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_owned())]).into_response()
}

fn message(query: &str, param: &str) -> anyhow::Result<Option<String>> {
    raw_param(query, param).map(|raw| url_decode(raw).and_then(|b64| inflate_message(&b64))).transpose()
}

pub(super) async fn slo(
    State(idp): State<Arc<Idp>>,
    Extension(record): Extension<RecordHandle>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let refuse = |why: String| {
        record.annotate(json!({ "error": why }));
        pages::error(StatusCode::BAD_REQUEST, &why)
    };
    match (message(&query, "SAMLRequest"), message(&query, "SAMLResponse")) {
        (Ok(Some(xml)), _) => logout_request(&idp, &query, &xml, &record).unwrap_or_else(refuse),
        (_, Ok(Some(xml))) => match messages::parse_logout_response(&xml) {
            // The SP's answer to an IdP-initiated logout.
            Ok(resp) => {
                let check = idp
                    .sp_by_entity(&resp.issuer)
                    .map(|sp| check_signature(&query, "SAMLResponse", idp.sps[sp].verify_key.as_ref()));
                record.annotate(json!({
                    "type": "LogoutResponse",
                    "response": resp,
                    "signature": check.map(|c| c.as_str()),
                }));
                pages::logged_out(idp.flavour)
            }
            Err(e) => refuse(format!("LogoutResponse kunne ikke læses: {e}")),
        },
        (Err(e), _) | (_, Err(e)) => refuse(format!("Logout-beskeden kunne ikke læses: {e}")),
        (Ok(None), Ok(None)) => refuse("Forespørgslen mangler SAMLRequest eller SAMLResponse.".into()),
    }
}

fn logout_request(idp: &Idp, query: &str, xml: &str, record: &RecordHandle) -> Result<Response, String> {
    let request = messages::parse_logout_request(xml).map_err(|e| format!("LogoutRequest kunne ikke læses: {e}"))?;
    let sp = idp.sp_by_entity(&request.issuer).ok_or_else(|| format!("Ukendt tjenesteudbyder: {}", request.issuer))?;
    let check = check_signature(query, "SAMLRequest", idp.sps[sp].verify_key.as_ref());
    let relay_state = raw_param(query, "RelayState").and_then(|r| url_decode(r).ok());
    record.annotate(json!({ "type": "LogoutRequest", "request": request, "signature": check.as_str() }));
    if !check.acceptable() {
        return Err(format!("LogoutRequest-signaturen er ikke gyldig ({}).", check.as_str()));
    }
    let slo_url = idp.sps[sp].config.slo_url.clone().ok_or("Tjenesteudbyderen har ingen SingleLogoutService.")?;

    let path = format!("/{}/slo", idp.flavour.path());
    let mut status = Status::success();
    if let Some(f) = idp.control.faults.take("status", &path, None) {
        status = Status {
            top: f.param_str("top").unwrap_or("Responder").into(),
            second: f.param_str("second").map(str::to_owned),
            message: f.param_str("message").map(str::to_owned),
        };
    } else {
        let mut state = idp.volatile();
        let before = state.sessions.len();
        state.sessions.retain(|s| {
            !(s.sp == sp
                && s.name_id == request.name_id
                && (request.session_indexes.is_empty() || request.session_indexes.contains(&s.session_index)))
        });
        record.annotate(json!({ "sessions_ended": before - state.sessions.len() }));
    }
    let signer = if idp.control.faults.take("bad_signature", &path, None).is_some() { &idp.evil } else { &idp.signer };
    let id = new_id();
    let header = ResponseHeader {
        id: &id,
        issuer: &idp.entity_id,
        issue_instant: idp.control.clock.now(),
        destination: &slo_url,
        in_response_to: Some(&request.id),
    };
    let xml = messages::logout_response_xml(&header, &status);
    let url = signed_redirect_url(&slo_url, "SAMLResponse", &xml, relay_state.as_deref(), signer)
        .map_err(|e| e.to_string())?;
    Ok(redirect(&url))
}

/// `GET /{flavour}/slo/initiate[?session=<SessionIndex>|?user=<id>]`: log out that
/// session (default: the latest) at its SP.
pub(super) async fn initiate(
    State(idp): State<Arc<Idp>>,
    Extension(record): Extension<RecordHandle>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let wanted_session = raw_param(&query, "session").and_then(|s| url_decode(s).ok());
    let wanted_user = raw_param(&query, "user").and_then(|s| url_decode(s).ok());
    let session = {
        let mut state = idp.volatile();
        let index = state.sessions.iter().rposition(|s| {
            wanted_session.as_ref().is_none_or(|w| &s.session_index == w)
                && wanted_user.as_ref().is_none_or(|u| &s.user == u)
        });
        index.map(|i| state.sessions.remove(i))
    };
    let Some(session) = session else {
        return pages::error(StatusCode::NOT_FOUND, "Ingen aktiv session at logge ud.");
    };
    let Some(slo_url) = idp.sps[session.sp].config.slo_url.clone() else {
        return pages::error(StatusCode::BAD_REQUEST, "Tjenesteudbyderen har ingen SingleLogoutService.");
    };
    let id = new_id();
    let header = ResponseHeader {
        id: &id,
        issuer: &idp.entity_id,
        issue_instant: idp.control.clock.now(),
        destination: &slo_url,
        in_response_to: None,
    };
    let xml = messages::logout_request_xml(&header, &session.name_id, &session.name_id_format, &session.session_index);
    record.annotate(json!({ "type": "IdpLogoutRequest", "id": id, "session_index": session.session_index }));
    match signed_redirect_url(&slo_url, "SAMLRequest", &xml, None, &idp.signer) {
        Ok(url) => redirect(&url),
        Err(e) => pages::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
