//! Clients of remote services, each behind a trait, and the shared resilience layer.
//!
//! [`saml`] is the SAML 2.0 service-provider core used for both identity providers
//! (FK Adgangsstyring for the admin app, NemLog-in for the portal).
//!
//! [`resilience`] is what every remote call goes through: timeouts, bounded
//! concurrency, retries for idempotent calls, a circuit breaker, metrics, the
//! status shown on the admin page and health probes. [`cpr`] is the
//! `CprRegistry` trait with the SF1520 client and the provider chain.
//! [`messaging`] is the `Transport` trait of the message channels and the
//! Digital Post clients. The HTTPS client with the organisation certificate
//! (mutual TLS) is shared by every Serviceplatformen client.

pub mod saml;

pub mod cpr;
mod https;
pub mod messaging;
pub mod resilience;
mod xml;
