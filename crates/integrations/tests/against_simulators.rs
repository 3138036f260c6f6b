//! Cross-tests (SPEC §2.7): each real client in `integrations` against the
//! simulator in `simulators` that was written independently from the same
//! reference, so that a misreading on either side shows up here.
//!
//! - `cpr`: the SF1520 and Datafordeleren clients against the CPR simulator —
//!   every built-in person, every fault kind a client can meet, retries, the
//!   breaker, mutual TLS (PEM and PKCS#12) and the provider chain.
//! - `digital_post`: the SF1601 and direct NgDP clients against the Digital
//!   Post simulator — token chain over mTLS, caching, refresh, faults.
//! - `saml`: our SAML SP core against the FK Adgangsstyring and NemLog-in IdP
//!   simulators — metadata, full logins, privileges, the NemLog-in identity,
//!   every refusal the simulators can provoke, and single logout.
//! - `email`: the SMTP client against the SMTP sink — plain, STARTTLS and implicit TLS
//!   with AUTH, the MIME shape, 4xx/5xx at each stage, dropped and stalled connections.
//! - `sms`: the SMS client against the SMS gateway simulator — refusals, every fault,
//!   and no second SMS when a send is retried after an unknown outcome.
//!
//! Run alone with `cargo test -p integrations --test against_simulators`.

#[path = "against_simulators/cpr.rs"]
mod cpr;
#[path = "against_simulators/digital_post.rs"]
mod digital_post;
#[path = "against_simulators/email.rs"]
mod email;
#[path = "against_simulators/saml.rs"]
mod saml;
#[path = "against_simulators/sms.rs"]
mod sms;

/// A plain-HTTP client for the simulators' pages and `/__sim/*` API. It never
/// follows redirects, so a test can read the `Location` an IdP answers with.
pub fn http() -> reqwest::Client {
    // reqwest is built without a default crypto provider (as in production).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("an HTTP client")
}

/// Adds a fault rule through the simulator's control API (`POST /__sim/faults`).
pub async fn add_fault(base_url: &str, rule: &str) {
    let response = http()
        .post(format!("{base_url}/__sim/faults"))
        .header("content-type", "application/json")
        .body(rule.to_owned())
        .send()
        .await
        .expect("the control API answers");
    assert_eq!(response.status().as_u16(), 201, "fault {rule} accepted");
}

/// `POST /__sim/reset`: faults, recordings, clock and the simulator's state.
pub async fn reset(base_url: &str) {
    let response = http().post(format!("{base_url}/__sim/reset")).send().await.expect("the control API answers");
    assert!(response.status().is_success(), "reset: {}", response.status());
}
