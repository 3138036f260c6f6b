//! X.509 certificates as they appear in metadata, and our own key pairs.
//!
//! Certificates are trusted because the tenant configured the metadata that
//! holds them, not because of a chain: as in OS2valghalla, chains and revocation
//! are not checked, and validity dates are ignored (IdPs rotate by publishing new
//! metadata). We therefore only need the DER bytes and the public key inside.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _, EncodePrivateKey as _, LineEnding};
use rsa::{PrivateKey, PublicKey};

use super::error::KeyError;

/// A DER-encoded X.509 certificate.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Certificate({} bytes)", self.der.len())
    }
}

impl Certificate {
    /// From DER bytes; the structure is checked far enough to find the public key.
    pub fn from_der(der: Vec<u8>) -> Result<Self, KeyError> {
        let cert = Certificate { der };
        cert.spki_der()?;
        Ok(cert)
    }

    /// From a `-----BEGIN CERTIFICATE-----` PEM block (the first one in `pem`).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
        const END: &str = "-----END CERTIFICATE-----";
        let start = pem.find(BEGIN).ok_or(KeyError::Certificate("no PEM CERTIFICATE block"))?;
        let body = &pem[start + BEGIN.len()..];
        let end = body.find(END).ok_or(KeyError::Certificate("unterminated PEM block"))?;
        Self::from_base64(&body[..end])
    }

    /// From base64 DER with any whitespace, as in `ds:X509Certificate`.
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let der = STANDARD.decode(compact).map_err(|_| KeyError::Certificate("not valid base64"))?;
        Self::from_der(der)
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Base64 DER on one line, for `ds:X509Certificate` in our metadata.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(&self.der)
    }

    /// PEM text, e.g. for handing to the `xmlsec1` command in tests.
    pub fn to_pem(&self) -> String {
        let body = self.to_base64();
        let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
        for chunk in body.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(chunk).unwrap_or_default());
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
        pem
    }

    /// The DER `SubjectPublicKeyInfo` inside the certificate.
    ///
    /// Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
    /// TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature,
    ///                               issuer, validity, subject, subjectPublicKeyInfo, ... }
    pub fn spki_der(&self) -> Result<&[u8], KeyError> {
        let bad = KeyError::Certificate("not a DER X.509 certificate");
        let (cert, _) = der_element(&self.der, 0x30).ok_or(bad.clone())?;
        let (tbs, _) = der_element(cert.content, 0x30).ok_or(bad.clone())?;
        let mut rest = tbs.content;
        if rest.first() == Some(&0xA0) {
            rest = der_element(rest, 0xA0).ok_or(bad.clone())?.1;
        }
        rest = der_element(rest, 0x02).ok_or(bad.clone())?.1; // serialNumber
        for _ in 0..4 {
            // signature algorithm, issuer, validity, subject
            rest = der_element(rest, 0x30).ok_or(bad.clone())?.1;
        }
        let (spki, _) = der_element(rest, 0x30).ok_or(bad)?;
        Ok(spki.whole)
    }

    /// The RSA public key, for redirect-binding signatures.
    pub(crate) fn rsa_public_key(&self) -> Result<PublicKey, KeyError> {
        PublicKey::from_public_key_der(self.spki_der()?).map_err(|_| KeyError::Certificate("the public key is not RSA"))
    }
}

struct Der<'a> {
    whole: &'a [u8],
    content: &'a [u8],
}

/// Reads one DER element with the expected tag; returns it and the bytes after it.
fn der_element(input: &[u8], tag: u8) -> Option<(Der<'_>, &[u8])> {
    if *input.first()? != tag {
        return None;
    }
    let first = *input.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..count {
            len = (len << 8) | usize::from(*input.get(2 + i)?);
        }
        (len, 2 + count)
    };
    let end = header.checked_add(len)?;
    if end > input.len() {
        return None;
    }
    Some((Der { whole: &input[..end], content: &input[header..end] }, &input[end..]))
}

/// One of our key pairs: an RSA private key and its certificate. Used to sign
/// redirect-binding messages and metadata, and to decrypt `EncryptedAssertion`.
#[derive(Clone)]
pub struct Credential {
    key: PrivateKey,
    /// The same key as PKCS#8 PEM, the form `xml-sec` imports.
    pkcs8_pem: String,
    certificate: Certificate,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential").field("certificate", &self.certificate).field("key", &"[secret]").finish()
    }
}

impl Credential {
    /// From a PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`) PEM key and a
    /// PEM certificate. Refuses a key that does not match the certificate, which
    /// would otherwise surface only as failed logins at the IdP.
    pub fn from_pem(private_key_pem: &str, certificate_pem: &str) -> Result<Self, KeyError> {
        let key = PrivateKey::from_pkcs8_pem(private_key_pem)
            .or_else(|_| PrivateKey::from_pkcs1_pem(private_key_pem))
            .map_err(|_| KeyError::PrivateKey("not an RSA PKCS#8 or PKCS#1 PEM key".into()))?;
        let certificate = Certificate::from_pem(certificate_pem)?;
        if certificate.rsa_public_key()? != key.to_public_key() {
            return Err(KeyError::KeyMismatch);
        }
        let pkcs8_pem = key.to_pkcs8_pem(LineEnding::LF).map_err(|e| KeyError::PrivateKey(e.to_string()))?.to_string();
        Ok(Credential { key, pkcs8_pem, certificate })
    }

    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    pub(crate) fn rsa_key(&self) -> &PrivateKey {
        &self.key
    }

    pub(crate) fn pkcs8_pem(&self) -> &str {
        &self.pkcs8_pem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = include_str!("../../tests/fixtures/saml/sp-cert.pem");
    const KEY: &str = include_str!("../../tests/fixtures/saml/sp-key.pem");
    const OTHER_KEY: &str = include_str!("../../tests/fixtures/saml/idp-key.pem");

    #[test]
    fn pem_certificate_yields_rsa_key() {
        let cert = Certificate::from_pem(CERT).unwrap();
        assert!(cert.rsa_public_key().is_ok());
        let again = Certificate::from_base64(&cert.to_base64()).unwrap();
        assert_eq!(cert, again);
        assert_eq!(Certificate::from_pem(&cert.to_pem()).unwrap(), cert);
    }

    #[test]
    fn garbage_is_not_a_certificate() {
        assert!(Certificate::from_base64("AAAA").is_err());
        assert!(Certificate::from_base64("not base64!").is_err());
        assert!(Certificate::from_pem("hello").is_err());
    }

    #[test]
    fn credential_refuses_a_foreign_key() {
        assert!(Credential::from_pem(KEY, CERT).is_ok());
        assert_eq!(Credential::from_pem(OTHER_KEY, CERT).unwrap_err(), KeyError::KeyMismatch);
        let debug = format!("{:?}", Credential::from_pem(KEY, CERT).unwrap());
        assert!(!debug.contains("PRIVATE"));
    }
}
