//! The SAML protocol messages the IdP builds (Response with Assertion, LogoutRequest,
//! LogoutResponse) and reads (AuthnRequest, LogoutRequest, LogoutResponse), written from
//! the SAML 2.0 core specification and the OIOSAML profile facts in the reference.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::users::Attribute;
use crate::xml::{Element, escape, parse};

pub const SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub const STATUS_PREFIX: &str = "urn:oasis:names:tc:SAML:2.0:status:";
pub const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
pub const ATTRNAME_URI: &str = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
pub const ATTRNAME_BASIC: &str = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic";

/// xs:dateTime in UTC, second precision, as SAML timestamps are usually written.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A fresh xs:ID (must not start with a digit).
pub fn new_id() -> String {
    format!("_{}", uuid::Uuid::new_v4().simple())
}

// ---------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuthnRequest {
    pub id: String,
    pub issuer: String,
    pub issue_instant: Option<String>,
    pub destination: Option<String>,
    pub acs_url: Option<String>,
    pub protocol_binding: Option<String>,
    pub force_authn: bool,
    pub is_passive: bool,
    pub name_id_format: Option<String>,
    pub requested_authn_context: Vec<String>,
    pub comparison: Option<String>,
}

fn root(xml: &str, name: &str) -> anyhow::Result<Element> {
    let root = parse(xml)?;
    anyhow::ensure!(root.is(SAMLP, name), "expected samlp:{name}, got {:?} in {:?}", root.name, root.ns);
    anyhow::ensure!(root.attr("Version") == Some("2.0"), "{name}: Version must be 2.0");
    Ok(root)
}

fn required_id(root: &Element, name: &str) -> anyhow::Result<String> {
    root.attr("ID").filter(|id| !id.is_empty()).map(str::to_owned).ok_or_else(|| anyhow::anyhow!("{name}: no ID"))
}

fn issuer(root: &Element, name: &str) -> anyhow::Result<String> {
    root.child_text(SAML, "Issuer").filter(|s| !s.is_empty()).ok_or_else(|| anyhow::anyhow!("{name}: no Issuer"))
}

pub fn parse_authn_request(xml: &str) -> anyhow::Result<AuthnRequest> {
    let root = root(xml, "AuthnRequest")?;
    let flag = |n| matches!(root.attr(n), Some("true" | "1"));
    let context = root.child(SAMLP, "RequestedAuthnContext");
    Ok(AuthnRequest {
        id: required_id(&root, "AuthnRequest")?,
        issuer: issuer(&root, "AuthnRequest")?,
        issue_instant: root.attr("IssueInstant").map(str::to_owned),
        destination: root.attr("Destination").map(str::to_owned),
        acs_url: root.attr("AssertionConsumerServiceURL").map(str::to_owned),
        protocol_binding: root.attr("ProtocolBinding").map(str::to_owned),
        force_authn: flag("ForceAuthn"),
        is_passive: flag("IsPassive"),
        name_id_format: root.child(SAMLP, "NameIDPolicy").and_then(|p| p.attr("Format")).map(str::to_owned),
        requested_authn_context: context
            .map(|c| c.children_named(SAML, "AuthnContextClassRef").map(|r| r.text.trim().to_owned()).collect())
            .unwrap_or_default(),
        comparison: context.and_then(|c| c.attr("Comparison")).map(str::to_owned),
    })
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LogoutRequest {
    pub id: String,
    pub issuer: String,
    pub destination: Option<String>,
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_indexes: Vec<String>,
}

pub fn parse_logout_request(xml: &str) -> anyhow::Result<LogoutRequest> {
    let root = root(xml, "LogoutRequest")?;
    let name_id = root.child(SAML, "NameID").ok_or_else(|| anyhow::anyhow!("LogoutRequest: no NameID"))?;
    Ok(LogoutRequest {
        id: required_id(&root, "LogoutRequest")?,
        issuer: issuer(&root, "LogoutRequest")?,
        destination: root.attr("Destination").map(str::to_owned),
        name_id: name_id.text.trim().to_owned(),
        name_id_format: name_id.attr("Format").map(str::to_owned),
        session_indexes: root.children_named(SAMLP, "SessionIndex").map(|s| s.text.trim().to_owned()).collect(),
    })
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LogoutResponse {
    pub id: String,
    pub issuer: String,
    pub in_response_to: Option<String>,
    pub status: String,
}

pub fn parse_logout_response(xml: &str) -> anyhow::Result<LogoutResponse> {
    let root = root(xml, "LogoutResponse")?;
    let status = root
        .child(SAMLP, "Status")
        .and_then(|s| s.child(SAMLP, "StatusCode"))
        .and_then(|c| c.attr("Value"))
        .ok_or_else(|| anyhow::anyhow!("LogoutResponse: no StatusCode"))?;
    Ok(LogoutResponse {
        id: required_id(&root, "LogoutResponse")?,
        issuer: issuer(&root, "LogoutResponse")?,
        in_response_to: root.attr("InResponseTo").map(str::to_owned),
        status: status.to_owned(),
    })
}

// ---------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------

/// Everything an Assertion states.
#[derive(Debug, Clone)]
pub struct AssertionData<'a> {
    pub id: &'a str,
    pub issuer: &'a str,
    pub issue_instant: DateTime<Utc>,
    pub name_id: &'a str,
    pub name_id_format: &'a str,
    pub recipient: &'a str,
    pub in_response_to: &'a str,
    pub audience: &'a str,
    pub not_before: DateTime<Utc>,
    pub not_on_or_after: DateTime<Utc>,
    pub session_index: &'a str,
    pub authn_context: &'a str,
    pub attributes: &'a [Attribute],
}

/// The Assertion, with `signature` (a `ds:Signature` template) right after Issuer as the
/// schema requires. The Assertion declares its own namespaces so that it can be signed
/// alone, encrypted alone, and still verify once placed inside the Response.
pub fn assertion_xml(a: &AssertionData<'_>, signature: Option<&str>) -> String {
    let mut x = format!(
        "<saml:Assertion xmlns:saml=\"{SAML}\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ID=\"{}\" Version=\"2.0\" IssueInstant=\"{}\">\
         <saml:Issuer>{}</saml:Issuer>{}",
        escape(a.id),
        timestamp(a.issue_instant),
        escape(a.issuer),
        signature.unwrap_or_default(),
    );
    x += &format!(
        "<saml:Subject><saml:NameID Format=\"{}\">{}</saml:NameID>\
         <saml:SubjectConfirmation Method=\"{BEARER}\"><saml:SubjectConfirmationData InResponseTo=\"{}\" \
         NotOnOrAfter=\"{}\" Recipient=\"{}\"/></saml:SubjectConfirmation></saml:Subject>",
        escape(a.name_id_format),
        escape(a.name_id),
        escape(a.in_response_to),
        timestamp(a.not_on_or_after),
        escape(a.recipient),
    );
    x += &format!(
        "<saml:Conditions NotBefore=\"{}\" NotOnOrAfter=\"{}\"><saml:AudienceRestriction>\
         <saml:Audience>{}</saml:Audience></saml:AudienceRestriction></saml:Conditions>",
        timestamp(a.not_before),
        timestamp(a.not_on_or_after),
        escape(a.audience),
    );
    x += &format!(
        "<saml:AuthnStatement AuthnInstant=\"{}\" SessionIndex=\"{}\"><saml:AuthnContext>\
         <saml:AuthnContextClassRef>{}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>",
        timestamp(a.issue_instant),
        escape(a.session_index),
        escape(a.authn_context),
    );
    if !a.attributes.is_empty() {
        x += "<saml:AttributeStatement>";
        for attr in a.attributes {
            // URI-named attributes say so; the OIOSAML 2 `dk:gov:…` names are basic names.
            let format =
                if attr.name.contains("://") || attr.name.starts_with("urn:") { ATTRNAME_URI } else { ATTRNAME_BASIC };
            x += &format!("<saml:Attribute Name=\"{}\" NameFormat=\"{format}\">", escape(&attr.name));
            for v in &attr.values {
                x += &format!("<saml:AttributeValue xsi:type=\"xs:string\">{}</saml:AttributeValue>", escape(v));
            }
            x += "</saml:Attribute>";
        }
        x += "</saml:AttributeStatement>";
    }
    x + "</saml:Assertion>"
}

/// A SAML status: top-level code plus an optional second-level code and message.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub top: String,
    pub second: Option<String>,
    pub message: Option<String>,
}

impl Status {
    pub fn success() -> Self {
        Self { top: "Success".into(), second: None, message: None }
    }
    pub fn is_success(&self) -> bool {
        self.top == "Success"
    }
    fn xml(&self) -> String {
        let code = |c: &str| {
            if c.starts_with("urn:") { c.to_owned() } else { format!("{STATUS_PREFIX}{c}") }
        };
        let inner = self
            .second
            .as_ref()
            .map(|s| format!("<samlp:StatusCode Value=\"{}\"/>", escape(&code(s))))
            .unwrap_or_default();
        let message = self
            .message
            .as_ref()
            .map(|m| format!("<samlp:StatusMessage>{}</samlp:StatusMessage>", escape(m)))
            .unwrap_or_default();
        let top = escape(&code(&self.top)).into_owned();
        if inner.is_empty() {
            format!("<samlp:Status><samlp:StatusCode Value=\"{top}\"/>{message}</samlp:Status>")
        } else {
            format!(
                "<samlp:Status><samlp:StatusCode Value=\"{top}\">{inner}</samlp:StatusCode>{message}</samlp:Status>"
            )
        }
    }
}

/// Header of a status response (Response, LogoutResponse).
#[derive(Debug, Clone)]
pub struct ResponseHeader<'a> {
    pub id: &'a str,
    pub issuer: &'a str,
    pub issue_instant: DateTime<Utc>,
    pub destination: &'a str,
    pub in_response_to: Option<&'a str>,
}

fn status_response(
    element: &str,
    h: &ResponseHeader<'_>,
    status: &Status,
    signature: Option<&str>,
    body: &str,
) -> String {
    let in_response_to = h.in_response_to.map(|r| format!(" InResponseTo=\"{}\"", escape(r))).unwrap_or_default();
    format!(
        "<samlp:{element} xmlns:samlp=\"{SAMLP}\" xmlns:saml=\"{SAML}\" ID=\"{}\" Version=\"2.0\" \
         IssueInstant=\"{}\" Destination=\"{}\"{in_response_to}><saml:Issuer>{}</saml:Issuer>{}{}{body}</samlp:{element}>",
        escape(h.id),
        timestamp(h.issue_instant),
        escape(h.destination),
        escape(h.issuer),
        signature.unwrap_or_default(),
        status.xml(),
    )
}

/// `samlp:Response` around `assertion` (a signed Assertion, an EncryptedAssertion, or
/// nothing for an error status).
pub fn response_xml(h: &ResponseHeader<'_>, status: &Status, signature: Option<&str>, assertion: &str) -> String {
    status_response("Response", h, status, signature, assertion)
}

pub fn logout_response_xml(h: &ResponseHeader<'_>, status: &Status) -> String {
    status_response("LogoutResponse", h, status, None, "")
}

/// An IdP-initiated `samlp:LogoutRequest`.
pub fn logout_request_xml(h: &ResponseHeader<'_>, name_id: &str, name_id_format: &str, session_index: &str) -> String {
    format!(
        "<samlp:LogoutRequest xmlns:samlp=\"{SAMLP}\" xmlns:saml=\"{SAML}\" ID=\"{}\" Version=\"2.0\" \
         IssueInstant=\"{}\" Destination=\"{}\"><saml:Issuer>{}</saml:Issuer>\
         <saml:NameID Format=\"{}\">{}</saml:NameID><samlp:SessionIndex>{}</samlp:SessionIndex></samlp:LogoutRequest>",
        escape(h.id),
        timestamp(h.issue_instant),
        escape(h.destination),
        escape(h.issuer),
        escape(name_id_format),
        escape(name_id),
        escape(session_index),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_hand_written_authn_request() {
        let xml = r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
            xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_abc" Version="2.0"
            IssueInstant="2026-11-27T10:00:00Z" Destination="https://idp/sso"
            AssertionConsumerServiceURL="https://sp/acs" ForceAuthn="true">
            <saml:Issuer>https://sp/metadata</saml:Issuer>
            <samlp:RequestedAuthnContext Comparison="minimum">
              <saml:AuthnContextClassRef>https://data.gov.dk/concept/core/nsis/loa/Substantial</saml:AuthnContextClassRef>
            </samlp:RequestedAuthnContext></samlp:AuthnRequest>"#;
        let r = parse_authn_request(xml).unwrap();
        assert_eq!((r.id.as_str(), r.issuer.as_str()), ("_abc", "https://sp/metadata"));
        assert_eq!(r.acs_url.as_deref(), Some("https://sp/acs"));
        assert!(r.force_authn && !r.is_passive);
        assert_eq!(r.comparison.as_deref(), Some("minimum"));
        assert_eq!(r.requested_authn_context.len(), 1);
    }

    #[test]
    fn refuses_other_messages_and_missing_fields() {
        assert!(
            parse_authn_request(
                "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" Version=\"2.0\" ID=\"x\"/>"
            )
            .is_err()
        );
        let no_issuer =
            "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" Version=\"2.0\" ID=\"x\"/>";
        assert!(parse_authn_request(no_issuer).is_err());
    }

    #[test]
    fn error_status_nests_the_second_level_code() {
        let s = Status { top: "Responder".into(), second: Some("AuthnFailed".into()), message: Some("a<b".into()) };
        let x = s.xml();
        assert!(x.contains(
            "status:Responder\"><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:AuthnFailed\"/>"
        ));
        assert!(x.contains("a&lt;b"));
    }
}
