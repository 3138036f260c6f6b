//! IdP metadata: an EntityDescriptor with one IDPSSODescriptor, signed like the real
//! NemLog-in and KOMBIT metadata so that an SP can pin and verify it.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::crypto::{Signer, Which, cert_base64};
use super::messages::{new_id, timestamp};
use super::users::{FORMAT_PERSISTENT, FORMAT_X509};
use super::{Flavour, Idp};
use crate::xml::escape;

const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

fn key_descriptor(usage: &str, cert_b64: &str) -> String {
    format!(
        "<md:KeyDescriptor use=\"{usage}\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert_b64}\
         </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
    )
}

pub(super) fn metadata_xml(idp: &Idp) -> anyhow::Result<String> {
    let id = new_id();
    let cert = cert_base64(idp.signer.cert_pem())?;
    let valid_until = idp.control.clock.now() + chrono::Duration::days(7);
    let name_id_format = match idp.flavour {
        Flavour::Fk => FORMAT_X509,
        Flavour::NemLogin => FORMAT_PERSISTENT,
    };
    // Element order follows the metadata schema: Signature, KeyDescriptor*,
    // SingleLogoutService*, NameIDFormat*, SingleSignOnService+.
    let xml = format!(
        "<md:EntityDescriptor xmlns:md=\"{MD}\" xmlns:ds=\"{DS}\" ID=\"{id}\" entityID=\"{entity}\" validUntil=\"{until}\">\
         {signature}<md:IDPSSODescriptor WantAuthnRequestsSigned=\"true\" \
         protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">{signing}{encryption}\
         <md:SingleLogoutService Binding=\"{REDIRECT}\" Location=\"{base}/slo\"/>\
         <md:NameIDFormat>{name_id_format}</md:NameIDFormat>\
         <md:SingleSignOnService Binding=\"{REDIRECT}\" Location=\"{base}/sso\"/>\
         </md:IDPSSODescriptor></md:EntityDescriptor>",
        entity = escape(&idp.entity_id),
        until = timestamp(valid_until),
        signature = Signer::template(&id)?,
        signing = key_descriptor("signing", &cert),
        encryption = key_descriptor("encryption", &cert),
        base = escape(&idp.base),
    );
    idp.signer.sign(&xml, Which::First)
}

pub(super) async fn metadata(State(idp): State<Arc<Idp>>) -> Response {
    match metadata_xml(&idp) {
        Ok(xml) => {
            let mut resp = xml.into_response();
            resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/samlmetadata+xml"));
            resp
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
