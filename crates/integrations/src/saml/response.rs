//! The assertion consumer service: an HTTP-POST `SAMLResponse` in, a [`Login`]
//! or a typed refusal out.
//!
//! Order of checks (each a [`ResponseError`] variant):
//! 1. base64, size, XML (no DTD) and the `samlp:Response` root;
//! 2. status Success (an IdP error is reported as such, signed or not);
//! 3. XSW defence: exactly one `Assertion` or `EncryptedAssertion` in the whole
//!    document, and it is a direct child of the Response (saml.md);
//! 4. the Response signature, if present or required, covering the Response;
//! 5. Destination and Issuer of the Response, InResponseTo present;
//! 6. decryption of an `EncryptedAssertion` with our key;
//! 7. the assertion signature, covering the very assertion element we then read
//!    (its own signature required unless configured otherwise);
//! 8. inside the assertion: Issuer, bearer confirmation (Recipient,
//!    InResponseTo, NotOnOrAfter), Conditions window and Audience, AuthnStatement;
//! 9. [`consume_response`] only: InResponseTo names a pending request of ours
//!    (taken, so it answers once), then the assertion ID is remembered (replay).

use std::future::Future;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};

pub use super::assertion::{Attributes, Login};
use super::assertion::{read_assertion, required};
use super::authn_request::PendingRequest;
use super::dom::Element;
use super::error::{ResponseError, SignatureError, StoreError};
use super::metadata::IdpMetadata;
use super::sp::ServiceProvider;
use super::xmlsec::{self, OtherSignatures, VerifiableXml};
use super::{ns, redact_digits, uri};

/// Responses larger than this are refused before parsing. NemLog-in responses
/// with a bootstrap token are tens of KiB.
const MAX_RESPONSE_BYTES: usize = 512 * 1024;

/// Pending AuthnRequests, kept server-side by the web layer (tenant database).
pub trait PendingRequests {
    /// Removes and returns the pending request with this ID, so that each
    /// request is answered at most once. `None` if unknown or already taken.
    fn take(&self, request_id: &str) -> impl Future<Output = Result<Option<PendingRequest>, StoreError>> + Send;
}

/// Assertion IDs already accepted (one-time use, SAML Profiles §4.1.4.5).
pub trait ReplayCache {
    /// Atomically records the assertion ID until `keep_until` (after which the
    /// assertion is expired anyway). Returns `false` if it was already recorded.
    fn remember(
        &self,
        assertion_id: &str,
        keep_until: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// A response that passed every check that needs no server-side state.
#[derive(Debug, Clone)]
pub struct ValidatedResponse {
    pub login: Login,
    /// Keep the assertion ID in the replay cache until then.
    pub replay_until: DateTime<Utc>,
}

/// The full assertion consumer: [`validate_response`], then the pending request
/// for `InResponseTo` is taken and the assertion ID recorded against replay.
pub async fn consume_response<P: PendingRequests, R: ReplayCache>(
    saml_response: &str,
    idp: &IdpMetadata,
    sp: &ServiceProvider,
    now: DateTime<Utc>,
    pending: &P,
    replay: &R,
) -> Result<Login, ResponseError> {
    let validated = validate_response(saml_response, idp, sp, now)?;
    let login = validated.login;
    let request = pending.take(&login.in_response_to).await?.ok_or(ResponseError::UnknownInResponseTo)?;
    if request.id != login.in_response_to {
        return Err(ResponseError::UnknownInResponseTo);
    }
    if request.expires_at <= now {
        return Err(ResponseError::RequestExpired(request.expires_at));
    }
    if !replay.remember(&login.assertion_id, validated.replay_until).await? {
        return Err(ResponseError::Replayed);
    }
    Ok(login)
}

/// Every stateless check of a posted `SAMLResponse` (base64 as posted).
pub fn validate_response(
    saml_response: &str,
    idp: &IdpMetadata,
    sp: &ServiceProvider,
    now: DateTime<Utc>,
) -> Result<ValidatedResponse, ResponseError> {
    let xml = decode_post(saml_response)?;
    let outer = xmlsec::parse(xml.clone())?;
    let response = outer.root();
    if !response.is(ns::PROTOCOL, "Response") {
        return Err(ResponseError::NotAResponse);
    }
    if response.attr("Version") != Some("2.0") {
        return Err(ResponseError::Version { element: "Response" });
    }
    let response_id = required(response.attr("ID"), "Response", "ID")?;
    check_status(response)?;
    let encrypted = check_single_assertion(response)?;

    let response_signed = if response.child(ns::DSIG, "Signature").is_some() {
        outer
            .verify(response_id, &idp.signing_certificates, OtherSignatures::MustBeValid)
            .map_err(|source| ResponseError::Signature { element: "Response", source })?;
        true
    } else if sp.require_signed_response {
        return Err(ResponseError::ResponseNotSigned);
    } else {
        false
    };

    match response.attr("Destination") {
        Some(destination) if destination != sp.acs_url => {
            return Err(ResponseError::Destination { found: redact_digits(destination) });
        }
        // SAML Bindings §3.5.5.2: a signed message must name its Destination.
        None if response_signed => {
            return Err(ResponseError::Missing { element: "Response", what: "Destination" });
        }
        _ => {}
    }
    if let Some(issuer) = response.child(ns::ASSERTION, "Issuer")
        && issuer.trimmed_text() != idp.entity_id
    {
        return Err(ResponseError::Issuer { element: "Response", found: Some(redact_digits(issuer.trimmed_text())) });
    }
    let in_response_to = response.attr("InResponseTo").ok_or(ResponseError::Unsolicited)?;

    let (login, replay_until) = if encrypted {
        let plain = xmlsec::decrypt(&xml, sp.decryption_credential()).map_err(ResponseError::Decryption)?;
        let inner = xmlsec::parse(plain)?;
        let assertion = decrypted_assertion(&inner, response_id)?;
        // The Response signature covered the ciphertext and no longer verifies
        // over the plaintext; it was checked above on the received document.
        let others = if response_signed { OtherSignatures::MayBeInvalid } else { OtherSignatures::MustBeValid };
        authenticate_assertion(&inner, assertion, idp, sp, response_signed, others)?;
        read_assertion(assertion, idp, sp, now, in_response_to)?
    } else {
        let assertion = response.child(ns::ASSERTION, "Assertion").ok_or(ResponseError::AssertionPlacement)?;
        authenticate_assertion(&outer, assertion, idp, sp, response_signed, OtherSignatures::MustBeValid)?;
        read_assertion(assertion, idp, sp, now, in_response_to)?
    };
    Ok(ValidatedResponse { login, replay_until })
}

fn decode_post(saml_response: &str) -> Result<String, ResponseError> {
    if saml_response.len() > MAX_RESPONSE_BYTES * 4 / 3 + 4096 {
        return Err(ResponseError::Encoding("too large"));
    }
    // Base64 from a form may be wrapped in lines.
    let compact: String = saml_response.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = STANDARD.decode(compact).map_err(|_| ResponseError::Encoding("not valid base64"))?;
    if bytes.len() > MAX_RESPONSE_BYTES {
        return Err(ResponseError::Encoding("too large"));
    }
    String::from_utf8(bytes).map_err(|_| ResponseError::Encoding("not UTF-8"))
}

fn check_status(response: &Element) -> Result<(), ResponseError> {
    let code = response
        .child(ns::PROTOCOL, "Status")
        .and_then(|s| s.child(ns::PROTOCOL, "StatusCode"))
        .ok_or(ResponseError::Missing { element: "Response", what: "Status" })?;
    let value = code.attr("Value").unwrap_or_default();
    if value == uri::STATUS_SUCCESS {
        return Ok(());
    }
    Err(ResponseError::Status {
        code: value.to_owned(),
        sub_code: code.child(ns::PROTOCOL, "StatusCode").and_then(|s| s.attr("Value")).map(str::to_owned),
    })
}

/// XSW defence: exactly one assertion, plain or encrypted, anywhere in the
/// document, and it sits directly under the Response, where we read it from.
/// Returns whether it is encrypted.
fn check_single_assertion(response: &Element) -> Result<bool, ResponseError> {
    let assertions = response.count_descendants(ns::ASSERTION, "Assertion");
    let encrypted = response.count_descendants(ns::ASSERTION, "EncryptedAssertion");
    if assertions + encrypted != 1 {
        return Err(ResponseError::AssertionCount { assertions, encrypted });
    }
    let placed =
        response.elements().any(|c| c.is(ns::ASSERTION, "Assertion") || c.is(ns::ASSERTION, "EncryptedAssertion"));
    if !placed {
        return Err(ResponseError::AssertionPlacement);
    }
    Ok(encrypted == 1)
}

/// The assertion of a decrypted document: the same Response (same ID), one
/// `EncryptedAssertion` child holding exactly one `Assertion`, nothing else.
fn decrypted_assertion<'a>(inner: &'a VerifiableXml, response_id: &str) -> Result<&'a Element, ResponseError> {
    let root = inner.root();
    if !root.is(ns::PROTOCOL, "Response") || root.attr("ID") != Some(response_id) {
        return Err(ResponseError::NotAResponse);
    }
    let assertions = root.count_descendants(ns::ASSERTION, "Assertion");
    let encrypted = root.count_descendants(ns::ASSERTION, "EncryptedAssertion");
    if assertions != 1 || encrypted != 1 {
        return Err(ResponseError::AssertionCount { assertions, encrypted });
    }
    let wrapper = root.child(ns::ASSERTION, "EncryptedAssertion").ok_or(ResponseError::AssertionPlacement)?;
    // SAML Core §2.3.4 allows EncryptedKey beside the (now decrypted) data.
    let mut children = wrapper.elements().filter(|c| !c.is(ns::XENC, "EncryptedKey"));
    match (children.next(), children.next()) {
        (Some(assertion), None) if assertion.is(ns::ASSERTION, "Assertion") => Ok(assertion),
        _ => Err(ResponseError::AssertionPlacement),
    }
}

/// Makes sure a trusted signature covers `assertion` in `doc` (the document it
/// is read from), honouring `require_signed_assertion`.
fn authenticate_assertion(
    doc: &VerifiableXml,
    assertion: &Element,
    idp: &IdpMetadata,
    sp: &ServiceProvider,
    response_signed: bool,
    others: OtherSignatures,
) -> Result<(), ResponseError> {
    let id = required(assertion.attr("ID"), "Assertion", "ID")?;
    let signature_error = |source| ResponseError::Signature { element: "Assertion", source };
    if assertion.child(ns::DSIG, "Signature").is_some() {
        let check = doc.verify(id, &idp.signing_certificates, others).map_err(signature_error)?;
        if sp.require_signed_assertion && !check.directly_signed {
            return Err(ResponseError::AssertionNotSigned);
        }
        return Ok(());
    }
    if sp.require_signed_assertion {
        return Err(ResponseError::AssertionNotSigned);
    }
    if !response_signed {
        return Err(signature_error(SignatureError::Missing));
    }
    match others {
        // Plain assertion: prove the Response signature really covers it.
        OtherSignatures::MustBeValid => {
            doc.verify(id, &idp.signing_certificates, others).map(|_| ()).map_err(signature_error)
        }
        // Decrypted assertion: the verified Response signature covered its
        // ciphertext, which is the only way it could have got here.
        OtherSignatures::MayBeInvalid => Ok(()),
    }
}
