//! Integration tests of the `integrations` crate: one test binary, one module
//! per area in `integrations/`. SAML fixtures under `fixtures/saml/` were made by
//! the independent reference implementation (xmlsec1, openssl), see its README.

#[path = "integrations/cpr.rs"]
mod cpr;
#[path = "integrations/cpr_extract.rs"]
mod cpr_extract;
#[path = "integrations/digital_post.rs"]
mod digital_post;
#[path = "integrations/email.rs"]
mod email;
#[path = "integrations/fixtures.rs"]
mod fixtures;
#[path = "integrations/log_capture.rs"]
mod log_capture;
#[path = "integrations/saml_attacks.rs"]
mod saml_attacks;
#[path = "integrations/saml_interop.rs"]
mod saml_interop;
#[path = "integrations/saml_login.rs"]
mod saml_login;
#[path = "integrations/saml_logout.rs"]
mod saml_logout;
#[path = "integrations/saml_metadata.rs"]
mod saml_metadata;
#[path = "integrations/saml_response.rs"]
mod saml_response;
#[path = "integrations/sms.rs"]
mod sms;
