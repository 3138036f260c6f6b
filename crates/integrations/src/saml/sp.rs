//! Our side of one SAML relationship (one app of one tenant).

use chrono::Duration;

use super::authn_request::RequestedLoa;
use super::cert::Credential;

/// Settings of one service provider: the admin app against FK Adgangsstyring,
/// or the portal against NemLog-in, of one tenant.
#[derive(Debug, Clone)]
pub struct ServiceProvider {
    /// Our entity ID; also the only Audience we accept.
    pub entity_id: String,
    /// Assertion consumer service URL (HTTP-POST); Destination and Recipient
    /// of every response must equal it exactly.
    pub acs_url: String,
    /// Single-logout URL (HTTP-Redirect), Destination of the IdP's logout messages.
    pub slo_url: String,
    /// Signs AuthnRequests, logout messages and metadata.
    pub signing: Credential,
    /// Decrypts `EncryptedAssertion`. `None` means the signing credential is used,
    /// as in FK Adgangsstyring (signing certificate = decryption certificate).
    pub encryption: Option<Credential>,
    /// Allowed difference between our clock and the IdP's.
    pub clock_skew: Duration,
    /// The assertion must carry its own valid signature (OIOSAML: yes). If false,
    /// a valid Response signature covering the assertion suffices.
    pub require_signed_assertion: bool,
    /// The Response must carry a valid signature as well.
    pub require_signed_response: bool,
    /// Sent as RequestedAuthnContext (NemLog-in: Substantial).
    pub requested_loa: Option<RequestedLoa>,
    /// Sent as NameIDPolicy and listed in our metadata.
    pub name_id_format: Option<String>,
}

impl ServiceProvider {
    /// Secure defaults: 60 s clock skew, assertion signature required, response
    /// signature verified when present but not required, no LoA requested.
    pub fn new(
        entity_id: impl Into<String>,
        acs_url: impl Into<String>,
        slo_url: impl Into<String>,
        signing: Credential,
    ) -> Self {
        ServiceProvider {
            entity_id: entity_id.into(),
            acs_url: acs_url.into(),
            slo_url: slo_url.into(),
            signing,
            encryption: None,
            clock_skew: Duration::seconds(60),
            require_signed_assertion: true,
            require_signed_response: false,
            requested_loa: None,
            name_id_format: None,
        }
    }

    pub(crate) fn decryption_credential(&self) -> &Credential {
        self.encryption.as_ref().unwrap_or(&self.signing)
    }
}
