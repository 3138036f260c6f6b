//! The SMS gateway client against hand-written reference payloads (fixtures/sms/) served
//! by a scripted local HTTP stub: the exact request, Basic auth, number forms, every
//! answer shape and failure class.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use domain::CprNumber;
use domain::contact::{Email, Mobile};
use integrations::messaging::sms::{SmsClient, SmsConfig};
use integrations::messaging::{Channel, Outgoing, Recipient, SendError, Transport};
use integrations::resilience::{BreakerSettings, CallError, RetrySettings, Settings};
use uuid::Uuid;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sms");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn settings() -> Settings {
    Settings {
        connect_timeout: Duration::from_millis(500),
        total_timeout: Duration::from_millis(500),
        max_concurrency: 4,
        retry: RetrySettings {
            max_retries: 2,
            initial_backoff: Duration::from_millis(2),
            max_backoff: Duration::from_millis(10),
        },
        breaker: BreakerSettings { failure_threshold: 50, cool_down: Duration::from_secs(30) },
    }
}

/// The invitation every test sends (a Danish mobile, an e-mail address).
pub fn outgoing(mobile: Option<&str>, email: Option<&str>) -> Outgoing {
    Outgoing {
        message_id: Uuid::parse_str("6f1c2a3e-9b4d-4c1a-8e2f-0a1b2c3d4e5f").unwrap(),
        sms_id: "sms-7f3a9c".into(),
        recipient: Recipient {
            cpr: CprNumber::parse("0101901234").unwrap(),
            name: "Jens Hansen".into(),
            email: email.map(|e| Email::parse(e).unwrap()),
            mobile: mobile.map(|m| Mobile::parse(m).unwrap()),
            exempt_digital_post: false,
        },
        subject: "Invitation til valget".into(),
        html: "<p>Du er <b>inviteret</b> til valget 5. juni.</p>".into(),
        text: "Du er inviteret til valget 5. juni.".into(),
        sms_text: "Du er inviteret til valget 5. juni. Svar på valghalla.dk & tak <3".into(),
        attachments: Vec::new(),
    }
}

pub fn sms_config(base_url: String) -> SmsConfig {
    SmsConfig {
        base_url,
        username: "valghalla".into(),
        password: "hemmelig".into(),
        sender_alias: "Korsbæk".into(),
        tenant: Some("korsbaek".into()),
        settings: settings(),
    }
}

#[derive(Clone, Default)]
struct Script {
    reply: Arc<Mutex<(u16, String, Duration)>>,
    received: Arc<Mutex<Vec<(String, HeaderMap, String)>>>,
}

async fn answer(
    State(script): State<Script>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    script.received.lock().unwrap().push((uri.path().to_owned(), headers, body));
    let (status, body, delay) = script.reply.lock().unwrap().clone();
    tokio::time::sleep(delay).await;
    (StatusCode::from_u16(status).unwrap(), body)
}

async fn stub(status: u16, body: String) -> (SocketAddr, Script) {
    let script = Script::default();
    *script.reply.lock().unwrap() = (status, body, Duration::ZERO);
    let app = Router::new().route("/sms", post(answer)).with_state(script.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, script)
}

async fn send_with(
    status: u16,
    body: String,
    message: &Outgoing,
) -> (Result<integrations::messaging::Sent, SendError>, Script) {
    let (addr, script) = stub(status, body).await;
    let client = SmsClient::new(sms_config(format!("http://{addr}/"))).unwrap();
    (client.send(message).await, script)
}

#[tokio::test]
async fn the_request_is_the_reference_document_with_basic_auth() {
    let (result, script) = send_with(200, fixture("status-accepted.xml"), &outgoing(Some("20 30 40 50"), None)).await;
    assert_eq!(result.unwrap().reference.as_deref(), Some("Message queued"));
    let received = script.received.lock().unwrap();
    let (path, headers, body) = &received[0];
    assert_eq!(path, "/sms");
    assert_eq!(body, &fixture("request-danish.xml"));
    // base64("valghalla:hemmelig")
    assert_eq!(headers["authorization"], "Basic dmFsZ2hhbGxhOmhlbW1lbGln");
    assert_eq!(headers["content-type"], "application/xml; charset=utf-8");
    assert_eq!(headers["accept"], "application/xml");
}

#[tokio::test]
async fn a_foreign_number_goes_in_full_without_country_code() {
    let mut message = outgoing(Some("+49 151 12345678"), None);
    message.sms_text = "Hej".into();
    let (result, script) = send_with(200, fixture("status-accepted.xml"), &message).await;
    result.unwrap();
    assert_eq!(script.received.lock().unwrap()[0].2, fixture("request-foreign.xml"));
}

#[tokio::test]
async fn a_base_url_without_final_slash_posts_to_the_same_path() {
    let (addr, script) = stub(200, fixture("status-accepted.xml")).await;
    let client = SmsClient::new(sms_config(format!("http://{addr}"))).unwrap();
    assert_eq!(client.channel(), Channel::Sms);
    client.send(&outgoing(Some("20304050"), None)).await.unwrap();
    assert_eq!(script.received.lock().unwrap()[0].0, "/sms");
}

#[tokio::test]
async fn a_pretty_printed_answer_with_entities_is_read() {
    let (result, _) = send_with(200, fixture("status-accepted-spaced.xml"), &outgoing(Some("20304050"), None)).await;
    assert_eq!(result.unwrap().reference.as_deref(), Some("Besked modtaget & sat i kø"));
}

#[tokio::test]
async fn an_invalid_number_is_refused_for_good() {
    let (result, _) = send_with(200, fixture("status-invalid.xml"), &outgoing(Some("20304050"), None)).await;
    let Err(SendError::Permanent(why)) = result else { panic!("expected Permanent, got {result:?}") };
    assert!(why.contains("kode 3") && why.contains("Invalid recipient number"), "{why}");
}

#[tokio::test]
async fn answers_that_say_nothing_about_the_number_are_temporary() {
    for name in ["status-empty.xml", "status-truncated.xml", "status-wrong-root.xml"] {
        let (result, _) = send_with(200, fixture(name), &outgoing(Some("20304050"), None)).await;
        assert!(matches!(result, Err(SendError::Temporary(CallError::Malformed(_)))), "{name}: {result:?}");
    }
    let (result, _) = send_with(200, String::new(), &outgoing(Some("20304050"), None)).await;
    assert!(matches!(result, Err(SendError::Temporary(CallError::Malformed(_)))), "empty body: {result:?}");
}

#[tokio::test]
async fn server_errors_are_temporary_throttling_waits_other_refusals_permanent() {
    for status in [500, 502, 503, 408] {
        let (result, script) = send_with(status, "<html>nej</html>".into(), &outgoing(Some("20304050"), None)).await;
        let Err(SendError::Temporary(CallError::Status { status: got, .. })) = result else {
            panic!("{status}: {result:?}")
        };
        assert_eq!(got, status);
        // Sends are never retried inside the client: delivery retries with the same messageid.
        assert_eq!(script.received.lock().unwrap().len(), 1);
    }
    // A 429 without Retry-After: nothing was sent; wait a second.
    let (result, script) = send_with(429, "<html>nej</html>".into(), &outgoing(Some("20304050"), None)).await;
    assert!(matches!(result, Err(SendError::Throttled(wait)) if wait == Duration::from_secs(1)), "{result:?}");
    assert_eq!(script.received.lock().unwrap().len(), 1);
    for status in [400, 401, 403] {
        let (result, _) = send_with(status, String::new(), &outgoing(Some("20304050"), None)).await;
        assert!(
            matches!(result, Err(SendError::Permanent(ref why)) if why.contains(&status.to_string())),
            "{result:?}"
        );
    }
}

#[tokio::test]
async fn a_slow_gateway_is_a_timeout() {
    let (addr, script) = stub(200, fixture("status-accepted.xml")).await;
    script.reply.lock().unwrap().2 = Duration::from_secs(3);
    let client = SmsClient::new(sms_config(format!("http://{addr}/"))).unwrap();
    let result = client.send(&outgoing(Some("20304050"), None)).await;
    assert!(matches!(result, Err(SendError::Temporary(CallError::Timeout(_)))), "{result:?}");
}

#[tokio::test]
async fn no_gateway_is_a_connection_failure() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = SmsClient::new(sms_config(format!("http://{addr}/"))).unwrap();
    let result = client.send(&outgoing(Some("20304050"), None)).await;
    assert!(matches!(result, Err(SendError::Temporary(CallError::Connect(_)))), "{result:?}");
}

#[tokio::test]
async fn without_a_mobile_number_nothing_is_sent() {
    let (result, script) =
        send_with(200, fixture("status-accepted.xml"), &outgoing(None, Some("jens@example.dk"))).await;
    assert!(matches!(result, Err(SendError::Unreachable(_))), "{result:?}");
    assert!(script.received.lock().unwrap().is_empty());
}

#[test]
fn a_base_url_must_be_http() {
    assert!(SmsClient::new(sms_config("ftp://smssys.dk/".into())).is_err());
}

#[test]
fn debug_output_hides_the_password() {
    let config = sms_config("https://smssys.dk/".into());
    let client = SmsClient::new(config.clone()).unwrap();
    for shown in [format!("{config:?}"), format!("{client:?}")] {
        assert!(!shown.contains("hemmelig") && !shown.contains("dmFsZ2hhbGxh"), "{shown}");
    }
}
