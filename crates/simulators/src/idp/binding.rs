//! SAML HTTP-Redirect binding: DEFLATE + base64 + URL encoding, and the octet string a
//! redirect signature covers, which must be rebuilt from the parameters exactly as they
//! arrived (re-encoding them would change the bytes and break valid signatures).

use std::io::{Read as _, Write as _};

use anyhow::{Context as _, anyhow};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;

use super::crypto::{RSA_SHA256, Signer, verify_redirect};

/// An inflated protocol message is a few KiB; refuse anything that balloons.
const MAX_INFLATED: u64 = 256 * 1024;

/// The raw (still URL-encoded) value of the first `name` parameter in a query string.
pub fn raw_param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then_some(v)
    })
}

/// Decode `application/x-www-form-urlencoded` text (`+` is a space).
pub fn url_decode(s: &str) -> anyhow::Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or_else(|| anyhow!("truncated %-escape"))?;
                let hex = std::str::from_utf8(hex)?;
                out.push(u8::from_str_radix(hex, 16).context("bad %-escape")?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).context("query parameter is not UTF-8")
}

/// Percent-encode everything but RFC 3986 unreserved characters.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// base64 → raw DEFLATE → UTF-8 XML.
pub fn inflate_message(b64: &str) -> anyhow::Result<String> {
    let compact: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
    let deflated = B64.decode(compact).context("SAML message is not base64")?;
    let mut xml = String::new();
    DeflateDecoder::new(deflated.as_slice())
        .take(MAX_INFLATED)
        .read_to_string(&mut xml)
        .context("SAML message is not raw DEFLATE of UTF-8 text")?;
    Ok(xml)
}

/// UTF-8 XML → raw DEFLATE → base64.
pub fn deflate_message(xml: &str) -> String {
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
    enc.write_all(xml.as_bytes()).expect("writing to a Vec cannot fail");
    B64.encode(enc.finish().expect("writing to a Vec cannot fail"))
}

/// `SAMLRequest=…[&RelayState=…]&SigAlg=…` from the raw query, in the order the binding
/// prescribes, whatever order the parameters came in.
pub fn signed_octets(query: &str, message_param: &str) -> Option<String> {
    let mut s = format!("{message_param}={}", raw_param(query, message_param)?);
    if let Some(relay) = raw_param(query, "RelayState") {
        s += &format!("&RelayState={relay}");
    }
    s += &format!("&SigAlg={}", raw_param(query, "SigAlg")?);
    Some(s)
}

/// Outcome of checking a redirect signature, as recorded for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureCheck {
    /// No SP certificate registered: nothing to check against.
    NotChecked,
    Valid,
    Missing,
    WrongAlgorithm,
    Invalid,
}

impl SignatureCheck {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureCheck::NotChecked => "not_checked",
            SignatureCheck::Valid => "valid",
            SignatureCheck::Missing => "missing",
            SignatureCheck::WrongAlgorithm => "wrong_algorithm",
            SignatureCheck::Invalid => "invalid",
        }
    }
    pub fn acceptable(self) -> bool {
        matches!(self, SignatureCheck::NotChecked | SignatureCheck::Valid)
    }
}

/// Check the redirect signature of `message_param` in `query` against `key`.
pub fn check_signature(query: &str, message_param: &str, key: Option<&rsa::PublicKey>) -> SignatureCheck {
    let Some(key) = key else {
        return SignatureCheck::NotChecked;
    };
    let (Some(sig_alg), Some(signature)) = (raw_param(query, "SigAlg"), raw_param(query, "Signature")) else {
        return SignatureCheck::Missing;
    };
    if url_decode(sig_alg).ok().as_deref() != Some(RSA_SHA256) {
        return SignatureCheck::WrongAlgorithm;
    }
    let (Some(octets), Ok(signature)) = (signed_octets(query, message_param), url_decode(signature)) else {
        return SignatureCheck::Invalid;
    };
    if verify_redirect(key, &octets, &signature) { SignatureCheck::Valid } else { SignatureCheck::Invalid }
}

/// A complete signed redirect URL carrying `xml` as `message_param` to `location`.
pub fn signed_redirect_url(
    location: &str,
    message_param: &str,
    xml: &str,
    relay_state: Option<&str>,
    signer: &Signer,
) -> anyhow::Result<String> {
    let mut query = format!("{message_param}={}", url_encode(&deflate_message(xml)));
    if let Some(relay) = relay_state {
        query += &format!("&RelayState={}", url_encode(relay));
    }
    query += &format!("&SigAlg={}", url_encode(RSA_SHA256));
    let signature = signer.sign_redirect(&query)?;
    query += &format!("&Signature={}", url_encode(&signature));
    let sep = if location.contains('?') { '&' } else { '?' };
    Ok(format!("{location}{sep}{query}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idp::crypto::{IDP_CERT_PEM, IDP_KEY_PEM, rsa_public_key};

    #[test]
    fn url_codec_round_trips() {
        let s = "a b+c/d=e&f~ø";
        assert_eq!(url_decode(&url_encode(s)).unwrap(), s);
        assert_eq!(url_decode("a+b%2Bc").unwrap(), "a b+c");
    }

    #[test]
    fn message_codec_round_trips() {
        let xml = "<samlp:AuthnRequest ID=\"_1\"/>";
        assert_eq!(inflate_message(&deflate_message(xml)).unwrap(), xml);
    }

    #[test]
    fn signed_url_verifies_and_tampering_is_caught() {
        let signer = Signer::new(IDP_KEY_PEM, IDP_CERT_PEM).unwrap();
        let key = rsa_public_key(IDP_CERT_PEM).unwrap();
        let url = signed_redirect_url("https://sp/slo", "SAMLResponse", "<x/>", Some("r 1"), &signer).unwrap();
        let query = url.split_once('?').unwrap().1;
        assert_eq!(check_signature(query, "SAMLResponse", Some(&key)), SignatureCheck::Valid);
        let tampered = query.replace("RelayState=r%201", "RelayState=r%202");
        assert_eq!(check_signature(&tampered, "SAMLResponse", Some(&key)), SignatureCheck::Invalid);
        let unsigned = query.split("&Signature=").next().unwrap();
        assert_eq!(check_signature(unsigned, "SAMLResponse", Some(&key)), SignatureCheck::Missing);
        assert_eq!(check_signature(unsigned, "SAMLResponse", None), SignatureCheck::NotChecked);
    }
}
