//! Single logout over the HTTP-Redirect binding, both ways:
//! - SP-initiated: [`LogoutRequest`] to the IdP, its [`LogoutResponseMessage`] back;
//! - IdP-initiated: [`IncomingLogoutRequest`] from the IdP, our [`LogoutResponse`].
//!
//! Every message is signed (detached redirect signature); incoming ones must be
//! signed by a key from the IdP metadata.

use chrono::{DateTime, Utc};

use super::cert::Credential;
use super::dom::Element;
use super::error::LogoutError;
use super::metadata::IdpMetadata;
use super::redirect::{MessageKind, decode_redirect, encode_redirect};
use super::sp::ServiceProvider;
use super::{escape_xml, new_id, ns, redact_digits, time, uri, xmlsec};

/// An SP-initiated logout of the user's IdP session.
#[derive(Debug, Clone)]
pub struct LogoutRequest {
    pub id: String,
    pub issue_instant: DateTime<Utc>,
    pub destination: String,
    pub issuer: String,
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
}

impl LogoutRequest {
    /// For the NameID and SessionIndex of the login (see [`crate::saml::Login`]).
    /// Keep `id` with the session: the IdP's response must answer it.
    pub fn new(
        sp: &ServiceProvider,
        idp: &IdpMetadata,
        name_id: &str,
        name_id_format: Option<&str>,
        session_index: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Self, LogoutError> {
        let endpoint = idp.slo_redirect().ok_or(LogoutError::NoRedirectSlo)?;
        Ok(LogoutRequest {
            id: new_id(),
            issue_instant: now,
            destination: endpoint.location.clone(),
            issuer: sp.entity_id.clone(),
            name_id: name_id.to_owned(),
            name_id_format: name_id_format.map(str::to_owned),
            session_index: session_index.map(str::to_owned),
        })
    }

    pub fn to_xml(&self) -> String {
        let format =
            self.name_id_format.as_deref().map(|f| format!(r#" Format="{}""#, escape_xml(f))).unwrap_or_default();
        let session = self
            .session_index
            .as_deref()
            .map(|s| format!("<samlp:SessionIndex>{}</samlp:SessionIndex>", escape_xml(s)))
            .unwrap_or_default();
        format!(
            r#"<samlp:LogoutRequest xmlns:samlp="{}" xmlns:saml="{}" ID="{}" Version="2.0" IssueInstant="{}" Destination="{}"><saml:Issuer>{}</saml:Issuer><saml:NameID{format}>{}</saml:NameID>{session}</samlp:LogoutRequest>"#,
            ns::PROTOCOL,
            ns::ASSERTION,
            escape_xml(&self.id),
            time::format(self.issue_instant),
            escape_xml(&self.destination),
            escape_xml(&self.issuer),
            escape_xml(&self.name_id),
        )
    }

    pub fn redirect_url(&self, signer: &Credential, relay_state: Option<&str>) -> Result<String, LogoutError> {
        Ok(encode_redirect(&self.destination, MessageKind::Request, &self.to_xml(), relay_state, signer)?)
    }
}

/// How we answer an IdP-initiated logout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoutStatus {
    Success,
    PartialLogout,
    RequestDenied,
    Responder,
}

impl LogoutStatus {
    fn code(self) -> (&'static str, Option<&'static str>) {
        match self {
            LogoutStatus::Success => (uri::STATUS_SUCCESS, None),
            LogoutStatus::PartialLogout => (uri::STATUS_SUCCESS, Some(uri::STATUS_PARTIAL_LOGOUT)),
            LogoutStatus::RequestDenied => (uri::STATUS_REQUESTER, Some(uri::STATUS_REQUEST_DENIED)),
            LogoutStatus::Responder => (uri::STATUS_RESPONDER, None),
        }
    }
}

/// A verified IdP-initiated LogoutRequest: end the sessions it names, then
/// answer with [`IncomingLogoutRequest::response`].
#[derive(Debug, Clone)]
pub struct IncomingLogoutRequest {
    pub id: String,
    pub name_id: String,
    pub session_indexes: Vec<String>,
    pub relay_state: Option<String>,
}

impl IncomingLogoutRequest {
    /// Verifies the redirect signature against the IdP's signing keys, then the
    /// Issuer, Destination and NotOnOrAfter. `raw_query` as received.
    pub fn from_redirect(
        raw_query: &str,
        idp: &IdpMetadata,
        sp: &ServiceProvider,
        now: DateTime<Utc>,
    ) -> Result<Self, LogoutError> {
        let message = decode_redirect(raw_query, &idp.signing_certificates)?;
        if message.kind != MessageKind::Request {
            return Err(LogoutError::WrongMessage { expected: "LogoutRequest" });
        }
        let doc = xmlsec::parse(message.xml)?;
        let root = doc.root();
        if !root.is(ns::PROTOCOL, "LogoutRequest") {
            return Err(LogoutError::WrongMessage { expected: "LogoutRequest" });
        }
        check_common(root, "LogoutRequest", idp, sp)?;
        if let Some(text) = root.attr("NotOnOrAfter") {
            let until = time::parse(text).ok_or(LogoutError::BadTimestamp("NotOnOrAfter"))?;
            if now - sp.clock_skew >= until {
                return Err(LogoutError::Expired(until));
            }
        }
        let name_id = root
            .child(ns::ASSERTION, "NameID")
            .map(|n| n.trimmed_text().to_owned())
            .filter(|n| !n.is_empty())
            .ok_or(LogoutError::Missing { element: "LogoutRequest", what: "NameID" })?;
        Ok(IncomingLogoutRequest {
            id: root.attr("ID").unwrap_or_default().to_owned(),
            name_id,
            session_indexes: root
                .children_named(ns::PROTOCOL, "SessionIndex")
                .map(|s| s.trimmed_text().to_owned())
                .collect(),
            relay_state: message.relay_state,
        })
    }

    /// Our answer, to the IdP's SLO ResponseLocation (or Location).
    pub fn response(
        &self,
        sp: &ServiceProvider,
        idp: &IdpMetadata,
        status: LogoutStatus,
        now: DateTime<Utc>,
    ) -> Result<LogoutResponse, LogoutError> {
        let endpoint = idp.slo_redirect().ok_or(LogoutError::NoRedirectSlo)?;
        Ok(LogoutResponse {
            id: new_id(),
            issue_instant: now,
            destination: endpoint.response_location.clone().unwrap_or_else(|| endpoint.location.clone()),
            issuer: sp.entity_id.clone(),
            in_response_to: self.id.clone(),
            status,
            relay_state: self.relay_state.clone(),
        })
    }
}

/// Our LogoutResponse to an IdP-initiated logout.
#[derive(Debug, Clone)]
pub struct LogoutResponse {
    pub id: String,
    pub issue_instant: DateTime<Utc>,
    pub destination: String,
    pub issuer: String,
    pub in_response_to: String,
    pub status: LogoutStatus,
    /// Returned to the IdP unchanged, as the binding requires.
    pub relay_state: Option<String>,
}

impl LogoutResponse {
    pub fn to_xml(&self) -> String {
        let (code, sub) = self.status.code();
        let sub = sub.map(|s| format!(r#"<samlp:StatusCode Value="{s}"/>"#)).unwrap_or_default();
        format!(
            r#"<samlp:LogoutResponse xmlns:samlp="{}" xmlns:saml="{}" ID="{}" Version="2.0" IssueInstant="{}" Destination="{}" InResponseTo="{}"><saml:Issuer>{}</saml:Issuer><samlp:Status><samlp:StatusCode Value="{code}">{sub}</samlp:StatusCode></samlp:Status></samlp:LogoutResponse>"#,
            ns::PROTOCOL,
            ns::ASSERTION,
            escape_xml(&self.id),
            time::format(self.issue_instant),
            escape_xml(&self.destination),
            escape_xml(&self.in_response_to),
            escape_xml(&self.issuer),
        )
    }

    pub fn redirect_url(&self, signer: &Credential) -> Result<String, LogoutError> {
        Ok(encode_redirect(
            &self.destination,
            MessageKind::Response,
            &self.to_xml(),
            self.relay_state.as_deref(),
            signer,
        )?)
    }
}

/// A verified LogoutResponse from the IdP, answering our [`LogoutRequest`].
#[derive(Debug, Clone)]
pub struct LogoutResponseMessage {
    pub id: String,
    pub in_response_to: String,
    pub status_code: String,
    pub sub_status_code: Option<String>,
    pub relay_state: Option<String>,
}

impl LogoutResponseMessage {
    /// Verifies signature, Issuer and Destination, and that it answers
    /// `expected_request_id` (the ID of the LogoutRequest we sent).
    pub fn from_redirect(
        raw_query: &str,
        idp: &IdpMetadata,
        sp: &ServiceProvider,
        expected_request_id: &str,
    ) -> Result<Self, LogoutError> {
        let message = decode_redirect(raw_query, &idp.signing_certificates)?;
        if message.kind != MessageKind::Response {
            return Err(LogoutError::WrongMessage { expected: "LogoutResponse" });
        }
        let doc = xmlsec::parse(message.xml)?;
        let root = doc.root();
        if !root.is(ns::PROTOCOL, "LogoutResponse") {
            return Err(LogoutError::WrongMessage { expected: "LogoutResponse" });
        }
        check_common(root, "LogoutResponse", idp, sp)?;
        if root.attr("InResponseTo") != Some(expected_request_id) {
            return Err(LogoutError::InResponseTo);
        }
        let code = root
            .child(ns::PROTOCOL, "Status")
            .and_then(|s| s.child(ns::PROTOCOL, "StatusCode"))
            .ok_or(LogoutError::Missing { element: "LogoutResponse", what: "Status" })?;
        Ok(LogoutResponseMessage {
            id: root.attr("ID").unwrap_or_default().to_owned(),
            in_response_to: expected_request_id.to_owned(),
            status_code: code.attr("Value").unwrap_or_default().to_owned(),
            sub_status_code: code.child(ns::PROTOCOL, "StatusCode").and_then(|s| s.attr("Value")).map(str::to_owned),
            relay_state: message.relay_state,
        })
    }

    /// The IdP ended the session (Success, possibly partial).
    pub fn is_success(&self) -> bool {
        self.status_code == uri::STATUS_SUCCESS
    }
}

/// Version, ID, Issuer = the IdP, Destination (if present) = our SLO URL.
fn check_common(
    root: &Element,
    element: &'static str,
    idp: &IdpMetadata,
    sp: &ServiceProvider,
) -> Result<(), LogoutError> {
    if root.attr("Version") != Some("2.0") {
        return Err(LogoutError::Missing { element, what: "Version 2.0" });
    }
    if root.attr("ID").is_none_or(str::is_empty) {
        return Err(LogoutError::Missing { element, what: "ID" });
    }
    let issuer = root.child(ns::ASSERTION, "Issuer").map(|i| i.trimmed_text());
    if issuer != Some(idp.entity_id.as_str()) {
        return Err(LogoutError::Issuer { found: issuer.map(redact_digits) });
    }
    if let Some(destination) = root.attr("Destination")
        && destination != sp.slo_url
    {
        return Err(LogoutError::Destination { found: redact_digits(destination) });
    }
    Ok(())
}
