//! Typed failures. Each variant names the check that failed, so that a log line
//! says why a login was refused. No variant carries an attribute value, a NameID
//! or any other personal data: CPR numbers travel as attributes, and text taken
//! from third-party errors, and any value echoed from a message (a Destination,
//! an Issuer), is passed through `redact_digits` first.

use chrono::{DateTime, Utc};

/// Failures of the XML security layer itself (the `xml-sec` wrapper).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlSecurityError {
    #[error("the XML security policy could not be set up: {0}")]
    Setup(String),
    #[error("the XML could not be parsed: {0}")]
    Parse(String),
    #[error("the XML nests deeper than {0} elements")]
    TooDeep(usize),
    #[error("decryption failed: {0}")]
    Decrypt(String),
    #[error("signing failed: {0}")]
    Sign(String),
}

/// Why a signature did not authenticate the element we are about to read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the message carries no signature")]
    Missing,
    #[error("the signed element has no ID, or its ID is not unique in the document")]
    AmbiguousId,
    #[error("no trusted key is configured")]
    NoTrustedKey,
    #[error("the signature is invalid: {0}")]
    Invalid(String),
    #[error("no valid signature by a trusted key covers the element that would be read")]
    NotCovering,
    #[error("the signature could not be processed: {0}")]
    Processing(String),
}

/// Certificates and private keys given to us in configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("certificate: {0}")]
    Certificate(&'static str),
    #[error("private key: {0}")]
    PrivateKey(String),
    #[error("the private key does not belong to the certificate")]
    KeyMismatch,
}

/// IdP metadata that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error("IdP metadata: {0}")]
    Xml(#[from] XmlSecurityError),
    #[error(
        "IdP metadata: the root element is not md:EntityDescriptor (or an EntitiesDescriptor holding exactly one IdP)"
    )]
    NotEntityDescriptor,
    #[error("IdP metadata: entityID is missing")]
    MissingEntityId,
    #[error("IdP metadata for {entity_id}: no IDPSSODescriptor supporting SAML 2.0")]
    NoIdpDescriptor { entity_id: String },
    #[error("IdP metadata for {entity_id}: more than one IDPSSODescriptor")]
    SeveralIdpDescriptors { entity_id: String },
    #[error(
        "IdP metadata for {entity_id} has no signing certificate (KeyDescriptor use=\"signing\" or without use): \
         responses could not be verified, so this identity provider is refused"
    )]
    NoSigningCertificate { entity_id: String },
    #[error("IdP metadata for {entity_id}: a certificate is unusable: {reason}")]
    BadCertificate { entity_id: String, reason: KeyError },
    #[error("IdP metadata for {entity_id}: no SingleSignOnService with the HTTP-Redirect binding")]
    NoRedirectSso { entity_id: String },
    #[error("IdP metadata for {entity_id}: endpoint without Binding or Location")]
    BadEndpoint { entity_id: String },
    #[error("IdP metadata: the metadata signature does not verify: {0}")]
    Signature(SignatureError),
    #[error("IdP metadata: validUntil {0} has passed")]
    Expired(DateTime<Utc>),
    #[error("IdP metadata: bad timestamp in {0}")]
    BadTimestamp(&'static str),
}

/// The HTTP-Redirect binding (query-string encoding and detached signatures).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindingError {
    #[error("redirect binding: parameter {0} is missing")]
    MissingParameter(&'static str),
    #[error("redirect binding: parameter {0} occurs more than once")]
    DuplicateParameter(&'static str),
    #[error("redirect binding: both SAMLRequest and SAMLResponse are present")]
    BothRequestAndResponse,
    #[error("redirect binding: {0} is not valid percent-encoding, base64 or UTF-8")]
    BadEncoding(&'static str),
    #[error("redirect binding: the message does not inflate (raw DEFLATE expected)")]
    Inflate,
    #[error("redirect binding: the message exceeds {0} bytes")]
    TooLarge(usize),
    #[error("redirect binding: SigAlg {0} is not allowed (only RSA-SHA256)")]
    UnsupportedSigAlg(String),
    #[error("redirect binding: the message is not signed")]
    Unsigned,
    #[error("redirect binding: the signature does not verify with any trusted key")]
    BadSignature,
    #[error("redirect binding: signing failed: {0}")]
    Signing(String),
    #[error("redirect binding: {0}")]
    Key(#[from] KeyError),
}

/// A store behind [`crate::saml::PendingRequests`] or [`crate::saml::ReplayCache`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// Why an HTTP-POST `SAMLResponse` was refused. One variant per check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    #[error("SAMLResponse: {0}")]
    Encoding(&'static str),
    #[error("SAMLResponse: {0}")]
    Xml(#[from] XmlSecurityError),
    #[error("SAMLResponse: the root element is not samlp:Response")]
    NotAResponse,
    #[error("SAMLResponse: {element} has Version other than 2.0")]
    Version { element: &'static str },
    #[error("SAMLResponse: {element} lacks the required {what}")]
    Missing { element: &'static str, what: &'static str },
    #[error("SAMLResponse: {element} has an unparseable {attribute}")]
    BadTimestamp { element: &'static str, attribute: &'static str },
    #[error("SAMLResponse: status is not Success: {code}{}", sub_code.as_deref().map(|s| format!(" / {s}")).unwrap_or_default())]
    Status { code: String, sub_code: Option<String> },
    #[error("SAMLResponse: Destination {found} is not our ACS URL")]
    Destination { found: String },
    #[error("SAMLResponse: {element} Issuer {found:?} is not the IdP entity ID")]
    Issuer { element: &'static str, found: Option<String> },
    #[error("SAMLResponse: expected exactly one Assertion or EncryptedAssertion, found {assertions} and {encrypted}")]
    AssertionCount { assertions: usize, encrypted: usize },
    #[error("SAMLResponse: the assertion is not a direct child of the Response")]
    AssertionPlacement,
    #[error("SAMLResponse: the assertion is encrypted but no decryption key is configured")]
    NoDecryptionKey,
    #[error("SAMLResponse: the EncryptedAssertion could not be decrypted: {0}")]
    Decryption(XmlSecurityError),
    #[error("SAMLResponse: {element} signature: {source}")]
    Signature { element: &'static str, source: SignatureError },
    #[error("SAMLResponse: the assertion is not signed itself, and an assertion signature is required")]
    AssertionNotSigned,
    #[error("SAMLResponse: the Response is not signed, and a response signature is required")]
    ResponseNotSigned,
    #[error("SAMLResponse: the Subject has no NameID (EncryptedID and BaseID are not supported)")]
    NoNameId,
    #[error("SAMLResponse: no bearer SubjectConfirmation")]
    NoBearerConfirmation,
    #[error("SAMLResponse: SubjectConfirmationData Recipient {found:?} is not our ACS URL")]
    Recipient { found: Option<String> },
    #[error("SAMLResponse: SubjectConfirmationData InResponseTo does not match the Response")]
    ConfirmationInResponseTo,
    #[error("SAMLResponse: {element} is not valid before {not_before} (now {now}, skew allowed)")]
    NotYetValid { element: &'static str, not_before: DateTime<Utc>, now: DateTime<Utc> },
    #[error("SAMLResponse: {element} expired at {not_on_or_after} (now {now}, skew allowed)")]
    Expired { element: &'static str, not_on_or_after: DateTime<Utc>, now: DateTime<Utc> },
    #[error("SAMLResponse: the assertion has no AudienceRestriction")]
    NoAudienceRestriction,
    #[error("SAMLResponse: our entity ID is not an allowed Audience")]
    Audience,
    #[error("SAMLResponse: the assertion has no AuthnStatement")]
    NoAuthnStatement,
    #[error("SAMLResponse: EncryptedAttribute is not supported")]
    EncryptedAttribute,
    #[error("SAMLResponse: unsolicited (no InResponseTo); only SP-initiated login is accepted")]
    Unsolicited,
    #[error("SAMLResponse: InResponseTo does not match a pending request of ours (unknown, used or expired)")]
    UnknownInResponseTo,
    #[error("SAMLResponse: the pending request expired at {0}")]
    RequestExpired(DateTime<Utc>),
    #[error("SAMLResponse: the assertion was already used (replay)")]
    Replayed,
    #[error("SAMLResponse: request/replay store failed: {0}")]
    Store(#[from] StoreError),
}

/// Attribute helpers (privileges, NemLog-in identity, level of assurance).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttributeError {
    #[error("attribute {0} is missing")]
    Missing(&'static str),
    #[error("attribute {0} has more than one value")]
    SeveralValues(&'static str),
    #[error("attribute {name} is malformed: {reason}")]
    Malformed { name: &'static str, reason: &'static str },
    #[error("level of assurance {found} is below the required {required}")]
    LoaTooLow { found: &'static str, required: &'static str },
    #[error("no level of assurance in the assertion")]
    NoLoa,
    #[error("privileges XML: {0}")]
    Privileges(String),
}

/// Single logout (both directions).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogoutError {
    #[error("logout: {0}")]
    Binding(#[from] BindingError),
    #[error("logout: {0}")]
    Xml(#[from] XmlSecurityError),
    #[error("logout: expected a {expected}, got another message")]
    WrongMessage { expected: &'static str },
    #[error("logout: {element} lacks the required {what}")]
    Missing { element: &'static str, what: &'static str },
    #[error("logout: Issuer {found:?} is not the IdP entity ID")]
    Issuer { found: Option<String> },
    #[error("logout: Destination {found} is not our single-logout URL")]
    Destination { found: String },
    #[error("logout: the request expired at {0}")]
    Expired(DateTime<Utc>),
    #[error("logout: bad timestamp in {0}")]
    BadTimestamp(&'static str),
    #[error("logout: InResponseTo does not match our LogoutRequest")]
    InResponseTo,
    #[error("logout: the IdP has no single-logout endpoint with the HTTP-Redirect binding")]
    NoRedirectSlo,
}
