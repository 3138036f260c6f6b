//! SAML metadata: reading the IdP's `EntityDescriptor`, writing ours.

use chrono::{DateTime, Utc};

use super::cert::{Certificate, Credential};
use super::dom::Element;
use super::error::{MetadataError, XmlSecurityError};
use super::sp::ServiceProvider;
use super::xmlsec::{self, OtherSignatures};
use super::{escape_xml, ns, time, uri};

/// A SAML binding of an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    HttpRedirect,
    HttpPost,
    Other(String),
}

impl Binding {
    fn from_uri(value: &str) -> Self {
        match value {
            uri::BINDING_REDIRECT => Binding::HttpRedirect,
            uri::BINDING_POST => Binding::HttpPost,
            other => Binding::Other(other.to_owned()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub binding: Binding,
    pub location: String,
    /// Where responses go, if not to `location` (SingleLogoutService).
    pub response_location: Option<String>,
}

/// What we use from an IdP's metadata.
#[derive(Debug, Clone)]
pub struct IdpMetadata {
    pub entity_id: String,
    pub want_authn_requests_signed: bool,
    /// Only these keys are trusted for responses and logout messages, never
    /// a certificate embedded in a message. Never empty.
    pub signing_certificates: Vec<Certificate>,
    pub encryption_certificates: Vec<Certificate>,
    pub single_sign_on: Vec<Endpoint>,
    pub single_logout: Vec<Endpoint>,
    pub valid_until: Option<DateTime<Utc>>,
}

impl IdpMetadata {
    /// Parses metadata from a source the tenant configured (file or URL fetched
    /// over TLS). Refuses metadata without a signing certificate, since nothing
    /// from that IdP could be verified, and without a redirect SSO endpoint.
    pub fn from_xml(xml: &str) -> Result<Self, MetadataError> {
        let doc = xmlsec::parse(xml.to_owned())?;
        Self::from_element(doc.root())
    }

    /// As [`Self::from_xml`], and the metadata must carry a valid enveloped
    /// signature over its root by one of `trusted` (e.g. the federation's
    /// pinned metadata-signing certificate).
    pub fn from_signed_xml(xml: &str, trusted: &[Certificate]) -> Result<Self, MetadataError> {
        let doc = xmlsec::parse(xml.to_owned())?;
        let id = doc.root().attr("ID").ok_or(MetadataError::Signature(super::SignatureError::AmbiguousId))?;
        doc.verify(id, trusted, OtherSignatures::MustBeValid).map_err(MetadataError::Signature)?;
        Self::from_element(doc.root())
    }

    fn from_element(root: &Element) -> Result<Self, MetadataError> {
        let entity = if root.is(ns::METADATA, "EntityDescriptor") {
            root
        } else if root.is(ns::METADATA, "EntitiesDescriptor") {
            let mut idps = root
                .children_named(ns::METADATA, "EntityDescriptor")
                .filter(|e| e.child(ns::METADATA, "IDPSSODescriptor").is_some());
            match (idps.next(), idps.next()) {
                (Some(one), None) => one,
                _ => return Err(MetadataError::NotEntityDescriptor),
            }
        } else {
            return Err(MetadataError::NotEntityDescriptor);
        };
        let entity_id = entity
            .attr("entityID")
            .filter(|id| !id.trim().is_empty())
            .ok_or(MetadataError::MissingEntityId)?
            .to_owned();
        let valid_until = match entity.attr("validUntil").or(root.attr("validUntil")) {
            Some(text) => Some(time::parse(text).ok_or(MetadataError::BadTimestamp("validUntil"))?),
            None => None,
        };

        let mut descriptors = entity.children_named(ns::METADATA, "IDPSSODescriptor").filter(|d| {
            d.attr("protocolSupportEnumeration")
                .is_some_and(|p| p.split_ascii_whitespace().any(|p| p == uri::PROTOCOL_SUPPORT))
        });
        let Some(idp) = descriptors.next() else {
            return Err(MetadataError::NoIdpDescriptor { entity_id });
        };
        if descriptors.next().is_some() {
            return Err(MetadataError::SeveralIdpDescriptors { entity_id });
        }

        let mut signing_certificates = Vec::new();
        let mut encryption_certificates = Vec::new();
        for descriptor in idp.children_named(ns::METADATA, "KeyDescriptor") {
            let certificates = descriptor
                .children_named(ns::DSIG, "KeyInfo")
                .flat_map(|info| info.children_named(ns::DSIG, "X509Data"))
                // The first certificate of an X509Data is the key's own; any
                // others are its chain, which we do not use.
                .filter_map(|data| data.child(ns::DSIG, "X509Certificate"))
                .map(|c| Certificate::from_base64(&c.text))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|reason| MetadataError::BadCertificate { entity_id: entity_id.clone(), reason })?;
            // A KeyDescriptor without `use` serves both purposes (Metadata §2.4.1.1).
            let usage = descriptor.attr("use");
            if usage.is_none_or(|u| u == "signing") {
                signing_certificates.extend(certificates.iter().cloned());
            }
            if usage.is_none_or(|u| u == "encryption") {
                encryption_certificates.extend(certificates);
            }
        }
        if signing_certificates.is_empty() {
            return Err(MetadataError::NoSigningCertificate { entity_id });
        }

        let endpoints = |name: &str| -> Result<Vec<Endpoint>, MetadataError> {
            idp.children_named(ns::METADATA, name)
                .map(|e| match (e.attr("Binding"), e.attr("Location")) {
                    (Some(binding), Some(location)) => Ok(Endpoint {
                        binding: Binding::from_uri(binding),
                        location: location.to_owned(),
                        response_location: e.attr("ResponseLocation").map(str::to_owned),
                    }),
                    _ => Err(MetadataError::BadEndpoint { entity_id: entity_id.clone() }),
                })
                .collect()
        };
        let single_sign_on = endpoints("SingleSignOnService")?;
        let single_logout = endpoints("SingleLogoutService")?;
        if !single_sign_on.iter().any(|e| e.binding == Binding::HttpRedirect) {
            return Err(MetadataError::NoRedirectSso { entity_id });
        }
        Ok(IdpMetadata {
            want_authn_requests_signed: idp.attr("WantAuthnRequestsSigned") == Some("true"),
            entity_id,
            signing_certificates,
            encryption_certificates,
            single_sign_on,
            single_logout,
            valid_until,
        })
    }

    /// The first HTTP-Redirect SingleSignOnService (metadata without one is refused).
    pub fn sso_redirect_url(&self) -> &str {
        self.single_sign_on
            .iter()
            .find(|e| e.binding == Binding::HttpRedirect)
            .map(|e| e.location.as_str())
            .unwrap_or_default()
    }

    /// The first HTTP-Redirect SingleLogoutService, if any.
    pub fn slo_redirect(&self) -> Option<&Endpoint> {
        self.single_logout.iter().find(|e| e.binding == Binding::HttpRedirect)
    }

    /// Refuses metadata whose `validUntil` has passed.
    pub fn check_valid_at(&self, now: DateTime<Utc>) -> Result<(), MetadataError> {
        match self.valid_until {
            Some(until) if until <= now => Err(MetadataError::Expired(until)),
            _ => Ok(()),
        }
    }
}

/// Our metadata, served at `/admin/saml/metadata` and `/saml/metadata` and
/// uploaded to the IdP's administration (KOMBIT, NemLog-in).
#[derive(Debug, Clone)]
pub struct SpMetadata {
    pub entity_id: String,
    pub acs_url: String,
    pub slo_url: String,
    pub signing_certificate: Certificate,
    pub encryption_certificate: Certificate,
    pub name_id_formats: Vec<String>,
    pub want_assertions_signed: bool,
    /// `(name, display name, URL)` for `md:Organization`.
    pub organization: Option<(String, String, String)>,
    /// E-mail address of the technical contact.
    pub technical_contact: Option<String>,
}

impl SpMetadata {
    pub fn for_sp(sp: &ServiceProvider) -> Self {
        SpMetadata {
            entity_id: sp.entity_id.clone(),
            acs_url: sp.acs_url.clone(),
            slo_url: sp.slo_url.clone(),
            signing_certificate: sp.signing.certificate().clone(),
            encryption_certificate: sp.decryption_credential().certificate().clone(),
            name_id_formats: sp.name_id_format.iter().cloned().collect(),
            want_assertions_signed: sp.require_signed_assertion,
            organization: None,
            technical_contact: None,
        }
    }

    pub fn to_xml(&self) -> String {
        self.render().0
    }

    /// Signed with an enveloped signature as the first child of the
    /// `EntityDescriptor`, where the metadata schema puts `ds:Signature`.
    pub fn to_signed_xml(&self, signer: &Credential) -> Result<String, XmlSecurityError> {
        let (xml, signature_at) = self.render();
        xmlsec::sign_enveloped(&xml, SP_METADATA_ID, signature_at, signer)
    }

    /// The XML and the byte offset right after the root start tag.
    fn render(&self) -> (String, usize) {
        let key = |usage: &str, cert: &Certificate| {
            format!(
                r#"<md:KeyDescriptor use="{usage}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#,
                cert.to_base64()
            )
        };
        let mut xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="{md}" xmlns:ds="{ds}" ID="{SP_METADATA_ID}" entityID="{entity}">"#,
            md = ns::METADATA,
            ds = ns::DSIG,
            entity = escape_xml(&self.entity_id),
        );
        let signature_at = xml.len();
        xml.push_str(&format!(
            r#"<md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="{}" protocolSupportEnumeration="{}">"#,
            self.want_assertions_signed,
            uri::PROTOCOL_SUPPORT
        ));
        xml.push_str(&key("signing", &self.signing_certificate));
        xml.push_str(&key("encryption", &self.encryption_certificate));
        xml.push_str(&format!(
            r#"<md:SingleLogoutService Binding="{}" Location="{}"/>"#,
            uri::BINDING_REDIRECT,
            escape_xml(&self.slo_url)
        ));
        for format in &self.name_id_formats {
            xml.push_str(&format!("<md:NameIDFormat>{}</md:NameIDFormat>", escape_xml(format)));
        }
        xml.push_str(&format!(
            r#"<md:AssertionConsumerService Binding="{}" Location="{}" index="0" isDefault="true"/>"#,
            uri::BINDING_POST,
            escape_xml(&self.acs_url)
        ));
        xml.push_str("</md:SPSSODescriptor>");
        if let Some((name, display, url)) = &self.organization {
            xml.push_str(&format!(
                r#"<md:Organization><md:OrganizationName xml:lang="da">{}</md:OrganizationName><md:OrganizationDisplayName xml:lang="da">{}</md:OrganizationDisplayName><md:OrganizationURL xml:lang="da">{}</md:OrganizationURL></md:Organization>"#,
                escape_xml(name),
                escape_xml(display),
                escape_xml(url)
            ));
        }
        if let Some(email) = &self.technical_contact {
            xml.push_str(&format!(
                r#"<md:ContactPerson contactType="technical"><md:EmailAddress>{}</md:EmailAddress></md:ContactPerson>"#,
                escape_xml(email)
            ));
        }
        xml.push_str("</md:EntityDescriptor>");
        (xml, signature_at)
    }
}

/// The ID of our metadata root; fixed, since it only has to be unique within
/// the document, and a stable ID keeps the served document stable.
const SP_METADATA_ID: &str = "_valghalla-sp-metadata";
