//! The HTTP-Redirect binding (SAML Bindings 2.0 §3.4): raw DEFLATE, base64 and
//! URL encoding of the message, with a detached RSA-SHA256 signature over the
//! query string.
//!
//! The signature covers the exact octets `SAMLRequest=…&RelayState=…&SigAlg=…`
//! (or `SAMLResponse=…`) as they were URL-encoded by the sender. When verifying
//! we therefore rebuild that string from the raw, still-encoded parameter values
//! as received, never by decoding and re-encoding (encoders differ, e.g. in the
//! case of percent escapes).

use std::fmt;
use std::io::{Read as _, Write as _};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::sha2::Sha256;
use rsa::signature::{SignatureEncoding as _, Signer as _, Verifier as _};

use super::cert::{Certificate, Credential};
use super::error::BindingError;
use super::uri;

/// Inflated messages larger than this are refused (a DEFLATE bomb guard; real
/// LogoutRequests and AuthnRequests are a few KiB).
const MAX_INFLATED: usize = 128 * 1024;
/// Query strings larger than this are refused before any decoding.
const MAX_QUERY: usize = 64 * 1024;

/// Whether the message travels as `SAMLRequest` or `SAMLResponse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Request,
    Response,
}

impl MessageKind {
    fn parameter(self) -> &'static str {
        match self {
            MessageKind::Request => "SAMLRequest",
            MessageKind::Response => "SAMLResponse",
        }
    }
}

/// Builds the redirect URL for `xml` at `endpoint`, signed with `signer`.
pub fn encode_redirect(
    endpoint: &str,
    kind: MessageKind,
    xml: &str,
    relay_state: Option<&str>,
    signer: &Credential,
) -> Result<String, BindingError> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(xml.as_bytes())
        .and_then(|()| encoder.flush())
        .map_err(|e| BindingError::Signing(e.to_string()))?;
    let deflated = encoder.finish().map_err(|e| BindingError::Signing(e.to_string()))?;

    let mut query = format!("{}={}", kind.parameter(), url_encode(&STANDARD.encode(deflated)));
    if let Some(relay_state) = relay_state {
        query.push_str("&RelayState=");
        query.push_str(&url_encode(relay_state));
    }
    query.push_str("&SigAlg=");
    query.push_str(&url_encode(uri::SIG_RSA_SHA256));
    let signature = SigningKey::<Sha256>::new(signer.rsa_key().clone()).sign(query.as_bytes());
    query.push_str("&Signature=");
    query.push_str(&url_encode(&STANDARD.encode(signature.to_bytes())));

    let separator = if endpoint.contains('?') { '&' } else { '?' };
    Ok(format!("{endpoint}{separator}{query}"))
}

/// A redirect-bound message whose signature verified.
#[derive(Clone)]
pub struct RedirectMessage {
    pub kind: MessageKind,
    /// The inflated XML, not yet parsed or checked beyond its signature.
    pub xml: String,
    pub relay_state: Option<String>,
}

impl fmt::Debug for RedirectMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The XML may hold a NameID: keep it out of logs.
        f.debug_struct("RedirectMessage")
            .field("kind", &self.kind)
            .field("xml_bytes", &self.xml.len())
            .field("relay_state", &self.relay_state.is_some())
            .finish()
    }
}

/// Checks the detached signature of a redirect-bound message against `trusted`
/// (the IdP's signing certificates) and returns the inflated message.
/// `raw_query` is the query string exactly as received, without the `?`.
/// An unsigned message is refused: both IdPs sign their logout messages.
pub fn decode_redirect(raw_query: &str, trusted: &[Certificate]) -> Result<RedirectMessage, BindingError> {
    if raw_query.len() > MAX_QUERY {
        return Err(BindingError::TooLarge(MAX_QUERY));
    }
    let mut request = None;
    let mut response = None;
    let mut relay_state = None;
    let mut sig_alg = None;
    let mut signature = None;
    for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let slot = match name {
            "SAMLRequest" => (&mut request, "SAMLRequest"),
            "SAMLResponse" => (&mut response, "SAMLResponse"),
            "RelayState" => (&mut relay_state, "RelayState"),
            "SigAlg" => (&mut sig_alg, "SigAlg"),
            "Signature" => (&mut signature, "Signature"),
            _ => continue,
        };
        if slot.0.replace(value).is_some() {
            return Err(BindingError::DuplicateParameter(slot.1));
        }
    }
    let (kind, message) = match (request, response) {
        (Some(m), None) => (MessageKind::Request, m),
        (None, Some(m)) => (MessageKind::Response, m),
        (Some(_), Some(_)) => return Err(BindingError::BothRequestAndResponse),
        (None, None) => {
            return Err(BindingError::MissingParameter("SAMLRequest or SAMLResponse"));
        }
    };
    let (Some(sig_alg), Some(signature)) = (sig_alg, signature) else {
        return Err(BindingError::Unsigned);
    };
    let alg = url_decode(sig_alg, false).ok_or(BindingError::BadEncoding("SigAlg"))?;
    if alg != uri::SIG_RSA_SHA256 {
        return Err(BindingError::UnsupportedSigAlg(alg));
    }

    // The signed octets, from the raw values in the order the binding fixes.
    let mut signed = format!("{}={message}", kind.parameter());
    if let Some(relay_state) = relay_state {
        signed.push_str("&RelayState=");
        signed.push_str(relay_state);
    }
    signed.push_str("&SigAlg=");
    signed.push_str(sig_alg);
    let signature = decode_base64(signature, "Signature")?;
    let signature = Signature::try_from(signature.as_slice()).map_err(|_| BindingError::BadSignature)?;
    let verified = trusted.iter().any(|certificate| {
        certificate
            .rsa_public_key()
            .is_ok_and(|key| VerifyingKey::<Sha256>::new(key).verify(signed.as_bytes(), &signature).is_ok())
    });
    if !verified {
        return Err(BindingError::BadSignature);
    }

    let deflated = decode_base64(message, kind.parameter())?;
    let mut inflated = Vec::new();
    DeflateDecoder::new(deflated.as_slice())
        .take(MAX_INFLATED as u64 + 1)
        .read_to_end(&mut inflated)
        .map_err(|_| BindingError::Inflate)?;
    if inflated.len() > MAX_INFLATED {
        return Err(BindingError::TooLarge(MAX_INFLATED));
    }
    let xml = String::from_utf8(inflated).map_err(|_| BindingError::BadEncoding(kind.parameter()))?;
    let relay_state =
        relay_state.map(|r| url_decode(r, true).ok_or(BindingError::BadEncoding("RelayState"))).transpose()?;
    Ok(RedirectMessage { kind, xml, relay_state })
}

/// Percent-decodes then base64-decodes. A literal `+` stays `+`: base64 has no
/// spaces, so reading it as form-encoded space could only break a value.
fn decode_base64(raw: &str, what: &'static str) -> Result<Vec<u8>, BindingError> {
    let text = url_decode(raw, false).ok_or(BindingError::BadEncoding(what))?;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(compact).map_err(|_| BindingError::BadEncoding(what))
}

/// Percent-encoding of everything but RFC 3986 unreserved characters.
pub(crate) fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3 / 2);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Percent-decoding to UTF-8; `plus_is_space` for form-encoded text values.
pub(crate) fn url_decode(text: &str, plus_is_space: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp() -> Credential {
        Credential::from_pem(
            include_str!("../../tests/fixtures/saml/sp-key.pem"),
            include_str!("../../tests/fixtures/saml/sp-cert.pem"),
        )
        .unwrap()
    }

    fn query_of(url: &str) -> &str {
        url.split_once('?').unwrap().1
    }

    #[test]
    fn url_coding_round_trips() {
        let text = "a b+c/d=é&";
        assert_eq!(url_decode(&url_encode(text), true).unwrap(), text);
        assert_eq!(url_decode("a+b", true).unwrap(), "a b");
        assert_eq!(url_decode("a+b", false).unwrap(), "a+b");
        assert!(url_decode("%zz", false).is_none());
        assert!(url_decode("%4", false).is_none());
    }

    #[test]
    fn own_messages_round_trip() {
        let key = sp();
        let url = encode_redirect("https://idp/sso?x=1", MessageKind::Request, "<x>é</x>", Some("r s"), &key).unwrap();
        assert!(url.starts_with("https://idp/sso?x=1&SAMLRequest="));
        let message = decode_redirect(query_of(&url), &[key.certificate().clone()]).unwrap();
        assert_eq!(message.xml, "<x>é</x>");
        assert_eq!(message.relay_state.as_deref(), Some("r s"));
        assert_eq!(message.kind, MessageKind::Request);
    }

    #[test]
    fn tampering_is_refused() {
        let key = sp();
        let trusted = [key.certificate().clone()];
        let url = encode_redirect("https://idp/sso", MessageKind::Response, "<x/>", Some("abc"), &key).unwrap();
        let query = query_of(&url);
        let changed_relay = query.replace("RelayState=abc", "RelayState=abd");
        assert_eq!(decode_redirect(&changed_relay, &trusted).unwrap_err(), BindingError::BadSignature);
        let no_sig: String = query.split("&Signature=").next().unwrap().to_string();
        assert_eq!(decode_redirect(&no_sig, &trusted).unwrap_err(), BindingError::Unsigned);
        let sha1 = query.replace("rsa-sha256", "rsa-sha1");
        assert!(matches!(decode_redirect(&sha1, &trusted), Err(BindingError::UnsupportedSigAlg(_))));
        let twice = format!("{query}&RelayState=x");
        assert_eq!(decode_redirect(&twice, &trusted).unwrap_err(), BindingError::DuplicateParameter("RelayState"));
    }
}
