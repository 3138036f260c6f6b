//! The one module that names the `xml-sec` crate (pinned `=0.4.1`, young and
//! fast-moving: keeping it behind this file means an upgrade touches one place).
//!
//! What it offers the protocol code:
//! - [`parse`]: parse untrusted XML once, under the verification policy (no DTD,
//!   size/depth/namespace ceilings), into a [`VerifiableXml`] that keeps the
//!   retained `xml-sec` document and an owned copy of the same tree to read from.
//! - [`VerifiableXml::verify`]: the policy-bound evidence check from saml.md. The
//!   element the caller will read is the expected target; it is accepted only if
//!   the evidence is accepted AND covers that element, with the trusted key given
//!   by the caller (KeyInfo in the message is never trusted).
//! - [`decrypt`]: `EncryptedData` → plaintext in place (rsa-oaep-mgf1p key
//!   transport, aes256-gcm or aes128-cbc content).
//! - [`sign_enveloped`]: an enveloped RSA-SHA256 / exc-c14n signature over our
//!   own XML (SP metadata).

use std::sync::OnceLock;

use xml_sec::api::Operation;
use xml_sec::c14n::{C14nAlgorithm, C14nMode};
use xml_sec::policy::{
    CompiledPolicies, PolicyCompileContext, PolicyCompiler, PolicyProfile, PolicySet, PolicyViolation,
};
use xml_sec::provider::RustCryptoProvider;
use xml_sec::rsa_encoding::RsaPrivateKeyEncoding;
use xml_sec::xmldsig::{
    DigestAlgorithm, DsigStatus, ReferenceBuilder, RsaSigningKey, SignatureAlgorithm, SignatureBuilder,
    SignatureRequirement, Transform, VerificationKey, VerificationRequest, X509CertificateKeyInfoWriter,
};
use xml_sec::xmlenc::{DataEncryptionAlgorithm, KeyTransportAlgorithm, OaepDigestAlgorithm, PrivateKeyDecryptor};
use xml_sec::{XmlDocument, XmlSecurity};

use super::cert::{Certificate, Credential};
use super::dom::Element;
use super::error::{SignatureError, XmlSecurityError};
use super::{ns, redact_digits};

/// Deeper than any SAML message or metadata; the owned copy is built recursively.
const MAX_DEPTH: usize = 64;

static PROVIDER: RustCryptoProvider = RustCryptoProvider;
static POLICIES: OnceLock<Result<CompiledPolicies, String>> = OnceLock::new();
static DECRYPTION_POLICIES: OnceLock<Result<CompiledPolicies, String>> = OnceLock::new();

/// The `Modern` profile with target evidence required and no external resources:
/// RSA-SHA256 and better, no HMAC, no XPath/XSLT transforms, no remote URIs.
/// Used for parsing, verifying and signing.
fn security() -> Result<XmlSecurity<'static>, XmlSecurityError> {
    bind(&POLICIES, || {
        PolicyCompiler::new(PolicyProfile::Modern, &PROVIDER, None)?
            .compile(&PolicyCompileContext { external_resources: false, target_evidence: true })
    })
}

/// Decryption only. `Modern` accepts nothing but xmlenc11 rsa-oaep with GCM, but
/// SAML IdPs (NemLog-in included, and xmlsec1 1.2) use rsa-oaep-mgf1p (OAEP with
/// SHA-1, which is sound for key transport) and sometimes AES-CBC. So we take the
/// xmlsec1-compatible profile and narrow it to exactly those methods, with no
/// verification, signing or encryption enabled in this set. CBC is malleable;
/// it is safe here only because the plaintext assertion's signature (or the
/// Response signature over the ciphertext) is checked afterwards.
fn decryption_security() -> Result<XmlSecurity<'static>, XmlSecurityError> {
    bind(&DECRYPTION_POLICIES, || {
        let modern = PolicyCompiler::new(PolicyProfile::Modern, &PROVIDER, None)?;
        let compatible = PolicyCompiler::new(PolicyProfile::XmlSecCompatible, &PROVIDER, None)?;
        let Some(mut decryption) = compatible.policies().decryption.clone() else {
            return Err(PolicyViolation::Configuration { reason: "no decryption policy" });
        };
        decryption.data_algorithms = Some(
            [
                DataEncryptionAlgorithm::Aes128Gcm,
                DataEncryptionAlgorithm::Aes256Gcm,
                DataEncryptionAlgorithm::Aes128Cbc,
                DataEncryptionAlgorithm::Aes256Cbc,
            ]
            .into(),
        );
        decryption.key_transport_algorithms =
            Some([KeyTransportAlgorithm::RsaOaepMgf1p, KeyTransportAlgorithm::RsaOaep11].into());
        decryption.key_wrap_algorithms = Some(Default::default());
        decryption.oaep_digests = Some([OaepDigestAlgorithm::Sha1, OaepDigestAlgorithm::Sha256].into());
        if let Some(strict) = &modern.policies().decryption {
            // Modern XML input rules (no DTD) and resource ceilings.
            decryption.xml = strict.xml;
            decryption.resources = strict.resources.clone();
        }
        let layer = PolicySet { decryption: Some(decryption), ..PolicySet::default() };
        compatible
            .restrict(&layer)?
            .compile(&PolicyCompileContext { external_resources: false, target_evidence: false })
    })
}

fn bind(
    cell: &'static OnceLock<Result<CompiledPolicies, String>>,
    compile: impl FnOnce() -> Result<CompiledPolicies, PolicyViolation>,
) -> Result<XmlSecurity<'static>, XmlSecurityError> {
    let compiled = cell.get_or_init(|| compile().map_err(|e| e.to_string()));
    let policies = compiled.as_ref().map_err(|e| XmlSecurityError::Setup(e.clone()))?;
    XmlSecurity::new(policies, &PROVIDER).map_err(|e| XmlSecurityError::Setup(e.to_string()))
}

/// Error text from `xml-sec`, with anything that looks like a CPR number removed.
fn describe(error: impl std::fmt::Display) -> String {
    redact_digits(&error.to_string())
}

/// A parsed document: the retained `xml-sec` document (what signatures are checked
/// against) and an owned copy of that same tree (what protocol code reads).
pub(crate) struct VerifiableXml {
    document: XmlDocument,
    root: Element,
}

/// Parses untrusted XML under the verification policy.
pub(crate) fn parse(xml: String) -> Result<VerifiableXml, XmlSecurityError> {
    let security = security()?;
    let document = security.parse_document(xml, Operation::Verify).map_err(|e| XmlSecurityError::Parse(describe(e)))?;
    let root = document.with_view(|view| copy_element(view.document().root_element(), 0))?;
    Ok(VerifiableXml { document, root })
}

fn copy_element(node: xml_sec::Node<'_, '_>, depth: usize) -> Result<Element, XmlSecurityError> {
    if depth > MAX_DEPTH {
        return Err(XmlSecurityError::TooDeep(MAX_DEPTH));
    }
    let tag = node.tag_name();
    let mut element = Element {
        namespace: tag.namespace().map(str::to_owned),
        name: tag.name().to_owned(),
        attributes: node
            .attributes()
            .map(|a| (a.namespace().map(str::to_owned), a.name().to_owned(), a.value().to_owned()))
            .collect(),
        children: Vec::new(),
        text: String::new(),
    };
    for child in node.children() {
        if child.is_element() {
            element.children.push(copy_element(child, depth + 1)?);
        } else if child.is_text() {
            element.text.push_str(child.text().unwrap_or_default());
        }
    }
    Ok(element)
}

/// How other signatures in the document are treated by [`VerifiableXml::verify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OtherSignatures {
    /// Every signature in the document must verify (the normal case).
    MustBeValid,
    /// Others may fail. Only for a decrypted document, whose Response signature
    /// was checked over the ciphertext before decryption changed the content.
    MayBeInvalid,
}

/// A successful check of one element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Authenticated {
    /// A valid signature references this element itself (not only an ancestor).
    pub(crate) directly_signed: bool,
}

impl VerifiableXml {
    pub(crate) fn root(&self) -> &Element {
        &self.root
    }

    /// Checks that a signature by one of `trusted` covers the element whose `ID`
    /// attribute is `target_id` (the element the caller will read).
    ///
    /// The target is resolved by ID in the retained document and must be unique:
    /// a duplicated ID (an XSW trick) is refused before any cryptography. Since the
    /// caller picked the element with that ID from the same tree, the identity
    /// checked is the identity read.
    pub(crate) fn verify(
        &self,
        target_id: &str,
        trusted: &[Certificate],
        others: OtherSignatures,
    ) -> Result<Authenticated, SignatureError> {
        let signatures =
            std::iter::once(&self.root).chain(self.root.descendants()).filter(|e| e.is(ns::DSIG, "Signature")).count();
        if signatures == 0 {
            return Err(SignatureError::Missing);
        }
        if trusted.is_empty() {
            return Err(SignatureError::NoTrustedKey);
        }
        let target =
            self.document.with_view(|view| view.node_for_id(target_id, &[])).ok_or(SignatureError::AmbiguousId)?;
        let security = security().map_err(|e| SignatureError::Processing(e.to_string()))?;
        let request = VerificationRequest {
            expected_targets: &[target],
            signatures: match others {
                OtherSignatures::MustBeValid => SignatureRequirement::All,
                OtherSignatures::MayBeInvalid => SignatureRequirement::AtLeast(1),
            },
            ..Default::default()
        };
        // Several signing certificates are normal during an IdP key rollover;
        // the first that authenticates the target wins.
        let mut failure = SignatureError::NotCovering;
        for certificate in trusted {
            let key = VerificationKey {
                algorithm: SignatureAlgorithm::RsaSha256,
                public_key_bytes: certificate
                    .spki_der()
                    .map_err(|e| SignatureError::Processing(e.to_string()))?
                    .to_vec(),
                certificate_der: None,
                name: None,
            };
            let verifier = security.verifier().map_err(|e| SignatureError::Processing(describe(e)))?;
            let evidence = match verifier.key(&key).verify(&self.document, &request) {
                Ok(evidence) => evidence,
                Err(e) => {
                    failure = SignatureError::Processing(describe(e));
                    continue;
                }
            };
            let accepted = evidence.accepted(&self.document).unwrap_or(false)
                && evidence.covers_element(&self.document, target).unwrap_or(false);
            if accepted {
                let directly_signed = evidence.signatures().iter().any(|s| {
                    s.result().as_ref().is_ok_and(|r| {
                        r.status == DsigStatus::Valid
                            && r.signed_info_references.iter().any(|reference| {
                                reference.status == DsigStatus::Valid && reference.target_identity == Some(target)
                            })
                    })
                });
                return Ok(Authenticated { directly_signed });
            }
            // Keep the most telling reason: an invalid signature beats "not covering".
            for signature in evidence.signatures() {
                match signature.result() {
                    Ok(result) => {
                        if let DsigStatus::Invalid(reason) = result.status {
                            failure = SignatureError::Invalid(format!("{reason:?}"));
                        }
                    }
                    Err(e) => failure = SignatureError::Invalid(describe(e)),
                }
            }
        }
        Err(failure)
    }
}

/// Decrypts the single `EncryptedData` in `xml` with our private key and returns
/// the whole document with the plaintext element in its place.
pub(crate) fn decrypt(xml: &str, key: &Credential) -> Result<String, XmlSecurityError> {
    let security = decryption_security()?;
    let private = <_ as RsaPrivateKeyEncoding>::from_pkcs8_pem(key.pkcs8_pem())
        .map_err(|e| XmlSecurityError::Decrypt(format!("private key: {e}")))?;
    let resolver = PrivateKeyDecryptor::new(private);
    security
        .decryptor(&resolver)
        .and_then(|d| d.decrypt_xml(xml, None))
        .map_err(|e| XmlSecurityError::Decrypt(describe(e)))
}

/// Signs our own XML: inserts an enveloped signature template at byte offset
/// `insert_at` (where the schema wants `ds:Signature`: first child of an
/// `EntityDescriptor`, after `Issuer` in a protocol message) and fills it in,
/// with the certificate in `KeyInfo`. The reference is `#id`.
pub fn sign_enveloped(
    xml: &str,
    id: &str,
    insert_at: usize,
    credential: &Credential,
) -> Result<String, XmlSecurityError> {
    if !xml.is_char_boundary(insert_at) {
        return Err(XmlSecurityError::Sign("insert offset inside a character".into()));
    }
    let c14n = C14nAlgorithm::new(C14nMode::Exclusive1_0, false);
    let template = SignatureBuilder::new(c14n.clone(), SignatureAlgorithm::RsaSha256)
        .add_reference(
            ReferenceBuilder::new(DigestAlgorithm::Sha256)
                .uri(format!("#{id}"))
                .transform(Transform::Enveloped)
                .transform(Transform::C14n(c14n)),
        )
        .key_info(true)
        .build_template()
        .map_err(|e| XmlSecurityError::Sign(e.to_string()))?;
    let mut document = String::with_capacity(xml.len() + template.len() + 2048);
    document.push_str(&xml[..insert_at]);
    document.push_str(&template);
    document.push_str(&xml[insert_at..]);

    let key = RsaSigningKey::from_pkcs8_pem(credential.pkcs8_pem())
        .map_err(|e| XmlSecurityError::Sign(format!("private key: {e}")))?;
    let key_info = X509CertificateKeyInfoWriter::from_pem(&credential.certificate().to_pem())
        .map_err(|e| XmlSecurityError::Sign(format!("certificate: {e}")))?;
    let security = security()?;
    security
        .signer(&key)
        .map_err(|e| XmlSecurityError::Sign(e.to_string()))?
        .key_info_writer(&key_info)
        .sign_template_xml(&document)
        .map_err(|e| XmlSecurityError::Sign(describe(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/saml");

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap()
    }

    fn idp_cert() -> Certificate {
        Certificate::from_pem(&fixture("idp-cert.pem")).unwrap()
    }

    fn sp() -> Credential {
        Credential::from_pem(&fixture("sp-key.pem"), &fixture("sp-cert.pem")).unwrap()
    }

    #[test]
    fn xmlsec1_signed_assertion_verifies_directly() {
        let doc = parse(fixture("fk-assertion-signed.xml")).unwrap();
        let check = doc.verify("_assert1", &[idp_cert()], OtherSignatures::MustBeValid);
        assert_eq!(check, Ok(Authenticated { directly_signed: true }));
        // The response itself is not covered by the assertion's signature.
        assert_eq!(doc.verify("_resp1", &[idp_cert()], OtherSignatures::MustBeValid), Err(SignatureError::NotCovering));
    }

    #[test]
    fn response_signature_covers_the_assertion_indirectly() {
        let doc = parse(fixture("fk-response-signed-only.xml")).unwrap();
        let check = doc.verify("_assert1", &[idp_cert()], OtherSignatures::MustBeValid);
        assert_eq!(check, Ok(Authenticated { directly_signed: false }));
    }

    #[test]
    fn comments_do_not_truncate_text() {
        let doc = parse("<a>alice<!---->@evil</a>".to_string()).unwrap();
        assert_eq!(doc.root().text, "alice@evil");
    }

    #[test]
    fn dtds_are_refused() {
        let xml = r#"<!DOCTYPE a [<!ENTITY x "boom">]><a>&x;</a>"#;
        assert!(parse(xml.to_string()).is_err());
    }

    #[test]
    fn xmlsec1_encrypted_assertions_decrypt() {
        for name in ["nemlogin-encrypted-aes256-gcm.xml", "nemlogin-encrypted-aes128-cbc.xml"] {
            let plain = decrypt(&fixture(name), &sp()).unwrap();
            let doc = parse(plain).unwrap();
            let check = doc.verify("_assert2", &[idp_cert()], OtherSignatures::MayBeInvalid);
            assert_eq!(check, Ok(Authenticated { directly_signed: true }), "{name}");
        }
    }

    /// XSW at the signature layer alone (the response code refuses these
    /// earlier, by counting assertions): whatever element an attacker makes us
    /// pick, no trusted signature covers it, or its ID is ambiguous.
    #[test]
    fn wrapped_elements_are_not_covered() {
        let xml = fixture("fk-assertion-signed.xml");
        let start = xml.find("<saml:Assertion ").unwrap();
        let end = xml.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
        let genuine = &xml[start..end];
        let sig_start = genuine.find("<ds:Signature").unwrap();
        let sig_end = genuine.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
        let signature = &genuine[sig_start..sig_end];
        let evil = |id: &str| {
            genuine
                .replace(signature, "")
                .replace("ID=\"_assert1\"", &format!("ID=\"{id}\""))
                .replace("Anna Admin", "Mallory")
        };
        let trusted = [idp_cert()];
        let check =
            |doc: String, target: &str| parse(doc).unwrap().verify(target, &trusted, OtherSignatures::MustBeValid);

        // Evil assertion before the signed one, or in its place with the signed
        // one moved under Extensions.
        let before = xml.replacen(genuine, &format!("{}{genuine}", evil("_evil")), 1);
        assert_eq!(check(before, "_evil"), Err(SignatureError::NotCovering));
        let moved = xml.replacen(genuine, &evil("_evil"), 1).replacen(
            "</saml:Issuer>",
            &format!("</saml:Issuer><samlp:Extensions>{genuine}</samlp:Extensions>"),
            1,
        );
        assert_eq!(check(moved, "_evil"), Err(SignatureError::NotCovering));
        // Duplicate IDs.
        let duplicate = xml.replacen(genuine, &format!("{}{genuine}", evil("_assert1")), 1);
        assert_eq!(check(duplicate, "_assert1"), Err(SignatureError::AmbiguousId));
        // The signed assertion inside the Object of a signature in an evil one.
        let wrapped = signature.replace("</ds:Signature>", &format!("<ds:Object>{genuine}</ds:Object></ds:Signature>"));
        let object =
            xml.replacen(genuine, &evil("_evil").replacen("<saml:Subject>", &format!("{wrapped}<saml:Subject>"), 1), 1);
        assert!(check(object, "_evil").is_err());
        // An unsigned document.
        assert_eq!(check(fixture("fk-response-unsigned.xml"), "_assert1"), Err(SignatureError::Missing));
    }

    #[test]
    fn our_signature_verifies_with_our_verifier() {
        let xml = r#"<r xmlns="urn:x" ID="_r1"><v>1</v></r>"#;
        let at = xml.find("<v>").unwrap();
        let signed = sign_enveloped(xml, "_r1", at, &sp()).unwrap();
        let doc = parse(signed).unwrap();
        let check = doc.verify("_r1", &[sp().certificate().clone()], OtherSignatures::MustBeValid);
        assert_eq!(check, Ok(Authenticated { directly_signed: true }));
    }
}
