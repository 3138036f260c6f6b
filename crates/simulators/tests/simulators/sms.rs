//! The SMS gateway simulator against requests written by hand from reference §8: Basic
//! auth, per-number status lines, standing and keyed refusals, `messageid` duplicates, the
//! rate limit and every fault.

use std::time::Duration;

use simulators::control::FaultSpec;
use simulators::sms::{SmsSimConfig, SmsSimHandle, SmsSimulator};

use crate::support::client;

/// `valghalla:sms-hemmelighed`, the default credentials.
const AUTH: &str = "Basic dmFsZ2hhbGxhOnNtcy1oZW1tZWxpZ2hlZA==";

fn sms(numbers: &str, messageid: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sms><countrycode>45</countrycode><number>{numbers}</number>\
         <messageid>{messageid}</messageid><senderalias>Korsbæk</senderalias><message>Hej &amp; tak</message>\
         <shortcode/><encoding></encoding></sms>"
    )
}

async fn post(sim: &SmsSimHandle, auth: Option<&str>, body: String) -> (u16, String) {
    let mut request =
        client().post(format!("{}sms", sim.base_url)).header("content-type", "application/xml").body(body);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn start() -> SmsSimHandle {
    SmsSimulator::start(SmsSimConfig::default()).await.unwrap()
}

#[tokio::test]
async fn basic_auth_is_required() {
    let sim = start().await;
    assert_eq!(post(&sim, None, sms("20304050", "a")).await.0, 401);
    let wrong = "Basic dmFsZ2hhbGxhOm5lag=="; // valghalla:nej
    assert_eq!(post(&sim, Some(wrong), sms("20304050", "a")).await.0, 401);
    assert!(sim.messages().is_empty());
}

#[tokio::test]
async fn each_number_gets_a_status_line_and_refused_numbers_are_not_sent() {
    let sim = start().await;
    let (status, body) = post(&sim, Some(AUTH), sms("20304050, 99999999,30405060", "m1")).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<status>\
         <statusline><code>0</code><description>OK</description></statusline>\
         <statusline><code>3</code><description>Ugyldigt nummer</description></statusline>\
         <statusline><code>0</code><description>OK</description></statusline></status>"
    );
    let sent = sim.messages();
    assert_eq!(sent.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(), ["4520304050", "4530405060"]);
    assert_eq!(sent[0].text, "Hej & tak");
    assert_eq!(sent[0].sender, "Korsbæk");
    assert_eq!(sent[0].messageid.as_deref(), Some("m1"));
}

#[tokio::test]
async fn a_repeated_messageid_is_answered_as_accepted_and_not_sent_again() {
    let sim = start().await;
    post(&sim, Some(AUTH), sms("20304050", "m1")).await;
    let (status, body) = post(&sim, Some(AUTH), sms("20304050,30405060", "m1")).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("<code>0</code><description>Dublet af messageid m1; ikke sendt igen</description>"),
        "{body}"
    );
    // The new number of the same message id is sent; the first one not again.
    assert_eq!(sim.messages().len(), 2);
    post(&sim, Some(AUTH), sms("20304050", "m2")).await;
    assert_eq!(sim.messages().len(), 3);
}

#[tokio::test]
async fn a_keyed_refusal_hits_only_that_number() {
    let sim = start().await;
    let params = serde_json::json!({ "code": "7", "description": "Spærret" });
    sim.control.faults.add(FaultSpec::new("refuse").key("4530405060").params(params).once());
    let (_, body) = post(&sim, Some(AUTH), sms("20304050,30405060", "m1")).await;
    assert!(
        body.contains("<code>0</code>") && body.contains("<code>7</code><description>Spærret</description>"),
        "{body}"
    );
    assert_eq!(sim.messages().len(), 1);
}

#[tokio::test]
async fn broken_answers_on_request() {
    let sim = start().await;
    sim.control.faults.add(FaultSpec::new("empty_body").once());
    assert_eq!(post(&sim, Some(AUTH), sms("20304050", "a")).await, (200, String::new()));
    sim.control.faults.add(FaultSpec::new("no_statuslines").once());
    let (_, body) = post(&sim, Some(AUTH), sms("20304050", "b")).await;
    assert!(body.ends_with("<status></status>"), "{body}");
    sim.control.faults.add(FaultSpec::new("malformed").once());
    let (_, body) = post(&sim, Some(AUTH), sms("20304050", "c")).await;
    assert!(body.starts_with("<?xml") && !body.ends_with("</status>"), "{body}");
    // A malformed answer still sent the message: the client cannot know, so it retries.
    assert_eq!(sim.messages().len(), 1);
    sim.control.faults.add(FaultSpec::new("unauthorized").once());
    assert_eq!(post(&sim, Some(AUTH), sms("20304050", "d")).await.0, 401);
}

#[tokio::test]
async fn shared_faults_and_downtime() {
    let sim = start().await;
    let params = serde_json::json!({ "status": 500, "body": "Internal error" });
    sim.control.faults.add(FaultSpec::new("http_status").params(params).once());
    assert_eq!(post(&sim, Some(AUTH), sms("20304050", "a")).await, (500, "Internal error".into()));
    sim.control.faults.add(FaultSpec::new("down").once());
    let (status, body) = post(&sim, Some(AUTH), sms("20304050", "a")).await;
    assert_eq!(status, 503);
    assert!(body.contains("<html"), "{body}");
    let now = chrono::Utc::now();
    let window = serde_json::json!({ "from": (now - chrono::Duration::seconds(1)).to_rfc3339(), "to": (now + chrono::Duration::seconds(60)).to_rfc3339() });
    let id = sim.control.faults.add(FaultSpec::new("downtime_window").params(window));
    assert_eq!(post(&sim, Some(AUTH), sms("20304050", "a")).await.0, 503);
    sim.control.faults.remove(id);
    assert_eq!(post(&sim, Some(AUTH), sms("20304050", "a")).await.0, 200);
    assert_eq!(sim.messages().len(), 1);
}

#[tokio::test]
async fn a_timeout_never_answers_and_a_delay_answers_late() {
    let sim = start().await;
    sim.control.faults.add(FaultSpec::new("delay_ms").params(serde_json::json!({ "ms": 300 })).once());
    let started = std::time::Instant::now();
    assert_eq!(post(&sim, Some(AUTH), sms("20304050", "a")).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    sim.control.faults.add(FaultSpec::new("timeout").once());
    let request =
        client().post(format!("{}sms", sim.base_url)).header("authorization", AUTH).body(sms("20304050", "b"));
    assert!(tokio::time::timeout(Duration::from_millis(500), request.send()).await.is_err());
}

#[tokio::test]
async fn the_rate_limit_answers_429() {
    let sim =
        SmsSimulator::start(SmsSimConfig { rate_limit_per_second: Some(2), ..SmsSimConfig::default() }).await.unwrap();
    let mut statuses = Vec::new();
    for i in 0..4 {
        statuses.push(post(&sim, Some(AUTH), sms("20304050", &format!("m{i}"))).await.0);
    }
    assert_eq!(statuses, [200, 200, 429, 429]);
}

#[tokio::test]
async fn requests_are_recorded_and_reset_clears_everything() {
    let sim = start().await;
    assert_eq!(post(&sim, Some(AUTH), "<sms><number>".into()).await.0, 400);
    post(&sim, Some(AUTH), sms("20304050", "m1")).await;
    let requests: serde_json::Value =
        client().get(format!("{}__sim/requests", sim.base_url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(requests.as_array().unwrap().len(), 2);
    assert_eq!(requests[1]["detail"]["codes"], serde_json::json!(["0"]));
    let listed: serde_json::Value =
        client().get(format!("{}__sim/sms/messages", sim.base_url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed[0]["to"], "4520304050");
    client().post(format!("{}__sim/reset", sim.base_url)).send().await.unwrap();
    assert!(sim.messages().is_empty());
    // After a reset the same message id is new again.
    post(&sim, Some(AUTH), sms("20304050", "m1")).await;
    assert_eq!(sim.messages().len(), 1);
}
