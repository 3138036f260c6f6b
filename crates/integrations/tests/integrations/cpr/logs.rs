//! No CPR number reaches the logs, whatever happens during a lookup.

use integrations::cpr::{CprError, CprRegistry};

use super::stub::{Reply, Stub, refused_endpoint};
use super::{client, cpr, fixture};
use crate::log_capture::capture_alone;

/// Every digit sequence that would give a CPR number away: the ten digits,
/// the dashed form and the serial part after the date.
fn leaks(log: &str, digits: &str) -> bool {
    let dashed = format!("{}-{}", &digits[..6], &digits[6..]);
    log.contains(digits) || log.contains(&dashed) || log.contains(&format!("-{}", &digits[6..]))
}

#[tokio::test(flavor = "current_thread")]
async fn no_cpr_number_is_logged_during_lookups_and_failures() {
    let Some(capture) = capture_alone("cpr::logs::no_cpr_number_is_logged_during_lookups_and_failures") else {
        return;
    };

    let people = [("resident-here.xml", "1505851234"), ("emigrated.xml", "3006821242"), ("dead.xml", "1703401240")];
    for (name, digits) in people {
        let stub = Stub::start(Reply::soap(fixture(name))).await;
        client(stub.endpoint()).lookup(&cpr(digits)).await.unwrap();
    }

    let anne = cpr("1505851234");
    let unknown = cpr("0101500000");
    let mut errors: Vec<CprError> = Vec::new();
    let stub = Stub::start(Reply::soap_fault(fixture("fault-unknown-cpr.xml"))).await;
    errors.push(client(stub.endpoint()).lookup(&unknown).await.unwrap_err());
    for reply in [
        Reply::soap_fault(fixture("fault-authorisation.xml")),
        Reply::html(502, fixture("proxy-502.html")),
        Reply::soap(fixture("malformed-truncated.xml")),
        Reply::soap(fixture("resident-here.xml")).delayed(std::time::Duration::from_secs(2)),
    ] {
        let stub = Stub::start(reply).await;
        errors.push(client(stub.endpoint()).lookup(&anne).await.unwrap_err());
    }
    let refused = client(refused_endpoint().await);
    errors.push(refused.lookup(&anne).await.unwrap_err());
    errors.push(refused.lookup(&anne).await.unwrap_err());

    let log = capture.text();
    assert!(log.contains("integration call failed"), "the capture works:\n{log}");
    assert!(log.contains("150585-****"), "lookups are logged with the masked number");
    for digits in ["1505851234", "3006821242", "1703401240", "0101500000"] {
        assert!(!leaks(&log, digits), "{digits} leaked into the log:\n{log}");
    }
    for error in &errors {
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!leaks(&text, "1505851234") && !leaks(&text, "0101500000"), "{text}");
        }
    }
}
