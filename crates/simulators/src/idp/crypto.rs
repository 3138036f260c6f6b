//! Keys and cryptography of the IdP simulator: XML signatures and XML encryption through
//! xml-sec (only the crypto; the documents themselves are ours), redirect-binding
//! signatures through rsa 0.10, and just enough DER to take a public key out of an X.509
//! certificate.

use anyhow::{Context as _, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use rsa::sha2::Sha256;
use xml_sec::c14n::{C14nAlgorithm, C14nMode};
use xml_sec::rsa_encoding::RsaPublicKeyEncoding as _;
use xml_sec::xmldsig::{
    DigestAlgorithm, ReferenceBuilder, RsaSigningKey, SignContext, SignatureAlgorithm, SignatureBuilder,
    SignatureTemplateSelection, Transform, X509CertificateKeyInfoWriter,
};
use xml_sec::xmlenc::{DataEncryptionAlgorithm, EncryptedDataBuilder, EncryptionRecipient, RsaOaepParameters};

pub const IDP_KEY_PEM: &str = include_str!("../../fixtures/keys/idp-key.pem");
pub const IDP_CERT_PEM: &str = include_str!("../../fixtures/keys/idp-cert.pem");
pub const EVIL_KEY_PEM: &str = include_str!("../../fixtures/keys/evil-key.pem");
pub const EVIL_CERT_PEM: &str = include_str!("../../fixtures/keys/evil-cert.pem");
/// A test service provider's key pair (signing and encryption), for tests and the demo.
pub const SP_KEY_PEM: &str = include_str!("../../fixtures/keys/sp-key.pem");
pub const SP_CERT_PEM: &str = include_str!("../../fixtures/keys/sp-cert.pem");

/// The redirect-binding signature algorithm (the only one accepted and produced).
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

/// The DER body of the first PEM block with this label.
pub fn pem_to_der(pem: &str, label: &str) -> anyhow::Result<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin).ok_or_else(|| anyhow!("no {label} PEM block"))? + begin.len();
    let stop = pem[start..].find(&end).ok_or_else(|| anyhow!("unterminated {label} PEM block"))? + start;
    let body: String = pem[start..stop].chars().filter(|c| !c.is_whitespace()).collect();
    B64.decode(body).context("PEM body is not base64")
}

/// A certificate as one base64 line, as it goes into `ds:X509Certificate`.
pub fn cert_base64(cert_pem: &str) -> anyhow::Result<String> {
    Ok(B64.encode(pem_to_der(cert_pem, "CERTIFICATE")?))
}

/// One DER TLV: (tag, whole element, contents) at the start of `der`.
fn tlv(der: &[u8]) -> anyhow::Result<(u8, &[u8], &[u8])> {
    let (&tag, rest) = der.split_first().ok_or_else(|| anyhow!("DER: truncated"))?;
    let (&first, rest) = rest.split_first().ok_or_else(|| anyhow!("DER: truncated length"))?;
    let (len, header) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            bail!("DER: unsupported length");
        }
        (rest[..n].iter().fold(0usize, |acc, b| (acc << 8) | *b as usize), 2 + n)
    };
    let total = header.checked_add(len).filter(|t| *t <= der.len()).ok_or_else(|| anyhow!("DER: overrun"))?;
    Ok((tag, &der[..total], &der[header..total]))
}

/// The SubjectPublicKeyInfo (whole DER element) of an X.509 certificate.
pub fn spki_from_cert(cert_der: &[u8]) -> anyhow::Result<Vec<u8>> {
    let (_, _, cert) = tlv(cert_der)?;
    let (tag, _, mut tbs) = tlv(cert)?;
    anyhow::ensure!(tag == 0x30, "certificate: tbsCertificate is not a SEQUENCE");
    // [0] version (optional), serial, signature algorithm, issuer, validity, subject, SPKI.
    let mut index = 0;
    loop {
        let (tag, whole, _) = tlv(tbs)?;
        tbs = &tbs[whole.len()..];
        if tag == 0xa0 {
            continue;
        }
        if index == 5 {
            anyhow::ensure!(tag == 0x30, "certificate: SubjectPublicKeyInfo is not a SEQUENCE");
            return Ok(whole.to_vec());
        }
        index += 1;
    }
}

/// rsa 0.10 public key of a PEM certificate (redirect-binding verification).
pub fn rsa_public_key(cert_pem: &str) -> anyhow::Result<rsa::PublicKey> {
    let spki = spki_from_cert(&pem_to_der(cert_pem, "CERTIFICATE")?)?;
    rsa::PublicKey::from_public_key_der(&spki).map_err(|e| anyhow!("certificate key is not RSA: {e}"))
}

/// The same public key in the RSA type xml-sec encrypts with.
pub fn encryption_key(cert_pem: &str) -> anyhow::Result<sad_rsa::RsaPublicKey> {
    let spki = spki_from_cert(&pem_to_der(cert_pem, "CERTIFICATE")?)?;
    sad_rsa::RsaPublicKey::from_public_key_der(&spki).map_err(|e| anyhow!("certificate key is not RSA: {e}"))
}

/// One signing identity: XML-DSig key with its certificate, and the same key for
/// redirect-binding signatures.
pub struct Signer {
    xml_key: RsaSigningKey,
    cert_pem: String,
    redirect_key: rsa::PrivateKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer { .. }")
    }
}

/// Which `ds:Signature` template in the document to fill (a Response that already
/// carries a signed Assertion has two).
#[derive(Debug, Clone, Copy)]
pub enum Which {
    First,
    Last,
}

impl Signer {
    pub fn new(key_pem: &str, cert_pem: &str) -> anyhow::Result<Self> {
        Ok(Self {
            xml_key: RsaSigningKey::from_pkcs8_pem(key_pem).map_err(|e| anyhow!("IdP key: {e}"))?,
            cert_pem: cert_pem.to_owned(),
            redirect_key: rsa::PrivateKey::from_pkcs8_pem(key_pem).map_err(|e| anyhow!("IdP key: {e}"))?,
        })
    }

    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// An empty enveloped-signature template (RSA-SHA256, exclusive c14n, SHA-256) for the
    /// element with this ID, with a KeyInfo the signer fills with the certificate.
    pub fn template(id: &str) -> anyhow::Result<String> {
        let c14n = C14nAlgorithm::new(C14nMode::Exclusive1_0, false);
        SignatureBuilder::new(c14n.clone(), SignatureAlgorithm::RsaSha256)
            .ns_prefix("ds")
            .add_reference(
                ReferenceBuilder::new(DigestAlgorithm::Sha256)
                    .uri(format!("#{id}"))
                    .transform(Transform::Enveloped)
                    .transform(Transform::C14n(c14n)),
            )
            .key_info(true)
            .build_template()
            .map_err(|e| anyhow!("signature template: {e}"))
    }

    /// Fill the (first or last) signature template in `xml`.
    pub fn sign(&self, xml: &str, which: Which) -> anyhow::Result<String> {
        let key_info = X509CertificateKeyInfoWriter::from_pem(&self.cert_pem).map_err(|e| anyhow!("IdP cert: {e}"))?;
        let selection = match which {
            Which::First => SignatureTemplateSelection::FirstDescendant,
            Which::Last => SignatureTemplateSelection::LastDescendant,
        };
        SignContext::new(&self.xml_key)
            .key_info_writer(&key_info)
            .signature_template_selection(selection)
            .sign_template(xml)
            .map_err(|e| anyhow!("signing failed: {e}"))
    }

    /// Base64 PKCS#1 v1.5 SHA-256 signature over the exact octets of a redirect query.
    pub fn sign_redirect(&self, octets: &str) -> anyhow::Result<String> {
        let sig = self.redirect_key.pkcs1v15_sign::<Sha256>(octets.as_bytes()).map_err(|e| anyhow!("{e}"))?;
        Ok(B64.encode(sig))
    }
}

/// Verify a base64 redirect-binding signature over `octets` with the key of `cert`.
pub fn verify_redirect(key: &rsa::PublicKey, octets: &str, signature_b64: &str) -> bool {
    let Ok(sig) = B64.decode(signature_b64.trim()) else {
        return false;
    };
    key.pkcs1v15_verify::<Sha256>(octets.as_bytes(), &sig).is_ok()
}

/// Encrypt a (signed) Assertion for the SP: AES-256-GCM content, RSA-OAEP-MGF1P (SHA-1)
/// key transport — the combination OIOSAML deployments and Debian's xmlsec1 1.2 read.
/// Returns the `xenc:EncryptedData` element.
pub fn encrypt_for(key: &sad_rsa::RsaPublicKey, assertion_xml: &str) -> anyhow::Result<String> {
    let recipient = EncryptionRecipient::rsa_oaep(key.clone()).oaep_parameters(RsaOaepParameters::legacy());
    let result = EncryptedDataBuilder::new(DataEncryptionAlgorithm::Aes256Gcm)
        .add_recipient(recipient)
        .encrypt_xml(assertion_xml)
        .map_err(|e| anyhow!("encryption failed: {e}"))?;
    Ok(result.encrypted_data_xml)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_certificates_yield_rsa_keys() {
        for cert in [IDP_CERT_PEM, EVIL_CERT_PEM, SP_CERT_PEM] {
            rsa_public_key(cert).unwrap();
            encryption_key(cert).unwrap();
        }
    }

    #[test]
    fn redirect_signature_round_trips_and_detects_tampering() {
        let signer = Signer::new(IDP_KEY_PEM, IDP_CERT_PEM).unwrap();
        let key = rsa_public_key(IDP_CERT_PEM).unwrap();
        let sig = signer.sign_redirect("SAMLResponse=abc&SigAlg=x").unwrap();
        assert!(verify_redirect(&key, "SAMLResponse=abc&SigAlg=x", &sig));
        assert!(!verify_redirect(&key, "SAMLResponse=abd&SigAlg=x", &sig));
        assert!(!verify_redirect(&rsa_public_key(EVIL_CERT_PEM).unwrap(), "SAMLResponse=abc&SigAlg=x", &sig));
    }
}
