//! SP-initiated login: the `AuthnRequest` and the server-side record of it.

use chrono::{DateTime, Duration, Utc};

use super::cert::Credential;
use super::error::BindingError;
use super::metadata::IdpMetadata;
use super::redirect::{MessageKind, encode_redirect};
use super::sp::ServiceProvider;
use super::{escape_xml, new_id, ns, time, uri};

/// Minimum level of assurance asked for with `RequestedAuthnContext`
/// (`Comparison="minimum"`), as OIOSAML 3 / NemLog-in define it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestedLoa {
    Substantial,
    High,
}

impl RequestedLoa {
    pub fn class_ref(self) -> &'static str {
        match self {
            RequestedLoa::Substantial => "https://data.gov.dk/concept/core/nsis/loa/Substantial",
            RequestedLoa::High => "https://data.gov.dk/concept/core/nsis/loa/High",
        }
    }
}

/// An `AuthnRequest` for the HTTP-Redirect binding.
#[derive(Debug, Clone)]
pub struct AuthnRequest {
    pub id: String,
    pub issue_instant: DateTime<Utc>,
    /// The IdP's SingleSignOnService (HTTP-Redirect) location.
    pub destination: String,
    pub acs_url: String,
    pub issuer: String,
    pub requested_loa: Option<RequestedLoa>,
    pub name_id_format: Option<String>,
    pub force_authn: bool,
}

/// What the web layer keeps server-side (in the tenant database) between the
/// redirect to the IdP and the response: the response must answer this ID, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    pub id: String,
    pub created_at: DateTime<Utc>,
    /// After this, a response to the request is refused.
    pub expires_at: DateTime<Utc>,
}

impl AuthnRequest {
    /// A request with a fresh unguessable ID, from our settings to the IdP's
    /// redirect SSO endpoint.
    pub fn new(sp: &ServiceProvider, idp: &IdpMetadata, now: DateTime<Utc>) -> Self {
        AuthnRequest {
            id: new_id(),
            issue_instant: now,
            destination: idp.sso_redirect_url().to_owned(),
            acs_url: sp.acs_url.clone(),
            issuer: sp.entity_id.clone(),
            requested_loa: sp.requested_loa,
            name_id_format: sp.name_id_format.clone(),
            force_authn: false,
        }
    }

    pub fn to_xml(&self) -> String {
        let mut xml = format!(
            r#"<samlp:AuthnRequest xmlns:samlp="{protocol}" xmlns:saml="{assertion}" ID="{id}" Version="2.0" IssueInstant="{instant}" Destination="{destination}" AssertionConsumerServiceURL="{acs}" ProtocolBinding="{binding}"{force}><saml:Issuer>{issuer}</saml:Issuer>"#,
            protocol = ns::PROTOCOL,
            assertion = ns::ASSERTION,
            id = escape_xml(&self.id),
            instant = time::format(self.issue_instant),
            destination = escape_xml(&self.destination),
            acs = escape_xml(&self.acs_url),
            binding = uri::BINDING_POST,
            force = if self.force_authn { r#" ForceAuthn="true""# } else { "" },
            issuer = escape_xml(&self.issuer),
        );
        if let Some(format) = &self.name_id_format {
            xml.push_str(&format!(r#"<samlp:NameIDPolicy Format="{}" AllowCreate="true"/>"#, escape_xml(format)));
        }
        if let Some(loa) = self.requested_loa {
            xml.push_str(&format!(
                r#"<samlp:RequestedAuthnContext Comparison="minimum"><saml:AuthnContextClassRef>{}</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>"#,
                loa.class_ref()
            ));
        }
        xml.push_str("</samlp:AuthnRequest>");
        xml
    }

    /// The URL to send the browser to: the request, signed for the redirect
    /// binding. `relay_state` comes back unchanged with the response (keep it
    /// short and opaque: at most 80 bytes per the binding).
    pub fn redirect_url(&self, signer: &Credential, relay_state: Option<&str>) -> Result<String, BindingError> {
        encode_redirect(&self.destination, MessageKind::Request, &self.to_xml(), relay_state, signer)
    }

    /// The record to keep server-side until the response arrives.
    pub fn pending(&self, lifetime: Duration) -> PendingRequest {
        PendingRequest {
            id: self.id.clone(),
            created_at: self.issue_instant,
            expires_at: self.issue_instant + lifetime,
        }
    }
}
