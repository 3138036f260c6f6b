//! SAML 2.0 service-provider core for both identity providers: FK Adgangsstyring
//! (admin app) and NemLog-in / OIOSAML 3 (participant portal).
//!
//! Pure protocol logic: no web framework, no database. The web layer builds a
//! [`ServiceProvider`] and an [`IdpMetadata`] per tenant and app, sends the browser
//! to [`AuthnRequest::redirect_url`], hands the posted `SAMLResponse` to
//! [`consume_response`] together with its [`PendingRequests`] and [`ReplayCache`]
//! implementations, and serves [`SpMetadata::to_xml`].
//!
//! Security rules (see `shared/reference/saml.md`): every XML-DSig/XML-Enc
//! operation goes through [`xmlsec`], the only module that names the `xml-sec`
//! crate; the element we read values from is the element a trusted signature was
//! verified to cover, taken from the very DOM that was verified; keys come only
//! from IdP metadata, never from `KeyInfo` in a message.

mod assertion;
mod authn_request;
mod cert;
mod dom;
mod error;
mod logout;
mod metadata;
mod redirect;
mod response;
mod sp;
mod time;

pub mod attributes;
pub mod xmlsec;

pub use authn_request::{AuthnRequest, PendingRequest, RequestedLoa};
pub use cert::{Certificate, Credential};
pub use error::{
    AttributeError, BindingError, KeyError, LogoutError, MetadataError, ResponseError, SignatureError, StoreError,
    XmlSecurityError,
};
pub use logout::{IncomingLogoutRequest, LogoutRequest, LogoutResponse, LogoutResponseMessage, LogoutStatus};
pub use metadata::{Binding, Endpoint, IdpMetadata, SpMetadata};
pub use redirect::{MessageKind, RedirectMessage, decode_redirect, encode_redirect};
pub use response::{
    Attributes, Login, PendingRequests, ReplayCache, ValidatedResponse, consume_response, validate_response,
};
pub use sp::ServiceProvider;

/// XML namespaces used by the protocol code.
pub mod ns {
    pub const PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
    pub const ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
    pub const METADATA: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
    pub const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
    pub const XENC: &str = "http://www.w3.org/2001/04/xmlenc#";
}

/// Binding, status and format URIs.
pub mod uri {
    pub const BINDING_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
    pub const BINDING_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
    pub const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
    pub const STATUS_REQUESTER: &str = "urn:oasis:names:tc:SAML:2.0:status:Requester";
    pub const STATUS_RESPONDER: &str = "urn:oasis:names:tc:SAML:2.0:status:Responder";
    pub const STATUS_REQUEST_DENIED: &str = "urn:oasis:names:tc:SAML:2.0:status:RequestDenied";
    pub const STATUS_PARTIAL_LOGOUT: &str = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout";
    pub const NAMEID_PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
    pub const NAMEID_X509_SUBJECT: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName";
    pub const NAMEID_TRANSIENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
    pub const CM_BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
    pub const SIG_RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
    pub const PROTOCOL_SUPPORT: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
}

/// A fresh message ID: `_` + 128 random bits in hex. IDs must be unguessable
/// (they bind responses to requests) and start with a letter or `_` (xs:ID).
pub fn new_id() -> String {
    let bytes: [u8; 16] = rand::random();
    let mut id = String::with_capacity(33);
    id.push('_');
    for b in bytes {
        id.push_str(&format!("{b:02x}"));
    }
    id
}

/// Escapes text for use inside XML element content or a double-quoted attribute.
pub(crate) fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// Replaces runs of 6+ digits (a CPR number, with or without dash, has ten)
/// in text that came from outside, before it goes into an error or a log line.
pub(crate) fn redact_digits(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let digits = run.chars().filter(char::is_ascii_digit).count();
        if digits >= 6 {
            out.push_str("[redacted]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || (c == '-' && !run.is_empty()) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_xs_ids() {
        let a = new_id();
        let b = new_id();
        assert_ne!(a, b);
        assert!(a.starts_with('_') && a.len() == 33);
    }

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(escape_xml(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
    }

    #[test]
    fn cpr_like_digit_runs_are_redacted() {
        assert_eq!(redact_digits("value 0101709995 at 3"), "value [redacted] at 3");
        assert_eq!(redact_digits("010170-9995!"), "[redacted]!");
        assert_eq!(redact_digits("line 12, col 7"), "line 12, col 7");
    }
}
