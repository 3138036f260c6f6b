//! Integration tests of the `integrations` crate: one test binary, one module
//! per area in `integrations/`. SAML fixtures under `fixtures/saml/` were made by
//! the independent reference implementation (xmlsec1, openssl), see its README.

#[path = "integrations/fixtures.rs"]
mod fixtures;
#[path = "integrations/saml_login.rs"]
mod saml_login;
#[path = "integrations/saml_metadata.rs"]
mod saml_metadata;
