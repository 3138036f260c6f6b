//! Clients of remote services, each behind a trait, and the shared resilience layer.
//!
//! [`saml`] is the SAML 2.0 service-provider core used for both identity providers
//! (FK Adgangsstyring for the admin app, NemLog-in for the portal).

pub mod saml;

pub mod cpr;
pub mod resilience;
